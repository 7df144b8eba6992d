"""The review queue in the store: counting, bounds, decisions, the collector, the migration, PostgreSQL."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from resolver import AliasConflict, Resolver
from resolver.errors import ReviewItemNotFound
from resolver.store.db import SCHEMA_VERSION
from resolver.store.migrations import MIGRATIONS
from resolver.store.review import ReviewCollector, ReviewQueue, Sighting


def _values(queue: ReviewQueue, state: str = "open") -> list[tuple[str, str, int, tuple[str, ...]]]:
    return [(i.value, i.status, i.count, i.origins) for i in queue.items(state)]


def test_values_are_counted_across_origins_most_frequent_first(resolver: Resolver) -> None:
    queue = ReviewQueue(resolver.store)
    assert queue.record([Sighting("Jaish al-Umma", "unresolved", "resolve"),
                         Sighting("Hezbollah", "ambiguous", "reconcile", 2),
                         Sighting("Kazemi", "matched", "resolve"),  # matched: never queued
                         Sighting("   ", "unresolved", "resolve")]) == 2
    queue.record([Sighting("Jaish al-Umma ", "unresolved", "cli", 4), Sighting("Hezbollah", "ambiguous", "resolve")])
    assert _values(queue) == [("Jaish al-Umma", "unresolved", 5, ("resolve", "cli")),
                              ("Hezbollah", "ambiguous", 3, ("resolve", "reconcile"))]
    assert queue.counts() == {"open": 2, "linked": 0, "created": 0, "dismissed": 0}


def test_the_queue_is_bounded_and_drops_the_least_frequent(resolver: Resolver) -> None:
    queue = ReviewQueue(resolver.store, max_items=3)
    queue.record([Sighting("often", "unresolved", "resolve", 9), Sighting("twice", "unresolved", "resolve", 2)])
    queue.record([Sighting("once", "unresolved", "resolve")])
    queue.record([Sighting("new", "unresolved", "resolve", 5)])
    assert [v for v, *_ in _values(queue)] == ["often", "new", "twice"]


def test_link_makes_a_curated_alias_and_the_value_resolves(resolver: Resolver) -> None:
    queue = ReviewQueue(resolver.store)
    queue.record([Sighting("Kadhimy-PM-office", "unresolved", "resolve", 3)])
    item = queue.items()[0]
    alias = queue.link(item.id, "mustafa-al-kadhimi", actor="alice", kind="handle")
    assert (alias.entity_id, alias.source, alias.kind) == ("mustafa-al-kadhimi", "curated by alice", "handle")
    assert alias.note == "review queue: seen 3 times (resolve)"
    assert resolver.resolve("Kadhimy-PM-office").entity.id == "mustafa-al-kadhimi"  # type: ignore[union-attr]
    history = resolver.store.history("mustafa-al-kadhimi")[-1]
    assert (history.actor, history.action, history.after["text"]) == ("alice", "add_alias", "Kadhimy-PM-office")  # type: ignore[index]
    linked = queue.items("linked")[0]
    assert (linked.entity_id, linked.decided_by) == ("mustafa-al-kadhimi", "alice")
    assert queue.counts()["open"] == 0


def test_a_value_seen_again_after_its_link_was_undone_reopens_but_a_dismissal_stands(resolver: Resolver) -> None:
    queue = ReviewQueue(resolver.store)
    queue.record([Sighting("Zorblax Brigade", "unresolved", "resolve"), Sighting("lorem ipsum", "unresolved", "cli")])
    by_value = {i.value: i for i in queue.items()}
    alias = queue.link(by_value["Zorblax Brigade"].id, "kataib-hezbollah", actor="alice")
    queue.dismiss(by_value["lorem ipsum"].id, actor="bob")
    resolver.store.remove_alias("kataib-hezbollah", alias.id, actor="alice")
    queue.record([Sighting("Zorblax Brigade", "unresolved", "resolve"), Sighting("lorem ipsum", "unresolved", "cli")])
    assert _values(queue) == [("Zorblax Brigade", "unresolved", 2, ("resolve",))]
    assert _values(queue, "dismissed") == [("lorem ipsum", "unresolved", 2, ("cli",))]


def test_create_entity_from_a_value(resolver: Resolver) -> None:
    queue = ReviewQueue(resolver.store)
    queue.record([Sighting("Jaish al-Umma", "unresolved", "resolve")])
    item = queue.items()[0]
    record = queue.create_entity(item.id, name="Jaish al-Umma", type="organization", actor="carol",
                                 description="armed group named in a claim")
    assert resolver.resolve("Jaish al-Umma").entity.id == record.id  # type: ignore[union-attr]
    assert resolver.store.history(record.id)[0].actor == "carol"
    assert queue.items("created")[0].entity_id == record.id
    # an existing alias cannot be linked twice, and nothing is half done
    queue.record([Sighting("Kataib Hezbollah", "ambiguous", "resolve")])
    twice = queue.items()[0]
    with pytest.raises(AliasConflict):
        queue.link(twice.id, "kataib-hezbollah", actor="carol")
    assert queue.items()[0].state == "open"
    with pytest.raises(ReviewItemNotFound):
        queue.dismiss(99_999, actor="carol")


def test_the_collector_buffers_and_writes_in_one_go(resolver: Resolver) -> None:
    queue = ReviewQueue(resolver.store)
    collector = ReviewCollector(queue, interval=30)
    collector.add_resolutions(resolver.resolve_many(["Nobody Atall", "Kazemi", "Nobody Atall", "Hezbollah"]),
                              "resolve")
    assert queue.counts()["open"] == 0  # still buffered
    collector.flush()
    assert _values(queue) == [("Nobody Atall", "unresolved", 2, ("resolve",)),
                              ("Hezbollah", "unresolved", 1, ("resolve",))]
    timed = ReviewCollector(queue, interval=0.05)
    timed.add([Sighting("Later Value", "unresolved", "reconcile")])
    deadline = time.monotonic() + 5
    while queue.counts()["open"] < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert ("Later Value", "unresolved", 1, ("reconcile",)) in _values(queue)


def test_a_failed_write_never_reaches_the_caller(resolver: Resolver) -> None:
    errors: list[Exception] = []
    resolver.store.engine.dispose()
    collector = ReviewCollector(ReviewQueue(resolver.store), interval=0, on_error=errors.append)
    with sqlite3.connect(resolver.store.engine.url.database or "") as con:
        con.execute("DROP TABLE review_item")
    collector.add([Sighting("Nobody Atall", "unresolved", "resolve")])
    assert len(errors) == 1


def test_a_store_from_before_the_queue_is_migrated_on_open(db_path: Path) -> None:
    before = next(v for v, step in MIGRATIONS.items() if step.__name__ == "_v3_to_v4")
    con = sqlite3.connect(db_path)
    con.execute("DROP TABLE review_item")
    con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(before),))
    con.commit()
    con.close()
    r = Resolver.open(str(db_path))
    try:
        assert r.store.schema_version() == SCHEMA_VERSION
        ReviewQueue(r.store).record([Sighting("Nobody Atall", "unresolved", "resolve")])
        assert ReviewQueue(r.store).counts()["open"] == 1
        assert r.resolve("Kazemi").entity.id == "mustafa-al-kadhimi"  # type: ignore[union-attr]
    finally:
        r.close()


def test_postgresql_counts_with_one_upsert(pg_url: str) -> None:
    r = Resolver.open(pg_url, create=True)
    try:
        r.store.add_entity("Mustafa al-Kadhimi", "person", id="mustafa-al-kadhimi", actor="test")
        queue = ReviewQueue(r.store, max_items=2)
        queue.record([Sighting("Kadhimy PM", "unresolved", "resolve"), Sighting("rare", "unresolved", "cli")])
        queue.record([Sighting("Kadhimy PM", "ambiguous", "reconcile", 2), Sighting("new", "unresolved", "cli", 2)])
        assert _values(queue) == [("Kadhimy PM", "ambiguous", 3, ("resolve", "reconcile")),
                                  ("new", "unresolved", 2, ("cli",))]
        item = queue.items()[0]
        queue.link(item.id, "mustafa-al-kadhimi", actor="alice")
        assert r.resolve("Kadhimy PM").status.value == "matched"
    finally:
        r.close()
