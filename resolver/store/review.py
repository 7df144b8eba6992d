"""The review queue: values the service could not link, counted, for curators to settle.

Callers (the HTTP routes, ``resolver normalize --unresolved``) report what they could not link with
:meth:`ReviewQueue.record`, or through a :class:`ReviewCollector` that batches the reports of a busy
process into one write every few seconds.  A curator then links a value to an entity (it becomes an
alias whose provenance says who curated it), creates a new entity from it, or dismisses it.  Entity
changes go through :class:`~resolver.store.store.AliasStore`, so they land in the history as any
other; the queue row only remembers the decision.

The queue is bounded: past ``max_items`` rows, the least frequent, least recently seen are dropped.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, case, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from resolver.errors import InvalidQuery, ReviewItemNotFound
from resolver.results import AliasRecord, EntityRecord, MatchStatus, Resolution, Shape
from resolver.store.models import ReviewRow
from resolver.store.store import AliasStore

__all__ = ["ORIGINS", "ReviewCollector", "ReviewItem", "ReviewQueue", "Sighting"]

#: where a value can be seen, each a bit of ``ReviewRow.origins``
ORIGINS: dict[str, int] = {"resolve": 1, "reconcile": 2, "normalize": 4, "cli": 8}
_STATES = ("open", "linked", "created", "dismissed")
_QUEUED = frozenset({MatchStatus.UNRESOLVED.value, MatchStatus.AMBIGUOUS.value})


@dataclass(frozen=True, slots=True)
class Sighting:
    """One report: ``value`` came out ``status`` (unresolved or ambiguous) ``count`` times at ``origin``."""

    value: str
    status: str
    origin: str
    count: int = 1


@dataclass(frozen=True, slots=True)
class ReviewItem(Shape):
    """One queued value with its counts and, once settled, the decision (its JSON shape: its fields)."""

    id: int
    value: str
    status: str
    count: int
    origins: tuple[str, ...]
    first_seen: str
    last_seen: str
    state: str
    entity_id: str | None
    decided_by: str | None
    decided_at: str | None


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _iso(dt: datetime | None) -> str | None:
    return None if dt is None else dt.isoformat(timespec="seconds") + "Z"


def _item(row: ReviewRow) -> ReviewItem:
    origins = tuple(name for name, bit in ORIGINS.items() if row.origins & bit)
    return ReviewItem(row.id, row.value, row.status, row.count, origins, _iso(row.first_seen) or "",
                      _iso(row.last_seen) or "", row.state, row.entity_id, row.decided_by, _iso(row.decided_at))


class ReviewQueue:
    """The queue in a store.  Safe to share between threads; each call is one transaction."""

    def __init__(self, store: AliasStore, max_items: int = 10_000) -> None:
        if max_items < 1:
            raise ValueError(f"max_items must be at least 1, not {max_items}")
        self.store = store
        self.max_items = max_items
        self._sessions = sessionmaker(store.engine, expire_on_commit=False)

    # --- collecting ----------------------------------------------------------------------

    def record(self, sightings: Iterable[Sighting]) -> int:
        """Count the sightings of unresolved and ambiguous values (others are ignored).

        Returns:
            how many distinct values were counted.
        """
        merged: dict[str, list[Any]] = {}
        for s in sightings:
            value = s.value.strip()
            if not value or s.status not in _QUEUED or s.count < 1 or len(value) > 512:
                continue
            entry = merged.setdefault(value, [s.status, 0, 0])
            entry[0] = s.status
            entry[1] += s.count
            entry[2] |= ORIGINS.get(s.origin, 0)
        if not merged:
            return 0
        now = _now()
        rows = [{"value": v, "status": st, "count": n, "origins": o, "first_seen": now, "last_seen": now,
                 "state": "open"} for v, (st, n, o) in sorted(merged.items())]
        with self._sessions.begin() as session:
            self._upsert(session, rows)
            self._trim(session)
        return len(rows)

    def _upsert(self, session: Session, rows: list[dict[str, Any]]) -> None:
        """Insert new values, add to the counts of known ones: one statement, no read first.

        Writing first takes the write lock at once (SQLite waits for it under its busy timeout),
        so two processes flushing together never fail on a stale read.
        """
        table: Table = ReviewRow.__table__  # type: ignore[assignment]
        dialect = session.get_bind().dialect.name
        if dialect not in ("sqlite", "postgresql"):
            for row in rows:  # other databases: one row at a time, still inside the transaction
                held = session.execute(select(ReviewRow).where(ReviewRow.value == row["value"])).scalar_one_or_none()
                if held is None:
                    session.add(ReviewRow(**row))
                else:
                    held.count += row["count"]
                    held.origins |= row["origins"]
                    held.status, held.last_seen = row["status"], row["last_seen"]
                    held.state = "dismissed" if held.state == "dismissed" else "open"
            return
        insert = sqlite.insert(table) if dialect == "sqlite" else postgresql.insert(table)
        stmt = insert.values(rows)
        new = stmt.excluded
        stmt = stmt.on_conflict_do_update(
            index_elements=[table.c.value],
            set_={
                "count": table.c.count + new.count,
                "origins": table.c.origins.op("|")(new.origins),
                "status": new.status,
                "last_seen": new.last_seen,
                # seen unlinked again: a link that no longer holds reopens; a dismissal stands
                "state": case((table.c.state == "dismissed", "dismissed"), else_="open"),
            },
        )
        session.execute(stmt)

    def _trim(self, session: Session) -> None:
        excess = session.execute(select(func.count()).select_from(ReviewRow)).scalar_one() - self.max_items
        if excess > 0:
            doomed = select(ReviewRow.id).order_by(ReviewRow.count, ReviewRow.last_seen, ReviewRow.id).limit(excess)
            session.execute(delete(ReviewRow).where(ReviewRow.id.in_(doomed.scalar_subquery())))

    # --- reading -------------------------------------------------------------------------

    def items(self, state: str = "open", limit: int = 50, offset: int = 0) -> list[ReviewItem]:
        """Items in one state, most frequent first (then most recently seen)."""
        if state not in _STATES:
            raise InvalidQuery(f"unknown review state {state!r}; use one of {', '.join(_STATES)}")
        with self._sessions() as session:
            rows = session.execute(
                select(ReviewRow).where(ReviewRow.state == state)
                .order_by(ReviewRow.count.desc(), ReviewRow.last_seen.desc(), ReviewRow.id)
                .limit(limit).offset(offset)
            ).scalars()
            return [_item(r) for r in rows]

    def counts(self) -> dict[str, int]:
        """How many items are in each state."""
        with self._sessions() as session:
            found = dict(session.execute(select(ReviewRow.state, func.count()).group_by(ReviewRow.state)).all())
        return {s: int(found.get(s, 0)) for s in _STATES}

    def get(self, item_id: int) -> ReviewItem:
        with self._sessions() as session:
            row = session.get(ReviewRow, item_id)
            if row is None:
                raise ReviewItemNotFound(f"no review item with id {item_id}")
            return _item(row)

    # --- deciding ------------------------------------------------------------------------

    def link(self, item_id: int, entity_id: str, *, actor: str, kind: str = "name", note: str = "") -> AliasRecord:
        """Make the value an alias of the entity, with provenance ``curated by <actor>``.

        Raises:
            ReviewItemNotFound, EntityNotFound, AliasConflict (the entity already has it).
        """
        item = self.get(item_id)
        note = note or f"review queue: seen {item.count} times ({', '.join(item.origins) or 'unknown'})"
        alias = self.store.add_alias(entity_id, item.value, kind=kind, source=f"curated by {actor}", note=note,
                                     actor=actor)
        self._decide(item_id, "linked", alias.entity_id, actor)
        return alias

    def create_entity(self, item_id: int, *, name: str, type: str, actor: str, description: str = "") -> EntityRecord:
        """Create a new entity named ``name`` with the queued value among its aliases."""
        item = self.get(item_id)
        extra = [item.value] if item.value != name.strip() else []
        record = self.store.add_entity(name, type, description=description, aliases=extra, actor=actor)
        self._decide(item_id, "created", record.id, actor)
        return record

    def dismiss(self, item_id: int, *, actor: str) -> ReviewItem:
        """Take the value off the queue for good (it is still counted if seen again)."""
        self.get(item_id)
        self._decide(item_id, "dismissed", None, actor)
        return self.get(item_id)

    def _decide(self, item_id: int, state: str, entity_id: str | None, actor: str) -> None:
        with self._sessions.begin() as session:
            row = session.get(ReviewRow, item_id)
            if row is None:  # dropped from a full queue meanwhile: the entity change stands
                return
            row.state, row.entity_id, row.decided_by, row.decided_at = state, entity_id, actor, _now()


class ReviewCollector:
    """Buffers sightings in memory and writes them in one transaction at most every ``interval`` seconds.

    A lookup never waits for the queue: a failed write (a read-only store, a busy database) is
    reported to ``on_error`` and the sightings are dropped, never the lookup.  ``interval`` 0
    writes at once.
    """

    def __init__(self, queue: ReviewQueue, interval: float = 2.0, *, max_buffer: int = 5_000,
                 on_error: Any = None) -> None:
        self.queue = queue
        self.interval = interval
        self.max_buffer = max_buffer
        self._on_error = on_error
        self._lock = threading.Lock()
        self._buffer: dict[tuple[str, str], Sighting] = {}
        self._timer: threading.Timer | None = None

    def add_resolutions(self, resolutions: Iterable[Resolution], origin: str) -> None:
        """Report lookups: the unresolved and ambiguous ones are counted."""
        self.add(Sighting(r.query, r.status.value, origin) for r in resolutions
                 if r.status is not MatchStatus.MATCHED)

    def add(self, sightings: Iterable[Sighting]) -> None:
        flush_now = False
        with self._lock:
            for s in sightings:
                if s.status not in _QUEUED or not s.value.strip():
                    continue
                key = (s.value, s.origin)
                held = self._buffer.get(key)
                self._buffer[key] = s if held is None else Sighting(s.value, s.status, s.origin, held.count + s.count)
            if not self._buffer:
                return
            if self.interval <= 0 or len(self._buffer) >= self.max_buffer:
                flush_now = True
            elif self._timer is None:
                self._timer = threading.Timer(self.interval, self.flush)
                self._timer.daemon = True
                self._timer.start()
        if flush_now:
            self.flush()

    def flush(self) -> None:
        """Write what is buffered now."""
        with self._lock:
            batch, self._buffer = list(self._buffer.values()), {}
            timer, self._timer = self._timer, None
        if timer is not None and timer is not threading.current_thread():
            timer.cancel()
        if not batch:
            return
        try:
            self.queue.record(batch)
        except Exception as exc:  # the queue is a by-product: it must never fail a lookup
            if self._on_error is not None:
                self._on_error(exc)
