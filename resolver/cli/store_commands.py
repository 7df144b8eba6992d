"""Commands over the store: resolve, import, export, add-entity, add-alias, merge, stats, build, migrate."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click
from sqlalchemy import make_url

from resolver.cli import cli, db_option, open_resolver, reports_errors
from resolver.cli.staging import staged
from resolver.errors import SchemaMismatch
from resolver.results import AliasKind, EntityType, MatchStatus, Resolution
from resolver.settings import default_db_path, load_settings
from resolver.store.build import build_bundle, default_source
from resolver.store.csvio import check_file, export_csv, import_csv
from resolver.store.db import SCHEMA_VERSION, check_schema, make_engine, make_session_factory, sqlite_path
from resolver.store.store import AliasStore

_TYPES = click.Choice([t.value for t in EntityType])
_KINDS = click.Choice([k.value for k in AliasKind])
_STATUS_COLOUR = {MatchStatus.MATCHED: "green", MatchStatus.AMBIGUOUS: "yellow", MatchStatus.UNRESOLVED: "red"}


def _line(res: Resolution, width: int) -> str:
    status = click.style(f"{res.status.value:<11}", fg=_STATUS_COLOUR[res.status])
    pad = " " * max(width - len(res.query), 0)
    if res.entity is not None:
        return (f"{res.query}{pad}  {status} {res.entity.type:<13} {res.entity.name:<24} "
                f"{res.score:.2f}  {res.entity.id}  ({res.explanation})")
    names = ", ".join(f"{c.entity.name} {c.score:.2f}" for c in res.candidates[:3])
    detail = f"candidates: {names}" if names else res.explanation
    return f"{res.query}{pad}  {status} {'':<13} {'':<24} {res.score:.2f}  ({detail})"


@cli.command()
@click.argument("mentions", nargs=-1)
@click.option("--type", "type_", type=_TYPES, default=None, help="Only consider entities of this type.")
@click.option("--limit", type=click.IntRange(1, 100), default=5, show_default=True, help="Candidates to list.")
@click.option("--json", "as_json", is_flag=True, help="Print the resolutions as JSON (one object per line).")
@db_option
@reports_errors
def resolve(mentions: tuple[str, ...], type_: str | None, limit: int, as_json: bool, db: str | None) -> None:
    """Resolve each MENTION to an entity; with no MENTION, read one per line from standard input.

    \b
    Example:
        resolver resolve "Kazemi" "Asaib Ahl AlHaq" "مصطفى الكاظمي"
    """
    resolver = open_resolver(db)
    interactive = not mentions
    if interactive and sys.stdin.isatty():
        click.echo("Type a name per line; Ctrl-D to quit.", err=True)
    source = mentions or (line.rstrip("\n") for line in sys.stdin)
    width = max((len(m) for m in mentions), default=0)
    for mention in source:
        if interactive and not mention.strip():
            continue
        res = resolver.resolve(mention, type=type_, limit=limit)
        if as_json:
            click.echo(json.dumps(res.to_dict(), ensure_ascii=False))
        else:
            click.echo(_line(res, width))


@cli.command("import")
@click.argument("file", type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["csv", "ftm", "ofac"]), default="csv", show_default=True,
              help="csv: our four columns; ftm: FollowTheMoney JSON lines (.gz too); ofac: SDN sdn.csv + alt.csv, "
                   "or sdn.xml.")
@click.option("--source", default=None, help="ftm/ofac: the list's name, the same for each export (ofac: ofac-sdn).")
@click.option("--date", default=None, help="ftm/ofac: the export's date, kept as provenance.")
@click.option("--alt", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="ofac: alt.csv (default: beside FILE).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@click.option("--update", is_flag=True,
              help="csv: let the file change the name or type of entities the store already has.")
@click.option("--workers", type=click.IntRange(min=0), default=None,
              help="processes computing the matching keys while this one writes (default: 1 with 2+ CPUs, "
                   "else 0; a csv file of under 20,000 rows, or a list chunk of under 500 names, starts none).")
@db_option
@reports_errors
def import_(file: Path, fmt: str, source: str | None, date: str | None, alt: Path | None, quiet: bool,
            update: bool, workers: int | None, db: str | None) -> None:
    """Load FILE.csv (header entity_id,canonical_name,type,alias) into the store, all or nothing.

    Creates the store and the entities as needed; importing the same file again changes nothing.
    A bad row aborts with the file and line, and nothing is written.  So does a row that gives an
    existing entity another name or type, unless --update is given.

    With --format ftm or ofac, FILE is an export of a published list, synced as the source
    --source: what is new is added, what changed is updated, what the list dropped is removed,
    in one transaction, leaving curated aliases and merges alone.
    """
    if workers is None:
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        workers = 1 if cpus >= 2 else 0
    if fmt != "csv":
        from resolver.cli.sources import import_source

        import_source(file, fmt, source=source, date=date, alt=alt, quiet=quiet, db=db, workers=workers)
        return
    if source or date or alt:
        raise click.UsageError("--source, --date and --alt apply to --format ftm and ofac only")
    if file.is_dir():
        raise click.BadParameter(f"{file} is a directory", param_hint="FILE")
    try:
        resolver = open_resolver(db, judging=False)
    except SchemaMismatch:
        # No store yet (or not a usable one): check every row before creating anything.
        with file.open("rb") as handle:
            check_file(handle, source=file.name)
        resolver = open_resolver(db, create=True, judging=False)
    with file.open("rb") as handle:
        report = import_csv(resolver.store, handle, source=file.name, update=update, workers=workers)
    updated = f", {report.entities_updated} entities updated" if update else ""
    click.echo(f"{file}: {report.rows} rows, {report.entities_created} entities and "
               f"{report.aliases_created} aliases created{updated}")


@cli.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default="-",
              help="Write here instead of standard output.")
@db_option
@reports_errors
def export(output: str, db: str | None) -> None:
    """Write every alias as CSV in the import format (entity_id,canonical_name,type,alias).

    The file appears whole or not at all (and nothing is printed if the export fails).
    """
    store = open_resolver(db, judging=False).store
    # click.File(atomic=True) renames a half-written file into place even on an error; stage instead
    with staged(output) as (out,):
        assert out is not None
        export_csv(store, out.text)


@cli.command("add-entity")
@click.argument("name")
@click.option("--type", "type_", type=_TYPES, required=True, help="Entity type.")
@click.option("--id", "entity_id", default=None, help="Stable id (default: made from the name).")
@click.option("--description", default="", help="One short line.")
@click.option("--alias", "aliases", multiple=True, help="Another spelling (repeatable).")
@db_option
@reports_errors
def add_entity(name: str, type_: str, entity_id: str | None, description: str, aliases: tuple[str, ...],
               db: str | None) -> None:
    """Create an entity called NAME; its name is always one of its aliases."""
    record = open_resolver(db, judging=False).store.add_entity(
        name, type_, id=entity_id, description=description, aliases=aliases, actor="cli")
    click.echo(f"created {record.id} ({record.type}) with {len(record.aliases)} alias(es)")


@cli.command("add-alias")
@click.argument("entity_id")
@click.argument("text")
@click.option("--kind", type=_KINDS, default="name", show_default=True, help="What sort of spelling it is.")
@click.option("--source", default="cli", show_default=True, help="Where the spelling is attested.")
@db_option
@reports_errors
def add_alias(entity_id: str, text: str, kind: str, source: str, db: str | None) -> None:
    """Attach the spelling TEXT to the entity ENTITY_ID."""
    store = open_resolver(db, judging=False).store
    alias = store.add_alias(entity_id, text, kind=kind, source=source, actor="cli")
    click.echo(f"alias {alias.id} {alias.text!r} added to {alias.entity_id}")


@cli.command("remove-alias")
@click.argument("entity_id")
@click.argument("alias_id", type=int)
@db_option
@reports_errors
def remove_alias(entity_id: str, alias_id: int, db: str | None) -> None:
    """Delete the alias ALIAS_ID of ENTITY_ID."""
    alias = open_resolver(db, judging=False).store.remove_alias(entity_id, alias_id, actor="cli")
    click.echo(f"removed alias {alias.id} {alias.text!r} from {alias.entity_id}")


@cli.command()
@click.argument("survivor")
@click.argument("absorbed")
@db_option
@reports_errors
def merge(survivor: str, absorbed: str, db: str | None) -> None:
    """Merge the entity ABSORBED into SURVIVOR; ABSORBED's id redirects to SURVIVOR forever."""
    record = open_resolver(db, judging=False).store.merge(survivor, absorbed, actor="cli")
    click.echo(f"merged {absorbed} into {record.id}; it now has {len(record.aliases)} aliases")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@db_option
@reports_errors
def stats(as_json: bool, db: str | None) -> None:
    """Count entities by type and aliases by kind and script."""
    figures = open_resolver(db, judging=False).store.stats()
    if as_json:
        click.echo(json.dumps(figures, indent=2))
        return
    for key, value in figures.items():
        if isinstance(value, dict):
            click.echo(f"{key}: " + ", ".join(f"{k} {v}" for k, v in value.items()))
        else:
            click.echo(f"{key}: {value}")


@cli.command()
@click.option("--source", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Curated entity file (default: resolver/data/entities.toml).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Store file to write (default: the bundled aliases.db).")
@reports_errors
def build(source: Path | None, output: Path | None) -> None:
    """Rebuild the bundled store from its curated source, deterministically.

    The new store is written beside the target and renamed over it only when complete.
    """
    src, out = source or default_source(), output or default_db_path()
    counts = build_bundle(src, out)
    click.echo(f"built {out} from {src}: {counts[0]} entities, {counts[1]} aliases")


@cli.command()
@db_option
@reports_errors
def migrate(db: str | None) -> None:
    """Bring a store written by an older release up to this release's schema and matching keys.

    Opening a store does the same; this command does it on purpose, with a report.  Each step
    runs in one transaction: a failed migration leaves the store as it was.
    """
    settings = load_settings(db=db)
    url = settings.db_url()
    path = sqlite_path(make_url(url))
    if path is not None and not path.exists():
        raise SchemaMismatch(f"no store at {path}")
    engine = make_engine(url)
    where = engine.url.render_as_string(hide_password=True)
    try:
        steps = check_schema(engine, create=False)
        rekeyed = AliasStore(engine, make_session_factory(engine)).rekey_if_needed()
    finally:
        engine.dispose()
    if steps:
        click.echo(f"{where}: migrated to schema version {steps[-1]} (through {', '.join(map(str, steps))})")
    else:
        click.echo(f"{where}: already at schema version {SCHEMA_VERSION}")
    if rekeyed:
        click.echo(f"{where}: matching keys and index recomputed by this normaliser")
