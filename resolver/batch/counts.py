"""Bounded memory for batch runs: an LRU cache of resolved values and a top-k counter of unresolved ones.

Both hold at most ``capacity`` distinct keys however long the file is, so a run over millions of
rows uses the same memory as one over a hundred thousand.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["LruCache", "TopCounts"]

V = TypeVar("V")


def _one(_value: object) -> int:
    return 1


class LruCache(Generic[V]):
    """A mapping that forgets its least recently used keys beyond ``capacity`` keys.

    With ``weigh``, a value takes that many places of the ``capacity`` (at least one each; the
    most recent value is kept even when it alone takes more).  ``evictions`` counts the keys
    forgotten: while it is 0, every distinct key seen is still held.
    """

    def __init__(self, capacity: int, weigh: Callable[[V], int] | None = None) -> None:
        if capacity < 1:
            raise ValueError("the cache needs room for at least one value")
        self.capacity = capacity
        self.evictions = 0
        self._data: OrderedDict[str, V] = OrderedDict()
        self._weigh: Callable[[V], int] = weigh or _one
        self._size = 0

    def __len__(self) -> int:
        return len(self._data)

    def get(self, key: str) -> V | None:
        value = self._data.get(key)
        if value is not None:
            self._data.move_to_end(key)
        return value

    def put(self, key: str, value: V) -> None:
        weigh = self._weigh
        old = self._data.pop(key, None)
        if old is not None:
            self._size -= weigh(old)
        self._data[key] = value
        self._size += weigh(value)
        while self._size > self.capacity and len(self._data) > 1:
            _, gone = self._data.popitem(last=False)
            self._size -= weigh(gone)
            self.evictions += 1


class TopCounts:
    """Occurrence counts of the most frequent keys in bounded memory (the Space-Saving algorithm).

    Exact while at most ``capacity`` distinct keys have been seen.  Beyond that a new key takes
    the place of a least-counted one and inherits its count plus one, so every key more frequent
    than ``total / capacity`` is kept, and each count is too high by at most ``max_error``
    (Metwally, Agrawal and El Abbadi, "Efficient computation of frequent and top-k elements in
    data streams", 2005).  Ties are broken by insertion order, so the result is deterministic.
    """

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("the counter needs room for at least one key")
        self.capacity = capacity
        #: the largest count a key inherited when it replaced another (0: every count is exact)
        self.max_error = 0
        self._counts: dict[str, int] = {}
        self._labels: dict[str, str] = {}
        # count -> keys with that count, oldest first (a dict used as an ordered set)
        self._buckets: dict[int, dict[str, None]] = {}
        self._min = 0

    def __len__(self) -> int:
        return len(self._counts)

    def add(self, key: str, label: str) -> None:
        """Count one occurrence of ``key``; ``label`` (its status) is kept with it."""
        count = self._counts.get(key)
        if count is not None:
            self._move(key, count, count + 1)
            if count == self._min and count not in self._buckets:
                self._min = count + 1
            return
        base = 0
        if len(self._counts) >= self.capacity:
            base = self._min
            bucket = self._buckets[base]
            victim = next(iter(bucket))
            self._drop(victim, base)
            del self._counts[victim], self._labels[victim]
            self.max_error = max(self.max_error, base)
        self._counts[key] = base + 1
        self._labels[key] = label
        self._buckets.setdefault(base + 1, {})[key] = None
        if base == 0 or base not in self._buckets:
            self._min = base + 1

    def _drop(self, key: str, count: int) -> None:
        bucket = self._buckets[count]
        del bucket[key]
        if not bucket:
            del self._buckets[count]

    def _move(self, key: str, old: int, new: int) -> None:
        self._drop(key, old)
        self._buckets.setdefault(new, {})[key] = None
        self._counts[key] = new

    def most_common(self) -> list[tuple[str, str, int]]:
        """``(key, label, count)`` for every key held, most frequent first, then by key."""
        ranked = sorted(self._counts.items(), key=lambda kv: (-kv[1], kv[0]))
        return [(key, self._labels[key], count) for key, count in ranked]
