"""CandidateIndex: blocking structures built from the store's rows, so a lookup never scans all aliases.

It is derived state only: built from :meth:`AliasStore.index_rows`, never edited in place, and
rebuilt whole when the store's revision moves.  Tokens are indexed by their coarse skeleton;
a deletion neighbourhood over the looser skeleton finds typo'd and OCR-mangled tokens
("Soliemani", "Ouds") without comparing against the whole vocabulary.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from resolver.matching.normalize import NameKey, Token, coarse, coarse_flat, is_arabic, loose
from resolver.matching.places import place_of
from resolver.matching.scoring import FUNCTION_WORD_WEIGHT
from resolver.results import EntityRef
from resolver.store.store import IndexRow

__all__ = ["CandidateIndex", "IndexedAlias"]

#: a token whose postings list is longer than this only scores, it does not retrieve
_MAX_POSTINGS = 200
#: the same for a token reached through a near key
_MAX_NEAR_POSTINGS = 100
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
        return self.acronym is not None and sum(c.isalpha() for c in self.acronym) <= 4 and len(self.tokens) <= 1


def _tokens(normalized: str, keys: str) -> tuple[Token, ...]:
    if not normalized:
        return ()
    texts, fine = normalized.split(" "), keys.split(" ")
    if len(texts) != len(fine):  # written by a different normaliser; rekeying fixes it on open
        return ()
    return tuple(Token(t, k, is_arabic(t)) for t, k in zip(texts, fine, strict=True))


def _deletions(key: str) -> set[str]:
    out = {key}
    if len(key) >= 3:
        out.update(key[:i] + key[i + 1 :] for i in range(len(key)))
    return out


class CandidateIndex:
    """Token, skeleton and acronym lookups over every alias of a store at one revision."""

    def __init__(self, revision: int, rows: Iterable[IndexRow], entities: dict[str, tuple[str, str]]) -> None:
        self.revision = revision
        self.entities = {i: EntityRef(i, name, type) for i, (name, type) in entities.items()}
        self.aliases: list[IndexedAlias] = []
        self.by_normalized: dict[str, list[int]] = defaultdict(list)
        self.by_flat: dict[str, list[int]] = defaultdict(list)
        self.by_acronym: dict[str, list[int]] = defaultdict(list)
        self.postings: dict[str, list[int]] = defaultdict(list)
        self._neighbours: dict[str, set[str]] = defaultdict(set)
        entity_keys: dict[str, set[str]] = defaultdict(set)
        #: the countries each entity's aliases name ("Iraqi Ministry of Interior" -> IQ)
        self.entity_places: dict[str, set[str]] = defaultdict(set)
        for alias_id, entity_id, text, normalized, keys, acronym, kind in rows:
            if entity_id not in self.entities:
                continue
            alias = IndexedAlias(alias_id, entity_id, text, normalized, _tokens(normalized, keys), acronym, kind)
            i = len(self.aliases)
            self.aliases.append(alias)
            if alias.acronym:
                self.by_acronym[alias.acronym].append(i)
            if alias.acronym_only:
                continue
            if normalized:
                self.by_normalized[normalized].append(i)
                self.by_flat[alias.flat].append(i)
            seen: set[str] = set()
            for tok in alias.tokens:
                if (place := place_of(tok.text)) is not None:
                    self.entity_places[entity_id].add(place)
                key = coarse(tok.key)
                if key and key not in seen:
                    seen.add(key)
                    self.postings[key].append(i)
                    entity_keys[key].add(entity_id)
            # Adjacent tokens joined: "Gholam Reza" is found from "Gholamreza".
            for a, b in itertools.pairwise(alias.tokens):
                joined = coarse(a.key + b.key)
                if joined not in seen:
                    seen.add(joined)
                    self.postings[joined].append(i)
        n = max(len(self.entities), 1)
        self.idf = {k: math.log(1 + n / len(v)) for k, v in entity_keys.items()}
        self.max_idf = math.log(1 + n / 0.5)
        self._loose = {key: loose(key) for key in self.postings}
        for key, lk in self._loose.items():
            for variant in _deletions(lk):
                self._neighbours[variant].add(key)
        self._similar: dict[str, set[str]] = {}
        self._votes_cache: dict[tuple[str, str, bool], tuple[float, dict[int, float], list[int] | None]] = {}
        #: each alias's token weights, computed once here rather than per lookup
        self.alias_weights: list[tuple[float, ...]] = [tuple(self.weight(t) for t in a.tokens) for a in self.aliases]

    def __len__(self) -> int:
        return len(self.aliases)

    @staticmethod
    def is_legal_form(token: Token) -> bool:
        """A word that says "this is a company" (Ltd, OOO, Sirketi): no person's name holds one."""
        return len(token.text) > 2 and token.text in _LEGAL_FORMS

    def weight(self, token: Token) -> float:
        """IDF weight of a token: rare surnames count, "Muhammad" and "Company" barely do.

        The IDF is squared so that a shared rare token outweighs several shared common ones.
        """
        if token.text in _FUNCTION_WORDS or token.text in _LEGAL_FORMS:
            return FUNCTION_WORD_WEIGHT
        w = self.idf.get(coarse(token.key), self.max_idf)
        return w * w

    def similar_keys(self, token: Token) -> set[str]:
        """Vocabulary keys within about one edit of the token's loose skeleton."""
        found = self._similar.get(token.key)
        if found is None:
            if len(self._similar) > 100_000:
                self._similar.clear()
            found = self._similar[token.key] = self._similar_keys(token.key)
        return found

    def _similar_keys(self, fine: str) -> set[str]:
        key = coarse(fine)
        found = {key} if key in self.postings else set()
        lk = loose(key)
        if len(lk) >= 4:
            for variant in _deletions(lk):
                found.update(k for k in self._neighbours.get(variant, ()) if abs(len(self._loose[k]) - len(lk)) <= 1)
        else:
            # Short skeletons only meet their loose equals: one edit in three letters is another name.
            found.update(k for k in self._neighbours.get(lk, ()) if self._loose[k] == lk)
        return found

    def _token_votes(self, token: Token, joined: bool) -> tuple[float, dict[int, float], list[int] | None]:
        """One query token's votes: its weight, alias -> vote, and its posting if too common to retrieve.

        A near key (a typo, another transliteration) counts less than the same key, and only
        retrieves when it is not a common token.  Cached per token: names share words.
        """
        cache_key = (token.text, token.key, joined)
        found = self._votes_cache.get(cache_key)
        if found is not None:
            return found
        if len(self._votes_cache) > 4096:
            self._votes_cache.clear()
        w = self.weight(token)
        own = coarse(token.key)
        postings = self.postings
        keys = ({own} & postings.keys()) if joined else self.similar_keys(token)
        token_votes: dict[int, float] = {}
        near = 0.6 * w
        for key in sorted(keys):  # a fixed order: set order changes with the hash seed
            if key != own:
                posting = postings[key]
                if len(posting) <= _MAX_NEAR_POSTINGS:
                    token_votes.update(dict.fromkeys(posting, near))
        skipped = None
        own_posting = postings.get(own)
        if own_posting is not None:
            if len(own_posting) > _MAX_POSTINGS:
                skipped = own_posting
            else:
                token_votes.update(dict.fromkeys(own_posting, w))
        found = self._votes_cache[cache_key] = (w, token_votes, skipped)
        return found

    def candidates(self, name: NameKey) -> list[int]:
        """Aliases worth scoring for a name, best-first by the IDF weight of the tokens they share."""
        tokens = name.tokens
        entries = [self._token_votes(t, False) for t in tokens]
        entries += [self._token_votes(Token(a.text + b.text, a.key + b.key, a.arabic), True)
                    for a, b in itertools.pairwise(tokens)]
        # Heaviest tokens first: once the weight still to come cannot lift a new alias to the
        # pruning floor, lighter tokens only add to the aliases already found (a set
        # intersection, not a walk down a long posting list).
        entries.sort(key=lambda e: -e[0])
        remaining = sum(w for w, tv, _ in entries if tv)
        votes: dict[int, float] = {}
        best = 0.0
        for w, token_votes, _ in entries:
            if not token_votes:
                continue
            if not votes:
                votes = dict(token_votes)
            elif remaining < _VOTE_SHARE * best:
                for i in votes.keys() & token_votes.keys():
                    votes[i] += token_votes[i]
            else:
                get = votes.get
                for i, vote in token_votes.items():
                    votes[i] = get(i, 0.0) + vote
            remaining -= w
            best = max(best, max(token_votes.values()))
        if not votes:
            skipped = [(w, posting) for w, _, posting in entries if posting is not None]
            if skipped:
                w, posting = max(skipped, key=lambda s: s[0])
                votes = dict.fromkeys(posting[:_MAX_POSTINGS], w)
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
