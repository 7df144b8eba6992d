"""The ``annotate`` command: find and link entity mentions in running text."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from resolver.annotate.annotator import Mention
from resolver.cli import cli, db_option, open_resolver, reports_errors
from resolver.results import MatchStatus


def _read(source: str) -> str:
    # newline="" keeps the text exactly as stored, so offsets index the file's characters.
    if source == "-":
        return sys.stdin.buffer.read().decode("utf-8")
    with Path(source).open(encoding="utf-8", newline="") as handle:
        return handle.read()


def _marked(text: str, mentions: list[Mention]) -> str:
    """The text with each mention wrapped: ``[[Kadhimi|mustafa-al-kadhimi]]``, ``[[Al-Alam|? a, b]]``."""
    out: list[str] = []
    pos = 0
    for m in mentions:
        res = m.resolution
        if res.status is MatchStatus.MATCHED and res.entity is not None:
            label = click.style(f"[[{m.text}|{res.entity.id}]]", fg="green")
        else:
            options = ", ".join(c.entity.id for c in res.candidates[:3])
            label = click.style(f"[[{m.text}|? {options}]]", fg="yellow")
        out.append(text[pos:m.start])
        out.append(label)
        pos = m.end
    out.append(text[pos:])
    return "".join(out)


@cli.command()
@click.argument("source", metavar="[FILE|-]", default="-")
@click.option("--json", "as_json", is_flag=True,
              help='Print {"mentions": [...]} with offsets, surface text and resolution, as POST /annotate does.')
@db_option
@reports_errors
def annotate(source: str, as_json: bool, db: str | None) -> None:
    """Find and link every mention of a known entity in FILE (UTF-8 text; - or nothing: standard input).

    Prints the text with each linked mention marked [[surface|entity-id]] and each ambiguous one
    [[surface|? candidate-ids]]; with --json, the mentions with character offsets into the text.

    \b
    Example:
        echo "PM Kazemi met AAH’s leader Qais al-Khazali." | resolver annotate
    """
    text = _read(source)
    mentions = open_resolver(db).annotate(text)
    if as_json:
        click.echo(json.dumps({"mentions": [m.to_dict() for m in mentions]}, ensure_ascii=False))
    else:
        click.echo(_marked(text, mentions), nl=not text.endswith("\n"))
