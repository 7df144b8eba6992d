"""The HTTP API: a Flask application (built by :func:`create_app`) over the resolver library.

Run it with ``resolver serve``; embed it or test it with ``create_app()``.  Each area has its own
route module (resolve, entities, curation, reconcile, meta) registered here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from flask_openapi3.models.info import Info
from flask_openapi3.openapi import OpenAPI

from resolver import Resolver, Settings, load_settings

from . import (
    pages,
    reconcile,
    reconcile_extend,
    reconcile_suggest,
    routes_annotate,
    routes_curation,  # noqa: F401  (adds the write routes to routes_entities.bp)
    routes_entities,
    routes_meta,
    routes_normalize,
    routes_resolve,
)
from .access_log import log_request, start_timer
from .body import RequestGate
from .config import ApiSettings, load_api_settings
from .cors import add_cors_headers
from .docs import finish_document
from .errors import register_error_handlers, validation_error_response
from .guards import check_request
from .models import ErrorBody
from .review_hook import install as install_review_queue
from .version import package_version

__all__ = ["create_app"]

_DESCRIPTION = """Entity resolution for names that reach English through Arabic and Persian transliteration.

Resolve mentions (`/resolve`), read and curate entities (`/entities`), and reconcile columns from
OpenRefine (`/reconcile`).  Writes need `Authorization: Bearer <token>`.  Every error is JSON
`{"error": {"code", "message"}}`."""


def _split(overrides: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Sort overrides into resolver settings, API settings and (UPPERCASE) Flask config."""
    library = {f.name for f in fields(Settings)}
    api = {f.name for f in fields(ApiSettings)}
    mine: tuple[dict[str, Any], dict[str, Any], dict[str, Any]] = ({}, {}, {})
    for key, value in overrides.items():
        if key.isupper():
            mine[2][key] = value
        elif key in library:
            mine[0][key] = value
        elif key in api:
            mine[1][key] = value
        else:
            raise ValueError(f"unknown setting {key!r}; use a Settings or ApiSettings field, or an UPPERCASE Flask key")
    return mine


def create_app(overrides: Mapping[str, Any] | None = None, *, resolver: Resolver | None = None) -> OpenAPI:
    """Build the application.

    Settings come from the environment (``RESOLVER_*`` for the resolver, ``RESOLVER_API_*`` for the
    service) and then from ``overrides``, whose keys are :class:`resolver.Settings` or
    :class:`api.config.ApiSettings` fields (``db``, ``tokens``, ``max_batch``, ...) or UPPERCASE
    Flask config keys.

    Args:
        overrides: settings that win over the environment.
        resolver: an open :class:`~resolver.Resolver` to serve (its caller closes it); by default one
            is opened on the configured store and kept for the application's life.

    Raises:
        SchemaMismatch: the store is missing or not one this version can use.
        ValueError: a setting has the wrong type or an unknown name.
    """
    library, api, flask_config = _split(overrides or {})
    api_settings = load_api_settings(**api)
    if resolver is None:
        resolver = Resolver.open(settings=load_settings(**library))
    elif library:
        raise ValueError(f"resolver settings {sorted(library)} cannot apply to a Resolver passed in")

    app = OpenAPI(
        __name__,
        info=Info(title="Arabic alias resolver", version=package_version(), description=_DESCRIPTION),
        security_schemes={"bearer": {"type": "http", "scheme": "bearer"}},
        validation_error_status=400,
        validation_error_model=ErrorBody,
        validation_error_callback=validation_error_response,
        doc_prefix="/docs",
        doc_url="/openapi.json",
        static_folder=None,
    )
    app.config.update(
        MAX_CONTENT_LENGTH=api_settings.max_body_bytes,
        MAX_FORM_MEMORY_SIZE=api_settings.max_body_bytes,
        **flask_config,
    )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # Arabic stays readable, as in the CLI
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep the library's field order
    app.extensions["resolver"] = resolver
    app.extensions["resolver_api"] = api_settings

    register_error_handlers(app)
    app.before_request(start_timer)
    app.before_request(check_request)
    app.after_request(add_cors_headers)
    app.after_request(log_request)
    for module in (routes_resolve, routes_entities, reconcile, routes_meta, routes_normalize):
        app.register_api(module.bp)
    app.register_api(routes_annotate.bp)
    app.register_api(reconcile_suggest.bp)
    app.register_api(reconcile_extend.bp)
    install_review_queue(app, resolver)
    pages.init_app(app)
    finish_document(app)
    # every body read whole and bounded (chunked ones too), every URL checked, before Flask sees it
    app.wsgi_app = RequestGate(app.wsgi_app, lambda: api_settings.max_body_bytes)  # type: ignore[method-assign]
    return app
