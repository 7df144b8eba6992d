"""CSV import and export: all or nothing, idempotent, file:line on every bad row, round trips."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from resolver import ImportFailed, MatchStatus, Resolver
from resolver.store.csvio import HEADER, export_csv, import_csv, read_rows
from resolver.store.store import AliasStore

GOOD = (
    "entity_id,canonical_name,type,alias\n"
    "qais-al-khazali,Qais al-Khazali,person,Qais al-Khazali\n"
    "qais-al-khazali,Qais al-Khazali,person,Khazali\n"
    "qais-al-khazali,Qais al-Khazali,person,قيس الخزعلي\n"
    "asaib-ahl-al-haq,Asa'ib Ahl al-Haq,organization,AAH\n"
    'asaib-ahl-al-haq,Asa\'ib Ahl al-Haq,organization,"League of the Righteous, The"\n'
)


@pytest.fixture()
def resolver_on_empty(tmp_path: Path) -> Iterator[Resolver]:
    r = Resolver.open(str(tmp_path / "store.db"), create=True)
    yield r
    r.close()


@pytest.fixture()
def store(resolver_on_empty: Resolver) -> AliasStore:
    return resolver_on_empty.store


def _import(store: AliasStore, text: str | bytes, source: str = "aliases.csv") -> tuple[int, int, int]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    report = import_csv(store, io.BytesIO(data), source=source)
    return report.rows, report.entities_created, report.aliases_created


def _export(store: AliasStore) -> str:
    out = io.StringIO()
    export_csv(store, out)
    return out.getvalue()


def test_import_creates_entities_and_aliases(store: AliasStore) -> None:
    assert _import(store, GOOD) == (5, 2, 5)
    qais = store.get_entity("qais-al-khazali")
    assert (qais.name, qais.type) == ("Qais al-Khazali", "person")
    assert [a.text for a in qais.aliases] == ["Qais al-Khazali", "Khazali", "قيس الخزعلي"]
    assert {a.source for a in qais.aliases} == {"aliases.csv"}
    aah = store.get_entity("asaib-ahl-al-haq")
    assert [a.text for a in aah.aliases] == ["AAH", "League of the Righteous, The"]
    assert [h.action for h in store.history("qais-al-khazali")] == ["create"]
    assert store.history("qais-al-khazali")[0].actor == "import"


def test_imported_aliases_resolve(resolver_on_empty: Resolver) -> None:
    _import(resolver_on_empty.store, GOOD)
    res = resolver_on_empty.resolve("AAH")
    assert res.status is MatchStatus.MATCHED
    assert res.entity is not None and res.entity.id == "asaib-ahl-al-haq"


def test_reimport_creates_nothing(store: AliasStore) -> None:
    _import(store, GOOD)
    revision, exported = store.revision(), _export(store)
    assert _import(store, GOOD) == (5, 0, 0)
    assert store.revision() == revision
    assert _export(store) == exported


def test_import_adds_only_what_is_new(store: AliasStore) -> None:
    _import(store, GOOD)
    more = GOOD + "qais-al-khazali,Qais al-Khazali,person,Qays al-Khazali\n"
    assert _import(store, more) == (6, 0, 1)
    assert store.stats()["aliases"] == 6


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"], ids=["no-bom", "bom"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_utf8_with_or_without_bom(store: AliasStore, bom: bytes, newline: str) -> None:
    assert _import(store, bom + GOOD.replace("\n", newline).encode("utf-8")) == (5, 2, 5)
    assert [a.text for a in store.get_entity("qais-al-khazali").aliases][-1] == "قيس الخزعلي"


def test_blank_lines_and_padding_are_ignored(store: AliasStore) -> None:
    text = " entity_id , canonical_name,type,alias\n\nx, Foo Bar ,person, F. Bar \n,,,\n"
    assert _import(store, text) == (1, 1, 1)
    assert [a.text for a in store.get_entity("x").aliases] == ["F. Bar"]
    assert store.get_entity("x").name == "Foo Bar"


BAD = [
    # (name, content, line, message)
    ("bad-header", b"id,name,type,alias\nx,X,person,X\n", 1, "bad header 'id,name,type,alias'"),
    ("empty-file", b"", 1, "the file is empty"),
    ("missing-id", b"entity_id,canonical_name,type,alias\nx,X,person,X\n,Y,person,Y\n", 3, "missing entity_id"),
    ("missing-name", b"entity_id,canonical_name,type,alias\nx,X,person,X\ny,,person,Y\n", 3, "missing canonical_name"),
    ("missing-alias", b"entity_id,canonical_name,type,alias\nx,X,person,X\ny,Y,person,  \n", 3, "missing alias"),
    (
        "unknown-type",
        b"entity_id,canonical_name,type,alias\nx,X,person,X\ny,Y,robot,Y\n",
        3,
        "unknown entity type 'robot'",
    ),
    (
        "bad-id",
        b"entity_id,canonical_name,type,alias\nx,X,person,X\nbad id,Y,person,Y\n",
        3,
        "invalid entity id 'bad id'",
    ),
    (
        "inconsistent-name",
        b"entity_id,canonical_name,type,alias\nx,X,person,X\ny,Y,person,Y\nx,Z,person,Z\n",
        4,
        "entity 'x' is 'X' (person) on line 2 but 'Z' (person) here",
    ),
    (
        "inconsistent-type",
        b"entity_id,canonical_name,type,alias\nx,X,person,X\nx,X,place,X2\n",
        3,
        "entity 'x' is 'X' (person) on line 2 but 'X' (place) here",
    ),
    ("invalid-utf8", b"entity_id,canonical_name,type,alias\nx,X,person,X\ny,Q\xffx,person,Y\n", 3, "not valid UTF-8"),
    ("latin-1", "entity_id,canonical_name,type,alias\nx,X,person,X\nx,X,person,Kazém\n".encode("latin-1"), 3, "UTF-8"),
    (
        "ragged-short",
        b"entity_id,canonical_name,type,alias\nx,X,person,X\ny,Y,person\n",
        3,
        "expected 4 fields, found 3",
    ),
    ("ragged-long", b"entity_id,canonical_name,type,alias\nx,X,person,X\ny,Y,person,Y,extra\n", 3, "found 5"),
]


@pytest.mark.parametrize(("content", "line", "message"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_a_bad_file_aborts_with_file_and_line_and_writes_nothing(
    store: AliasStore, content: bytes, line: int, message: str
) -> None:
    _import(store, "entity_id,canonical_name,type,alias\nkeep,Kept,person,Kept\n")
    before, revision = _export(store), store.revision()
    with pytest.raises(ImportFailed) as err:
        _import(store, content, source="bad.csv")
    assert err.value.message.startswith(f"bad.csv:{line}: ")
    assert message in err.value.message
    assert (err.value.source, err.value.line) == ("bad.csv", line)
    assert err.value.code == "import_failed"
    assert _export(store) == before
    assert store.revision() == revision
    # the good rows before the bad one were not written either
    assert [e.id for e in store.list_entities()] == ["keep"]


def test_invalid_utf8_names_the_byte(store: AliasStore) -> None:
    with pytest.raises(ImportFailed, match=r"bad\.csv:3: not valid UTF-8 \(byte 4 of the line\)"):
        _import(store, b"entity_id,canonical_name,type,alias\nx,X,person,X\ny,Q\xffx,person,Y\n", source="bad.csv")


def test_an_unclosed_quote_is_reported_where_the_record_starts(store: AliasStore) -> None:
    content = b'entity_id,canonical_name,type,alias\nx,X,person,X\ny,"Y,person,Y\nz,Z,person,Z\n'
    with pytest.raises(ImportFailed, match=r"^bad\.csv:3: "):
        _import(store, content, source="bad.csv")
    assert store.stats()["entities"] == 0


def test_read_rows_returns_stripped_rows() -> None:
    rows = read_rows(io.BytesIO(GOOD.encode("utf-8")))
    assert rows[0] == ("qais-al-khazali", "Qais al-Khazali", "person", "Qais al-Khazali")
    assert rows[-1] == ("asaib-ahl-al-haq", "Asa'ib Ahl al-Haq", "organization", "League of the Righteous, The")
    assert len(rows) == 5


def test_export_format(store: AliasStore) -> None:
    _import(store, GOOD)
    assert _export(store).splitlines() == [
        ",".join(HEADER),
        "asaib-ahl-al-haq,Asa'ib Ahl al-Haq,organization,AAH",
        'asaib-ahl-al-haq,Asa\'ib Ahl al-Haq,organization,"League of the Righteous, The"',
        "qais-al-khazali,Qais al-Khazali,person,Qais al-Khazali",
        "qais-al-khazali,Qais al-Khazali,person,Khazali",
        "qais-al-khazali,Qais al-Khazali,person,قيس الخزعلي",
    ]
    assert export_csv(store, io.StringIO()) == 5


def test_export_of_an_empty_store_is_the_header(store: AliasStore) -> None:
    assert _export(store) == "entity_id,canonical_name,type,alias\n"


def test_export_leaves_out_absorbed_entities(store: AliasStore) -> None:
    _import(store, GOOD + "qais-dup,Qays Khazali,person,Qays Khazali\n")
    store.merge("qais-al-khazali", "qais-dup")
    lines = _export(store).splitlines()
    assert not any(line.startswith("qais-dup,") for line in lines)
    assert "qais-al-khazali,Qais al-Khazali,person,Qays Khazali" in lines


def test_round_trip_into_a_fresh_store(store: AliasStore, tmp_path: Path) -> None:
    _import(store, GOOD)
    store.add_entity("Sadr City", "place", id="sadr-city", aliases=["مدينة الصدر", "Madinat al-Sadr"])
    store.add_alias("qais-al-khazali", 'Qais "the sheikh" Khazali')
    first = _export(store)
    other = Resolver.open(str(tmp_path / "other.db"), create=True)
    try:
        assert _import(other.store, first) == (9, 3, 9)
        assert _export(other.store) == first
    finally:
        other.close()


def test_round_trip_of_the_bundled_store(resolver: Resolver, tmp_path: Path) -> None:
    bundled = _export(resolver.store)
    assert bundled.count("\n") > 300
    fresh = Resolver.open(str(tmp_path / "copy.db"), create=True)
    try:
        report = import_csv(fresh.store, io.BytesIO(bundled.encode("utf-8")), source="bundle.csv")
        assert report.entities_created == resolver.store.stats()["entities"]
        assert report.aliases_created == resolver.store.stats()["aliases"]
        assert _export(fresh.store) == bundled
    finally:
        fresh.close()
