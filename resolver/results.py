"""Frozen result types that cross every boundary (Python API, CLI, HTTP), each with ``to_dict``."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "AliasKind",
    "AliasRecord",
    "Candidate",
    "EntityRecord",
    "EntityRef",
    "EntityType",
    "HistoryRecord",
    "MatchStatus",
    "Resolution",
]


class MatchStatus(str, enum.Enum):
    """The three outcomes of a lookup."""

    MATCHED = "matched"
    AMBIGUOUS = "ambiguous"
    UNRESOLVED = "unresolved"


class EntityType(str, enum.Enum):
    PERSON = "person"
    ORGANIZATION = "organization"
    PLACE = "place"
    MEDIA = "media"
    OTHER = "other"


class AliasKind(str, enum.Enum):
    NAME = "name"
    ABBREVIATION = "abbreviation"
    TRANSLATION = "translation"
    HANDLE = "handle"
    MISSPELLING = "misspelling"
    FORMER_NAME = "former_name"
    #: another name a published list gives (FtM ``alias``, an OFAC ``aka``)
    ALIAS = "alias"
    #: a name a list itself calls weak: short, common or partial (FtM ``weakAlias``)
    WEAK_ALIAS = "weak_alias"


@dataclass(frozen=True, slots=True)
class EntityRef:
    """The short form of an entity that a resolution points at."""

    id: str
    name: str
    type: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "type": self.type}


@dataclass(frozen=True, slots=True)
class Candidate:
    """One ranked entity considered for a mention, with the alias and rule that scored it."""

    entity: EntityRef
    score: float
    alias: str
    explanation: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "entity": self.entity.to_dict(),
            "score": self.score,
            "alias": self.alias,
            "explanation": self.explanation,
        }


@dataclass(frozen=True, slots=True)
class Resolution:
    """What a lookup decided.  ``entity`` is set only when ``status`` is matched."""

    query: str
    status: MatchStatus
    entity: EntityRef | None
    score: float
    alias: str | None
    explanation: str
    candidates: tuple[Candidate, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape the HTTP API returns for one mention."""
        return {
            "query": self.query,
            "status": self.status.value,
            "entity": self.entity.to_dict() if self.entity else None,
            "score": self.score,
            "alias": self.alias,
            "explanation": self.explanation,
            "candidates": [c.to_dict() for c in self.candidates],
        }


@dataclass(frozen=True, slots=True)
class AliasRecord:
    """One stored alias."""

    id: int
    entity_id: str
    text: str
    normalized: str
    script: str
    kind: str
    source: str
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "entity_id": self.entity_id,
            "text": self.text,
            "normalized": self.normalized,
            "script": self.script,
            "kind": self.kind,
            "source": self.source,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class EntityRecord:
    """One stored entity with its aliases."""

    id: str
    name: str
    type: str
    description: str
    external_ids: dict[str, str]
    created_at: str
    updated_at: str
    aliases: tuple[AliasRecord, ...] = field(default=())

    def ref(self) -> EntityRef:
        return EntityRef(self.id, self.name, self.type)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "type": self.type,
            "description": self.description,
            "external_ids": dict(self.external_ids),
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "aliases": [a.to_dict() for a in self.aliases],
        }


@dataclass(frozen=True, slots=True)
class HistoryRecord:
    """One recorded change: who did what to which entity, with the state before and after."""

    id: int
    at: str
    actor: str
    action: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at,
            "actor": self.actor,
            "action": self.action,
            "entity_id": self.entity_id,
            "before": self.before,
            "after": self.after,
        }
