"""OpenRefine reconciliation (Reconciliation Service API v0.2) at ``/reconcile``.

A bare ``GET /reconcile`` is the manifest; a query batch comes as the ``queries`` field of a
form POST or a GET parameter.  ``match`` is true only for the entity the resolver *matched*, so
OpenRefine's auto-match never accepts an ambiguous or weak candidate.  An ``extend`` field instead
is a data extension request (:mod:`api.reconcile_extend`); the suggest services and the flyout are
in :mod:`api.reconcile_suggest`, the HTML preview here; CORS headers come from :mod:`api.cors`.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from flask_openapi3.types import ResponseDict
from markupsafe import escape
from pydantic import RootModel, ValidationError

from resolver import EntityNotFound, InvalidQuery, Resolver
from resolver.results import EntityType, MatchStatus

from .context import api_settings, base_url, get_resolver
from .docs import api_blueprint, with_errors
from .errors import ApiError, describe
from .guards import parse_json, takes_form
from .reconcile_extend import PROPERTY_SETTINGS, ExtendResponse, answer_extend, extend_schema, parse_extend
from .reconcile_models import (
    BATCH,
    Manifest,
    PreviewQuery,
    ReconciliationQuery,
    ResultBatch,
    batch_schema,
)
from .reconcile_suggest import ANY_TYPE, type_ref, type_refs
from .review_hook import collect, package_version

__all__ = ["bp"]

bp = api_blueprint("reconcile", __name__, "OpenRefine reconciliation (Reconciliation Service API v0.2)")

_DEFAULT_LIMIT = 5
_TYPES = [t.value for t in EntityType]


class ManifestOrResults(RootModel[Manifest | ResultBatch | ExtendResponse]):
    """The manifest without ``queries``, else the result batch (or, for ``extend``, the extension)."""


def _type_ref(type_id: str) -> dict[str, str]:
    return type_ref(type_id)


def _manifest() -> dict[str, Any]:
    base = base_url()
    return {
        "versions": ["0.2"],
        "name": "Arabic alias resolver",
        "identifierSpace": f"{base}/entities/",
        "schemaSpace": "https://schema.org/Thing",
        "documentation": f"{base}/docs",
        "defaultTypes": [_type_ref(ANY_TYPE), *(_type_ref(t.value) for t in EntityType)],
        "view": {"url": f"{base}/entities/{{{{id}}}}"},
        "preview": {"url": f"{base}/reconcile/preview?id={{{{id}}}}", "width": 430, "height": 180},
        "suggest": {
            "entity": {"service_url": base, "service_path": "/reconcile/suggest/entity",
                       "flyout_service_path": "/reconcile/flyout/entity?id=${id}"},
            "type": {"service_url": base, "service_path": "/reconcile/suggest/type"},
            "property": {"service_url": base, "service_path": "/reconcile/suggest/property"},
        },
        "extend": {
            "propose_properties": {"service_url": base, "service_path": "/reconcile/properties"},
            "property_settings": PROPERTY_SETTINGS,
        },
        "serviceVersion": package_version(),
        "logo": f"{base}/assets/logo.svg",
        "batchSize": api_settings().max_batch,
    }


def _parse_batch(text: str) -> dict[str, ReconciliationQuery]:
    raw = parse_json(text, "queries")
    try:
        batch = BATCH.validate_python(raw)
    except ValidationError as exc:
        raise ApiError(400, "invalid_request", describe(exc)) from exc
    if len(batch) > api_settings().max_batch:
        raise ApiError(413, "batch_too_large", f"{len(batch)} queries; at most {api_settings().max_batch} per batch")
    return batch


def _id_candidate(resolver: Resolver, text: str, types: list[str]) -> dict[str, Any] | None:
    """The entity whose id *is* the query (the protocol expects ids to find themselves)."""
    if not text or len(text) > 200 or any(c.isspace() for c in text):
        return None
    try:
        entity = resolver.store.get_entity(text)
    except EntityNotFound:
        return None
    if types and entity.type not in types:
        return None
    return {"id": entity.id, "name": entity.name, "type": type_refs(entity.type), "score": 1.0, "match": False}


def _reconcile(resolver: Resolver, query: ReconciliationQuery) -> list[dict[str, Any]]:
    """The candidates for one query, the matched one (if any) first, where OpenRefine looks for it.

    A query that cannot match anything (no name, only types this service lacks, a name longer than
    the resolver accepts) gets an empty result, not an error: one odd cell must not fail the batch
    OpenRefine sent it in.
    """
    if not query.query:
        return []  # a properties-only query: this service matches names only
    asked = [query.type] if isinstance(query.type, str) else list(query.type or [])
    if ANY_TYPE in asked:
        asked = []  # "Any entity": no constraint
    types = [t for t in _TYPES if t in asked]
    if asked and not types:
        return []
    limit = min(query.limit or _DEFAULT_LIMIT, 100)
    single = types[0] if len(types) == 1 else None
    try:
        res = resolver.resolve(query.query, type=single, limit=100 if len(types) > 1 else limit)
    except InvalidQuery:
        return []
    collect([res], "reconcile")
    matched = res.entity.id if res.status is MatchStatus.MATCHED and res.entity else None
    out = [
        {"id": c.entity.id, "name": c.entity.name, "type": type_refs(c.entity.type), "score": c.score,
         "match": c.entity.id == matched}
        for c in res.candidates if not types or c.entity.type in types
    ][:limit]
    by_id = _id_candidate(resolver, query.query, types)
    if by_id is not None:
        # The id is the entity's own name for itself: certain, whatever a name match scored.
        found = next((c for c in out if c["id"] == by_id["id"]), None)
        if found is not None:
            found["score"] = 1.0
        else:
            out.insert(1 if out and out[0]["match"] else 0, by_id)
            del out[limit:]
    return out


def _one_of(queries: str | None, extend: str | None) -> str | None:
    """The extension request to answer: none when a query batch came too (both must be valid then)."""
    if queries is not None and extend is not None:
        parse_extend(extend)
        return None
    return extend


def _answer(text: str) -> Response:
    resolver = get_resolver()
    return jsonify({key: {"result": _reconcile(resolver, q)} for key, q in _parse_batch(text).items()})


# The batch travels as JSON text inside a query parameter or form field: described with
# "content" / "encoding" so that clients (and schemathesis) know to send JSON there.
_QUERIES_PARAMETER = {
    "name": "queries", "in": "query", "required": False,
    "description": "a reconciliation query batch; without it the service manifest is returned",
    "content": {"application/json": {"schema": batch_schema()}},
}
_EXTEND_PARAMETER = {
    "name": "extend", "in": "query", "required": False,
    "description": "a data extension request: ids and the properties to fetch (see /reconcile/properties); "
                   "given with `queries`, it must be valid too, and the queries are answered",
    "content": {"application/json": {"schema": extend_schema()}},
}
_FORM_BODY = {
    "required": True,
    "content": {"application/x-www-form-urlencoded": {
        "schema": {"type": "object", "properties": {"queries": batch_schema(), "extend": extend_schema()},
                   "description": "`queries` (a query batch) or `extend` (a data extension request); "
                                  "neither: the manifest"},
        "encoding": {"queries": {"contentType": "application/json"}, "extend": {"contentType": "application/json"}},
    }},
}


@bp.get("/reconcile", responses=with_errors({200: ManifestOrResults}, 400, 413),
        openapi_extensions={"parameters": [_QUERIES_PARAMETER, _EXTEND_PARAMETER]})
def reconcile_get() -> Response:
    """The service manifest; with `queries`, the answer to that batch; with `extend`, a data extension."""
    text = request.args.get("queries")
    extend = _one_of(text, request.args.get("extend"))
    if extend is not None:
        return answer_extend(extend)
    return jsonify(_manifest()) if text is None else _answer(text)


@bp.post("/reconcile", responses=with_errors({200: ManifestOrResults}, 400, 413, 415),
         openapi_extensions={"requestBody": _FORM_BODY})
@takes_form
def reconcile_post() -> Response:
    """Answer a reconciliation query batch sent as the form field `queries` (what OpenRefine does).

    A form with an `extend` field instead is a data extension request (`{"ids": [...], "properties": [...]}`);
    a form with neither gets the service manifest, as `GET /reconcile` does.
    """
    text = request.form.get("queries")
    extend = _one_of(text, request.form.get("extend"))
    if extend is not None:
        return answer_extend(extend)
    if text is None:
        return jsonify(_manifest())
    return _answer(text)


_PREVIEW_HTML: ResponseDict = {200: {"description": "an HTML summary of the entity, for an iframe",
                       "content": {"text/html": {"schema": {"type": "string"}}}}}


@bp.get("/reconcile/preview", responses=with_errors(_PREVIEW_HTML, 400, 404))
def preview(query: PreviewQuery) -> Response:
    """A small HTML card of an entity: name, type, description, aliases and external ids."""
    entity = get_resolver().store.get_entity(query.id)
    aliases = "".join(f'<li dir="auto">{escape(a.text)} <small>{escape(a.kind)}</small></li>'
                      for a in entity.aliases[:12])
    ids = ", ".join(f"{escape(k)}: {escape(v)}" for k, v in sorted(entity.external_ids.items()))
    html = (
        '<!doctype html><html><head><meta charset="utf-8"><title>' + str(escape(entity.name)) + "</title>"
        "<style>body{font:13px sans-serif;margin:6px}h1{font-size:15px;margin:0}ul{margin:4px 0;padding-left:18px}"
        "small{color:#777}</style></head><body>"
        f'<h1 dir="auto">{escape(entity.name)}</h1>'
        f"<div><small>{escape(entity.type)} · {escape(entity.id)}</small></div>"
        + (f"<p>{escape(entity.description)}</p>" if entity.description else "")
        + (f"<ul>{aliases}</ul>" if aliases else "")
        + (f"<div><small>{ids}</small></div>" if ids else "")
        + "</body></html>"
    )
    return Response(html, mimetype="text/html")
