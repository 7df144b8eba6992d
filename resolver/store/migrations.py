"""Ordered schema migrations: each step takes a store from version N to N+1 in one transaction.

A store written by an older release is migrated when it is opened (or by ``resolver migrate``);
a store newer than this code is refused, never rewritten.  A step that fails rolls back whole,
so a store is never left between two versions.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import cast

from sqlalchemy import Connection, Engine, Table, bindparam, inspect, select, text, update
from sqlalchemy.exc import OperationalError

from resolver.errors import SchemaMismatch
from resolver.matching.skeletons import coarse
from resolver.store import postings
from resolver.store.models import (
    AliasRow,
    MergeProposalRow,
    MetaRow,
    NearRow,
    PostingRow,
    ReviewRow,
    SourceAliasRow,
    SourceRecordRow,
    SourceRow,
    TokenRow,
)

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "migrate"]

log = logging.getLogger(__name__)


def _v1_to_v2(conn: Connection) -> None:
    """The candidate index moves into the store: the alias's flat key and the index tables."""
    conn.execute(text("ALTER TABLE alias ADD COLUMN flat TEXT NOT NULL DEFAULT ''"))
    conn.execute(text("CREATE INDEX ix_alias_flat ON alias (flat)"))
    for model in (TokenRow, PostingRow, NearRow):
        cast(Table, model.__table__).create(conn)
    rows = conn.execute(select(AliasRow.id, AliasRow.normalized, AliasRow.keys)).all()
    flats = [{"i": i, "f": "".join(coarse(k) for k in keys.split(" ")) if normalized else ""}
             for i, normalized, keys in rows]
    if flats:
        table = cast(Table, AliasRow.__table__)
        conn.execute(table.update().where(table.c.id == bindparam("i")).values(flat=bindparam("f")), flats)
    conn.execute(cast(Table, MetaRow.__table__).insert(), {"key": "entity_count", "value": "0"})
    postings.reindex(conn)


def _v2_to_v3(conn: Connection) -> None:
    """External lists (sources): which source record wrote which entity and alias."""
    for model in (SourceRow, SourceRecordRow, SourceAliasRow):
        cast(Table, model.__table__).create(conn)


def _v3_to_v4(conn: Connection) -> None:
    """The curators' review queue (#12): one table, empty."""
    cast(Table, ReviewRow.__table__).create(conn, checkfirst=True)


def _v4_to_v5(conn: Connection) -> None:
    """Each token key counts how many people hold it (the judge's "a word of other kinds of names"),
    so the first lookup no longer reads every alias of the store to learn it."""
    if "people" not in {c["name"] for c in inspect(conn).get_columns("ix_token")}:  # 1->2 made today's table
        conn.execute(text("ALTER TABLE ix_token ADD COLUMN people INTEGER NOT NULL DEFAULT 0"))
    conn.execute(text(
        "UPDATE ix_token SET people = (SELECT count(DISTINCT a.entity_id) FROM ix_posting p "
        "JOIN alias a ON a.id = p.alias_id JOIN entity e ON e.id = a.entity_id "
        "WHERE p.token_id = ix_token.id AND e.type = 'person') WHERE n > 0"))


def _v5_to_v6(conn: Connection) -> None:
    """Merge proposals (``resolver xref --queue``) wait for a curator in their own table."""
    cast(Table, MergeProposalRow.__table__).create(conn, checkfirst=True)


def _v6_to_v7(conn: Connection) -> None:
    """The store's count of live people (``people_count``) is kept in meta beside ``entity_count``,
    so the judge reads the store's share of people without counting it after every write."""
    postings.count_people(conn)


#: version N -> the step to N + 1.  Assigned numbers: 1->2 the index (#9), 2->3 sources (#15),
#: 3->4 web/review (#12), 4->5 token kinds (#9), 5->6 merge proposals (#15), 6->7 people count (#9).
MIGRATIONS: dict[int, Callable[[Connection], None]] = {
    1: _v1_to_v2, 2: _v2_to_v3, 3: _v3_to_v4, 4: _v4_to_v5, 5: _v5_to_v6, 6: _v6_to_v7,
}

#: the schema this code writes; bump it with a new step in MIGRATIONS
SCHEMA_VERSION = 7


def _stamp(conn: Connection, version: int) -> None:
    conn.execute(update(MetaRow).where(MetaRow.key == "schema_version").values(value=str(version)))


def migrate(engine: Engine, version: int) -> list[int]:
    """Bring a store at ``version`` to :data:`SCHEMA_VERSION`; returns the versions it went through.

    Raises:
        SchemaMismatch: no step from ``version``, or the store cannot be written (read-only).
    """
    where = engine.url.render_as_string(hide_password=True)
    done: list[int] = []
    while version < SCHEMA_VERSION:
        step = MIGRATIONS.get(version)
        if step is None:
            raise SchemaMismatch(f"no migration from schema version {version}; rebuild the store")
        log.warning("migrating the store %s from schema version %d to %d ...", where, version, version + 1)
        started = time.perf_counter()
        try:
            with engine.begin() as conn:
                found = conn.execute(select(MetaRow.value).where(MetaRow.key == "schema_version")).scalar()
                if int(found or 0) == version:  # another process may have migrated it meanwhile
                    step(conn)
                    _stamp(conn, version + 1)
        except OperationalError as exc:
            raise SchemaMismatch(
                f"the store {where} has schema version {version} and must be migrated to {SCHEMA_VERSION}, "
                f"but it cannot be written ({exc.orig}); run `resolver migrate --db ...` with write access"
            ) from exc
        log.warning("migrated the store %s to schema version %d in %.1f s", where, version + 1,
                    time.perf_counter() - started)
        version += 1
        done.append(version)
    return done
