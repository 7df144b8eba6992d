"""Adding up the parts of a distributed batch run: their counts and to-do lists, and their progress."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from resolver.batch.partition import Part, PartResult

__all__ = ["Merged", "PartsProgress", "Progress"]

_KINDS = ("matched", "ambiguous", "unresolved", "empty", "too_long")

#: called as the rows get done with (rows done, input bytes they stand for, input bytes in all)
Progress = Callable[[int, int, int], None]


class Merged:
    """The counts of the parts written so far, added up; the to-do counts exactly."""

    def __init__(self, columns: int, cache_size: int) -> None:
        self.rows = self.ragged = self.lookups = 0
        self.counts = [dict.fromkeys(_KINDS, 0) for _ in range(columns)]
        self.todo: dict[str, list[Any]] = {}
        self.distinct: set[bytes] | None = set()
        self._cache_size = cache_size

    def add(self, result: PartResult) -> None:
        self.rows += result.rows
        self.ragged += result.ragged
        self.lookups += result.lookups
        for total, counts in zip(self.counts, result.counts, strict=True):
            for kind, n in counts.items():
                total[kind] += n
        for value, status, count in result.todo:
            entry = self.todo.get(value)
            if entry is None:
                self.todo[value] = [status, count]
            else:
                entry[1] += count
        if self.distinct is not None:
            if result.distinct is None:
                self.distinct = None
            else:
                self.distinct |= result.distinct
                if len(self.distinct) > self._cache_size:
                    self.distinct = None


class PartsProgress:
    """Rows done per part (from the workers' events while running, exact once written), summed for the bar."""

    def __init__(self, parts: Sequence[Part], progress: Progress | None) -> None:
        self._progress = progress
        self._rows: dict[int, int] = {}
        self._sizes = {p.index: p.end - p.start for p in parts}
        self._total = sum(self._sizes.values())
        self._done: set[int] = set()
        self._lock = threading.Lock()

    def event(self, event: tuple[float, tuple[int, int]]) -> None:
        index, rows = event[1]
        with self._lock:
            if index not in self._done:
                self._rows[index] = max(rows, self._rows.get(index, 0))
        self._tell()

    def done(self, index: int, rows: int, size: int) -> None:
        with self._lock:
            self._rows[index] = rows
            self._sizes[index] = size
            self._done.add(index)
        self._tell()

    def _tell(self) -> None:
        if self._progress is None:
            return
        with self._lock:
            rows = sum(self._rows.values())
            # bytes behind the rows counted: whole parts written, a share of the others
            done = sum(self._sizes[i] for i in self._done)
            rows_done = sum(self._rows[i] for i in self._done)
            if rows_done:
                done += round((rows - rows_done) * done / rows_done)
            self._progress(rows, done, self._total)
