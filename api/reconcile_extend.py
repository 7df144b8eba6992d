"""Data extension (Reconciliation Service API v0.2): columns a user adds from reconciled cells.

OpenRefine's "Add columns from reconciled values" first asks ``/reconcile/properties`` what it can
fetch for a type (``propose_properties``), then sends ``extend={"ids": [...], "properties": [...]}``
to ``/reconcile``.  Every property is read from the store: the type, canonical name and id (an
absorbed id gives its survivor's), description, aliases (optionally of one kind or script),
external identifiers (all, or one scheme), provenance (the sources attesting the names) and the
entity page's URL.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

from flask import Response, jsonify, request, url_for
from pydantic import BaseModel, Field, ValidationError

from resolver import EntityNotFound, InvalidQuery, Resolver
from resolver.results import AliasKind, EntityRecord, EntityType

from .context import api_settings, base_url, get_resolver
from .docs import api_blueprint, with_errors
from .errors import ApiError, describe
from .guards import parse_json
from .models import QueryModel

__all__ = [
    "PROPERTY_SETTINGS", "ExtendResponse", "answer_extend", "bp", "extend_schema", "parse_extend", "property_list",
]

bp = api_blueprint("reconcile_extend", __name__, "OpenRefine reconciliation (Reconciliation Service API v0.2)")

_FIXED = [
    {"id": "type", "name": "Type", "description": "person, organization, place, media or other"},
    {"id": "name", "name": "Canonical name", "description": "the name the store gives the entity"},
    {"id": "canonical_id", "name": "Canonical id", "description": "the entity's id (a merged id gives its survivor's)"},
    {"id": "description", "name": "Description", "description": "a line on who or what it is"},
    {"id": "aliases", "name": "Aliases", "description": "every known spelling, in Latin and Arabic script"},
    {"id": "external_ids", "name": "External identifiers", "description": "every identifier, as scheme:value"},
    {"id": "provenance", "name": "Provenance", "description": "the sources that attest the entity's names"},
    {"id": "url", "name": "Entity page", "description": "the entity's page on this service"},
]
_EXT = "ext:"
#: every property id this service knows: the fixed ones and ext:<any identifier scheme>
PROPERTY_ID = "^(" + "|".join(p["id"] for p in _FIXED) + r"|ext:\S{1,100})$"

#: what a user may set on a property in OpenRefine's dialog (used by aliases and the lists)
PROPERTY_SETTINGS: list[dict[str, Any]] = [
    {"name": "limit", "label": "Limit", "type": "number", "default": 0,
     "help_text": "Most values per entity (0: all)"},
    {"name": "kind", "label": "Alias kind", "type": "select", "default": "any",
     "help_text": "Aliases only: only spellings of this kind",
     "choices": [{"value": "any", "name": "any"}, *({"value": k.value, "name": k.value} for k in AliasKind)]},
    {"name": "script", "label": "Script", "type": "select", "default": "any",
     "help_text": "Aliases only: only spellings in this script",
     "choices": [{"value": v, "name": v} for v in ("any", "latin", "arabic", "mixed")]},
]

_schemes_lock = threading.Lock()
_schemes: weakref.WeakKeyDictionary[Resolver, tuple[int, list[str]]] = weakref.WeakKeyDictionary()


def _schemes_of(resolver: Resolver) -> list[str]:
    """The external identifier schemes used in the store (wikidata, ...), cached per store revision."""
    revision = resolver.store.revision()
    with _schemes_lock:
        held = _schemes.get(resolver)
        if held is not None and held[0] == revision:
            return held[1]
    found: set[str] = set()
    offset = 0
    while True:
        page = resolver.store.list_entities(None, None, 500, offset)
        for entity in page:
            found.update(entity.external_ids)
        if len(page) < 500:
            break
        offset += 500
    schemes = sorted(found)
    with _schemes_lock:
        _schemes[resolver] = (revision, schemes)
    return schemes


def property_list(resolver: Resolver) -> list[dict[str, str]]:
    """Every property data extension can fetch: the fixed ones, then one per identifier scheme."""
    per_scheme = [{"id": f"{_EXT}{s}", "name": f"{s} identifier", "description": f"the entity's {s} identifier"}
                  for s in _schemes_of(resolver)]
    return [dict(p) for p in _FIXED] + per_scheme


class PropertyRequest(BaseModel):
    id: str = Field(pattern=PROPERTY_ID)
    settings: dict[str, Any] = Field(default_factory=dict)


class ExtendRequest(BaseModel):
    ids: list[str] = Field(max_length=10_000)
    properties: list[PropertyRequest] = Field(min_length=1, max_length=100)


def public_path(path: str) -> str:
    """A path made by ``url_for`` without the script root (``base_url`` already holds it)."""
    return path.removeprefix(request.script_root)


def extend_schema() -> dict[str, Any]:
    """The JSON schema of a data extension request, self-contained, to sit inside a parameter."""
    return {
        "type": "object", "required": ["ids", "properties"],
        "properties": {
            "ids": {"type": "array", "items": {"type": "string"}, "maxItems": 10_000},
            "properties": {"type": "array", "minItems": 1, "maxItems": 100, "items": {
                "type": "object", "required": ["id"],
                "properties": {"id": {"type": "string", "pattern": PROPERTY_ID}, "settings": {"type": "object"}},
            }},
        },
    }


class ColumnMeta(BaseModel):
    id: str
    name: str


class ExtendResponse(BaseModel):
    """Per property its column name; per id and property the values (each ``{"str": ...}``)."""

    meta: list[ColumnMeta]
    rows: dict[str, dict[str, list[dict[str, str]]]]


def _setting(prop: PropertyRequest, name: str, default: Any) -> Any:
    value = prop.settings.get(name, default)
    return default if value in (None, "") else value


def _limit(prop: PropertyRequest) -> int:
    try:
        limit = int(_setting(prop, "limit", 0))
    except (TypeError, ValueError) as exc:
        raise ApiError(400, "invalid_request", f"property {prop.id!r}: the limit setting must be a number") from exc
    if limit < 0:
        raise ApiError(400, "invalid_request", f"property {prop.id!r}: the limit setting must be 0 or more")
    return limit


def _values(entity: EntityRecord, prop: PropertyRequest) -> list[dict[str, Any]]:
    pid = prop.id
    strings: list[str]
    if pid == "type":
        strings = [entity.type]
    elif pid == "name":
        strings = [entity.name]
    elif pid == "canonical_id":
        strings = [entity.id]
    elif pid == "description":
        strings = [entity.description] if entity.description else []
    elif pid == "aliases":
        kind, script = _setting(prop, "kind", "any"), _setting(prop, "script", "any")
        strings = [a.text for a in entity.aliases
                   if kind in ("any", a.kind) and script in ("any", a.script)]
    elif pid == "external_ids":
        strings = [f"{k}:{v}" for k, v in sorted(entity.external_ids.items())]
    elif pid.startswith(_EXT):
        value = entity.external_ids.get(pid.removeprefix(_EXT))
        strings = [value] if value else []
    elif pid == "provenance":
        strings = sorted({a.source for a in entity.aliases if a.source})
    else:  # "url"
        strings = [base_url() + public_path(url_for("entities.get_entity", entity_id=entity.id))]
    limit = _limit(prop)
    return [{"str": s} for s in (strings[:limit] if limit else strings)]


def parse_extend(text: str) -> ExtendRequest:
    """A data extension request from its JSON text: 400 if malformed, 413 with too many ids."""
    raw = parse_json(text, "extend")
    try:
        request = ExtendRequest.model_validate(raw)
    except ValidationError as exc:
        raise ApiError(400, "invalid_request", describe(exc)) from exc
    if len(request.ids) > api_settings().max_batch:
        raise ApiError(413, "batch_too_large",
                       f"{len(request.ids)} ids; at most {api_settings().max_batch} per request")
    for prop in request.properties:
        _limit(prop)
    return request


def answer_extend(text: str) -> Response:
    """The data extension response to the ``extend`` request in ``text`` (JSON)."""
    request = parse_extend(text)
    resolver = get_resolver()
    names = {p["id"]: p["name"] for p in _FIXED}
    rows: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for entity_id in request.ids:
        try:
            entity: EntityRecord | None = resolver.store.get_entity(entity_id)
        except (EntityNotFound, InvalidQuery):
            entity = None  # a stale or foreign id: empty cells, never a failed batch
        rows[entity_id] = {p.id: (_values(entity, p) if entity else []) for p in request.properties}
    meta = [{"id": p.id, "name": names.get(p.id) or f"{p.id.removeprefix(_EXT)} identifier"}
            for p in request.properties]
    return jsonify({"meta": meta, "rows": rows})


class ProposeQuery(QueryModel):
    type: str | None = Field(None, max_length=100, description="the type of the reconciled column")
    limit: int | None = Field(None, ge=1, le=1000, description="most properties wanted")


class ProposedProperty(BaseModel):
    id: str
    name: str
    description: str | None = None


class Proposal(BaseModel):
    type: str | None = None
    limit: int | None = None
    properties: list[ProposedProperty]


@bp.get("/reconcile/properties", responses=with_errors({200: Proposal}, 400))
def propose_properties(query: ProposeQuery) -> Response:
    """The properties data extension can fetch for entities of `type` (all types have the same ones)."""
    properties = property_list(get_resolver())
    if query.type is not None and query.type not in {"entity", *(t.value for t in EntityType)}:
        properties = []
    if query.limit:
        properties = properties[:query.limit]
    body: dict[str, Any] = {"properties": properties}
    if query.type is not None:
        body["type"] = query.type
    if query.limit is not None:
        body["limit"] = query.limit
    return jsonify(body)
