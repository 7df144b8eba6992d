"""The ``normalize`` command: add canonical ids to the name columns of a CSV, written safely."""

from __future__ import annotations

import io
import os
import stat
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO

import click
from sqlalchemy.exc import SQLAlchemyError
from tqdm import tqdm

from resolver.batch.runner import BatchReport, UndecodableInput, normalize_csv, write_todo
from resolver.cli import cli, db_option, open_resolver, reports_errors
from resolver.cli.staging import staged
from resolver.longrun import settle
from resolver.results import EntityType
from resolver.store.review import ReviewQueue, Sighting

__all__ = ["normalize", "queue_todo"]

#: most distinct unresolved values the --unresolved list keeps (see TopCounts)
TODO_LIMIT = 100_000


@contextmanager
def _input(path: str) -> Iterator[IO[bytes]]:
    if path == "-":
        yield sys.stdin.buffer
    else:
        with open(path, "rb") as handle:
            yield handle


def _size(handle: IO[bytes]) -> int | None:
    """The byte size of a regular file (also when redirected to standard input), else None."""
    try:
        info = os.fstat(handle.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        return None
    return info.st_size if stat.S_ISREG(info.st_mode) and info.st_size > 0 else None


class _Bar:
    """A tqdm bar counting rows; the total is estimated from the bytes read, for rows/s and time left."""

    def __init__(self, size: int | None, enabled: bool) -> None:
        self._size = size
        self._bar = tqdm(total=None, unit=" rows", unit_scale=True, dynamic_ncols=True, leave=False,
                         file=sys.stderr, disable=not enabled)

    def __call__(self, rows: int, bytes_read: int) -> None:
        if self._size and bytes_read:
            self._bar.total = max(rows, round(rows * self._size / bytes_read))
        self._bar.update(rows - self._bar.n)

    def close(self) -> None:
        self._bar.close()


def _check_paths(input_path: str, output: str, unresolved: str | None) -> None:
    for name, target in (("--output", output), ("--unresolved", unresolved)):
        if target is None or target == "-":
            continue
        parent = Path(target).parent
        if not parent.is_dir():
            raise click.BadParameter(f"the directory {str(parent)!r} does not exist", param_hint=name)
        if input_path != "-" and Path(target).exists() and os.path.samefile(input_path, target):
            raise click.BadParameter("refusing to overwrite the input file", param_hint=name)
    if unresolved is not None and unresolved == output:
        raise click.BadParameter("--unresolved and --output name the same file", param_hint="--unresolved")


def summary(report: BatchReport, where: str) -> list[str]:
    """The closing lines: rows, speed and distinct values, then the outcomes of each column."""
    rate = report.rows / report.seconds if report.seconds > 0 else 0.0
    if report.cache_evictions:
        distinct = f"{report.lookups:,} lookups (more distinct values than the cache holds)"
    else:
        distinct = f"{report.lookups:,} distinct values"
    lines = [f"{report.rows:,} rows written to {where} in {report.seconds:.1f} s ({rate:,.0f} rows/s); {distinct}"]
    for c in report.columns:
        extra = [f"{c.empty:,} empty"] + ([f"{c.too_long:,} too long"] if c.too_long else [])
        lines.append(f"{c.column}: {c.matched:,} matched, {c.ambiguous:,} ambiguous, "
                     f"{c.unresolved:,} unresolved ({', '.join(extra)})")
    if report.ragged_rows:
        lines.append(f"{report.ragged_rows:,} rows had more or fewer cells than the header")
    return lines


@cli.command("normalize")
@click.argument("inputs", metavar="INPUT...", nargs=-1, required=True)
@click.option("-c", "--column", "columns", multiple=True, required=True, metavar="NAME",
              help="A column of names to resolve (repeatable; cells are appended in this order).")
@click.option("-o", "--output", default="-", metavar="OUT", type=click.Path(dir_okay=False, allow_dash=True),
              help="Where to write the CSV (default: standard output).")
@click.option("--type", "type_", type=click.Choice([t.value for t in EntityType]), default=None,
              help="Only consider entities of this type.")
@click.option("--encoding", default=None, metavar="ENC",
              help="Input encoding, e.g. cp1256 or latin-1 (default: UTF-8; a byte-order mark is honoured).")
@click.option("--delimiter", default=None, metavar="CHAR",
              help="Input delimiter, one character or 'tab' (default: sniffed from the header).")
@click.option("--unresolved", "unresolved", default=None, metavar="FILE",
              type=click.Path(dir_okay=False, allow_dash=False),
              help="Also write the distinct unresolved and ambiguous values with their counts, most frequent first.")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Processes resolving names (default 1; with --scheduler local, one per CPU); the output is "
                   "byte-identical for any number.")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Run on a Dask cluster: its scheduler (tcp://host:8786), or 'local' for one of --workers "
                   "processes here. INPUT may then be several files, globs or URLs. Needs the [dask] extra.")
@click.option("--output-dir", default=None, metavar="DIR", type=click.Path(file_okay=False),
              help="With --scheduler: write DIR/part-00000.csv, ... (each with the header) in input order.")
@click.option("--blocksize", default=None, metavar="SIZE",
              help="With --scheduler: input bytes per task, e.g. 64MiB (default 4MiB).")
@click.option("--no-sanitize", "no_sanitize", is_flag=True,
              help="Do not neutralise appended cells that start with = + - @ (see below).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary.")
@db_option
@reports_errors
def normalize(inputs: tuple[str, ...], columns: tuple[str, ...], output: str, type_: str | None,
              encoding: str | None, delimiter: str | None, unresolved: str | None, workers: int | None,
              scheduler: str | None, output_dir: str | None, blocksize: str | None, no_sanitize: bool, quiet: bool,
              db: str | None) -> None:
    """Add canonical ids to the name columns of INPUT.csv ('-' for standard input).

    For each --column NAME, appends NAME_id, NAME_name, NAME_type, NAME_score and NAME_status
    (matched, ambiguous or unresolved) after the original columns, to every row, in order.

    \b
    Example:
        resolver normalize events.csv -c actor -c target -o events.ids.csv --unresolved todo.csv

    \b
    The original cells are written back as parsed (the csv module re-quotes
    them only where needed); they are never cleaned or neutralised. Short rows
    are padded to the header's width; extra cells stay, after the new columns.
    Empty cells, and cells over the resolver's length limit, are not looked up
    and are marked unresolved. New cells that a spreadsheet would run as a
    formula (= + - @) get a leading apostrophe unless --no-sanitize is given.
    Output is UTF-8 (with a BOM if the input had one), with the input's
    delimiter and CRLF line endings. It is written to a temporary file and
    renamed over OUT only on success; on any error nothing is written.

    \b
    With --scheduler, several INPUTs (files, globs, URLs fsspec reads) with
    one header are read in parallel by Dask workers, and written as one
    output in input order, the same bytes as a run here would write.
    """
    if delimiter is not None and delimiter.lower() in ("tab", "\\t"):
        delimiter = "\t"
    if scheduler is not None:
        from resolver.cli.batch_dask import normalize_on_dask

        normalize_on_dask(inputs=inputs, columns=columns, output=output, output_dir=output_dir, type_=type_,
                          encoding=encoding, delimiter=delimiter, unresolved=unresolved, workers=workers,
                          no_sanitize=no_sanitize, quiet=quiet, db=db, scheduler=scheduler, blocksize=blocksize)
        return
    for name, value in (("--output-dir", output_dir), ("--blocksize", blocksize)):
        if value is not None:
            raise click.BadParameter("needs --scheduler", param_hint=name)
    if len(inputs) > 1:
        raise click.UsageError("several inputs need --scheduler (--scheduler local runs them on this machine)")
    ctx = click.get_current_context()
    input_path = str(click.Path(exists=True, dir_okay=False, allow_dash=True).convert(inputs[0], ctx.command.params[0],
                                                                                       ctx))
    _check_paths(input_path, output, unresolved)
    resolver = open_resolver(db)
    settle()  # this process looks values up itself (one worker), or reads and writes for the workers
    source_name = "<stdin>" if input_path == "-" else input_path
    interactive = not quiet and sys.stderr.isatty()
    with ExitStack() as stack:
        handle = stack.enter_context(_input(input_path))
        out, todo = stack.enter_context(staged(output, unresolved))
        assert out is not None
        bar = _Bar(_size(handle), interactive)
        stack.callback(bar.close)
        try:
            report = normalize_csv(
                handle, out.text, resolver=resolver, columns=columns, type=type_, encoding=encoding,
                delimiter=delimiter, sanitize=not no_sanitize, workers=workers or 1, source_name=source_name,
                progress=bar, todo_limit=TODO_LIMIT if todo is not None else 0,
            )
        except UndecodableInput as exc:
            raise click.ClickException(f"{exc.message}; use --encoding to name the file's encoding, "
                                       "e.g. --encoding cp1256") from exc
        if todo is not None:
            write_todo(report.todo, todo.text, sanitize=not no_sanitize)
    queued = queue_todo(report, db) if unresolved is not None else 0
    if quiet:
        return
    for line in summary(report, "standard output" if output == "-" else output):
        click.echo(line, err=True)
    if unresolved is not None:
        note = "" if not report.todo_max_error else f" (counts may be up to {report.todo_max_error:,} too high)"
        click.echo(f"{len(report.todo):,} unresolved or ambiguous values written to {unresolved}{note}", err=True)
        if queued:
            click.echo(f"{queued:,} of them counted in the store's review queue", err=True)


def queue_todo(report: BatchReport, db: str | None) -> int:
    """Count a run's unlinked values in the store's review queue (``RESOLVER_REVIEW_MAX=0``: not).

    Returns how many distinct values were counted; a store that cannot be written is a warning,
    not a failure (the CSV and the to-do file are what was asked for).
    """
    if not report.todo:
        return 0
    resolver = open_resolver(db)
    try:
        limit = resolver.settings.review_max
        if limit <= 0:
            return 0
        return ReviewQueue(resolver.store, limit).record(
            Sighting(t.value, t.status, "cli", t.count) for t in report.todo)
    except SQLAlchemyError as exc:
        click.echo(f"warning: the review queue was not updated ({exc.__class__.__name__})", err=True)
        return 0
    finally:
        resolver.close()
