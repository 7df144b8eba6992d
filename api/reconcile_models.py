"""Models of the Reconciliation Service API v0.2 messages this service reads and writes.

They follow the W3C community group's JSON Schemas (manifest, query batch, result batch; the
suggest and data extension models sit beside their routes); a test validates real responses
against those schemas themselves.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel, TypeAdapter, field_validator

from .models import QueryModel, no_boolean

__all__ = [
    "BATCH",
    "Manifest",
    "PreviewQuery",
    "ReconciliationQuery",
    "ResultBatch",
    "batch_schema",
]


class ReconciliationQuery(BaseModel):
    """One query of a batch.  ``properties`` and ``type_strict`` are accepted and not used."""

    model_config = ConfigDict(extra="ignore")

    query: str | None = Field(None, description="the name to match (one too long to be a name matches nothing)")
    type: str | list[str] | None = Field(
        None, description="only entities of this type (or these): person, organization, place, media, other "
                          "(entity: any of them); "
                          "a type this service does not have matches nothing",
    )
    limit: int | None = Field(None, ge=1, description="most candidates to return (at most 100 are)")
    _limit_is_a_count = field_validator("limit", mode="before")(no_boolean)
    properties: list[Any] | None = None
    type_strict: Literal["any", "should", "all"] | None = None


#: a reconciliation query batch: query key -> query
BATCH: TypeAdapter[dict[str, ReconciliationQuery]] = TypeAdapter(dict[str, ReconciliationQuery])


def batch_schema() -> dict[str, Any]:
    """The JSON schema of a query batch, self-contained (no ``$ref``) to sit inside a parameter."""
    schema = ReconciliationQuery.model_json_schema()
    definitions = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return inline(definitions[ref.removeprefix("#/$defs/")])
            return {k: inline(v) for k, v in node.items()}
        if isinstance(node, list):
            return [inline(v) for v in node]
        return node

    return {"type": "object", "additionalProperties": inline(schema),
            "description": 'query key -> query, e.g. {"q0": {"query": "Kazemi", "type": "person"}}; more queries '
                           "than the manifest's batchSize (RESOLVER_API_MAX_BATCH, 1000 by default) is a 413"}


class TypeRef(BaseModel):
    id: str
    name: str


class ReconciliationCandidate(BaseModel):
    """One candidate of a reconciliation result (named apart from the resolver's ``Candidate``, whose
    schema shares /openapi.json's components)."""

    id: str
    name: str
    type: list[TypeRef]
    score: float = Field(description="the resolver's score, 0 to 1")
    match: bool = Field(description="true only when the resolver matched the query to this entity")


class Result(BaseModel):
    result: list[ReconciliationCandidate]


class ResultBatch(RootModel[dict[str, Result]]):
    """Results keyed like the queries."""


class Manifest(BaseModel):
    """The service manifest (only the main fields are described here)."""

    model_config = ConfigDict(extra="allow")

    versions: list[str]
    name: str
    identifierSpace: str
    schemaSpace: str
    defaultTypes: list[TypeRef]
    batchSize: int


class PreviewQuery(QueryModel):
    id: str = Field(description="the entity id")
