"""Batch normalisation on a Dask cluster: many files, or one large file, read in parallel by many workers.

:func:`normalize_files` runs in the client.  It checks every input's header itself (so a missing
column is reported exactly as by :func:`resolver.batch.runner.normalize_csv`), cuts each file into
byte ranges on record boundaries (:mod:`resolver.batch.split`, the scans run on the workers),
sends the ranges as tasks (:func:`resolver.batch.partition.normalize_part`) a window at a time,
and hands each range's rows to a :class:`Sink` in input order, so the output is the bytes the
single-process run writes.  The counts and to-do lists of the ranges are added up exactly.

Faults: a task is a pure function of its range, so when a worker is lost Dask runs its ranges
again elsewhere and the client still writes each range once.  Bad input in any range stops the
run with the file's name and line, after every earlier range has been read (the first error in
input order is the one reported, as in a single process); the caller discards what was written.
"""

from __future__ import annotations

import csv
import glob as globbing
import io
import itertools
import time
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

import fsspec  # type: ignore[import-untyped]  # (ships no type information)
from distributed import Client, Future, KilledWorker, get_worker

from resolver.batch.lookup import neutralize
from resolver.batch.partition import Job, Part, PartFailure, PartResult, normalize_part
from resolver.batch.report import BatchReport, ColumnReport, TodoItem
from resolver.batch.runner import SUFFIXES, _plan
from resolver.batch.source import BatchError, CsvSource, UndecodableInput
from resolver.batch.split import FileSystem, boundaries, scan_block, splittable
from resolver.batch.tally import Merged, PartsProgress, Progress
from resolver.settings import Settings
from resolver.store.store import check_type

__all__ = ["DEFAULT_BLOCKSIZE", "CheckedInputs", "Sink", "check_inputs", "normalize_files"]

#: bytes of input per task: small enough to spread a file over the workers and keep memory low
DEFAULT_BLOCKSIZE = 4 << 20


class Sink(Protocol):
    """Where the rows go, in input order: ``begin`` once with the header line, then each part's rows."""

    def begin(self, head: str) -> None: ...

    def write(self, data: bytes, rows: int) -> None: ...


@dataclass(frozen=True, slots=True)
class _Input:
    name: str
    fs: FileSystem
    path: str
    size: int
    encoding: str
    bom: bool
    delimiter: str
    header: tuple[str, ...]


def _expand(inputs: Sequence[str]) -> list[tuple[str, Any, str]]:
    """(name for messages, fsspec file system, path) of every input file, a glob's matches in sorted order."""
    found: list[tuple[str, Any, str]] = []
    for text in inputs:
        fs, _, paths = fsspec.core.get_fs_token_paths(text, mode="rb")
        if globbing.has_magic(text):
            if not paths:
                raise BatchError("no file matches this pattern", source=text)
            local = fs.protocol in ("file", ("file", "local"))
            found.extend((p if local else fs.unstrip_protocol(p), fs, p) for p in sorted(paths))
        elif not fs.isfile(paths[0]):
            raise BatchError("no such file" if not fs.exists(paths[0]) else "not a file", source=text)
        else:
            found.append((text, fs, paths[0]))
    return found


@dataclass(frozen=True, slots=True)
class CheckedInputs:
    """Input files whose headers :func:`check_inputs` has read and checked for these columns."""

    files: tuple[_Input, ...]
    columns: tuple[str, ...]


def check_inputs(inputs: Sequence[str], columns: Sequence[str], encoding: str | None = None,
                 delimiter: str | None = None) -> CheckedInputs:
    """Find every input and check its header here, in the client, before any work is sent.

    Raises:
        BatchError: no such file, no file matching a glob, a missing column, headers that differ.
        UndecodableInput: bytes invalid in the encoding in a header.
    """
    if not columns:
        raise BatchError("name at least one column to normalise", source=inputs[0] if inputs else "<input>")
    files: list[_Input] = []
    for name, fs, path in _expand(inputs):
        with fs.open(path, "rb") as handle:
            reader = CsvSource(handle, columns=columns, encoding=encoding, delimiter=delimiter, source=name)
        _plan(reader.header, columns, name)
        if files and reader.header != files[0].header:
            raise BatchError(f"the header differs from that of {files[0].name} "
                             f"({', '.join(map(repr, reader.header))})", source=name, line=1)
        size = int(fs.size(path))
        files.append(_Input(name, fs, path, size, reader.encoding, reader.bom, reader.delimiter, reader.header))
    if not files:
        raise BatchError("no input files")
    return CheckedInputs(tuple(files), tuple(columns))


def _parts(client: Client, files: Sequence[_Input], blocksize: int) -> list[Part]:
    """Cut every file into ranges on record boundaries; the block scans run on the workers."""
    scans: list[list[Future[Any]]] = []
    for f in files:
        if f.size > blocksize and splittable(f.encoding):
            scans.append([client.submit(scan_block, f.fs, f.path, start, min(start + blocksize, f.size),
                                        pure=False, key=f"resolver-scan-{uuid.uuid4().hex}")
                          for start in range(0, f.size, blocksize)])
        else:
            scans.append([])
    parts: list[Part] = []
    for number, (f, futures) in enumerate(zip(files, scans, strict=True)):
        cuts = boundaries(f.size, client.gather(futures)) if futures else [0, f.size]
        for start, end in itertools.pairwise(cuts):
            parts.append(Part(len(parts), number, f.name, f.fs, f.path, start, end, f.encoding, f.delimiter,
                              header=start == 0, last=end == f.size))
    return parts


def _run_part(part: Part, job: Job, topic: str) -> PartResult | PartFailure:
    """The task: one part, reporting its rows to the client's progress bar about every 0.3 s."""
    worker = get_worker()
    last = [0.0]

    def report(index: int, rows: int) -> None:
        now = time.monotonic()
        if now - last[0] >= 0.3:
            last[0] = now
            worker.log_event(topic, (index, rows))

    return normalize_part(part, job, report)


def normalize_files(client: Client, inputs: Sequence[str] | CheckedInputs, sink: Sink, *, db: str, settings: Settings,
                    columns: Sequence[str], type: str | None = None, encoding: str | None = None,
                    delimiter: str | None = None, sanitize: bool = True, blocksize: int = DEFAULT_BLOCKSIZE,
                    todo_limit: int = 0, cache_size: int = 280_000, progress: Progress | None = None,
                    on_part: Callable[[int], None] | None = None) -> BatchReport:
    """Normalise CSV files on the Dask cluster of ``client``, writing the rows to ``sink`` in input order.

    The rows, counts and to-do list are those :func:`~resolver.batch.runner.normalize_csv` gives for
    the files one after the other (the header once, the first file's delimiter and byte-order mark).

    Args:
        client: a connected ``distributed.Client``; its workers must reach the inputs and ``db``.
        inputs: paths, globs or fsspec URLs, every file with the same header (or :func:`check_inputs` of them).
        sink: receives the header line, then each part's rows as UTF-8 CSV text.
        db: the store's URL, as every worker opens it (a PostgreSQL URL, or an SQLite path they share).
        settings: the resolver's settings, the same on every worker.
        blocksize: bytes of input per task.
        todo_limit: collect the unresolved and ambiguous values with exact counts, the most frequent this many.
        progress: called with the rows done and the input bytes they stand for.
        on_part: called with the number of parts written so far, after each (for tests and tools).
    (The other arguments are those of ``normalize_csv``.)

    Raises:
        BatchError: a missing file or column, differing headers, bad CSV; with the file and line.
        UndecodableInput: bytes invalid in the encoding, with the file and line.
    """
    started = time.perf_counter()
    if type is not None:
        check_type(type)
    if blocksize < 1:
        raise ValueError("the block size must be at least one byte")
    if not isinstance(inputs, CheckedInputs):
        inputs = check_inputs(inputs, columns, encoding, delimiter)
    elif inputs.columns != tuple(columns):
        raise ValueError("the inputs were checked for other columns")
    files = inputs.files
    first = files[0]
    added = [c + s for c in columns for s in SUFFIXES]
    header_row = [*first.header, *(neutralize(a) if sanitize else a for a in added)]
    sink.begin(("\ufeff" if first.bom else "") + _csv_line(header_row, first.delimiter))
    job = Job(tuple(columns), first.header, first.delimiter, type, sanitize, db, settings, todo_limit > 0, cache_size)
    parts = _parts(client, files, blocksize)
    merged = Merged(len(columns), cache_size)
    tracker = PartsProgress(parts, progress)
    topic = f"resolver-normalize-{uuid.uuid4().hex}"
    client.subscribe_topic(topic, tracker.event)
    window = 2 * max(1, sum(client.nthreads().values())) + 1
    pending = deque(parts)
    in_flight: deque[tuple[Part, Future[Any]]] = deque()
    lines: dict[int, int] = {}  # lines of each file in its parts written so far
    written = 0

    def submit(part: Part) -> Future[Any]:
        return client.submit(_run_part, part, job, topic, pure=False, key=f"resolver-normalize-{uuid.uuid4().hex}")

    try:
        while pending or in_flight:
            while pending and len(in_flight) < window:
                part = pending.popleft()
                in_flight.append((part, submit(part)))
            part, future = in_flight.popleft()
            try:
                outcome = future.result()
            except KilledWorker as exc:
                raise BatchError(f"Dask gave up on bytes {part.start:,} to {part.end:,} after it killed "
                                 f"workers repeatedly ({exc})", source=part.source) from None
            future.release()
            if isinstance(outcome, PartFailure):
                if outcome.kind != "misaligned":
                    line = None if outcome.line is None else lines.get(part.file, 0) + outcome.line
                    error = UndecodableInput if outcome.kind == "undecodable" else BatchError
                    raise error(outcome.message, source=part.source, line=line)
                # a quote outside RFC 4180's rules: read the rest of this file as one range
                client.cancel([f for p, f in in_flight if p.file == part.file])
                in_flight = deque((p, f) for p, f in in_flight if p.file != part.file)
                pending = deque(p for p in pending if p.file != part.file)
                whole = replace(part, end=files[part.file].size, last=True)
                in_flight.appendleft((whole, submit(whole)))
                continue
            lines[part.file] = lines.get(part.file, 0) + outcome.lines
            merged.add(outcome)
            sink.write(outcome.data, outcome.rows)
            written += 1
            tracker.done(part.index, outcome.rows, part.end - part.start)
            if on_part is not None:
                on_part(written)
    finally:
        client.unsubscribe_topic(topic)
        if in_flight:
            client.cancel([f for _, f in in_flight])

    todo = sorted(((v, s, n) for v, (s, n) in merged.todo.items()), key=lambda t: (-t[2], t[0]))[:todo_limit]
    distinct = merged.distinct
    return BatchReport(
        rows=merged.rows,
        columns=tuple(ColumnReport(c, n["matched"], n["ambiguous"], n["unresolved"] + n["empty"] + n["too_long"],
                                   n["empty"], n["too_long"]) for c, n in zip(columns, merged.counts, strict=True)),
        lookups=len(distinct) if distinct is not None else merged.lookups,
        cache_evictions=0 if distinct is not None else 1,  # (1: more distinct values than cache_size places)
        ragged_rows=merged.ragged,
        encoding=first.encoding,
        delimiter=first.delimiter,
        seconds=time.perf_counter() - started,
        todo=tuple(TodoItem(v, s, n) for v, s, n in todo),
        todo_max_error=0,
    )


def _csv_line(row: Sequence[str], delimiter: str) -> str:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerow(row)
    return out.getvalue()
