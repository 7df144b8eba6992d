"""FollowTheMoney entities: one test per mapping rule, on hand-written OpenSanctions-style lines."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from resolver.errors import ImportFailed
from resolver.sources.ftm import FtmReader, map_entity
from resolver.sources.record import SourceRecord

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "sources"


def _map(schema: str, **props: Any) -> SourceRecord | str:
    return map_entity({"id": "x1", "schema": schema, "properties": props}, 1)


def _record(schema: str, **props: Any) -> SourceRecord:
    mapped = _map(schema, **props)
    assert isinstance(mapped, SourceRecord)
    return mapped


@pytest.mark.parametrize(("schema", "type"), [
    ("Person", "person"), ("Organization", "organization"), ("Company", "organization"),
    ("LegalEntity", "organization"), ("PublicBody", "organization"), ("Vessel", "other"), ("Airplane", "other"),
])
def test_schemata_map_to_our_types(schema: str, type: str) -> None:
    assert _record(schema, name=["Kata'ib Hezbollah"]).type == type


@pytest.mark.parametrize("schema", ["Sanction", "Address", "Ownership", "Family", "Passport", "Position"])
def test_other_schemata_are_skipped_by_name(schema: str) -> None:
    assert _map(schema, name=["whatever"]) == schema


def test_name_properties_become_alias_kinds() -> None:
    record = _record("Person", name=["Qais al-Khazali"], alias=["Qays al-Khaz'ali"], previousName=["Qais Hadi"],
                     weakAlias=["Sheikh Qais"])
    assert record.aliases == (("Qais al-Khazali", "name"), ("Qays al-Khaz'ali", "alias"),
                              ("Qais Hadi", "former_name"), ("Sheikh Qais", "weak_alias"))


def test_a_spelling_under_two_properties_keeps_the_first_kind() -> None:
    record = _record("Organization", name=["Hay'at Tahrir al-Sham"], alias=["HTS"], weakAlias=["HTS"])
    assert dict(record.aliases)["HTS"] == "alias"


def test_the_caption_is_the_canonical_name_when_it_is_one_of_the_names() -> None:
    mapped = map_entity({"id": "q", "schema": "Person", "caption": "قيس الخزعلي",
                         "properties": {"name": ["Qais al-Khazali", "قيس الخزعلي"]}})
    assert isinstance(mapped, SourceRecord)
    assert mapped.name == "قيس الخزعلي"
    assert mapped.aliases[0] == ("قيس الخزعلي", "name")


def test_identifiers_become_external_ids_several_values_joined() -> None:
    record = _record("Company", name=["Tidewater Middle East Co."], registrationNumber=["88836", "10101327840"],
                     wikidataId=["Q1"], country=["ir"])
    assert record.external_ids == {"registrationNumber": "88836; 10101327840", "wikidataId": "Q1"}


def test_description_keeps_schema_dates_countries_and_datasets() -> None:
    mapped = map_entity({"id": "q", "schema": "Person", "datasets": ["us_ofac_sdn", "un_sc_sanctions"],
                         "properties": {"name": ["Qais al-Khazali"], "birthDate": ["1974-11-21"],
                                        "nationality": ["iq"]}})
    assert isinstance(mapped, SourceRecord)
    assert mapped.description == ("Person; birthDate: 1974-11-21; nationality: iq; "
                                  "datasets: us_ofac_sdn, un_sc_sanctions")


def test_an_entity_without_a_name_is_skipped_and_counted() -> None:
    assert _map("Person", birthDate=["1980"]) == "Person without a name"


def test_the_reader_counts_what_it_skips_and_keeps_dataset_and_date() -> None:
    reader = FtmReader(FIXTURES / "ftm_v1.jsonl")
    records = list(reader)
    assert [r.record_id for r in records] == ["Q7267896", "NK-hts", "NK-tidewater", "NK-mois", "NK-muhandis",
                                              "NK-adrian", "NK-shahlai", "NK-ka-holding"]
    assert dict(reader.skipped) == {"Sanction": 1, "Address": 1, "Person without a name": 1}
    info = reader.info()
    assert info["date"] == "2024-03-14"
    assert info["datasets"]["us_ofac_sdn"] == 10
    assert records[0].number == 1 and records[1].number == 2


def test_gzipped_files_read_the_same(tmp_path: Path) -> None:
    path = tmp_path / "entities.ftm.json.gz"
    path.write_bytes(gzip.compress((FIXTURES / "ftm_v1.jsonl").read_bytes()))
    seen: list[int] = []
    gz = list(FtmReader(path, progress=seen.append))
    assert gz == list(FtmReader(FIXTURES / "ftm_v1.jsonl"))
    assert sum(seen) == path.stat().st_size


@pytest.mark.parametrize(("line", "message"), [
    ("{not json", "not a JSON object"),
    ('[{"id": "a", "schema": "Person"}]', "a JSON array; expected one FtM entity"),
    ('"just a string"', "a JSON str; expected one FtM entity"),
    ('{"schema": "Person", "properties": {"name": ["A"]}}', 'the entity has no "id"'),
    ('{"id": "a", "properties": {"name": ["A"]}}', "entity 'a' has no \"schema\""),
    ('{"id": "a", "schema": "Person", "properties": {"name": [1]}}', "property 'name' of entity 'a'"),
])
def test_a_bad_line_names_the_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    good = json.dumps({"id": "ok", "schema": "Person", "properties": {"name": ["Ali"]}})
    path.write_text(f"{good}\n\n{line}\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as err:
        list(FtmReader(path))
    assert err.value.line == 3
    assert err.value.message.startswith("bad.jsonl:3: ")
    assert message in err.value.message


def test_bytes_that_are_not_utf8_are_an_error_with_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin.jsonl"
    path.write_bytes(b'{"id": "a", "schema": "Person", "properties": {"name": ["Caf\xe9"]}}\n')
    with pytest.raises(ImportFailed, match=r"latin.jsonl:1: not valid UTF-8"):
        list(FtmReader(path))


def test_every_kind_and_type_a_source_writes_is_one_the_store_knows() -> None:
    from resolver.results import AliasKind, EntityType
    from resolver.sources.ftm import tables
    from resolver.sources.ofac import ALT_KINDS

    assert set(tables().names.values()) | set(ALT_KINDS.values()) <= {k.value for k in AliasKind}
    assert set(tables().types.values()) <= {t.value for t in EntityType}
