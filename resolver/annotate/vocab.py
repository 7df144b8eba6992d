"""The annotator's view of the store's vocabulary: which words of a text can be part of a name.

Built once per index revision.  :meth:`Vocabulary.known` is the cheap prefilter that lets the
annotator skip almost every word of a text with one dict lookup: a word is worth putting in a
candidate span only when its skeleton keys are in the index (or close to a key there, for a
capitalised word, which catches typos like "Soliemani"), or when it is an acronym the store holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from resolver.annotate.tokens import ACRONYM, HANDLE, LOWER, tokenize
from resolver.matching.normalize import TITLES, analyze, coarse

if TYPE_CHECKING:
    from resolver.matching.index import CandidateIndex

__all__ = ["NOT_NAMES", "TITLE_WORDS", "Vocabulary"]

def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: titles, honorifics and roles: a capitalised word of this list beside a name does not extend it
TITLE_WORDS = TITLES | _words(
    """
    adviser advisor secretary speaker leader chairman chairwoman head spokesperson envoy
    ambassador commissioner director officer official cleric analyst journalist
    """
)

#: capitalised words that are never part of a person's or group's name: a name beside one of
#: them is not "stretched" ("Kadhimi Tuesday", "In Baghdad")
NOT_NAMES = _words(
    """
    a an the and or but if as at by for from in into of on to with without under over after before
    since until while when where why how what who whom whose which that this these those there then
    so yet still also however meanwhile later earlier now today yesterday tomorrow tonight last next
    both some many most such all any each every no not nor despite although though because during
    his her its their our my your he she it they we you i me him them us
    pro anti ex non neo post pre mid
    is are was were be been has have had do does did will would can could shall should may might must
    can't cannot won't don't doesn't didn't isn't aren't wasn't weren't hasn't haven't hadn't
    says said tells told
    hence thus therefore instead indeed overall besides moreover furthermore meanwhile otherwise
    monday tuesday wednesday thursday friday saturday sunday
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec
    """
)


class Vocabulary:
    """Which words can belong to a name, the longest alias in words, and how aliases begin."""

    def __init__(self, index: CandidateIndex) -> None:
        self.index = index
        self._known: dict[str, bool] = {}
        self._vocabulary: dict[str, bool] = {}
        starts: set[tuple[str, str]] = set()
        longest = 1
        for alias in index.aliases:
            words = tokenize(alias.text).texts
            if words:
                longest = max(longest, len(words))
                starts.add((alias.entity_id, words[0].casefold()))
        #: (entity id, first word of one of its aliases, case-folded)
        self.alias_starts = frozenset(starts)
        #: the most tokens a candidate span may have
        self.max_tokens = longest
        person_keys: dict[str, set[str]] = {}
        for alias in index.aliases:
            if index.entities[alias.entity_id].type == "person":
                person_keys.setdefault(alias.entity_id, set()).update(coarse(t.key) for t in alias.tokens)
        self._person_keys = {k: frozenset(v) for k, v in person_keys.items()}

    def known(self, word: str, kind: int) -> bool:
        """True when ``word`` (a token of kind ``kind``) may be part of some alias: its skeletons are in the index."""
        found = self._known.get(word)
        if found is None:
            found = self._known[word] = self._lookup(word, kind)
        return found

    def _lookup(self, word: str, kind: int) -> bool:
        if kind == LOWER and len(word) <= 3:
            return True  # articles and particles inside names: al, bin, of, the
        index = self.index
        name = analyze(word)
        if name.normalized in index.by_normalized:
            return True
        if kind in (ACRONYM, HANDLE) and name.acronym is not None and name.acronym in index.by_acronym:
            return True
        if not name.tokens:
            return False
        for tok in name.tokens:
            if coarse(tok.key) in index.postings:
                continue
            # A handle is one word, so a typo in it ("@Soliemani") can only be looked up here;
            # a capitalised word known only up to a typo is the annotator's deferred case.
            if kind == HANDLE and len(tok.key) >= 4 and index.similar_keys(tok):
                continue
            return False
        return True

    def in_vocabulary(self, word: str) -> bool:
        """True when every token of ``word`` has its skeleton in the index (no fuzzy lookup)."""
        found = self._vocabulary.get(word)
        if found is None:
            name = analyze(word)
            found = bool(name.tokens) and all(coarse(t.key) in self.index.postings for t in name.tokens)
            self._vocabulary[word] = found
        return found

    def person_keys(self, entity_ids: Iterable[str]) -> frozenset[str]:
        """The coarse skeletons of the words of every alias of those entities that are people."""
        keys: set[str] = set()
        for entity_id in entity_ids:
            keys.update(self._person_keys.get(entity_id, ()))
        return frozenset(keys)

    def close_to(self, word: str, keys: frozenset[str]) -> bool:
        """True when a token of ``word`` is within a typo of one of ``keys`` (see :meth:`person_keys`)."""
        if not keys:
            return False
        return any(self.index.similar_keys(tok) & keys for tok in analyze(word).tokens)
