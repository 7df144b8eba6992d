"""Pydantic models of the JSON the API reads and writes: they validate requests and document responses.

Responses are built by the library's ``to_dict()``; the response models here describe that shape
for ``/openapi.json`` (tests check real responses against them).  Enumerations come from
:mod:`resolver.results`, so the allowed types and kinds have one source.
"""

from __future__ import annotations

import functools
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from resolver.results import AliasKind, EntityType, MatchStatus

__all__ = [
    "AliasModel",
    "AliasPath",
    "CandidateModel",
    "EntityList",
    "EntityListQuery",
    "EntityModel",
    "EntityPatch",
    "EntityPath",
    "EntityRefModel",
    "ErrorBody",
    "Health",
    "HistoryList",
    "MergeRequest",
    "NewAlias",
    "NewEntity",
    "QueryModel",
    "Redirect",
    "ResolutionModel",
    "ResolveBatch",
    "ResolveBatchResult",
    "ResolveQuery",
    "type_value",
]

#: longest entity name, alias text, alias source or note accepted by a write
TEXT_MAX = 512
#: longest description accepted by a write
DESCRIPTION_MAX = 4000
#: largest ``limit`` of ``GET /entities``
PAGE_MAX = 200


class QueryModel(BaseModel):
    """Base of the models read from a query string.

    flask-openapi3 asks the model for its JSON schema on every request it validates, and pydantic
    builds that schema afresh each time (about 0.2 ms); the argument-less schema is cached here.
    """

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        if args or kwargs:
            return super().model_json_schema(*args, **kwargs)
        return _plain_schema(cls)


@functools.cache
def _plain_schema(model: type[QueryModel]) -> dict[str, Any]:
    return super(QueryModel, model).model_json_schema()


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- errors ------------------------------------------------------------------------------


class ErrorDetail(BaseModel):
    code: str = Field(description="stable machine name, e.g. invalid_request, entity_not_found")
    message: str = Field(description="what went wrong, for a person")


class ErrorBody(BaseModel):
    """Every error response."""

    error: ErrorDetail


# --- resolving ---------------------------------------------------------------------------


class ResolveQuery(QueryModel):
    q: str = Field(description="the mention, as written, in any script (at most 512 characters by default)")
    type: EntityType | None = Field(None, description="only consider entities of this type")
    limit: int = Field(5, ge=1, le=100, description="how many ranked candidates to return")


class ResolveBatch(_Body):
    mentions: list[str] = Field(description="mentions to resolve, answered in the same order (at most 1000)")
    type: EntityType | None = Field(None, description="only consider entities of this type")
    limit: int = Field(5, ge=1, le=100, description="how many ranked candidates to return per mention")


class EntityRefModel(BaseModel):
    id: str
    name: str
    type: str


class CandidateModel(BaseModel):
    entity: EntityRefModel
    score: float
    alias: str
    explanation: str


class ResolutionModel(BaseModel):
    """What a lookup decided; ``entity`` is set only when ``status`` is ``matched``."""

    query: str
    status: MatchStatus
    entity: EntityRefModel | None
    score: float
    alias: str | None
    explanation: str
    candidates: list[CandidateModel]


class ResolveBatchResult(BaseModel):
    results: list[ResolutionModel]


# --- entities ----------------------------------------------------------------------------


class EntityPath(BaseModel):
    entity_id: str = Field(description="an entity id; an absorbed (merged) id redirects to its survivor")


class AliasPath(BaseModel):
    entity_id: str
    alias_id: int = Field(ge=1, le=2**63 - 1)


class EntityListQuery(QueryModel):
    q: str | None = Field(None, description="only entities with an alias containing this (normalised) text")
    type: EntityType | None = Field(None, description="only entities of this type")
    limit: int = Field(50, ge=1, le=PAGE_MAX)
    offset: int = Field(0, ge=0, le=2**31 - 1)


class AliasModel(BaseModel):
    id: int
    entity_id: str
    text: str
    normalized: str
    script: str
    kind: str
    source: str
    note: str


class EntityModel(BaseModel):
    id: str
    name: str
    type: str
    description: str
    external_ids: dict[str, str]
    created_at: str
    updated_at: str
    aliases: list[AliasModel]


class EntityList(BaseModel):
    entities: list[EntityModel]
    limit: int
    offset: int
    next_offset: int | None = Field(description="offset of the next page, null on the last one")


class HistoryModel(BaseModel):
    id: int
    at: str
    actor: str = Field(description="who made the change: a token's name, 'cli', 'python' or 'build'")
    action: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class HistoryList(BaseModel):
    entity_id: str
    history: list[HistoryModel]


class Redirect(BaseModel):
    """The body of a redirect from an absorbed id to the entity that absorbed it."""

    id: str = Field(description="the id asked for")
    redirect_to: str = Field(description="the survivor's id")
    location: str


class Health(BaseModel):
    status: Literal["ok"]
    entities: int
    aliases: int
    schema_version: int
    revision: int


# --- curation ----------------------------------------------------------------------------


class NewEntity(_Body):
    name: str = Field(min_length=1, max_length=TEXT_MAX)
    type: EntityType
    id: str | None = Field(None, max_length=200, description="stable id (default: made from the name)")
    description: str = Field("", max_length=DESCRIPTION_MAX)
    external_ids: dict[str, str] = Field(default_factory=dict, max_length=50)
    aliases: list[str] = Field(default_factory=list, max_length=100, description="other spellings")


class EntityPatch(_Body):
    name: str | None = Field(None, min_length=1, max_length=TEXT_MAX)
    type: EntityType | None = None
    description: str | None = Field(None, max_length=DESCRIPTION_MAX)
    external_ids: dict[str, str] | None = Field(None, max_length=50)


class NewAlias(_Body):
    text: str = Field(min_length=1, max_length=TEXT_MAX)
    kind: AliasKind = AliasKind.NAME
    source: str = Field("", max_length=TEXT_MAX, description="where the spelling is attested")
    note: str = Field("", max_length=TEXT_MAX)


class MergeRequest(_Body):
    absorbed: str = Field(min_length=1, max_length=200, description="the id to fold into this entity")



def type_value(type_: EntityType | None) -> str | None:
    """The library's spelling of an optional entity type (it takes the plain string)."""
    return type_.value if type_ is not None else None
