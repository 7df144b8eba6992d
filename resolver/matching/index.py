"""CandidateIndex: blocking over the store's index tables, so a lookup never scans all aliases.

The index itself lives in the store (:mod:`resolver.store.postings` writes it in the same
transaction as each alias), so every process and host shares it and a committed write is seen
by the next lookup.  A ``CandidateIndex`` is one process's view of the store at one revision:
it holds only bounded caches (token rows, short postings lists, alias and entity rows), so its
memory does not grow with the store, and a new one is made, empty, whenever the store changes.

Retrieval (which aliases a mention brings in) is :mod:`resolver.matching.retrieval`; the
views handed to resolve.py, ranking.py and the annotator are :mod:`resolver.matching.index_views`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from itertools import filterfalse

from sqlalchemy import Engine

from resolver.matching.index_views import (
    Aliases,
    AliasWeights,
    Bounded,
    Entities,
    Exact,
    IndexedAlias,
    Places,
    Vocabulary,
    alias_of,
)
from resolver.matching.normalize import NameKey, Token
from resolver.matching.retrieval import Retrieval
from resolver.matching.scoring import FUNCTION_WORD_WEIGHT
from resolver.matching.skeletons import coarse, coarse_keys, glide_apart, loose, without_glide
from resolver.matching.words import FUNCTION_WORDS, LEGAL_FORMS, ORG_TYPES
from resolver.results import EntityRef
from resolver.store.postings import deletions
from resolver.store.reader import IndexReader, Queries

TokenRow = tuple[int, int, int, int]
"""(token id, entity count, postings count, people among those entities) of a token key."""
NearRow = tuple[str, str, str, int, int, int, int]
"""(variant, key, loose key, token id, entity count, postings count, people): ``Queries.near``'s rows."""

__all__ = ["FEATURE_POPULATION", "JUDGE_PEOPLE_SHARE", "CandidateIndex", "IndexedAlias"]

#: the judge's features see IDF as in a store of at most this many entities (see ``feature_weight``)
FEATURE_POPULATION = 10_000
#: in the judge's weights above that population, a word saying what kind of organisation a name is
#: ("bank", "committee": ``ORG_TYPES``) counts as held by at least this many of its 10,000 entities
KIND_WORD_SHARE = 20.0
#: the share of people among the entities of the stores the judge is fitted on (the SDN store's
#: 2,891 of 5,190; its features read how many people's and other names hold a word: see ``people_share``)
JUDGE_PEOPLE_SHARE = 0.56
#: how many near-key rows the index keeps between lookups (about 150 bytes each: 7.5 MiB at most; the
#: 5,150 SDN lookups read 39,000; see ``_near_rows``)
_NEAR_ROWS_HELD = 50_000

class CandidateIndex:
    """Token, skeleton and acronym lookups over every alias of a store, read from its index tables.

    The names resolve.py and the annotator use are kept: ``weight``, ``entities[id]``,
    ``aliases[alias_id]``, ``alias_weights[alias_id]``, ``by_normalized/by_flat/by_acronym.get``,
    ``entity_places.get``, ``similar_keys``, ``key in postings``, ``candidates``.  Aliases are
    known by their store id (older aliases have lower ids).
    """

    def __init__(self, reader: IndexReader, revision: int, entity_count: int, people_count: int = 0) -> None:
        self.revision = revision
        self._reader = reader
        self.entity_count = entity_count
        self._n = max(entity_count, 1)
        #: the share of people among the store's live entities (``people_count`` in meta, written
        #: with every write beside ``entity_count``; 0 when unknown)
        self.people_share = min(1.0, people_count / self._n)
        self.max_idf = math.log(1 + self._n / 0.5)
        self._tokens: Bounded[str, TokenRow | None] = Bounded(100_000)
        self._postings: Bounded[int, tuple[int, ...]] = Bounded(5_000)
        self._similar: Bounded[str, frozenset[str]] = Bounded(50_000)
        #: each near-key variant's rows (``Queries.near``), with whether they were read ``own``: at
        #: most _NEAR_ROWS_HELD rows in all (see ``_near_rows``)
        self._near: dict[str, tuple[bool, tuple[NearRow, ...]]] = {}
        self._near_held = 0
        self._alias_rows: Bounded[int, IndexedAlias | None] = Bounded(50_000)
        self._weights: Bounded[tuple[str, str], float] = Bounded(100_000)
        #: the judge's weights (:meth:`feature_weight`), in a store of more than FEATURE_POPULATION entities
        self._feature_weights: Bounded[tuple[str, str], float] = Bounded(100_000)
        self._keys: Bounded[int, tuple[str, ...]] = Bounded(200_000)
        self._entity_rows: Bounded[str, EntityRef | None] = Bounded(50_000)
        self.entities = Entities(self)
        self.aliases = Aliases(self)
        self.alias_weights = AliasWeights(self)
        self.by_normalized = Exact(self, "normalized")
        self.by_flat = Exact(self, "flat")
        self.by_acronym = Exact(self, "acronym")
        self.entity_places = Places(self)
        self.postings = Vocabulary(self)
        self.retrieval = Retrieval(self)

    @classmethod
    def open(cls, engine: Engine) -> CandidateIndex:
        """The index of a store as it is now: one small query, nothing built."""
        reader = IndexReader(engine)
        with reader.session() as q:
            revision, entity_count, people_count = q.meta()
        return cls(reader, revision, entity_count, people_count)

    def __len__(self) -> int:
        with self._reader.session() as q:
            return q.alias_count()

    def close(self) -> None:
        """Return the connections this index keeps between lookups to the engine's pool."""
        self._reader.close()

    def session(self) -> AbstractContextManager[Queries]:
        """Hold one connection for the lookups inside ``with index.session():`` (this thread)."""
        return self._reader.session()

    @staticmethod
    def is_legal_form(token: Token) -> bool:
        """A word that says "this is a company" (Ltd, OOO, Sirketi): no person's name holds one."""
        return len(token.text) > 2 and token.text in LEGAL_FORMS

    # --- token rows ------------------------------------------------------------------------

    def load_tokens(self, q: Queries, keys: set[str]) -> dict[str, TokenRow | None]:
        """(token id, entity count, postings count, people) of each key, None for a key no alias holds."""
        cache = self._tokens
        out = {k: cache[k] for k in keys if k in cache}
        missing = keys - out.keys()
        if missing:
            for key, token_id, df, n, people in q.tokens(missing):
                out[key] = self._tokens.put(key, (token_id, df, n, people) if n > 0 else None)
            for key in missing - out.keys():
                out[key] = self._tokens.put(key, None)
        return out

    def _read_tokens(self, q: Queries, keys: set[str]) -> None:
        """Cache the rows of these keys, those not cached already: ``load_tokens`` without building
        its answer (one test per key, not two and a dict).  (``keys - cache.keys()`` would walk the
        whole cache: a set's difference with a view iterates the view.)"""
        missing = set(filterfalse(self._tokens.__contains__, keys))
        if missing:
            self.load_tokens(q, missing)

    def _token(self, key: str) -> TokenRow | None:
        if key in self._tokens:
            return self._tokens[key]
        with self._reader.session() as q:
            return self.load_tokens(q, {key})[key]

    def weight_of(self, token: Token, row: TokenRow | None) -> float:
        if token.text in FUNCTION_WORDS or token.text in LEGAL_FORMS:
            return FUNCTION_WORD_WEIGHT
        w = math.log(1 + self._n / row[1]) if row is not None and row[1] > 0 else self.max_idf
        return w * w

    def weight(self, token: Token) -> float:
        """IDF weight of a token: rare surnames count, "Muhammad" and "Company" barely do.

        The IDF is squared so that a shared rare token outweighs several shared common ones.
        """
        found = self._weights.get((token.text, token.key))
        if found is None:
            if token.text in FUNCTION_WORDS or token.text in LEGAL_FORMS:
                found = FUNCTION_WORD_WEIGHT
            else:
                found = self.weight_of(token, self._token(coarse(token.key)))
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

        A word saying what kind of organisation a name is ("bank", "committee", "society") is
        held by many names in any real population of organisations, but a large store's count of
        it grows with its organisations of that kind, not with its size: a store of a million
        aliases mostly of people holds "bank" as often as one of ten thousand, so by its share it
        read as a rare word, and a mention of one bank was linked to another bank of its country.
        Such a word counts as held by at least :data:`KIND_WORD_SHARE` in 10,000 entities (the
        commonest kind words are held by 20-250 in 10,000 of the curated store's entities).
        """
        if self._n <= FEATURE_POPULATION:
            return self.weight(token)
        found = self._feature_weights.get((token.text, token.key))
        if found is None:
            if token.text in FUNCTION_WORDS or token.text in LEGAL_FORMS:
                found = FUNCTION_WORD_WEIGHT
            else:
                row = self._token(coarse(token.key))
                share = row[1] * FEATURE_POPULATION / self._n if row is not None else 0.0
                if token.text in ORG_TYPES:
                    share = max(share, KIND_WORD_SHARE)
                w = math.log(1 + FEATURE_POPULATION / max(share, 0.5))
                found = w * w
            self._feature_weights.put((token.text, token.key), found)
        return found

    @property
    def beyond_judge_population(self) -> bool:
        """Whether the store holds more entities than the judge's features see (``FEATURE_POPULATION``)."""
        return self._n > FEATURE_POPULATION

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
                found = self.load_similar(q, [token.key])[token.key]
        return set(found)

    def load_similar(self, q: Queries, fines: list[str]) -> dict[str, frozenset[str]]:
        out = {f: self._similar[f] for f in fines if f in self._similar}
        wanted = {f: loose(coarse(f)) for f in fines if f not in out}
        if not wanted:
            return out
        # each variant with the words that ask for it (their loose keys): a row is filed under its
        # words as it is read
        owners: dict[str, list[tuple[str, str]]] = {}
        for f, lk in wanted.items():
            # (a short key also meets the same name written with or without the glide w: "Daud" DD
            # and "Dawud" DWD, "Quaydir" QDR and "Quwaydir" QWDR; its neighbours by any deletion
            # would be too many)
            variants = deletions(lk) if len(lk) >= 4 else {lk, *map(loose, without_glide(coarse(f)))}
            for variant in variants:
                owners.setdefault(variant, []).append((f, lk))
        near: dict[str, set[str]] = {f: set() for f in wanted}
        found_rows: dict[str, TokenRow | None] = {}
        # A word of three letters or fewer (its loose key) takes only the tokens with its very loose
        # key or a key one glide w apart (below): a variant no longer word asks for is read for those
        # tokens (and tokens with a W) alone, not for the rest of its neighbourhood (the longer keys
        # a deletion away: 40% of the rows on SDN).
        own = {v for v, asking in owners.items() if all(len(lk) < 4 for _, lk in asking)}
        rows = self._near_rows(q, owners.keys(), own)
        for variant, key, klk, token_id, df, n, people in rows:
            found_rows[key] = (token_id, df, n, people)
            for fine, lk in owners[variant]:
                if ((abs(len(klk) - len(lk)) <= 1) if len(lk) >= 4
                        else klk == lk or glide_apart(coarse(fine), key)):
                    near[fine].add(key)
        self._tokens.put_many(found_rows)
        live = found_rows.keys()
        for fine in wanted:
            # Every token is written with its own loose key among its near variants, and that key is
            # one of the variants asked for: a live token with this key came back with the rows
            # above, so one that did not is absent (or has no aliases left).  No statement needed.
            if (key := coarse(fine)) not in live:
                self._tokens.put(key, None)
        for fine, found in near.items():
            if (key := coarse(fine)) in live:
                found.add(key)
            out[fine] = self._similar.put(fine, frozenset(found))
        return out

    def _near_rows(self, q: Queries, variants: Iterable[str], own: set[str]) -> list[NearRow]:
        """``q.near`` of these variants (``own=True`` for those in ``own``), the rows of a variant read
        before taken from the cache: neighbouring words share most of their deletion variants (61%
        of the near rows of the first 1,000 SDN lookups were of a variant read before).  The rows
        come grouped by variant, cached ones first; each row is as the statement gives it."""
        cache = self._near
        rows: list[NearRow] = []
        missing: list[str] = []
        for v in variants:
            found = cache.get(v)
            if found is None or found[0] != (v in own):
                missing.append(v)
            else:
                rows += found[1]
        if not missing:
            return rows
        whole = [v for v in missing if v not in own]
        read = q.near(whole) if whole else []
        if len(whole) < len(missing):
            read += q.near([v for v in missing if v in own], own=True)
        grouped: dict[str, list[NearRow]] = {v: [] for v in missing}
        for row in read:
            grouped[row[0]].append(row)
        if self._near_held + len(read) > _NEAR_ROWS_HELD:
            cache.clear()
            self._near_held = 0
        self._near_held += len(read)
        cache.update((v, (v in own, tuple(found))) for v, found in grouped.items())
        return rows + read

    # --- postings --------------------------------------------------------------------------

    def load_postings(self, q: Queries, token_ids: set[int]) -> dict[int, tuple[int, ...]]:
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

    # --- retrieval -------------------------------------------------------------------------

    def candidates(self, name: NameKey) -> list[int]:
        """Aliases worth scoring for a name, best-first by the IDF weight of the tokens they share."""
        with self._reader.session() as q:
            kept = self.retrieval.candidates(q, name)
            self._prefetch(q, kept)
        return kept

    def coarse_keys(self, q: Queries, alias_ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
        """The coarse keys of each alias's tokens, in name order (cached)."""
        cache = self._keys
        out = {i: k for i in alias_ids if (k := cache.get(i)) is not None}
        missing = [i for i in alias_ids if i not in out]
        if missing:
            read = {alias_id: coarse_keys(keys) for alias_id, keys in q.alias_keys(missing)}
            cache.put_many(read)
            out.update(read)
        return out

    def alias_rows(self, alias_ids: Sequence[int]) -> list[IndexedAlias]:
        """These aliases (those still in the store), in this order: the ones not cached read in one statement."""
        with self._reader.session() as q:
            found = self._load_aliases(q, alias_ids)
        return [found[i] for i in alias_ids if i in found]

    def _load_aliases(self, q: Queries, alias_ids: Iterable[int]) -> dict[int, IndexedAlias]:
        cache = self._alias_rows
        out = {i: a for i in alias_ids if (a := cache.get(i)) is not None}
        missing = [i for i in alias_ids if i not in out]
        for row in q.aliases(missing) if missing else ():
            out[row[0]] = cache.put(row[0], alias_of(row))  # type: ignore[assignment]
        return out

    def _prefetch(self, q: Queries, alias_ids: list[int]) -> None:
        """Load what scoring will read (alias rows, their tokens' rows, entities) in three statements."""
        found = list(self._load_aliases(q, alias_ids).values())
        # (the token rows give the aliases' word weights: an alias whose weights are kept needs none)
        weighed = self.alias_weights.kept
        self._read_tokens(q, {k for a in found if a.alias_id not in weighed for k in a.coarse_keys})
        wanted = {a.entity_id for a in found if a.entity_id not in self._entity_rows}
        if wanted:
            for entity_id, name, type in q.entities(wanted):
                self._entity_rows.put(entity_id, EntityRef(entity_id, name, type))
                wanted.discard(entity_id)
            for entity_id in wanted:
                self._entity_rows.put(entity_id, None)

