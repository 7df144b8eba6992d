"""Checks every request passes before its view runs: credentials, content type, a parseable body.

Views declare what they need with markers, :func:`needs_token` and :func:`takes_json` (or
:func:`takes_form`); :func:`check_request` runs as a ``before_request`` hook, ahead of the view's
model validation, so that a bad token is a 401 even when the body is also wrong, and a wrong
content type is a 415 rather than a validation error.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app, g, request

from .config import ApiSettings
from .context import api_settings
from .errors import ApiError

__all__ = [
    "check_request", "current_actor", "has_lone_surrogate", "needs_token", "parse_json", "takes_form", "takes_json",
    "token_holder",
]

F = TypeVar("F", bound=Callable[..., Any])

_TOKEN = "_api_needs_token"
_JSON = "_api_takes_json"
_FORM = "_api_takes_form"
_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def needs_token(fn: F) -> F:
    """Mark a view as a write: it needs ``Authorization: Bearer <token>``."""
    setattr(fn, _TOKEN, True)
    return fn


def takes_json(fn: F) -> F:
    """Mark a view whose body must be a JSON document (415 otherwise, 400 if it does not parse)."""
    setattr(fn, _JSON, True)
    return fn


def takes_form(fn: F) -> F:
    """Mark a view whose POST body must be an HTML form (urlencoded or multipart)."""
    setattr(fn, _FORM, True)
    return fn


def current_actor() -> str:
    """The name of the token that authorised this request (set by :func:`check_request`)."""
    actor: str = g.api_actor
    return actor


def has_lone_surrogate(value: object) -> bool:
    """Whether a parsed JSON value holds a string with an unpaired surrogate (``"\\ud800"``).

    JSON may escape one, Python keeps it, and neither SQLite nor a UTF-8 response can carry it.
    Walks the value with an explicit stack, so that no nesting depth can overflow Python's.
    """
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def parse_json(text: str | bytes, what: str) -> Any:
    """Parse a JSON document from a client: 400 when it is malformed, too deeply nested or unencodable."""
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as exc:  # RecursionError: "[[[[..." deeper than Python's stack
        raise ApiError(400, "invalid_json", f"{what} is not a well-formed JSON document") from exc
    if has_lone_surrogate(value):
        raise ApiError(400, "invalid_json", f"{what} holds an unpaired UTF-16 surrogate escape")
    return value


def token_holder(settings: ApiSettings, token: str) -> str | None:
    """The name of the holder of ``token``, or None; compared with every token in constant time."""
    offered = token.strip().encode()
    name = None
    for known, holder in settings.tokens.items():
        # compare with every token, in constant time, so the timing tells nothing
        if hmac.compare_digest(offered, known.encode()):
            name = holder
    return name


def _authorise(settings: ApiSettings) -> str:
    if not settings.tokens:
        raise ApiError(403, "writes_disabled",
                       "this server accepts no writes: no API token is configured (RESOLVER_API_TOKENS)")
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "unauthorized", "this write needs an 'Authorization: Bearer <token>' header",
                       headers={"WWW-Authenticate": 'Bearer realm="resolver"'})
    name = token_holder(settings, token)
    if name is None:
        raise ApiError(401, "invalid_token", "the bearer token is not valid",
                       headers={"WWW-Authenticate": 'Bearer realm="resolver", error="invalid_token"'})
    return name


def _check_json_body() -> None:
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type",
                       f"send the body as application/json, not {request.mimetype or 'nothing'}")
    # Parsed here first so that every malformed body is a 400 (Flask lets a RecursionError from
    # "[[[[..." through); the view's model validation then parses the same bytes again.
    parse_json(request.get_data(cache=True), "the body")


def check_request() -> None:
    """The ``before_request`` hook: authorise writes, then check the body's type and syntax."""
    view = current_app.view_functions.get(request.endpoint or "")
    if view is None or request.method == "OPTIONS":  # CORS preflights carry no credentials
        return
    if getattr(view, _TOKEN, False):
        g.api_actor = _authorise(api_settings())
    if request.method not in {"POST", "PUT", "PATCH"}:
        return
    if getattr(view, _JSON, False):
        _check_json_body()
    elif getattr(view, _FORM, False) and request.mimetype not in _FORM_TYPES:
        raise ApiError(415, "unsupported_media_type",
                       f"send the body as application/x-www-form-urlencoded, not {request.mimetype or 'nothing'}")
