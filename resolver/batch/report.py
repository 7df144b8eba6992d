"""The result types of a batch run (counts per column, the to-do list) and the to-do list's CSV writer."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from resolver.batch.lookup import neutralize

__all__ = ["BatchReport", "ColumnReport", "TodoItem", "write_todo"]


@dataclass(frozen=True, slots=True)
class ColumnReport:
    """Outcomes in one column; ``unresolved`` includes the ``empty`` and ``too_long`` cells."""

    column: str
    matched: int
    ambiguous: int
    unresolved: int
    empty: int
    too_long: int

    def to_dict(self) -> dict[str, Any]:
        return {"column": self.column, "matched": self.matched, "ambiguous": self.ambiguous,
                "unresolved": self.unresolved, "empty": self.empty, "too_long": self.too_long}


@dataclass(frozen=True, slots=True)
class TodoItem:
    """A distinct value the resolver did not match, with how often it occurs: a curator's to-do."""

    value: str
    status: str
    count: int

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "status": self.status, "count": self.count}


@dataclass(frozen=True, slots=True)
class BatchReport:
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

    def to_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "columns": [c.to_dict() for c in self.columns], "lookups": self.lookups,
                "cache_evictions": self.cache_evictions, "ragged_rows": self.ragged_rows,
                "encoding": self.encoding, "delimiter": self.delimiter, "seconds": self.seconds,
                "todo": [t.to_dict() for t in self.todo], "todo_max_error": self.todo_max_error}


def write_todo(items: Sequence[TodoItem], handle: IO[str], *, sanitize: bool = True) -> None:
    """Write a to-do list as CSV (``value,status,count``), in the order given (most frequent first).

    The values are copies of input cells in a file meant for a spreadsheet, so they are
    neutralised like the appended cells unless ``sanitize=False``.
    """
    writer = csv.writer(handle, lineterminator="\r\n")
    writer.writerow(("value", "status", "count"))
    writer.writerows((neutralize(t.value) if sanitize else t.value, t.status, t.count) for t in items)
