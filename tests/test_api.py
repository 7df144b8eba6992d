"""The HTTP API through Flask's test client, on a private copy of the bundled store."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate

from api import create_app
from api.config import ApiSettings, load_api_settings, parse_tokens
from resolver import Resolver
from resolver.store.db import SCHEMA_VERSION

KAZEMI = {"id": "mustafa-al-kadhimi", "name": "Mustafa al-Kadhimi", "type": "person"}


@pytest.fixture()
def app(resolver: Resolver, monkeypatch: pytest.MonkeyPatch) -> Flask:
    monkeypatch.delenv("RESOLVER_API_TOKENS", raising=False)
    return create_app({"max_batch": 50, "max_body_bytes": 64 * 1024}, resolver=resolver)


@pytest.fixture()
def client(app: Flask) -> Iterator[FlaskClient]:
    with app.test_client() as c:
        yield c


# --- resolving -----------------------------------------------------------------------------


def test_get_resolve_returns_the_resolution(client: FlaskClient, resolver: Resolver) -> None:
    r = client.get("/resolve", query_string={"q": "Kazemi"})
    assert r.status_code == 200
    assert r.mimetype == "application/json"
    body = r.get_json()
    assert body["status"] == "matched"
    assert body["entity"] == KAZEMI
    assert body["alias"] == "Kazemi"
    assert body == resolver.resolve("Kazemi").to_dict()
    assert list(body) == ["query", "status", "entity", "score", "alias", "explanation", "candidates"]


def test_get_resolve_keeps_arabic_readable(client: FlaskClient) -> None:
    r = client.get("/resolve", query_string={"q": "مصطفى الكاظمي"})
    assert r.get_json()["entity"] == KAZEMI
    assert "مصطفى الكاظمي".encode() in r.data  # not \u-escaped


def test_get_resolve_type_and_limit(client: FlaskClient) -> None:
    body = client.get("/resolve", query_string={"q": "Kazemi", "type": "place"}).get_json()
    assert body["status"] == "unresolved"
    assert body["entity"] is None
    assert all(c["entity"]["type"] == "place" for c in body["candidates"])
    body = client.get("/resolve", query_string={"q": "Hashd", "limit": 1}).get_json()
    assert len(body["candidates"]) <= 1


def test_post_resolve_answers_in_input_order(client: FlaskClient, resolver: Resolver) -> None:
    mentions = ["IRGC", "Kazemi", "John Smith", "Kazemi", "طهران"]
    r = client.post("/resolve", json={"mentions": mentions})
    assert r.status_code == 200
    results = r.get_json()["results"]
    assert [x["query"] for x in results] == mentions
    assert results == [x.to_dict() for x in resolver.resolve_many(mentions)]
    assert results[0]["entity"]["id"] == "islamic-revolutionary-guard-corps"
    assert results[2]["status"] == "unresolved"


def test_post_resolve_with_type(client: FlaskClient) -> None:
    r = client.post("/resolve", json={"mentions": ["Kazemi"], "type": "person", "limit": 2})
    assert r.get_json()["results"][0]["entity"] == KAZEMI


def test_post_resolve_empty_batch(client: FlaskClient) -> None:
    assert client.post("/resolve", json={"mentions": []}).get_json() == {"results": []}


# --- errors: every one is JSON with the right status --------------------------------------


def _error(response: object, status: int, code: str) -> str:
    assert response.status_code == status  # type: ignore[attr-defined]
    assert response.mimetype == "application/json"  # type: ignore[attr-defined]
    body = response.get_json()  # type: ignore[attr-defined]
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code
    message: str = body["error"]["message"]
    return message


@pytest.mark.parametrize(("query", "code", "needle"), [
    ({}, "invalid_request", "q: Field required"),
    ({"q": "x", "limit": "0"}, "invalid_request", "limit"),
    ({"q": "x", "limit": "101"}, "invalid_request", "limit"),
    ({"q": "x", "limit": "many"}, "invalid_request", "limit"),
    ({"q": "x", "type": "planet"}, "invalid_request", "type"),
    ({"q": "x" * 513}, "invalid_query", "mention is 513 characters; the limit is 512"),
], ids=str)
def test_get_resolve_rejects_bad_parameters(client: FlaskClient, query: dict[str, str], code: str,
                                            needle: str) -> None:
    assert needle in _error(client.get("/resolve", query_string=query), 400, code)


@pytest.mark.parametrize(("body", "needle"), [
    ({"mentions": "Kazemi"}, "mentions: Input should be a valid list"),
    ({"mentions": ["ok", 3]}, "mentions.1"),
    ({"mentions": ["ok"], "extra": 1}, "extra: Extra inputs are not permitted"),
    ({"mentions": ["ok"], "limit": 0}, "limit"),
    ({"mentions": ["ok"], "limit": True}, "limit: Value error, Input should be a valid integer, not a boolean"),
    ({"mentions": ["ok"], "limit": 2.5}, "limit: Input should be a valid integer"),
    ([], "Input should be a valid dictionary"),
    ({}, "mentions: Field required"),
], ids=str)
def test_post_resolve_rejects_bad_bodies(client: FlaskClient, body: object, needle: str) -> None:
    assert needle in _error(client.post("/resolve", json=body), 400, "invalid_request")


def test_a_whole_number_written_as_a_float_is_a_count(client: FlaskClient) -> None:
    # JSON Schema's "integer" holds 2.0, and schemathesis' positive fuzz sends it; true is refused above
    r = client.post("/resolve", json={"mentions": ["Hashd"], "limit": 2.0})
    assert r.status_code == 200
    assert len(r.get_json()["results"][0]["candidates"]) <= 2


def test_post_resolve_rejects_a_too_long_mention(client: FlaskClient) -> None:
    assert "limit is 512" in _error(client.post("/resolve", json={"mentions": ["a" * 600]}), 400, "invalid_query")


def test_malformed_json_is_400(client: FlaskClient) -> None:
    r = client.post("/resolve", data="{mentions:", content_type="application/json")
    assert "not a well-formed JSON" in _error(r, 400, "invalid_json")


def test_lone_surrogate_is_400_not_500(client: FlaskClient) -> None:
    r = client.post("/resolve", data='{"mentions": ["\\ud800"]}', content_type="application/json")
    assert "surrogate" in _error(r, 400, "invalid_json")


def test_absurdly_nested_json_is_400_not_500(client: FlaskClient) -> None:
    r = client.post("/resolve", data="[" * 50_000, content_type="application/json")
    assert _error(r, 400, "invalid_json") == "the body is not a well-formed JSON document"


def test_wrong_content_type_is_415(client: FlaskClient) -> None:
    r = client.post("/resolve", data="mentions=Kazemi", content_type="application/x-www-form-urlencoded")
    assert "application/json" in _error(r, 415, "unsupported_media_type")
    _error(client.post("/resolve", data='{"mentions": []}'), 415, "unsupported_media_type")


def test_batch_over_the_limit_is_413(client: FlaskClient) -> None:
    r = client.post("/resolve", json={"mentions": ["Kazemi"] * 51})
    assert _error(r, 413, "batch_too_large") == "51 mentions; at most 50 per request"
    assert client.post("/resolve", json={"mentions": ["Kazemi"] * 50}).status_code == 200


def test_body_over_the_limit_is_413(client: FlaskClient) -> None:
    r = client.post("/resolve", json={"mentions": ["x" * 500] * 200})  # ~100 kB > 64 kB
    _error(r, 413, "request_entity_too_large")
    _error(client.post("/reconcile", data={"queries": "x" * 100_000}), 413, "request_entity_too_large")


def test_unknown_route_is_json_404(client: FlaskClient) -> None:
    assert "not found" in _error(client.get("/nope"), 404, "not_found").lower()
    _error(client.get("/static/app.js"), 404, "not_found")


def test_wrong_method_is_json_405_with_allow(client: FlaskClient) -> None:
    r = client.delete("/resolve")
    _error(r, 405, "method_not_allowed")
    assert set(r.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "POST"}
    _error(client.put("/health"), 405, "method_not_allowed")


# --- entities ------------------------------------------------------------------------------


def test_get_entity(client: FlaskClient) -> None:
    body = client.get("/entities/mustafa-al-kadhimi").get_json()
    assert body["name"] == "Mustafa al-Kadhimi"
    assert body["description"] == "Prime Minister of Iraq (2020-2022)."
    assert "Kazemi" in [a["text"] for a in body["aliases"]]


def test_unknown_entity_is_404(client: FlaskClient) -> None:
    assert _error(client.get("/entities/no-such-entity"), 404, "entity_not_found") == \
        "no entity with id 'no-such-entity'"
    _error(client.get("/entities/no-such-entity/history"), 404, "entity_not_found")


def test_absorbed_id_redirects_to_the_survivor(client: FlaskClient, resolver: Resolver) -> None:
    resolver.store.merge("mustafa-al-kadhimi", "tehran", actor="test")
    r = client.get("/entities/tehran")
    assert r.status_code == 308
    assert r.headers["Location"] == "/entities/mustafa-al-kadhimi"
    assert r.get_json() == {"id": "tehran", "redirect_to": "mustafa-al-kadhimi",
                            "location": "/entities/mustafa-al-kadhimi"}
    followed = client.get("/entities/tehran", follow_redirects=True)
    assert followed.status_code == 200
    assert followed.get_json()["id"] == "mustafa-al-kadhimi"
    r = client.get("/entities/tehran/history")
    assert (r.status_code, r.headers["Location"]) == (308, "/entities/mustafa-al-kadhimi/history")


def test_list_entities_pages_and_filters(client: FlaskClient) -> None:
    first = client.get("/entities", query_string={"limit": 3}).get_json()
    assert (first["limit"], first["offset"], first["next_offset"]) == (3, 0, 3)
    names = [e["name"] for e in first["entities"]]
    assert names == sorted(names)
    second = client.get("/entities", query_string={"limit": 3, "offset": 3}).get_json()
    assert not {e["id"] for e in first["entities"]} & {e["id"] for e in second["entities"]}
    places = client.get("/entities", query_string={"type": "place", "limit": 200}).get_json()
    assert places["next_offset"] is None
    assert {e["type"] for e in places["entities"]} == {"place"}
    assert "tehran" in {e["id"] for e in places["entities"]}
    found = client.get("/entities", query_string={"q": "kazemi"}).get_json()
    assert [e["id"] for e in found["entities"]] == ["mustafa-al-kadhimi"]


@pytest.mark.parametrize("query", [{"limit": "0"}, {"limit": "201"}, {"offset": "-1"}, {"type": "x"}], ids=str)
def test_list_entities_rejects_bad_parameters(client: FlaskClient, query: dict[str, str]) -> None:
    _error(client.get("/entities", query_string=query), 400, "invalid_request")


def test_history_of_the_bundle(client: FlaskClient) -> None:
    body = client.get("/entities/tehran/history").get_json()
    assert body["entity_id"] == "tehran"
    assert body["history"][0]["action"] == "create"
    assert body["history"][0]["actor"] == "build"


# --- service endpoints, CORS, logging --------------------------------------------------------


def test_health(client: FlaskClient, resolver: Resolver) -> None:
    stats = resolver.store.stats()
    body = client.get("/health").get_json()
    assert body == {"status": "ok", "entities": stats["entities"], "aliases": stats["aliases"],
                    "schema_version": stats["schema_version"], "revision": stats["revision"]}
    assert body["entities"] == 107


def test_health_counts_follow_writes(client: FlaskClient, resolver: Resolver) -> None:
    before = client.get("/health").get_json()
    resolver.store.add_alias("tehran", "Tehroon", actor="test")
    after = client.get("/health").get_json()
    assert after["aliases"] == before["aliases"] + 1
    assert after["revision"] == before["revision"] + 1


def test_openapi_component_names_are_not_shared_by_two_shapes() -> None:
    """/openapi.json keeps one schema per component name, so two models (or result dataclasses)
    with one name would silently document one of them with the other's shape."""
    import importlib
    import pkgutil

    from pydantic import BaseModel

    import api

    seen: dict[str, dict[str, object]] = {}
    for info in pkgutil.iter_modules(api.__path__):
        module = importlib.import_module(f"api.{info.name}")
        for model in vars(module).values():
            if not (isinstance(model, type) and issubclass(model, BaseModel) and model.__module__ == module.__name__):
                continue
            if model.__pydantic_generic_metadata__["parameters"]:
                continue  # a generic base, not a shape
            schema = model.model_json_schema()
            for name, shape in {model.__name__: {k: v for k, v in schema.items() if k != "$defs"},
                                **schema.get("$defs", {})}.items():
                assert seen.setdefault(name, shape) == shape, f"two shapes are named {name}"


def test_openapi_document_is_valid_and_complete(client: FlaskClient) -> None:
    doc = client.get("/openapi.json").get_json()
    validate(doc)
    assert doc["openapi"].startswith("3.")
    # other modules (annotate, normalize) add their own operations beside these
    assert {(path, method) for path, ops in doc["paths"].items() for method in ops} >= {
        ("/resolve", "get"), ("/resolve", "post"), ("/health", "get"),
        ("/entities", "get"), ("/entities", "post"), ("/entities/{entity_id}", "get"),
        ("/entities/{entity_id}", "patch"), ("/entities/{entity_id}/history", "get"),
        ("/entities/{entity_id}/aliases", "post"), ("/entities/{entity_id}/aliases/{alias_id}", "delete"),
        ("/entities/{entity_id}/merge", "post"), ("/reconcile", "get"), ("/reconcile", "post"),
        ("/reconcile/suggest/entity", "get"), ("/reconcile/preview", "get"),
    }
    assert doc["paths"]["/entities"]["post"]["security"] == [{"bearer": []}]
    assert doc["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}
    error = doc["paths"]["/resolve"]["post"]["responses"]["413"]["content"]["application/json"]["schema"]
    assert error == {"$ref": "#/components/schemas/ErrorBody"}


def test_docs_are_served_without_a_cdn(client: FlaskClient) -> None:
    r = client.get("/docs")
    assert (r.status_code, r.headers["Location"]) == (302, "/docs/swagger")
    page = client.get("/docs/swagger")
    assert page.status_code == 200
    assert b"swagger-ui" in page.data
    assert b"openapi.json" in page.data
    assert client.get("/docs/openapi.json").get_json()["info"]["title"] == "Arabic alias resolver"


def test_cors_on_every_response(client: FlaskClient) -> None:
    assert client.get("/resolve", query_string={"q": "x"}).headers["Access-Control-Allow-Origin"] == "*"
    assert client.get("/nope").headers["Access-Control-Allow-Origin"] == "*"
    pre = client.options("/entities", headers={"Origin": "https://example.org",
                                               "Access-Control-Request-Method": "POST",
                                               "Access-Control-Request-Headers": "authorization,content-type"})
    assert pre.status_code == 200
    assert pre.headers["Access-Control-Allow-Origin"] == "*"
    assert "Authorization" in pre.headers["Access-Control-Allow-Headers"]
    assert "POST" in pre.headers["Access-Control-Allow-Methods"]


def test_one_log_line_per_request(client: FlaskClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="api.access"):
        client.get("/resolve", query_string={"q": "Kazemi"})
        client.get("/nope")
    lines = [r.getMessage() for r in caplog.records if r.name == "api.access"]
    assert len(lines) == 2
    assert '"GET /resolve?q=Kazemi" 200' in lines[0]
    assert '"GET /nope" 404' in lines[1]


# --- configuration -------------------------------------------------------------------------


def test_tokens_from_the_environment() -> None:
    settings = load_api_settings({"RESOLVER_API_TOKENS": "alice:t1, bob:t2", "RESOLVER_API_MAX_BATCH": "10"})
    assert settings == ApiSettings(tokens={"t1": "alice", "t2": "bob"}, max_batch=10)
    assert parse_tokens("") == {}


@pytest.mark.parametrize("spec", ["alice", "alice:", "a b:t", "alice:t,bob:t"], ids=str)
def test_bad_token_specs_are_refused(spec: str) -> None:
    with pytest.raises(ValueError, match=r"RESOLVER_API_TOKENS|token name"):
        parse_tokens(spec)


def test_bad_settings_are_refused(resolver: Resolver) -> None:
    with pytest.raises(ValueError, match="RESOLVER_API_MAX_BATCH='lots' is not an integer"):
        load_api_settings({"RESOLVER_API_MAX_BATCH": "lots"})
    with pytest.raises(ValueError, match="unknown setting 'colour'"):
        create_app({"colour": "red"}, resolver=resolver)
    with pytest.raises(ValueError, match="max_batch must be at least 1"):
        create_app({"max_batch": 0}, resolver=resolver)


def test_create_app_opens_its_own_resolver(db_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RESOLVER_API_TOKENS", raising=False)
    app = create_app({"db": str(db_path)})
    try:
        assert app.test_client().get("/health").get_json()["entities"] == 107
    finally:
        app.extensions["resolver"].close()


def test_the_api_serves_a_postgresql_store(pg_bundle_url: str) -> None:
    client = create_app({"db": pg_bundle_url}).test_client()
    health = client.get("/health").get_json()
    assert (health["status"], health["entities"], health["aliases"]) == ("ok", 107, 333)
    assert health["schema_version"] == SCHEMA_VERSION
    body = client.get("/resolve", query_string={"q": "Kazemi"}).get_json()
    assert (body["status"], body["entity"]["id"]) == ("matched", "mustafa-al-kadhimi")
    client.application.extensions["resolver"].close()


def test_an_unreachable_store_is_a_clear_error_at_startup() -> None:
    from resolver.errors import StoreUnavailable

    where = r"postgresql\+psycopg://u:\*\*\*@127.0.0.1:1/x"
    with pytest.raises(StoreUnavailable, match=rf"^cannot open the store {where}: "):
        create_app({"db": "postgresql://u:p@127.0.0.1:1/x"})
