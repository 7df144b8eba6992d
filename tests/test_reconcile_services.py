"""The rest of Reconciliation API v0.2: suggest (entities, types, properties), flyout, data extension.

Every response is validated against the W3C community group's JSON Schemas in ../shared/contracts
(skipped where ../shared is absent), and the validators are first shown to reject the spec's own
invalid examples.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from jsonschema import Draft7Validator

from api import create_app
from resolver import Resolver


@pytest.fixture()
def client(resolver: Resolver, monkeypatch: pytest.MonkeyPatch) -> Iterator[FlaskClient]:
    monkeypatch.delenv("RESOLVER_API_TOKENS", raising=False)
    with create_app({"max_batch": 10}, resolver=resolver).test_client() as c:
        yield c


def _get(client: FlaskClient, path: str, **params: Any) -> Any:
    r = client.get(path, query_string=params)
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    return r.get_json()


@pytest.mark.parametrize("schema", ["data-extension-response", "data-extension-query"])
def test_the_validators_can_fail(validators: dict[str, Draft7Validator], contracts: Path, schema: str) -> None:
    for path in sorted((contracts / "examples" / schema / "invalid").glob("*.json")):
        assert not validators[schema].is_valid(json.loads(path.read_text(encoding="utf-8"))), path.name
    assert not validators["suggest-entities-response"].is_valid({"result": [{"id": "x"}]})
    assert not validators["manifest"].is_valid({"versions": ["0.2"], "name": "x", "identifierSpace": "x",
                                                "schemaSpace": "x",
                                                "suggest": {"entity": {"flyout_service_path": "/no-id"}}})


def test_manifest_declares_every_service(client: FlaskClient, validators: dict[str, Draft7Validator]) -> None:
    manifest = _get(client, "/reconcile")
    validators["manifest"].validate(manifest)
    base = "http://localhost"
    assert manifest["suggest"] == {
        "entity": {"service_url": base, "service_path": "/reconcile/suggest/entity",
                   "flyout_service_path": "/reconcile/flyout/entity?id=${id}"},
        "type": {"service_url": base, "service_path": "/reconcile/suggest/type"},
        "property": {"service_url": base, "service_path": "/reconcile/suggest/property"},
    }
    assert manifest["extend"]["propose_properties"] == {"service_url": base, "service_path": "/reconcile/properties"}
    assert {s["name"] for s in manifest["extend"]["property_settings"]} == {"limit", "kind", "script"}
    assert manifest["serviceVersion"]
    logo = client.get(manifest["logo"].removeprefix(base))
    assert (logo.status_code, logo.mimetype) == (200, "image/svg+xml")
    logo.close()


@pytest.mark.parametrize(("typed", "expected"), [
    ("Kadhimy", "mustafa-al-kadhimi"),      # a misspelling: the resolver's fuzzy match
    ("Suleimani", "qasem-soleimani"),
    ("Khazaali", "qais-al-khazali"),
    ("Kadh", "mustafa-al-kadhimi"),         # typed so far: a prefix of a name
    ("Sulei", "qasem-soleimani"),           # a prefix of the skeleton (Soleimani)
    ("Qasem Sol", "qasem-soleimani"),
    ("مصطفى الكاظمي", "mustafa-al-kadhimi"),
    ("tehran", "tehran"),
])
def test_suggest_entity_goes_through_the_resolver(client: FlaskClient, validators: dict[str, Draft7Validator],
                                                   typed: str, expected: str) -> None:
    body = _get(client, "/reconcile/suggest/entity", prefix=typed)
    validators["suggest-entities-response"].validate(body)
    assert body["result"][0]["id"] == expected


def test_suggest_entity_details(client: FlaskClient, resolver: Resolver) -> None:
    top = _get(client, "/reconcile/suggest/entity", prefix="Kadhimy")["result"][0]
    assert top == {"id": "mustafa-al-kadhimi", "name": "Mustafa al-Kadhimi",
                   "notable": [{"id": "person", "name": "Person"}],
                   "description": "Prime Minister of Iraq (2020-2022)."}
    # the same candidates, in the same order, as /resolve
    hezbollah = _get(client, "/reconcile/suggest/entity", prefix="Hezbollah")["result"]
    assert [s["id"] for s in hezbollah][:2] == [c.entity.id for c in resolver.resolve("Hezbollah").candidates][:2]
    assert _get(client, "/reconcile/suggest/entity", prefix="Kadhimy", type="place")["result"] == [] or all(
        s["notable"][0]["id"] == "place" for s in _get(client, "/reconcile/suggest/entity", prefix="Kadhimy",
                                                        type="place")["result"])
    assert _get(client, "/reconcile/suggest/entity", prefix="Kadhimy", type="Q5")["result"] == []
    assert _get(client, "/reconcile/suggest/entity", prefix="zzzqqqxxx")["result"] == []
    first = _get(client, "/reconcile/suggest/entity", prefix="a")["result"]
    second = _get(client, "/reconcile/suggest/entity", prefix="a", cursor=10)["result"]
    assert len(first) == 10 and not {s["id"] for s in first} & {s["id"] for s in second}


def test_suggest_types_and_properties(client: FlaskClient, validators: dict[str, Draft7Validator]) -> None:
    types = _get(client, "/reconcile/suggest/type", prefix="per")
    validators["suggest-types-response"].validate(types)
    assert [t["id"] for t in types["result"]] == ["person"]
    assert [t["id"] for t in _get(client, "/reconcile/suggest/type", prefix="")["result"]] == [
        "entity", "person", "organization", "place", "media", "other"]
    assert _get(client, "/reconcile/suggest/entity", prefix="Kadhimy", type="entity")["result"][0]["id"] == \
        "mustafa-al-kadhimi"
    props = _get(client, "/reconcile/suggest/property", prefix="ali")
    validators["suggest-properties-response"].validate(props)
    assert [p["id"] for p in props["result"]] == ["aliases"]
    assert "ext:wikidata" in [p["id"] for p in _get(client, "/reconcile/suggest/property", prefix="wiki")["result"]]


def test_flyout(client: FlaskClient, resolver: Resolver) -> None:
    resolver.store.update_entity("tehran", description="<b>capital</b> & co", actor="test")
    body = _get(client, "/reconcile/flyout/entity", id="tehran")
    assert body["id"] == "tehran"
    assert "&lt;b&gt;capital&lt;/b&gt; &amp; co" in body["html"] and "<b>" not in body["html"]
    assert 'href="http://localhost/entities/tehran"' in body["html"]
    assert client.get("/reconcile/flyout/entity", query_string={"id": "nobody"}).status_code == 404


def test_propose_properties(client: FlaskClient, validators: dict[str, Draft7Validator]) -> None:
    body = _get(client, "/reconcile/properties", type="person", limit=3)
    validators["data-extension-property-proposal"].validate(body)
    assert (body["type"], body["limit"], [p["id"] for p in body["properties"]]) == (
        "person", 3, ["type", "name", "canonical_id"])
    every = _get(client, "/reconcile/properties", type="organization")["properties"]
    assert [p["id"] for p in every] == ["type", "name", "canonical_id", "description", "aliases", "external_ids",
                                        "provenance", "url", "ext:wikidata"]
    assert _get(client, "/reconcile/properties", type="Q5")["properties"] == []


def _extend(client: FlaskClient, request: dict[str, Any]) -> Any:
    r = client.post("/reconcile", data={"extend": json.dumps(request)})
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()


def test_data_extension(client: FlaskClient, resolver: Resolver, validators: dict[str, Draft7Validator]) -> None:
    resolver.store.add_entity("Kadhimi Duplicate", "person", id="kadhimi-2", actor="test")
    resolver.store.merge("mustafa-al-kadhimi", "kadhimi-2", actor="test")
    request = {"ids": ["mustafa-al-kadhimi", "kadhimi-2", "donald-trump", "no-such-entity"], "properties": [
        {"id": "type"}, {"id": "name"}, {"id": "canonical_id"}, {"id": "description"},
        {"id": "aliases", "settings": {"script": "arabic", "limit": "1"}}, {"id": "external_ids"},
        {"id": "ext:wikidata"}, {"id": "provenance"}, {"id": "url"}]}
    validators["data-extension-query"].validate(request)
    body = _extend(client, request)
    validators["data-extension-response"].validate(body)
    assert [m["id"] for m in body["meta"]] == [p["id"] for p in request["properties"]]
    assert body["meta"][1] == {"id": "name", "name": "Canonical name"}
    row = body["rows"]["mustafa-al-kadhimi"]
    entity = resolver.store.get_entity("mustafa-al-kadhimi")
    assert row["type"] == [{"str": "person"}]
    assert row["name"] == [{"str": "Mustafa al-Kadhimi"}]
    assert row["description"] == [{"str": entity.description}]
    assert row["aliases"] == [{"str": next(a.text for a in entity.aliases if a.script == "arabic")}]
    assert row["external_ids"] == [{"str": f"{k}:{v}"} for k, v in sorted(entity.external_ids.items())]
    assert row["ext:wikidata"] == []  # he has none in the store
    assert body["rows"]["donald-trump"]["ext:wikidata"] == [{"str": "Q22686"}]
    assert body["rows"]["donald-trump"]["external_ids"] == [{"str": "wikidata:Q22686"}]
    assert row["provenance"] == [{"str": s} for s in sorted({a.source for a in entity.aliases if a.source})]
    assert row["url"] == [{"str": "http://localhost/entities/mustafa-al-kadhimi"}]
    # a merged id answers for its survivor; an unknown id gets empty cells, not a failed batch
    assert body["rows"]["kadhimi-2"]["canonical_id"] == [{"str": "mustafa-al-kadhimi"}]
    assert all(v == [] for v in body["rows"]["no-such-entity"].values())
    every_alias = _extend(client, {"ids": ["mustafa-al-kadhimi"], "properties": [{"id": "aliases"}]})
    assert [v["str"] for v in every_alias["rows"]["mustafa-al-kadhimi"]["aliases"]] == [a.text for a in entity.aliases]
    got = client.get("/reconcile", query_string={"extend": json.dumps(request)})
    assert got.get_json() == body


@pytest.mark.parametrize(("extend", "status", "code"), [
    ("{not json", 400, "invalid_json"),
    ('{"ids": ["x"]}', 400, "invalid_request"),
    ('{"ids": ["x"], "properties": [{"id": "shoe_size"}]}', 400, "invalid_request"),
    ('{"ids": ["x"], "properties": [{"id": "aliases", "settings": {"limit": "many"}}]}', 400, "invalid_request"),
    (json.dumps({"ids": [f"e{i}" for i in range(11)], "properties": [{"id": "name"}]}), 413, "batch_too_large"),
], ids=str)
def test_bad_extension_requests(client: FlaskClient, extend: str, status: int, code: str) -> None:
    r = client.post("/reconcile", data={"extend": extend})
    assert (r.status_code, r.get_json()["error"]["code"]) == (status, code)


def test_with_queries_and_extend_both_must_be_valid_and_the_queries_are_answered(client: FlaskClient) -> None:
    both = {"queries": '{"q0": {"query": "Kazemi"}}', "extend": '{"ids": ["x"], "properties": [{"id": "name"}]}'}
    for r in (client.post("/reconcile", data=both), client.get("/reconcile", query_string=both)):
        assert r.get_json()["q0"]["result"][0]["id"] == "mustafa-al-kadhimi"
    bad = {**both, "extend": '{"ids": ["x"], "properties": []}'}
    for r in (client.post("/reconcile", data=bad), client.get("/reconcile", query_string=bad)):
        assert (r.status_code, r.get_json()["error"]["code"]) == (400, "invalid_request")
