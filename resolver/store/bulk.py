"""Set-at-a-time writes for the bulk paths (source syncs, the index tables), fast on each database.

On SQLite a statement costs a function call, so a plain ``executemany`` is as good as anything.
On PostgreSQL each row of an ``executemany`` is a statement the server parses, plans and runs on
its own (psycopg pipelines them, but the server still does them one by one), which made a 500k
import take most of an hour.  Here the rows go in one statement per chunk instead: ``COPY`` for
plain inserts, and ``unnest`` of one array per column for inserts that skip existing keys,
additive updates and deletes.  Values pass through the columns' own SQLAlchemy bind processors,
so a row written here reads back exactly as one written through SQLAlchemy (JSON, timestamps).

All functions run on the caller's connection, inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, any_, bindparam, delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import QueryableAttribute

from resolver.store.dbapi import Raw

__all__ = ["add_to_columns", "among", "delete_rows", "insert_ignore", "insert_rows", "update_rows"]

#: rows per statement on PostgreSQL (arrays of this length; COPY streams regardless)
CHUNK = 20_000


def _pg(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def _chunks(rows: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def _cursor(conn: Connection) -> Any:
    """A DB-API cursor on the connection the caller's transaction runs on."""
    return conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]


def _processed(conn: Connection, table: Table, columns: Sequence[str],
               rows: Sequence[dict[str, Any]]) -> list[list[Any]]:
    """Each row's values in ``columns`` order, through the columns' bind processors (JSON and the like)."""
    procs = [(i, p) for i, c in enumerate(columns)
             if (p := table.c[c].type.dialect_impl(conn.dialect).bind_processor(conn.dialect)) is not None]
    out = [[r[c] for c in columns] for r in rows]
    for values in out if procs else ():
        for i, p in procs:
            values[i] = p(values[i])
    return out


def among(conn: Connection, attribute: ColumnElement[Any] | QueryableAttribute[Any], name: str) -> ColumnElement[bool]:
    """``column IN (the list bound as name)``: one array parameter on PostgreSQL (a statement that
    psycopg and the server parse once, whatever the list's length), an expanding IN elsewhere."""
    column = attribute.expression if isinstance(attribute, QueryableAttribute) else attribute
    if _pg(conn):
        return column == any_(bindparam(name, type_=postgresql.ARRAY(column.type)))
    return column.in_(bindparam(name, expanding=True))


def _array_types(conn: Connection, table: Table, columns: Sequence[str]) -> list[str]:
    return [table.c[c].type.compile(dialect=conn.dialect) + "[]" for c in columns]


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows (dicts with the same keys): ``COPY`` on PostgreSQL, ``executemany`` elsewhere
    (see :meth:`resolver.store.dbapi.Raw.insert`)."""
    if rows:
        columns = list(rows[0])
        Raw(conn).insert(f'"{table.name}"', columns, _processed(conn, table, columns, rows))


def _unnest(conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[dict[str, Any]],
            sql: str) -> None:
    """Run ``sql`` (with ``{names}`` and ``{source}``, an unnest of one array per column) per chunk."""
    names = ", ".join(f'"{c}"' for c in columns)
    arrays = ", ".join(f"%s::{t}" for t in _array_types(conn, table, columns))
    statement = sql.format(names=names, source=f"unnest({arrays}) AS d({names})")
    with _cursor(conn) as cur:
        for chunk in _chunks(rows, CHUNK):
            values = _processed(conn, table, columns, chunk)
            cur.execute(statement, [list(col) for col in zip(*values, strict=True)])


def insert_ignore(conn: Connection, table: Table, rows: Sequence[dict[str, Any]], index: Sequence[str]) -> None:
    """INSERT ... ON CONFLICT (index) DO NOTHING: rows whose key exists (a concurrent writer's) are skipped."""
    if not rows:
        return
    if not _pg(conn):
        stmt = sqlite.insert(table).on_conflict_do_nothing(index_elements=list(index))
        for chunk in _chunks(rows, 5000):
            conn.execute(stmt, list(chunk))
        return
    keys = ", ".join(f'"{c}"' for c in index)
    _unnest(conn, table, list(rows[0]), rows,
            f'INSERT INTO "{table.name}" ({{names}}) SELECT * FROM {{source}} ON CONFLICT ({keys}) DO NOTHING')


def add_to_columns(conn: Connection, table: Table, key: str, rows: Sequence[dict[str, Any]]) -> None:
    """``UPDATE table SET col = col + delta`` for each row (``{key: ..., col: delta, ...}``), matched on ``key``."""
    if not rows:
        return
    columns = [c for c in rows[0] if c != key]
    if not _pg(conn):
        stmt = (update(table).where(table.c[key] == bindparam("_key"))
                .values({c: table.c[c] + bindparam(f"_d_{c}") for c in columns}))
        params = [{"_key": r[key], **{f"_d_{c}": r[c] for c in columns}} for r in rows]
        for chunk in _chunks(params, 5000):
            conn.execute(stmt, list(chunk))
        return
    sets = ", ".join(f'"{c}" = t."{c}" + d."{c}"' for c in columns)
    _unnest(conn, table, [key, *columns], rows,
            f'UPDATE "{table.name}" AS t SET {sets} FROM {{source}} WHERE t."{key}" = d."{key}"')


def delete_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Delete the rows matching each dict on all its columns (a composite key)."""
    if not rows:
        return
    columns = list(rows[0])
    if not _pg(conn):
        where = [table.c[c] == bindparam(f"_k_{c}") for c in columns]
        params = [{f"_k_{c}": r[c] for c in columns} for r in rows]
        for chunk in _chunks(params, 5000):
            conn.execute(delete(table).where(*where), list(chunk))
        return
    match = " AND ".join(f't."{c}" = d."{c}"' for c in columns)
    _unnest(conn, table, columns, rows, f'DELETE FROM "{table.name}" AS t USING {{source}} WHERE {match}')


def update_rows(conn: Connection, table: Table, key: Sequence[str], rows: Sequence[dict[str, Any]]) -> None:
    """Set each row's other columns (dicts with the same keys) on the row matching it on the ``key`` columns."""
    if not rows:
        return
    columns = [c for c in rows[0] if c not in key]
    if not _pg(conn):
        stmt = (update(table).where(*[table.c[k] == bindparam(f"_k_{k}") for k in key])
                .values({c: bindparam(f"_v_{c}") for c in columns}))
        params = [{**{f"_k_{k}": r[k] for k in key}, **{f"_v_{c}": r[c] for c in columns}} for r in rows]
        for chunk in _chunks(params, 5000):
            conn.execute(stmt, list(chunk))
        return
    sets = ", ".join(f'"{c}" = d."{c}"' for c in columns)
    match = " AND ".join(f't."{k}" = d."{k}"' for k in key)
    _unnest(conn, table, [*key, *columns], rows, f'UPDATE "{table.name}" AS t SET {sets} FROM {{source}} WHERE {match}')
