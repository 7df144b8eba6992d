"""``GET /resolve`` (one mention) and ``POST /resolve`` (a batch): the service's main use."""

from __future__ import annotations

from flask import Response, jsonify

from .context import api_settings, get_resolver
from .docs import api_blueprint, with_errors
from .errors import ApiError
from .guards import takes_json
from .models import (
    ResolutionModel,
    ResolveBatch,
    ResolveBatchResult,
    ResolveQuery,
    type_value,
)
from .review_hook import collect

__all__ = ["bp"]

bp = api_blueprint("resolve", __name__, "Link mentions to entities")


@bp.get("/resolve", responses=with_errors({200: ResolutionModel}, 400))
def resolve_one(query: ResolveQuery) -> Response:
    """Resolve one mention.

    Returns the decision (matched, ambiguous or unresolved) with its score, the alias that decided
    it, and the ranked candidates: exactly what `Resolver.resolve` and `resolver resolve --json` give.
    """
    resolution = get_resolver().resolve(query.q, type=type_value(query.type), limit=query.limit)
    collect([resolution], "resolve")
    return jsonify(resolution.to_dict())


@bp.post("/resolve", responses=with_errors({200: ResolveBatchResult}, 400, 413, 415))
@takes_json
def resolve_batch(body: ResolveBatch) -> Response:
    """Resolve a batch of mentions.

    The results come in input order; a repeated mention is decided once.  More mentions than the
    batch limit (1000 by default) is a 413.
    """
    limit = api_settings().max_batch
    if len(body.mentions) > limit:
        raise ApiError(413, "batch_too_large", f"{len(body.mentions)} mentions; at most {limit} per request")
    results = get_resolver().resolve_many(body.mentions, type=type_value(body.type), limit=body.limit)
    collect(results, "resolve")
    return jsonify({"results": [r.to_dict() for r in results]})
