"""The OFAC SDN legacy CSV pair: one test per mapping rule, on hand-written sdn.csv/alt.csv files."""

from __future__ import annotations

from pathlib import Path

import pytest

from resolver.errors import ImportFailed
from resolver.sources.ofac import OfacReader, reading_order
from resolver.sources.record import SourceRecord

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "sources"


@pytest.fixture(scope="module")
def v1() -> dict[str, SourceRecord]:
    return {r.record_id: r for r in OfacReader(FIXTURES / "ofac_v1" / "sdn.csv")}


@pytest.mark.parametrize(("listed", "read"), [
    ("AL-KHAZALI, Qays", "Qays AL-KHAZALI"),
    ("AL-IBRAHIMI, Jamal Ja'far Muhammad 'Ali", "Jamal Ja'far Muhammad 'Ali AL-IBRAHIMI"),
    ("SMITH, John, Jr.", "John Jr. SMITH"),
    ("HAY'AT TAHRIR AL-SHAM", "HAY'AT TAHRIR AL-SHAM"),
    ("NASRALLAH,", "NASRALLAH,"),
])
def test_reading_order(listed: str, read: str) -> None:
    assert reading_order(listed) == read


def test_an_individual_is_named_in_reading_order_with_the_listed_spelling_kept(v1: dict[str, SourceRecord]) -> None:
    qais = v1["25601"]
    assert (qais.type, qais.name) == ("person", "Qays AL-KHAZALI")
    assert qais.aliases[:2] == (("Qays AL-KHAZALI", "name"), ("AL-KHAZALI, Qays", "name"))


def test_aka_becomes_alias_also_in_reading_order_and_in_arabic_script(v1: dict[str, SourceRecord]) -> None:
    kinds = dict(v1["25601"].aliases)
    assert kinds["Qais AL-KHAZ'ALI"] == "alias"
    assert kinds["AL-KHAZ'ALI, Qais"] == "alias"
    assert kinds["قيس الخزعلي"] == "alias"


def test_fka_becomes_former_name_and_nka_name(v1: dict[str, SourceRecord]) -> None:
    assert dict(v1["25603"].aliases)["GRACE 1"] == "former_name"
    nusra = v1["25602"]
    assert dict(nusra.aliases)["HAY'AT TAHRIR AL-SHAM"] == "name"
    assert nusra.name == "AL-NUSRAH FRONT"  # the primary name stays canonical; no reordering for entities


def test_entity_vessel_types_ids_and_description(v1: dict[str, SourceRecord]) -> None:
    vessel, nusra = v1["25603"], v1["25602"]
    assert (vessel.type, nusra.type) == ("other", "organization")
    assert vessel.external_ids == {"ofac_ent_num": "25603", "call_sign": "9HA4802"}
    assert vessel.description == ("SDN 25603; vessel; program: IRGC, SDGT; vessel type: Crude Oil Tanker; "
                                  "GRT: 150,000; flag: Iran; Vessel Registration Identification IMO 9116412.")
    assert v1["25601"].description.startswith("SDN 25601; individual; program: SDGT, IRAQ3; DOB 21 Nov 1974")


def test_the_dos_end_of_file_mark_is_not_a_record(v1: dict[str, SourceRecord]) -> None:
    assert sorted(v1) == ["25601", "25602", "25603", "25604", "25605", "25606"]


def _pair(tmp_path: Path, sdn: str, alt: str = "") -> Path:
    (tmp_path / "sdn.csv").write_text(sdn, encoding="utf-8")
    (tmp_path / "alt.csv").write_text(alt, encoding="utf-8")
    return tmp_path / "sdn.csv"


GOOD = '1,"AL-KHAZALI, Qays","individual","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n'


@pytest.mark.parametrize(("sdn", "alt", "where", "message"), [
    (GOOD + '2,"X","individual"\n', "", "sdn.csv:2", "expected 12 fields"),
    (GOOD + 'x,"X","individual","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n', "", "sdn.csv:2", "not a number"),
    (GOOD + '2,-0- ,"individual","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n', "", "sdn.csv:2",
     "missing SDN_Name"),
    (GOOD + '2,"X","robot","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n', "", "sdn.csv:2", "unknown SDN_Type"),
    (GOOD, '1,10,"aka","X",-0- \n1,11,"bka","Y",-0- \n', "alt.csv:2", "unknown alt_type 'bka'"),
])
def test_a_bad_row_names_the_file_and_line(tmp_path: Path, sdn: str, alt: str, where: str, message: str) -> None:
    with pytest.raises(ImportFailed) as err:
        list(OfacReader(_pair(tmp_path, sdn, alt)))
    assert err.value.message.startswith(where + ": ")
    assert message in err.value.message


def test_alt_csv_is_required_and_may_be_named(tmp_path: Path) -> None:
    (tmp_path / "sdn.csv").write_text(GOOD, encoding="utf-8")
    with pytest.raises(ImportFailed, match=r"no alt\.csv beside sdn\.csv"):
        list(OfacReader(tmp_path / "sdn.csv"))
    other = tmp_path / "ALT.CSV"
    other.write_text('1,10,"fka","AL-KHAZALI, Qais",-0- \n', encoding="utf-8")
    (record,) = OfacReader(tmp_path / "sdn.csv", other)
    assert dict(record.aliases)["Qais AL-KHAZALI"] == "former_name"


def test_windows_1252_lines_are_read(tmp_path: Path) -> None:
    path = _pair(tmp_path, "")
    path.write_bytes('1,"CAFÉ NOIR","-0- ","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n'.encode("cp1252"))
    (record,) = OfacReader(path)
    assert record.name == "CAFÉ NOIR"


def test_alt_names_of_no_listed_party_are_counted(tmp_path: Path) -> None:
    reader = OfacReader(_pair(tmp_path, GOOD, '1,10,"aka","A",-0- \n9,11,"aka","B",-0- \n'))
    assert len(list(reader)) == 1
    assert dict(reader.skipped) == {"alt.csv names of no sdn.csv entry": 1}
