"""The OFAC SDN list as sdn.xml: one test per mapping rule on hand-written files, the same ids and
names as the CSV pair, syncing between versions, and bad XML refused with its line."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from resolver.cli import cli
from resolver.errors import ImportFailed
from resolver.sources.ofac import OfacReader
from resolver.sources.ofac_xml import OfacXmlReader, is_sdn_xml
from resolver.sources.record import SourceRecord
from resolver.sources.sync import list_sources, sync_source
from resolver.store.db import check_schema, make_engine, make_session_factory
from resolver.store.store import AliasStore

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "sources"
XML1, XML2 = FIXTURES / "ofac_v1" / "sdn.xml", FIXTURES / "ofac_v2" / "sdn.xml"


@pytest.fixture(scope="module")
def v1() -> dict[str, SourceRecord]:
    return {r.record_id: r for r in OfacXmlReader(XML1)}


def test_an_individual_is_named_in_reading_order_with_the_listed_spelling_kept(v1: dict[str, SourceRecord]) -> None:
    qais = v1["25601"]
    assert (qais.type, qais.name, qais.number) == ("person", "Qays AL-KHAZALI", 7)
    assert qais.aliases[:2] == (("Qays AL-KHAZALI", "name"), ("AL-KHAZALI, Qays", "name"))
    kinds = dict(qais.aliases)
    assert (kinds["Qais AL-KHAZ'ALI"], kinds["AL-KHAZ'ALI, Qais"], kinds["قيس الخزعلي"]) == ("alias",) * 3


def test_aka_kinds_and_the_weak_category(v1: dict[str, SourceRecord]) -> None:
    assert dict(v1["25603"].aliases)["GRACE 1"] == "former_name"
    nusra = v1["25602"]
    assert (nusra.type, nusra.name, dict(nusra.aliases)["HAY'AT TAHRIR AL-SHAM"]) == (
        "organization", "AL-NUSRAH FRONT", "name")
    shahlai = dict(v1["25605"].aliases)
    assert (shahlai["Hajj YUSEF"], shahlai["YUSEF, Hajj"], shahlai["'Abd al-Reza SHAHLA'I"]) == (
        "weak_alias", "weak_alias", "alias")


def test_identity_documents_become_identifiers_and_the_rest_the_description(v1: dict[str, SourceRecord]) -> None:
    tanker = v1["25603"]
    assert (tanker.type, tanker.external_ids) == ("other", {
        "ofac_ent_num": "25603", "call_sign": "9HA4802", "vessel_registration_identification": "IMO 9116412"})
    assert tanker.description == ("SDN 25603; Vessel; program: IRGC, SDGT; vessel type: Crude Oil Tanker; "
                                  "GRT: 150,000; flag: Iran")
    assert v1["25606"].external_ids == {"ofac_ent_num": "25606", "registration_id": "88836",
                                        "website": "www.tidewaterco.ir"}
    assert v1["25601"].description == ("SDN 25601; Individual; program: SDGT, IRAQ3; DOB 21 Nov 1974; "
                                       "POB Baghdad, Iraq; nationality Iraq")


def test_the_same_parties_and_names_as_the_csv_pair(v1: dict[str, SourceRecord]) -> None:
    csv = {r.record_id: r for r in OfacReader(FIXTURES / "ofac_v1" / "sdn.csv")}
    assert set(csv) == set(v1)
    for rid, record in csv.items():
        assert (v1[rid].type, v1[rid].name) == (record.type, record.name)
        assert {t for t, _ in record.aliases} == {t for t, _ in v1[rid].aliases}


def test_the_publication_date_is_the_imports_date() -> None:
    reader = OfacXmlReader(XML1)
    assert len(list(reader)) == 6
    assert reader.info() == {"file": "sdn.xml", "records_read": 6, "date": "2024-03-14"}
    assert is_sdn_xml(XML1) and not is_sdn_xml(FIXTURES / "ofac_v1" / "sdn.csv")
    assert not is_sdn_xml(FIXTURES / "ofac_v1")


@pytest.mark.parametrize(("change", "message"), [
    (("<uid>25602</uid>", "<uid>x25602</uid>"), r"sdn.xml:53: sdnEntry uid 'x25602' is not a number"),
    (("<sdnType>Vessel</sdnType>", "<sdnType>Submarine</sdnType>"), r"sdn.xml:87: unknown sdnType 'Submarine'"),
    (("<type>f.k.a.</type>", "<type>aka</type>"), r"sdn.xml:87: sdnEntry 25603: an aka needs"),
    (("<lastName>GRACE 1</lastName>", "<lastName>GRACE 1</lastname>"), r"sdn.xml:107: not well-formed XML: mismatch"),
])
def test_a_bad_entry_is_refused_with_its_line(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    bad = tmp_path / "sdn.xml"
    bad.write_text(XML1.read_text(encoding="utf-8").replace(*change), encoding="utf-8")
    with pytest.raises(ImportFailed, match=message):
        list(OfacXmlReader(bad))


def test_two_versions_sync_and_a_csv_source_moves_to_xml(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'sdn.db'}")
    check_schema(engine, create=True)
    store = AliasStore(engine, make_session_factory(engine))
    first = sync_source(store, "ofac-sdn", OfacXmlReader(XML1))
    assert (first.added, first.aliases_added) == (6, 22)
    second = sync_source(store, "ofac-sdn", OfacXmlReader(XML2))
    assert (second.added, second.updated, second.removed, second.unchanged) == (1, 1, 1, 4)
    assert "Qais Hadi AL-KHAZALI" in {a.text for a in store.get_entity("ofac-sdn:25601").aliases}
    assert list_sources(store)[0]["info"]["date"] == "2024-06-01"
    # the same list first loaded from CSV keeps its entities when synced from XML
    engine2 = make_engine(f"sqlite:///{tmp_path / 'moved.db'}")
    check_schema(engine2, create=True)
    moved = AliasStore(engine2, make_session_factory(engine2))
    sync_source(moved, "ofac-sdn", OfacReader(FIXTURES / "ofac_v2" / "sdn.csv"))
    switched = sync_source(moved, "ofac-sdn", OfacXmlReader(XML2))
    assert (switched.added, switched.removed) == (0, 0)
    assert moved.get_entity("ofac-sdn:25607").name == "Laith AL-KHAZALI"
    engine.dispose()
    engine2.dispose()


def test_the_import_command_reads_sdn_xml(tmp_path: Path) -> None:
    db = str(tmp_path / "cli.db")
    result = CliRunner().invoke(cli, ["import", "--format", "ofac", str(XML1), "-q", "--db", db])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ofac-sdn: 6 records: 6 added, 0 updated, 0 removed, 0 unchanged; 22 aliases")
    refused = CliRunner().invoke(cli, ["import", "--format", "ofac", str(XML1), "--alt",
                                       str(FIXTURES / "ofac_v1" / "alt.csv"), "--db", db])
    assert refused.exit_code != 0 and "--alt is for the CSV pair" in refused.output
