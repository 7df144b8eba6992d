"""The service's side of the review queue: one collector per process, fed by the routes.

``/resolve``, ``/reconcile`` and ``/normalize`` report what they could not link with
:func:`collect`; the collector writes the counts to the store's queue every few seconds
(``RESOLVER_REVIEW_FLUSH_INTERVAL``), or not at all when ``RESOLVER_REVIEW_MAX`` is 0.
"""

from __future__ import annotations

import atexit
import logging
import weakref
from collections.abc import Iterable

from flask import Flask, current_app

from resolver import Resolution, Resolver
from resolver.store.review import ReviewCollector, ReviewQueue, Sighting

from .version import package_version

__all__ = ["collect", "collect_sightings", "install", "package_version", "review_queue"]

log = logging.getLogger(__name__)


def _flush_at_exit(ref: weakref.ref[ReviewCollector]) -> None:
    collector = ref()
    if collector is not None:
        collector.flush()


def _warn(exc: Exception) -> None:
    log.warning("review queue not updated: %s: %s", exc.__class__.__name__, exc)


def install(app: Flask, resolver: Resolver) -> None:
    """Give the app a review queue on the resolver's store and, if collection is on, a collector."""
    settings = resolver.settings
    queue = ReviewQueue(resolver.store, max(1, settings.review_max))
    app.extensions["review_queue"] = queue
    if settings.review_max > 0:
        collector = ReviewCollector(queue, settings.review_flush_interval, on_error=_warn)
        app.extensions["review_collector"] = collector
        atexit.register(_flush_at_exit, weakref.ref(collector))


def review_queue() -> ReviewQueue:
    """The application's review queue."""
    queue: ReviewQueue = current_app.extensions["review_queue"]
    return queue


def _collector() -> ReviewCollector | None:
    collector: ReviewCollector | None = current_app.extensions.get("review_collector")
    return collector


def collect(resolutions: Iterable[Resolution], origin: str) -> None:
    """Report lookups; the unresolved and ambiguous ones are queued for curators."""
    collector = _collector()
    if collector is not None:
        collector.add_resolutions(resolutions, origin)


def collect_sightings(sightings: Iterable[Sighting]) -> None:
    """Report counted values (from a CSV run) for the queue."""
    collector = _collector()
    if collector is not None:
        collector.add(sightings)


def flush() -> None:
    """Write this process's buffered reports now (before showing the queue)."""
    collector = _collector()
    if collector is not None:
        collector.flush()
