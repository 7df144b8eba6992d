"""AliasStore: every read and write of entities, aliases and their history goes through it.

Writes run in one transaction each, record a history row, and bump the store's revision so that
every process's caches know to refresh.  Derived state is written here, at write time, in the same
transaction: the matching keys (by :mod:`resolver.matching.normalize`) and the candidate index
tables (by :mod:`resolver.store.postings`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from resolver.errors import AliasConflict, AliasNotFound, EntityNotFound, InvalidQuery
from resolver.matching.normalize import KEYS_VERSION, normalize_name
from resolver.results import AliasKind, AliasRecord, EntityRecord, EntityType, HistoryRecord
from resolver.store import bulk, postings
from resolver.store.derive import alias_columns, as_columns, derive_many, gc_paused
from resolver.store.models import AliasRow, Base, EntityRow, HistoryRow, MetaRow
from resolver.store.text_rules import check_text
from resolver.store.writes import BulkWrites, bump_revision

__all__ = ["ID_PATTERN", "AliasStore", "check_id", "check_kind", "check_type"]

_TYPES = frozenset(t.value for t in EntityType)
_KINDS = frozenset(k.value for k in AliasKind)
_SLUG_RE = re.compile(r"[^a-z0-9]+")
#: what an entity id may be: letters, digits and . _ : - (not first), at most 200 characters
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$"
_ID_RE = re.compile(ID_PATTERN)
#: aliases re-keyed per statement when the normaliser changed
_REKEY_BATCH = 20_000


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _iso(dt: datetime) -> str:
    return dt.isoformat(timespec="seconds") + "Z"


def check_type(value: str) -> str:
    if value not in _TYPES:
        raise InvalidQuery(f"unknown entity type {value!r}; use one of {', '.join(sorted(_TYPES))}")
    return value


def check_kind(value: str) -> str:
    if value not in _KINDS:
        raise InvalidQuery(f"unknown alias kind {value!r}; use one of {', '.join(sorted(_KINDS))}")
    return value


def check_id(value: str) -> str:
    if not _ID_RE.fullmatch(value):
        raise InvalidQuery(f"invalid entity id {value!r}: letters, digits and . _ : - only, at most 200")
    return value


def _posted(row: AliasRow) -> postings.Posted:
    return row.id, row.entity_id, row.normalized, row.keys, row.acronym


def _alias_record(row: AliasRow) -> AliasRecord:
    return AliasRecord(row.id, row.entity_id, row.text, row.normalized, row.script, row.kind, row.source, row.note)


def _entity_record(row: EntityRow, aliases: Iterable[AliasRow]) -> EntityRecord:
    return EntityRecord(
        row.id, row.name, row.type, row.description, dict(row.external_ids or {}),
        _iso(row.created_at), _iso(row.updated_at), tuple(_alias_record(a) for a in aliases),
    )


class AliasStore(BulkWrites):
    """The unit of storage: reach for it to read or change the alias table from Python.

    Build it from a session factory (see :mod:`resolver.store.db`); it holds no session between calls,
    so one store can serve many threads.
    """

    def __init__(self, engine: Engine, session_factory: sessionmaker[Session]) -> None:
        self.engine = engine
        self._sessions = session_factory

    # --- reading ---------------------------------------------------------------------------

    def revision(self) -> int:
        """A counter every write increments: equal numbers mean nothing changed."""
        with self._sessions() as session:
            value = session.execute(select(MetaRow.value).where(MetaRow.key == "revision")).scalar_one_or_none()
        return int(value or 0)

    def canonical_id(self, entity_id: str) -> str:
        """Follow merge redirects: the id of the entity that now stands for ``entity_id``."""
        with self._sessions() as session:
            return self._follow(session, entity_id).id

    def get_entity(self, entity_id: str) -> EntityRecord:
        """The entity with its aliases; an absorbed id gives its survivor.

        Raises:
            EntityNotFound: no entity ever had that id.
        """
        with self._sessions() as session:
            return self._load(session, self._follow(session, entity_id).id)

    def list_entities(
        self, q: str | None = None, type: str | None = None, limit: int = 50, offset: int = 0
    ) -> list[EntityRecord]:
        """Entities whose normalized alias contains the normalized ``q``, by name."""
        with self._sessions() as session:
            stmt = select(EntityRow.id).where(EntityRow.redirect_to.is_(None))
            if type:
                stmt = stmt.where(EntityRow.type == check_type(type))
            if q is not None and q != "":
                needle = normalize_name(q)
                if not needle:
                    return []  # a query of nothing but punctuation or spaces names nothing
                sub = select(AliasRow.entity_id).where(AliasRow.normalized.contains(needle, autoescape=True))
                stmt = stmt.where(EntityRow.id.in_(sub))
            ids = session.execute(stmt.order_by(EntityRow.name, EntityRow.id).limit(limit).offset(offset)).scalars()
            return [self._load(session, i) for i in ids]

    def history(self, entity_id: str) -> list[HistoryRecord]:
        """Every recorded change of an entity (and of the entities merged into it), oldest first."""
        with self._sessions() as session:
            target = self._follow(session, entity_id).id
            absorbed = session.execute(select(EntityRow.id).where(EntityRow.redirect_to == target)).scalars().all()
            rows = session.execute(
                select(HistoryRow).where(HistoryRow.entity_id.in_([target, *absorbed])).order_by(HistoryRow.id)
            ).scalars()
            return [
                HistoryRecord(r.id, _iso(r.at), r.actor, r.action, r.entity_id, r.before, r.after) for r in rows
            ]

    def stats(self) -> dict[str, Any]:
        """Counts of entities by type, aliases by kind and script, and the schema version."""
        with self._sessions() as session:
            by_type = dict(session.execute(
                select(EntityRow.type, func.count()).where(EntityRow.redirect_to.is_(None)).group_by(EntityRow.type)
            ).all())
            by_kind = dict(session.execute(select(AliasRow.kind, func.count()).group_by(AliasRow.kind)).all())
            by_script = dict(session.execute(select(AliasRow.script, func.count()).group_by(AliasRow.script)).all())
            meta = dict(session.execute(select(MetaRow.key, MetaRow.value)).all())
        return {
            "entities": sum(by_type.values()),
            "aliases": sum(by_kind.values()),
            "entities_by_type": dict(sorted(by_type.items())),
            "aliases_by_kind": dict(sorted(by_kind.items())),
            "aliases_by_script": dict(sorted(by_script.items())),
            "schema_version": int(meta.get("schema_version", 0)),
            "revision": int(meta.get("revision", 0)),
        }

    def export_rows(self) -> Iterator[tuple[str, str, str, str]]:
        """(entity_id, canonical_name, type, alias) for every alias, ordered by entity then alias."""
        with self._sessions() as session:
            stmt = (
                select(EntityRow.id, EntityRow.name, EntityRow.type, AliasRow.text)
                .join(AliasRow, AliasRow.entity_id == EntityRow.id)
                .where(EntityRow.redirect_to.is_(None))
                .order_by(EntityRow.id, AliasRow.id)
            )
            for entity_id, name, type, alias in session.execute(stmt):  # noqa: UP028 (plain tuples, not Rows)
                yield entity_id, name, type, alias

    # --- writing ---------------------------------------------------------------------------

    def add_entity(
        self, name: str, type: str, *, id: str | None = None, description: str = "",
        external_ids: dict[str, str] | None = None, aliases: Sequence[str] = (), actor: str = "python",
    ) -> EntityRecord:
        """Create an entity; its canonical name is always one of its aliases.

        Raises:
            AliasConflict: the id is taken (ids are never reused, merged ones included).
            InvalidQuery: an empty name, an unknown type or a malformed id.
        """
        if not name or not name.strip():
            raise InvalidQuery("an entity needs a non-empty name")
        if any(not a or not a.strip() for a in aliases):
            raise InvalidQuery("an alias needs non-empty text")
        check_text(name, "an entity name")
        for alias in aliases:
            check_text(alias)
        check_type(type)
        with self._sessions.begin() as session:
            entity_id = check_id(id) if id else self._new_id(session, name)
            if session.get(EntityRow, entity_id) is not None:
                raise AliasConflict(f"entity id {entity_id!r} already exists (ids are never reused)")
            now = _now()
            row = EntityRow(id=entity_id, name=name.strip(), type=type, description=description,
                            external_ids=dict(external_ids or {}), created_at=now, updated_at=now)
            session.add(row)
            session.flush()
            postings.add_entity_count(session.connection(), 1)
            postings.add_people_count(session.connection(), 1 if type == "person" else 0)
            for text in [name.strip(), *aliases]:
                self._insert_alias(session, entity_id, text, kind="name", source="", note="", now=now)
            record = self._load(session, entity_id)
            self._record(session, actor, "create", entity_id, None, record.to_dict())
        return record

    def update_entity(
        self, entity_id: str, *, name: str | None = None, type: str | None = None,
        description: str | None = None, external_ids: dict[str, str] | None = None, actor: str = "python",
    ) -> EntityRecord:
        """Change an entity's name, type, description or identifiers (only those given)."""
        with self._sessions.begin() as session:
            row = self._follow(session, entity_id)
            before = self._load(session, row.id).to_dict()
            if name is not None:
                if not name.strip():
                    raise InvalidQuery("an entity needs a non-empty name")
                row.name = check_text(name, "an entity name").strip()
                if not any(a.text == row.name for a in self._alias_rows(session, row.id)):
                    self._insert_alias(session, row.id, row.name, kind="name", source="", note="", now=_now())
            if type is not None:
                postings.retype(session.connection(), row.id, row.type == "person", check_type(type) == "person")
                row.type = type
            if description is not None:
                row.description = description
            if external_ids is not None:
                row.external_ids = dict(external_ids)
            session.flush()
            after = self._load(session, row.id)
            if after.to_dict() == before:
                return after  # nothing changed: nothing to record
            row.updated_at = _now()
            session.flush()
            after = self._load(session, row.id)
            self._record(session, actor, "update", row.id, before, after.to_dict())
        return after

    def add_alias(
        self, entity_id: str, text: str, *, kind: str = "name", source: str = "", note: str = "",
        actor: str = "python",
    ) -> AliasRecord:
        """Attach a spelling to an entity.

        Raises:
            AliasConflict: the entity already has exactly this spelling.
            InvalidQuery: empty text or an unknown kind.
        """
        check_kind(kind)
        if not text or not text.strip():
            raise InvalidQuery("an alias needs non-empty text")
        check_text(text)
        with self._sessions.begin() as session:
            target = self._follow(session, entity_id).id
            if any(a.text == text.strip() for a in self._alias_rows(session, target)):
                raise AliasConflict(f"entity {target!r} already has the alias {text.strip()!r}")
            row = self._insert_alias(session, target, text, kind=kind, source=source, note=note, now=_now())
            record = _alias_record(row)
            self._record(session, actor, "add_alias", target, None, record.to_dict())
        return record

    def remove_alias(self, entity_id: str, alias_id: int, *, actor: str = "python") -> AliasRecord:
        """Delete one alias of an entity; returns what was removed."""
        with self._sessions.begin() as session:
            target = self._follow(session, entity_id).id
            row = session.get(AliasRow, alias_id)
            if row is None or row.entity_id != target:
                raise AliasNotFound(f"entity {target!r} has no alias with id {alias_id}")
            record = _alias_record(row)
            conn = session.connection()
            before = postings.entity_keys(conn, [target])
            postings.unindex_aliases(conn, [_posted(row)])
            session.delete(row)
            session.flush()
            postings.adjust_df(conn, before, postings.entity_keys(conn, [target]))
            self._record(session, actor, "remove_alias", target, record.to_dict(), None)
        return record

    def merge(self, survivor_id: str, absorbed_id: str, *, actor: str = "python") -> EntityRecord:
        """Fold ``absorbed_id`` into ``survivor_id``: its aliases move, its id redirects forever."""
        with self._sessions.begin() as session:
            survivor = self._follow(session, survivor_id)
            absorbed = self._follow(session, absorbed_id)
            if survivor.id == absorbed.id:
                if absorbed_id != survivor_id:
                    raise AliasConflict(f"{absorbed_id!r} was already merged into {survivor.id!r}")
                raise AliasConflict(f"cannot merge {absorbed_id!r} into itself")
            before = {"survivor": self._load(session, survivor.id).to_dict(),
                      "absorbed": self._load(session, absorbed.id).to_dict()}
            have = {a.text for a in self._alias_rows(session, survivor.id)}
            now = _now()
            conn = session.connection()
            keys_before = postings.entity_keys(conn, [survivor.id, absorbed.id])
            for alias in self._alias_rows(session, absorbed.id):
                if alias.text in have:
                    postings.unindex_aliases(conn, [_posted(alias)])
                    session.delete(alias)
                else:
                    alias.entity_id, alias.updated_at = survivor.id, now
            absorbed.redirect_to, absorbed.updated_at, survivor.updated_at = survivor.id, now, now
            # Earlier redirects to the absorbed id now point straight at the survivor.
            session.execute(
                update(EntityRow).where(EntityRow.redirect_to == absorbed.id).values(redirect_to=survivor.id)
            )
            session.flush()
            postings.adjust_df(conn, keys_before, postings.entity_keys(conn, [survivor.id, absorbed.id]))
            postings.add_entity_count(conn, -1)
            postings.add_people_count(conn, -1 if absorbed.type == "person" else 0)
            after = self._load(session, survivor.id)
            self._record(session, actor, "merge", survivor.id, before, after.to_dict())
            self._record(session, actor, "merged_into", absorbed.id, before["absorbed"], {"redirect_to": survivor.id})
        return after

    def transaction(self) -> Any:
        """A session in a transaction (``with store.transaction() as session:``) for bulk work."""
        return self._sessions.begin()

    def schema_version(self) -> int:
        """The schema version stamped in the store (one cheap query: also a liveness check)."""
        with self._sessions() as session:
            value = session.execute(select(MetaRow.value).where(MetaRow.key == "schema_version")).scalar_one_or_none()
        return int(value or 0)

    def keys_current(self) -> bool:
        """Whether the stored matching keys were computed by this normaliser version."""
        with self._sessions() as session:
            value = session.execute(select(MetaRow.value).where(MetaRow.key == "keys_version")).scalar_one_or_none()
        return value == KEYS_VERSION

    def rekey_if_needed(self) -> bool:
        """Recompute every alias's keys when they were written by another normaliser version.

        One transaction, read and written :data:`_REKEY_BATCH` aliases at a time (by id), so
        memory does not grow with the store; then the index tables are rebuilt from the new keys.
        """
        if self.keys_current():
            return False
        with self._sessions.begin() as session:
            meta = session.get(MetaRow, "keys_version")
            if meta is not None and meta.value == KEYS_VERSION:
                return False
            conn = session.connection()
            table = Base.metadata.tables["alias"]
            last = 0
            with gc_paused():
                while rows := conn.execute(select(AliasRow.id, AliasRow.text).where(AliasRow.id > last)
                                           .order_by(AliasRow.id).limit(_REKEY_BATCH)).all():
                    last = rows[-1][0]
                    derived = derive_many([t for _, t in rows])
                    bulk.update_rows(conn, table, ["id"], [{"id": i, **as_columns(d)}
                                                           for (i, _), d in zip(rows, derived, strict=True)])
            postings.reindex(conn)  # the index derives from the keys
            if meta is None:
                session.add(MetaRow(key="keys_version", value=KEYS_VERSION))
            else:
                meta.value = KEYS_VERSION
            self._bump(session)
        return True

    # --- internals -------------------------------------------------------------------------

    def _follow(self, session: Session, entity_id: str) -> EntityRow:
        row = session.get(EntityRow, entity_id)
        seen = set()
        while row is not None and row.redirect_to is not None and row.id not in seen:
            seen.add(row.id)
            row = session.get(EntityRow, row.redirect_to)
        if row is None:
            raise EntityNotFound(f"no entity with id {entity_id!r}")
        return row

    def _alias_rows(self, session: Session, entity_id: str) -> list[AliasRow]:
        return list(session.execute(select(AliasRow).where(AliasRow.entity_id == entity_id)).scalars())

    def _load(self, session: Session, entity_id: str) -> EntityRecord:
        row = session.get(EntityRow, entity_id)
        if row is None:
            raise EntityNotFound(f"no entity with id {entity_id!r}")
        return _entity_record(row, sorted(self._alias_rows(session, entity_id), key=lambda a: a.id))

    def _insert_alias(self, session: Session, entity_id: str, text: str, *, kind: str, source: str,
                      note: str, now: datetime) -> AliasRow:
        text = text.strip()
        row = AliasRow(entity_id=entity_id, text=text, kind=kind, source=source, note=note,
                       created_at=now, updated_at=now, **alias_columns(text))
        session.add(row)
        try:
            session.flush()
        except IntegrityError as exc:
            raise AliasConflict(f"entity {entity_id!r} already has the alias {text!r}") from exc
        conn = session.connection()
        postings.index_aliases(conn, [_posted(row)], postings.entity_keys(conn, [entity_id], skip=[row.id]))
        return row

    def _new_id(self, session: Session, name: str) -> str:
        base = _SLUG_RE.sub("-", normalize_name(name).encode("ascii", "ignore").decode().lower()).strip("-")[:80]
        base = base or "entity"
        candidate, n = base, 1
        while session.get(EntityRow, candidate) is not None:
            n += 1
            candidate = f"{base}-{n}"
        return candidate

    def _record(self, session: Session, actor: str, action: str, entity_id: str,
                before: dict[str, Any] | None, after: dict[str, Any] | None, *, bump: bool = True,
                at: datetime | None = None) -> None:
        session.add(
            HistoryRow(at=at or _now(), actor=actor, action=action, entity_id=entity_id, before=before, after=after)
        )
        if bump:
            self._bump(session)

    def _bump(self, session: Session) -> None:
        bump_revision(session)
