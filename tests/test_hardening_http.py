"""Issue #11 over HTTP, against the real gunicorn server (``resolver serve``) on 127.0.0.1.

Each test is a defect that was found by using the service as a user and an attacker would:
limits that chunked bodies slipped past, wrong statuses, unbounded work, a Host header that
changed the service's identity.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from live_server import chunked, free_port, json_of, live_server, raw_request

TOKEN = "hardening-token"
LIMIT = 256 * 1024
PUBLIC = "https://resolver.example.org/api"


@pytest.fixture(scope="module")
def server(bundle_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server with a small body limit, small annotate limits, a token and a public base URL."""
    where = tmp_path_factory.mktemp("hardening")
    db = where / "aliases.db"
    shutil.copyfile(bundle_template, db)
    env = {
        "RESOLVER_API_TOKENS": f"tester:{TOKEN}",
        "RESOLVER_API_MAX_BODY_BYTES": str(LIMIT),
        "RESOLVER_API_PUBLIC_URL": PUBLIC + "/",
        "RESOLVER_API_MAX_ANNOTATE_CHARS": "20000",
        "RESOLVER_API_MAX_ANNOTATE_MENTIONS": "50",
    }
    with live_server(db, where / "server.log", env, workers=1, threads=4) as url:
        yield url


@pytest.fixture(scope="module")
def plain_server(bundle_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Defaults, except a store opened read-only and annotation allowed almost no time."""
    where = tmp_path_factory.mktemp("read-only")
    db = where / "aliases.db"
    shutil.copyfile(bundle_template, db)
    env = {"RESOLVER_API_TOKENS": f"tester:{TOKEN}", "RESOLVER_API_MAX_ANNOTATE_SECONDS": "0.001"}
    with live_server(f"sqlite:///file:{db}?mode=ro&uri=true", where / "server.log", env) as url:
        yield url


def _csv(rows: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["n", "actor"])
    names = ["Asaib Ahl al-Haq", "Mustafa Kazemi", "AAH", "Kata'ib Hizballah", "Someone Unknown"]
    for i in range(rows):
        writer.writerow([i, names[i % len(names)]])
    return out.getvalue().encode()


def _post(url: str, path: str, body: bytes, content_type: str, *, chunk: bool,
          extra: bytes = b"") -> tuple[int, dict[str, str], bytes]:
    host = url.removeprefix("http://")
    head = f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: {content_type}\r\n".encode() + extra
    if chunk:
        return raw_request(url, head + b"Transfer-Encoding: chunked\r\n", chunked(body))
    return raw_request(url, head + f"Content-Length: {len(body)}\r\n".encode(), body)


# --- 1 and 6: every body limit holds for chunked bodies --------------------------------------------------


@pytest.mark.parametrize("chunk", [True, False], ids=["chunked", "content-length"])
def test_a_csv_over_the_limit_is_413_never_a_truncated_answer(server: str, chunk: bool) -> None:
    body = _csv(20_000)
    assert len(body) > LIMIT
    status, headers, payload = _post(server, "/normalize?column=actor", body, "text/csv", chunk=chunk)
    assert status == 413, payload[:300]
    assert headers["content-type"].startswith("application/json")
    assert json_of(payload)["error"]["code"] == "request_entity_too_large"


def test_a_chunked_csv_under_the_limit_keeps_every_row(server: str) -> None:
    body = _csv(9_000)
    assert LIMIT // 2 < len(body) < LIMIT
    status, headers, payload = _post(server, "/normalize?column=actor", body, "text/csv", chunk=True)
    assert status == 200
    rows = list(csv.reader(io.StringIO(payload.decode("utf-8"))))
    assert len(rows) == 9_001
    assert [r[0] for r in rows[1:]] == [str(i) for i in range(9_000)]
    assert json.loads(headers["x-normalize-report"])["rows"] == 9_000


def test_an_oversized_chunked_json_body_is_413_not_invalid_json(server: str) -> None:
    body = json.dumps({"mentions": ["Kazemi"] * 40_000}).encode()
    assert len(body) > LIMIT
    status, _, payload = _post(server, "/resolve", body, "application/json", chunk=True)
    assert (status, json_of(payload)["error"]["code"]) == (413, "request_entity_too_large")


def test_an_oversized_chunked_form_is_413(server: str) -> None:
    batch = {f"q{i}": {"query": "Kazemi"} for i in range(20_000)}
    body = urllib.parse.urlencode({"queries": json.dumps(batch)}).encode()
    assert len(body) > LIMIT
    status, _, payload = _post(server, "/reconcile", body, "application/x-www-form-urlencoded", chunk=True)
    assert (status, json_of(payload)["error"]["code"]) == (413, "request_entity_too_large")


def test_a_chunked_body_under_the_limit_is_read_whole(server: str) -> None:
    body = json.dumps({"mentions": ["Kazemi", "AAH"]}).encode()
    status, _, payload = _post(server, "/resolve", body, "application/json", chunk=True)
    assert status == 200
    assert [r["entity"]["id"] for r in json_of(payload)["results"]] == ["mustafa-al-kadhimi", "asaib-ahl-al-haq"]


def test_an_invalid_chunk_size_is_400_not_500(server: str) -> None:
    host = server.removeprefix("http://")
    head = (f"POST /resolve HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\n").encode()
    status, headers, payload = raw_request(server, head, b"zz\r\n{}\r\n0\r\n\r\n")
    assert status == 400
    assert headers["content-type"].startswith("application/json")
    assert json_of(payload)["error"]["code"] == "invalid_body"


# --- 6: a URL that is not UTF-8 ---------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["/resolve?q=%FF%FE", "/entities?q=%C3", "/entities/%FF%FE"])
def test_a_url_that_is_not_utf8_is_400(server: str, target: str) -> None:
    host = server.removeprefix("http://")
    status, _, payload = raw_request(server, f"GET {target} HTTP/1.1\r\nHost: {host}\r\n".encode())
    assert status == 400
    assert json_of(payload)["error"]["code"] in {"invalid_query_string", "invalid_url"}


def test_utf8_in_the_url_still_resolves(server: str) -> None:
    host = server.removeprefix("http://")
    target = "/resolve?q=" + urllib.parse.quote("مصطفى الكاظمي")
    status, _, payload = raw_request(server, f"GET {target} HTTP/1.1\r\nHost: {host}\r\n".encode())
    assert (status, json_of(payload)["entity"]["id"]) == (200, "mustafa-al-kadhimi")


# --- 6: a store the server cannot write -------------------------------------------------------------------


def test_a_write_to_a_read_only_store_is_a_permanent_error(plain_server: str) -> None:
    host = plain_server.removeprefix("http://")
    body = json.dumps({"text": "Zorgamazoo"}).encode()
    status, headers, payload = _post(plain_server, "/entities/tehran/aliases", body, "application/json",
                                     chunk=False, extra=f"Authorization: Bearer {TOKEN}\r\n".encode())
    error = json_of(payload)["error"]
    assert (status, error["code"]) == (403, "store_read_only")
    assert "retry-after" not in headers
    assert "read-only" in error["message"] and "retrying will not help" in error["message"]
    status, _, payload = raw_request(plain_server, f"GET /resolve?q=Kazemi HTTP/1.1\r\nHost: {host}\r\n".encode())
    assert (status, json_of(payload)["entity"]["id"]) == (200, "mustafa-al-kadhimi")  # reads still work


# --- 7: control characters are never stored ---------------------------------------------------------------


@pytest.mark.parametrize("text", ["Zorga\u0000mazoo", "\u001f", "Zorga\nmazoo", "Zorga\u0085mazoo"])
def test_an_alias_with_a_control_character_is_refused(server: str, text: str) -> None:
    body = json.dumps({"text": text}).encode()
    status, _, payload = _post(server, "/entities/tehran/aliases", body, "application/json", chunk=False,
                               extra=f"Authorization: Bearer {TOKEN}\r\n".encode())
    assert (status, json_of(payload)["error"]["code"]) == (400, "invalid_request")
    entity = json.loads(raw_request(server, b"GET /entities/tehran HTTP/1.1\r\nHost: x\r\n")[2])
    assert not any(text in a["text"] for a in entity["aliases"])


# --- 3: the work of one /annotate request is bounded ------------------------------------------------------


def _annotate(url: str, text: str) -> tuple[int, dict[str, object]]:
    status, _, payload = _post(url, "/annotate", json.dumps({"text": text}).encode(), "application/json",
                               chunk=False)
    return status, json_of(payload)


def test_annotate_refuses_a_text_over_the_length_limit(server: str) -> None:
    status, body = _annotate(server, "Kazemi met AAH. " * 2_000)
    assert status == 413
    assert body["error"] == {"code": "text_too_long",  # type: ignore[comparison-overlap]
                             "message": "the text has 32,000 characters; at most 20,000 per request: send it in parts"}


def test_annotate_refuses_a_text_with_too_many_mentions(server: str) -> None:
    status, body = _annotate(server, "Mustafa al-Kadhimi met Asa'ib Ahl al-Haq. " * 30)
    assert status == 422
    assert body["error"]["code"] == "too_many_mentions"  # type: ignore[index]
    status, body = _annotate(server, "Mustafa al-Kadhimi met Asa'ib Ahl al-Haq. " * 20)
    assert status == 200
    assert len(body["mentions"]) == 40  # type: ignore[arg-type]


def test_annotate_stops_at_its_time_limit(plain_server: str) -> None:
    status, body = _annotate(plain_server, "Mustafa al-Kadhimi met Asa'ib Ahl al-Haq in Baghdad. " * 3_000)
    assert status == 422
    assert body["error"]["code"] == "too_much_work"  # type: ignore[index]


def test_the_limits_are_in_the_openapi_document(server: str) -> None:
    document = json_of(raw_request(server, b"GET /openapi.json HTTP/1.1\r\nHost: x\r\n")[2])
    annotate = document["paths"]["/annotate"]["post"]
    assert {"413", "414", "422"} <= set(annotate["responses"])
    assert "RESOLVER_API_MAX_ANNOTATE_CHARS" in annotate["description"]
    assert "RESOLVER_API_MAX_ANNOTATE_MENTIONS" in annotate["description"]
    assert "RESOLVER_API_MAX_ANNOTATE_SECONDS" in annotate["description"]


# --- 9: the service's identity is its configured URL, never the Host header -------------------------------


def _manifest(url: str, host: str, method: str = "GET") -> dict[str, object]:
    if method == "GET":
        return json_of(raw_request(url, f"GET /reconcile HTTP/1.1\r\nHost: {host}\r\n".encode())[2])  # type: ignore[no-any-return]
    head = f"POST /reconcile HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
    return json_of(raw_request(url, (head + "Content-Length: 0\r\n").encode())[2])  # type: ignore[no-any-return]


def test_every_absolute_url_uses_the_configured_public_url(server: str) -> None:
    for host in ("localhost", "127.0.0.1", "evil.example:666"):
        manifest = _manifest(server, host)
        assert manifest["identifierSpace"] == f"{PUBLIC}/entities/"
        assert manifest["documentation"] == f"{PUBLIC}/docs"
        assert manifest["view"] == {"url": f"{PUBLIC}/entities/{{{{id}}}}"}
        assert manifest["preview"]["url"].startswith(f"{PUBLIC}/reconcile/preview")  # type: ignore[index]
        assert manifest["suggest"]["entity"]["service_url"] == PUBLIC  # type: ignore[index]
        assert "evil" not in json.dumps(manifest)
        assert _manifest(server, host, "POST") == manifest


def test_redirects_and_created_locations_keep_the_public_prefix(server: str) -> None:
    body = json.dumps({"name": "Zorgamazoo Brigade", "type": "organization", "id": "zorgamazoo"}).encode()
    status, headers, _ = _post(server, "/entities", body, "application/json", chunk=False,
                               extra=f"Authorization: Bearer {TOKEN}\r\n".encode())
    assert (status, headers["location"]) == (201, f"{PUBLIC}/entities/zorgamazoo")
    status, headers, _ = raw_request(server, b"GET /docs HTTP/1.1\r\nHost: evil.example\r\n")
    assert (status, headers["location"]) == (302, f"{PUBLIC}/docs/swagger")


def test_without_a_public_url_the_request_url_is_used(plain_server: str) -> None:
    port = plain_server.rsplit(":", 1)[1]
    manifest = _manifest(plain_server, f"127.0.0.1:{port}")
    assert manifest["identifierSpace"] == f"http://127.0.0.1:{port}/entities/"


# --- 5: settings are checked once, before gunicorn starts -------------------------------------------------


@pytest.mark.parametrize(("name", "value", "message"), [
    ("RESOLVER_API_TOKENS", "alice", "RESOLVER_API_TOKENS entries must look like name:token"),
    ("RESOLVER_API_MAX_BODY_BYTES", "lots", "RESOLVER_API_MAX_BODY_BYTES='lots' is not an integer"),
    ("RESOLVER_API_PUBLIC_URL", "resolver.example.org", "is not an absolute http(s) URL"),
])
def test_serve_with_a_bad_setting_says_so_in_one_line(db_path: Path, name: str, value: str, message: str) -> None:
    env = {"PATH": "/usr/bin:/bin", name: value}  # and no other RESOLVER_ variable
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "resolver", "serve", "--port", str(free_port()), "--db", str(db_path)],
        capture_output=True, text=True, env=env, timeout=60,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: ")
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert time.monotonic() - started < 60


def test_a_refused_connection_is_not_left_half_open(server: str) -> None:
    """After a 413 the server drains what the client still sends, so the answer arrives (no reset)."""
    host, port = server.removeprefix("http://").split(":")
    body = _csv(60_000)
    head = (f"POST /normalize?column=actor HTTP/1.1\r\nHost: {host}\r\nContent-Type: text/csv\r\n"
            "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n").encode()
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(head + chunked(body))
        data = b""
        while part := sock.recv(65536):
            data += part
    assert data.startswith(b"HTTP/1.1 413")


def test_serve_checks_a_public_url_given_as_an_option(db_path: Path) -> None:
    from click.testing import CliRunner

    from resolver.cli import cli

    result = CliRunner().invoke(cli, ["serve", "--public-url", "ftp://resolver.example.org", "--db", str(db_path)])
    assert result.exit_code == 1
    assert "is not an absolute http(s) URL" in result.output
