"""``POST /annotate``: find and link entity mentions in running text (as ``resolver annotate --json``)."""

from __future__ import annotations

import time

from flask import Response, jsonify
from pydantic import BaseModel, ConfigDict, Field

from resolver.errors import TooMuchWork
from resolver.results import Candidate, EntityRef, MatchStatus

from .context import api_settings, get_resolver
from .docs import api_blueprint, with_errors
from .errors import ApiError
from .guards import takes_json

__all__ = ["AnnotateBody", "AnnotateResult", "MentionModel", "bp"]

bp = api_blueprint("annotate", __name__, "Find and link entity mentions in running text")


class AnnotateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="the text, in any script: at most RESOLVER_API_MAX_ANNOTATE_CHARS characters "
                                  "(200,000 by default; 413 above it), in a request body of at most "
                                  "RESOLVER_API_MAX_BODY_BYTES (4 MiB by default; 413 above it)")


class MentionModel(BaseModel):
    """One mention: offsets into ``text`` (code points, end exclusive) and its resolution."""

    start: int = Field(description="offset of the first character, counted in Unicode code points")
    end: int = Field(description="offset just past the last character; text[start:end] is the surface")
    text: str = Field(description="the surface form, without a possessive ’s")
    status: MatchStatus = Field(description="matched or ambiguous (unresolved spans are not returned)")
    entity: EntityRef | None
    score: float
    alias: str | None
    explanation: str
    candidates: list[Candidate]


class AnnotateResult(BaseModel):
    mentions: list[MentionModel]


@bp.post("/annotate", responses=with_errors({200: AnnotateResult}, 400, 413, 415, 422))
@takes_json
def annotate(body: AnnotateBody) -> Response:
    """Find every mention of a known entity in a text and link it.

    Returns the mentions in text order, never overlapping: full names in any spelling, acronyms,
    handles, hashtags and Arabic script; surnames and short forms when the same text names the
    person in full; ambiguous spans as `ambiguous`, not guessed.  Offsets count Unicode code
    points (Python string indices), so a client in UTF-16 (JavaScript) must convert them.  The
    same code as `Resolver.annotate` and `resolver annotate --json`.

    The work of one request is bounded: a text longer than `RESOLVER_API_MAX_ANNOTATE_CHARS`
    (200,000 characters by default) is a 413 `text_too_long`; a text that takes longer than
    `RESOLVER_API_MAX_ANNOTATE_SECONDS` (10 by default) is a 422 `too_much_work`, and one with
    more mentions than `RESOLVER_API_MAX_ANNOTATE_MENTIONS` (5,000 by default) a 422
    `too_many_mentions`: send such a text in parts (paragraphs), or use `resolver annotate`.
    """
    settings = api_settings()
    if len(body.text) > settings.max_annotate_chars:
        raise ApiError(413, "text_too_long", f"the text has {len(body.text):,} characters; at most "
                       f"{settings.max_annotate_chars:,} per request: send it in parts")
    try:
        mentions = get_resolver().annotate(body.text, deadline=time.monotonic() + settings.max_annotate_seconds)
    except TooMuchWork as exc:
        raise ApiError(422, "too_much_work", f"annotating the text took longer than the "
                       f"{settings.max_annotate_seconds:g} s a request may take: send it in parts") from exc
    if len(mentions) > settings.max_annotate_mentions:
        raise ApiError(422, "too_many_mentions", f"the text has {len(mentions):,} mentions; at most "
                       f"{settings.max_annotate_mentions:,} per request: send it in parts")
    return jsonify({"mentions": [m.to_dict() for m in mentions]})
