"""Commands over external lists: the ftm/ofac formats of ``resolver import``, ``sources`` and ``xref``."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import click
from tqdm import tqdm

from resolver.cli import cli, db_option, open_resolver, reports_errors
from resolver.cli.staging import staged
from resolver.settings import load_settings
from resolver.sources.ftm import FtmReader
from resolver.sources.merge_queue import MergeQueue
from resolver.sources.ofac import OfacReader
from resolver.sources.ofac_xml import OfacXmlReader, is_sdn_xml
from resolver.sources.record import check_source_name
from resolver.sources.sync import sync_source
from resolver.sources.xref import write_xref, xref
from resolver.store.db import check_schema, make_engine, make_session_factory
from resolver.store.store import AliasStore

__all__ = ["import_source", "open_store"]

#: the source name a format gets when --source is not given (only OFAC's list has one obvious name)
DEFAULT_NAMES = {"ofac": "ofac-sdn"}


def open_store(db: str | None, *, create: bool = False) -> AliasStore:
    """The store named on the command line, without building a matching index (imports need none)."""
    settings = load_settings()
    if db:
        settings = replace(settings, db=db)
    engine = make_engine(settings.db_url())
    check_schema(engine, create=create)
    store = AliasStore(engine, make_session_factory(engine))
    store.rekey_if_needed()
    return store


def import_source(file: Path, fmt: str, *, source: str | None, date: str | None, alt: Path | None,
                  quiet: bool, db: str | None, workers: int = 0) -> None:
    """Sync FILE as the source named SOURCE (the ftm and ofac formats of ``resolver import``)."""
    name = source or DEFAULT_NAMES.get(fmt)
    if name is None:
        raise click.UsageError(f"--format {fmt} needs --source NAME (the list's name, the same for every export)")
    check_source_name(name)
    size = file.stat().st_size if file.is_file() else (file / "sdn.csv").stat().st_size
    bar = tqdm(total=size, unit="B", unit_scale=True, desc=name, disable=quiet or not sys.stderr.isatty(),
               file=sys.stderr)
    reader: Any
    if fmt == "ftm":
        reader = FtmReader(file, progress=bar.update)
    elif is_sdn_xml(file):
        if alt is not None:
            raise click.UsageError("--alt is for the CSV pair; sdn.xml holds the other names itself")
        reader = OfacXmlReader(file, progress=bar.update)
    else:
        reader = OfacReader(file, alt, progress=bar.update)
    store = open_store(db, create=True)
    try:
        report = sync_source(store, name, reader, info={"date": date} if date else None, workers=workers)
    finally:
        bar.close()
        store.engine.dispose()
    click.echo(report.summary())


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the sources as JSON.")
@db_option
@reports_errors
def sources(as_json: bool, db: str | None) -> None:
    """List the external lists loaded into the store, with their last import."""
    from resolver.sources.sync import list_sources

    store = open_store(db)
    rows = list_sources(store)
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for row in rows:
        info = row["info"]
        counts = info.get("counts", {})
        click.echo(f"{row['name']:<20} {row['format']:<5} {row['records']:>9,} records  "
                   f"date {info.get('date') or '-'}  imported {row['imported_at']}  "
                   f"(last sync: {counts.get('added', 0):,} added, {counts.get('updated', 0):,} updated, "
                   f"{counts.get('removed', 0):,} removed)")


@cli.command("xref")
@click.option("--source", "sources_", multiple=True,
              help="Only propose merges for entities of this source (repeatable; default: every source).")
@click.option("--min-score", type=click.FloatRange(0.5, 1.0), default=None,
              help="Lowest score proposed (default: the match threshold, RESOLVER_MATCH_THRESHOLD).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default=None,
              help="CSV to write (default: standard output, unless --queue); it appears whole or not at all.")
@click.option("--queue", is_flag=True,
              help="Also put the proposals in the store's review queue (the /review/merges page): new pairs "
                   "open, open ones refreshed, decided ones left alone.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@db_option
@reports_errors
def xref_(sources_: tuple[str, ...], min_score: float | None, output: str | None, queue: bool, quiet: bool,
          db: str | None) -> None:
    """Propose merges between entities of different sources (and the curated ones), as CSV or into
    the review queue.

    Each entity's names are resolved against the store; an entity of another source (or a curated
    one) of the same type scoring at least --min-score is proposed, best pair first, with the names
    that matched, the rule, and the identifiers the two share.  Nothing is merged: a curator
    decides, on the review pages (with --queue) or with `resolver merge`.
    """
    for s in sources_:
        check_source_name(s)
    resolver = open_resolver(db)
    bar = tqdm(unit=" entities", disable=quiet or not sys.stderr.isatty(), file=sys.stderr)
    try:
        pairs = xref(resolver, sources=sources_ or None, min_score=min_score, progress=bar.update)
    finally:
        bar.close()
    if output is not None or not queue:
        with staged(output or "-") as (out,):
            assert out is not None
            write_xref(pairs, out.text)
    click.echo(f"{len(pairs)} merge proposals", err=True)
    if queue:
        click.echo(MergeQueue(resolver.store).record(pairs).summary(), err=True)
