"""Normalising one byte range of a CSV file: the task each Dask worker runs (no Dask import here).

A :class:`Part` names a file, a byte range cut by :mod:`resolver.batch.split` and how to decode
it; a :class:`Job` holds what every part of a run shares.  :func:`normalize_part` reads the
range, resolves each distinct value once and formats the rows exactly as
:func:`resolver.batch.runner.normalize_csv` does (the same ``_Run``), and returns the CSV text of
its rows with the counts, the exact to-do counts and the line count, so that the caller can
merge the parts in input order into the output the single-process run writes.  Errors come back
as a :class:`PartFailure` with the line counted from the range's first line, which the caller
turns into the file's line number; nothing is raised for bad input, so Dask never retries it.

Each worker process keeps one :class:`Resolver` per store and, per thread, the entries it resolved
(the single-process run's :class:`~resolver.batch.runner.AnswerCache`: exact names and whole-way
answers kept apart, ``Job.cache_size`` places), reused by the next parts while the store's revision
stays the same.
"""

from __future__ import annotations

import csv
import hashlib
import io
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import IO

from resolver.batch.lookup import Lookup, LookupOptions
from resolver.batch.runner import AnswerCache, _plan, _Run
from resolver.batch.source import BatchError, UndecodableInput
from resolver.batch.split import FileSystem, Misaligned, RangeSource
from resolver.resolve import Resolver
from resolver.settings import Settings

__all__ = ["Job", "Part", "PartFailure", "PartResult", "normalize_part"]

#: (part index, rows written so far): how a part reports its progress
PartProgress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Job:
    """What every part of one run shares."""

    columns: tuple[str, ...]
    header: tuple[str, ...]
    delimiter: str  # of the output (the first file's)
    type: str | None
    sanitize: bool
    db: str
    settings: Settings
    todo: bool
    cache_size: int = 280_000
    chunk_rows: int = 5_000


@dataclass(frozen=True, slots=True)
class Part:
    """Bytes ``[start, end)`` of one input file, the ``index``-th part of the output."""

    index: int
    file: int
    source: str
    fs: FileSystem
    path: str
    start: int
    end: int
    encoding: str
    delimiter: str
    header: bool  # the range starts with the file's header
    last: bool  # the range ends at the end of the file


@dataclass(frozen=True, slots=True)
class PartResult:
    """The rows of a part as UTF-8 CSV text, and what the summary and to-do list need from it."""

    data: bytes
    rows: int
    lines: int
    counts: tuple[dict[str, int], ...]
    ragged: int
    lookups: int
    todo: tuple[tuple[str, str, int], ...]
    #: 8-byte digests of the distinct values looked up; None when there were more than ``Job.cache_size``
    distinct: frozenset[bytes] | None


@dataclass(frozen=True, slots=True)
class PartFailure:
    """Bad input in a part (``kind`` "batch" or "undecodable"), or a cut inside a quoted field ("misaligned")."""

    kind: str
    message: str
    line: int | None


_lock = threading.Lock()
_resolvers: dict[tuple[str, Settings], Resolver] = {}
_caches: dict[tuple[object, ...], AnswerCache] = {}


def _resolver(job: Job) -> Resolver:
    with _lock:
        key = (job.db, job.settings)
        if key not in _resolvers:
            _resolvers[key] = Resolver.open(job.db, settings=job.settings)
        return _resolvers[key]


def _cache(job: Job, revision: int) -> AnswerCache:
    """This thread's entries for the job's store at ``revision`` (an entry may not outlive a write)."""
    key = (job.db, job.settings, job.type, job.sanitize, revision, job.cache_size, threading.get_ident())
    with _lock:
        cache = _caches.get(key)
        if cache is None:
            stale = [k for k in _caches if k[:2] == key[:2] and k[-1] == key[-1]]
            for k in stale:
                del _caches[k]
            cache = _caches[key] = AnswerCache(job.cache_size)
        return cache


def _digest(value: str) -> bytes:
    return hashlib.blake2b(value.encode("utf-8", "surrogatepass"), digest_size=8).digest()


def _chunks(rows: Iterator[list[str]], size: int) -> Iterator[list[list[str]]]:
    while chunk := list(islice(rows, size)):
        yield chunk


def normalize_part(part: Part, job: Job, progress: PartProgress | None = None) -> PartResult | PartFailure:
    """Normalise one part; bad input is returned as a :class:`PartFailure`, never raised."""
    resolver = _resolver(job)
    cache = _cache(job, resolver.revision)
    with part.fs.open(part.path, "rb") as handle:
        try:
            return _run(part, job, resolver, cache, handle, progress)
        except Misaligned:
            return PartFailure("misaligned", "the range did not end on a record boundary", None)
        except BatchError as exc:
            where = f"{exc.source}:{exc.line}: " if exc.line is not None else f"{exc.source}: "
            kind = "undecodable" if isinstance(exc, UndecodableInput) else "batch"
            return PartFailure(kind, exc.message.removeprefix(where), exc.line)


def _run(part: Part, job: Job, resolver: Resolver, cache: AnswerCache, handle: IO[bytes],
         progress: PartProgress | None) -> PartResult:
    reader = RangeSource(handle, part.start, part.end, encoding=part.encoding,
                         delimiter=part.delimiter, header=part.header, sentinel=not part.last,
                         columns=job.columns, source=part.source)
    if part.header and reader.header != job.header:
        raise Misaligned(part.source)  # the client read this header whole: the range must have cut it
    positions = _plan(job.header, job.columns, part.source)
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=job.delimiter, lineterminator="\r\n")
    lookup = Lookup(resolver, LookupOptions(job.type, job.sanitize))
    # the to-do counter holds every distinct value of the part: its counts are exact
    run = _Run(writer, positions, len(job.header), lookup, job.cache_size, 1 << 62 if job.todo else 0)
    run.cache = cache
    distinct: set[str] | None = set()
    for rows in _chunks(iter(reader), job.chunk_rows):
        if distinct is not None:
            for i in positions:
                distinct.update(row[i] for row in rows if i < len(row))
            if len(distinct) > job.cache_size:
                distinct = {v for v in distinct if v.strip()}  # blank cells are never looked up
                if len(distinct) > job.cache_size:
                    distinct = None
        run.write(run.read(rows, reader.bytes_read))
        if progress is not None:
            progress(part.index, run.rows)
    digests = None
    if distinct is not None:
        digests = frozenset(_digest(v) for v in distinct if v.strip())
    return PartResult(
        data=out.getvalue().encode("utf-8"),
        rows=run.rows,
        lines=reader.lines_in_range,
        counts=tuple(run.counts),
        ragged=run.ragged,
        lookups=run.lookups,
        todo=tuple(run.todo.most_common()) if run.todo is not None else (),
        distinct=digests,
    )
