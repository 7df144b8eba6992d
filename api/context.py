"""Typed access to what ``create_app`` keeps in ``app.extensions`` for the current request."""

from __future__ import annotations

from flask import current_app

from resolver import Resolver

from .config import ApiSettings

__all__ = ["api_settings", "get_resolver"]


def get_resolver() -> Resolver:
    """The application's :class:`~resolver.Resolver` (one per process, shared by its threads)."""
    resolver: Resolver = current_app.extensions["resolver"]
    return resolver


def api_settings() -> ApiSettings:
    """The application's :class:`~api.config.ApiSettings`."""
    settings: ApiSettings = current_app.extensions["resolver_api"]
    return settings
