"""Typed access to what ``create_app`` keeps in ``app.extensions`` for the current request."""

from __future__ import annotations

from flask import current_app, request

from resolver import Resolver

from .config import ApiSettings

__all__ = ["api_settings", "base_url", "get_resolver", "public_location"]


def get_resolver() -> Resolver:
    """The application's :class:`~resolver.Resolver` (one per process, shared by its threads)."""
    resolver: Resolver = current_app.extensions["resolver"]
    return resolver


def api_settings() -> ApiSettings:
    """The application's :class:`~api.config.ApiSettings`."""
    settings: ApiSettings = current_app.extensions["resolver_api"]
    return settings


def base_url() -> str:
    """Where clients reach this service, without a trailing slash: every absolute URL it writes starts so.

    The configured ``public_url`` (``RESOLVER_API_PUBLIC_URL``); without one, the URL of the request
    (so its Host header), as a service reached directly must use.
    """
    return api_settings().public_url or request.url_root.rstrip("/")


def public_location(path: str) -> str:
    """A ``Location`` for a path made by ``url_for``: under the configured ``public_url`` when there
    is one (so that a redirect behind a proxy keeps the public prefix), else the path as it is."""
    public = api_settings().public_url
    return public + path.removeprefix(request.script_root) if public else path
