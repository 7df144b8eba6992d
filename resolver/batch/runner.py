"""Batch normalisation of CSV files: stream rows from an open handle to an open handle through the Resolver.

For each named column the output gets ``<col>_id``, ``<col>_name``, ``<col>_type``,
``<col>_score`` and ``<col>_status``, after the original columns, every row kept in order.
The CLI (``resolver normalize``), the HTTP API (``POST /normalize``) and Python callers all go
through :func:`normalize_csv`.

Decisions, in one place:

- Original cells are never changed: they are parsed and written back by the csv module (quotes
  only where needed).  A short row is padded with empty cells to the header's width; cells
  beyond the header's width stay in the row, after the appended columns, so the appended cells
  always sit under their own header.  An empty line is a row of empty cells.
- Cell text goes to the resolver as it is.  An empty or whitespace-only cell is not looked up:
  its appended cells are empty and its status is ``unresolved``.  So is a cell longer than the
  resolver accepts (``max_mention_length``), counted apart as ``too_long``.
- Appended cells that a spreadsheet would run as a formula (starting with = + - @, tab or CR)
  get a leading apostrophe unless ``sanitize=False``; original cells are left as they are.
- Output: UTF-8 (with a byte-order mark when the input had one, for Excel), the input's
  delimiter, "\\r\\n" line endings (RFC 4180; with "\\n" the csv module would leave a field
  holding a lone "\\r" unquoted and split the row on reading).
- Each distinct value is resolved once while it stays in the cache (:class:`AnswerCache`, about
  ``cache_size`` places; an answer takes one or three); a file with more distinct values than
  that keeps flat memory and looks up again a value seen after it was evicted (same answer,
  more time).  With several workers the parent reads, caches
  and writes, and only values not yet known go to the worker processes, so the output is
  byte-identical to one worker's.  A worker is replaced after ``recycle_after`` values, because
  the resolver's own caches in each process grow with the distinct names it has seen.
"""

from __future__ import annotations

import csv
import difflib
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from itertools import islice
from typing import IO, Any

from resolver.batch.counts import LruCache, TopCounts
from resolver.batch.lookup import EMPTY, Entry, Lookup, LookupOptions, Pending, lookup_for, neutralize
from resolver.batch.report import BatchReport, ColumnReport, TodoItem, write_todo
from resolver.batch.source import BatchError, CsvSource, UndecodableInput
from resolver.resolve import Resolver
from resolver.store.store import check_type

__all__ = [
    "SUFFIXES",
    "AnswerCache",
    "BatchError",
    "BatchReport",
    "ColumnReport",
    "TodoItem",
    "UndecodableInput",
    "normalize_csv",
    "write_todo",
]

#: the columns appended for each named column, in order
SUFFIXES = ("_id", "_name", "_type", "_score", "_status")
_TODO = frozenset({"ambiguous", "unresolved"})

#: called after each chunk with (rows written so far, input bytes consumed by them)
Progress = Callable[[int, int], None]


def _plan(header: Sequence[str], columns: Sequence[str], source: str) -> list[int]:
    """The header position of each requested column, or an error that lists the available ones."""
    if not columns:
        raise BatchError("name at least one column to normalise", source=source)
    available = ", ".join(repr(h) for h in header) or "(none)"
    positions = []
    for column in columns:
        found = [i for i, h in enumerate(header) if h == column]
        if not found:
            close = difflib.get_close_matches(column, header, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise BatchError(f"no column {column!r}; {hint}the columns are {available}", source=source, line=1)
        if len(found) > 1:
            raise BatchError(f"the header has {len(found)} columns called {column!r}", source=source, line=1)
        positions.append(found[0])
    taken = set(header)
    for column in columns:
        for suffix in SUFFIXES:
            if column + suffix in taken:
                raise BatchError(f"the header already has a column {column + suffix!r} (normalised before?); "
                                 "rename it first", source=source, line=1)
    return positions


#: an exact name's score: the resolver's short way (the exact-alias read, no retrieval nor judge)
_EXACT_SCORE = "1.000"


def _places(entry: Entry) -> int:
    """The room an answer takes in :class:`AnswerCache`: one that names no entity shares its cells
    with every other such answer of the same score and status (only its value is its own); one
    that names an entity holds its own cells too, about three times the memory."""
    return 3 if entry[0][0] else 1


class AnswerCache:
    """The batch's answers by value, in bounded memory, kept apart by what asking again would cost.

    An exact name is answered the short way (one read of the exact alias); any other name takes
    the whole way (retrieval, the rule scores, the judge), about twenty times the work.  In one
    LRU, a stream of names seen once (a column of new names, each taking the whole way) and the
    many distinct exact names of a large file push out the names that took the whole way before
    they come round again; so each way has an LRU of its own, of half the places.  An answer that
    names no entity is held as the one shared tuple of its score and status (at most a few thousand
    such tuples), so it takes a third of the memory of one that names an entity (see
    :func:`_places`): about 280,000 places take the memory 100,000 answers of one LRU took.  The
    output does not depend on any of it: a value looked up again gets the same answer.
    """

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("the cache needs room for at least one value")
        half = max(1, capacity // 2)
        self._short: LruCache[Entry] = LruCache(half, _places)
        self._whole: LruCache[Entry] = LruCache(max(1, capacity - half), _places)
        self._shared: dict[Entry, Entry] = {}

    @property
    def evictions(self) -> int:
        """Values forgotten: while it is 0, every distinct value seen is still held."""
        return self._short.evictions + self._whole.evictions

    def __len__(self) -> int:
        return len(self._short) + len(self._whole)

    def get(self, value: str) -> Entry | None:
        found = self._short.get(value)
        return found if found is not None else self._whole.get(value)

    def put(self, value: str, entry: Entry) -> None:
        if not entry[0][0]:
            entry = self._shared.setdefault(entry, entry)  # (cells "", "", "", score, status)
        (self._short if entry[0][3] == _EXACT_SCORE else self._whole).put(value, entry)


@dataclass
class _Chunk:
    rows: list[list[str]]
    known: dict[str, Entry]                       # values already cached when the chunk was read
    later: list[tuple[str, Pending]]              # values an earlier chunk in flight resolves
    future: Pending                               # the values this chunk sent to be resolved
    bytes_read: int


class _Run:
    """The state of one batch: the cache, the in-flight chunks, the counts, and the writer."""

    def __init__(self, writer: Any, positions: list[int], width: int, lookup: Lookup,
                 cache_size: int, todo_limit: int) -> None:
        self.writer = writer
        self.positions = positions
        self.width = width
        self.lookup = lookup
        self.cache = AnswerCache(cache_size)
        self.pending: dict[str, Pending] = {}
        self.counts = [dict.fromkeys(("matched", "ambiguous", "unresolved", "empty", "too_long"), 0)
                       for _ in positions]
        self.todo = TopCounts(todo_limit) if todo_limit else None
        self.rows = self.ragged = self.lookups = 0

    def read(self, rows: list[list[str]], bytes_read: int) -> _Chunk:
        """Sort a chunk's distinct values into cached, in flight and to be resolved; send the last."""
        values: set[str] = set()
        for i in self.positions:
            values.update(row[i] for row in rows if i < len(row))
        known: dict[str, Entry] = {"": EMPTY}
        later = []
        missing = []
        for value in values:
            entry = EMPTY if not value.strip() else self.cache.get(value)
            if entry is not None:
                known[value] = entry
            elif value in self.pending:
                later.append((value, self.pending[value]))
            else:
                missing.append(value)
        missing.sort()  # a set's order varies between runs; the lookups should not
        future = self.lookup.submit(missing)
        for value in missing:
            self.pending[value] = future
        self.lookups += len(missing)
        return _Chunk(rows, known, later, future, bytes_read)

    def write(self, chunk: _Chunk) -> None:
        """Append the cells to each row of a chunk and write it; the chunks come in input order."""
        resolved = chunk.future.result()
        entries = chunk.known
        entries.update(resolved)
        for value, future in chunk.later:
            entries[value] = future.result()[value]
        for value, entry in resolved.items():
            self.cache.put(value, entry)
            if self.pending.get(value) is chunk.future:
                del self.pending[value]
        width, todo = self.width, self.todo
        pairs = list(zip(self.positions, self.counts, strict=True))
        for row in chunk.rows:
            extra: list[str] = []
            if len(row) != width:
                self.ragged += 1
                if len(row) < width:
                    row.extend([""] * (width - len(row)))
                else:
                    extra = row[width:]
                    del row[width:]
            for i, counts in pairs:
                value = row[i]
                cells, kind = entries[value]
                row.extend(cells)
                counts[kind] += 1
                if todo is not None and kind in _TODO:
                    todo.add(value, kind)
            if extra:
                row.extend(extra)
        self.writer.writerows(chunk.rows)
        self.rows += len(chunk.rows)


def _chunks(rows: Iterator[list[str]], size: int) -> Iterator[list[list[str]]]:
    while chunk := list(islice(rows, size)):
        yield chunk


def normalize_csv(source: IO[bytes], target: IO[str], *, resolver: Resolver, columns: Sequence[str],
                  type: str | None = None, encoding: str | None = None, delimiter: str | None = None,
                  sanitize: bool = True, workers: int = 1, source_name: str = "<input>",
                  progress: Progress | None = None, todo_limit: int = 0, cache_size: int = 280_000,
                  chunk_rows: int = 5_000, recycle_after: int = 25_000) -> BatchReport:
    """Append the resolved entity of each named column to every row of a CSV.

    Use it on files of any size: memory stays flat and each distinct value is resolved once (see
    the module docstring for the rules on empty, long and ragged cells and on the output format).
    Nothing is written to ``target`` before the header has been read and checked; the caller
    should still write to a temporary file and keep it only on success, as the CLI does.

    Args:
        source: the CSV, opened in binary mode.
        target: where the CSV goes, opened in text mode with ``newline=""``.
        resolver: the open store; with ``workers > 1`` each worker opens the same store again.
        columns: the header names of the columns to resolve, in the order their cells are appended.
        type: only consider entities of this type.
        encoding: the input's encoding; by default UTF-8 (a UTF-8 or UTF-16 byte-order mark is honoured).
        delimiter: one character; by default sniffed from the header line.
        sanitize: neutralise appended cells a spreadsheet would run as a formula.
        workers: processes resolving values; the output is the same for any number.
        source_name: the file name used in error messages.
        progress: called after each chunk with the rows written and the input bytes consumed.
        todo_limit: collect the unresolved and ambiguous values with their counts, at most this many.
        cache_size: places for the answers remembered (:class:`AnswerCache`: one or three an
            answer); values forgotten are looked up again when seen again.
        chunk_rows: rows read, resolved and written at a time.
        recycle_after: with several workers, values a worker resolves before a fresh process
            replaces it (the resolver's own caches grow with every distinct name a process sees).

    Returns:
        A :class:`BatchReport` with the counts, and the to-do list when asked for.

    Raises:
        BatchError: a missing or duplicated column, an empty file, bad CSV syntax; with the line.
        UndecodableInput: bytes invalid in the encoding, with the line.
        InvalidQuery: an unknown ``type``.
    """
    started = time.perf_counter()
    if type is not None:
        check_type(type)
    if workers < 1 or chunk_rows < 1:
        raise ValueError("workers and chunk_rows must be at least 1")
    reader = CsvSource(source, columns=columns, encoding=encoding, delimiter=delimiter, source=source_name)
    positions = _plan(reader.header, columns, source_name)
    added = [c + s for c in columns for s in SUFFIXES]
    if reader.bom:
        target.write("\ufeff")
    writer = csv.writer(target, delimiter=reader.delimiter, lineterminator="\r\n")
    writer.writerow([*reader.header, *(neutralize(a) if sanitize else a for a in added)])

    chunks = _chunks(iter(reader), chunk_rows)
    first = next(chunks, [])
    second = next(chunks, None)
    # a pool pays off only past one chunk; the output does not depend on it
    lookup = lookup_for(resolver, LookupOptions(type, sanitize), workers if second is not None else 1, recycle_after)
    run = _Run(writer, positions, len(reader.header), lookup, cache_size, todo_limit)
    try:
        in_flight: deque[_Chunk] = deque()
        for rows in _prepend(first, second, chunks):
            in_flight.append(run.read(rows, reader.bytes_read))
            while len(in_flight) >= lookup.window:
                _emit(run, in_flight.popleft(), progress)
        while in_flight:
            _emit(run, in_flight.popleft(), progress)
    except BrokenProcessPool as exc:
        raise BatchError(f"a worker process stopped unexpectedly ({exc})", source=source_name) from None
    finally:
        lookup.close()

    todo = run.todo.most_common() if run.todo is not None else []
    return BatchReport(
        rows=run.rows,
        columns=tuple(ColumnReport(c, n["matched"], n["ambiguous"], n["unresolved"] + n["empty"] + n["too_long"],
                                   n["empty"], n["too_long"]) for c, n in zip(columns, run.counts, strict=True)),
        lookups=run.lookups,
        cache_evictions=run.cache.evictions,
        ragged_rows=run.ragged,
        encoding=reader.encoding,
        delimiter=reader.delimiter,
        seconds=time.perf_counter() - started,
        todo=tuple(TodoItem(v, s, n) for v, s, n in todo),
        todo_max_error=run.todo.max_error if run.todo is not None else 0,
    )


def _prepend(first: list[list[str]], second: list[list[str]] | None,
             rest: Iterator[list[list[str]]]) -> Iterator[list[list[str]]]:
    if first:
        yield first
    if second is not None:
        yield second
        yield from rest


def _emit(run: _Run, chunk: _Chunk, progress: Progress | None) -> None:
    run.write(chunk)
    if progress is not None:
        progress(run.rows, chunk.bytes_read)
