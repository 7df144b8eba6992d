"""Engine and session factory construction, SQLite pragmas, and the schema-version check."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event, inspect, make_url, select
from sqlalchemy.exc import DatabaseError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from resolver.errors import SchemaMismatch, StoreUnavailable
from resolver.store.migrations import SCHEMA_VERSION, migrate
from resolver.store.models import Base, MetaRow

__all__ = [
    "SCHEMA_VERSION", "check_schema", "init_db", "make_engine", "make_session_factory", "one_line", "sqlite_path",
]



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


def one_line(exc: BaseException) -> str:
    """A driver's error message on one line (psycopg's span several)."""
    detail = getattr(exc, "orig", None) or exc
    return "; ".join(part.strip() for part in str(detail).splitlines() if part.strip())


def make_engine(url: str | URL) -> Engine:
    """An engine for any SQLAlchemy URL; SQLite files get WAL and a busy timeout.

    ``postgresql://`` means psycopg 3 (the ``[postgres]`` extra), not SQLAlchemy's default psycopg2.

    Raises:
        StoreUnavailable: the URL's database driver is not installed.
    """
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    try:
        engine = create_engine(parsed, future=True)
    except (ImportError, NoSuchModuleError) as exc:
        hint = (" (pip install 'arabic-alias-resolver[postgres]' and use postgresql+psycopg://)"
                if parsed.get_backend_name() == "postgresql" else "")
        raise StoreUnavailable(f"no database driver for {parsed.drivername}{hint}: {one_line(exc)}") from exc
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
            session.add(MetaRow(key="entity_count", value="0"))
            session.add(MetaRow(key="people_count", value="0"))


def check_schema(engine: Engine, *, create: bool) -> list[int]:
    """Make sure the store speaks this code's schema, migrating an older one.

    Args:
        create: create the tables when the database is empty (a new store).

    Returns:
        The schema versions the store was migrated through (empty when it was current).

    Raises:
        SchemaMismatch: the database holds other tables, or a newer schema than this code.
    """
    try:
        tables = set(inspect(engine).get_table_names())
    except OperationalError as exc:
        raise StoreUnavailable(
            f"cannot open the store {engine.url.render_as_string(hide_password=True)}: {one_line(exc)}"
        ) from exc
    except DatabaseError as exc:
        raise SchemaMismatch(
            f"{engine.url.render_as_string(hide_password=True)} is not a readable database: {exc.orig}"
        ) from exc
    if not tables:
        if not create:
            raise SchemaMismatch(f"{engine.url.render_as_string(hide_password=True)} holds no alias store; "
                                 "run `resolver build` or `resolver import` to create one")
        init_db(engine)
        return []
    if "meta" not in tables or "entity" not in tables:
        raise SchemaMismatch("the database is not an alias store (no meta/entity tables); refusing to touch it")
    with sessionmaker(engine)() as session:
        row = session.execute(select(MetaRow).where(MetaRow.key == "schema_version")).scalar_one_or_none()
        version = int(row.value) if row else 0
    if version > SCHEMA_VERSION:
        raise SchemaMismatch(
            f"the store has schema version {version}, newer than this resolver's {SCHEMA_VERSION}; upgrade the resolver"
        )
    return migrate(engine, version)
