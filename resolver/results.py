"""Frozen result types that cross every boundary (Python API, CLI, HTTP), each with ``to_dict``.

A result type is declared once, as a dataclass: its JSON shape is its fields (``to_dict``, below),
and the HTTP API documents that same shape from the same fields (``api/models.py``), so there is no
second description to keep in step.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, fields, is_dataclass
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
    "Shape",
    "plain",
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


def plain(value: Any) -> Any:
    """A result as JSON-ready data: a dataclass as a dict of its fields, an enumeration as its
    value, a tuple as a list, recursively."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (tuple, list)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


class Shape:
    """Base of the result dataclasses: ``to_dict`` is the JSON shape, field for field."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = plain(self)
        return out


@dataclass(frozen=True, slots=True)
class EntityRef(Shape):
    """The short form of an entity that a resolution points at."""

    id: str
    name: str
    type: str


@dataclass(frozen=True, slots=True)
class Candidate(Shape):
    """One ranked entity considered for a mention, with the alias and rule that scored it."""

    entity: EntityRef
    score: float
    alias: str
    explanation: str


@dataclass(frozen=True, slots=True)
class Resolution(Shape):
    """What a lookup decided.  ``entity`` is set only when ``status`` is matched."""

    query: str
    status: MatchStatus
    entity: EntityRef | None
    score: float
    alias: str | None
    explanation: str
    candidates: tuple[Candidate, ...] = ()


@dataclass(frozen=True, slots=True)
class AliasRecord(Shape):
    """One stored alias."""

    id: int
    entity_id: str
    text: str
    normalized: str
    script: str
    kind: str
    source: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class EntityRecord(Shape):
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


@dataclass(frozen=True, slots=True)
class HistoryRecord(Shape):
    """One recorded change: who did what to which entity, with the state before and after.

    ``actor`` is who made the change: a token's name, ``cli``, ``python`` or ``build``.
    """

    id: int
    at: str
    actor: str
    action: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None

