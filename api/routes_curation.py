"""Curation: create and edit entities, add and remove aliases, merge.  Every route needs a token.

Each write is one store transaction recorded in the history under the token's name, and bumps the
store's revision, so the very next resolve in any worker process sees it.
"""

from __future__ import annotations

from flask import Response, jsonify, url_for

from .context import get_resolver, public_location
from .docs import tag, with_errors
from .errors import ApiError
from .guards import current_actor, needs_token, takes_json
from .models import (
    AliasModel,
    AliasPath,
    EntityModel,
    EntityPatch,
    EntityPath,
    MergeRequest,
    NewAlias,
    NewEntity,
    type_value,
)
from .routes_entities import bp

__all__: list[str] = []  # routes only, added to api.routes_entities.bp

# The same blueprint as the reads: flask-openapi3 keeps one path item per path and blueprint, so
# GET and POST /entities must share one to both appear in the document.
_TAGS = tag("curation", "Change the store; needs a bearer token (Authorize, above)")
_TOKEN: list[dict[str, list[str]]] = [{"bearer": []}]
_ERRORS = (400, 401, 403, 413, 415)


def _created(payload: dict[str, object], location: str | None = None) -> Response:
    response = jsonify(payload)
    response.status_code = 201
    if location:
        response.headers["Location"] = public_location(location)
    return response


@bp.post("/entities", responses=with_errors({201: EntityModel}, *_ERRORS, 409),
         tags=_TAGS, security=_TOKEN)
@needs_token
@takes_json
def create_entity(body: NewEntity) -> Response:
    """Create an entity; its name is always one of its aliases."""
    record = get_resolver().store.add_entity(
        body.name, body.type.value, id=body.id, description=body.description,
        external_ids=body.external_ids, aliases=body.aliases, actor=current_actor(),
    )
    return _created(record.to_dict(), url_for("entities.get_entity", entity_id=record.id))


@bp.patch("/entities/<entity_id>", responses=with_errors({200: EntityModel}, *_ERRORS, 404, 409),
          tags=_TAGS, security=_TOKEN)
@needs_token
@takes_json
def update_entity(path: EntityPath, body: EntityPatch) -> Response:
    """Change an entity's name, type, description or external ids (only the fields given)."""
    if body.name is None and body.type is None and body.description is None and body.external_ids is None:
        raise ApiError(400, "invalid_request", "give at least one of name, type, description, external_ids")
    record = get_resolver().store.update_entity(
        path.entity_id, name=body.name, type=type_value(body.type), description=body.description,
        external_ids=body.external_ids, actor=current_actor(),
    )
    return jsonify(record.to_dict())


@bp.post("/entities/<entity_id>/aliases", responses=with_errors({201: AliasModel}, *_ERRORS, 404, 409),
         tags=_TAGS, security=_TOKEN)
@needs_token
@takes_json
def add_alias(path: EntityPath, body: NewAlias) -> Response:
    """Attach a spelling to an entity (409 if it already has exactly this one)."""
    alias = get_resolver().store.add_alias(
        path.entity_id, body.text, kind=body.kind.value, source=body.source, note=body.note, actor=current_actor(),
    )
    return _created(alias.to_dict())


@bp.delete("/entities/<entity_id>/aliases/<alias_id>", responses=with_errors({200: AliasModel}, 400, 401, 403, 404),
           tags=_TAGS, security=_TOKEN)
@needs_token
def remove_alias(path: AliasPath) -> Response:
    """Delete one alias of an entity; answers with the alias removed."""
    alias = get_resolver().store.remove_alias(path.entity_id, path.alias_id, actor=current_actor())
    return jsonify(alias.to_dict())


@bp.post("/entities/<entity_id>/merge", responses=with_errors({200: EntityModel}, *_ERRORS, 404, 409),
         tags=_TAGS, security=_TOKEN)
@needs_token
@takes_json
def merge(path: EntityPath, body: MergeRequest) -> Response:
    """Fold the entity `absorbed` into this one: its aliases move here and its id redirects here forever."""
    record = get_resolver().store.merge(path.entity_id, body.absorbed, actor=current_actor())
    return jsonify(record.to_dict())
