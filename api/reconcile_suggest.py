"""Reconciliation suggest services (v0.2): entities, types and properties, and the entity flyout.

Entity suggestions come from :func:`resolver.suggest.suggest`: the resolver's own matching (so
"Kadhimy" finds Mustafa al-Kadhimi, as ``/resolve`` does) and then prefixes for names still being
typed.  OpenRefine calls these from its "Search for match" box and its type and property pickers.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, url_for
from markupsafe import escape
from pydantic import BaseModel, Field

from resolver import EntityNotFound, InvalidQuery
from resolver.results import EntityType
from resolver.suggest import suggest

from .context import base_url, get_resolver
from .docs import api_blueprint, with_errors
from .models import QueryModel
from .reconcile_extend import property_list, public_path

__all__ = ["ANY_TYPE", "bp", "type_ref", "type_refs"]

bp = api_blueprint("reconcile_suggest", __name__, "OpenRefine reconciliation (Reconciliation Service API v0.2)")

_PAGE = 10
_TYPE_NOTES = {
    "person": "a named individual",
    "organization": "a party, militia, ministry, company or other body",
    "place": "a country, city, district or site",
    "media": "a newspaper, broadcaster, agency or account",
    "other": "anything else with a name",
}


#: the type every entity has: OpenRefine guesses a column's type from the candidates' types and
#: pre-selects the commonest, so with this one on every candidate "Any entity" comes first and a
#: user who starts reconciling straight away keeps the people, the places and the rest.
ANY_TYPE = "entity"
_ANY_REF = {"id": ANY_TYPE, "name": "Any entity"}


def type_ref(type_id: str) -> dict[str, str]:
    """The reconciliation type object of one of our entity types (or of "entity", any of them)."""
    return dict(_ANY_REF) if type_id == ANY_TYPE else {"id": type_id, "name": type_id.capitalize()}


def type_refs(type_id: str) -> list[dict[str, str]]:
    """A candidate's types: its own, then "Any entity"."""
    return [type_ref(type_id), dict(_ANY_REF)]


class SuggestQuery(QueryModel):
    prefix: str = Field(max_length=512, description="what the user has typed so far")
    cursor: int = Field(0, ge=0, le=10_000, description="how many suggestions to skip")
    type: str | None = Field(None, max_length=100, description="only entities of this type (entity suggest only)")


class FlyoutQuery(QueryModel):
    id: str = Field(max_length=200, description="the entity id")


class NotableType(BaseModel):
    """A suggested entity's type (named apart from the manifest's ``TypeRef``, which has no description)."""

    id: str
    name: str
    description: str | None = None


class EntitySuggestion(BaseModel):
    id: str
    name: str
    description: str | None = None
    notable: list[NotableType]


class EntitySuggestResponse(BaseModel):
    result: list[EntitySuggestion]


class NamedSuggestion(BaseModel):
    id: str
    name: str
    description: str | None = None


class NamedSuggestResponse(BaseModel):
    result: list[NamedSuggestion]


class Flyout(BaseModel):
    id: str
    html: str


@bp.get("/reconcile/suggest/entity", responses=with_errors({200: EntitySuggestResponse}, 400))
def suggest_entity(query: SuggestQuery) -> Response:
    """Entities for an auto-complete box: the resolver's candidates for `prefix`, then names starting so.

    Also finds an entity by its id.  A `type` this service lacks finds nothing.
    """
    resolver = get_resolver()
    types = {t.value for t in EntityType}
    if query.type == ANY_TYPE:
        query = query.model_copy(update={"type": None})
    if query.type is not None and query.type not in types:
        return jsonify({"result": []})
    try:
        found = suggest(resolver, query.prefix, type=query.type, limit=_PAGE, offset=query.cursor)
    except InvalidQuery:
        found = []
    result = []
    for s in found:
        item: dict[str, Any] = {"id": s.entity.id, "name": s.entity.name, "notable": [type_ref(s.entity.type)]}
        description = resolver.store.get_entity(s.entity.id).description
        if description:
            item["description"] = description
        result.append(item)
    if query.cursor == 0 and not any(r["id"] == query.prefix for r in result):
        try:
            entity = resolver.store.get_entity(query.prefix.strip())
        except (EntityNotFound, InvalidQuery):
            entity = None
        if entity is not None and (query.type is None or entity.type == query.type):
            item = {"id": entity.id, "name": entity.name, "notable": [type_ref(entity.type)]}
            if entity.description:
                item["description"] = entity.description
            result = [item, *[r for r in result if r["id"] != entity.id]][:_PAGE]
    return jsonify({"result": result})


def _named(items: list[dict[str, str]], prefix: str, cursor: int) -> list[dict[str, str]]:
    """Items whose id or name starts with (then contains) the prefix, case-insensitively."""
    needle = prefix.strip().casefold()
    starts = [i for i in items if any(i[k].casefold().startswith(needle) for k in ("id", "name"))]
    contains = [i for i in items if i not in starts and any(needle in i[k].casefold() for k in ("id", "name"))]
    return (starts + contains)[cursor:cursor + _PAGE]


@bp.get("/reconcile/suggest/type", responses=with_errors({200: NamedSuggestResponse}, 400))
def suggest_type(query: SuggestQuery) -> Response:
    """Entity types (person, organization, place, media, other) matching `prefix`."""
    types = [{**type_ref(ANY_TYPE), "description": "any of the types below"}]
    types += [{**type_ref(t.value), "description": _TYPE_NOTES[t.value]} for t in EntityType]
    return jsonify({"result": _named(types, query.prefix, query.cursor)})


@bp.get("/reconcile/suggest/property", responses=with_errors({200: NamedSuggestResponse}, 400))
def suggest_property(query: SuggestQuery) -> Response:
    """Properties for data extension matching `prefix` (name, aliases, external identifiers...)."""
    return jsonify({"result": _named(property_list(get_resolver()), query.prefix, query.cursor)})


@bp.get("/reconcile/flyout/entity", responses=with_errors({200: Flyout}, 400, 404))
def flyout_entity(query: FlyoutQuery) -> Response:
    """A short HTML summary of an entity, shown beside a suggestion in OpenRefine."""
    entity = get_resolver().store.get_entity(query.id)
    spellings = [a.text for a in entity.aliases if a.text != entity.name][:4]
    parts = [f'<strong dir="auto">{escape(entity.name)}</strong> <small>{escape(entity.type)}</small>']
    if entity.description:
        parts.append(f"<p>{escape(entity.description)}</p>")
    if spellings:
        parts.append('<p dir="auto"><small>also: ' + ", ".join(str(escape(s)) for s in spellings) + "</small></p>")
    page = base_url() + public_path(url_for("entities.get_entity", entity_id=entity.id))
    parts.append(f'<p><a href="{escape(page)}" '
                 f'target="_blank" rel="noopener">{escape(entity.id)}</a></p>')
    return jsonify({"id": query.id, "html": "".join(parts)})
