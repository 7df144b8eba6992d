"""``POST /normalize``: a CSV in, the same CSV with canonical ids appended out (as ``resolver normalize``)."""

from __future__ import annotations

import io
import json
from typing import Annotated

from flask import Response, request
from pydantic import Field

from resolver.batch.runner import UndecodableInput, normalize_csv
from resolver.results import EntityType
from resolver.store.review import Sighting

from .context import get_resolver
from .docs import api_blueprint, with_errors
from .errors import ApiError
from .models import QueryModel, type_value
from .review_hook import collect_sightings

__all__ = ["bp"]

bp = api_blueprint("normalize", __name__, "Add canonical ids to the name columns of a CSV")

#: media types accepted for the CSV body (curl's --data-binary default, a form, is refused with a hint)
_CSV_TYPES = frozenset({"text/csv", "text/plain", "application/csv", "application/octet-stream"})
_CSV_RESPONSE = {"description": "the CSV with five columns appended per named column",
                 "content": {"text/csv": {"schema": {"type": "string"}}}}
_CSV_BODY = {"requestBody": {"required": True, "content": {"text/csv": {"schema": {
    "type": "string", "minLength": 1, "description": "a CSV whose header names every ?column="}}}}}


class NormalizeQuery(QueryModel):
    column: list[Annotated[str, Field(min_length=1)]] = Field(
        min_length=1, description="a column of names to resolve (repeat for several)")
    type: EntityType | None = Field(None, description="only consider entities of this type")
    encoding: str | None = Field(None, max_length=40,
                                 description="the body's encoding (default: the Content-Type charset, else UTF-8)")
    delimiter: str | None = Field(None, max_length=3, description="one character or 'tab' (default: sniffed)")
    sanitize: bool = Field(True, description="neutralise appended cells that start with = + - @")


@bp.post("/normalize", responses=with_errors({200: _CSV_RESPONSE}, 400, 413, 415), openapi_extensions=_CSV_BODY)
def normalize(query: NormalizeQuery) -> Response:
    """Resolve the named columns of a CSV body and return it with `<col>_id`, `_name`, `_type`, `_score`, `_status`.

    The same code as `resolver normalize` and `resolver.batch.normalize_csv`: every original row
    and cell kept in order, empty cells left unresolved, the input's delimiter, UTF-8 and CRLF out.
    The body may be at most the service's request limit (`RESOLVER_API_MAX_BODY_BYTES`, 4 MiB by
    default; 413 above it); larger files belong to the command line.  The counts are in the
    `X-Normalize-Report` header (JSON).
    """
    if request.mimetype not in _CSV_TYPES:
        raise ApiError(415, "unsupported_media_type",
                       f"send the CSV as text/csv, not {request.mimetype or 'nothing'} "
                       "(curl: -H 'Content-Type: text/csv' --data-binary @file.csv)")
    body = request.get_data(cache=False)  # over MAX_CONTENT_LENGTH: 413 before anything is read
    delimiter = "\t" if query.delimiter in ("tab", "\\t") else query.delimiter
    out = io.StringIO(newline="")
    try:
        report = normalize_csv(
            io.BytesIO(body), out, resolver=get_resolver(), columns=query.column, type=type_value(query.type),
            encoding=query.encoding or request.mimetype_params.get("charset"), delimiter=delimiter,
            sanitize=query.sanitize, source_name="body", todo_limit=get_resolver().settings.review_max,
        )
    except UndecodableInput as exc:
        raise ApiError(400, exc.code, f"{exc.message}; name the encoding with ?encoding= "
                       "or a charset in Content-Type") from exc
    collect_sightings(Sighting(t.value, t.status, "normalize", t.count) for t in report.todo)
    summary = {k: v for k, v in report.to_dict().items() if k not in ("todo", "todo_max_error", "seconds")}
    response = Response(out.getvalue().encode("utf-8"), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["X-Normalize-Report"] = json.dumps(summary)  # ASCII-escaped: header-safe
    return response
