"""Suggestions for a search box: entities for what a person has typed so far.

Two sources, in this order:

1. the resolver itself (:meth:`Resolver.resolve`), so a complete spelling finds its entity exactly
   as ``/resolve`` would ("Kadhimy", "Suleimani", "Khazaali");
2. prefixes, for a name still being typed: every query token but the last must be a token of the
   alias (same text or same transliteration skeleton), and the last must begin one of the alias's
   tokens, by its text or by its skeleton ("Sulei" reaches "Soleimani" through SLY-).

The prefix table is derived from the resolver's current index and rebuilt when the index is.
Lookups use binary search over sorted token lists: no scan over every alias.
"""

from __future__ import annotations

import bisect
import threading
import weakref
from dataclasses import dataclass

from resolver.matching.index import CandidateIndex
from resolver.matching.normalize import analyze
from resolver.resolve import Resolver
from resolver.results import EntityRef

__all__ = ["Suggestion", "suggest"]

#: shortest skeleton prefix that may reach a token (one or two consonants reach far too much)
_MIN_KEY_PREFIX = 3


@dataclass(frozen=True, slots=True)
class Suggestion:
    """An entity suggested for the text typed, with the alias that led to it and why."""

    entity: EntityRef
    alias: str
    score: float
    reason: str


class _PrefixTable:
    """Sorted (token text) and (token skeleton) lists over every alias of one index."""

    def __init__(self, index: CandidateIndex) -> None:
        self.revision = index.revision
        texts: list[tuple[str, int]] = []
        keys: list[tuple[str, int]] = []
        for i, alias in enumerate(index.aliases):
            for token in alias.tokens:
                texts.append((token.text, i))
                if token.key:
                    keys.append((token.key, i))
        texts.sort()
        keys.sort()
        self._texts, self._text_words = texts, [t for t, _ in texts]
        self._keys, self._key_words = keys, [k for k, _ in keys]

    @staticmethod
    def _starting(words: list[str], pairs: list[tuple[str, int]], prefix: str) -> set[int]:
        lo = bisect.bisect_left(words, prefix)
        hi = bisect.bisect_left(words, prefix + "\uffff")
        return {i for _, i in pairs[lo:hi]}

    def by_prefix(self, text: str, key: str) -> set[int]:
        found = self._starting(self._text_words, self._texts, text) if text else set()
        if len(key) >= _MIN_KEY_PREFIX:
            found |= self._starting(self._key_words, self._keys, key)
        return found


_tables: weakref.WeakKeyDictionary[Resolver, _PrefixTable] = weakref.WeakKeyDictionary()
_tables_lock = threading.Lock()


def _table(resolver: Resolver) -> _PrefixTable:
    """The prefix table of the resolver's current index (rebuilt when the index was)."""
    index = resolver.index
    with _tables_lock:
        table = _tables.get(resolver)
        if table is None or table.revision != index.revision:
            table = _PrefixTable(index)
            _tables[resolver] = table
        return table


def suggest(resolver: Resolver, text: str, *, type: str | None = None, limit: int = 10,
            offset: int = 0) -> list[Suggestion]:
    """Entities for ``text`` as typed so far, best first: resolver candidates, then prefix matches.

    Args:
        type: only entities of this type.
        limit, offset: the page of suggestions wanted.

    Raises:
        InvalidQuery: text too long or an unknown type (as :meth:`Resolver.resolve`).
    """
    text = text.strip()
    if not text:
        return []
    found: dict[str, Suggestion] = {}
    res = resolver.resolve(text, type=type, limit=min(100, limit + offset + 10))
    for c in res.candidates:
        found[c.entity.id] = Suggestion(c.entity, c.alias, c.score, c.explanation)
    index = resolver.index
    name = analyze(text)
    if name.tokens:
        head, last = name.tokens[:-1], name.tokens[-1]
        table = _table(resolver)
        ranked: list[tuple[tuple[int, int, int, str], Suggestion]] = []
        for i in table.by_prefix(last.text, last.key):
            alias = index.aliases[i]
            entity = index.entities.get(alias.entity_id)
            if entity is None or entity.id in found or (type is not None and entity.type != type):
                continue
            if not all(any(t.text == q.text or t.key == q.key for t in alias.tokens) for q in head):
                continue
            spelled = any(t.text.startswith(last.text) for t in alias.tokens)
            first = bool(head) or alias.tokens[0].text.startswith(last.text)
            reason = "starts like" if spelled else "sounds like"
            ranked.append(((0 if spelled else 1, 0 if first else 1, len(alias.text), alias.text),
                           Suggestion(entity, alias.text, 0.0, f"{reason} {alias.text!r}")))
        for _, s in sorted(ranked, key=lambda pair: pair[0]):
            found.setdefault(s.entity.id, s)
    return list(found.values())[offset:offset + limit]
