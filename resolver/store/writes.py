"""The set-at-a-time writes of importers and list syncs, inside a caller's transaction.

:class:`~resolver.store.store.AliasStore` inherits them.  A CSV import, a list sync or a build
writes and removes entities and aliases only through these methods, so the derived state kept at
write time (the matching keys, the index tables, the entity count) stays current, as it does for
the store's one-at-a-time curation writes.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Future
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Integer, String, delete, func, select, update
from sqlalchemy.orm import Session

from resolver.store import bulk, postings
from resolver.store.derive import Derived, KeyPool, as_columns, derive, gc_paused
from resolver.store.loader import BATCH, EntityCheck, Loader, LoadRow, LoadTotals, update_always
from resolver.store.models import AliasRow, Base, EntityRow, MetaRow
from resolver.store.text_rules import check_text
from resolver.workers import check_stop

__all__ = ["BulkWrites", "bump_revision"]


def bump_revision(session: Session) -> None:
    """Increment the store's revision, which tells every process's caches that something changed."""
    session.execute(
        update(MetaRow)
        .where(MetaRow.key == "revision")
        .values(value=func.cast(func.cast(MetaRow.value, Integer) + 1, String))
    )


class BulkWrites:
    """Bulk writes for importers, each inside the caller's transaction (``session``)."""

    def bulk_load(self, session: Session, rows: Iterable[tuple[str, str, str, str, str, str, str]],
                  *, actor: str, entity_meta: dict[str, tuple[str, dict[str, str]]] | None = None,
                  now: datetime | None = None, check: EntityCheck = update_always, workers: int = 0) -> LoadTotals:
        """Insert (entity_id, name, type, alias, kind, source, note) rows inside a caller's transaction.

        The rows are read and written :data:`~resolver.store.loader.BATCH` at a time (an iterator of
        a million rows is never held whole).  Existing entities keep their id; one the rows give
        another name or type is updated (or refused: see ``check``); an alias the entity already
        has is skipped, so loading the same rows twice changes nothing.

        Args:
            entity_meta: description and external ids of new entities, by id.
            now: the timestamp to write (a fixed one makes a build reproducible).
            check: decides about an existing entity the rows disagree with (default: update it).
            workers: processes that compute the matching keys of the next batches while this one
                writes (0: compute them here; a load of one batch never starts a process).
        """
        now = now or datetime.now(UTC).replace(tzinfo=None)
        loader = Loader(session, actor=actor, now=now, entity_meta=entity_meta, check=check)
        try:
            pending: deque[tuple[list[LoadRow], Future[list[Derived]]]] = deque()
            with KeyPool(workers, batch=BATCH) as keys, gc_paused():
                batch: list[LoadRow] = []
                for row in rows:
                    batch.append(row)
                    if len(batch) < BATCH:
                        continue
                    check_stop()
                    pending.append((batch, keys.submit([r[3] for r in batch])))
                    batch = []
                    if len(pending) > keys.workers:  # the workers compute the next batches' keys meanwhile
                        done, derived = pending.popleft()
                        loader.load(done, derived.result())
                if batch:
                    pending.append((batch, keys.submit([r[3] for r in batch])))
                while pending:
                    done, derived = pending.popleft()
                    loader.load(done, derived.result())
            check_stop()  # (a stop a finaliser swallowed: nothing is committed)
            return loader.finish()
        finally:
            loader.close()

    def insert_entities(self, session: Session, rows: Sequence[dict[str, Any]]) -> None:
        """Insert entity rows (dicts of :class:`EntityRow` columns) in one statement."""
        for row in rows:
            check_text(row["name"], f"the name of {row['id']!r}")
        if rows:
            bulk.insert_rows(session.connection(), Base.metadata.tables["entity"], rows)
            postings.add_entity_count(session.connection(), len(rows))
            postings.add_people_count(session.connection(), sum(1 for row in rows if row["type"] == "person"
                                                                 and row.get("redirect_to") is None))

    def delete_entities(self, session: Session, entity_ids: Sequence[str]) -> None:
        """Delete entities that have no alias left and that nothing redirects to (the caller checks)."""
        if entity_ids:
            people = session.execute(select(func.count()).select_from(EntityRow).where(
                EntityRow.id.in_(entity_ids), EntityRow.type == "person", EntityRow.redirect_to.is_(None))).scalar()
            session.execute(delete(EntityRow).where(EntityRow.id.in_(entity_ids)))
            postings.add_people_count(session.connection(), -int(people or 0))
            postings.add_entity_count(session.connection(), -len(entity_ids))

    def insert_aliases(self, session: Session, rows: Sequence[tuple[str, str, str, str, str]],
                       *, now: datetime, new_entities: Iterable[str] = (),
                       derived: Mapping[str, Derived] | None = None) -> dict[tuple[str, str], int]:
        """Insert (entity_id, text, kind, source, note) rows in one statement, keys and index postings
        computed here.  The caller guarantees no (entity_id, text) pair exists yet.

        Args:
            new_entities: entities created in this transaction (they had no keys before).
            derived: the derived columns of some of the texts, computed ahead (by a
                :class:`~resolver.store.derive.KeyPool`); the others are computed here.

        Returns:
            the new alias id of each (entity_id, text)
        """
        if not rows:
            return {}
        for _, text, *_ in rows:
            check_text(text)
        conn = session.connection()
        before = postings.entity_keys(conn, {e for e, *_ in rows} - set(new_entities))
        values = [{"entity_id": e, "text": t, "kind": k, "source": s, "note": n, "created_at": now,
                   "updated_at": now, **as_columns(derived[t] if derived and t in derived else derive(t))}
                  for e, t, k, s, n in rows]
        # Set-at-a-time (COPY on PostgreSQL, not RETURNING, whose one-off giant statements psycopg
        # parses each time), then the new rows read back by id.
        last = conn.execute(select(func.max(AliasRow.id))).scalar() or 0
        bulk.insert_rows(conn, Base.metadata.tables["alias"], values)
        ours = {(e, t) for e, t, *_ in rows}
        inserted = [r for r in conn.execute(
            select(AliasRow.id, AliasRow.entity_id, AliasRow.text, AliasRow.normalized, AliasRow.keys,
                   AliasRow.acronym).where(AliasRow.id > last).order_by(AliasRow.id)) if (r[1], r[2]) in ours]
        postings.index_aliases(conn, [(i, e, n, k, c) for i, e, _t, n, k, c in inserted], before)
        return {(e, t): i for i, e, t, _n, _k, _c in inserted}

    def delete_aliases(self, session: Session, alias_ids: Sequence[int]) -> None:
        """Delete aliases by id with their index postings (what points at them, such as source
        ownership, goes with them)."""
        conn = session.connection()
        for start in range(0, len(alias_ids), 500):
            chunk = alias_ids[start:start + 500]
            rows = conn.execute(select(AliasRow.id, AliasRow.entity_id, AliasRow.normalized, AliasRow.keys,
                                       AliasRow.acronym).where(AliasRow.id.in_(chunk))).all()
            entities = {e for _, e, *_ in rows}
            before = postings.entity_keys(conn, entities)
            postings.unindex_aliases(conn, [(i, e, n, k, c) for i, e, n, k, c in rows])
            session.execute(delete(AliasRow).where(AliasRow.id.in_(chunk)))
            postings.adjust_df(conn, before, postings.entity_keys(conn, entities))

    def record_many(self, session: Session, actor: str,
                    changes: Sequence[tuple[str, str, dict[str, Any] | None, dict[str, Any] | None]],
                    *, now: datetime) -> None:
        """Append (action, entity_id, before, after) history rows in one statement and bump the revision once."""
        if not changes:
            return
        bulk.insert_rows(session.connection(), Base.metadata.tables["history"], [
            {"at": now, "actor": actor, "action": a, "entity_id": e, "before": b, "after": f} for a, e, b, f in changes
        ])
        bump_revision(session)
