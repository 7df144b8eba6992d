"""Retrieval: which aliases of the store a mention's tokens bring in, best first.

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
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rapidfuzz.distance import Levenshtein

from resolver.matching.index_views import Bounded
from resolver.matching.normalize import NameKey, Token, coarse, coarse_flat, loose
from resolver.matching.scoring import FUNCTION_WORD_WEIGHT, keys_may_pair
from resolver.store.reader import Queries

if TYPE_CHECKING:
    from resolver.matching.index import CandidateIndex, TokenRow

#: a token with at most this many postings retrieves every one of its aliases
_MAX_POSTINGS = 200
#: the same for a token reached through a near key; a longer list is not followed
_MAX_NEAR_POSTINGS = 100
#: of the near keys with longer lists, how many (the shortest) a second pass tries (see ``_far_votes``)
_FAR_KEYS = 1
#: the second pass runs when no alias holds this share of the mention's weight
_STRONG = 0.75
#: a common token brings in at most this many new aliases (the shortest that hold it)
_COMMON_TOP = 100
#: when common tokens are intersected, how many of the rarest one's aliases (the shortest) are tried
_INTERSECT_SCAN = 2000
#: how many of the best candidates so far are ranked by the common tokens they hold
_PROBE = 1000
#: how many candidates, ranked by shared token weight, go on to full scoring
_MAX_CANDIDATES = 30
#: a candidate whose shared weight is below this share of the best candidate's is not scored:
#: it cannot outscore the best one by enough to matter
_VOTE_SHARE = 0.35
#: when more aliases than are kept pass the floor, how many of them (by votes) are ranked by likeness
_RERANK_POOL = 60
#: a query token counts towards an alias's likeness from this similarity (of loose skeletons) on
_LIKE_FROM = 0.5


@dataclass(slots=True)
class _Entry:
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
    halves: tuple[_Entry, _Entry] | None = None
    own_list: tuple[int, ...] = ()  # the own key's postings, when it is not common
    votes: dict[int, float] = field(default_factory=dict)
    #: two adjacent tokens joined without the second one's leading vowel ("Vakil Abad" -> WKLBD):
    #: it votes through its own postings only, never as a pair held side by side
    variant: bool = False

    @property
    def common(self) -> bool:
        return self.own is not None and self.own[1] > _MAX_POSTINGS


def _side_by_side(keys: tuple[str, ...], joined: str) -> bool:
    """Whether an alias with these coarse token keys holds two adjacent tokens whose fine keys,
    joined, have the coarse key ``joined`` (the two tokens of the query side by side, or spelt
    as one word in the alias's neighbours: "Gholam Reza").

    Joining two fine keys and taking the coarse key is the first one's key without any Y
    followed by the second one's coarse key, so the fine keys are not needed.
    """
    return any(a.replace("Y", "") + b == joined for a, b in itertools.pairwise(keys))


@functools.lru_cache(maxsize=65536)
def _like(a: str, b: str) -> float:
    """The likeness of two coarse keys: 0 for two short ones that differ, else the edit
    similarity, loose skeletons equal counting as one edit."""
    if min(len(a), len(b)) <= 2:
        return 0.0
    if loose(a) == loose(b):
        return 1.0 - 1.0 / max(len(a), len(b))
    return Levenshtein.normalized_similarity(a, b)


def _splits(key: str) -> list[tuple[str, str]]:
    """The ways a coarse key can be two words' coarse keys side by side, each of two letters or
    more: the first word's key may end in a Y, which joining drops (SFDN: SF DN, SFY DN)."""
    out = []
    for i in range(2, len(key) - 1):
        left, right = key[:i], key[i:]
        out += [(left, right), (left + "Y", right)]
    return out


class Retrieval:
    """One index's retrieval: the entries of a mention's tokens and the candidates they vote for,
    with the two caches that belong to retrieval (entries per token, shortest holders per token set)."""

    def __init__(self, index: CandidateIndex) -> None:
        self._index = index
        #: the shortest aliases holding a few common tokens (see ``_holding_all``)
        self._holding: Bounded[tuple[int, ...], list[int]] = Bounded(2_000)
        #: each query token's entry with its votes (read only once made)
        self._entry_cache: Bounded[tuple[str, str], _Entry] = Bounded(1024)

    def entries(self, q: Queries, name: NameKey) -> list[_Entry]:
        """Each query token's entry, with its votes (cached per token: names share words)."""
        index = self._index
        tokens = name.tokens
        # adjacent tokens as one word: "Gholam Reza" -> GLMRZ; and, where the second one starts
        # with a vowel, without it, as the word's own key would be ("Vakil Abad" -> WKLBD)
        joined: list[tuple[int, Token, bool]] = []
        for n, (a, b) in enumerate(itertools.pairwise(tokens)):
            joined.append((n, Token(a.text + b.text, a.key + b.key, a.arabic), False))
            if len(b.key) >= 3 and b.key[0] == "A":
                joined.append((n, Token(a.text + b.text, a.key + b.key[1:], a.arabic), True))
        cache = self._entry_cache
        have = {(t.text, t.key): e for t in tokens if (e := cache.get((t.text, t.key))) is not None}
        fresh = [t for t in tokens if (t.text, t.key) not in have]
        similar = index.load_similar(q, [t.key for t in fresh]) if fresh else {}
        keys = {coarse(t.key) for t in fresh} | {coarse(t.key) for _, t, _ in joined}
        keys |= {k for t in fresh for k in similar[t.key]}
        rows = index.load_tokens(q, keys)
        # a word the store does not know may be two of its words written as one ("Safieddine")
        splits = {own: _splits(own) for t in fresh if rows[own := coarse(t.key)] is None and len(own) >= 4}
        if splits:
            rows.update(index.load_tokens(q, {k for pairs in splits.values() for pair in pairs for k in pair}))
        made: dict[tuple[str, str], _Entry] = {}
        for t in fresh:
            own = coarse(t.key)
            e = made[(t.text, t.key)] = _Entry(index.weight_of(t, rows[own]), own)
            if (row := rows[own]) is not None:
                e.own = (row[0], row[2])
            e.near_keys = frozenset(similar[t.key] - {own})  # (whether they pair: asked when needed)
            longer: list[tuple[int, int, str]] = []
            for k in sorted(e.near_keys):
                if (near := rows[k]) is not None:
                    if near[2] > _MAX_NEAR_POSTINGS:
                        longer.append((near[2], near[0], k))
                    elif keys_may_pair(own, k):
                        e.near.append(near[0])
            # (at a million aliases a word has hundreds of near keys: pairing is asked of the shortest only)
            for n, token_id, k in sorted(longer):
                if len(e.far) == _FAR_KEYS:
                    break
                if keys_may_pair(own, k):
                    e.far.append((token_id, n))
        new_joined: list[tuple[int, _Entry]] = []
        for n, t, variant in joined:
            row = rows[coarse(t.key)]
            e = _Entry(index.weight_of(t, row), coarse(t.key), variant=variant)
            if row is not None:
                e.own = (row[0], row[2])
            if not variant or (e.own is not None and not e.common):
                new_joined.append((n, e))
        todo = [*made.values(), *(e for _, e in new_joined)]
        short = {i for e in todo for i in e.near}
        short |= {e.own[0] for e in todo if e.own is not None and not e.common}
        halves = [(rows[a], rows[b]) for pairs in splits.values() for a, b in pairs]
        short |= {r[0] for pair in halves if None not in pair for r in pair if r is not None and r[2] <= _MAX_POSTINGS}
        lists = index.load_postings(q, short) if short else {}
        for e in todo:
            near_vote = 0.6 * e.weight
            for token_id in e.near:
                e.votes.update(dict.fromkeys(lists[token_id], near_vote))
            if e.own is not None and not e.common:
                e.own_list = lists[e.own[0]]
                e.votes.update(dict.fromkeys(e.own_list, e.weight))
        for t in fresh:
            if (own := coarse(t.key)) in splits:
                e = made[(t.text, t.key)]
                e.votes.update(dict.fromkeys(self._split_holders(q, splits[own], rows, lists), e.weight))
        for token_key, e in made.items():
            cache.put(token_key, e)
        have.update(made)
        entries = [have[(t.text, t.key)] for t in tokens]
        for n, e in new_joined:
            e.halves = (entries[n], entries[n + 1])
        return entries + [e for _, e in new_joined]

    def _split_holders(self, q: Queries, pairs: list[tuple[str, str]], rows: dict[str, TokenRow | None],
                       lists: dict[int, tuple[int, ...]]) -> set[int]:
        """The aliases holding, side by side, the two words of one of these splits of a key (one
        of the two with a short postings list, the other found among its aliases' words)."""
        found: set[int] = set()
        for left, right in pairs:
            a, b = rows[left], rows[right]
            if a is None or b is None:
                continue
            shorter = [lists[r[0]] for r in (a, b) if r[0] in lists]
            if not shorter:
                continue  # both common: what holds them side by side is not worth a scan
            ids = set(shorter[0]).intersection(*shorter[1:])
            keys = self._index.coarse_keys(q, ids)
            found.update(i for i in ids if any(x == left and y == right for x, y in itertools.pairwise(keys[i])))
        return found

    def candidates(self, q: Queries, name: NameKey) -> list[int]:
        """Aliases worth scoring for a name, best-first by the IDF weight of the tokens they share."""
        entries = self.entries(q, name) if name.tokens else []
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
            for i, vote in self._far_votes(q, entries, votes).items():
                votes[i] = max(votes.get(i, 0.0), vote)
            floor = max(votes.values(), default=0.0) * _VOTE_SHARE
        for i in self._index.by_normalized.read(q, name.normalized):
            votes[i] = votes.get(i, 0.0) + 1000.0
        for i in self._index.by_flat.read(q, coarse_flat(name.tokens)):
            votes[i] = votes.get(i, 0.0) + 500.0
        if not votes:
            return []
        # Ties go to the older alias, so every process ranks alike whatever its hash seed.
        kept = [i for i, v in votes.items() if v >= floor]
        if len(kept) > _MAX_CANDIDATES:
            # too many to score: the most alike of the best by votes (among which ties went by age)
            pool = heapq.nlargest(_RERANK_POOL, kept, key=lambda i: (votes[i], -i))
            near = self._likeness(q, entries, pool)
            return heapq.nlargest(_MAX_CANDIDATES, pool, key=lambda i: (votes[i] >= 500.0, near[i], votes[i], -i))
        kept.sort(key=lambda i: (-votes[i], i))
        return kept

    def _likeness(self, q: Queries, entries: list[_Entry], pool: list[int]) -> dict[int, float]:
        """How much of the mention's weight each alias's words hold, a word that is not held
        counting by its best likeness to one of the alias's words ("Pains" in "Pan Victoire"):
        the order in which the aliases that pass the floor are kept, when they are too many."""
        words = [(e.key, e.weight, e.near_keys) for e in entries if e.halves is None]
        keys = self._index.coarse_keys(q, pool)
        out: dict[int, float] = {}
        for alias_id in pool:
            held = keys.get(alias_id, ())
            total = 0.0
            for key, weight, near in words:
                if key in held:
                    total += weight
                    continue
                # as a near key the scorer could pair votes
                best = 0.6 if any(keys_may_pair(key, k) for k in near.intersection(held)) else 0.0
                for other in held:
                    best = max(best, _like(key, other))
                if best >= _LIKE_FROM:
                    total += best * weight
            out[alias_id] = total
        return out

    def _far_votes(self, q: Queries, entries: list[_Entry], votes: dict[int, float]) -> dict[int, float]:
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
            vote = 0.6 * e.weight + sum(o.weight for o in others)
            rarest = sorted({o.own for o in others if o.own is not None}, key=lambda o: (o[1], o[0]))[:2]
            for far in e.far:
                ids = tuple(t for t, _ in sorted([far, *rarest], key=lambda o: (o[1], o[0])))
                held = self._holding.get(ids)
                if held is None:
                    held = self._holding.put(ids, q.shortest(ids, _COMMON_TOP, _INTERSECT_SCAN))
                for i in held:
                    out[i] = max(out.get(i, 0.0), vote)
        return out

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
        joined = [e for e in entries
                  if e.halves is not None and not e.variant and all(h.own is not None for h in e.halves)]
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
        keys = self._index.coarse_keys(q, pool)
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

