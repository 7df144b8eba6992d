"""Cross-origin access for every endpoint, as the reconciliation protocol requires of all of them.

Any origin may read; browsers send no cookies to this service (credentials are bearer tokens that
a script must hold), so a wildcard origin gives nothing away.
"""

from __future__ import annotations

from flask import Response, request

__all__ = ["add_cors_headers"]

_METHODS = "GET, POST, PATCH, DELETE, OPTIONS"
_HEADERS = "Authorization, Content-Type"


def add_cors_headers(response: Response) -> Response:
    """The ``after_request`` hook: allow any origin, and answer preflights for the methods we serve."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "Location"
    if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
        response.headers["Access-Control-Allow-Methods"] = _METHODS
        response.headers["Access-Control-Allow-Headers"] = _HEADERS
        response.headers["Access-Control-Max-Age"] = "86400"
    return response
