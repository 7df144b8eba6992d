"""Resolver: seed spellings, hard negatives, unseen variants, acronyms, partial names, outcomes, opening."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import fixture_rows

from resolver import InvalidQuery, MatchStatus, Resolution, Resolver, SchemaMismatch
from resolver.matching.normalize import normalize_name
from resolver.store.build import default_source
from resolver.store.db import SCHEMA_VERSION


def _seed_aliases() -> list[tuple[str, str, str]]:
    data = tomllib.loads(default_source().read_text(encoding="utf-8"))
    return [
        (a["text"], e["id"], a.get("kind", "name"))
        for e in data["entity"]
        for a in e.get("aliases", [])
        if str(a.get("source", "")).startswith("seeds/")
    ]


SEEDS = _seed_aliases()
# Seed spellings that cannot resolve yet, with the reason (empty: every one does).
SEED_BUGS: dict[str, str] = {}
HARD_NEGATIVES = fixture_rows("hard_negatives.csv")
# Hard negatives the matcher still links, with the reason (empty: none).
HARD_NEGATIVE_BUGS = {
    (
        "Ettela'at",
        "iran-ministry-of-intelligence",
    ): "bug: seed alias 'Itla’at' has the same skeleton (TLT) and is the lone candidate, so the bare newspaper "
       "name matches",
}
UNSEEN = fixture_rows("unseen_variants.csv")


@pytest.fixture(scope="module")
def shared(bundle_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Resolver]:
    """A read-only Resolver shared by the lookup tests (a fresh copy per test would be slow)."""
    path = tmp_path_factory.mktemp("resolve") / "aliases.db"
    shutil.copyfile(bundle_template, path)
    r = Resolver.open(str(path))
    yield r
    r.close()


def _params(rows: list[tuple[str, str, str]]) -> list[object]:
    out: list[object] = []
    for text, entity_id, kind in rows:
        marks = [pytest.mark.xfail(strict=True, reason=SEED_BUGS[text])] if text in SEED_BUGS else []
        out.append(pytest.param(text, entity_id, kind, id=f"{entity_id}:{text}", marks=marks))
    return out


def test_there_are_seed_aliases_of_every_kind() -> None:
    assert len(SEEDS) >= 150
    assert {"name", "abbreviation", "misspelling", "handle"} <= {kind for _, _, kind in SEEDS}


@pytest.mark.parametrize(("text", "entity_id", "kind"), _params(SEEDS))
def test_every_seed_spelling_resolves_to_its_entity(shared: Resolver, text: str, entity_id: str, kind: str) -> None:
    res = shared.resolve(text)
    assert res.status is MatchStatus.MATCHED, (res.explanation, [c.to_dict() for c in res.candidates])
    assert res.entity is not None
    assert res.entity.id == entity_id
    assert res.score == 1.0
    assert normalize_name(res.alias or "") == normalize_name(text)


def _negative_params() -> list[object]:
    out: list[object] = []
    for row in HARD_NEGATIVES:
        key = (row["mention"], row["must_not_be"])
        marks = [pytest.mark.xfail(strict=True, reason=HARD_NEGATIVE_BUGS[key])] if key in HARD_NEGATIVE_BUGS else []
        out.append(pytest.param(*key, id=f"{key[0]}!={key[1]}", marks=marks))
    return out


@pytest.mark.parametrize(("mention", "must_not_be"), _negative_params())
def test_hard_negatives_stay_apart(shared: Resolver, mention: str, must_not_be: str) -> None:
    res = shared.resolve(mention)
    linked = res.entity.id if res.entity else None
    assert linked != must_not_be, res.explanation


def test_unseen_variants_are_mostly_matched_and_never_wrongly(shared: Resolver) -> None:
    right, wrong, missed = [], [], []
    for row in UNSEEN:
        res = shared.resolve(row["mention"])
        if res.entity is None:
            missed.append(row["mention"])
        elif res.entity.id == row["expected_id"]:
            right.append(row["mention"])
        else:
            wrong.append(f"{row['mention']!r} -> {res.entity.id} (want {row['expected_id']})")
    share = len(right) / len(UNSEEN)
    # Wrong links are worse than none: not one is allowed.
    assert wrong == []
    assert share >= 0.90, f"{share:.3f} matched; missed: {missed}"


def test_unseen_variants_name_existing_entities(shared: Resolver) -> None:
    ids = set(shared.index.entities)
    assert {r["expected_id"] for r in UNSEEN} <= ids
    assert {r["must_not_be"] for r in HARD_NEGATIVES} <= ids
    assert len(UNSEEN) >= 100


# --- acronyms -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mention", "entity_id"),
    [
        ("AAH", "asaib-ahl-al-haq"),
        ("AAH’s", "asaib-ahl-al-haq"),
        ("AHH", "asaib-ahl-al-haq"),
        ("KH", "kataib-hezbollah"),
        ("IRGC", "islamic-revolutionary-guard-corps"),
        ("IRGC-QF", "quds-force"),
        ("IRGC-QFs", "quds-force"),  # the acronym's plural: its units
        ("US", "united-states"),
        ("U.S.", "united-states"),
        ("PMF", "popular-mobilization-forces"),
    ],
)
def test_acronyms_match_exactly(shared: Resolver, mention: str, entity_id: str) -> None:
    res = shared.resolve(mention)
    assert (res.status, res.entity.id if res.entity else None, res.score) == (MatchStatus.MATCHED, entity_id, 1.0)
    assert "acronym" in res.explanation


@pytest.mark.parametrize("mention", ["aah", "Aah", "kh", "Kh", "pmf", "irgc"])
def test_acronyms_are_case_sensitive(shared: Resolver, mention: str) -> None:
    res = shared.resolve(mention)
    assert res.status is MatchStatus.UNRESOLVED
    assert res.entity is None


@pytest.mark.parametrize("mention", ["AAX", "AAHH", "PMX", "PFM", "IRCG", "IRGX", "KHH", "MOSI", "QFF"])
def test_short_acronyms_are_never_fuzzy_matched(shared: Resolver, mention: str) -> None:
    res = shared.resolve(mention)
    assert res.status is MatchStatus.UNRESOLVED
    assert res.candidates == ()


# --- partial names, type filter, outcomes -----------------------------------------------------------


@pytest.mark.parametrize(("mention", "entity_id"),
                         [(r["mention"], r["expected_id"]) for r in fixture_rows("surnames_alone.csv")])
def test_a_surname_alone_resolves_when_it_points_to_one_person(shared: Resolver, mention: str, entity_id: str) -> None:
    res = shared.resolve(mention)
    assert res.status is MatchStatus.MATCHED
    assert res.entity is not None and res.entity.id == entity_id
    assert "partial name" in res.explanation


@pytest.mark.parametrize("mention", ["Ali", "Mustafa", "Muhammad", "Hussein"])
def test_a_common_given_name_alone_is_nobody(shared: Resolver, mention: str) -> None:
    res = shared.resolve(mention)
    assert res.status is MatchStatus.UNRESOLVED


def test_type_filter(shared: Resolver) -> None:
    anyone = shared.resolve("Sadr")
    assert anyone.entity is not None and anyone.entity.id == "muqtada-al-sadr"
    person = shared.resolve("Sadr", type="person")
    assert person.entity is not None and person.entity.id == "muqtada-al-sadr"
    place = shared.resolve("Sadr", type="place")
    assert place.entity is None or place.entity.id != "muqtada-al-sadr"
    assert all(c.entity.type == "place" for c in place.candidates)
    city = shared.resolve("Sadr City", type="place")
    assert city.entity is not None and city.entity.id == "sadr-city"
    not_a_person = shared.resolve("Sadr City", type="person")
    assert not_a_person.entity is None or not_a_person.entity.id != "sadr-city"
    assert all(c.entity.type == "person" for c in not_a_person.candidates)


@pytest.mark.parametrize("type_", ["robot", "Person", "", "people"])
def test_unknown_type_is_an_invalid_query(shared: Resolver, type_: str) -> None:
    with pytest.raises(InvalidQuery, match="unknown entity type"):
        shared.resolve("Sadr", type=type_)


@pytest.fixture()
def tamimi(resolver: Resolver) -> Resolver:
    """The bundled store plus two persons who share the surname Tamimi and nothing else."""
    resolver.store.add_entity("Faris al-Tamimi", "person", id="faris-al-tamimi")
    resolver.store.add_entity("Rami al-Tamimi", "person", id="rami-al-tamimi")
    return resolver


def test_three_outcomes(tamimi: Resolver) -> None:
    matched = tamimi.resolve("Faris al-Tamimi")
    assert matched.status is MatchStatus.MATCHED
    assert matched.entity is not None and matched.entity.id == "faris-al-tamimi"
    assert (matched.score, matched.alias) == (1.0, "Faris al-Tamimi")

    ambiguous = tamimi.resolve("Tamimi")
    assert ambiguous.status is MatchStatus.AMBIGUOUS
    assert ambiguous.entity is None and ambiguous.alias is None
    assert {c.entity.id for c in ambiguous.candidates} == {"faris-al-tamimi", "rami-al-tamimi"}
    assert all(c.explanation.startswith("partial name") for c in ambiguous.candidates)
    assert ambiguous.score == ambiguous.candidates[0].score
    assert "2 entities are plausible" in ambiguous.explanation

    unresolved = tamimi.resolve("Zzyzx Qwerty")
    assert unresolved.status is MatchStatus.UNRESOLVED
    assert (unresolved.entity, unresolved.alias, unresolved.candidates) == (None, None, ())
    assert unresolved.explanation == "no candidate shares a token with the mention"


def test_every_result_carries_score_alias_explanation_candidates(shared: Resolver) -> None:
    for mention in ["Kadhimi", "Kazemi", "Hezbollah", "Ali", "", "Zzyzx"]:
        res = shared.resolve(mention)
        assert 0.0 <= res.score <= 1.0
        assert res.explanation != ""
        assert isinstance(res.candidates, tuple)
        assert (res.alias is not None) == (res.status is MatchStatus.MATCHED)
        scores = [c.score for c in res.candidates]
        assert scores == sorted(scores, reverse=True)


def test_unresolved_keeps_its_near_misses(shared: Resolver) -> None:
    res = shared.resolve("Hezbollah")
    assert res.status is MatchStatus.UNRESOLVED
    assert res.candidates[0].entity.id == "kataib-hezbollah"
    assert res.explanation == "no alias is close enough"


def test_to_dict_shape(shared: Resolver) -> None:
    d = shared.resolve("Kazemi").to_dict()
    assert list(d) == ["query", "status", "entity", "score", "alias", "explanation", "candidates"]
    assert d["query"] == "Kazemi"
    assert d["status"] == "matched"
    assert d["entity"] == {"id": "mustafa-al-kadhimi", "name": "Mustafa al-Kadhimi", "type": "person"}
    assert d["alias"] == "Kazemi"
    assert d["score"] == 1.0
    assert d["candidates"][0] == {"entity": d["entity"], "score": 1.0, "alias": "Kazemi", "explanation": "exact name"}
    assert json.loads(json.dumps(d, ensure_ascii=False)) == d


def test_to_dict_of_an_unmatched_mention(shared: Resolver) -> None:
    d = shared.resolve("Zzyzx").to_dict()
    assert (d["status"], d["entity"], d["alias"], d["candidates"]) == ("unresolved", None, None, [])


def test_arabic_script_mention(shared: Resolver) -> None:
    res = shared.resolve("مصطفى الكاظمي")
    assert res.entity is not None and res.entity.id == "mustafa-al-kadhimi"
    res = shared.resolve("الكاظمي")
    assert res.entity is not None and res.entity.id == "mustafa-al-kadhimi"


# --- resolve_many and limits ------------------------------------------------------------------------


def test_resolve_many_keeps_order_and_decides_each_distinct_mention_once(shared: Resolver) -> None:
    mentions = ["Kadhimi", "AAH", "Kadhimi", "Zzyzx", "AAH", "Kadhimi"]
    out = shared.resolve_many(mentions)
    assert [r.query for r in out] == mentions
    assert [r.entity.id if r.entity else None for r in out] == [
        "mustafa-al-kadhimi",
        "asaib-ahl-al-haq",
        "mustafa-al-kadhimi",
        None,
        "asaib-ahl-al-haq",
        "mustafa-al-kadhimi",
    ]
    # one decision per distinct mention, shared by its repeats
    assert out[0] is out[2] is out[5]
    assert out[1] is out[4]
    assert out[0] is not out[1]
    assert out == [shared.resolve(m) for m in mentions]


def test_resolve_many_accepts_any_iterable_and_empty(shared: Resolver) -> None:
    assert shared.resolve_many([]) == []
    out = shared.resolve_many(m for m in ("Sadr", "Sadr City"))
    assert [r.entity.id if r.entity else None for r in out] == ["muqtada-al-sadr", "sadr-city"]


def test_resolve_many_checks_every_mention_first(shared: Resolver) -> None:
    with pytest.raises(InvalidQuery, match="limit is 512"):
        shared.resolve_many(["Kadhimi", "x" * 513])


def test_limit(shared: Resolver) -> None:
    assert len(shared.resolve("Khazali").candidates) == 3
    one = shared.resolve("Khazali", limit=1)
    assert [c.entity.id for c in one.candidates] == ["qais-al-khazali"]
    assert one.entity is not None and one.entity.id == "qais-al-khazali"


@pytest.mark.parametrize("limit", [0, -1, 101, True, 2.5, "5"])
def test_bad_limit_is_an_invalid_query(shared: Resolver, limit: object) -> None:
    with pytest.raises(InvalidQuery, match="limit must be an integer from 1 to 100"):
        shared.resolve("Kadhimi", limit=limit)  # type: ignore[arg-type]


def test_mention_length_limit(shared: Resolver) -> None:
    assert shared.resolve("k" * 512).status is MatchStatus.UNRESOLVED
    with pytest.raises(InvalidQuery, match="mention is 513 characters; the limit is 512"):
        shared.resolve("k" * 513)


@pytest.mark.parametrize("mention", [None, 42, b"Kadhimi", ["Kadhimi"]])
def test_a_mention_must_be_a_string(shared: Resolver, mention: object) -> None:
    with pytest.raises(InvalidQuery, match="a mention must be a string"):
        shared.resolve(mention)  # type: ignore[arg-type]


# --- opening a store --------------------------------------------------------------------------------


def _kadhimi(r: Resolver) -> str | None:
    res: Resolution = r.resolve("Kadhimi")
    return res.entity.id if res.entity else None


def test_open_a_path(db_path: Path) -> None:
    r = Resolver.open(str(db_path))
    try:
        assert r.store.engine.url.database == str(db_path)
        assert _kadhimi(r) == "mustafa-al-kadhimi"
    finally:
        r.close()


def test_open_an_sqlalchemy_url(db_path: Path) -> None:
    r = Resolver.open(f"sqlite:///{db_path}")
    try:
        assert r.store.engine.url.database == str(db_path)
        assert _kadhimi(r) == "mustafa-al-kadhimi"
    finally:
        r.close()


def test_a_path_given_to_the_constructor_says_to_use_open(db_path: Path) -> None:
    with pytest.raises(TypeError, match=r"Resolver\.open"):
        Resolver(str(db_path))  # type: ignore[arg-type]


def test_open_reads_resolver_db_from_the_environment(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RESOLVER_DB", str(db_path))
    r = Resolver.open()
    try:
        assert r.store.engine.url.database == str(db_path)
        assert _kadhimi(r) == "mustafa-al-kadhimi"
    finally:
        r.close()


def test_an_explicit_db_beats_the_environment(db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RESOLVER_DB", str(tmp_path / "elsewhere.db"))
    r = Resolver.open(str(db_path))
    try:
        assert r.store.engine.url.database == str(db_path)
    finally:
        r.close()
    assert not (tmp_path / "elsewhere.db").exists()


def test_open_a_pathlib_path(db_path: Path) -> None:
    r = Resolver.open(db_path)  # type: ignore[arg-type]
    try:
        assert _kadhimi(r) == "mustafa-al-kadhimi"
    finally:
        r.close()


def test_opening_a_missing_path_is_refused_without_creating_it(tmp_path: Path) -> None:
    missing = tmp_path / "nope.db"
    with pytest.raises(SchemaMismatch, match=r"no store at .*nope\.db; run `resolver build`"):
        Resolver.open(str(missing))
    assert list(tmp_path.iterdir()) == []


def test_create_makes_an_empty_store(tmp_path: Path) -> None:
    r = Resolver.open(str(tmp_path / "new.db"), create=True)
    try:
        assert r.store.stats()["entities"] == 0
        assert r.resolve("Kadhimi").status is MatchStatus.UNRESOLVED
    finally:
        r.close()


def _not_a_store(path: Path) -> None:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE people (name TEXT)")
    con.execute("INSERT INTO people VALUES ('Kadhimi')")
    con.commit()
    con.close()


def _schema_version(path: Path, version: int) -> None:
    con = sqlite3.connect(path)
    con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(version),))
    con.commit()
    con.close()


def test_a_database_that_is_not_a_store_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    _not_a_store(path)
    with pytest.raises(SchemaMismatch, match="not an alias store"):
        Resolver.open(str(path))
    con = sqlite3.connect(path)
    assert con.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall() == [("people",)]
    con.close()


def test_a_newer_store_is_refused(db_path: Path) -> None:
    _schema_version(db_path, 99)
    expected = f"schema version 99, newer than this resolver's {SCHEMA_VERSION}; upgrade the resolver"
    with pytest.raises(SchemaMismatch, match=expected):
        Resolver.open(str(db_path))
    con = sqlite3.connect(db_path)
    assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == ("99",)
    con.close()


def test_an_older_store_without_a_migration_is_refused(db_path: Path) -> None:
    _schema_version(db_path, 0)
    with pytest.raises(SchemaMismatch, match="no migration from schema version 0; rebuild the store"):
        Resolver.open(str(db_path))


@pytest.mark.parametrize("case", ["newer", "older", "not-a-store"])
def test_a_refused_database_is_left_byte_for_byte_unchanged(db_path: Path, tmp_path: Path, case: str) -> None:
    if case == "not-a-store":
        db_path.unlink()
        _not_a_store(db_path)
    else:
        _schema_version(db_path, 99 if case == "newer" else 0)
    before = db_path.read_bytes()
    with pytest.raises(SchemaMismatch):
        Resolver.open(str(db_path))
    assert db_path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["aliases.db"]


def test_a_file_that_is_not_sqlite_is_refused_with_schema_mismatch(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are my notes, not a database\n" * 200)
    with pytest.raises(SchemaMismatch, match="not a readable database"):
        Resolver.open(str(path))
    assert path.read_bytes() == b"these are my notes, not a database\n" * 200


def test_a_read_only_store_with_old_keys_is_used_without_writing(db_path: Path) -> None:
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE meta SET value = '0' WHERE key = 'keys_version'")
    before = db_path.read_bytes()
    r = Resolver.open(f"sqlite:///file:{db_path}?mode=ro&uri=true")
    try:
        res = r.resolve("Qassem Suleimani")
        assert res.status is MatchStatus.MATCHED
        assert res.entity is not None and res.entity.id == "qasem-soleimani"
    finally:
        r.close()
    assert db_path.read_bytes() == before


def test_answers_do_not_depend_on_the_hash_seed(db_path: Path) -> None:
    """Candidate ties must not be broken by set order, which changes between processes."""
    script = (
        "import json, sys\n"
        "from resolver import Resolver\n"
        "r = Resolver.open(sys.argv[1])\n"
        "names = ['Ahmad Raku', 'Ali Mohammed', 'Hassan al-Sadr', 'Qasim', 'Abu Ali', 'Kataib', 'Hadi']\n"
        "print(json.dumps([r.resolve(n).to_dict() for n in names]))\n"
    )
    outputs = set()
    for seed in ("0", "1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", script, str(db_path)], env=env, capture_output=True,
                              text=True, check=True)
        outputs.add(done.stdout)
    assert len(outputs) == 1


# --- evidence beyond the tokens -------------------------------------------------------------------


def test_a_company_shaped_mention_never_names_a_person(resolver: Resolver) -> None:
    resolver.store.add_entity("Hamzah al-Khalidi", "person", id="hamzah-al-khalidi")
    assert resolver.resolve("Hamzah al-Khalidi").status is MatchStatus.MATCHED
    for mention in ["Khalidi Company", "Al-Khalidi Trading LLC", "KHALIDI SIRKETI"]:
        result = resolver.resolve(mention)
        assert all(c.entity.id != "hamzah-al-khalidi" for c in result.candidates), mention


def test_a_mention_naming_another_country_is_another_body(resolver: Resolver) -> None:
    resolver.store.add_entity("Abu Muhammad al-Masri", "person", id="abu-muhammad-al-masri")
    resolver.store.add_entity("Ministry of Oil (Iraq)", "organization", id="iraq-oil",
                              aliases=["Oil Ministry", "Iraqi Ministry of Oil"])
    assert resolver.resolve("Abu Muhammad al-Iraqi").status is not MatchStatus.MATCHED
    assert resolver.resolve("Iranian Oil Ministry").status is not MatchStatus.MATCHED
    other = resolver.resolve("Iranian Oil Ministry").candidates
    assert all(c.score <= 0.7 and "another country" in c.explanation for c in other if c.entity.id == "iraq-oil")
    # The entity's own country, or none named, is no obstacle.
    for mention in ["Oil Ministry of Iraq", "Baghdad Oil Ministry", "Iraqi Oil Ministry"]:
        result = resolver.resolve(mention)
        assert result.entity is not None and result.entity.id == "iraq-oil", mention


def test_spelling_variants_the_skeleton_separates_still_match(resolver: Resolver) -> None:
    resolver.store.add_entity("Dionicio Loya Plancarte", "person", id="dionicio-loya")
    result = resolver.resolve("Dionisio Loya Plancarte")
    assert result.entity is not None and result.entity.id == "dionicio-loya"
    assert "fuzzy spelling" in result.explanation


def test_a_given_name_the_organisation_lacks_makes_the_mention_a_person(resolver: Resolver) -> None:
    resolver.store.add_entity("Niru Battery Manufacturing Co. Ltd.", "organization", id="niru",
                              aliases=["Niru Co. Ltd."])
    assert resolver.resolve("Niru Company").entity is not None
    result = resolver.resolve("Noor Ahmad")
    assert result.status is not MatchStatus.MATCHED
    assert all("given name" in c.explanation for c in result.candidates if c.entity.id == "niru")
    # A legal form pairs only with a legal form: "Kia" is not "Co.", so "Kia Niru" is another firm.
    assert resolver.resolve("Kia Niru").status is not MatchStatus.MATCHED


PARITY = ["Kazemi", "Asaib Ahl AlHaq", "مصطفى الكاظمي", "Hezbollah", "Kata'ib Hizballah", "Ouds Force", "AAH", "aah",
          "Laith al-Khazali", "Qassem Suleimani", "Soliemani", "Sadr City", "Muqtada al-Sadr",
          "Iranian Interior Ministry", "Khalidi Company", "Ali", "Abu Mahdi al-Muhandis", "Badr Hassoun",
          "PM Kadhimi", "@MAKadhimi", "Hashd"]


def test_postgresql_gives_the_answers_sqlite_gives(resolver: Resolver, pg_bundle_url: str) -> None:
    pg = Resolver.open(pg_bundle_url)
    try:
        assert [r.to_dict() for r in pg.resolve_many(PARITY)] == [r.to_dict() for r in resolver.resolve_many(PARITY)]
        assert [r.to_dict() for r in pg.resolve_many(PARITY, type="person")] == [
            r.to_dict() for r in resolver.resolve_many(PARITY, type="person")]
    finally:
        pg.close()


def test_resolve_many_takes_one_pooled_connection_for_the_batch(db_path: Path) -> None:
    from sqlalchemy import event

    mentions = ["Kadhimi", "Qassem Suleimani", "Asaib Ahl AlHaq", "Teheran", "Nobody Atall", "Badr"]
    one_by_one = Resolver.open(str(db_path))
    alone = [one_by_one.resolve(m).to_dict() for m in mentions]
    one_by_one.close()
    checkouts: list[object] = []
    r = Resolver.open(str(db_path))
    try:
        event.listen(r.store.engine, "checkout", lambda *_: checkouts.append(None))
        together = [res.to_dict() for res in r.resolve_many(mentions)]
    finally:
        r.close()
    # the lookups' nested index sessions lend the batch's connection, itself the one the reader kept
    # since the store was opened
    assert len(checkouts) <= 1
    assert together == alone


def test_lookups_keep_one_connection_and_leave_nothing_open(any_resolver: Resolver) -> None:
    """A lookup's connection stays with the index for the next lookup instead of going back through
    the pool; between lookups it holds no transaction (PostgreSQL) or unfinished statement (SQLite),
    so other writers are not held up and the next lookup reads the store as it is.  A lookup that
    fails gives its connection back to the pool; closing the resolver gives back the ones kept."""
    r = any_resolver
    pool = r.store.engine.pool
    r.resolve("Kadhimi")
    kept = r.index._reader._idle
    first = list(kept)
    for m in ["Qassem Suleimani", "Asaib Ahl AlHaq", "Nobody Atall"]:
        r.resolve(m)
    assert len(first) == 1 and kept == first and pool.checkedout() == 1
    dbapi = kept[0].dbapi_connection
    if r.store.engine.dialect.name == "sqlite":
        assert not dbapi.in_transaction
    else:
        from psycopg.pq import TransactionStatus
        assert dbapi.info.transaction_status == TransactionStatus.IDLE
    with pytest.raises(ZeroDivisionError), r.index.session():
        1 / 0  # noqa: B018
    assert kept == [] and pool.checkedout() == 0
    assert r.resolve("Kadhimi").entity is not None
    assert pool.checkedout() == 1
    # an index dropped without close() (a test's, a caller's) closes the connection it kept
    import gc

    from resolver.matching.index import CandidateIndex
    other = CandidateIndex.open(r.store.engine)
    assert pool.checkedout() == 2
    del other
    gc.collect()
    assert pool.checkedout() == 1
    r.close()
    assert pool.checkedout() == 0


def test_a_british_spelling_of_a_stored_name_resolves(shared: Resolver) -> None:
    # The normaliser writes -isation as -ization, so the British spelling is the stored name, word for word.
    res = shared.resolve("Popular Mobilisation")
    assert (res.status, res.entity.id if res.entity else None) == (MatchStatus.MATCHED, "popular-mobilization-forces")
    assert res.score == shared.resolve("Popular Mobilization").score
