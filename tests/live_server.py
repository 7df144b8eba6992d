"""Start the real ``resolver serve`` (gunicorn) on a free port of 127.0.0.1 for browser and OpenRefine tests."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def call(url: str, data: dict[str, Any] | None = None, token: str | None = None) -> tuple[int, Any]:
    """One JSON request: (status, parsed body)."""
    headers = {"Content-Type": "application/json"} if data is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = json.dumps(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers=headers, method="POST" if body else "GET")
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


@contextmanager
def serve(db: Path, log: Path, env: dict[str, str], workers: int = 2) -> Iterator[str]:
    """``resolver serve --db DB`` until the block ends; yields its base URL."""
    port = free_port()
    environ = {**os.environ, **env}
    environ.pop("RESOLVER_DB", None)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "resolver", "serve", "--port", str(port), "--workers", str(workers),
             "--db", str(db)],
            stdout=out, stderr=subprocess.STDOUT, env=environ, start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if call(f"{url}/health")[0] == 200:
                    break
            except (urllib.error.URLError, ConnectionError):
                pass
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "no answer on /health within 30 s:\n" + log.read_text()
            time.sleep(0.1)
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
