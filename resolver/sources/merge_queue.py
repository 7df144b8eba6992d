"""Merge proposals waiting for a curator: what ``resolver xref --queue`` found, accepted or rejected
on the review pages (or from Python).

Each pair of entities is one row, whatever the order or the number of runs that proposed it: a
new run refreshes an open proposal's score and evidence, and never reopens a decided one (a
rejected pair stays rejected; an accepted one was merged, so it can no longer be proposed).
Accepting merges through :meth:`~resolver.store.store.AliasStore.merge` under the curator's name,
so the merge is in the history like any other; the queue row only remembers the decision.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import sessionmaker

from resolver.errors import InvalidQuery, ReviewItemNotFound
from resolver.results import EntityRecord
from resolver.sources.xref import Proposal
from resolver.store.models import EntityRow, MergeProposalRow
from resolver.store.store import AliasStore

__all__ = ["STATES", "MergeItem", "MergeQueue", "QueueReport"]

STATES = ("open", "merged", "rejected", "withdrawn")


@dataclass(frozen=True, slots=True)
class MergeItem:
    """One proposed pair, its evidence and, once settled, the decision."""

    id: int
    left_id: str
    right_id: str
    score: float
    decision: str
    evidence: dict[str, Any]
    first_proposed: str
    last_proposed: str
    state: str
    survivor_id: str | None
    decided_by: str | None
    decided_at: str | None


@dataclass(frozen=True, slots=True)
class QueueReport:
    """What one ``record`` did: new pairs, open ones refreshed, decided ones left alone, stale ones withdrawn."""

    added: int
    refreshed: int
    kept_decided: int
    withdrawn: int

    def summary(self) -> str:
        return (f"review queue: {self.added} new merge proposals, {self.refreshed} already open (refreshed), "
                f"{self.kept_decided} decided before (left alone), {self.withdrawn} withdrawn (an entity is gone)")


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _iso(dt: datetime | None) -> str | None:
    return None if dt is None else dt.isoformat(timespec="seconds") + "Z"


def _item(row: MergeProposalRow) -> MergeItem:
    return MergeItem(row.id, row.left_id, row.right_id, row.score, row.decision, dict(row.evidence or {}),
                     _iso(row.first_proposed) or "", _iso(row.last_proposed) or "", row.state, row.survivor_id,
                     row.decided_by, _iso(row.decided_at))


def _oriented(p: Proposal) -> tuple[str, str, dict[str, Any]]:
    """The pair in sorted id order, with the evidence's sides swapped to match."""
    left = {"name": p.left_name, "source": p.left_source, "alias": p.left_alias, "description": p.left_description}
    right = {"name": p.right_name, "source": p.right_source, "alias": p.right_alias,
             "description": p.right_description}
    a, b = (p.left_id, p.right_id) if p.left_id <= p.right_id else (p.right_id, p.left_id)
    if a != p.left_id:
        left, right = right, left
    evidence = {"type": p.type, "explanation": p.explanation, "shared_ids": p.shared_ids,
                **{f"left_{k}": v for k, v in left.items()}, **{f"right_{k}": v for k, v in right.items()}}
    return a, b, evidence


class MergeQueue:
    """The merge proposals of a store; each call is one transaction."""

    def __init__(self, store: AliasStore) -> None:
        self.store = store
        self._sessions = sessionmaker(store.engine, expire_on_commit=False)

    def record(self, proposals: Iterable[Proposal]) -> QueueReport:
        """Queue proposals: new pairs open, open pairs get the new score and evidence, decided pairs
        stay as decided; open pairs of which an entity was deleted or merged away are withdrawn."""
        now = _now()
        pairs: dict[tuple[str, str], tuple[float, str, dict[str, Any]]] = {}
        for p in proposals:
            a, b, evidence = _oriented(p)
            if (a, b) not in pairs or p.score > pairs[(a, b)][0]:
                pairs[(a, b)] = (p.score, p.decision, evidence)
        added = refreshed = decided = 0
        with self._sessions.begin() as session:
            lefts = sorted({a for a, _ in pairs})
            held: dict[tuple[str, str], MergeProposalRow] = {}
            for start in range(0, len(lefts), 500):
                held.update(((r.left_id, r.right_id), r) for r in session.execute(select(MergeProposalRow).where(
                    MergeProposalRow.left_id.in_(lefts[start:start + 500]))).scalars())
            for (a, b), (score, decision, evidence) in sorted(pairs.items()):
                row = held.get((a, b))
                if row is None:
                    session.add(MergeProposalRow(left_id=a, right_id=b, score=score, decision=decision,
                                                 evidence=evidence, first_proposed=now, last_proposed=now,
                                                 state="open"))
                    added += 1
                elif row.state == "open":
                    row.score, row.decision, row.evidence, row.last_proposed = score, decision, evidence, now
                    refreshed += 1
                else:
                    decided += 1
            session.flush()
            withdrawn = self._withdraw_stale(session, now)
        return QueueReport(added, refreshed, decided, withdrawn)

    @staticmethod
    def _withdraw_stale(session: Any, now: datetime) -> int:
        live = select(EntityRow.id).where(EntityRow.redirect_to.is_(None))
        stale = session.execute(update(MergeProposalRow).where(
            MergeProposalRow.state == "open",
            ~MergeProposalRow.left_id.in_(live) | ~MergeProposalRow.right_id.in_(live),
        ).values(state="withdrawn", decided_by="resolver xref", decided_at=now))
        return int(stale.rowcount or 0)

    def items(self, state: str = "open", limit: int = 50, offset: int = 0) -> list[MergeItem]:
        """Proposals in one state, best score first."""
        if state not in STATES:
            raise InvalidQuery(f"unknown merge proposal state {state!r}; use one of {', '.join(STATES)}")
        with self._sessions() as session:
            rows = session.execute(select(MergeProposalRow).where(MergeProposalRow.state == state).order_by(
                MergeProposalRow.score.desc(), MergeProposalRow.id).limit(limit).offset(offset)).scalars()
            return [_item(r) for r in rows]

    def counts(self) -> dict[str, int]:
        with self._sessions() as session:
            found = dict(session.execute(select(MergeProposalRow.state, func.count())
                                         .group_by(MergeProposalRow.state)).all())
        return {s: int(found.get(s, 0)) for s in STATES}

    def get(self, item_id: int) -> MergeItem:
        with self._sessions() as session:
            row = session.get(MergeProposalRow, item_id)
            if row is None:
                raise ReviewItemNotFound(f"no merge proposal with id {item_id}")
            return _item(row)

    def accept(self, item_id: int, survivor_id: str, *, actor: str) -> EntityRecord:
        """Merge the pair, ``survivor_id`` (one of the two) keeping its id; the other redirects to it.

        Raises:
            ReviewItemNotFound, InvalidQuery (not open, or the survivor is not one of the pair),
            EntityNotFound (one of them is gone).
        """
        item = self._open(item_id)
        if survivor_id not in (item.left_id, item.right_id):
            raise InvalidQuery(f"{survivor_id!r} is not one of the pair {item.left_id!r} / {item.right_id!r}")
        absorbed = item.right_id if survivor_id == item.left_id else item.left_id
        record = self.store.merge(survivor_id, absorbed, actor=actor)
        self._decide(item_id, "merged", survivor_id, actor)
        return record

    def reject(self, item_id: int, *, actor: str) -> MergeItem:
        """The two are different: the pair is never proposed again."""
        self._open(item_id)
        self._decide(item_id, "rejected", None, actor)
        return self.get(item_id)

    def _open(self, item_id: int) -> MergeItem:
        item = self.get(item_id)
        if item.state != "open":
            raise InvalidQuery(f"merge proposal {item_id} is already {item.state}")
        return item

    def _decide(self, item_id: int, state: str, survivor_id: str | None, actor: str) -> None:
        with self._sessions.begin() as session:
            session.execute(update(MergeProposalRow).where(MergeProposalRow.id == item_id).values(
                state=state, survivor_id=survivor_id, decided_by=actor, decided_at=_now()))
