"""Syncing a named source over two exports: added, updated, removed, unchanged; curators' work kept."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from resolver import Resolver
from resolver.errors import EntityNotFound, ImportFailed
from resolver.sources.ftm import FtmReader
from resolver.sources.ofac import OfacReader
from resolver.sources.sync import list_sources, sync_source
from resolver.store import derive
from resolver.store.db import SCHEMA_VERSION, check_schema, make_engine, make_session_factory
from resolver.store.store import AliasStore

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "sources"
FTM1, FTM2 = FIXTURES / "ftm_v1.jsonl", FIXTURES / "ftm_v2.jsonl"
OFAC1, OFAC2 = FIXTURES / "ofac_v1" / "sdn.csv", FIXTURES / "ofac_v2" / "sdn.csv"


def _open(url: str) -> AliasStore:
    engine = make_engine(url)
    check_schema(engine, create=True)
    return AliasStore(engine, make_session_factory(engine))


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[AliasStore]:
    """A store on each database: on PostgreSQL a sync writes through COPY and array statements."""
    url = f"sqlite:///{tmp_path / 'lists.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    s = _open(url)
    yield s
    s.engine.dispose()


def _texts(store: AliasStore, entity_id: str) -> dict[str, str]:
    return {a.text: a.kind for a in store.get_entity(entity_id).aliases}


def _counts(report: object) -> tuple[int, ...]:
    return tuple(getattr(report, k) for k in ("added", "updated", "removed", "unchanged"))


def test_first_import_adds_every_named_entity_with_stable_ids(store: AliasStore) -> None:
    report = sync_source(store, "opensanctions", FtmReader(FTM1))
    assert _counts(report) == (8, 0, 0, 0)
    assert report.skipped == {"Address": 1, "Person without a name": 1, "Sanction": 1}
    qais = store.get_entity("opensanctions:Q7267896")
    assert (qais.name, qais.type, qais.external_ids) == ("Qais al-Khazali", "person", {"wikidataId": "Q7267896"})
    assert _texts(store, "opensanctions:Q7267896")["Sheikh Qais"] == "weak_alias"
    assert {a.source for a in qais.aliases} == {"opensanctions"}
    assert [h.actor for h in store.history(qais.id)] == ["source:opensanctions"]
    (src,) = list_sources(store)
    assert (src["name"], src["format"], src["records"]) == ("opensanctions", "ftm", 8)
    assert src["info"]["date"] == "2024-03-14"


def test_the_same_export_again_changes_nothing(store: AliasStore) -> None:
    sync_source(store, "opensanctions", FtmReader(FTM1))
    revision, rows = store.revision(), list(store.export_rows())
    report = sync_source(store, "opensanctions", FtmReader(FTM1))
    assert _counts(report) == (0, 0, 0, 8)
    assert (store.revision(), list(store.export_rows())) == (revision, rows)


def test_a_re_sync_derives_keys_only_for_new_and_changed_records(
        store: AliasStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """An unchanged record writes nothing, so the sync never computes its aliases' keys."""
    sync_source(store, "opensanctions", FtmReader(FTM1))
    derived: list[str] = []
    real = derive.derive_many

    def counting(texts: Sequence[str]) -> list[derive.Derived]:
        derived.extend(texts)
        return real(texts)

    monkeypatch.setattr(derive, "derive_many", counting)
    sync_source(store, "opensanctions", FtmReader(FTM1))
    assert derived == []
    sync_source(store, "opensanctions", FtmReader(FTM2))
    assert {"Qays al-Khazali", "Laith al-Khazali"} <= set(derived)  # a changed record's, a new record's
    assert not {"Hay'at Tahrir al-Sham", "Tidewater Middle East Co.", "ADRIAN DARYA 1"} & set(derived)  # unchanged


def test_a_newer_export_adds_updates_and_removes(store: AliasStore) -> None:
    sync_source(store, "opensanctions", FtmReader(FTM1))
    report = sync_source(store, "opensanctions", FtmReader(FTM2), info={"date": "2024-06-01"})
    assert _counts(report) == (1, 1, 1, 6)
    assert (report.aliases_added, report.aliases_removed) == (4, 5)
    qais = _texts(store, "opensanctions:Q7267896")
    assert "Qays al-Khazali" in qais and "Qays al-Khaz'ali" not in qais
    assert "role.pep" in store.get_entity("opensanctions:Q7267896").description
    with pytest.raises(EntityNotFound):
        store.get_entity("opensanctions:NK-shahlai")
    assert store.get_entity("opensanctions:NK-laith").name == "Laith al-Khazali"
    history = store.history("opensanctions:Q7267896")
    assert [(h.actor, h.action) for h in history] == [("source:opensanctions", "create"),
                                                        ("source:opensanctions", "update")]
    assert history[1].before is not None and history[1].before["aliases_removed"] == ["Qays al-Khaz'ali"]
    assert history[1].after is not None and history[1].after["aliases_added"] == ["Qays al-Khazali"]
    assert list_sources(store)[0]["info"]["date"] == "2024-06-01"


def test_a_changed_list_is_seen_by_a_running_resolver(store: AliasStore) -> None:
    sync_source(store, "ofac-sdn", OfacReader(OFAC1))
    resolver = Resolver.open(store.engine.url.render_as_string(hide_password=False))
    assert resolver.resolve("Abdul Reza Shahlai").entity is not None
    assert resolver.resolve("Laith al-Khazali").entity is None
    sync_source(store, "ofac-sdn", OfacReader(OFAC2))
    assert resolver.resolve("Abdul Reza Shahlai").entity is None
    laith = resolver.resolve("Laith al-Khazali")
    assert laith.entity is not None and laith.entity.id == "ofac-sdn:25607"
    qais = resolver.resolve("قيس الخزعلي")
    assert qais.entity is not None and qais.entity.id == "ofac-sdn:25601"
    resolver.close()


def test_curated_aliases_survive_changes_and_removal(store: AliasStore) -> None:
    sync_source(store, "opensanctions", FtmReader(FTM1))
    store.add_alias("opensanctions:Q7267896", "Kais Khazali", source="curated", actor="alice")
    store.add_alias("opensanctions:NK-shahlai", "Shahlaee", source="curated", actor="alice")
    report = sync_source(store, "opensanctions", FtmReader(FTM2))
    assert report.kept_entities == 1
    assert "Kais Khazali" in _texts(store, "opensanctions:Q7267896")
    assert _texts(store, "opensanctions:NK-shahlai") == {"Shahlaee": "name"}
    # the dropped record is a tombstone: listing it again brings its aliases back to the same entity
    report = sync_source(store, "opensanctions", FtmReader(FTM1))
    assert "Abdul Reza Shahlai" in _texts(store, "opensanctions:NK-shahlai")
    assert "Shahlaee" in _texts(store, "opensanctions:NK-shahlai")


def test_a_curators_removal_of_a_source_alias_stands(store: AliasStore) -> None:
    sync_source(store, "opensanctions", FtmReader(FTM1))
    entity = store.get_entity("opensanctions:Q7267896")
    weak = next(a for a in entity.aliases if a.text == "Sheikh Qais")
    store.remove_alias(entity.id, weak.id, actor="alice")
    sync_source(store, "opensanctions", FtmReader(FTM2))  # the record changed, but not that alias
    assert "Sheikh Qais" not in _texts(store, entity.id)


def test_merges_by_curators_are_kept_and_fed(store: AliasStore) -> None:
    store.add_entity("Qais al-Khazali", "person", id="qais-al-khazali", aliases=["Sheikh Qais al-Khazali"])
    sync_source(store, "opensanctions", FtmReader(FTM1))
    store.merge("qais-al-khazali", "opensanctions:Q7267896", actor="alice")
    sync_source(store, "opensanctions", FtmReader(FTM2))
    assert store.canonical_id("opensanctions:Q7267896") == "qais-al-khazali"
    survivor = store.get_entity("qais-al-khazali")
    texts = {a.text for a in survivor.aliases}
    assert "Qays al-Khazali" in texts and "Qays al-Khaz'ali" not in texts
    assert "Sheikh Qais al-Khazali" in texts
    assert (survivor.name, survivor.description) == ("Qais al-Khazali", "")


def test_a_curators_edit_of_a_field_is_kept(store: AliasStore) -> None:
    sync_source(store, "opensanctions", FtmReader(FTM1))
    store.update_entity("opensanctions:Q7267896", name="Qais al-Khazali", description="AAH leader", actor="alice")
    sync_source(store, "opensanctions", FtmReader(FTM2))
    assert store.get_entity("opensanctions:Q7267896").description == "AAH leader"


def test_two_lists_stay_apart_and_never_touch_each_other(store: AliasStore) -> None:
    sync_source(store, "opensanctions", FtmReader(FTM1))
    sync_source(store, "ofac-sdn", OfacReader(OFAC1))
    assert store.get_entity("ofac-sdn:25601").id != store.get_entity("opensanctions:Q7267896").id
    before = list(store.export_rows())
    report = sync_source(store, "ofac-sdn", OfacReader(OFAC2))
    assert _counts(report) == (1, 1, 1, 4)
    after = list(store.export_rows())
    assert [r for r in before if r[0].startswith("opensanctions:")] == [r for r in after
                                                                       if r[0].startswith("opensanctions:")]


def test_a_bad_record_aborts_the_whole_sync(store: AliasStore, tmp_path: Path) -> None:
    sync_source(store, "opensanctions", FtmReader(FTM1))
    revision, rows, sources = store.revision(), list(store.export_rows()), list_sources(store)
    lines = FTM2.read_text(encoding="utf-8").splitlines()
    bad = tmp_path / "entities.ftm.json"
    bad.write_text("\n".join([*lines[:5], '{"id": "NK-x", "schema": "Person", "properties": "oops"}', *lines[5:]]),
                   encoding="utf-8")
    with pytest.raises(ImportFailed, match=r"entities.ftm.json:6: the \"properties\" of entity 'NK-x'"):
        sync_source(store, "opensanctions", FtmReader(bad))
    assert (store.revision(), list(store.export_rows()), list_sources(store)) == (revision, rows, sources)


def test_a_record_id_twice_is_refused(store: AliasStore, tmp_path: Path) -> None:
    path = tmp_path / "twice.jsonl"
    first = FTM1.read_text(encoding="utf-8").splitlines()[0]
    path.write_text("\n".join([first, *FTM1.read_text(encoding="utf-8").splitlines()[1:4], first]), encoding="utf-8")
    with pytest.raises(ImportFailed, match=r"twice.jsonl:5: record id 'Q7267896' appears twice"):
        sync_source(store, "os", FtmReader(path), chunk=2)
    assert store.stats()["entities"] == 0
    sync_source(store, "os", FtmReader(FTM1))
    before = list(store.export_rows())
    with pytest.raises(ImportFailed, match=r"twice.jsonl:5: record id 'Q7267896' appears twice"):
        sync_source(store, "os", FtmReader(path), chunk=2)  # unchanged the first time, then again
    assert list(store.export_rows()) == before


def test_a_source_keeps_its_format(store: AliasStore) -> None:
    sync_source(store, "ofac-sdn", OfacReader(OFAC1))
    with pytest.raises(ImportFailed, match="loaded from the ofac format, not ftm"):
        sync_source(store, "ofac-sdn", FtmReader(FTM1))


def test_an_entity_id_taken_by_a_curated_entity_is_refused(store: AliasStore) -> None:
    store.add_entity("Somebody", "person", id="ofac-sdn:25601")
    with pytest.raises(ImportFailed, match=r"sdn\.csv:1: entity id 'ofac-sdn:25601' of record '25601' is already"):
        sync_source(store, "ofac-sdn", OfacReader(OFAC1))


def test_a_schema_2_store_gains_the_source_tables_on_open(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _open(f"sqlite:///{path}").engine.dispose()
    con = sqlite3.connect(path)
    con.executescript("DROP TABLE source_alias; DROP TABLE source_record; DROP TABLE source;"
                      "UPDATE meta SET value = '2' WHERE key = 'schema_version';")
    con.close()
    store = _open(f"sqlite:///{path}")
    assert store.schema_version() == SCHEMA_VERSION
    assert _counts(sync_source(store, "ofac-sdn", OfacReader(OFAC1))) == (6, 0, 0, 0)
    store.engine.dispose()


def test_sync_on_postgresql(pg_url: str) -> None:
    store = _open(pg_url)
    try:
        assert _counts(sync_source(store, "opensanctions", FtmReader(FTM1))) == (8, 0, 0, 0)
        store.add_alias("opensanctions:NK-shahlai", "Shahlaee", source="curated", actor="alice")
        report = sync_source(store, "opensanctions", FtmReader(FTM2))
        assert _counts(report) == (1, 1, 1, 6)
        assert (report.aliases_added, report.aliases_removed, report.kept_entities) == (4, 5, 1)
        assert _texts(store, "opensanctions:NK-shahlai") == {"Shahlaee": "name"}
        assert "Qays al-Khazali" in _texts(store, "opensanctions:Q7267896")
        assert _counts(sync_source(store, "opensanctions", FtmReader(FTM2))) == (0, 0, 0, 8)
        bad = FIXTURES / "ofac_v1" / "alt.csv"  # an alt.csv is not an FtM file: all or nothing
        before = list(store.export_rows())
        with pytest.raises(ImportFailed, match=r"alt\.csv:1:"):
            sync_source(store, "opensanctions", FtmReader(bad))
        assert list(store.export_rows()) == before
    finally:
        store.engine.dispose()


def _index_equals_a_rebuild(store: AliasStore) -> None:
    from tests.test_index import _rebuilt, _state

    assert _state(store.engine) == _rebuilt(store.engine)


def test_syncs_keep_the_index_tables_equal_to_a_rebuild(store: AliasStore) -> None:
    store.add_entity("Qais al-Khazali", "person", id="qais-al-khazali")
    sync_source(store, "opensanctions", FtmReader(FTM1))
    store.add_alias("opensanctions:NK-shahlai", "Shahlaee", source="curated")
    store.merge("qais-al-khazali", "opensanctions:Q7267896")
    sync_source(store, "ofac-sdn", OfacReader(OFAC1))
    sync_source(store, "opensanctions", FtmReader(FTM2))
    sync_source(store, "ofac-sdn", OfacReader(OFAC2))
    _index_equals_a_rebuild(store)


def test_syncs_keep_the_index_on_postgresql(pg_url: str) -> None:
    store = _open(pg_url)
    try:
        sync_source(store, "opensanctions", FtmReader(FTM1))
        sync_source(store, "opensanctions", FtmReader(FTM2))
        _index_equals_a_rebuild(store)
    finally:
        store.engine.dispose()


def test_a_record_that_changes_type_moves_its_words_out_of_the_peoples(store: AliasStore, tmp_path: Path) -> None:
    lines = FTM1.read_text(encoding="utf-8").splitlines()
    sync_source(store, "opensanctions", FtmReader(FTM1))
    retyped = tmp_path / "retyped.jsonl"  # the list now files Qais al-Khazali as an organisation
    retyped.write_text("\n".join([lines[0].replace('"schema": "Person"', '"schema": "Organization"'), *lines[1:]]),
                       encoding="utf-8")
    report = sync_source(store, "opensanctions", FtmReader(retyped))
    assert (report.updated, store.get_entity("opensanctions:Q7267896").type) == (1, "organization")
    _index_equals_a_rebuild(store)


def _generated_ftm(path: Path, count: int, *, bad_at: int | None = None) -> Path:
    given = ["Ahmad", "Ali", "Hasan", "Qais", "Mahdi", "Abbas", "Hadi", "Jafar", "Karim", "Nuri"]
    family = ["al-Khazali", "al-Muhandis", "al-Amiri", "al-Kadhimi", "al-Sadr", "al-Maliki", "al-Ibadi"]
    with path.open("w", encoding="utf-8") as fh:
        for n in range(count):
            name = f"{given[n % 10]} {given[n // 10 % 10]} {family[n % 7]} {n}"
            if n == bad_at:
                name += "\x07"
            record = {"id": f"P{n}", "schema": "Person", "properties": {"name": [name], "alias": [name.upper()]}}
            fh.write(json.dumps(record) + "\n")
    return path


def test_a_key_worker_writes_the_same_store(tmp_path: Path) -> None:
    """With a key worker (chunks of 650 records, 1,300 names each: past the 500 that start it), the
    store holds what computing every key here writes, alias for alias and posting for posting."""
    from tests.test_index import _state

    file = _generated_ftm(tmp_path / "list.jsonl", 1300)
    here, ahead = _open(f"sqlite:///{tmp_path / 'here.db'}"), _open(f"sqlite:///{tmp_path / 'ahead.db'}")
    try:
        assert _counts(sync_source(here, "gen", FtmReader(file), chunk=650)) == (1300, 0, 0, 0)
        assert _counts(sync_source(ahead, "gen", FtmReader(file), chunk=650, workers=1)) == (1300, 0, 0, 0)
        assert list(ahead.export_rows()) == list(here.export_rows())
        assert _state(ahead.engine) == _state(here.engine)
        bad = _generated_ftm(tmp_path / "bad.jsonl", 1300, bad_at=1000)
        with pytest.raises(ImportFailed, match=r"bad\.jsonl:1001:"):
            sync_source(ahead, "gen", FtmReader(bad), chunk=650, workers=1)
        assert list(ahead.export_rows()) == list(here.export_rows())
    finally:
        here.engine.dispose()
        ahead.engine.dispose()
