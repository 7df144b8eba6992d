"""Scores a mention's tokens against one alias's tokens; every score in [0, 1] comes with a reason.

Works on skeletons already computed by :mod:`resolver.normalize` (rapidfuzz gets ``processor=None``
input).  Token similarity is graded: the same fine skeleton, the same coarse skeleton
(cross-script), the same loose skeleton (K/Q, D/Z confusions), then an edit distance over the
loose skeleton.  Alias similarity is an IDF-weighted alignment of the two token sets, with
partial-name credit when one side is contained in the other and still holds the surname.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from .normalize import Token, coarse, loose

__all__ = ["Score", "score_alias", "token_similarity"]

#: token similarity below this counts as no match at all
_TOKEN_FLOOR = 0.6


@dataclass(frozen=True, slots=True)
class Score:
    """A similarity in [0, 1] with the rule that produced it."""

    value: float
    reason: str


@lru_cache(maxsize=262144)
def _key_similarity(qk: str, ak: str) -> tuple[float, str]:
    if qk == ak:
        return 1.0, "skeleton"
    cq, ca = coarse(qk), coarse(ak)
    if cq == ca:
        return 0.93, "coarse skeleton"
    lq, la = loose(cq), loose(ca)
    if lq == la:
        return 0.88, "confusable letters"
    if min(len(lq), len(la)) < 3:
        return 0.0, ""
    s = Levenshtein.normalized_similarity(lq, la, processor=None)
    if s < 0.75:
        return 0.0, ""
    return 0.85 * s, "fuzzy skeleton"


def token_similarity(q: Token, a: Token) -> tuple[float, str]:
    """How alike two tokens are, and why: 1.0 for the same spelling, lower down the ladder."""
    if q.text == a.text:
        return 1.0, "exact"
    sim, why = _key_similarity(q.key, a.key)
    if sim == 1.0 and not (q.arabic or a.arabic):
        return 0.97, why  # same skeleton, other spelling: Kazemi/Kadhimi
    return sim, why


def score_alias(
    query: Sequence[Token], alias: Sequence[Token], weight: Callable[[Token], float]
) -> Score:
    """Similarity of a mention to one alias: an IDF-weighted one-to-one token alignment.

    Args:
        query: the mention's tokens.
        alias: the alias's tokens.
        weight: IDF weight of a token.

    Returns:
        The score and a short explanation naming the rule that decided it.
    """
    if not query or not alias:
        return Score(0.0, "")
    pairs: list[tuple[float, int, int, str]] = []
    for i, q in enumerate(query):
        for j, a in enumerate(alias):
            sim, why = token_similarity(q, a)
            if sim >= _TOKEN_FLOOR:
                pairs.append((sim, i, j, why))
    pairs.sort(reverse=True)
    q_best = [0.0] * len(query)
    a_best = [0.0] * len(alias)
    reasons: set[str] = set()
    for sim, i, j, why in pairs:
        if q_best[i] or a_best[j]:
            continue
        q_best[i], a_best[j] = sim, sim
        reasons.add(why)
    wq = [weight(t) for t in query]
    wa = [weight(t) for t in alias]
    cq = sum(w * s for w, s in zip(wq, q_best)) / sum(wq)
    ca = sum(w * s for w, s in zip(wa, a_best)) / sum(wa)
    full = (cq + ca) / 2
    reason = "+".join(sorted(reasons)) or "no shared token"
    best, how = full, "full name"
    # Partial names: one side inside the other, and the longer side's last token (the surname,
    # or an organisation's head word) is among those matched.
    if len(query) < len(alias) and a_best[-1] >= 0.85 and min(q_best) >= 0.85:
        partial = cq * (0.8 + 0.2 * ca)
        if partial > best:
            best, how = partial, "partial name"
    elif len(alias) < len(query) and q_best[-1] >= 0.85 and min(a_best) >= 0.85:
        partial = ca * (0.8 + 0.2 * cq)
        if partial > best:
            best, how = partial, "name inside a longer one"
    return Score(round(min(best, 1.0), 4), f"{how}: {reason}")
