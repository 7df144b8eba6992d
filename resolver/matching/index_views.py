"""What a :class:`~resolver.matching.index.CandidateIndex` hands out: alias rows as the matcher
sees them, the bounded cache every view keeps, and the mapping-like views resolve.py and the
annotator read (``entities``, ``aliases``, ``alias_weights``, ``by_normalized``/``by_flat``/
``by_acronym``, ``entity_places``, ``postings``), each read on demand from the store."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from resolver.matching.normalize import Token, coarse_flat, is_arabic
from resolver.matching.places import place_of
from resolver.matching.skeletons import coarse, coarse_keys
from resolver.results import EntityRef
from resolver.store.postings import is_acronym_only
from resolver.store.reader import AliasData, Queries

if TYPE_CHECKING:
    from resolver.matching.index import CandidateIndex

K = TypeVar("K")
V = TypeVar("V")


class Bounded(dict[K, V], Generic[K, V]):
    """A cache that empties itself when full: memory stays bounded whatever the store's size."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def put(self, key: K, value: V) -> V:
        if len(self) >= self.limit:
            self.clear()
        self[key] = value
        return value

    def put_many(self, items: dict[K, V]) -> None:
        """Keep all of these (emptying first if they would not fit): for the rows of one statement,
        without a method call per row."""
        if len(self) + len(items) > self.limit:
            self.clear()
        self.update(items)


class Recent(Bounded[K, V]):
    """A bounded cache that, when full, forgets the entry used longest ago rather than all of them:
    for values that are dear to make and asked for again and again among many asked for once (a
    common word's retrieval entry among a stream of new names)."""

    def use(self, key: K) -> V | None:
        """The value kept for ``key`` (None if none), now the most recently used."""
        value = self.pop(key, None)
        if value is not None:
            self[key] = value
        return value

    def put(self, key: K, value: V) -> V:
        if key in self:
            del self[key]
        elif len(self) >= self.limit:
            del self[next(iter(self))]  # (a dict keeps its keys in the order they were put)
        self[key] = value
        return value


@dataclass(frozen=True, slots=True)
class IndexedAlias:
    """One alias as the matcher sees it."""

    alias_id: int
    entity_id: str
    text: str
    normalized: str
    tokens: tuple[Token, ...]
    acronym: str | None
    kind: str
    #: the coarse key of each token, in name order (read for every candidate of every lookup)
    coarse_keys: tuple[str, ...] = ()

    @property
    def keyset(self) -> frozenset[str]:
        """The coarse keys of its tokens."""
        return frozenset(self.coarse_keys)

    @property
    def flat(self) -> str:
        return coarse_flat(self.tokens)

    @property
    def acronym_only(self) -> bool:
        """A 2-4 letter all-caps acronym: matched exactly, case-sensitively, never fuzzily."""
        return is_acronym_only(self.acronym, len(self.tokens))


#: one Token object per distinct word among the aliases read: names share most of their words
#: ("Muhammad"), and every object the caches hold is one more for the garbage collector to walk
_TOKENS: Bounded[tuple[str, str], Token] = Bounded(100_000)


def _token(text: str, key: str) -> Token:
    found = _TOKENS.get((text, key))
    if found is None:
        found = _TOKENS.put((text, key), Token(text, key, is_arabic(text)))
    return found


def alias_tokens(normalized: str, keys: str) -> tuple[Token, ...]:
    if not normalized:
        return ()
    texts, fine = normalized.split(" "), keys.split(" ")
    if len(texts) != len(fine):  # written by a different normaliser; rekeying fixes it on open
        return ()
    return tuple(map(_token, texts, fine))


def alias_of(row: AliasData) -> IndexedAlias:
    alias_id, entity_id, text, normalized, keys, acronym, kind = row
    tokens = alias_tokens(normalized, keys)
    # (the keys column read at once when it holds the tokens' keys; "" is one empty token's key)
    coarse_of = coarse_keys(keys) if tokens and keys else tuple(coarse(t.key) for t in tokens)
    return IndexedAlias(alias_id, entity_id, text, normalized, tokens, acronym, kind, coarse_of)


def _read_through(cache: Bounded[K, V | None], key: K, read: Callable[[], V | None]) -> V:
    """A row from a bounded cache, read (and cached, absence too) on a miss; KeyError when absent."""
    if key not in cache:
        cache.put(key, read())
    found = cache.get(key)
    if found is None:
        raise KeyError(key)
    return found


class Entities(Mapping[str, EntityRef]):
    """``index.entities[entity_id]``: a live entity's id, name and type, read on demand."""

    def __init__(self, index: CandidateIndex) -> None:
        self._index = index

    def __getitem__(self, entity_id: str) -> EntityRef:
        found = self._index._entity_rows.get(entity_id)
        if found is not None:  # (read for every candidate of every lookup: the cached row, at once)
            return found

        def read() -> EntityRef | None:
            with self._index._reader.session() as q:
                rows = q.entities([entity_id])
            return EntityRef(*rows[0]) if rows else None

        return _read_through(self._index._entity_rows, entity_id, read)

    def __len__(self) -> int:
        return self._index.entity_count

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids())

    def _ids(self) -> list[str]:
        with self._index._reader.session() as q:
            return q.all_entity_ids()


class Aliases:
    """``index.aliases[alias_id]`` and ``for alias in index.aliases`` (streamed in id order)."""

    def __init__(self, index: CandidateIndex) -> None:
        self._index = index

    def __getitem__(self, alias_id: int) -> IndexedAlias:
        found = self._index._alias_rows.get(alias_id)
        if found is not None:
            return found

        def read() -> IndexedAlias | None:
            with self._index._reader.session() as q:
                rows = q.aliases([alias_id])
            return alias_of(rows[0]) if rows else None

        return _read_through(self._index._alias_rows, alias_id, read)

    def __iter__(self) -> Iterator[IndexedAlias]:
        after = 0
        while True:
            with self._index._reader.session() as q:
                rows = q.aliases_after(after)
            if not rows:
                return
            yield from (alias_of(r) for r in rows)
            after = rows[-1][0]

    def __len__(self) -> int:
        return len(self._index)


class AliasWeights(Bounded[int, tuple[float, ...]]):
    """``index.alias_weights[alias_id]``: the IDF weight of each of the alias's tokens.

    The cache itself (bounded as every view's): a kept alias's weights are a dict read in C, with
    no Python call (once per candidate of every lookup); a missing one is worked out and kept."""

    def __init__(self, index: CandidateIndex) -> None:
        super().__init__(50_000)
        self._index = index

    @property
    def kept(self) -> Mapping[int, tuple[float, ...]]:
        """The weights kept so far, by alias id (read, not written)."""
        return self

    def __missing__(self, alias_id: int) -> tuple[float, ...]:
        index = self._index
        return self.put(alias_id, tuple(map(index.weight, index.aliases[alias_id].tokens)))


class Exact:
    """``by_normalized``, ``by_flat``, ``by_acronym``: alias ids with exactly this value, oldest first.

    Acronym-only aliases ("AAH") are found by their acronym only, never by name or skeleton.
    """

    def __init__(self, index: CandidateIndex, column: str) -> None:
        self._index = index
        self._column = column
        self._cache: Bounded[str, tuple[int, ...]] = Bounded(50_000)

    def get(self, value: str, default: tuple[int, ...] = ()) -> tuple[int, ...]:
        if not value:
            return default
        found = self._cache.get(value)
        if found is None:
            with self._index._reader.session() as q:
                found = self.read(q, value)
        return found or default

    def read(self, q: Queries, value: str) -> tuple[int, ...]:
        """The alias ids for ``value``, read on the caller's connection unless cached."""
        found = self._cache.get(value)
        if found is None:
            found = self._keep(value, q.aliases_by(self._column, value) if value else [])
        return found

    def cached(self, value: str) -> tuple[int, ...] | None:
        return self._cache.get(value)

    def _keep(self, value: str, rows: list[tuple[int, str, str, str | None]]) -> tuple[int, ...]:
        """Cache the ids of the rows read for ``value`` (oldest first) that this view finds."""
        if self._column != "acronym":
            rows = [r for r in rows
                    if r[1] and (r[3] is None or not is_acronym_only(r[3], len(alias_tokens(r[1], r[2]))))]
        return self._cache.put(value, tuple(r[0] for r in rows))


def read_exact(q: Queries, by_normalized: Exact, normalized: str, by_flat: Exact, flat: str
               ) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """``by_normalized.read(q, normalized)`` and ``by_flat.read(q, flat)``, in one statement when neither is cached."""
    got_normalized, got_flat = by_normalized.cached(normalized), by_flat.cached(flat)
    if got_normalized is None and got_flat is None and normalized and flat:
        rows = q.aliases_by_normalized_or_flat(normalized, flat)
        return (by_normalized._keep(normalized, [r[1:] for r in rows if r[0] == 0]),
                by_flat._keep(flat, [r[1:] for r in rows if r[0] == 1]))
    return by_normalized.read(q, normalized), by_flat.read(q, flat)


_NO_PLACES: frozenset[str] = frozenset()


class Places:
    """``index.entity_places.get(entity_id)``: the countries an entity's aliases name (Iraqi -> IQ)."""

    def __init__(self, index: CandidateIndex) -> None:
        self._index = index
        self._cache: Bounded[str, frozenset[str]] = Bounded(50_000)

    def get(self, entity_id: str, default: frozenset[str] | None = None) -> frozenset[str] | None:
        found = self._cache.get(entity_id)
        if found is None:
            self.load([entity_id])
            found = self._cache[entity_id]
        return found or default

    def load(self, entity_ids: Iterable[str]) -> None:
        """Read the places of these entities (those not cached) in one statement."""
        wanted = {e for e in entity_ids if e not in self._cache}
        if not wanted:
            return
        with self._index._reader.session() as q:
            names = q.entity_names(wanted)
        places: dict[str, set[str]] = {e: set() for e in wanted}
        for entity_id, normalized in names:
            places[entity_id].update(p for word in normalized.split(" ") if (p := place_of(word)) is not None)
        for entity_id, found in places.items():
            # (most entities' names name no place: one empty set for all of them, not an object
            # per entity for the garbage collector to walk)
            self._cache.put(entity_id, frozenset(found) if found else _NO_PLACES)


class Vocabulary:
    """``key in index.postings``: whether some alias is posted under a coarse token key."""

    def __init__(self, index: CandidateIndex) -> None:
        self._index = index

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._index._token(key) is not None
