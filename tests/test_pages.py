"""The pages: content negotiation, the review queue's collection, signing in, CSRF, every curation form."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api import create_app
from resolver import Resolver, load_settings

TOKEN = "page-token"
HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.fixture()
def app(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    monkeypatch.delenv("RESOLVER_API_TOKENS", raising=False)
    resolver = Resolver.open(str(db_path), settings=load_settings(review_flush_interval=0))
    yield create_app({"tokens": {"alice": TOKEN}}, resolver=resolver)
    resolver.close()


@pytest.fixture()
def client(app: Flask) -> Iterator[FlaskClient]:
    with app.test_client() as c:
        yield c


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def _sign_in(client: FlaskClient) -> str:
    token = _csrf(client.get("/signin").get_data(as_text=True))
    r = client.post("/signin", data={"csrf": token, "token": TOKEN, "next": "/review"})
    assert (r.status_code, r.location) == (303, "/review")
    return _csrf(client.get("/review").get_data(as_text=True))


def _flash(html: str) -> list[str]:
    return re.findall(r'<p class="flash (\w+)"[^>]*>([^<]*)</p>', html)


def test_entity_is_json_by_default_and_a_page_for_browsers(client: FlaskClient) -> None:
    for accept in (None, "*/*", "application/json", "application/json, text/html;q=0.5"):
        r = client.get("/entities/mustafa-al-kadhimi", headers={"Accept": accept} if accept else {})
        assert (r.status_code, r.mimetype) == (200, "application/json"), accept
        assert "Accept" in r.headers["Vary"]
    page = client.get("/entities/mustafa-al-kadhimi", headers=HTML)
    assert (page.status_code, page.mimetype) == (200, "text/html") and "Accept" in page.headers["Vary"]
    html = page.get_data(as_text=True)
    assert '<h1 dir="auto">Mustafa al-Kadhimi</h1>' in html
    assert "Prime Minister of Iraq" in html
    assert '<td dir="auto">مصطفى الكاظمي</td><td>name</td><td>arabic</td>' in html
    assert "seeds/000_f680bc8027efb878.txt" in html  # provenance of an alias
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert "<script" not in html
    missing = client.get("/entities/nobody-at-all", headers=HTML)
    assert (missing.status_code, missing.mimetype) == (404, "text/html")
    assert client.get("/entities/nobody-at-all").get_json()["error"]["code"] == "entity_not_found"


def test_pages_escape_what_curators_wrote(client: FlaskClient, app: Flask) -> None:
    app.extensions["resolver"].store.update_entity("tehran", description="<script>alert(1)</script>", actor="t")
    html = client.get("/entities/tehran", headers=HTML).get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html


def test_unlinked_values_from_every_route_reach_the_queue_most_frequent_first(client: FlaskClient) -> None:
    for _ in range(3):
        client.get("/resolve", query_string={"q": "Jaish al-Umma"})
    client.post("/resolve", json={"mentions": ["Jaish al-Umma", "Kazemi", "Hezbollah"]})
    client.post("/reconcile", data={"queries": '{"q0": {"query": "Hezbollah"}, "q1": {"query": "Zorblax"}}'})
    client.post("/normalize?column=actor", data=io.BytesIO(b"actor\nZorblax\nZorblax\nKazemi\n"),
                content_type="text/csv")
    html = client.get("/review", headers=HTML).get_data(as_text=True)
    values = re.findall(r'<td dir="auto"><a href="/review/\d+">([^<]*)</a></td>\s*<td class="num">(\d+)</td>', html)
    assert values == [("Jaish al-Umma", "4"), ("Zorblax", "3"), ("Hezbollah", "2")]
    assert "<td class=\"hide\">reconcile, normalize</td>" in html  # where Zorblax was seen
    assert "Kata&#39;ib Hezbollah" in html  # Hezbollah's candidates are shown


def test_collection_can_be_switched_off(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    resolver = Resolver.open(str(db_path), settings=load_settings(review_max=0))
    try:
        client = create_app(resolver=resolver).test_client()
        client.get("/resolve", query_string={"q": "Jaish al-Umma"})
        assert "Nothing here." in client.get("/review").get_data(as_text=True)
    finally:
        resolver.close()


def test_sign_in_needs_a_real_token_and_its_csrf(client: FlaskClient) -> None:
    assert client.post("/signin", data={"token": TOKEN}).status_code == 403  # no CSRF token
    token = _csrf(client.get("/signin").get_data(as_text=True))
    bad = client.post("/signin", data={"csrf": token, "token": "guess"})
    assert bad.status_code == 401 and "not valid" in bad.get_data(as_text=True)
    good = client.post("/signin", data={"csrf": token, "token": TOKEN, "next": "//evil.example/x"})
    assert (good.status_code, good.location) == (303, "/review")  # never off-site
    cookie = good.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Signed in as <strong>alice</strong>" in client.get("/review").get_data(as_text=True)


def test_writes_from_pages_need_a_session_and_its_csrf_token(client: FlaskClient, app: Flask) -> None:
    client.get("/resolve", query_string={"q": "Jaish al-Umma"})
    token = _csrf(client.get("/signin").get_data(as_text=True))
    anonymous = client.post("/review/1/dismiss", data={"csrf": token})
    assert (anonymous.status_code, anonymous.mimetype) == (403, "text/html")
    token = _sign_in(client)
    assert client.post("/review/1/dismiss", data={"csrf": "forged"}).status_code == 403
    assert client.post("/review/1/dismiss", data={}).status_code == 403
    other_site = client.post("/review/1/dismiss", data={"csrf": token}, headers={"Origin": "https://evil.example"})
    assert other_site.status_code == 403
    assert app.extensions["review_queue"].counts()["open"] == 1  # nothing happened
    ok = client.post("/review/1/dismiss", data={"csrf": token}, headers={"Origin": "http://localhost"})
    assert ok.status_code == 303
    assert app.extensions["review_queue"].counts()["dismissed"] == 1


def test_a_session_ends_when_its_token_is_withdrawn(client: FlaskClient, app: Flask) -> None:
    _sign_in(client)
    app.extensions["resolver_api"] = type(app.extensions["resolver_api"])(tokens={"other": "bob"})
    assert "Sign in to curate" in client.get("/review").get_data(as_text=True)


def test_link_a_queued_value_from_the_page(client: FlaskClient, app: Flask) -> None:
    resolver: Resolver = app.extensions["resolver"]
    client.get("/resolve", query_string={"q": "Kadhimi's office"})
    assert resolver.resolve("Kadhimi's office").status.value != "matched"
    token = _sign_in(client)
    item = app.extensions["review_queue"].items()[0]
    r = client.post(f"/review/{item.id}/link", data={"csrf": token, "entity_id": "mustafa-al-kadhimi",
                                                     "kind": "name"})
    assert r.status_code == 303
    assert _flash(client.get("/review").get_data(as_text=True)) == [
        ("ok", "“Kadhimi&#39;s office” is now an alias of Mustafa al-Kadhimi.")]
    assert resolver.resolve("Kadhimi's office").entity.id == "mustafa-al-kadhimi"  # type: ignore[union-attr]
    alias = next(a for a in resolver.store.get_entity("mustafa-al-kadhimi").aliases if a.text == "Kadhimi's office")
    assert alias.source == "curated by alice"
    assert resolver.store.history("mustafa-al-kadhimi")[-1].actor == "alice"
    # linking to an entity that does not exist says so and changes nothing
    client.get("/resolve", query_string={"q": "Zorblax"})
    zorblax = app.extensions["review_queue"].items()[0]
    client.post(f"/review/{zorblax.id}/link", data={"csrf": token, "entity_id": "nobody"})
    assert _flash(client.get("/review").get_data(as_text=True)) == [("error", "no entity with id &#39;nobody&#39;")]


def test_create_an_entity_from_a_queued_value(client: FlaskClient, app: Flask) -> None:
    client.get("/resolve", query_string={"q": "Jaish al-Umma"})
    token = _sign_in(client)
    item = app.extensions["review_queue"].items()[0]
    page = client.get(f"/review/{item.id}", query_string={"q": "Kadhimy"}).get_data(as_text=True)
    assert "Mustafa al-Kadhimi" in page  # the page's own search
    r = client.post(f"/review/{item.id}/create", data={"csrf": token, "name": "Jaish al-Umma",
                                                       "type": "organization", "description": "a claimed group"})
    assert r.status_code == 303 and r.location == "/entities/jaish-umma"
    assert app.extensions["resolver"].resolve("Jaish al-Umma").entity.id == "jaish-umma"
    bad = client.post(f"/review/{item.id}/create", data={"csrf": token, "name": "", "type": "organization"})
    assert bad.status_code == 303


def test_edit_aliases_and_merge_from_the_entity_page(client: FlaskClient, app: Flask) -> None:
    resolver: Resolver = app.extensions["resolver"]
    token = _sign_in(client)
    page = "/entities/mustafa-al-kadhimi"
    client.post(f"{page.replace('/entities', '/curate/entities')}/edit", data={
        "csrf": token, "name": "Mustafa al-Kadhimi", "type": "person", "description": "PM of Iraq, 2020-2022",
        "external_ids": "wikidata: Q56272590\n"})
    entity = resolver.store.get_entity("mustafa-al-kadhimi")
    assert (entity.description, entity.external_ids) == ("PM of Iraq, 2020-2022", {"wikidata": "Q56272590"})
    client.post("/curate/entities/mustafa-al-kadhimi/edit", data={
        "csrf": token, "name": "Mustafa al-Kadhimi", "type": "person", "external_ids": "no colon here"})
    assert _flash(client.get(page, headers=HTML).get_data(as_text=True)) == [
        ("ok", "Saved Mustafa al-Kadhimi."),
        ("error", "external identifiers, line 1: write &#39;scheme: value&#39;, e.g. &#39;wikidata: Q42&#39;")]
    client.post("/curate/entities/mustafa-al-kadhimi/aliases", data={"csrf": token, "text": "Abu Haidar",
                                                                    "kind": "name", "note": "kunya"})
    alias = next(a for a in resolver.store.get_entity("mustafa-al-kadhimi").aliases if a.text == "Abu Haidar")
    assert (alias.source, alias.note) == ("curated by alice", "kunya")
    client.post(f"/curate/entities/mustafa-al-kadhimi/aliases/{alias.id}/remove", data={"csrf": token})
    assert "Abu Haidar" not in {a.text for a in resolver.store.get_entity("mustafa-al-kadhimi").aliases}
    resolver.store.add_entity("M. Kadhimi (duplicate)", "person", id="kadhimi-dup", aliases=["Kadhimy PM"], actor="t")
    unconfirmed = client.post("/curate/entities/mustafa-al-kadhimi/merge", data={"csrf": token,
                                                                                "absorbed": "kadhimi-dup"})
    assert unconfirmed.status_code == 303 and resolver.store.canonical_id("kadhimi-dup") == "kadhimi-dup"
    client.get(page)  # (drops the flash)
    client.post("/curate/entities/mustafa-al-kadhimi/merge", data={"csrf": token, "absorbed": "kadhimi-dup",
                                                                  "confirm": "yes"})
    assert resolver.resolve("Kadhimy PM").entity.id == "mustafa-al-kadhimi"  # type: ignore[union-attr]
    moved = client.get("/entities/kadhimi-dup", headers=HTML)
    assert (moved.status_code, moved.location) == (308, "/entities/mustafa-al-kadhimi?merged_from=kadhimi-dup")
    html = client.get(moved.location, headers=HTML).get_data(as_text=True)
    assert "<code>kadhimi-dup</code> was merged into this entity" in html
    actions = [(h.actor, h.action) for h in resolver.store.history("mustafa-al-kadhimi")]
    assert [a for a in actions if a[0] == "alice"] == [
        ("alice", "update"), ("alice", "add_alias"), ("alice", "remove_alias"), ("alice", "merge"),
        ("alice", "merged_into")]
    assert "merged into mustafa-al-kadhimi" in html and "alice" in html


def test_home_search_finds_misspellings(client: FlaskClient) -> None:
    html = client.get("/", query_string={"q": "Suleimani"}).get_data(as_text=True)
    assert '<a href="/entities/qasem-soleimani">Qasem Soleimani</a>' in html
    css = client.get("/assets/site.css")
    assert (css.status_code, css.mimetype) == (200, "text/css")
    css.close()
