"""The real thing: ``resolver serve`` (gunicorn) in a subprocess on a free port of 127.0.0.1."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from live_server import call, live_server

from resolver.cli import cli
from resolver.store.db import SCHEMA_VERSION

TOKEN = "serve-test-token"


@pytest.fixture()
def server(db_path: Path, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    log = tmp_path / "server.log"
    with live_server(db_path, log, {"RESOLVER_API_TOKENS": f"tester:{TOKEN}"}, workers=2, threads=4) as url:
        yield url, log


def test_serve_answers_and_every_worker_sees_writes(server: tuple[str, Path]) -> None:
    url, log = server
    status, health = call(f"{url}/health")
    assert (status, health["status"], health["entities"], health["schema_version"]) == (200, "ok", 107, SCHEMA_VERSION)

    status, body = call(f"{url}/resolve?q=Kazemi")
    assert (status, body["status"], body["entity"]["id"]) == (200, "matched", "mustafa-al-kadhimi")

    status, body = call(f"{url}/entities/tehran/aliases", {"text": "Zorgamazoo"}, token=TOKEN)
    assert (status, body["entity_id"], body["text"]) == (201, "tehran", "Zorgamazoo")
    # Each request is a fresh connection, taken by whichever worker accepts it first: ask until
    # both workers have answered (the log line carries the worker's pid), every time with the write.
    answers: list[str | None] = []
    pids: set[str] = set()
    while len(pids) < 2 and len(answers) < 200:
        answers.append((call(f"{url}/resolve?q=Zorgamazoo")[1]["entity"] or {}).get("id"))
        pids = set(re.findall(r"\[(\d+)\] api.access: \S+ \"GET /resolve\?q=Zorgamazoo\"", log.read_text()))
    assert len(pids) == 2
    assert set(answers) == {"tehran"}

    status, body = call(f"{url}/nope")
    assert (status, body["error"]["code"]) == (404, "not_found")
    # refused by gunicorn itself, before the app: still JSON, never its HTML page
    status, body = call(f"{url}/resolve?q={'x' * 5000}")
    assert (status, body["error"]["code"]) == (414, "uri_too_long")

    text = log.read_text()
    assert "Booting worker" in text
    assert '"GET /resolve?q=Kazemi" 200' in text
    assert text.count('"GET /resolve?q=Zorgamazoo" 200') == len(answers)
    assert '"POST /entities/tehran/aliases" 201' in text


def test_serve_refuses_a_missing_store(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["serve", "--db", str(tmp_path / "missing.db")])
    assert result.exit_code == 1
    assert "no store at" in result.output


def test_a_posted_alias_is_found_by_the_next_lookup_while_others_read(server: tuple[str, Path]) -> None:
    """Read-your-write through the real server: POST (201), then at once GET /resolve, on any
    worker, while four other threads keep both workers' threads busy reading."""
    import threading

    url, _ = server
    stop = threading.Event()
    errors: list[str] = []

    def read() -> None:
        while not stop.is_set():
            try:
                status, _body = call(f"{url}/resolve?q=Kazemi")
                if status != 200:
                    errors.append(str(status))
            except Exception as exc:
                errors.append(repr(exc))

    readers = [threading.Thread(target=read) for _ in range(4)]
    for t in readers:
        t.start()
    try:
        missed = []
        for n in range(30):
            text = f"Zorgamazoo Qwertyan{n}"
            status, body = call(f"{url}/entities/tehran/aliases", {"text": text}, token=TOKEN)
            assert status == 201, body
            status, body = call(f"{url}/resolve?q={text.replace(' ', '+')}")
            if (body.get("entity") or {}).get("id") != "tehran":
                missed.append(text)
    finally:
        stop.set()
        for t in readers:
            t.join()
    assert missed == []
    assert errors == []
