"""Propose merges between entities of different sources, through the one resolution path.

Every name of every entity of the chosen sources is resolved (``Resolver.resolve`` with the
entity's type); any other entity that scores at or above the floor and does not come from the same
source (another list's, or a curated one) is a proposal.  A pair found from both sides, or
through several names, is proposed once, at its best score, with the names that met, the rule
that scored them and the identifiers both entities carry.  Nothing is merged here.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO

from sqlalchemy import select

from resolver.resolve import Resolver
from resolver.store.models import AliasRow, EntityRow, SourceRecordRow

__all__ = ["HEADER", "Proposal", "write_xref", "xref"]

HEADER = ("score", "decision", "left_id", "left_name", "left_source", "right_id", "right_name", "right_source",
          "type", "left_alias", "right_alias", "explanation", "shared_ids", "left_description", "right_description")
CURATED = "curated"


@dataclass(frozen=True, slots=True)
class Proposal:
    """Two entities that may be one: ``decision`` is ``match`` when the score clears the matching
    threshold of the type, ``possible`` when it only clears the floor."""

    score: float
    decision: str
    left_id: str
    left_name: str
    left_source: str
    right_id: str
    right_name: str
    right_source: str
    type: str
    left_alias: str
    right_alias: str
    explanation: str
    shared_ids: str = ""
    left_description: str = ""
    right_description: str = ""

    def row(self) -> tuple[str, ...]:
        return (f"{self.score:.3f}", self.decision, self.left_id, self.left_name, self.left_source, self.right_id,
                self.right_name, self.right_source, self.type, self.left_alias, self.right_alias, self.explanation,
                self.shared_ids, self.left_description, self.right_description)


def _owners(resolver: Resolver) -> dict[str, str]:
    """The source of each live source entity (an entity not written by a source is curated)."""
    with resolver.store.transaction() as session:
        return dict(session.execute(
            select(SourceRecordRow.entity_id, SourceRecordRow.source).where(SourceRecordRow.digest != "")).all())


def _entities(resolver: Resolver, ids: Sequence[str]) -> Iterator[tuple[str, str, str, list[str]]]:
    """(id, name, type, alias texts) of the live entities among ``ids``, a page at a time."""
    for start in range(0, len(ids), 500):
        page = ids[start:start + 500]
        with resolver.store.transaction() as session:
            heads = session.execute(select(EntityRow.id, EntityRow.name, EntityRow.type).where(
                EntityRow.id.in_(page), EntityRow.redirect_to.is_(None)).order_by(EntityRow.id)).all()
            texts: dict[str, list[str]] = {}
            for e, t in session.execute(select(AliasRow.entity_id, AliasRow.text).where(
                    AliasRow.entity_id.in_(page)).order_by(AliasRow.id)):
                texts.setdefault(e, []).append(t)
        for i, n, t in heads:
            yield i, n, t, texts.get(i, [n])


def _shared_ids(a: dict[str, str], b: dict[str, str]) -> str:
    values_b = {v.strip() for vs in b.values() for v in str(vs).split(";") if v.strip()}
    shared = sorted({f"{k}={v.strip()}" for k, vs in a.items() for v in str(vs).split(";") if v.strip() in values_b})
    return "; ".join(shared)


def xref(resolver: Resolver, *, sources: Sequence[str] | None = None, min_score: float | None = None,
         progress: Callable[[int], object] | None = None) -> list[Proposal]:
    """Merge proposals for the entities of ``sources`` (default: every source), best first, scoring at
    least ``min_score`` (default: the match threshold of the resolver's settings)."""
    if min_score is None:
        min_score = resolver.settings.match_threshold
    owners = _owners(resolver)
    wanted = set(sources) if sources else None
    left = sorted(e for e, s in owners.items() if wanted is None or s in wanted)
    best: dict[tuple[str, str], tuple[float, str, str, str, str, str]] = {}
    for entity_id, _name, type, texts in _entities(resolver, left):
        mine = owners[entity_id]
        for text in dict.fromkeys(texts):
            if len(text) > resolver.settings.max_mention_length:
                continue  # longer than any mention the resolver accepts: it cannot be looked up
            for c in resolver.resolve(text, type=type, limit=20).candidates:
                other = c.entity.id
                if other == entity_id or c.score < min_score or owners.get(other, CURATED) == mine:
                    continue
                key = (min(entity_id, other), max(entity_id, other))
                if key not in best or c.score > best[key][0]:
                    best[key] = (c.score, entity_id, other, text, c.alias, c.explanation)
        if progress is not None:
            progress(1)
    out = []
    for score, a, b, a_alias, b_alias, why in best.values():
        ea, eb = resolver.store.get_entity(a), resolver.store.get_entity(b)
        decision = "match" if score >= resolver.settings.threshold_for(ea.type) else "possible"
        out.append(Proposal(score, decision, a, ea.name, owners.get(a, CURATED), b, eb.name, owners.get(b, CURATED),
                            ea.type, a_alias, b_alias, why, _shared_ids(ea.external_ids, eb.external_ids),
                            ea.description, eb.description))
    out.sort(key=lambda p: (-p.score, p.left_id, p.right_id))
    return out


def write_xref(proposals: Sequence[Proposal], handle: IO[str]) -> int:
    """Write proposals as CSV (``HEADER`` first); returns how many."""
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(HEADER)
    for p in proposals:
        writer.writerow(p.row())
    return len(proposals)
