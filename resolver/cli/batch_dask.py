"""``resolver normalize ... --scheduler ADDRESS``: the same command on a Dask cluster (the ``[dask]`` extra).

Imported by :mod:`resolver.cli.batch` only when ``--scheduler`` is given, so the base install
never imports Dask.  The output is staged as in a local run: one file renamed into place, or a
hidden directory of part files renamed to ``--output-dir`` only when every part is written.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO, Any

import click

from resolver.batch.source import UndecodableInput
from resolver.cli import open_resolver
from resolver.cli.batch import TODO_LIMIT, _Bar, _check_paths, queue_todo, summary
from resolver.cli.staging import Staged, staged

__all__ = ["normalize_on_dask"]


class _FileSink:
    """The rows into one staged file: the header once, then each part's bytes."""

    def __init__(self, text: IO[str]) -> None:
        self._text = text

    def begin(self, head: str) -> None:
        self._text.write(head)
        self._text.flush()

    def write(self, data: bytes, rows: int) -> None:
        self._text.buffer.write(data)  # type: ignore[attr-defined]

    def finish(self) -> None:
        """Nothing left to write."""


class _DirSink:
    """The rows into part files ``part-00000.csv``, ... of a hidden directory, each with the header.

    ``commit`` renames the directory to the target (which must not exist or be empty); ``discard``
    removes it.  A part without rows gets no file, but the directory always holds at least one.
    """

    def __init__(self, target: str) -> None:
        self.target = Path(target)
        if self.target.exists() and (not self.target.is_dir() or any(self.target.iterdir())):
            raise click.BadParameter(f"{target!r} exists and is not an empty directory", param_hint="--output-dir")
        if not self.target.parent.is_dir():
            raise click.BadParameter(f"the directory {str(self.target.parent)!r} does not exist",
                                     param_hint="--output-dir")
        self._dir: Path | None = Path(tempfile.mkdtemp(dir=self.target.parent, prefix=f".{self.target.name}.",
                                                       suffix=".part"))
        self._head = b""
        self.parts = 0

    def begin(self, head: str) -> None:
        self._head = head.encode("utf-8")

    def write(self, data: bytes, rows: int) -> None:
        if rows:
            self._part(data)

    def finish(self) -> None:
        if not self.parts:
            self._part(b"")

    def _part(self, data: bytes) -> None:
        assert self._dir is not None
        with open(self._dir / f"part-{self.parts:05d}.csv", "wb") as handle:
            handle.write(self._head)
            handle.write(data)
        self.parts += 1

    def commit(self) -> None:
        assert self._dir is not None
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(self._dir, 0o777 & ~umask)  # (mkdtemp's are 0700)
        os.replace(self._dir, self.target)
        self._dir = None

    def discard(self) -> None:
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None


#: Dask settings for a cluster started here (see _client)
_QUIET_CLUSTER = {"distributed.worker.profile.enabled": False, "distributed.admin.tick.interval": "1s"}


@contextmanager
def _client(scheduler: str, workers: int | None) -> Iterator[Any]:
    """A client of the cluster at ``scheduler``, or of a new local cluster of ``workers`` processes."""
    import dask
    from distributed import Client, LocalCluster

    if scheduler == "local":
        # the workers' statistical profiler (a stack sample every 10 ms) and the 20 ms event-loop
        # watchdog cost CPU the names need (8% of a core when idle); the nannies pass this config on
        size = workers or os.cpu_count() or 1
        with dask.config.set(_QUIET_CLUSTER), \
                LocalCluster(n_workers=size, threads_per_worker=1, processes=True, host="127.0.0.1",
                             dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR) as cluster, \
                Client(cluster) as client:
            yield client
        return
    try:
        client = Client(scheduler, timeout="20s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise click.ClickException(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    with client:
        yield client


def _local(path: str) -> bool:
    return "://" not in path and not any(c in path for c in "*?[")


@contextmanager
def _staged_dir(target: str) -> Iterator[_DirSink]:
    sink = _DirSink(target)
    try:
        yield sink
        sink.commit()
    except BaseException:
        sink.discard()
        raise


def _encoding_hint(exc: UndecodableInput) -> click.ClickException:
    return click.ClickException(f"{exc.message}; use --encoding to name the file's encoding, e.g. --encoding cp1256")


def normalize_on_dask(*, inputs: Sequence[str], columns: tuple[str, ...], output: str, output_dir: str | None,
                      type_: str | None, encoding: str | None, delimiter: str | None, unresolved: str | None,
                      workers: int | None, no_sanitize: bool, quiet: bool, db: str | None, scheduler: str,
                      blocksize: str | None) -> None:
    """Run ``resolver normalize`` on a Dask cluster; arguments as the command's options."""
    try:
        from dask.utils import parse_bytes

        from resolver.batch.distributed import DEFAULT_BLOCKSIZE, check_inputs, normalize_files
    except ImportError:
        raise click.ClickException("--scheduler needs Dask: pip install 'arabic-alias-resolver[dask]'") from None
    if "-" in inputs:
        raise click.BadParameter("--scheduler reads files or URLs, not standard input", param_hint="INPUT")
    if output_dir is not None and output != "-":
        raise click.BadParameter("give --output or --output-dir, not both", param_hint="--output-dir")
    if workers is not None and scheduler != "local":
        raise click.BadParameter("--workers sets the size of a --scheduler local cluster; an existing cluster "
                                 "has its own workers", param_hint="--workers")
    try:
        size = parse_bytes(blocksize) if blocksize is not None else DEFAULT_BLOCKSIZE
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--blocksize") from None
    checker = click.Path(exists=True, dir_okay=False)
    for path in inputs:
        if _local(path):
            checker.convert(path, None, click.get_current_context())
            _check_paths(path, output, unresolved)
    resolver = open_resolver(db)
    url = resolver.store.engine.url
    settings = resolver.settings
    resolver.close()
    if url.get_backend_name() == "sqlite" and (not url.database or url.database == ":memory:"):
        raise click.BadParameter("Dask workers need a store in a file or on a server", param_hint="--db")
    interactive = not quiet and sys.stderr.isatty()
    try:
        checked = check_inputs(inputs, columns, encoding, delimiter)
    except UndecodableInput as exc:
        raise _encoding_hint(exc) from exc
    with ExitStack() as stack:
        if output_dir is not None:
            sink: _FileSink | _DirSink = stack.enter_context(_staged_dir(output_dir))
            todo = stack.enter_context(staged(unresolved))[0]
        else:
            out, todo = stack.enter_context(staged(output, unresolved))
            assert isinstance(out, Staged)
            sink = _FileSink(out.text)
        client = stack.enter_context(_client(scheduler, workers))
        if not quiet:
            click.echo(f"Dask dashboard: {client.dashboard_link}", err=True)
        bar = _Bar(None, interactive)
        stack.callback(bar.close)

        def progress(rows: int, done: int, total: int) -> None:
            bar._size = total
            bar(rows, done)

        try:
            report = normalize_files(
                client, checked, sink, db=url.render_as_string(hide_password=False), settings=settings,
                columns=columns, type=type_, encoding=encoding, delimiter=delimiter, sanitize=not no_sanitize,
                blocksize=size, todo_limit=TODO_LIMIT if todo is not None else 0, progress=progress)
        except UndecodableInput as exc:
            raise _encoding_hint(exc) from exc
        sink.finish()
        if todo is not None:
            from resolver.batch.report import write_todo

            write_todo(report.todo, todo.text, sanitize=not no_sanitize)
    queued = queue_todo(report, db) if unresolved is not None else 0
    if quiet:
        return
    where = output_dir if output_dir is not None else ("standard output" if output == "-" else output)
    for line in summary(report, where):
        click.echo(line, err=True)
    if unresolved is not None:
        click.echo(f"{len(report.todo):,} unresolved or ambiguous values written to {unresolved}", err=True)
        if queued:
            click.echo(f"{queued:,} of them counted in the store's review queue", err=True)
