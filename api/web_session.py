"""Signing curators in to the pages, and keeping their form posts safe from cross-site forgery.

A curator signs in with the same API token that ``Authorization: Bearer`` takes.  The session is
Flask's signed cookie (HttpOnly, ``SameSite=Lax``, ``Secure`` when served over HTTPS) holding the
holder's name, a fingerprint of the token and a random CSRF token.  Every request re-checks the
fingerprint against the configured tokens, so removing a token from ``RESOLVER_API_TOKENS`` ends its
sessions; sessions also end after :data:`SESSION_HOURS`.

Every page form carries the CSRF token and every page POST must return it (compared in constant
time); a POST whose ``Origin`` names another site is refused before that.  The signing key is
derived from the configured tokens, so every worker process of one server agrees on it.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, abort, request, session
from flask.sessions import SecureCookieSessionInterface

from .context import api_settings
from .guards import token_holder

__all__ = ["SESSION_HOURS", "check_csrf", "csrf_token", "curator", "init_sessions", "needs_curator",
           "sign_in", "sign_out"]

F = TypeVar("F", bound=Callable[..., Any])

#: how long a sign-in lasts
SESSION_HOURS = 12


class _SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session, marked ``Secure`` whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def _fingerprint(key: bytes, token: str) -> str:
    return hmac.new(key, b"token\0" + token.encode(), hashlib.sha256).hexdigest()[:32]


def init_sessions(app: Flask, tokens: dict[str, str] | Any) -> None:
    """Configure the signed session cookie; the key comes from the tokens (random without any)."""
    if tokens:
        material = "\0".join(sorted(f"{name}:{token}" for token, name in tokens.items())).encode()
        key = hashlib.sha256(b"resolver pages session key\0" + material).digest()
    else:
        key = secrets.token_bytes(32)  # no curator can sign in; the key only signs flash messages
    app.secret_key = key
    app.session_interface = _SessionInterface()
    app.config.setdefault("SESSION_COOKIE_NAME", "resolver_session")
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax")


def _key() -> bytes:
    from flask import current_app

    key: bytes = current_app.secret_key  # type: ignore[assignment]
    return key


def csrf_token() -> str:
    """This session's CSRF token (created on first use), to put in every form."""
    token = session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def check_csrf() -> None:
    """Refuse (403) a POST from another site or without this session's CSRF token."""
    origin = request.headers.get("Origin")
    if origin and origin != "null":
        mine = urlsplit(request.host_url)
        theirs = urlsplit(origin)
        if (theirs.scheme, theirs.netloc) != (mine.scheme, mine.netloc):
            abort(403, "this form was sent from another site")
    sent = request.form.get("csrf", "")
    held = session.get("csrf")
    if not isinstance(held, str) or not hmac.compare_digest(sent.encode(), held.encode()):
        abort(403, "the form's security token is missing or stale: reload the page and try again")


def sign_in(token: str) -> str | None:
    """Start a curator session for the holder of ``token``; their name, or None for a bad token."""
    name = token_holder(api_settings(), token) if token.strip() else None
    if name is None:
        return None
    session.clear()
    session["curator"] = name
    session["tok"] = _fingerprint(_key(), token.strip())
    session["since"] = int(time.time())
    session["csrf"] = secrets.token_urlsafe(32)  # a new token after signing in
    return name


def sign_out() -> None:
    session.clear()


def curator() -> str | None:
    """The signed-in curator's name, if the session is valid and its token still configured."""
    name, fingerprint, since = session.get("curator"), session.get("tok"), session.get("since")
    if not isinstance(name, str) or not isinstance(fingerprint, str) or not isinstance(since, int):
        return None
    if time.time() - since > SESSION_HOURS * 3600:
        return None
    key = _key()
    for token, holder in api_settings().tokens.items():
        if holder == name and hmac.compare_digest(_fingerprint(key, token), fingerprint):
            return name
    return None


def needs_curator(fn: F) -> F:
    """A page POST that changes the store: a signed-in curator and a valid CSRF token, else 403."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        check_csrf()
        if curator() is None:
            abort(403, "sign in with your API token first")
        return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
