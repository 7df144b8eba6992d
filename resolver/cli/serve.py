"""``resolver serve``: the HTTP API under gunicorn, a production WSGI server.

Flask and gunicorn are imported when the command runs, not when the CLI loads, so that the
library and its other commands never import the web stack.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

import click

from . import cli, db_option, open_resolver, reports_errors

__all__ = ["serve"]

log = logging.getLogger(__name__)


def default_workers() -> int:
    """One worker process per core (a worker resolves on one core at a time), at least two."""
    return max(2, os.cpu_count() or 1)


def gunicorn_options(host: str, port: int, workers: int, threads: int) -> dict[str, Any]:
    """The gunicorn settings ``serve`` uses; no access log of gunicorn's own (the app logs each request).

    With more than one thread a worker is gunicorn's ``gthread`` kind: it keeps connections alive
    and a slow client holds one thread, not the whole worker.  One thread means ``sync`` workers.
    """
    return {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread" if threads > 1 else "sync",
        "threads": threads,
        "keepalive": 5,
        "timeout": 30,
        "graceful_timeout": 10,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "resolver",
    }


def run_gunicorn(factory: Callable[[], Any], options: dict[str, Any]) -> None:
    """Serve the WSGI app that ``factory`` builds, once in each worker process, until stopped."""
    from gunicorn.app.base import BaseApplication  # type: ignore[import-untyped]

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
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
@db_option
@reports_errors
def serve(host: str, port: int, workers: int | None, threads: int, db: str | None) -> None:
    """Serve the HTTP API (resolve, entities, curation, /reconcile, /docs) with gunicorn.

    Writes need a token: set RESOLVER_API_TOKENS="name:token,...".  Each request is logged
    on standard error.

    \b
    Example:
        resolver serve --port 8000 --workers 2
        curl 'http://127.0.0.1:8000/resolve?q=Kazemi'
    """
    logging.basicConfig(level=logging.INFO, format="%(asctime)s [%(process)d] %(name)s: %(message)s")
    open_resolver(db).close()  # fail here, with a clear message, rather than in every worker
    overrides = {"db": db} if db else None

    def factory() -> Any:
        from api import create_app

        return create_app(overrides)

    count = workers or default_workers()
    log.info("serving %s on http://%s:%d with %d workers x %d threads", db or "the bundled store", host, port,
             count, threads)
    run_gunicorn(factory, gunicorn_options(host, port, count, threads))
