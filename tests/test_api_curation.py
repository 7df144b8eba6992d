"""Curation over HTTP: bearer tokens, every write, its history entry, and the very next read."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api import create_app
from resolver import Resolver

ALICE = {"Authorization": "Bearer alice-secret"}
BOB = {"Authorization": "Bearer bob-secret"}


@pytest.fixture()
def resolver(any_resolver: Resolver) -> Resolver:
    """Every curation test runs on SQLite and on PostgreSQL."""
    return any_resolver


@pytest.fixture()
def app(resolver: Resolver, monkeypatch: pytest.MonkeyPatch) -> Flask:
    monkeypatch.setenv("RESOLVER_API_TOKENS", "alice:alice-secret,bob:bob-secret")
    return create_app(resolver=resolver)


@pytest.fixture()
def client(app: Flask) -> Iterator[FlaskClient]:
    with app.test_client() as c:
        yield c


def _code(response: object) -> tuple[int, str]:
    return response.status_code, response.get_json()["error"]["code"]  # type: ignore[attr-defined]


# --- who may write -------------------------------------------------------------------------


def test_without_configured_tokens_writes_are_refused_and_reads_stay_open(
        resolver: Resolver, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RESOLVER_API_TOKENS", raising=False)
    client = create_app(resolver=resolver).test_client()
    r = client.post("/entities", json={"name": "Nobody", "type": "person"}, headers=ALICE)
    assert _code(r) == (403, "writes_disabled")
    assert _code(client.delete("/entities/tehran/aliases/1", headers=ALICE)) == (403, "writes_disabled")
    assert client.get("/entities/tehran").status_code == 200
    assert client.get("/resolve", query_string={"q": "Tehran"}).get_json()["entity"]["id"] == "tehran"


@pytest.mark.parametrize("headers", [{}, {"Authorization": "alice-secret"}, {"Authorization": "Bearer "},
                                     {"Authorization": "Basic YWxpY2U6c2VjcmV0"}], ids=str)
def test_missing_credentials_are_401(client: FlaskClient, headers: dict[str, str]) -> None:
    r = client.post("/entities/tehran/aliases", json={"text": "Tehroon"}, headers=headers)
    assert _code(r) == (401, "unauthorized")
    assert r.headers["WWW-Authenticate"] == 'Bearer realm="resolver"'


def test_a_wrong_token_is_401(client: FlaskClient) -> None:
    r = client.post("/entities/tehran/aliases", json={"text": "Tehroon"},
                    headers={"Authorization": "Bearer alice-secreT"})
    assert _code(r) == (401, "invalid_token")
    assert 'error="invalid_token"' in r.headers["WWW-Authenticate"]


def test_credentials_are_checked_before_the_body(client: FlaskClient) -> None:
    assert _code(client.post("/entities", data="not json")) == (401, "unauthorized")
    assert _code(client.post("/entities", data="not json", headers=ALICE)) == (415, "unsupported_media_type")


def test_the_scheme_is_case_insensitive(client: FlaskClient) -> None:
    r = client.post("/entities/tehran/aliases", json={"text": "Tehroon"},
                    headers={"Authorization": "bearer alice-secret"})
    assert r.status_code == 201


# --- the writes ----------------------------------------------------------------------------


def test_create_entity(client: FlaskClient) -> None:
    r = client.post("/entities", headers=ALICE, json={
        "name": "Qutaybah al-Zurqani", "type": "person", "id": "qutaybah-al-zurqani", "description": "Fictional.",
        "external_ids": {"wikidata": "Q0"}, "aliases": ["Qutayba Zurqani", "قتيبة الزرقاني"]})
    assert r.status_code == 201
    assert r.headers["Location"] == "/entities/qutaybah-al-zurqani"
    body = r.get_json()
    assert (body["id"], body["name"], body["type"]) == ("qutaybah-al-zurqani", "Qutaybah al-Zurqani", "person")
    assert body["external_ids"] == {"wikidata": "Q0"}
    assert [a["text"] for a in body["aliases"]] == ["Qutaybah al-Zurqani", "Qutayba Zurqani", "قتيبة الزرقاني"]
    # seen by the very next read, through the resolver and the store
    resolved = client.get("/resolve", query_string={"q": "قتيبة الزرقاني"}).get_json()
    assert resolved["entity"] == {"id": "qutaybah-al-zurqani", "name": "Qutaybah al-Zurqani", "type": "person"}
    history = client.get("/entities/qutaybah-al-zurqani/history").get_json()["history"]
    assert [(h["action"], h["actor"]) for h in history] == [("create", "alice")]


def test_create_entity_makes_an_id(client: FlaskClient) -> None:
    r = client.post("/entities", headers=ALICE, json={"name": "Zorgamazoo Tower", "type": "place"})
    made = r.get_json()["id"]
    assert made.startswith("zorgamazoo")
    assert r.headers["Location"] == f"/entities/{made}"
    assert client.get(f"/entities/{made}").get_json()["name"] == "Zorgamazoo Tower"


def test_create_entity_conflicts_and_bad_input(client: FlaskClient) -> None:
    assert _code(client.post("/entities", headers=ALICE, json={"name": "Again", "type": "place", "id": "tehran"})) \
        == (409, "conflict")
    assert _code(client.post("/entities", headers=ALICE, json={"name": "X", "type": "planet"})) \
        == (400, "invalid_request")
    assert _code(client.post("/entities", headers=ALICE, json={"name": "X", "type": "place", "id": "no spaces"})) \
        == (400, "invalid_request")
    assert _code(client.post("/entities", headers=ALICE, json={"name": "   ", "type": "place"})) \
        == (400, "invalid_request")
    assert _code(client.post("/entities", headers=ALICE, json={"type": "place"})) == (400, "invalid_request")


def test_update_entity(client: FlaskClient) -> None:
    r = client.patch("/entities/tehran", headers=BOB, json={"description": "Capital and largest city of Iran."})
    assert r.status_code == 200
    assert r.get_json()["description"] == "Capital and largest city of Iran."
    assert r.get_json()["name"] == "Tehran"
    assert client.get("/entities/tehran").get_json()["description"] == "Capital and largest city of Iran."
    last = client.get("/entities/tehran/history").get_json()["history"][-1]
    assert (last["action"], last["actor"], last["after"]["description"]) == \
        ("update", "bob", "Capital and largest city of Iran.")


@pytest.mark.parametrize("body", [{}, {"description": None}, {"colour": "red"}, {"type": "planet"}], ids=str)
def test_update_entity_rejects_empty_or_bad_changes(client: FlaskClient, body: dict[str, object]) -> None:
    assert _code(client.patch("/entities/tehran", headers=BOB, json=body)) == (400, "invalid_request")


def test_update_unknown_entity_is_404(client: FlaskClient) -> None:
    assert _code(client.patch("/entities/atlantis", headers=BOB, json={"description": "x"})) \
        == (404, "entity_not_found")


def test_add_and_remove_alias(client: FlaskClient) -> None:
    assert client.get("/resolve", query_string={"q": "Tehroon City"}).get_json()["status"] != "matched"
    r = client.post("/entities/tehran/aliases", headers=ALICE,
                    json={"text": "Tehroon City", "kind": "misspelling", "source": "a survey", "note": "colloquial"})
    assert r.status_code == 201
    alias = r.get_json()
    assert (alias["entity_id"], alias["text"], alias["kind"], alias["source"]) == \
        ("tehran", "Tehroon City", "misspelling", "a survey")
    after = client.get("/resolve", query_string={"q": "Tehroon City"}).get_json()
    assert (after["status"], after["entity"]["id"], after["alias"]) == ("matched", "tehran", "Tehroon City")
    assert _code(client.post("/entities/tehran/aliases", headers=ALICE, json={"text": "Tehroon City"})) \
        == (409, "conflict")

    removed = client.delete(f"/entities/tehran/aliases/{alias['id']}", headers=BOB)
    assert removed.status_code == 200
    assert removed.get_json() == alias
    assert client.get("/resolve", query_string={"q": "Tehroon City"}).get_json()["alias"] != "Tehroon City"
    assert _code(client.delete(f"/entities/tehran/aliases/{alias['id']}", headers=BOB)) == (404, "alias_not_found")
    actions = [(h["action"], h["actor"]) for h in client.get("/entities/tehran/history").get_json()["history"]]
    assert actions[-2:] == [("add_alias", "alice"), ("remove_alias", "bob")]


@pytest.mark.parametrize(("path", "body", "status", "code"), [
    ("/entities/atlantis/aliases", {"text": "x"}, 404, "entity_not_found"),
    ("/entities/tehran/aliases", {"text": "x", "kind": "nickname"}, 400, "invalid_request"),
    ("/entities/tehran/aliases", {"text": ""}, 400, "invalid_request"),
    ("/entities/tehran/merge", {"absorbed": "tehran"}, 409, "conflict"),
    ("/entities/tehran/merge", {"absorbed": "atlantis"}, 404, "entity_not_found"),
    ("/entities/tehran/merge", {}, 400, "invalid_request"),
], ids=str)
def test_bad_writes(client: FlaskClient, path: str, body: dict[str, str], status: int, code: str) -> None:
    assert _code(client.post(path, headers=ALICE, json=body)) == (status, code)


def test_remove_alias_with_a_malformed_id_is_400(client: FlaskClient) -> None:
    assert _code(client.delete("/entities/tehran/aliases/first", headers=ALICE)) == (400, "invalid_request")
    assert _code(client.delete("/entities/tehran/aliases/0", headers=ALICE)) == (400, "invalid_request")


def test_merge(client: FlaskClient) -> None:
    r = client.post("/entities/baghdad/merge", headers=ALICE, json={"absorbed": "green-zone"})
    assert r.status_code == 200
    texts = [a["text"] for a in r.get_json()["aliases"]]
    assert "Green Zone" in texts
    moved = client.get("/entities/green-zone")
    assert (moved.status_code, moved.headers["Location"]) == (308, "/entities/baghdad")
    assert client.get("/resolve", query_string={"q": "Green Zone"}).get_json()["entity"]["id"] == "baghdad"
    history = client.get("/entities/baghdad/history").get_json()["history"]
    assert ("merge", "alice", "baghdad") in [(h["action"], h["actor"], h["entity_id"]) for h in history]
    assert ("merged_into", "alice", "green-zone") in [(h["action"], h["actor"], h["entity_id"]) for h in history]


def test_a_write_is_seen_by_another_worker(client: FlaskClient, resolver: Resolver,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A second app with its own Resolver on the same store stands for another gunicorn worker (or host)."""
    monkeypatch.delenv("RESOLVER_API_TOKENS", raising=False)
    other_resolver = Resolver.open(resolver.store.engine.url.render_as_string(hide_password=False))
    try:
        other = create_app(resolver=other_resolver).test_client()
        assert other.get("/resolve", query_string={"q": "Zorgamazoo"}).get_json()["status"] == "unresolved"
        assert client.post("/entities/tehran/aliases", headers=ALICE, json={"text": "Zorgamazoo"}).status_code == 201
        seen = other.get("/resolve", query_string={"q": "Zorgamazoo"}).get_json()
        assert (seen["status"], seen["entity"]["id"]) == ("matched", "tehran")
        assert "Zorgamazoo" in [a["text"] for a in other.get("/entities/tehran").get_json()["aliases"]]
    finally:
        other_resolver.close()
