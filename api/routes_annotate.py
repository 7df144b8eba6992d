"""``POST /annotate``: find and link entity mentions in running text (as ``resolver annotate --json``)."""

from __future__ import annotations

from flask import Response, jsonify
from pydantic import BaseModel, ConfigDict, Field

from resolver.results import MatchStatus

from .context import get_resolver
from .docs import api_blueprint, with_errors
from .guards import takes_json
from .models import CandidateModel, EntityRefModel

__all__ = ["AnnotateBody", "AnnotateResult", "MentionModel", "bp"]

bp = api_blueprint("annotate", __name__, "Find and link entity mentions in running text")


class AnnotateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="the text, in any script; the request body may be at most the service's "
                                  "request limit (RESOLVER_API_MAX_BODY_BYTES, 4 MiB by default; 413 above it)")


class MentionModel(BaseModel):
    """One mention: offsets into ``text`` (code points, end exclusive) and its resolution."""

    start: int = Field(description="offset of the first character, counted in Unicode code points")
    end: int = Field(description="offset just past the last character; text[start:end] is the surface")
    text: str = Field(description="the surface form, without a possessive ’s")
    status: MatchStatus = Field(description="matched or ambiguous (unresolved spans are not returned)")
    entity: EntityRefModel | None
    score: float
    alias: str | None
    explanation: str
    candidates: list[CandidateModel]


class AnnotateResult(BaseModel):
    mentions: list[MentionModel]


@bp.post("/annotate", responses=with_errors({200: AnnotateResult}, 400, 413, 415))
@takes_json
def annotate(body: AnnotateBody) -> Response:
    """Find every mention of a known entity in a text and link it.

    Returns the mentions in text order, never overlapping: full names in any spelling, acronyms,
    handles, hashtags and Arabic script; surnames and short forms when the same text names the
    person in full; ambiguous spans as `ambiguous`, not guessed.  Offsets count Unicode code
    points (Python string indices), so a client in UTF-16 (JavaScript) must convert them.  The
    same code as `Resolver.annotate` and `resolver annotate --json`.
    """
    mentions = get_resolver().annotate(body.text)
    return jsonify({"mentions": [m.to_dict() for m in mentions]})
