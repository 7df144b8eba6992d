"""The result types of a batch run (counts per column, the to-do list) and the to-do list's CSV writer."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO

from resolver.batch.lookup import neutralize
from resolver.results import Shape

__all__ = ["BatchReport", "ColumnReport", "TodoItem", "write_todo"]


@dataclass(frozen=True, slots=True)
class ColumnReport(Shape):
    """Outcomes in one column; ``unresolved`` includes the ``empty`` and ``too_long`` cells."""

    column: str
    matched: int
    ambiguous: int
    unresolved: int
    empty: int
    too_long: int


@dataclass(frozen=True, slots=True)
class TodoItem(Shape):
    """A distinct value the resolver did not match, with how often it occurs: a curator's to-do."""

    value: str
    status: str
    count: int


@dataclass(frozen=True, slots=True)
class BatchReport(Shape):
    """What a batch run did.

    ``lookups`` is the number of distinct values resolved; it is the number of distinct non-empty
    values in the named columns while ``cache_evictions`` is 0.  ``todo`` is empty unless a
    ``todo_limit`` was given; its counts are exact while ``todo_max_error`` is 0, else each may be
    too high by at most that much.
    """

    rows: int
    columns: tuple[ColumnReport, ...]
    lookups: int
    cache_evictions: int
    ragged_rows: int
    encoding: str
    delimiter: str
    seconds: float
    todo: tuple[TodoItem, ...] = field(default=())
    todo_max_error: int = 0


def write_todo(items: Sequence[TodoItem], handle: IO[str], *, sanitize: bool = True) -> None:
    """Write a to-do list as CSV (``value,status,count``), in the order given (most frequent first).

    The values are copies of input cells in a file meant for a spreadsheet, so they are
    neutralised like the appended cells unless ``sanitize=False``.
    """
    writer = csv.writer(handle, lineterminator="\r\n")
    writer.writerow(("value", "status", "count"))
    writer.writerows((neutralize(t.value) if sanitize else t.value, t.status, t.count) for t in items)
