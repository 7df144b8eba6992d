"""``resolver annotate``: marked-up text and --json, from a file or standard input."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from resolver.cli import cli

TEXT = "PM Kazemi met AAH’s leader Qais al-Khazali in #Baghdad 👇 and Badr Hassoun.\n"


def test_marks_the_linked_mentions(db_path: Path) -> None:
    result = CliRunner().invoke(cli, ["annotate", "--db", str(db_path)], input=TEXT)
    assert result.exit_code == 0, result.output
    assert result.output == (
        "PM [[Kazemi|mustafa-al-kadhimi]] met [[AAH|asaib-ahl-al-haq]]’s leader "
        "[[Qais al-Khazali|qais-al-khazali]] in [[#Baghdad|baghdad]] 👇 and Badr Hassoun.\n"
    )


def test_json_from_a_file(db_path: Path, tmp_path: Path) -> None:
    source = tmp_path / "article.txt"
    source.write_text(TEXT, encoding="utf-8")
    result = CliRunner().invoke(cli, ["annotate", str(source), "--json", "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    mentions = json.loads(result.output)["mentions"]
    assert [(m["start"], m["end"], m["text"], m["status"], m["entity"]["id"]) for m in mentions] == [
        (3, 9, "Kazemi", "matched", "mustafa-al-kadhimi"),
        (14, 17, "AAH", "matched", "asaib-ahl-al-haq"),
        (27, 42, "Qais al-Khazali", "matched", "qais-al-khazali"),
        (46, 54, "#Baghdad", "matched", "baghdad"),
    ]
    assert all(TEXT[m["start"]:m["end"]] == m["text"] for m in mentions)


def test_ambiguous_mentions_are_marked_with_their_candidates(db_path: Path) -> None:
    runner = CliRunner()
    for name in ("Karim Hassoun", "Salim Hassoun"):
        added = runner.invoke(cli, ["add-entity", name, "--type", "person", "--db", str(db_path)])
        assert added.exit_code == 0, added.output
    result = runner.invoke(cli, ["annotate", "-", "--db", str(db_path)], input="Then Hassoun spoke.")
    assert result.exit_code == 0, result.output
    assert result.output == "Then [[Hassoun|? karim-hassoun, salim-hassoun]] spoke.\n"


def test_missing_file_is_a_clean_error(db_path: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["annotate", str(tmp_path / "nope.txt"), "--db", str(db_path)])
    assert result.exit_code == 1
    assert "nope.txt" in result.output
    assert "Traceback" not in result.output
