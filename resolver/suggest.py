"""Suggestions for a search box: entities for what a person has typed so far.

Two sources, in this order:

1. the resolver itself (:meth:`Resolver.resolve`), so a complete spelling finds its entity exactly
   as ``/resolve`` would ("Kadhimy", "Suleimani", "Khazaali");
2. prefixes, for a name still being typed: every query token but the last must be a token of the
   alias (same text or same transliteration skeleton), and the last must begin one of the alias's
   tokens, by its text or by its skeleton ("Sulei" reaches "Soleimani" through SLY-).

Prefixes are range scans over indexed columns of the store (aliases' normalized forms, the index's
token vocabulary), never a pass over every alias.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from resolver.matching.normalize import Token, analyze
from resolver.resolve import Resolver
from resolver.results import EntityRef
from resolver.store.models import AliasRow, PostingRow, TokenRow

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


#: at most this many vocabulary tokens, and aliases, are read for one prefix
_MAX_TOKENS = 500
_MAX_ALIASES = 300


def _prefix_aliases(resolver: Resolver, normalized: str, last: Token) -> list[int]:
    """Ids of aliases that may continue what was typed: by normalized text, or by the last token's skeleton.

    Both are range scans over indexed columns (the alias's normalized form, the store's token
    vocabulary): nothing reads every alias.
    """
    found: list[int] = []
    with resolver.store.engine.connect() as conn:
        if normalized:
            found += conn.execute(
                select(AliasRow.id).where(AliasRow.normalized >= normalized,
                                          AliasRow.normalized < normalized + "\uffff")
                .order_by(AliasRow.normalized).limit(_MAX_ALIASES)
            ).scalars()
        if len(last.key) >= _MIN_KEY_PREFIX:
            # The vocabulary is keyed by coarse skeletons, which drop a medial Y ("SLY" of "Sulei"
            # is "SL" there): read that wider range, then keep the tokens whose fine key fits.
            stem = last.key.replace("Y", "")
            tokens = select(TokenRow.id).where(TokenRow.key >= stem, TokenRow.key < stem + "\uffff", TokenRow.n > 0)
            found += conn.execute(
                select(PostingRow.alias_id).where(PostingRow.token_id.in_(tokens.limit(_MAX_TOKENS).scalar_subquery()))
                .order_by(PostingRow.size, PostingRow.alias_id).limit(_MAX_ALIASES)
            ).scalars()
    return list(dict.fromkeys(found))


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
        ranked: list[tuple[tuple[int, int, int, str], Suggestion]] = []
        for i in _prefix_aliases(resolver, name.normalized, last):
            try:
                alias = index.aliases[i]
                entity = index.entities[alias.entity_id]
            except KeyError:
                continue  # removed meanwhile, or an alias of a merged entity
            if entity.id in found or (type is not None and entity.type != type):
                continue
            if not any(t.text.startswith(last.text) or t.key.startswith(last.key) for t in alias.tokens):
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
