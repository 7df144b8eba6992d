"""Merge proposals from `resolver xref --queue` on the review pages: listed with their evidence,
merged (keeping the chosen id) or kept apart by a signed-in curator, each with its CSRF token."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from api import create_app
from resolver import Resolver, load_settings
from resolver.sources.merge_queue import MergeQueue
from resolver.sources.ofac import OfacReader
from resolver.sources.sync import sync_source
from resolver.sources.xref import xref

TOKEN = "page-token"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "sources"


@pytest.fixture()
def app(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    """The bundled store plus the OFAC fixture list, its proposals against the curated entities queued."""
    monkeypatch.delenv("RESOLVER_API_TOKENS", raising=False)
    resolver = Resolver.open(str(db_path), settings=load_settings(review_flush_interval=0))
    sync_source(resolver.store, "ofac-sdn", OfacReader(FIXTURES / "ofac_v2" / "sdn.csv"))
    MergeQueue(resolver.store).record(xref(resolver, sources=["ofac-sdn"]))
    yield create_app({"tokens": {"alice": TOKEN}}, resolver=resolver)
    resolver.close()


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def _flash(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<p class="flash (\w+)"[^>]*>([^<]*)</p>', html)


def _item(app: Flask, left: str, right: str) -> int:
    queue = MergeQueue(app.extensions["resolver"].store)
    return next(i.id for i in queue.items(limit=100) if (i.left_id, i.right_id) == (left, right))


def test_the_proposals_page_shows_each_pair_with_its_evidence(app: Flask) -> None:
    with app.test_client() as client:
        html = client.get("/review/merges").get_data(as_text=True)
        assert "open (" in html and "Sign in</a> to merge or keep apart" in html
        assert "<code>ofac-sdn:25601</code> · ofac-sdn" in html and "<code>qais-al-khazali</code> · curated" in html
        assert "Merge, keep" not in html  # no forms without a session
        review = client.get("/review").get_data(as_text=True)
        assert re.search(r"Merge proposals between lists</a> \(\d+ open\)", review)


def test_a_curator_merges_one_pair_and_keeps_another_apart(app: Flask) -> None:
    resolver: Resolver = app.extensions["resolver"]
    qais = _item(app, "ofac-sdn:25601", "qais-al-khazali")
    laith = _item(app, "laith-al-khazali", "ofac-sdn:25607")  # the pair is kept in id order
    with app.test_client() as client:
        anonymous = client.post(f"/review/merges/{qais}/accept", data={"survivor": "qais-al-khazali"})
        assert anonymous.status_code == 403
        token = _csrf(client.get("/signin").get_data(as_text=True))
        client.post("/signin", data={"csrf": token, "token": TOKEN, "next": "/review/merges"})
        page = client.get("/review/merges").get_data(as_text=True)
        token = _csrf(page)
        assert "Merge, keep qais-al-khazali" in page
        assert client.post(f"/review/merges/{qais}/accept", data={"survivor": "qais-al-khazali"}).status_code == 403
        r = client.post(f"/review/merges/{qais}/accept", data={"csrf": token, "survivor": "qais-al-khazali"})
        assert (r.status_code, r.location) == (303, "/review/merges")
        assert _flash(client.get("/review/merges").get_data(as_text=True)) == [
            ("ok", "Merged into Qais al-Khazali (qais-al-khazali): the other id leads here now.")]
        assert resolver.store.canonical_id("ofac-sdn:25601") == "qais-al-khazali"
        assert resolver.store.history("qais-al-khazali")[-1].actor == "alice"
        r = client.post(f"/review/merges/{laith}/reject", data={"csrf": token})
        assert r.status_code == 303
        assert _flash(client.get("/review/merges").get_data(as_text=True)) == [
            ("ok", "Kept laith-al-khazali and ofac-sdn:25607 apart.")]
        assert resolver.store.canonical_id("ofac-sdn:25607") == "ofac-sdn:25607"
        client.post(f"/review/merges/{laith}/accept", data={"csrf": token, "survivor": "ofac-sdn:25607"})
        assert _flash(client.get("/review/merges").get_data(as_text=True)) == [
            ("error", f"merge proposal {laith} is already rejected")]
        decided = client.get("/review/merges?state=merged").get_data(as_text=True)
        assert 'merged → <a href="/entities/qais-al-khazali">qais-al-khazali</a> by alice' in decided
