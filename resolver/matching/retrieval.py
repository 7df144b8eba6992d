"""Retrieval: which aliases of the store a mention's tokens bring in, best first.

Retrieval, for each token of a mention, rarest first: a token with a short postings list votes
for all of its aliases; a near key (a typo, another transliteration: "Soliemani", "Ouds") votes
for its short lists at 0.6; a common token adds its weight to the best candidates found so far
that hold it, and, when nothing rarer retrieved enough, brings in the shortest aliases holding
it (and the next common token).  Adjacent query tokens joined ("Gholam Reza" -> "Gholamreza")
are looked up at query time; the other way round ("Gholamreza" against an alias "Gholam Reza")
needs no key of its own, since scoring pairs whole tokens: the whole name is found by its flat
skeleton (``by_flat``), and a longer name through its other tokens; a legal form or joining word
joined with its neighbour ("Stock Company", "Co LLC") weighs no more than the two words.  When the
floor left out a name every word of which the mention holds, with its heaviest word ("Hasan
NASRALLAH" in "Hasan Abd-al-Karim NASRALLAH"), it takes one of the last two slots (one per entity not
yet listed); else, when the floor left out every alias holding the mention's heaviest word, two of
them take the last slots.  When more aliases pass the floor than are scored, the best 150 by votes
are ranked by likeness (60 left out an alias holding a common word and a spelling of the rare one,
"Oscar MELARBE", behind a hundred holding the rare word alone); in a store larger than the judge's
population the first two by votes keep a place.
The votes no postings list gives (common tokens, pairs side
by side, the likeness ranking, the second pass) are in :mod:`resolver.matching.votes`.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from typing import TYPE_CHECKING

from resolver.matching.index_views import Bounded, Recent, read_exact
from resolver.matching.normalize import NameKey, Token, coarse_flat
from resolver.matching.scoring import FUNCTION_WORD_WEIGHT
from resolver.matching.skeletons import coarse
from resolver.matching.votes import MAX_CANDIDATES, MAX_POSTINGS, Entry, Votes, best_by_votes, count_passing
from resolver.matching.word_similarity import keys_may_pair, may_be_glide
from resolver.store.postings import word_key
from resolver.store.reader import Queries

if TYPE_CHECKING:
    from resolver.matching.index import CandidateIndex, TokenRow

#: the same for a token reached through a near key; a longer list is not followed
_MAX_NEAR_POSTINGS = 100
#: of the near keys with longer lists, how many (the shortest) a second pass tries (see ``_far_votes``)
_FAR_KEYS = 1
#: a candidate whose shared weight is below this share of the best candidate's is not scored:
#: it cannot outscore the best one by enough to matter
_VOTE_SHARE = 0.35
#: how many of the aliases holding the mention's heaviest word take the last slots when none of them
#: passed the floor (see ``Retrieval._with_rarest``)
_RESERVED = 2
#: how many of the rarest word's shortest holders are read to find the names the mention holds whole
_WITHIN_SCAN = 50
#: when more aliases than are kept pass the floor, how many of them (by votes) are ranked by likeness
_RERANK_POOL = 150
#: of those, how many of the first by votes keep a place whatever their likeness (see ``candidates``)
_FIRST_BY_VOTES = 2


def _splits(key: str) -> list[tuple[str, str]]:
    """The ways a coarse key can be two words' coarse keys side by side, each of two letters or
    more: the first word's key may end in a Y, which joining drops (SFDN: SF DN, SFY DN)."""
    out = []
    for i in range(2, len(key) - 1):
        left, right = key[:i], key[i:]
        out += [(left, right), (left + "Y", right)]
    return out


def _largest(n: int, items: list[int], key: Callable[[int], tuple[float, ...]]) -> list[int]:
    """``heapq.nlargest(n, items, key)`` for keys that never tie (each ends in the alias id): a sort
    in C is faster until the items are several times more than ``n``, and gives the same list."""
    if len(items) <= 4 * n:
        return sorted(items, key=key, reverse=True)[:n]
    return heapq.nlargest(n, items, key=key)


def _add_votes(votes: dict[int, float], more: dict[int, float]) -> None:
    """``votes[i] = votes.get(i, 0.0) + vote`` for each ``(i, vote)`` of ``more``, in order: the same
    values and the same order of keys (the new ones appended in ``more``'s order), with a Python
    step only for the aliases in both (two dict updates in C do the rest)."""
    summed = {i: votes[i] + more[i] for i in votes.keys() & more.keys()}
    votes.update(more)
    votes.update(summed)


class Retrieval(Votes):
    """One index's retrieval: the entries of a mention's tokens and the candidates they vote for,
    with the two caches that belong to retrieval (entries per token, shortest holders per token set)."""

    def __init__(self, index: CandidateIndex) -> None:
        super().__init__(index)
        #: each query token's entry with its votes (read only once made); the least recently used
        #: goes when full (emptying the whole cache instead made a quarter of the SDN pass's entries again)
        self._entry_cache: Recent[tuple[str, str], Entry] = Recent(1024)
        #: the rarest word's shortest holders of at most a length (``_within``), per (token id, length)
        self._within_holders: Bounded[tuple[int, int], tuple[int, ...]] = Bounded(2_000)

    def entries(self, q: Queries, name: NameKey) -> list[Entry]:
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
        have = {(t.text, t.key): e for t in tokens if (e := cache.use((t.text, t.key))) is not None}
        fresh = [t for t in tokens if (t.text, t.key) not in have]
        similar = index.load_similar(q, [t.key for t in fresh]) if fresh else {}
        # (the fresh tokens' own rows were read with their near keys: cached, no statement)
        owns = index.load_tokens(q, {coarse(t.key) for t in fresh})
        # a word the store does not know may be two of its words written as one ("Safieddine")
        splits = {own: _splits(own) for t in fresh if owns[own := coarse(t.key)] is None and len(own) >= 4}
        # a word with a short coarse key is also looked up as written ("Lia" among the L words)
        words = {t: w for t in fresh if (w := word_key(t.text, coarse(t.key))) is not None}
        keys = {coarse(t.key) for _, t, _ in joined} | {k for t in fresh for k in similar[t.key]} | set(words.values())
        keys |= {k for pairs in splits.values() for pair in pairs for k in pair}
        rows = index.load_tokens(q, keys - owns.keys())  # the rest in one statement
        rows.update(owns)
        made: dict[tuple[str, str], Entry] = {}
        for t in fresh:
            own = coarse(t.key)
            e = made[(t.text, t.key)] = Entry(index.weight_of(t, rows[own]), own)
            if (row := rows[own]) is not None:
                e.own = (row[0], row[2])
            if t in words and (word := rows[words[t]]) is not None:
                e.word = (word[0], word[2])
                e.key_weight = e.weight
                e.weight = max(e.weight, index.weight_of(t, word))
            e.near_keys = frozenset(similar[t.key] - {own})  # (whether they pair: asked when needed)
            longer: list[tuple[int, int, str]] = []
            for k in sorted(e.near_keys):
                if (near := rows[k]) is not None:
                    if near[2] > _MAX_NEAR_POSTINGS:
                        longer.append((near[2], near[0], k))
                    elif keys_may_pair(own, k) or may_be_glide(t.text, own, k):
                        e.near.append(near[0])
            # (at a million aliases a word has hundreds of near keys: pairing is asked of the shortest only)
            for n, token_id, k in sorted(longer):
                if len(e.far) == _FAR_KEYS:
                    break
                if keys_may_pair(own, k) or may_be_glide(t.text, own, k):
                    e.far.append((token_id, n))
        new_joined: list[tuple[int, Entry]] = []
        word_entries = {**have, **made}
        for n, t, variant in joined:
            row = rows[coarse(t.key)]
            weight = index.weight_of(t, row)
            half_weights = [word_entries[(h.text, h.key)].weight for h in tokens[n:n + 2]]
            if min(half_weights) <= FUNCTION_WORD_WEIGHT:
                # a legal form or joining word beside a word says little of how the name is written:
                # "Stock Company" side by side, "Co LLC" read as the rare "Kulyk", weigh no more than
                # their two words ("Open Joint Stock Company" would outvote the name it qualifies)
                weight = min(weight, sum(half_weights))
            e = Entry(weight, coarse(t.key), variant=variant)
            if row is not None:
                e.own = (row[0], row[2])
            if not variant or (e.own is not None and not e.common):
                new_joined.append((n, e))
        todo = [*made.values(), *(e for _, e in new_joined)]
        short = {i for e in todo for i in e.near}
        short |= {e.own[0] for e in todo if e.own is not None and not e.common}
        short |= {e.word[0] for e in todo if e.word is not None and e.word[1] <= MAX_POSTINGS}
        halves = [(rows[a], rows[b]) for pairs in splits.values() for a, b in pairs]
        short |= {r[0] for pair in halves if None not in pair for r in pair if r is not None and r[2] <= MAX_POSTINGS}
        lists = index.load_postings(q, short) if short else {}
        for e in todo:
            weight = e.coarse_weight
            near_vote = 0.6 * weight
            for token_id in e.near:
                e.votes.update(dict.fromkeys(lists[token_id], near_vote))
            if e.own is not None and not e.common:
                e.own_list = lists[e.own[0]]
                e.votes.update(dict.fromkeys(e.own_list, weight))
            if e.word is not None and e.word[1] <= MAX_POSTINGS:
                # the aliases holding the word as written: its full weight
                e.word_list = lists[e.word[0]]
                e.votes.update(dict.fromkeys(e.word_list, e.weight))
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
            # (an alias without the second word cannot hold the pair: a test in C before the walk)
            found.update(i for i in ids if right in keys[i]
                         and any(x == left and y == right for x, y in itertools.pairwise(keys[i])))
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
                _add_votes(votes, e.votes)
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
        index = self._index
        exact, flat = read_exact(q, index.by_normalized, name.normalized, index.by_flat, coarse_flat(name.tokens))
        for i in exact:
            votes[i] = votes.get(i, 0.0) + 1000.0
        for i in flat:
            votes[i] = votes.get(i, 0.0) + 500.0
        if not votes:
            return []
        # Ties go to the older alias, so every process ranks alike whatever its hash seed.
        passing = count_passing(votes, floor)
        if passing > MAX_CANDIDATES:
            # too many to score: the most alike of the best by votes (among which ties went by age)
            pool = best_by_votes(votes, floor, _RERANK_POOL)
            near = self._likeness(q, entries, pool)
            kept = _largest(MAX_CANDIDATES, pool, lambda i: (votes[i] >= 500.0, near[i], votes[i], -i))
            if self._index.beyond_judge_population:
                # The likeness ranking counts each mention word an alias holds, not two of them held
                # side by side; above the judge's population (a pool of 150 full of look-alikes) the
                # aliases that hold the most of the mention by votes, pairs included, keep a place
                # ("Abdallah Asad TAHINI" for "Abdalla As'ad THINI", first by votes through the pair,
                # behind thirty "... al-Zayniyah" holding "Abdullah" and a word alike to "Thini").  Up
                # to that size retrieval stays what the judge was fitted on.
                first = [i for i in pool[:_FIRST_BY_VOTES] if i not in kept]
                kept = kept[:MAX_CANDIDATES - len(first)] + first
        else:
            kept = best_by_votes(votes, floor)
        return self._with_rarest(q, entries, votes, kept, floor)

    def _within(self, q: Queries, entries: list[Entry], votes: dict[int, float], kept: list[int],
                floor: float) -> list[int]:
        """Up to :data:`_RESERVED` aliases, not in ``kept``, that are the mention's own words in
        part: every word of the alias is a word of the mention, and the alias holds the mention's
        heaviest word the store knows ("Hasan NASRALLAH" in "Hasan Abd-al-Karim NASRALLAH",
        "Elena ZHIROVA" in "Elena Borisnova ZHIROVA").  The best by the mention's weight they hold,
        then the shortest.

        Such a name is read whole by the mention, yet at a million aliases the aliases holding two
        of the mention's other words side by side (an unseen pair weighs as an unseen word) or a
        near key of an unseen word set a floor above it."""
        words = [e for e in entries if e.halves is None and e.own is not None and e.weight > FUNCTION_WORD_WEIGHT]
        if not words:
            return []
        rarest = max(words, key=lambda e: e.weight)
        assert rarest.own is not None
        mention = {e.key: e.weight for e in entries if e.halves is None}
        size = sum(1 for e in entries if e.halves is None)
        kept_set = set(kept)
        # (one the floor let through and the likeness ranking left out was weighed already)
        read = self._within_holders.get((rarest.own[0], size))
        if read is None:
            # (a third of these reads in the SDN lookups were of a word and length read before)
            read = self._within_holders.put((rarest.own[0], size), tuple(q.holders(rarest.own[0], size, _WITHIN_SCAN)))
        holders = [i for i in read if i not in kept_set and votes.get(i, 0.0) < floor]
        if not holders:
            return []
        keys = self._index.coarse_keys(q, holders)
        # (two name words at least: one word in common is what every holder has)
        # (all() over a map in C: no generator frame for each of up to 50 holders)
        within = [i for i in holders if (k := keys.get(i)) and all(map(mention.__contains__, k))
                  and sum(mention[x] > FUNCTION_WORD_WEIGHT for x in set(k)) >= 2]
        if not within:
            return []
        # (the rows scoring reads next, read now: an entity already among the kept needs no slot)
        rows = {a.alias_id: a for a in self._index.alias_rows([*kept, *within])}
        listed = {rows[i].entity_id for i in kept if i in rows}
        within = [i for i in within if i in rows and rows[i].entity_id not in listed]
        best = sorted(within, key=lambda i: (sum(mention[k] for k in set(keys[i])), -len(keys[i]), -i), reverse=True)
        out: list[int] = []
        for i in best:  # one per entity
            if len(out) < _RESERVED and all(rows[o].entity_id != rows[i].entity_id for o in out):
                out.append(i)
        return out

    def _with_rarest(self, q: Queries, entries: list[Entry], votes: dict[int, float], kept: list[int],
                     floor: float) -> list[int]:
        """``kept``, and when no alias holding the mention's heaviest word is among them, the best
        (by votes, then the shortest) :data:`_RESERVED` of those aliases in the last slots.

        Pairs side by side and names held in full add to the votes, and with them to the floor: the
        rare word's own aliases ("Kairaba") may all fall under the floor that aliases holding the
        mention's other words side by side set ("Shopping Center"), though that word is what a name
        matcher is asked to find first."""
        within = self._within(q, entries, votes, kept, floor)
        if within:
            return kept[:MAX_CANDIDATES - len(within)] + within
        words = [e for e in entries
                 if e.halves is None and (e.own_list or e.word_list) and e.weight > FUNCTION_WORD_WEIGHT]
        if not words:
            return kept
        rarest = max(words, key=lambda e: e.weight)  # (entries are sorted, heaviest first: the first of equals)
        kept_set = set(kept)
        # (a word looked up as written: the aliases holding it so, whose weight it has)
        holders = rarest.word_list or rarest.own_list
        if any(i in kept_set for i in holders):
            return kept
        if len(holders) > _RESERVED:
            last = heapq.nlargest(_RESERVED, (votes.get(i, 0.0) for i in holders))[-1]
            holders = tuple(i for i in holders if votes.get(i, 0.0) >= last)  # (lengths read for these only)
        keys = self._index.coarse_keys(q, holders)
        reserved = _largest(_RESERVED, list(holders), lambda i: (votes.get(i, 0.0), -len(keys.get(i, ())), -i))
        return kept[:MAX_CANDIDATES - len(reserved)] + reserved
