"""CandidateIndex: blocking over the store's index tables, so a lookup never scans all aliases.

The index itself lives in the store (:mod:`resolver.store.postings` writes it in the same
transaction as each alias), so every process and host shares it and a committed write is seen
by the next lookup.  A ``CandidateIndex`` is one process's view of the store at one revision:
it holds only bounded caches (token rows, short postings lists, alias and entity rows), so its
memory does not grow with the store, and a new one is made, empty, whenever the store changes.

Retrieval, for each token of a mention, rarest first: a token with a short postings list votes
for all of its aliases; a near key (a typo, another transliteration: "Soliemani", "Ouds") votes
for its short lists at 0.6; a common token adds its weight to the best candidates found so far
that hold it, and, when nothing rarer retrieved enough, brings in the shortest aliases holding
it (and the next common token).  Adjacent query tokens joined ("Gholam Reza" -> "Gholamreza")
are looked up at query time; the other way round ("Gholamreza" against an alias "Gholam Reza")
needs no key of its own, since scoring pairs whole tokens: the whole name is found by its flat
skeleton (``by_flat``), and a longer name through its other tokens.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from sqlalchemy import Engine

from resolver.matching.normalize import NameKey, Token, coarse, coarse_flat, is_arabic, loose
from resolver.matching.places import place_of
from resolver.matching.scoring import FUNCTION_WORD_WEIGHT
from resolver.results import EntityRef
from resolver.store.postings import deletions, is_acronym_only
from resolver.store.reader import AliasData, IndexReader, Queries

__all__ = ["CandidateIndex", "IndexedAlias"]

#: a token with at most this many postings retrieves every one of its aliases
_MAX_POSTINGS = 200
#: the same for a token reached through a near key; a longer list is not followed
_MAX_NEAR_POSTINGS = 100
#: a common token brings in at most this many new aliases (the shortest that hold it)
_COMMON_TOP = 200
#: how many of the best candidates so far are checked for holding the common tokens
_PROBE = 300
#: words that join a name's parts and identify nothing ("Bank of Iran", "Banco de Cuba")
_FUNCTION_WORDS = frozenset(
    """
    of the and for in on at to by de del della la le les el y et und fur der die das du des
    ve va wa fi
    """.split()
)
#: legal forms say what kind of company, never which one: "KOKSOKHIMTRANS OOO" is "KOKSOKHIMTRANS LTD."
_LEGAL_FORMS = frozenset(
    """
    company co corp corporation inc incorporated ltd limited llc llp plc sa sas sarl srl spa ag gmbh kg bv
    nv ab oy ooo oao zao pao ao jsc ojsc cjsc pjsc doo ood eood sdn bhd pte pvt pty fze fzco fzc fzllc
    lda ltda cia sac sae saog sal wll cv rl spr sapi sab eirl mbh ev kft zrt sro spol
    joint stock sociedad anonima limitada compania gesellschaft sirketi anonim sherkat sherkate
    sharikat shirkat obshchestvo obschestvo aktsionernoe aktsionernoye otkrytoe otkrytoye zakrytoe
    zakrytoye publichnoe ogranichennoi ogranichennoy otvetstvennostyu tovarystvo tavarystva
    abmezhavanay adkaznastsyu adkrytaye aktsyyanernaye zamezhnaye
    """.split()
)
#: how many candidates, ranked by shared token weight, go on to full scoring
_MAX_CANDIDATES = 30
#: a candidate whose shared weight is below this share of the best candidate's is not scored:
#: it cannot outscore the best one by enough to matter
_VOTE_SHARE = 0.35

K = TypeVar("K")
V = TypeVar("V")


class _Bounded(dict[K, V], Generic[K, V]):
    """A cache that empties itself when full: memory stays bounded whatever the store's size."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def put(self, key: K, value: V) -> V:
        if len(self) >= self.limit:
            self.clear()
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

    @property
    def flat(self) -> str:
        return coarse_flat(self.tokens)

    @property
    def acronym_only(self) -> bool:
        """A 2-4 letter all-caps acronym: matched exactly, case-sensitively, never fuzzily."""
        return is_acronym_only(self.acronym, len(self.tokens))


def _tokens(normalized: str, keys: str) -> tuple[Token, ...]:
    if not normalized:
        return ()
    texts, fine = normalized.split(" "), keys.split(" ")
    if len(texts) != len(fine):  # written by a different normaliser; rekeying fixes it on open
        return ()
    return tuple(Token(t, k, is_arabic(t)) for t, k in zip(texts, fine, strict=True))


def _alias(row: AliasData) -> IndexedAlias:
    alias_id, entity_id, text, normalized, keys, acronym, kind = row
    return IndexedAlias(alias_id, entity_id, text, normalized, _tokens(normalized, keys), acronym, kind)


@dataclass(slots=True)
class _Entry:
    """One query token's part in a lookup: its weight and the tokens through which it votes."""

    weight: float
    own: tuple[int, int] | None = None  # (token id, postings count)
    near: list[int] = field(default_factory=list)  # token ids of short near keys
    votes: dict[int, float] = field(default_factory=dict)

    @property
    def common(self) -> bool:
        return self.own is not None and self.own[1] > _MAX_POSTINGS


class CandidateIndex:
    """Token, skeleton and acronym lookups over every alias of a store, read from its index tables.

    The names resolve.py and the annotator use are kept: ``weight``, ``entities[id]``,
    ``aliases[alias_id]``, ``alias_weights[alias_id]``, ``by_normalized/by_flat/by_acronym.get``,
    ``entity_places.get``, ``similar_keys``, ``key in postings``, ``candidates``.  Aliases are
    known by their store id (older aliases have lower ids).
    """

    def __init__(self, reader: IndexReader, revision: int, entity_count: int) -> None:
        self.revision = revision
        self._reader = reader
        self.entity_count = entity_count
        self._n = max(entity_count, 1)
        self.max_idf = math.log(1 + self._n / 0.5)
        self._tokens: _Bounded[str, tuple[int, int, int] | None] = _Bounded(100_000)
        self._postings: _Bounded[int, tuple[tuple[int, ...], bytes]] = _Bounded(20_000)
        self._similar: _Bounded[str, frozenset[str]] = _Bounded(50_000)
        self._alias_rows: _Bounded[int, IndexedAlias | None] = _Bounded(50_000)
        self._entity_rows: _Bounded[str, EntityRef | None] = _Bounded(50_000)
        self.entities = _Entities(self)
        self.aliases = _Aliases(self)
        self.alias_weights = _AliasWeights(self)
        self.by_normalized = _Exact(self, "normalized")
        self.by_flat = _Exact(self, "flat")
        self.by_acronym = _Exact(self, "acronym")
        self.entity_places = _Places(self)
        self.postings = _Vocabulary(self)

    @classmethod
    def open(cls, engine: Engine) -> CandidateIndex:
        """The index of a store as it is now: one small query, nothing built."""
        reader = IndexReader(engine)
        with reader.session() as q:
            revision, entity_count = q.meta()
        return cls(reader, revision, entity_count)

    def __len__(self) -> int:
        with self._reader.session() as q:
            return q.alias_count()

    @staticmethod
    def is_legal_form(token: Token) -> bool:
        """A word that says "this is a company" (Ltd, OOO, Sirketi): no person's name holds one."""
        return len(token.text) > 2 and token.text in _LEGAL_FORMS

    # --- token rows ------------------------------------------------------------------------

    def _load_tokens(self, q: Queries, keys: set[str]) -> dict[str, tuple[int, int, int] | None]:
        """(token id, entity count, postings count) of each key, None for a key no alias holds."""
        out = {k: self._tokens[k] for k in keys if k in self._tokens}
        missing = keys - out.keys()
        if missing:
            for key, token_id, df, n in q.tokens(missing):
                out[key] = self._tokens.put(key, (token_id, df, n) if n > 0 else None)
            for key in missing - out.keys():
                out[key] = self._tokens.put(key, None)
        return out

    def _token(self, key: str) -> tuple[int, int, int] | None:
        if key in self._tokens:
            return self._tokens[key]
        with self._reader.session() as q:
            return self._load_tokens(q, {key})[key]

    def _weight_of(self, token: Token, row: tuple[int, int, int] | None) -> float:
        if token.text in _FUNCTION_WORDS or token.text in _LEGAL_FORMS:
            return FUNCTION_WORD_WEIGHT
        w = math.log(1 + self._n / row[1]) if row is not None and row[1] > 0 else self.max_idf
        return w * w

    def weight(self, token: Token) -> float:
        """IDF weight of a token: rare surnames count, "Muhammad" and "Company" barely do.

        The IDF is squared so that a shared rare token outweighs several shared common ones.
        """
        if token.text in _FUNCTION_WORDS or token.text in _LEGAL_FORMS:
            return FUNCTION_WORD_WEIGHT
        return self._weight_of(token, self._token(coarse(token.key)))

    # --- near keys -------------------------------------------------------------------------

    def similar_keys(self, token: Token) -> set[str]:
        """Vocabulary keys within about one edit of the token's loose skeleton."""
        found = self._similar.get(token.key)
        if found is None:
            with self._reader.session() as q:
                found = self._load_similar(q, [token.key])[token.key]
        return set(found)

    def _load_similar(self, q: Queries, fines: list[str]) -> dict[str, frozenset[str]]:
        out = {f: self._similar[f] for f in fines if f in self._similar}
        wanted = {f: loose(coarse(f)) for f in fines if f not in out}
        if not wanted:
            return out
        variants = {f: (deletions(lk) if len(lk) >= 4 else {lk}) for f, lk in wanted.items()}
        rows = q.near(set().union(*variants.values()))
        by_variant: dict[str, list[tuple[str, str]]] = {}
        for variant, key, lk, token_id, df, n in rows:
            by_variant.setdefault(variant, []).append((key, lk))
            self._tokens.put(key, (token_id, df, n))
        own = self._load_tokens(q, {coarse(f) for f in wanted})
        for fine, lk in wanted.items():
            key = coarse(fine)
            found = {key} if own[key] is not None else set()
            for variant in variants[fine]:
                for k, klk in by_variant.get(variant, ()):
                    if (abs(len(klk) - len(lk)) <= 1) if len(lk) >= 4 else klk == lk:
                        found.add(k)
            out[fine] = self._similar.put(fine, frozenset(found))
        return out

    # --- postings --------------------------------------------------------------------------

    def _load_postings(self, q: Queries, token_ids: set[int]) -> dict[int, tuple[tuple[int, ...], bytes]]:
        out = {t: self._postings[t] for t in token_ids if t in self._postings}
        missing = token_ids - out.keys()
        if not missing:
            return out
        lists: dict[int, list[tuple[int, int]]] = {t: [] for t in missing}
        for token_id, size, alias_id in q.postings(missing):
            lists[token_id].append((alias_id, size))
        for token_id, pairs in lists.items():
            pairs.sort()
            out[token_id] = self._postings.put(token_id, (tuple(a for a, _ in pairs),
                                                          bytes(min(s, 255) for _, s in pairs)))
        return out

    def _entries(self, q: Queries, name: NameKey, sizes: dict[int, int]) -> list[_Entry]:
        """Each query token's entry, with its votes; ``sizes`` gets the length of every alias voted for."""
        tokens = name.tokens
        joined = [Token(a.text + b.text, a.key + b.key, a.arabic) for a, b in itertools.pairwise(tokens)]
        similar = self._load_similar(q, [t.key for t in tokens])
        keys = {coarse(t.key) for t in [*tokens, *joined]} | {k for t in tokens for k in similar[t.key]}
        rows = self._load_tokens(q, keys)
        entries: list[_Entry] = []
        for t in tokens:
            own = coarse(t.key)
            e = _Entry(self._weight_of(t, rows[own]))
            if (row := rows[own]) is not None:
                e.own = (row[0], row[2])
            for k in sorted(similar[t.key] - {own}):
                if (near := rows[k]) is not None and near[2] <= _MAX_NEAR_POSTINGS:
                    e.near.append(near[0])
            entries.append(e)
        for t in joined:
            if (row := rows[coarse(t.key)]) is not None:
                entries.append(_Entry(self._weight_of(t, row), own=(row[0], row[2])))
        short = {i for e in entries for i in e.near}
        short |= {e.own[0] for e in entries if e.own is not None and not e.common}
        lists = self._load_postings(q, short)
        for e in entries:
            near_vote = 0.6 * e.weight
            for token_id in e.near:
                e.votes.update(dict.fromkeys(lists[token_id][0], near_vote))
                sizes.update(zip(*lists[token_id], strict=True))
            if e.own is not None and not e.common:
                e.votes.update(dict.fromkeys(lists[e.own[0]][0], e.weight))
                sizes.update(zip(*lists[e.own[0]], strict=True))
        return entries

    # --- retrieval -------------------------------------------------------------------------

    def candidates(self, name: NameKey) -> list[int]:
        """Aliases worth scoring for a name, best-first by the IDF weight of the tokens they share."""
        with self._reader.session() as q:
            kept = self._candidates(q, name)
            self._prefetch(q, kept)
        return kept

    def _candidates(self, q: Queries, name: NameKey) -> list[int]:
        sizes: dict[int, int] = {}
        entries = self._entries(q, name, sizes) if name.tokens else []
        # Heaviest tokens first: once the weight still to come cannot lift a new alias to the
        # pruning floor, lighter tokens only add to the aliases already found (a set
        # intersection, not a walk down a long posting list).
        entries.sort(key=lambda e: -e.weight)
        remaining = sum(e.weight for e in entries if e.votes)
        votes: dict[int, float] = {}
        best = 0.0
        for e in entries:
            if not e.votes:
                continue
            if not votes:
                votes = dict(e.votes)
            elif remaining < _VOTE_SHARE * best:
                for i in votes.keys() & e.votes.keys():
                    votes[i] += e.votes[i]
            else:
                get = votes.get
                for i, vote in e.votes.items():
                    votes[i] = get(i, 0.0) + vote
            remaining -= e.weight
            best = max(best, max(e.votes.values()))
        common = [e for e in entries if e.common]
        if common:
            self._add_common(q, votes, common, best, sizes)
        # The pruning floor comes from shared-token votes only, before the bonuses for an exact
        # name or skeleton, so an exact hit does not hide the other entities worth listing.
        floor = max(votes.values(), default=0.0) * _VOTE_SHARE
        for i in self.by_normalized.get(name.normalized, ()):
            votes[i] = votes.get(i, 0.0) + 1000.0
        for i in self.by_flat.get(coarse_flat(name.tokens), ()):
            votes[i] = votes.get(i, 0.0) + 500.0
        if not votes:
            return []
        # Ties go to the older alias, so every process ranks alike whatever its hash seed.
        kept = [i for i, v in votes.items() if v >= floor]
        if len(kept) > _MAX_CANDIDATES:
            return heapq.nlargest(_MAX_CANDIDATES, kept, key=lambda i: (votes[i], -i))
        kept.sort(key=lambda i: (-votes[i], i))
        return kept

    def _add_common(self, q: Queries, votes: dict[int, float], common: list[_Entry], best: float,
                    sizes: dict[int, int]) -> None:
        """Common tokens add their weight to the best candidates holding them; they retrieve
        new aliases (the shortest holding the two rarest of them) only when they could matter."""
        weights: dict[int, float] = defaultdict(float)
        for e in common:
            assert e.own is not None
            weights[e.own[0]] += e.weight
        pool = {i: sizes[i] for i in heapq.nlargest(_PROBE, votes, key=lambda i: (votes[i], -i))}
        if not votes or sum(weights.values()) >= _VOTE_SHARE * best:
            rarest = sorted({e.own for e in common if e.own is not None}, key=lambda o: (o[1], o[0]))
            rows = q.shortest(rarest[0][0], _COMMON_TOP, also=rarest[1][0] if len(rarest) > 1 else None)
            if not rows and len(rarest) > 1:
                rows = q.shortest(rarest[0][0], _COMMON_TOP)
            pool.update((alias_id, size) for size, alias_id in rows)
        if not pool:
            return
        for token_id, alias_id in q.holding(sorted(weights), pool):
            votes[alias_id] = votes.get(alias_id, 0.0) + weights[token_id]

    def _prefetch(self, q: Queries, alias_ids: list[int]) -> None:
        """Load what scoring will read (alias rows, their tokens' rows, entities) in three statements."""
        missing = [i for i in alias_ids if i not in self._alias_rows]
        for row in q.aliases(missing):
            self._alias_rows.put(row[0], _alias(row))
        found = [a for i in alias_ids if (a := self._alias_rows.get(i)) is not None]
        self._load_tokens(q, {coarse(t.key) for a in found for t in a.tokens})
        wanted = {a.entity_id for a in found if a.entity_id not in self._entity_rows}
        if wanted:
            for entity_id, name, type in q.entities(wanted):
                self._entity_rows.put(entity_id, EntityRef(entity_id, name, type))
                wanted.discard(entity_id)
            for entity_id in wanted:
                self._entity_rows.put(entity_id, None)


class _Entities(Mapping[str, EntityRef]):
    """``index.entities[entity_id]``: a live entity's id, name and type, read on demand."""

    def __init__(self, index: CandidateIndex) -> None:
        self._index = index

    def __getitem__(self, entity_id: str) -> EntityRef:
        cache = self._index._entity_rows
        if entity_id not in cache:
            with self._index._reader.session() as q:
                rows = q.entities([entity_id])
            cache.put(entity_id, EntityRef(*rows[0]) if rows else None)
        found = cache.get(entity_id)
        if found is None:
            raise KeyError(entity_id)
        return found

    def __len__(self) -> int:
        return self._index.entity_count

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids())

    def _ids(self) -> list[str]:
        with self._index._reader.session() as q:
            return q.all_entity_ids()


class _Aliases:
    """``index.aliases[alias_id]`` and ``for alias in index.aliases`` (streamed in id order)."""

    def __init__(self, index: CandidateIndex) -> None:
        self._index = index

    def __getitem__(self, alias_id: int) -> IndexedAlias:
        cache = self._index._alias_rows
        if alias_id not in cache:
            with self._index._reader.session() as q:
                rows = q.aliases([alias_id])
            cache.put(alias_id, _alias(rows[0]) if rows else None)
        found = cache.get(alias_id)
        if found is None:
            raise KeyError(alias_id)
        return found

    def __iter__(self) -> Iterator[IndexedAlias]:
        after = 0
        while True:
            with self._index._reader.session() as q:
                rows = q.aliases_after(after)
            if not rows:
                return
            yield from (_alias(r) for r in rows)
            after = rows[-1][0]

    def __len__(self) -> int:
        return len(self._index)


class _AliasWeights:
    """``index.alias_weights[alias_id]``: the IDF weight of each of the alias's tokens."""

    def __init__(self, index: CandidateIndex) -> None:
        self._index = index

    def __getitem__(self, alias_id: int) -> tuple[float, ...]:
        index = self._index
        return tuple(index.weight(t) for t in index.aliases[alias_id].tokens)


class _Exact:
    """``by_normalized``, ``by_flat``, ``by_acronym``: alias ids with exactly this value, oldest first.

    Acronym-only aliases ("AAH") are found by their acronym only, never by name or skeleton.
    """

    def __init__(self, index: CandidateIndex, column: str) -> None:
        self._index = index
        self._column = column
        self._cache: _Bounded[str, tuple[int, ...]] = _Bounded(50_000)

    def get(self, value: str, default: tuple[int, ...] = ()) -> tuple[int, ...]:
        if not value:
            return default
        found = self._cache.get(value)
        if found is None:
            with self._index._reader.session() as q:
                rows = q.aliases_by(self._column, value)
            if self._column != "acronym":
                rows = [r for r in rows if r[1] and not is_acronym_only(r[3], len(_tokens(r[1], r[2])))]
            found = self._cache.put(value, tuple(r[0] for r in rows))
        return found or default

    def __contains__(self, value: object) -> bool:
        return isinstance(value, str) and bool(self.get(value))


class _Places:
    """``index.entity_places.get(entity_id)``: the countries an entity's aliases name (Iraqi -> IQ)."""

    def __init__(self, index: CandidateIndex) -> None:
        self._index = index
        self._cache: _Bounded[str, frozenset[str]] = _Bounded(50_000)

    def get(self, entity_id: str, default: frozenset[str] | None = None) -> frozenset[str] | None:
        found = self._cache.get(entity_id)
        if found is None:
            with self._index._reader.session() as q:
                names = q.entity_names([entity_id])
            found = self._cache.put(entity_id, frozenset(
                p for _, normalized in names for word in normalized.split(" ") if (p := place_of(word)) is not None
            ))
        return found or default


class _Vocabulary:
    """``key in index.postings``: whether some alias is posted under a coarse token key."""

    def __init__(self, index: CandidateIndex) -> None:
        self._index = index

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._index._token(key) is not None
