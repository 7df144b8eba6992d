"""The README's examples over the shipped files in examples/ are real: their output is what the commands print."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from resolver.cli import cli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _block_after(command: str) -> str:
    """The lines the README shows after ``$ command``, up to the next prompt or the end of the block."""
    match = re.search(re.escape(f"$ {command}\n") + r"(.*?)(?=^\$ |^```)", README, re.S | re.M)
    assert match, f"the README shows no `$ {command}`"
    return match.group(1)


def test_the_shipped_examples_are_the_ones_shown() -> None:
    for name in ("sample.txt", "events.csv"):
        assert _block_after(f"cat examples/{name}") == (ROOT / "examples" / name).read_text(encoding="utf-8")


def test_the_annotate_example_is_real(db_path: Path) -> None:
    result = CliRunner().invoke(cli, ["annotate", str(ROOT / "examples" / "sample.txt"), "--db", str(db_path)])
    assert result.exit_code == 0
    assert result.output == _block_after("resolver annotate examples/sample.txt")


def test_the_normalize_example_is_real(db_path: Path, tmp_path: Path) -> None:
    out, todo = tmp_path / "events.ids.csv", tmp_path / "todo.csv"
    result = CliRunner().invoke(cli, ["normalize", str(ROOT / "examples" / "events.csv"), "-c", "actor", "-c",
                                      "target", "-o", str(out), "--unresolved", str(todo), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().count(b"\r\n") == 6  # CRLF, as the README says
    assert out.read_text(encoding="utf-8").replace("\r\n", "\n") == _block_after("cat events.ids.csv")
    assert todo.read_text(encoding="utf-8").replace("\r\n", "\n") == _block_after("cat todo.csv")
