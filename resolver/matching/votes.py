"""The votes no postings list gives: common tokens, adjacent tokens held side by side, the
likeness ranking of too many candidates, and a second pass for near keys too common to follow.

:class:`~resolver.matching.retrieval.Retrieval` is built on :class:`Votes`; this module holds the
query token's entry (:class:`Entry`) both use.
"""

from __future__ import annotations

import heapq
import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from resolver.matching.index_views import Bounded
from resolver.matching.scoring import FUNCTION_WORD_WEIGHT
from resolver.matching.skeletons import loose
from resolver.matching.word_similarity import keys_may_pair
from resolver.store.reader import Queries

if TYPE_CHECKING:
    from resolver.matching.index import CandidateIndex

#: a token with at most this many postings retrieves every one of its aliases
MAX_POSTINGS = 200
#: the second pass runs when no alias holds this share of the mention's weight
_STRONG = 0.75
#: a common token brings in at most this many new aliases (the shortest that hold it)
_COMMON_TOP = 100
#: when common tokens are intersected, how many of the rarest one's aliases (the shortest) are tried
_INTERSECT_SCAN = 2000
#: how many of the best candidates so far are ranked by the common tokens they hold
_PROBE = 1000
#: how many candidates, ranked by shared token weight, go on to full scoring
MAX_CANDIDATES = 30
#: a query token counts towards an alias's likeness from this similarity (of loose skeletons) on
_LIKE_FROM = 0.5
#: how many alias words' likeness one entry keeps (it starts again when full)
_LIKES_KEPT = 4096


@dataclass(slots=True)
class Entry:
    """One query token's part in a lookup: its weight and the tokens through which it votes."""

    weight: float
    key: str = ""  # the coarse key
    own: tuple[int, int] | None = None  # (token id, postings count)
    near: list[int] = field(default_factory=list)  # token ids of short near keys
    #: (token id, postings count) of the near keys too common to follow, fewest postings first
    far: list[tuple[int, int]] = field(default_factory=list)
    #: the coarse keys of every near key in the store, short list or long
    near_keys: frozenset[str] = frozenset()
    #: for two adjacent tokens joined ("Gholam Reza" -> GLMRZ): their entries
    halves: tuple[Entry, Entry] | None = None
    own_list: tuple[int, ...] = ()  # the own key's postings, when it is not common
    #: (token id, postings count) of the word as written, for a word with a short coarse key
    #: (:func:`resolver.store.postings.word_key`), and its postings when not common
    word: tuple[int, int] | None = None
    word_list: tuple[int, ...] = ()
    #: the weight of the coarse key alone, when the word as written weighs more (``weight``):
    #: what an alias holding the key but not the word gets
    key_weight: float | None = None
    votes: dict[int, float] = field(default_factory=dict)
    #: two adjacent tokens joined without the second one's leading vowel ("Vakil Abad" -> WKLBD):
    #: it votes through its own postings only, never as a pair held side by side
    variant: bool = False
    #: each alias word's weight towards this token (:func:`_fill_likes`), as met in likeness rankings:
    #: the entry is cached with the token, and the aliases ranked for it share most of their words
    likes: dict[str, float] = field(default_factory=dict)

    @property
    def coarse_weight(self) -> float:
        """What an alias holding the coarse key (not the word as written) gets."""
        return self.weight if self.key_weight is None else self.key_weight

    @property
    def common(self) -> bool:
        return self.own is not None and self.own[1] > MAX_POSTINGS


def count_passing(votes: dict[int, float], floor: float) -> int:
    """How many aliases have at least ``floor`` votes (a list's length: cheaper than summing booleans)."""
    return len([v for v in votes.values() if v >= floor])


def best_by_votes(votes: dict[int, float], floor: float, n: int | None = None) -> list[int]:
    """The aliases with at least ``floor`` votes, most votes first, ties to the older alias (the
    lower id), the first ``n`` only if given.  The keys ``(votes, -id)`` are plain tuples, sorted in
    C: no key function is called per alias (the same order as sorting by that key)."""
    ranked = [(v, -i) for i, v in votes.items() if v >= floor]
    if n is None or len(ranked) <= 4 * n:
        ranked.sort(reverse=True)
        return [-i for _, i in ranked[:n]]
    return [-i for _, i in heapq.nlargest(n, ranked)]


def _side_by_side(keys: tuple[str, ...], joined: str) -> bool:
    """Whether an alias with these coarse token keys holds two adjacent tokens whose fine keys,
    joined, have the coarse key ``joined`` (the two tokens of the query side by side, or spelt
    as one word in the alias's neighbours: "Gholam Reza").

    Joining two fine keys and taking the coarse key is the first one's key without any Y
    followed by the second one's coarse key, so the fine keys are not needed.
    """
    # (a loop, not any() over a generator: called ~30 times a lookup)
    for a, b in itertools.pairwise(keys):  # noqa: SIM110
        if joined.endswith(b) and a.replace("Y", "") + b == joined:
            return True
    return False


def _fill_likes(key: str, near: frozenset[str], likes: dict[str, float], others: list[str]) -> None:
    """Add each of these alias words' weight towards the query word ``key`` to its ``likes``.

    The weight is their likeness (0 when either is two letters or less, else the edit similarity of
    the two coarse keys, loose skeletons equal counting as one edit), or 0.6 when the word is one of
    the query word's near keys that the scorer could pair (as a near key votes).  A likeness under
    ``_LIKE_FROM`` is kept as 0: it never counts (see ``Votes._likeness``).  The edit similarities
    of all the words are computed in one pass, and so are their loose skeletons."""
    likes.update(dict.fromkeys(others, 0.0))  # most words are not alike at all
    if len(key) > 2:
        for other, sim, _ in process.extract(key, others, scorer=Levenshtein.normalized_similarity,
                                             processor=None, score_cutoff=_LIKE_FROM, limit=None):
            if len(other) > 2:
                likes[other] = sim
        own = loose(key)
        # (every word's loose skeleton in one pass: keys hold no spaces)
        for other, other_loose in zip(others, loose(" ".join(others)).split(" "), strict=True):
            if other_loose == own and len(other) > 2:
                likes[other] = 1.0 - 1.0 / max(len(key), len(other))
    for other in near.intersection(others):
        if likes[other] < 0.6 and keys_may_pair(key, other):
            likes[other] = 0.6


class Votes:
    """The extra votes of one index's retrieval, with the cache of shortest holders they share."""

    def __init__(self, index: CandidateIndex) -> None:
        self._index = index
        #: the shortest aliases holding a few common tokens (see ``_holding_all``)
        self._holding: Bounded[tuple[int, ...], list[int]] = Bounded(2_000)

    def _likeness(self, q: Queries, entries: list[Entry], pool: list[int]) -> dict[int, float]:
        """How much of the mention's weight each alias's words hold, a word that is not held
        counting by its best likeness to one of the alias's words ("Pains" in "Pan Victoire"):
        the order in which the aliases that pass the floor are kept, when they are too many.

        A word no alias holds counts at most as the learned judge weighs such a word
        (:attr:`~resolver.matching.index.CandidateIndex.feature_max_weight`; the same up to
        ``FEATURE_POPULATION`` entities).  Its own weight, the IDF of an unseen word, grows with the
        store (87 among 5,600 entities, 185 among 400,000) while a held word's grows far less, so at
        a million aliases any alias holding a word 0.8 alike to it ("Krasnov" for "Borisnova")
        outranked one holding two of the mention's other words exactly ("Elena ZHIROVA" for
        "Elena Borisnova ZHIROVA"), though it can only be read as a spelling of that one word."""
        unseen = self._index.feature_max_weight

        def counted(e: Entry, weight: float) -> float:
            return weight if e.own is not None else min(weight, unseen)

        keys = self._index.coarse_keys(q, pool)
        held_words = {k for i in pool for k in keys.get(i, ())}
        words: list[tuple[str, float, dict[str, float], frozenset[str], frozenset[int], float]] = []
        at: dict[int, int] = {}  # an entry's place in ``words`` (by identity)
        held_list = list(held_words)
        for e in entries:
            if e.halves is None:
                if len(e.likes) + len(held_words) > _LIKES_KEPT:
                    e.likes.clear()
                if todo := [k for k in held_words if k not in e.likes]:
                    _fill_likes(e.key, e.near_keys, e.likes, todo)
                # the pool's words at least _LIKE_FROM alike to it (picked out in C): an alias holding
                # none of them gets nothing from its likeness
                alike = map(_LIKE_FROM.__le__, map(e.likes.__getitem__, held_list))
                liked = frozenset(itertools.compress(held_list, alike))
                # a word no alias of the pool holds, nor holds anything alike, adds nothing to any
                if e.key in held_words or liked:
                    at[id(e)] = len(words)
                    words.append((e.key, counted(e, e.coarse_weight), e.likes, liked, frozenset(e.word_list),
                                  e.weight))
        # two adjacent words an alias writes as one ("Mofid Rahbar", "Mofidrahbar") are both held by
        # it; not a legal form or joining word, which is never written into a name ("Raman Co.": RMNK
        # is also the key of "Auramenka")
        pairs = [(e.key, [(at.get(id(h)), counted(h, h.weight)) for h in e.halves]) for e in entries
                 if e.halves is not None and not e.variant and e.key in held_words
                 and min(h.weight for h in e.halves) > FUNCTION_WORD_WEIGHT]
        out: dict[int, float] = {}
        for alias_id in pool:
            held = keys.get(alias_id, ())
            got = [0.0] * len(words)
            for n, (key, weight, likes, liked, as_written, word_weight) in enumerate(words):
                if alias_id in as_written:
                    got[n] = word_weight
                    continue
                if key in held:
                    got[n] = weight
                    continue
                if not liked.isdisjoint(held):  # (else its best likeness is under _LIKE_FROM: nothing)
                    got[n] = max(map(likes.__getitem__, held)) * weight
            extra = 0.0
            for key, halves in pairs:
                if key in held:
                    for place, weight in halves:
                        if place is None:
                            extra += weight
                        else:
                            got[place] = weight
            out[alias_id] = sum(got) + extra
        return out

    def _far_votes(self, q: Queries, entries: list[Entry], votes: dict[int, float]) -> dict[int, float]:
        """A second pass, when no alias holds most of the mention's weight: the shortest aliases
        holding a near key too common to follow ("Faruk" for "Faruq" among a million aliases)
        together with the rarest of the name's other words ("Shami")."""
        words = [e for e in entries if e.halves is None and e.weight > FUNCTION_WORD_WEIGHT]
        if len(words) < 2 or not any(e.far for e in words):
            return {}
        if max(votes.values(), default=0.0) >= _STRONG * sum(e.weight for e in words):
            return {}
        out: dict[int, float] = {}
        for e in words:
            others = [o for o in words if o is not e]
            if not e.far or any(o.own is None for o in others):
                continue  # a word no alias holds: nothing holds them all
            vote = 0.6 * e.coarse_weight + sum(o.coarse_weight for o in others)
            rarest = sorted({o.own for o in others if o.own is not None}, key=lambda o: (o[1], o[0]))[:2]
            for far in e.far:
                ids = tuple(t for t, _ in sorted([far, *rarest], key=lambda o: (o[1], o[0])))
                held = self._holding.get(ids)
                if held is None:
                    held = self._holding.put(ids, q.shortest(ids, _COMMON_TOP, _INTERSECT_SCAN))
                for i in held:
                    out[i] = max(out.get(i, 0.0), vote)
        return out

    def _add_pooled(self, q: Queries, votes: dict[int, float], entries: list[Entry],
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
        joined = [e for e in entries
                  if e.halves is not None and not e.variant and all(h.own is not None for h in e.halves)]
        own_retrieved = any(e.votes for e in entries if e.halves is None and e.own is not None and not e.common)
        passing = count_passing(votes, floor)
        # the rarer words retrieved fewer aliases than are scored: a common word brings in its own
        # (a surname held by a few hundred aliases of a large store: "Chatayev" beside "Akhmet")
        thin = not own_retrieved or passing < MAX_CANDIDATES
        use_common = bool(common) and (thin or passing > MAX_CANDIDATES)
        pool: set[int] = set()
        # the best candidates so far: ranked by the common tokens they hold, and checked for pairs
        # of common tokens (only then are they needed: a pair with a rare half is found through it)
        best: list[int] = []
        if use_common or any(all(h.common for h in e.halves) for e in joined if e.halves is not None):
            best = best_by_votes(votes, floor, _PROBE)
        if use_common:
            pool.update(best)
            if thin and sum(e.coarse_weight for e in common) >= floor:
                # (aliases holding only common tokens cannot reach the floor the near keys set)
                # a legal form or a joining word ("Ltd", "of") is never what the name is found by
                words = [e for e in common if e.weight > FUNCTION_WORD_WEIGHT] or common
                pool.update(self._holding_all([e.own for e in words if e.own is not None], q))
        # who may hold each pair side by side: those holding both halves
        found = pool | set(best)
        pairs: list[tuple[Entry, set[int]]] = []
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
            weights[e.key] += e.coarse_weight
        keys = self._index.coarse_keys(q, pool)
        # (each common word's weight, in the order of the words: a set intersection per alias would
        # cost a set each, and add two words' weights in an order that varies with the hash seed)
        for key, weight in weights.items():
            for alias_id, held_keys in keys.items():
                if key in held_keys:
                    votes[alias_id] = votes.get(alias_id, 0.0) + weight
        bonus: dict[int, tuple[float, float]] = {}
        for e, held in pairs:
            assert e.halves is not None
            cap = max(h.weight for h in e.halves)
            # an alias can hold the pair side by side only if one of its keys ends the joined key
            # (the empty key too): one test in C turns away the others before the walk of its pairs
            ends = {e.key[n:] for n in range(len(e.key) + 1)}
            for alias_id in held:
                held_keys = keys[alias_id]
                if not ends.isdisjoint(held_keys) and _side_by_side(held_keys, e.key):
                    got, got_cap = bonus.get(alias_id, (0.0, 0.0))
                    bonus[alias_id] = (got + e.weight, got_cap + cap)
        return bonus

    def _holding_all(self, owns: list[tuple[int, int]], q: Queries) -> list[int]:
        """The shortest aliases holding the (up to three) rarest of these tokens, else fewer of them."""
        rarest = tuple(token_id for token_id, _ in sorted(set(owns), key=lambda o: (o[1], o[0]))[:3])
        if len(rarest) == 3 and rarest not in self._holding and rarest[:2] not in self._holding:
            # the three and (when they fall short) the first two from one scan (``Queries.shortest_nested``)
            all_three, first_two = q.shortest_nested(rarest, _COMMON_TOP, _INTERSECT_SCAN)
            self._holding.put(rarest, all_three)
            if first_two is not None:
                self._holding.put(rarest[:2], first_two)
        found: list[int] = []
        for n in range(len(rarest), 0, -1):
            held = self._holding.get(rarest[:n])
            if held is None:
                held = self._holding.put(rarest[:n], q.shortest(rarest[:n], _COMMON_TOP, _INTERSECT_SCAN))
            found += held
            if len(found) >= _COMMON_TOP:
                break
        return found

