"""Reading the store: ``GET /entities``, ``GET /entities/{id}`` and ``GET /entities/{id}/history``.

An absorbed (merged) id answers with a permanent redirect (308) to its survivor, with a JSON body.
``GET /entities/{id}`` gives a browser (``Accept: text/html``) the entity's page (:mod:`api.pages`).
"""

from __future__ import annotations

from flask import Response, jsonify, url_for

from resolver import EntityNotFound

from . import pages
from .context import get_resolver, public_location
from .docs import api_blueprint, tag, with_errors
from .models import (
    EntityList,
    EntityListQuery,
    EntityModel,
    EntityPath,
    HistoryList,
    Redirect,
    type_value,
)

__all__ = ["bp", "moved"]

# Reads and writes (api.routes_curation) share this blueprint, so each route tags itself.
bp = api_blueprint("entities", __name__, None)
_TAGS = tag("entities", "Read entities and their history")


def store_has(entity_id: str) -> bool:
    """Whether any entity (live or merged) ever had this id."""
    try:
        get_resolver().store.canonical_id(entity_id)
    except EntityNotFound:
        return False
    return True


def moved(asked: str, survivor: str, location: str) -> Response:
    """A 308 to the survivor of a merge, with a JSON body that says so."""
    location = public_location(location)
    response = jsonify({"id": asked, "redirect_to": survivor, "location": location})
    response.status_code = 308
    response.headers["Location"] = location
    return response


@bp.get("/entities", responses=with_errors({200: EntityList}, 400), tags=_TAGS)
def list_entities(query: EntityListQuery) -> Response:
    """List entities by name, optionally those with an alias containing `q`, or of one type."""
    items = get_resolver().store.list_entities(query.q, type_value(query.type), query.limit, query.offset)
    next_offset = query.offset + len(items) if len(items) == query.limit else None
    return jsonify({
        "entities": [e.to_dict() for e in items],
        "limit": query.limit,
        "offset": query.offset,
        "next_offset": next_offset,
    })


@bp.get("/entities/<entity_id>", responses=with_errors({200: EntityModel, 308: Redirect}, 404), tags=_TAGS)
def get_entity(path: EntityPath) -> Response:
    """One entity with its aliases; an absorbed id redirects to the entity that absorbed it.

    JSON unless the client prefers `text/html` (a browser), which gets the entity's page.
    """
    store = get_resolver().store
    html = pages.wants_html()
    if html and not store_has(path.entity_id):
        return pages.entity_page(path.entity_id)  # the page says it is not found
    survivor = store.canonical_id(path.entity_id)
    if survivor != path.entity_id:
        location = url_for(".get_entity", entity_id=survivor)
        if html:
            location = url_for(".get_entity", entity_id=survivor, merged_from=path.entity_id)
        response = moved(path.entity_id, survivor, location)
    elif html:
        return pages.entity_page(survivor)
    else:
        response = jsonify(store.get_entity(survivor).to_dict())
    response.headers["Vary"] = "Accept"
    return response


@bp.get("/entities/<entity_id>/history", responses=with_errors({200: HistoryList, 308: Redirect}, 404),
        tags=_TAGS)
def get_history(path: EntityPath) -> Response:
    """Every recorded change of an entity and of those merged into it, oldest first, with its actor."""
    store = get_resolver().store
    survivor = store.canonical_id(path.entity_id)
    if survivor != path.entity_id:
        return moved(path.entity_id, survivor, url_for(".get_history", entity_id=survivor))
    return jsonify({"entity_id": survivor, "history": [h.to_dict() for h in store.history(survivor)]})
