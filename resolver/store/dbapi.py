"""Statements straight to the DB-API cursor of a SQLAlchemy connection, inside its transaction.

Bulk writes (an import of a million aliases, the index postings of each batch) send many rows
through one prepared statement with ``executemany``; going through SQLAlchemy's Core or ORM would
spend most of the time building and processing parameters row by row.  Values that need a
column's conversion (datetimes on SQLite, JSON) are converted once with the column's own bind
processor, so what lands in the database is exactly what SQLAlchemy would have written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import Column, Connection

__all__ = ["Raw"]

_CHUNK = 500


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


class Raw:
    """The DB-API cursor of ``conn`` (``?`` placeholders become ``%s`` for psycopg).

    The caller's SQLAlchemy session must be flushed first: statements sent here do not flush it.
    """

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.dialect = conn.dialect
        self._cursor = conn.connection.cursor()
        self._mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"

    def _sql(self, sql: str) -> str:
        return sql if self._mark == "?" else sql.replace("?", self._mark)

    def insert(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Append rows to a table: ``executemany`` on SQLite, ``COPY`` on PostgreSQL (one stream
        instead of a statement per row, which the server would otherwise run one by one)."""
        if not rows:
            return
        names = ", ".join(f'"{c}"' for c in columns)
        if self.dialect.name == "postgresql":
            with self._cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        self.many(f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})", rows)

    def many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """One statement for many rows of parameters."""
        if rows:
            self._cursor.executemany(self._sql(sql), rows)

    def run(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """One statement; its rows (none for a write)."""
        self._cursor.execute(self._sql(sql), tuple(params))
        return list(self._cursor.fetchall()) if self._cursor.description else []

    def rows_in(self, sql: str, items: Iterable[Any]) -> list[Any]:
        """``sql`` with ``(?*)`` standing for the items, run over chunks of them (each item once)."""
        out: list[Any] = []
        for chunk in _chunks(sorted(set(items))):
            out.extend(self.run(sql.replace("(?*)", "(" + ", ".join("?" * len(chunk)) + ")"), chunk))
        return out

    def converter(self, column: Column[Any]) -> Callable[[Any], Any]:
        """What SQLAlchemy does to a value of ``column`` before handing it to this driver."""
        process = column.type.dialect_impl(self.dialect).bind_processor(self.dialect)
        return process if process is not None else _same


def _same(value: Any) -> Any:
    return value
