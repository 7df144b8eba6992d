"""OpenRefine reconciliation at /reconcile, checked against the Reconciliation Service API v0.2.

The JSON Schemas and examples are the W3C community group's, in ../shared/contracts; the tests
that need them skip where ../shared is absent.  The validator is shown to reject the invalid
examples, so a passing validation means something.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft7Validator

from api import create_app
from resolver import Resolver

KADHIMI = "mustafa-al-kadhimi"


@pytest.fixture()
def app(resolver: Resolver, monkeypatch: pytest.MonkeyPatch) -> Flask:
    monkeypatch.delenv("RESOLVER_API_TOKENS", raising=False)
    return create_app({"max_batch": 10}, resolver=resolver)


@pytest.fixture()
def client(app: Flask) -> Iterator[FlaskClient]:
    with app.test_client() as c:
        yield c


def _examples(contracts: Path, schema: str, kind: str) -> list[Path]:
    return sorted((contracts / "examples" / schema / kind).glob("*.json"))


def _batch(client: FlaskClient, queries: dict[str, Any]) -> Any:
    r = client.post("/reconcile", data={"queries": json.dumps(queries)})
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()


# --- the check can fail ------------------------------------------------------------------


@pytest.mark.parametrize("schema", ["manifest", "reconciliation-result-batch", "reconciliation-query-batch"])
def test_validator_rejects_invalid_and_accepts_valid_examples(
        validators: dict[str, Draft7Validator], contracts: Path, schema: str) -> None:
    invalid = _examples(contracts, schema, "invalid")
    valid = _examples(contracts, schema, "valid")
    assert invalid and valid
    for path in invalid:
        assert not validators[schema].is_valid(json.loads(path.read_text(encoding="utf-8"))), path.name
    for path in valid:
        validators[schema].validate(json.loads(path.read_text(encoding="utf-8")))


# --- real responses against the schemas ----------------------------------------------------


def test_manifest(client: FlaskClient, validators: dict[str, Draft7Validator]) -> None:
    r = client.get("/reconcile")
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    manifest = r.get_json()
    validators["manifest"].validate(manifest)
    assert manifest["versions"] == ["0.2"]
    assert manifest["identifierSpace"] == "http://localhost/entities/"
    assert manifest["view"] == {"url": "http://localhost/entities/{{id}}"}
    assert manifest["preview"]["url"] == "http://localhost/reconcile/preview?id={{id}}"
    assert manifest["suggest"]["entity"] == {"service_url": "http://localhost",
                                             "service_path": "/reconcile/suggest/entity",
                                             "flyout_service_path": "/reconcile/flyout/entity?id=${id}"}
    assert [t["id"] for t in manifest["defaultTypes"]] == ["entity", "person", "organization", "place", "media",
                                                           "other"]
    assert manifest["batchSize"] == 10


def test_post_batch_answers_each_query(client: FlaskClient, resolver: Resolver,
                                      validators: dict[str, Draft7Validator]) -> None:
    answer = _batch(client, {
        "q0": {"query": "Kazemi", "type": "person", "type_strict": "should"},
        "q1": {"query": "Hezbollah"},
        "q2": {"query": "John Smith"},
        "q3": {"query": "مصطفى الكاظمي", "limit": 1},
    })
    validators["reconciliation-result-batch"].validate(answer)
    assert set(answer) == {"q0", "q1", "q2", "q3"}
    top = answer["q0"]["result"][0]
    assert top == {"id": KADHIMI, "name": "Mustafa al-Kadhimi", "score": 1.0, "match": True,
                   "type": [{"id": "person", "name": "Person"}, {"id": "entity", "name": "Any entity"}]}
    # not matched: the resolver's candidates, in its order with its scores, none of them a match
    hezbollah = resolver.resolve("Hezbollah")
    assert hezbollah.status.value != "matched"
    assert [(c["id"], c["score"], c["match"]) for c in answer["q1"]["result"]] == [
        (c.entity.id, c.score, False) for c in hezbollah.candidates]
    assert len(answer["q1"]["result"]) >= 1
    assert answer["q2"]["result"] == []
    assert [c["id"] for c in answer["q3"]["result"]] == [KADHIMI]


def test_match_is_true_only_for_a_matched_status(client: FlaskClient, resolver: Resolver) -> None:
    mentions = ["Kazemi", "Hezbollah", "Nasrallah", "IRGC", "Ali", "Tehran", "Asaib Ahl AlHaq"]
    answer = _batch(client, {f"q{i}": {"query": m} for i, m in enumerate(mentions)})
    for i, mention in enumerate(mentions):
        res = resolver.resolve(mention)
        matched = [c["id"] for c in answer[f"q{i}"]["result"] if c["match"]]
        assert matched == ([res.entity.id] if res.status.value == "matched" and res.entity else [])


def test_get_batch_equals_post_batch(client: FlaskClient) -> None:
    queries = {"a": {"query": "IRGC"}, "b": {"query": "Basrah", "type": ["place", "organization"]}}
    got = client.get("/reconcile", query_string={"queries": json.dumps(queries)})
    assert got.status_code == 200
    assert got.get_json() == _batch(client, queries)
    assert got.get_json()["b"]["result"][0]["id"] == "basra"


def test_type_filter_and_limit(client: FlaskClient) -> None:
    answer = _batch(client, {
        "person": {"query": "Kazemi", "type": "place"},
        "several": {"query": "Hashd", "limit": 2},
        "unknown": {"query": "Kazemi", "type": "DifferentiatedPerson"},
    })
    assert all(c["type"][0]["id"] == "place" for c in answer["person"]["result"])
    assert KADHIMI not in [c["id"] for c in answer["person"]["result"]]
    assert len(answer["several"]["result"]) <= 2
    assert answer["unknown"]["result"] == []


def test_what_cannot_match_gets_an_empty_result(client: FlaskClient) -> None:
    answer = _batch(client, {"long": {"query": "x" * 600}, "empty": {"query": ""}, "ok": {"query": "IRGC"}})
    assert answer["long"] == {"result": []}
    assert answer["empty"] == {"result": []}
    assert answer["ok"]["result"][0]["id"] == "islamic-revolutionary-guard-corps"


def test_openrefine_batches(client: FlaskClient, resolver: Resolver) -> None:
    """The request OpenRefine sends (10 cells a batch, q0..q9, a form body) and what it reads back:
    per key a result array whose candidates carry id, name, a type array and a numeric score, and
    auto-match taken only from a first candidate with match true."""
    column = ["Kazemi", "IRGC", "مصطفى الكاظمي", "Teheran", "Basrah", "John Smith", "Hezbollah",
              "Asaib Ahl AlHaq", "Qasem Soleimani", "Bagdad"]
    queries = {f"q{i}": {"query": cell, "type": "person", "type_strict": "should"} if i in (0, 2, 8)
               else {"query": cell} for i, cell in enumerate(column)}
    body = "queries=" + urllib.parse.quote(json.dumps(queries, ensure_ascii=False, separators=(",", ":")))
    r = client.post("/reconcile", data=body.encode(), content_type="application/x-www-form-urlencoded")
    assert r.status_code == 200
    answer = r.get_json()
    auto_matched = {}
    for i, cell in enumerate(column):
        results = answer[f"q{i}"]["result"]
        for candidate in results:
            assert isinstance(candidate["id"], str) and isinstance(candidate["name"], str)
            assert isinstance(candidate["score"], float) and isinstance(candidate["type"], list)
        assert [c["match"] for c in results].count(True) <= 1
        if results and results[0]["match"]:
            auto_matched[cell] = results[0]["id"]
        expected = resolver.resolve(cell, type=queries[f"q{i}"].get("type"))
        assert (cell in auto_matched) == (expected.status.value == "matched")
    assert auto_matched["Kazemi"] == auto_matched["مصطفى الكاظمي"] == KADHIMI
    assert auto_matched["IRGC"] == "islamic-revolutionary-guard-corps"
    assert auto_matched["Qasem Soleimani"] == "qasem-soleimani"
    assert "John Smith" not in auto_matched


def test_an_entity_id_finds_itself(client: FlaskClient) -> None:
    answer = _batch(client, {"q0": {"query": "iran-ministry-of-intelligence"}})
    assert answer["q0"]["result"][0]["id"] == "iran-ministry-of-intelligence"
    assert answer["q0"]["result"][0]["score"] == 1.0


def test_spec_examples_are_answered(client: FlaskClient, contracts: Path,
                                    validators: dict[str, Draft7Validator]) -> None:
    for path in _examples(contracts, "reconciliation-query-batch", "valid"):
        queries = json.loads(path.read_text(encoding="utf-8"))
        answer = _batch(client, queries)
        validators["reconciliation-result-batch"].validate(answer)
        assert set(answer) == set(queries)
    # properties-only queries and types this service lacks: empty results, not errors
    assert _batch(client, {"q1": {"properties": [{"pid": "uid", "v": "x"}]}}) == {"q1": {"result": []}}


def test_suggest_entity(client: FlaskClient, validators: dict[str, Draft7Validator]) -> None:
    body = client.get("/reconcile/suggest/entity", query_string={"prefix": "Kadhim"}).get_json()
    validators["suggest-entities-response"].validate(body)
    assert body["result"][0] == {"id": KADHIMI, "name": "Mustafa al-Kadhimi",
                                 "notable": [{"id": "person", "name": "Person"}],
                                 "description": "Prime Minister of Iraq (2020-2022)."}
    by_id = client.get("/reconcile/suggest/entity", query_string={"prefix": "tehran"}).get_json()
    assert by_id["result"][0]["id"] == "tehran"
    page = client.get("/reconcile/suggest/entity", query_string={"prefix": "a", "cursor": 10}).get_json()
    first = client.get("/reconcile/suggest/entity", query_string={"prefix": "a"}).get_json()
    assert not {s["id"] for s in page["result"]} & {s["id"] for s in first["result"]}


def test_preview_is_escaped_html(client: FlaskClient, resolver: Resolver) -> None:
    resolver.store.update_entity("tehran", description="<script>alert(1)</script> & co", actor="test")
    r = client.get("/reconcile/preview", query_string={"id": "tehran"})
    assert r.status_code == 200
    assert r.mimetype == "text/html"
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    html = r.get_data(as_text=True)
    assert "<h1 dir=\"auto\">Tehran</h1>" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html
    assert "<script>" not in html
    missing = client.get("/reconcile/preview", query_string={"id": "nobody"})
    assert (missing.status_code, missing.get_json()["error"]["code"]) == (404, "entity_not_found")


# --- bad batches ---------------------------------------------------------------------------


@pytest.mark.parametrize(("data", "status", "code"), [
    ({"queries": "{not json"}, 400, "invalid_json"),
    ({"queries": "[1, 2]"}, 400, "invalid_request"),
    ({"queries": '{"q0": {"query": 5}}'}, 400, "invalid_request"),
    ({"queries": '{"q0": {"query": "x", "limit": 0}}'}, 400, "invalid_request"),
    ({"queries": '{"q0": {"query": "x", "limit": true}}'}, 400, "invalid_request"),  # found by the fuzz
    ({"queries": '{"q0": {"query": "x", "limit": 2.5}}'}, 400, "invalid_request"),
    ({"queries": json.dumps({f"q{i}": {"query": "x"} for i in range(11)})}, 413, "batch_too_large"),
], ids=str)
def test_bad_batches(client: FlaskClient, data: dict[str, str], status: int, code: str) -> None:
    r = client.post("/reconcile", data=data)
    assert (r.status_code, r.get_json()["error"]["code"]) == (status, code)


def test_a_form_without_queries_gets_the_manifest(client: FlaskClient) -> None:
    # the form's schema does not require `queries` (issue #11: an allowed request was refused)
    r = client.post("/reconcile", data={"other": "x"})
    assert r.status_code == 200
    assert r.get_json() == client.get("/reconcile").get_json()


def test_json_body_is_415(client: FlaskClient) -> None:
    r = client.post("/reconcile", json={"queries": {"q0": {"query": "x"}}})
    assert (r.status_code, r.get_json()["error"]["code"]) == (415, "unsupported_media_type")


def test_preflight_allows_any_origin(client: FlaskClient) -> None:
    r = client.options("/reconcile", headers={"Origin": "http://127.0.0.1:3333",
                                              "Access-Control-Request-Method": "POST"})
    assert r.status_code == 200
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in r.headers["Access-Control-Allow-Methods"]


def test_any_entity_is_every_type(client: FlaskClient) -> None:
    """Every candidate is also of type "entity" (OpenRefine then pre-selects "Any entity"), which filters nothing."""
    answer = _batch(client, {"any": {"query": "Basrah", "type": "entity"}, "all": {"query": "Basrah"},
                             "both": {"query": "Kazemi", "type": ["entity", "place"]}})
    assert answer["any"] == answer["all"]
    assert answer["both"]["result"][0]["id"] == KADHIMI
    assert all(c["type"][-1] == {"id": "entity", "name": "Any entity"} for c in answer["all"]["result"])
