"""Pydantic models of the JSON the API reads and writes: they validate requests and document responses.

Responses are built by the library's ``to_dict()``; the response models that document them in
``/openapi.json`` are the same dataclasses (``RootModel[Resolution]``, ``list[EntityRecord]``), so the documented shape
cannot drift from the one returned (tests check real responses against them).  Enumerations come from
:mod:`resolver.results`, so the allowed types and kinds have one source.
"""

from __future__ import annotations

import functools
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel, field_validator
from pydantic.json_schema import SkipJsonSchema

from resolver.results import (
    AliasKind,
    AliasRecord,
    EntityRecord,
    EntityType,
    HistoryRecord,
    Resolution,
)
from resolver.store.store import ID_PATTERN  # the store's own rule for an entity id

__all__ = [
    "AliasModel",
    "AliasPath",
    "EntityList",
    "EntityListQuery",
    "EntityModel",
    "EntityPatch",
    "EntityPath",
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
#: longest mention, as documented; the resolver enforces its ``max_mention_length`` setting (512 by
#: default), so the limit is only written into the schema, not validated twice
MENTION_MAX = 512
#: what the store requires of names and aliases (resolver.store.text_rules): no control character
#: (C0, DEL, C1), and something besides whitespace.  Spelled out rather than with \s, whose meaning
#: differs between JSON Schema's regexes, pydantic's and Python's str.strip.
_ALLOWED = r"[^\x00-\x1f\x7f-\x9f]"
_VISIBLE = r"[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
NOT_BLANK = f"^{_ALLOWED}*{_VISIBLE}{_ALLOWED}*$"


def no_boolean(value: Any) -> Any:
    """A count read from JSON: ``true`` is none (pydantic's lax int would read it as 1), while
    ``14.0`` is one, as JSON Schema's ``integer`` says.  For ``field_validator(mode="before")``."""
    if isinstance(value, bool):
        raise ValueError("Input should be a valid integer, not a boolean")
    return value


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
    q: str = Field(description="the mention, as written, in any script", json_schema_extra={"maxLength": MENTION_MAX})
    type: EntityType | None = Field(None, description="only consider entities of this type")
    limit: int = Field(5, ge=1, le=100, description="how many ranked candidates to return")


class ResolveBatch(_Body):
    mentions: list[Annotated[str, Field(json_schema_extra={"maxLength": MENTION_MAX})]] = Field(
        description="mentions to resolve, answered in the same order; more than the server's batch limit "
                    "(RESOLVER_API_MAX_BATCH, 1000 by default) is a 413 batch_too_large",
    )  # no maxItems: the limit is the server's setting, and its answer a 413, which maxItems would not say
    type: EntityType | None = Field(None, description="only consider entities of this type")
    limit: int = Field(5, ge=1, le=100, description="how many ranked candidates to return per mention")

    _limit_is_a_count = field_validator("limit", mode="before")(no_boolean)


class ResolutionModel(RootModel[Resolution]):
    """What a lookup decided; ``entity`` is set only when ``status`` is ``matched``."""


class ResolveBatchResult(BaseModel):
    results: list[Resolution]


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


class AliasModel(RootModel[AliasRecord]):
    """One stored alias."""


class EntityModel(RootModel[EntityRecord]):
    """One stored entity with its aliases."""


class EntityList(BaseModel):
    entities: list[EntityRecord]
    limit: int
    offset: int
    next_offset: int | None = Field(description="offset of the next page, null on the last one")


class HistoryList(BaseModel):
    entity_id: str
    history: list[HistoryRecord]


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


Text = Annotated[str, Field(min_length=1, max_length=TEXT_MAX, pattern=NOT_BLANK)]


class NewEntity(_Body):
    name: Text
    type: EntityType
    id: str | None = Field(None, pattern=ID_PATTERN, description="stable id (default: made from the name)")
    description: str = Field("", max_length=DESCRIPTION_MAX)
    external_ids: dict[str, str] = Field(default_factory=dict, max_length=50)
    aliases: list[Text] = Field(default_factory=list, max_length=100, description="other spellings")


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)  # an omitted field is left unchanged; null is not a value to send


def _keep() -> Any:
    return Field(None, json_schema_extra=_no_default)


class EntityPatch(_Body):
    """The fields to change (at least one); a field left out stays as it is."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})

    name: Text | SkipJsonSchema[None] = _keep()
    type: EntityType | SkipJsonSchema[None] = _keep()
    description: Annotated[str, Field(max_length=DESCRIPTION_MAX)] | SkipJsonSchema[None] = _keep()
    external_ids: Annotated[dict[str, str], Field(max_length=50)] | SkipJsonSchema[None] = _keep()

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("leave the field out to keep it; null is not a value")
        return value


class NewAlias(_Body):
    text: Text
    kind: AliasKind = AliasKind.NAME
    source: str = Field("", max_length=TEXT_MAX, description="where the spelling is attested")
    note: str = Field("", max_length=TEXT_MAX)


class MergeRequest(_Body):
    absorbed: str = Field(min_length=1, max_length=200, description="the id to fold into this entity")



def type_value(type_: EntityType | None) -> str | None:
    """The library's spelling of an optional entity type (it takes the plain string)."""
    return type_.value if type_ is not None else None
