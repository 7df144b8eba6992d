"""Every failure leaves the service as JSON ``{"error": {"code", "message"}}`` with the right status.

Library errors map to 400/404/409, HTTP errors keep their status (and headers such as ``Allow``),
request validation failures become 400, and anything unexpected is logged and becomes a JSON 500:
never an HTML page.
"""

from __future__ import annotations

import logging
import re

from flask import Flask, Response, jsonify
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from resolver.errors import (
    AliasConflict,
    AliasNotFound,
    EntityNotFound,
    InvalidQuery,
    ResolverError,
    ReviewItemNotFound,
    SchemaMismatch,
)

__all__ = [
    "ApiError", "describe", "error_response", "read_only_store", "register_error_handlers",
    "validation_error_response",
]

log = logging.getLogger(__name__)

_STATUS: dict[type[ResolverError], int] = {
    InvalidQuery: 400,
    EntityNotFound: 404,
    AliasNotFound: 404,
    ReviewItemNotFound: 404,
    AliasConflict: 409,
    SchemaMismatch: 503,
}
_NOT_WORD = re.compile(r"[^a-z0-9]+")


class ApiError(Exception):
    """An error the API raises itself, with its status and stable ``code``."""

    def __init__(self, status: int, code: str, message: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    """The one error shape: ``{"error": {"code": ..., "message": ...}}``."""
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def describe(exc: ValidationError) -> str:
    """A validation failure in one line: ``field: problem; ...`` (never echoing the input)."""
    parts = []
    for err in exc.errors(include_url=False, include_input=False)[:5]:
        where = ".".join(str(p) for p in err["loc"]) or "request"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts) or "invalid request"


def validation_error_response(exc: ValidationError) -> Response:
    """The 400 for a request that fails its model; flask-openapi3 calls this and aborts with it."""
    return error_response(400, "invalid_request", describe(exc))


def _http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    if isinstance(exc.response, Response) and exc.response.mimetype == "application/json":
        return exc.response  # already one of ours (validation errors are aborted with a response)
    code = _NOT_WORD.sub("_", (exc.name or "error").lower()).strip("_")
    keep = {k: v for k, v in exc.get_headers() if k.lower() not in {"content-type", "content-length"}}
    return error_response(status, code, exc.description or exc.name or "error", keep)


def _resolver_error(exc: ResolverError) -> Response:
    return error_response(_STATUS.get(type(exc), 400), exc.code, exc.message)


def _api_error(exc: ApiError) -> Response:
    return error_response(exc.status, exc.code, exc.message, exc.headers)


#: how the drivers say the store refuses every write: SQLite's SQLITE_READONLY, PostgreSQL's SQLSTATE 25006
_READ_ONLY = ("attempt to write a readonly database", "read-only transaction")


def read_only_store(exc: OperationalError) -> bool:
    """Whether a database error means the store cannot be written at all (retrying cannot help)."""
    return getattr(exc.orig, "sqlstate", None) == "25006" or any(m in str(exc.orig) for m in _READ_ONLY)


def _store_busy(exc: OperationalError) -> Response:
    if read_only_store(exc):
        log.error("write refused: the store is read-only: %s", exc.orig)
        return error_response(403, "store_read_only",
                              "this server's store is read-only, so no write can succeed here (retrying will "
                              "not help); reads still work. Ask the operator to serve a writable store.")
    log.warning("store unavailable: %s", exc)
    return error_response(503, "store_unavailable", "the store is busy or unreachable; retry shortly",
                          {"Retry-After": "1"})


def _unexpected(exc: Exception) -> Response:
    log.exception("unhandled error")
    return error_response(500, "internal_error", "the server failed on this request; it has been logged")


def register_error_handlers(app: Flask) -> None:
    """Install the JSON handlers (HTTP errors, library errors, our own, and the catch-all)."""
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(ResolverError, _resolver_error)
    app.register_error_handler(ApiError, _api_error)
    app.register_error_handler(OperationalError, _store_busy)
    app.register_error_handler(Exception, _unexpected)
