"""One log line per request: client, method, path, status, size and time taken."""

from __future__ import annotations

import logging
import time

from flask import Response, g, request

__all__ = ["log_request", "start_timer"]

log = logging.getLogger("api.access")


def start_timer() -> None:
    """The ``before_request`` hook that notes when the request began."""
    g.api_started = time.perf_counter()


def log_request(response: Response) -> Response:
    """The ``after_request`` hook that writes the line (also for errors, which become responses)."""
    started = g.get("api_started")
    took = (time.perf_counter() - started) * 1000 if started is not None else 0.0
    path = request.full_path if request.query_string else request.path
    log.info('%s "%s %s" %d %s %.1fms', request.remote_addr or "-", request.method, path[:300],
             response.status_code, response.content_length if response.content_length is not None else "-", took)
    return response
