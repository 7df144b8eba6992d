"""``POST /annotate`` through Flask's test client, on a private copy of the bundled store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from api import create_app
from api.routes_annotate import AnnotateResult
from resolver import Resolver
from resolver.cli import cli

TEXT = "👇 PM Kazemi’s aide met “AAH” in Baghdad; قيس الخزعلي spoke.\n"


@pytest.fixture()
def app(resolver: Resolver, monkeypatch: pytest.MonkeyPatch) -> Flask:
    monkeypatch.delenv("RESOLVER_API_TOKENS", raising=False)
    return create_app({"max_body_bytes": 4096}, resolver=resolver)


@pytest.fixture()
def client(app: Flask) -> Iterator[FlaskClient]:
    with app.test_client() as c:
        yield c


def test_post_annotate_returns_the_mentions(client: FlaskClient, resolver: Resolver) -> None:
    r = client.post("/annotate", json={"text": TEXT})
    assert r.status_code == 200
    body = r.get_json()
    assert [(m["start"], m["end"], m["text"], m["entity"]["id"]) for m in body["mentions"]] == [
        (5, 11, "Kazemi", "mustafa-al-kadhimi"),
        (24, 27, "AAH", "asaib-ahl-al-haq"),
        (32, 39, "Baghdad", "baghdad"),
        (41, 52, "قيس الخزعلي", "qais-al-khazali"),
    ]
    assert all(TEXT[m["start"]:m["end"]] == m["text"] for m in body["mentions"])
    assert body == {"mentions": [m.to_dict() for m in resolver.annotate(TEXT)]}
    AnnotateResult.model_validate(body)
    assert "قيس الخزعلي".encode() in r.data  # not \u-escaped


def test_api_and_cli_agree(client: FlaskClient, db_path: Path) -> None:
    api_body = client.post("/annotate", json={"text": TEXT}).get_json()
    cli_out = CliRunner().invoke(cli, ["annotate", "--json", "--db", str(db_path)], input=TEXT)
    assert cli_out.exit_code == 0, cli_out.output
    assert json.loads(cli_out.output) == api_body


def test_empty_text_has_no_mentions(client: FlaskClient) -> None:
    r = client.post("/annotate", json={"text": ""})
    assert (r.status_code, r.get_json()) == (200, {"mentions": []})


@pytest.mark.parametrize(
    ("body", "needle"),
    [({}, "text: Field required"), ({"text": 3}, "text: Input should be a valid string"),
     ({"text": "x", "lang": "en"}, "lang: Extra inputs are not permitted"), (["text"], "Input should be")],
)
def test_bad_bodies_are_400(client: FlaskClient, body: object, needle: str) -> None:
    r = client.post("/annotate", json=body)
    assert r.status_code == 400
    assert r.get_json()["error"]["code"] == "invalid_request"
    assert needle in r.get_json()["error"]["message"]


def test_text_over_the_body_limit_is_413(client: FlaskClient) -> None:
    r = client.post("/annotate", json={"text": "Kazemi " * 1000})
    assert r.status_code == 413
    assert r.get_json()["error"]["code"] == "request_entity_too_large"


def test_wrong_content_type_is_415(client: FlaskClient) -> None:
    r = client.post("/annotate", data="PM Kazemi", content_type="text/plain")
    assert r.status_code == 415
    assert r.get_json()["error"]["code"] == "unsupported_media_type"


def test_get_is_405(client: FlaskClient) -> None:
    r = client.get("/annotate")
    assert r.status_code == 405
    assert sorted(r.headers["Allow"].split(", ")) == ["OPTIONS", "POST"]


def test_openapi_documents_annotate(client: FlaskClient) -> None:
    doc = client.get("/openapi.json").get_json()
    operation = doc["paths"]["/annotate"]["post"]
    assert operation["operationId"] == "annotate"
    assert sorted(operation["responses"]) == ["200", "400", "413", "414", "415", "422"]
    assert operation["tags"] == ["annotate"]
