"""``resolver serve``: the HTTP API under gunicorn, a production WSGI server.

Flask and gunicorn are imported when the command runs, not when the CLI loads, so that the
library and its other commands never import the web stack.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from collections.abc import Callable
from typing import Any

import click

from resolver.cli import cli, db_option, open_resolver, reports_errors
from resolver.longrun import warm
from resolver.store.db import sqlite_path

__all__ = ["serve"]

log = logging.getLogger(__name__)


def default_workers() -> int:
    """One worker process per core (a worker resolves on one core at a time), at least two."""
    return max(2, os.cpu_count() or 1)


def gunicorn_options(host: str, port: int, workers: int, threads: int) -> dict[str, Any]:
    """The gunicorn settings ``serve`` uses; no access log of gunicorn's own (the app logs each request).

    With more than one thread a worker is gunicorn's ``gthread`` kind: it keeps connections alive
    and a slow client holds one thread, not the whole worker.  One thread means ``sync`` workers
    (:func:`run_gunicorn` picks the class).
    """
    return {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "keepalive": 5,
        "timeout": 30,
        "graceful_timeout": 10,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "resolver",
    }


class JsonErrorSocket:
    """Stands for a client's socket while gunicorn answers a request it could not read.

    A request line over gunicorn's limit, oversized headers or broken chunking never reach the app:
    gunicorn answers them itself with a small HTML page.  Handed this stand-in, it writes the same
    status with the API's JSON error body instead, so no client ever gets HTML.
    """

    def __init__(self, sock: Any) -> None:
        self._sock = sock

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)

    def sendall(self, data: bytes) -> None:
        status_line = data.split(b"\r\n", 1)[0].decode("latin-1")  # "HTTP/1.1 414 URI Too Long"
        _, status, reason = [*status_line.split(" ", 2), "500", "Internal Server Error"][:3]
        code = re.sub(r"[^a-z0-9]+", "_", reason.lower()).strip("_") or "bad_request"
        body = json.dumps({"error": {"code": code, "message": f"the server could not read the request: {reason}"}})
        head = (f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n")
        self._sock.sendall(head.encode("latin-1") + body.encode())


def run_gunicorn(factory: Callable[[], Any], options: dict[str, Any]) -> None:
    """Serve the WSGI app that ``factory`` builds, once in each worker process, until stopped."""
    from gunicorn.app.base import BaseApplication  # type: ignore[import-untyped]
    from gunicorn.workers.gthread import ThreadWorker  # type: ignore[import-untyped]
    from gunicorn.workers.sync import SyncWorker  # type: ignore[import-untyped]

    base = ThreadWorker if options["threads"] > 1 else SyncWorker

    class Worker(base):  # type: ignore[misc,valid-type]
        def handle_error(self, req: Any, client: Any, addr: Any, exc: Exception) -> None:
            super().handle_error(req, JsonErrorSocket(client), addr, exc)

    Worker.__name__ = f"{base.__name__} with JSON errors"  # what gunicorn's "Using worker:" line shows

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in {**options, "worker_class": Worker}.items():
                self.cfg.set(key, value)
            if "control_socket_disable" in self.cfg.settings:
                # gunicorn >= 25 opens a control socket at one fixed path per user, which a
                # second server on the same machine would fight over; serve needs none.
                self.cfg.set("control_socket_disable", True)

        def load(self) -> Any:
            # Runs in each worker after the fork: every worker opens its own Resolver, so each
            # has private connections and sees writes from the others on its next lookup.
            return factory()

    Server().run()


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="TCP port.")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Worker processes (default: one per core, at least 2).")
@click.option("--threads", type=click.IntRange(1, 64), default=4, show_default=True,
              help="Threads per worker (1: gunicorn's sync workers).")
@click.option("--public-url", default=None, metavar="URL", envvar="RESOLVER_API_PUBLIC_URL",
              help="The URL clients reach the service at; every absolute URL it writes starts with it "
                   "(default: the URL each request came in on).")
@db_option
@reports_errors
def serve(host: str, port: int, workers: int | None, threads: int, public_url: str | None, db: str | None) -> None:
    """Serve the HTTP API (resolve, entities, curation, /reconcile, /docs) with gunicorn.

    Writes need a token: set RESOLVER_API_TOKENS="name:token,...".  Each request is logged
    on standard error.

    \b
    Example:
        resolver serve --port 8000 --workers 2
        curl 'http://127.0.0.1:8000/resolve?q=Kazemi'
    """
    from api.config import load_api_settings  # the web stack loads only when serving

    # Check every setting and the store once, here, so that a mistake is one line and exit status 1
    # rather than a traceback in every worker and gunicorn giving up.
    api_overrides: dict[str, Any] = {"public_url": public_url} if public_url else {}
    load_api_settings(None, **api_overrides)
    checked = open_resolver(db, judging=False)
    store_file = sqlite_path(checked.store.engine.url)
    checked.close()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s [%(process)d] %(name)s: %(message)s")
    # Read an SQLite store once, here, so that the page cache holds it for every worker: a lookup
    # at a million aliases reads a few hundred scattered pages, each a read from disk when other
    # work pushed them out (p99 about twice as long; see ``resolver.longrun.warm``).
    started = time.perf_counter()
    if warmed := warm(store_file):
        log.info("read the store (%.0f MB) in %.2f s", warmed / 1e6, time.perf_counter() - started)
    overrides = {**({"db": db} if db else {}), **api_overrides} or None

    def factory() -> Any:
        from api import create_app
        from resolver.longrun import settle

        app = create_app(overrides)
        settle()  # in each worker, once the app and its resolver are open
        return app

    count = workers or default_workers()
    log.info("serving %s on http://%s:%d with %d workers x %d threads", db or "the bundled store", host, port,
             count, threads)
    run_gunicorn(factory, gunicorn_options(host, port, count, threads))
