"""``resolver serve`` (the real gunicorn server) in a subprocess on a free port of 127.0.0.1, for tests.

Also a raw HTTP/1.1 client (:func:`raw_request`) for what urllib will not send: broken chunking,
bytes that are not UTF-8 in the URL, a forged Host header.
"""

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
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_server(db_path: Path | str, log: Path, env: Mapping[str, str] | None = None, *, workers: int = 1,
                threads: int = 2) -> Iterator[str]:
    """Start ``resolver serve`` on ``db_path``, wait for /health, yield its base URL, stop it (SIGTERM)."""
    port = free_port()
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("RESOLVER_")}
    full_env.update(env or {})
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "resolver", "serve", "--port", str(port), "--workers", str(workers),
             "--threads", str(threads), "--db", str(db_path)],
            stdout=out, stderr=subprocess.STDOUT, env=full_env, start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=5) as resp:
                    if resp.status == 200:
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


def raw_request(url: str, head: bytes, body: bytes = b"", *, timeout: float = 10) -> tuple[int, dict[str, str], bytes]:
    """Send ``head`` (request line and headers, without the blank line) and ``body`` as they are.

    Returns the status, the headers (lower-case names) and the body of the answer; the connection
    is closed after one request.
    """
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(head.rstrip(b"\r\n") + b"\r\nConnection: close\r\n\r\n" + body)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    top, _, payload = data.partition(b"\r\n\r\n")
    lines = top.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    if headers.get("transfer-encoding", "").lower() == "chunked":
        payload = _unchunk(payload)
    return status, headers, payload


def _unchunk(data: bytes) -> bytes:
    out = b""
    while data:
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out, data = out + data[:size], data[size + 2:]
    return out


def json_of(payload: bytes) -> Any:
    return json.loads(payload.decode("utf-8"))


def chunked(body: bytes, size: int = 65536) -> bytes:
    """``body`` framed as HTTP/1.1 chunks."""
    parts = [b"%x\r\n%s\r\n" % (len(body[i:i + size]), body[i:i + size]) for i in range(0, len(body), size)]
    return b"".join(parts) + b"0\r\n\r\n"


def call(url: str, data: dict[str, Any] | None = None, token: str | None = None) -> tuple[int, Any]:
    """One JSON request (a POST when ``data`` is given): (status, parsed body)."""
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
