"""Bulk import in batches: the same store as the same rows written one by one, all or nothing across batches.

The batch size is made tiny here so that a few dozen rows cross many batch boundaries (an entity's
rows split between batches, an entity coming back after others, a batch of nothing new), and
one test computes the keys in a worker process as ``resolver import`` does.
"""

from __future__ import annotations

import io
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, event, text

import resolver.store.store as store_module
import resolver.store.writes as writes_module
from resolver import ImportFailed, Resolver, workers
from resolver.store.csvio import import_csv, import_rows
from resolver.store.postings import reindex
from tests.conftest import _pg_database

ROWS = [
    # (entity id, canonical name, type, alias): each entity's first row is its canonical name
    ("tamimi-1", "Muhammad Hassan al-Tamimi", "person", "Muhammad Hassan al-Tamimi"),
    ("tamimi-1", "Muhammad Hassan al-Tamimi", "person", "Abu Hassan al-Tamimi"),
    ("tamimi-1", "Muhammad Hassan al-Tamimi", "person", "Mohammed Hasan Tamimi"),
    ("tamimi-1", "Muhammad Hassan al-Tamimi", "person", "TAMIMI, Muhammad"),
    ("tamimi-2", "Ali Hassan al-Tamimi", "person", "Ali Hassan al-Tamimi"),
    ("kataib", "Kata'ib Hizballah", "organization", "Kata'ib Hizballah"),
    ("kataib", "Kata'ib Hizballah", "organization", "KH"),
    ("tamimi-2", "Ali Hassan al-Tamimi", "person", "Tamimi"),  # an entity back after another
    ("tamimi-2", "Ali Hassan al-Tamimi", "person", "Ali Hassan al-Tamimi"),  # a repeat: skipped
    ("kataib", "Kata'ib Hizballah", "organization", "كتائب حزب الله"),
    ("kataib", "Kata'ib Hizballah", "organization", "Hezbollah Brigades"),
    ("basra", "Basra", "place", "Basra"),
    ("basra", "Basra", "place", "Basrah"),
    ("basra", "Basra", "place", "البصرة"),
    ("tamimi-1", "Muhammad Hassan al-Tamimi", "person", "Abu Zaid"),
    ("zaid", "Zaid Hassan", "person", "Zaid Hassan"),
]


def _contents(engine: Engine) -> tuple[list[tuple[object, ...]], ...]:
    """Entities, aliases, history and the index tables as comparable rows (ids left out: two stores
    built differently may number them differently; everything they stand for is compared)."""
    with engine.connect() as conn:
        def rows(sql: str) -> list[tuple[object, ...]]:
            return sorted(tuple(r) for r in conn.execute(text(sql)))

        return (
            rows("SELECT id, name, type, description, external_ids, redirect_to FROM entity"),
            rows("SELECT entity_id, text, normalized, keys, flat, acronym, script, kind FROM alias"),
            rows("SELECT key, loose, df, n, people FROM ix_token"),
            rows("SELECT t.key, p.size, a.entity_id, a.text FROM ix_posting p JOIN ix_token t ON t.id = p.token_id "
                 "JOIN alias a ON a.id = p.alias_id"),
            rows("SELECT v.variant, t.key FROM ix_near v JOIN ix_token t ON t.id = v.token_id"),
            rows("SELECT key, value FROM meta WHERE key = 'entity_count'"),
        )


def _one_by_one(r: Resolver) -> None:
    seen: set[str] = set()
    for entity_id, name, type_, alias in ROWS:
        if entity_id not in seen:
            seen.add(entity_id)
            r.store.add_entity(name, type_, id=entity_id)
        elif alias not in {a.text for a in r.store.get_entity(entity_id).aliases}:
            r.store.add_alias(entity_id, alias)


@pytest.fixture(params=["sqlite", "postgresql"])
def two_stores(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Resolver, Resolver]]:
    """Two empty stores on one backend."""
    if request.param == "sqlite":
        urls = [str(tmp_path / "bulk.db"), str(tmp_path / "single.db")]
    else:
        urls = [request.getfixturevalue("pg_url"), request.getfixturevalue("pg_url_2")]
    stores = [Resolver.open(u, create=True) for u in urls]
    yield stores[0], stores[1]
    for r in stores:
        r.close()


@pytest.fixture()
def pg_url_2(pg_url: str) -> Iterator[str]:
    """A second fresh PostgreSQL database (the ``pg_url`` fixture gives one per test)."""
    with _pg_database("resolver_test") as (_, url):
        yield url


@pytest.mark.parametrize("batch", [3, 5, 1000])
def test_a_bulk_import_writes_what_one_by_one_writes(two_stores: tuple[Resolver, Resolver], batch: int,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    bulk, single = two_stores
    monkeypatch.setattr(writes_module, "BATCH", batch)
    report = import_rows(bulk.store, ROWS, source="", actor="python")
    _one_by_one(single)
    assert (report.rows, report.entities_created, report.aliases_created) == (len(ROWS), 5, len(ROWS) - 1)
    assert _contents(bulk.store.engine) == _contents(single.store.engine)
    before = _contents(bulk.store.engine)
    with bulk.store.engine.begin() as conn:
        reindex(conn)
    assert _contents(bulk.store.engine) == before  # and both equal a rebuild of the index


def test_importing_into_a_store_that_has_the_entities_adds_only_the_new_aliases(
        two_stores: tuple[Resolver, Resolver], monkeypatch: pytest.MonkeyPatch) -> None:
    bulk, single = two_stores
    monkeypatch.setattr(writes_module, "BATCH", 4)
    import_rows(bulk.store, ROWS[:6], source="", actor="python")
    revision = bulk.store.revision()
    report = import_rows(bulk.store, ROWS, source="", actor="python")
    assert (report.entities_created, report.aliases_created) == (2, len(ROWS) - 1 - 6)
    assert bulk.store.revision() == revision + 1
    _one_by_one(single)
    assert _contents(bulk.store.engine) == _contents(single.store.engine)
    assert import_rows(bulk.store, ROWS, source="").aliases_created == 0
    assert bulk.store.revision() == revision + 1  # a re-import changes nothing, the revision included


def test_an_update_that_changes_types_keeps_the_counts_equal_to_a_rebuild(
        two_stores: tuple[Resolver, Resolver], monkeypatch: pytest.MonkeyPatch) -> None:
    r, _ = two_stores
    monkeypatch.setattr(writes_module, "BATCH", 4)
    import_rows(r.store, ROWS, source="")
    changed = [(e, n, "person" if e == "kataib" else "organization" if e == "tamimi-2" else t, a)
               for e, n, t, a in ROWS if e in ("kataib", "tamimi-2")]
    report = import_rows(r.store, [*changed, ("kataib", "Kata'ib Hizballah", "person", "Hassan Kataib")],
                         source="", update=True)
    assert (report.entities_updated, report.aliases_created) == (2, 1)
    assert r.store.get_entity("kataib").type == "person"
    after = _contents(r.store.engine)
    with r.store.engine.begin() as conn:
        reindex(conn)
    assert _contents(r.store.engine) == after


def _csv(rows: list[tuple[str, str, str, str]]) -> bytes:
    lines = ["entity_id,canonical_name,type,alias"] + [",".join(f'"{f}"' for f in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_keys_computed_by_a_worker_process_are_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(writes_module, "BATCH", 4)
    stores = [Resolver.open(str(tmp_path / f"{n}.db"), create=True) for n in ("here", "worker")]
    try:
        for r, workers in zip(stores, (0, 1), strict=True):
            import_csv(r.store, io.BytesIO(_csv(ROWS)), source="f.csv", workers=workers)
        assert _contents(stores[0].store.engine) == _contents(stores[1].store.engine)
    finally:
        for r in stores:
            r.close()


def test_a_bad_row_after_many_batches_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(writes_module, "BATCH", 3)
    r = Resolver.open(str(tmp_path / "s.db"), create=True)
    try:
        import_csv(r.store, io.BytesIO(_csv(ROWS[:2])), source="first.csv")
        before = _contents(r.store.engine), r.store.revision()
        bad = [*ROWS, ("basra", "Basra", "organization", "Basora")]  # the entity's type changes on the last line
        with pytest.raises(ImportFailed, match=r"^bad\.csv:18: entity 'basra' is 'Basra' \(place\) on line 13"):
            import_csv(r.store, io.BytesIO(_csv(bad)), source="bad.csv", workers=1)
        assert (_contents(r.store.engine), r.store.revision()) == before
        # tamimi-1 is in the store already, under another name: refused at its first line, in the second batch
        conflict = [*ROWS[11:14], ROWS[15], ("tamimi-1", "M. H. al-Tamimi", "person", "MH Tamimi")]
        with pytest.raises(ImportFailed, match=r"^bad\.csv:6: entity 'tamimi-1' is 'Muhammad Hassan al-Tamimi' "
                                               r"\(person\) in the store but 'M\. H\. al-Tamimi' \(person\) here"):
            import_csv(r.store, io.BytesIO(_csv(conflict)), source="bad.csv")
        assert (_contents(r.store.engine), r.store.revision()) == before
    finally:
        r.close()


def test_re_keying_a_store_in_batches_gives_the_store_a_fresh_load_writes(
        two_stores: tuple[Resolver, Resolver], monkeypatch: pytest.MonkeyPatch) -> None:
    """Keys written by another normaliser are recomputed a few aliases at a time (the batch made
    tiny here), and the index tables rebuilt from them: the same rows as a store loaded fresh."""
    stale, fresh = two_stores
    import_rows(stale.store, ROWS, source="", actor="python")
    import_rows(fresh.store, ROWS, source="", actor="python")
    with stale.store.engine.begin() as conn:
        conn.execute(text("UPDATE alias SET normalized = 'x', keys = 'X', flat = 'X', acronym = '', script = 'x'"))
        reindex(conn)  # an index that agrees with the stale keys
        conn.execute(text("UPDATE meta SET value = '0' WHERE key = 'keys_version'"))
    assert _contents(stale.store.engine) != _contents(fresh.store.engine)
    monkeypatch.setattr(store_module, "_REKEY_BATCH", 3)
    assert stale.store.rekey_if_needed() is True
    assert stale.store.keys_current() and stale.store.rekey_if_needed() is False
    assert _contents(stale.store.engine) == _contents(fresh.store.engine)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_ctrl_c_that_a_finaliser_swallowed_still_stops_an_import(
        two_stores: tuple[Resolver, Resolver], monkeypatch: pytest.MonkeyPatch) -> None:
    """Python runs a signal's handler inside whatever Python code runs next, a ``__del__`` too, where
    its KeyboardInterrupt is printed and swallowed.  With the command line's handlers installed, the
    import still stops at its next batch and writes nothing."""
    r, _ = two_stores
    before = (r.store.stats(), r.store.revision())
    monkeypatch.setattr(writes_module, "BATCH", 3)
    monkeypatch.setattr(workers, "_STOPS", [])
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}

    class CtrlCWhileFinalising:
        def __del__(self) -> None:
            signal.raise_signal(signal.SIGINT)
            sum(range(10))  # the handler runs here, and its exception goes no further than this method

    def rows() -> Iterator[tuple[str, str, str, str]]:
        for k, row in enumerate(ROWS):
            if k == 4:
                CtrlCWhileFinalising()  # made and dropped at once
            yield row

    workers.install_stop_handlers()  # as the resolver command does
    try:
        with pytest.raises(KeyboardInterrupt):
            import_rows(r.store, rows(), source="", actor="python")
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    assert (r.store.stats(), r.store.revision()) == before


def test_a_stop_signal_inside_a_statement_stops_the_import_with_its_exit_status(
        two_stores: tuple[Resolver, Resolver], monkeypatch: pytest.MonkeyPatch) -> None:
    """SIGTERM handled while SQLAlchemy runs a statement: SQLAlchemy closes (invalidates) the
    connection on the way out, and the import ends with the signal's exit status, not with a
    traceback of a clean-up statement sent to the closed connection (a flaky CLI test found it)."""
    r, _ = two_stores
    before = (r.store.stats(), r.store.revision())
    monkeypatch.setattr(writes_module, "BATCH", 3)
    monkeypatch.setattr(workers, "_STOPS", [])
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    statements = 0

    def term_on_the_third_statement(*_: object) -> None:
        nonlocal statements
        statements += 1
        if statements == 3:
            signal.raise_signal(signal.SIGTERM)
            sum(range(10))  # the handler's SystemExit is raised here, inside the statement

    event.listen(r.store.engine, "before_cursor_execute", term_on_the_third_statement)
    workers.install_stop_handlers()  # as the resolver command does
    try:
        with pytest.raises(SystemExit) as stopped:
            import_rows(r.store, ROWS, source="", actor="python")
    finally:
        event.remove(r.store.engine, "before_cursor_execute", term_on_the_third_statement)
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    assert stopped.value.code == 128 + signal.SIGTERM
    assert statements >= 3
    assert (r.store.stats(), r.store.revision()) == before
