"""Loading many rows into a store in one transaction, batch after batch, with bounded memory.

A :class:`Loader` takes ``(entity_id, name, type, alias, kind, source, note)`` rows in batches
(an import file of a million aliases is read and written a batch at a time, never held whole)
and writes, for each batch, the new entities with their ``create`` history, the new aliases with
their matching keys, and their index postings, each in one ``executemany`` (SQLite) or ``COPY``
(PostgreSQL) straight to the DB-API cursor (see :mod:`resolver.store.dbapi`).  What it remembers
between batches is bounded by the vocabulary, not by the rows: whether an entity or alias already
exists is asked of the database, batch by batch.  :meth:`Loader.finish` writes the token counts,
the entity count and the revision.

The caller owns the transaction: an error anywhere rolls back every batch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.orm import Session

from resolver.store import postings
from resolver.store.dbapi import Raw
from resolver.store.derive import Derived
from resolver.store.models import AliasRow, EntityRow, HistoryRow
from resolver.store.text_rules import check_text

__all__ = ["BATCH", "EntityCheck", "LoadRow", "LoadTotals", "Loader", "update_always"]

#: rows per batch: large enough that statement overhead vanishes, small enough to keep memory flat
BATCH = 20_000

#: SQLite page cache during a load, in KiB
_CACHE_KIB = 64 * 1024

LoadRow = tuple[str, str, str, str, str, str, str]
"""(entity_id, name, type, alias text, alias kind, alias source, alias note)."""

EntityCheck = Callable[[str, tuple[str, str, str | None], tuple[str, str]], bool]
"""Called for an entity the store already holds when the rows disagree with it (another name or
type, or a redirect): (entity id, (stored name, type, redirect_to), (name, type) in the rows).
Returns whether to update the entity; raises to refuse the whole load."""

_ENTITY = cast(Table, EntityRow.__table__)
_ALIAS = cast(Table, AliasRow.__table__)
_HISTORY = cast(Table, HistoryRow.__table__)


def update_always(_entity_id: str, stored: tuple[str, str, str | None], _wanted: tuple[str, str]) -> bool:
    """The default check: a live entity takes the rows' name and type; a merged one is left as it is."""
    return stored[2] is None


@dataclass(frozen=True, slots=True)
class LoadTotals:
    entities_created: int
    aliases_created: int
    entities_updated: int


class Loader:
    """Writes batches of rows into the store inside the caller's session (see the module text).

    Args:
        actor: recorded in the history rows.
        now: the timestamp written on new rows (a fixed one makes a build reproducible).
        entity_meta: description and external ids of new entities, by id.
        check: what to do with an existing entity the rows disagree with (default: update it).
    """

    def __init__(self, session: Session, *, actor: str, now: datetime,
                 entity_meta: dict[str, tuple[str, dict[str, str]]] | None = None,
                 check: EntityCheck = update_always) -> None:
        session.flush()
        conn = session.connection()
        self._sql = Raw(conn)
        self._index = postings.IndexWriter(conn)
        self._meta = entity_meta or {}
        self._check = check
        self._actor = actor
        self._at = self._sql.converter(_ENTITY.c.created_at)(now)
        self._json = self._sql.converter(_HISTORY.c.after)
        self._entity_json = self._sql.converter(_ENTITY.c.external_ids)
        self._history_at = self._sql.converter(_HISTORY.c.at)(now)
        self.created = self.aliases = self.updated = 0
        self.created_people = 0
        self._cache: int | None = None
        if self._sql.dialect.name == "postgresql":
            # The tables grow inside this one transaction, unseen by autovacuum: the planner goes on
            # thinking them empty and answers each batch's lookups by id with a sequential scan of
            # everything loaded so far (quadratic; 15 of 32 s at 100k rows).  Every statement of a
            # load is a lookup by key, so the indexes are always the right plan.
            self._sql.run("SET LOCAL enable_seqscan = off")
        if self._sql.dialect.name == "sqlite":
            # The batches insert all over the postings and alias indexes: with SQLite's default 2 MB
            # page cache every batch would write and read back most of the pages it touches.
            self._cache = self._sql.run("PRAGMA cache_size")[0][0]
            self._sql.run(f"PRAGMA cache_size = {-_CACHE_KIB}")

    def close(self) -> None:
        """Give the connection back its own page cache size (the load may have failed).

        A stop signal's exception (:mod:`resolver.workers`) raised inside a statement makes
        SQLAlchemy invalidate the connection, which closes it: there is nothing left to restore
        then, and trying would replace the stop's exit with a traceback."""
        if self._cache is not None and not self._sql.conn.invalidated:
            self._sql.run(f"PRAGMA cache_size = {int(self._cache)}")
        self._cache = None

    def load(self, rows: Sequence[LoadRow], derived: Sequence[Derived]) -> None:
        """Write one batch: new entities, entity updates, new aliases and their postings.

        Args:
            derived: the columns of each row's alias (:func:`resolver.store.derive.derive_many`).
        """
        wanted: dict[str, tuple[str, str]] = {}
        for entity_id, name, type_, text, *_ in rows:
            check_text(text)
            if wanted.setdefault(entity_id, (name, type_)) != (name, type_):
                raise ValueError(f"entity {entity_id!r} has two names or types in one load")
        stored = {i: (n, t, r) for i, n, t, r in self._sql.rows_in(
            "SELECT id, name, type, redirect_to FROM entity WHERE id IN (?*)", wanted)}
        people = self._write_entities(wanted, stored)
        have = {(e, t) for e, t in self._sql.rows_in("SELECT entity_id, text FROM alias WHERE entity_id IN (?*)",
                                                    stored)} if stored else set()
        new: list[tuple[LoadRow, Derived]] = []
        for row, cols in zip(rows, derived, strict=True):
            if (row[0], row[3]) not in have:
                have.add((row[0], row[3]))
                new.append((row, cols))
        if new:
            self._write_aliases(new, {row[0] for row, _ in new if row[0] in stored}, people)

    def finish(self) -> LoadTotals:
        """Write the token counts, the live entity and people counts and one revision bump; the totals of the load."""
        self._index.finish()
        for key, delta in (("entity_count", self.created), ("people_count", self.created_people),
                           ("revision", int(bool(self.created or self.aliases or self.updated)))):
            if delta:
                self._sql.run("UPDATE meta SET value = CAST(CAST(value AS INTEGER) + ? AS VARCHAR) WHERE key = ?",
                              (delta, key))
        return LoadTotals(self.created, self.aliases, self.updated)

    # --- internals -------------------------------------------------------------------------

    def _write_entities(self, wanted: dict[str, tuple[str, str]],
                        stored: dict[str, tuple[str, str, str | None]]) -> set[str]:
        """Insert the new entities, update the changed ones; which entities of the batch are people."""
        people: set[str] = set()
        entities: list[tuple[Any, ...]] = []
        history: list[tuple[Any, ...]] = []
        updates: list[tuple[Any, ...]] = []
        for entity_id, (name, type_) in wanted.items():
            old = stored.get(entity_id)
            if old is None:
                check_text(name, f"the name of {entity_id!r}")
                description, external_ids = self._meta.get(entity_id, ("", {}))
                entities.append((entity_id, name, type_, description, self._entity_json(dict(external_ids)),
                                 self._at, self._at))
                history.append((self._history_at, self._actor, "create", entity_id, self._json(None),
                                self._json({"id": entity_id, "name": name, "type": type_})))
            elif (old[0], old[1], old[2]) != (name, type_, None) and self._check(entity_id, old, (name, type_)):
                check_text(name, f"the name of {entity_id!r}")
                postings.retype(self._sql.conn, entity_id, old[1] == "person", type_ == "person")
                updates.append((name, type_, self._at, entity_id))
                history.append((self._history_at, self._actor, "update", entity_id,
                                self._json({"name": old[0], "type": old[1]}),
                                self._json({"name": name, "type": type_})))
            else:
                type_ = old[1]  # unchanged (or merged away and left as it is)
            if type_ == "person":
                people.add(entity_id)
        self._sql.insert("entity", ("id", "name", "type", "description", "external_ids", "created_at", "updated_at"),
                         entities)
        self._sql.many("UPDATE entity SET name = ?, type = ?, updated_at = ? WHERE id = ?", updates)
        self._sql.insert("history", ("at", "actor", "action", "entity_id", "before", "after"), history)
        self.created += len(entities)
        self.created_people += sum(1 for e in entities if e[2] == "person")
        self.updated += len(updates)
        return people

    def _write_aliases(self, new: list[tuple[LoadRow, Derived]], existing: set[str], people: set[str]) -> None:
        """Insert the aliases, read their ids back, and post them (``existing``: entities that had aliases)."""
        values = [(entity_id, text, *cols, kind, source, note, self._at, self._at)
                  for (entity_id, _name, _type, text, kind, source, note), cols in new]
        before = postings.entity_keys(self._sql.conn, existing) if existing else {}
        last = self._sql.run("SELECT max(id) FROM alias")[0][0] or 0
        self._sql.insert("alias", ("entity_id", "text", "normalized", "keys", "flat", "acronym", "script", "kind",
                                   "source", "note", "created_at", "updated_at"), values)
        ours = {(v[0], v[1]): v for v in values}
        posted: list[postings.Posted] = []
        for alias_id, entity_id, text in self._sql.run(
                "SELECT id, entity_id, text FROM alias WHERE id > ? ORDER BY id", (last,)):
            v = ours.get((entity_id, text))
            if v is not None:
                posted.append((alias_id, entity_id, v[2], v[3], v[5]))
        self._index.post(posted, before, people)
        self.aliases += len(values)
