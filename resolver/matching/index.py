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

import functools
import heapq
import itertools
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from sqlalchemy import Engine

from resolver.matching.normalize import NameKey, Token, coarse, coarse_flat, is_arabic, loose
from resolver.matching.places import place_of
from resolver.matching.scoring import FUNCTION_WORD_WEIGHT, keys_may_pair
from resolver.results import EntityRef
from resolver.store.postings import deletions, is_acronym_only
from resolver.store.reader import AliasData, IndexReader, Queries

TokenRow = tuple[int, int, int, int]
"""(token id, entity count, postings count, people among those entities) of a token key."""

__all__ = ["CandidateIndex", "IndexedAlias"]

#: a token with at most this many postings retrieves every one of its aliases
_MAX_POSTINGS = 200
#: the same for a token reached through a near key; a longer list is not followed
_MAX_NEAR_POSTINGS = 100
#: a common token brings in at most this many new aliases (the shortest that hold it)
_COMMON_TOP = 100
#: when common tokens are intersected, how many of the rarest one's aliases (the shortest) are tried
_INTERSECT_SCAN = 2000
#: how many of the best candidates so far are ranked by the common tokens they hold
_PROBE = 1000
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
#: the judge's features see IDF as in a store of at most this many entities (see ``feature_weight``)
FEATURE_POPULATION = 10_000
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
    #: the coarse keys of its tokens
    keyset: frozenset[str] = frozenset()

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
    tokens = _tokens(normalized, keys)
    return IndexedAlias(alias_id, entity_id, text, normalized, tokens, acronym, kind,
                        frozenset(coarse(t.key) for t in tokens))


@dataclass(slots=True)
class _Entry:
    """One query token's part in a lookup: its weight and the tokens through which it votes."""

    weight: float
    key: str = ""  # the coarse key
    own: tuple[int, int] | None = None  # (token id, postings count)
    near: list[int] = field(default_factory=list)  # token ids of short near keys
    #: for two adjacent tokens joined ("Gholam Reza" -> GLMRZ): their entries
    halves: tuple[_Entry, _Entry] | None = None
    own_list: tuple[int, ...] = ()  # the own key's postings, when it is not common
    votes: dict[int, float] = field(default_factory=dict)

    @property
    def common(self) -> bool:
        return self.own is not None and self.own[1] > _MAX_POSTINGS


_coarse = functools.lru_cache(maxsize=65536)(coarse)


def _side_by_side(keys: tuple[str, ...], joined: str) -> bool:
    """Whether an alias with these coarse token keys holds two adjacent tokens whose fine keys,
    joined, have the coarse key ``joined`` (the two tokens of the query side by side, or spelt
    as one word in the alias's neighbours: "Gholam Reza").

    Joining two fine keys and taking the coarse key is the first one's key without any Y
    followed by the second one's coarse key, so the fine keys are not needed.
    """
    return any(a.replace("Y", "") + b == joined for a, b in itertools.pairwise(keys))


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
        self._tokens: _Bounded[str, TokenRow | None] = _Bounded(100_000)
        self._postings: _Bounded[int, tuple[int, ...]] = _Bounded(5_000)
        self._similar: _Bounded[str, frozenset[str]] = _Bounded(50_000)
        self._alias_rows: _Bounded[int, IndexedAlias | None] = _Bounded(50_000)
        self._weights: _Bounded[tuple[str, str], float] = _Bounded(100_000)
        self._keys: _Bounded[int, tuple[str, ...]] = _Bounded(200_000)
        #: the shortest aliases holding a few common tokens (see ``_holding_all``)
        self._holding: _Bounded[tuple[int, ...], list[int]] = _Bounded(2_000)
        #: each query token's entry with its votes (read only once made)
        self._entry_cache: _Bounded[tuple[str, str], _Entry] = _Bounded(1024)
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

    def session(self) -> AbstractContextManager[Queries]:
        """Hold one pooled connection for the lookups inside ``with index.session():`` (this thread)."""
        return self._reader.session()

    @staticmethod
    def is_legal_form(token: Token) -> bool:
        """A word that says "this is a company" (Ltd, OOO, Sirketi): no person's name holds one."""
        return len(token.text) > 2 and token.text in _LEGAL_FORMS

    # --- token rows ------------------------------------------------------------------------

    def _load_tokens(self, q: Queries, keys: set[str]) -> dict[str, TokenRow | None]:
        """(token id, entity count, postings count, people) of each key, None for a key no alias holds."""
        out = {k: self._tokens[k] for k in keys if k in self._tokens}
        missing = keys - out.keys()
        if missing:
            for key, token_id, df, n, people in q.tokens(missing):
                out[key] = self._tokens.put(key, (token_id, df, n, people) if n > 0 else None)
            for key in missing - out.keys():
                out[key] = self._tokens.put(key, None)
        return out

    def _token(self, key: str) -> TokenRow | None:
        if key in self._tokens:
            return self._tokens[key]
        with self._reader.session() as q:
            return self._load_tokens(q, {key})[key]

    def _weight_of(self, token: Token, row: TokenRow | None) -> float:
        if token.text in _FUNCTION_WORDS or token.text in _LEGAL_FORMS:
            return FUNCTION_WORD_WEIGHT
        w = math.log(1 + self._n / row[1]) if row is not None and row[1] > 0 else self.max_idf
        return w * w

    def weight(self, token: Token) -> float:
        """IDF weight of a token: rare surnames count, "Muhammad" and "Company" barely do.

        The IDF is squared so that a shared rare token outweighs several shared common ones.
        """
        found = self._weights.get((token.text, token.key))
        if found is None:
            if token.text in _FUNCTION_WORDS or token.text in _LEGAL_FORMS:
                found = FUNCTION_WORD_WEIGHT
            else:
                found = self._weight_of(token, self._token(coarse(token.key)))
            self._weights.put((token.text, token.key), found)
        return found

    def feature_weight(self, token: Token) -> float:
        """A token's weight as the learned judge sees it: the IDF of its share of the entities,
        in a store of at most :data:`FEATURE_POPULATION` entities.

        The judge was fitted on stores of about 5,000 entities.  Its features divide IDF by the
        IDF of an unseen word, which grows with the log of the store's size: at a million aliases
        the same names look less informative than they are, and a clear match falls below the
        threshold.  A word held by one entity in 20 is as common in any store; a word rarer than
        one in ``FEATURE_POPULATION`` counts as unseen.  Up to that size this is :meth:`weight`.
        """
        if self._n <= FEATURE_POPULATION:
            return self.weight(token)
        if token.text in _FUNCTION_WORDS or token.text in _LEGAL_FORMS:
            return FUNCTION_WORD_WEIGHT
        row = self._token(coarse(token.key))
        share = row[1] * FEATURE_POPULATION / self._n if row is not None else 0.0
        w = math.log(1 + FEATURE_POPULATION / max(share, 0.5))
        return w * w

    @property
    def feature_max_weight(self) -> float:
        """The judge's weight of a word the store has never seen (see :meth:`feature_weight`)."""
        return math.log(1 + min(self._n, FEATURE_POPULATION) / 0.5) ** 2

    def kinds(self, tokens: Iterable[Token]) -> dict[str, tuple[int, int]]:
        """(people, other entities) whose names hold each token's key: a store statistic written
        with the aliases, like the IDF."""
        out: dict[str, tuple[int, int]] = {}
        for key in {coarse(t.key) for t in tokens}:
            row = self._token(key)  # the mention's own keys: read (and cached) for their weights already
            out[key] = (row[3], row[1] - row[3]) if row is not None else (0, 0)
        return out

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
        for variant, key, lk, token_id, df, n, people in rows:
            by_variant.setdefault(variant, []).append((key, lk))
            self._tokens.put(key, (token_id, df, n, people))
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

    def _load_postings(self, q: Queries, token_ids: set[int]) -> dict[int, tuple[int, ...]]:
        out = {t: self._postings[t] for t in token_ids if t in self._postings}
        missing = token_ids - out.keys()
        if not missing:
            return out
        lists: dict[int, list[int]] = {t: [] for t in missing}
        for token_id, alias_id in q.postings(missing):
            lists[token_id].append(alias_id)
        for token_id, ids in lists.items():
            out[token_id] = self._postings.put(token_id, tuple(sorted(ids)))
        return out

    def _entries(self, q: Queries, name: NameKey) -> list[_Entry]:
        """Each query token's entry, with its votes (cached per token: names share words)."""
        tokens = name.tokens
        joined = [Token(a.text + b.text, a.key + b.key, a.arabic) for a, b in itertools.pairwise(tokens)]
        cache = self._entry_cache
        have = {(t.text, t.key): e for t in tokens if (e := cache.get((t.text, t.key))) is not None}
        fresh = [t for t in tokens if (t.text, t.key) not in have]
        similar = self._load_similar(q, [t.key for t in fresh]) if fresh else {}
        keys = {coarse(t.key) for t in [*fresh, *joined]} | {k for t in fresh for k in similar[t.key]}
        rows = self._load_tokens(q, keys)
        made: dict[tuple[str, str], _Entry] = {}
        for t in fresh:
            own = coarse(t.key)
            e = made[(t.text, t.key)] = _Entry(self._weight_of(t, rows[own]), own)
            if (row := rows[own]) is not None:
                e.own = (row[0], row[2])
            for k in sorted(similar[t.key] - {own}):
                if (near := rows[k]) is not None and near[2] <= _MAX_NEAR_POSTINGS and keys_may_pair(own, k):
                    e.near.append(near[0])
        new_joined: list[_Entry] = []
        for t in joined:
            row = rows[coarse(t.key)]
            e = _Entry(self._weight_of(t, row), coarse(t.key))
            if row is not None:
                e.own = (row[0], row[2])
            new_joined.append(e)
        todo = [*made.values(), *new_joined]
        short = {i for e in todo for i in e.near}
        short |= {e.own[0] for e in todo if e.own is not None and not e.common}
        lists = self._load_postings(q, short) if short else {}
        for e in todo:
            near_vote = 0.6 * e.weight
            for token_id in e.near:
                e.votes.update(dict.fromkeys(lists[token_id], near_vote))
            if e.own is not None and not e.common:
                e.own_list = lists[e.own[0]]
                e.votes.update(dict.fromkeys(e.own_list, e.weight))
        for token_key, e in made.items():
            cache.put(token_key, e)
        have.update(made)
        entries = [have[(t.text, t.key)] for t in tokens]
        for n, e in enumerate(new_joined):
            e.halves = (entries[n], entries[n + 1])
        return entries + new_joined

    # --- retrieval -------------------------------------------------------------------------

    def candidates(self, name: NameKey) -> list[int]:
        """Aliases worth scoring for a name, best-first by the IDF weight of the tokens they share."""
        with self._reader.session() as q:
            kept = self._candidates(q, name)
            self._prefetch(q, kept)
        return kept

    def _candidates(self, q: Queries, name: NameKey) -> list[int]:
        entries = self._entries(q, name) if name.tokens else []
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
        # The pruning floor comes from shared-token votes only, before the bonuses for an exact
        # name or skeleton, so an exact hit does not hide the other entities worth listing.
        floor = max(votes.values(), default=0.0) * _VOTE_SHARE
        if len(entries) > 1:
            # A pair held side by side counts in full, the floor too, as the in-memory index's
            # joined-key postings did.  (Leaving it out of the floor keeps "Mohamad Alsaied
            # ALHMIDAN" beside namesakes holding "Mohamad Hamdan" at 100k aliases, but lets more
            # namesakes be scored on SDN: FPR 0.041 against 0.039, so it is not done.)
            for i, (bonus, _) in self._add_pooled(q, votes, entries, floor).items():
                votes[i] = votes.get(i, 0.0) + bonus
            floor = max(votes.values(), default=0.0) * _VOTE_SHARE
        for i in self.by_normalized.read(q, name.normalized):
            votes[i] = votes.get(i, 0.0) + 1000.0
        for i in self.by_flat.read(q, coarse_flat(name.tokens)):
            votes[i] = votes.get(i, 0.0) + 500.0
        if not votes:
            return []
        # Ties go to the older alias, so every process ranks alike whatever its hash seed.
        kept = [i for i, v in votes.items() if v >= floor]
        if len(kept) > _MAX_CANDIDATES:
            return heapq.nlargest(_MAX_CANDIDATES, kept, key=lambda i: (votes[i], -i))
        kept.sort(key=lambda i: (-votes[i], i))
        return kept

    def _add_pooled(self, q: Queries, votes: dict[int, float], entries: list[_Entry],
                    floor: float) -> dict[int, tuple[float, float]]:
        """The votes no postings list gives: common tokens and adjacent tokens joined.

        A common token ranks the best candidates so far that hold it, when the rarer tokens
        left more of them tied than are kept, and retrieves (the shortest aliases holding the
        rarest common tokens together) when no rarer token of the name retrieved anything.  Two
        adjacent tokens joined vote for the candidates that hold them side by side ("Ahmed
        Mohammed" in "Ahmed Mohammed Hamed ALI"), found among the candidates when one of them is
        rare and, when both are common, among the shortest aliases holding both: those votes are
        returned apart (with what each may add to the floor), to be added after the floor is set.
        """
        common = [e for e in entries if e.common and e.halves is None]
        joined = [e for e in entries if e.halves is not None and all(h.own is not None for h in e.halves)]
        own_retrieved = any(e.votes for e in entries if e.halves is None and e.own is not None and not e.common)
        use_common = bool(common) and (not own_retrieved or sum(v >= floor for v in votes.values()) > _MAX_CANDIDATES)
        pool: set[int] = set()
        # the best candidates so far: ranked by the common tokens they hold, and checked for pairs
        best = heapq.nlargest(_PROBE, [i for i, v in votes.items() if v >= floor], key=lambda i: (votes[i], -i))
        if use_common:
            pool.update(best)
            if not own_retrieved and sum(e.weight for e in common) >= floor:
                # (aliases holding only common tokens cannot reach the floor the near keys set)
                # a legal form or a joining word ("Ltd", "of") is never what the name is found by
                words = [e for e in common if e.weight > FUNCTION_WORD_WEIGHT] or common
                pool.update(self._holding_all([e.own for e in words if e.own is not None], q))
        # who may hold each pair side by side: those holding both halves
        found = pool | set(best)
        pairs: list[tuple[_Entry, set[int]]] = []
        for e in joined:
            assert e.halves is not None
            rare = [set(h.own_list) for h in e.halves if not h.common]
            if len(rare) == 2:
                held = rare[0] & rare[1]
            elif rare:
                held = rare[0]
            else:
                # the shortest aliases holding both, and the candidates found so far (which the
                # shortest may leave out: a name's own pairs count whatever its length)
                held = set(self._holding_all([h.own for h in e.halves if h.own is not None], q)) | found
            held -= e.votes.keys()  # already counted, through the pair as one word
            if held:
                pairs.append((e, held))
                pool |= held
        if not pool:
            return {}
        weights: dict[str, float] = defaultdict(float)
        for e in common if use_common else ():
            weights[e.key] += e.weight
        keys = self._coarse_keys(q, pool)
        if weights:
            for alias_id, held_keys in keys.items():
                for key in weights.keys() & held_keys:
                    votes[alias_id] = votes.get(alias_id, 0.0) + weights[key]
        bonus: dict[int, tuple[float, float]] = {}
        for e, held in pairs:
            assert e.halves is not None
            cap = max(h.weight for h in e.halves)
            for alias_id in held:
                if _side_by_side(keys[alias_id], e.key):
                    got, got_cap = bonus.get(alias_id, (0.0, 0.0))
                    bonus[alias_id] = (got + e.weight, got_cap + cap)
        return bonus

    def _holding_all(self, owns: list[tuple[int, int]], q: Queries) -> list[int]:
        """The shortest aliases holding the (up to three) rarest of these tokens, else fewer of them."""
        rarest = tuple(token_id for token_id, _ in sorted(set(owns), key=lambda o: (o[1], o[0]))[:3])
        found: list[int] = []
        for n in range(len(rarest), 0, -1):
            held = self._holding.get(rarest[:n])
            if held is None:
                held = self._holding.put(rarest[:n], q.shortest(rarest[:n], _COMMON_TOP, _INTERSECT_SCAN))
            found += held
            if len(found) >= _COMMON_TOP:
                break
        return found

    def _coarse_keys(self, q: Queries, alias_ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
        """The coarse keys of each alias's tokens, in name order (cached)."""
        cache = self._keys
        out = {i: k for i in alias_ids if (k := cache.get(i)) is not None}
        missing = [i for i in alias_ids if i not in out]
        for alias_id, keys in q.alias_keys(missing) if missing else ():
            out[alias_id] = cache.put(alias_id, tuple(map(_coarse, keys.split(" "))) if keys else ())
        return out

    def _load_aliases(self, q: Queries, alias_ids: Iterable[int]) -> dict[int, IndexedAlias]:
        cache = self._alias_rows
        out = {i: a for i in alias_ids if (a := cache.get(i)) is not None}
        missing = [i for i in alias_ids if i not in out]
        for row in q.aliases(missing) if missing else ():
            out[row[0]] = cache.put(row[0], _alias(row))  # type: ignore[assignment]
        return out

    def _prefetch(self, q: Queries, alias_ids: list[int]) -> None:
        """Load what scoring will read (alias rows, their tokens' rows, entities) in three statements."""
        found = list(self._load_aliases(q, alias_ids).values())
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
        self._cache: _Bounded[int, tuple[float, ...]] = _Bounded(50_000)

    def __getitem__(self, alias_id: int) -> tuple[float, ...]:
        found = self._cache.get(alias_id)
        if found is None:
            index = self._index
            found = self._cache.put(alias_id, tuple(index.weight(t) for t in index.aliases[alias_id].tokens))
        return found


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
                found = self.read(q, value)
        return found or default

    def read(self, q: Queries, value: str) -> tuple[int, ...]:
        """The alias ids for ``value``, read on the caller's connection unless cached."""
        found = self._cache.get(value)
        if found is None:
            rows = q.aliases_by(self._column, value) if value else []
            if self._column != "acronym":
                rows = [r for r in rows if r[1] and not is_acronym_only(r[3], len(_tokens(r[1], r[2])))]
            found = self._cache.put(value, tuple(r[0] for r in rows))
        return found

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
