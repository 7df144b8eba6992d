"""Engine and session factory construction, SQLite pragmas, and the schema-version check."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event, inspect, select, update
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session, sessionmaker

from resolver.errors import SchemaMismatch
from resolver.store.models import Base, MetaRow, ReviewRow

__all__ = ["SCHEMA_VERSION", "check_schema", "init_db", "make_engine", "make_session_factory", "sqlite_path"]

#: bump when the tables change, and add a step to ``_MIGRATIONS``
SCHEMA_VERSION = 2


def _add_review_queue(conn: Any) -> None:
    """The review queue's table (issue #12; assigned step 3->4, numbered here after the last step on main)."""
    ReviewRow.__table__.create(conn, checkfirst=True)  # type: ignore[attr-defined]


# Ordered migrations: version N -> N+1, each a function of a connection, run in one transaction
# with the new version stamp.  A store newer than this code is refused, never rewritten.
_MIGRATIONS: dict[int, Callable[[Any], None]] = {1: _add_review_queue}


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    if isinstance(dbapi_conn, sqlite3.Connection):
        cur = dbapi_conn.cursor()
        # The busy timeout makes a second writer wait for the lock instead of failing at once.
        # (WAL is chosen once, when a store is created: opening a file must never rewrite it.)
        cur.execute("PRAGMA busy_timeout=10000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()


def sqlite_path(url: URL) -> Path | None:
    """The file behind an SQLite URL, plain ("sqlite:///x.db") or URI form
    ("sqlite:///file:x.db?mode=ro&uri=true"); None for other databases and in-memory ones."""
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    database = url.database
    if database.startswith("file:"):
        database = database.removeprefix("file:").split("?", 1)[0]
        if not database or database == ":memory:" or url.query.get("mode") == "memory":
            return None
    return Path(database).resolve()


def make_engine(url: str) -> Engine:
    """An engine for any SQLAlchemy URL; SQLite files get WAL and a busy timeout."""
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def init_db(engine: Engine) -> None:
    """Create the tables of an empty store and stamp its schema version."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            # WAL lets readers in other processes go on while one process writes.
            conn.exec_driver_sql("PRAGMA journal_mode=WAL")
    Base.metadata.create_all(engine)
    with sessionmaker(engine).begin() as session:
        if session.get(MetaRow, "schema_version") is None:
            session.add(MetaRow(key="schema_version", value=str(SCHEMA_VERSION)))
            session.add(MetaRow(key="revision", value="0"))


def check_schema(engine: Engine, *, create: bool) -> None:
    """Make sure the store speaks this code's schema, migrating an older one.

    Args:
        create: create the tables when the database is empty (a new store).

    Raises:
        SchemaMismatch: the database holds other tables, or a newer schema than this code.
    """
    try:
        tables = set(inspect(engine).get_table_names())
    except DatabaseError as exc:
        raise SchemaMismatch(
            f"{engine.url.render_as_string(hide_password=True)} is not a readable database: {exc.orig}"
        ) from exc
    if not tables:
        if not create:
            raise SchemaMismatch(f"{engine.url.render_as_string(hide_password=True)} holds no alias store; "
                                 "run `resolver build` or `resolver import` to create one")
        init_db(engine)
        return
    if "meta" not in tables or "entity" not in tables:
        raise SchemaMismatch("the database is not an alias store (no meta/entity tables); refusing to touch it")
    with sessionmaker(engine)() as session:
        row = session.execute(select(MetaRow).where(MetaRow.key == "schema_version")).scalar_one_or_none()
        version = int(row.value) if row else 0
    if version > SCHEMA_VERSION:
        raise SchemaMismatch(
            f"the store has schema version {version}, newer than this resolver's {SCHEMA_VERSION}; upgrade the resolver"
        )
    while version < SCHEMA_VERSION:
        step = _MIGRATIONS.get(version)
        if step is None:
            raise SchemaMismatch(f"no migration from schema version {version}; rebuild the store")
        with engine.begin() as conn:
            step(conn)
            conn.execute(update(MetaRow).where(MetaRow.key == "schema_version").values(value=str(version + 1)))
        version += 1
