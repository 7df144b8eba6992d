"""The bounded structures behind batch runs: the LRU cache and the Space-Saving top-k counter."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from resolver.batch.counts import LruCache, TopCounts


def test_lru_forgets_the_least_recently_used() -> None:
    cache: LruCache[int] = LruCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "a" is now the most recent
    cache.put("c", 3)
    assert (cache.get("b"), cache.get("a"), cache.get("c")) == (None, 1, 3)
    assert (len(cache), cache.evictions) == (2, 1)


def test_top_counts_are_exact_within_capacity() -> None:
    top = TopCounts(10)
    for key in "abracadabra":
        top.add(key, "unresolved")
    assert top.most_common() == [("a", "unresolved", 5), ("b", "unresolved", 2), ("r", "unresolved", 2),
                                 ("c", "unresolved", 1), ("d", "unresolved", 1)]
    assert top.max_error == 0


def test_top_counts_keep_the_heavy_hitter_beyond_capacity() -> None:
    top = TopCounts(3)
    stream = [f"rare{i}" for i in range(50)] + ["hot"] * 30  # the frequent value arrives last
    for key in stream:
        top.add(key, "ambiguous")
    ranked = top.most_common()
    assert len(top) == 3
    assert ranked[0][:2] == ("hot", "ambiguous")
    assert 30 <= ranked[0][2] <= 30 + top.max_error
    assert top.max_error == 16


@pytest.mark.parametrize("capacity", [0, -1])
def test_capacity_must_be_positive(capacity: int) -> None:
    with pytest.raises(ValueError):
        TopCounts(capacity)
    with pytest.raises(ValueError):
        LruCache[int](capacity)


@given(st.lists(st.sampled_from("abcdefghij"), max_size=200), st.integers(1, 12))
def test_top_counts_bounds_hold_for_any_stream(stream: list[str], capacity: int) -> None:
    top = TopCounts(capacity)
    for key in stream:
        top.add(key, "unresolved")
    true = Counter(stream)
    held = {key: count for key, _, count in top.most_common()}
    assert len(held) == min(capacity, len(true))
    assert sum(held.values()) == len(stream)  # Space-Saving keeps the total
    for key, count in held.items():
        assert true[key] <= count <= true[key] + top.max_error
    for key, count in true.items():
        if count > len(stream) / capacity:
            assert key in held
    if len(true) <= capacity:
        assert held == dict(true) and top.max_error == 0


def test_lru_with_weights_holds_as_many_places_as_its_capacity() -> None:
    cache: LruCache[str] = LruCache(4, len)
    cache.put("a", "xx")
    cache.put("b", "x")
    cache.put("c", "x")
    assert (len(cache), cache.evictions) == (3, 0)
    cache.put("d", "xxx")  # needs three places: the two oldest go
    assert (cache.get("a"), cache.get("b"), cache.get("c"), cache.get("d")) == (None, None, "x", "xxx")
    cache.put("c", "xxxx")  # a key put again takes its new room; the newest is kept even alone
    assert (len(cache), cache.get("c"), cache.evictions) == (1, "xxxx", 3)
