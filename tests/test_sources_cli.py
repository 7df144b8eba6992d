"""`resolver import --format ftm|ofac`, `resolver sources` and `resolver xref` as a user runs them."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from click.testing import CliRunner, Result

from resolver.cli import cli

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "sources"


def run(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=True)
    assert "Traceback" not in result.output
    return result


def test_import_sync_list_and_xref(tmp_path: Path) -> None:
    db = str(tmp_path / "lists.db")
    first = run("import", "--format", "ofac", str(FIXTURES / "ofac_v1" / "sdn.csv"), "--db", db)
    assert first.exit_code == 0, first.output
    assert first.output.startswith("ofac-sdn: 6 records: 6 added, 0 updated, 0 removed, 0 unchanged; "
                                   "22 aliases added, 0 removed (")
    second = run("import", "--format", "ofac", str(FIXTURES / "ofac_v2"), "--db", db, "--date", "2024-06-01")
    assert second.output.startswith("ofac-sdn: 6 records: 1 added, 1 updated, 1 removed, 4 unchanged; ")
    ftm = run("import", "--format", "ftm", str(FIXTURES / "ftm_v1.jsonl"), "--source", "opensanctions", "--db", db)
    assert ftm.exit_code == 0, ftm.output
    assert ftm.output.splitlines()[1] == "skipped: Address 1, Person without a name 1, Sanction 1"
    listed = json.loads(run("sources", "--json", "--db", db).output)
    assert [(s["name"], s["format"], s["records"], s["info"]["date"]) for s in listed] == [
        ("ofac-sdn", "ofac", 6, "2024-06-01"), ("opensanctions", "ftm", 8, "2024-03-14")]
    out = tmp_path / "proposals.csv"
    xref = run("xref", "--source", "ofac-sdn", "-o", str(out), "--db", db)
    assert xref.exit_code == 0, xref.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert ("ofac-sdn:25601", "opensanctions:Q7267896") in {(r["left_id"], r["right_id"]) for r in rows}
    assert xref.output.strip().endswith(f"{len(rows)} merge proposals")


def test_errors_are_one_line_and_leave_the_store_alone(tmp_path: Path) -> None:
    db = str(tmp_path / "lists.db")
    missing = run("import", "--format", "ftm", str(FIXTURES / "ftm_v1.jsonl"), "--db", db)
    assert missing.exit_code == 2 and "--format ftm needs --source NAME" in missing.output
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "schema": "Person", "properties": {"name": ["Ali"]}}\n{"id": \n', encoding="utf-8")
    result = run("import", "--format", "ftm", str(bad), "--source", "os", "--db", db)
    assert result.exit_code == 1
    assert result.output.startswith("Error: bad.jsonl:2: not a JSON object")
    assert json.loads(run("stats", "--json", "--db", db).output)["entities"] == 0
    named = run("import", "--format", "ftm", str(bad), "--source", "Open Sanctions", "--db", db)
    assert named.exit_code == 1 and "invalid source name 'Open Sanctions'" in named.output


def test_source_options_belong_to_the_list_formats(tmp_path: Path) -> None:
    csv_file = tmp_path / "x.csv"
    csv_file.write_text("entity_id,canonical_name,type,alias\n", encoding="utf-8")
    result = run("import", str(csv_file), "--source", "x", "--db", str(tmp_path / "s.db"))
    assert result.exit_code == 2 and "apply to --format ftm and ofac only" in result.output
