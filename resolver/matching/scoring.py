"""Scores a mention's tokens against one alias's tokens; every score in [0, 1] comes with a reason.

Alias similarity is an IDF-weighted alignment of the two token sets, with partial-name credit
when one side is contained in the other and still holds the surname.  The similarity of two
words is :mod:`resolver.matching.word_similarity`'s ladder.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from operator import mul

from rapidfuzz import process
from rapidfuzz.distance import OSA

from resolver.matching.normalize import Token, coarse_flat
from resolver.matching.skeletons import without_glide
from resolver.matching.word_similarity import (
    ALONE_CAP,
    JOINED,
    JOINED_MIN_LETTERS,
    NAME_FORMS,
    RULED_OUT,
    RULED_OUT_LIMIT,
    TOKEN_FLOOR,
    key_forms,
    text_similarity,
)
from resolver.matching.words import COMMON_GIVEN_NAMES, ORG_TYPES

__all__ = ["FUNCTION_WORD_WEIGHT", "MentionScorer", "Score", "score_alias"]


#: the weight of a word that joins or qualifies a name and identifies nothing ("of", "Ltd")
FUNCTION_WORD_WEIGHT = 0.05


# (not frozen: one is made per candidate of every lookup, and a frozen dataclass sets each field through
# object.__setattr__ at three times the cost; none is changed once made)
@dataclass(slots=True)
class Score:
    """A similarity in [0, 1] with the rule that produced it, and how much of the mention's weight
    the alias reads (``cover``: each mention word's weight times its similarity to the alias word
    paired with it, over the mention's weight; 1.0 for an exact name, 0.0 where the rules cap
    the pair).  The score weighs both names; ``cover`` tells which alias reads more of the mention
    where the score sees two names alike ("Noel Timothy HEATH" and "Abu Mohamed Al Nail" for "Noel
    Heath ZAMBA")."""

    value: float
    reason: str
    cover: float = 0.0



def score_alias(
    query: Sequence[Token],
    alias: Sequence[Token],
    weight: Callable[[Token], float],
    *,
    partial: bool = True,
    query_weights: Sequence[float] | None = None,
    alias_weights: Sequence[float] | None = None,
    same_flat: bool | None = None,
) -> Score:
    """Similarity of a mention to one alias: an IDF-weighted one-to-one token alignment.

    Args:
        query: the mention's tokens.
        alias: the alias's tokens.
        weight: IDF weight of a token.
        query_weights, alias_weights: the tokens' weights when the caller has them already.
        same_flat: whether both names have the same skeleton once spaces go, when the caller
            knows it already (from the index).
        partial: give credit to a person's partial name (a surname alone, or a full name with
            middle names the alias lacks).  Organisations and places get none: "Hezbollah" is
            not "Kata'ib Hezbollah", "Sadr" is not "Sadr City".

    Returns:
        The score and a short explanation naming the rule that decided it.

    To score one mention against many aliases, :class:`MentionScorer` gives the same scores
    for less work.
    """
    if not query or not alias:
        return Score(0.0, "")
    wq = query_weights if query_weights is not None else [weight(t) for t in query]
    wa = alias_weights if alias_weights is not None else [weight(t) for t in alias]
    scorer = MentionScorer(query, wq)
    scorer.prepare([alias])
    return scorer.score(alias, wa, partial=partial, same_flat=same_flat)


#: how alike, by edit similarity of the written letters, a word and two words written together must be
_JOINED_SPELLING = 0.8
#: a little under the ladder's cut-off of 0.8 on an edit similarity (see :meth:`MentionScorer.prepare`)
_MAYBE = 0.79

Row = tuple[tuple[int, float, str, bool], ...]
"""For one alias word: (mention word position, similarity, rule, same letters) of each mention word
that pairs with it (similarity at least the floor)."""


class MentionScorer:
    """:func:`score_alias` for one mention against the aliases the index retrieved for it.

    :meth:`prepare` compares every mention word with every distinct word of those aliases at
    once: the token ladder gives a pair either nothing (0.0) or at least the floor, and it gives
    more only when the two coarse skeletons, or the two spellings, are at least 0.8 alike by
    edit similarity, or the loose skeletons are equal; rapidfuzz finds those few pairs among all
    of them in one pass per mention word, and only they climb the ladder.  The pairs ruled out
    are remembered as nothing (:func:`~resolver.matching.word_similarity.token_similarity`
    answers them without the ladder).
    Same scores as :func:`score_alias` word for word.
    """

    __slots__ = ("_flat", "_flat_len", "_given", "_query", "_rows", "_sum_wq", "_words", "_wq")

    def __init__(self, query: Sequence[Token], query_weights: Sequence[float]) -> None:
        self._query = tuple(query)
        self._wq = list(query_weights)
        self._sum_wq = sum(self._wq)
        self._words = [w > FUNCTION_WORD_WEIGHT for w in self._wq]
        self._flat = coarse_flat(self._query)
        self._flat_len = len(self._flat)
        #: the positions of the mention's common given names (most mentions hold none)
        self._given = [i for i, q in enumerate(self._query) if q.text in COMMON_GIVEN_NAMES]
        #: by the identity of the alias's Token object (alive as long as the caller holds the alias)
        self._rows: dict[int, Row] = {}

    def reweighed(self, query_weights: Sequence[float]) -> MentionScorer:
        """The same mention with other weights for its words, sharing the word comparisons made
        so far (they do not depend on the weights): only :meth:`score` is left to do for the
        aliases prepared already."""
        other = MentionScorer(self._query, query_weights)
        other._rows = self._rows
        return other

    def prepare(self, aliases: Iterable[Sequence[Token]]) -> None:
        """Compare the mention's words with every word of these aliases (see the class)."""
        rows = self._rows
        new = {id(a): a for tokens in aliases for a in tokens}
        for seen in new.keys() & rows.keys():
            del new[seen]
        if not new or not self._query:
            return
        words = list(new.values())
        forms = [key_forms(a.key) for a in words]
        coarse_keys = [c for c, _ in forms]
        texts = [a.text for a in words]
        by_loose: dict[str, list[int]] = {}
        for j, (_, lk) in enumerate(forms):
            by_loose.setdefault(lk, []).append(j)
        # (a word with the glide w and the same word with vowels in a row there: "Dawud"/"Daud")
        by_coarse: dict[str, list[int]] = {}
        by_unglided: dict[str, list[int]] = {}
        for j, c in enumerate(coarse_keys):
            by_coarse.setdefault(c, []).append(j)
            if "W" in c:
                for v in without_glide(c):
                    by_unglided.setdefault(v, []).append(j)
        by_kind: dict[str, list[int]] = {}
        for j, a in enumerate(words):
            if a.text in ORG_TYPES:
                by_kind.setdefault(ORG_TYPES[a.text], []).append(j)
        # (each word's pairs, for the few words that pair with any: most pair with none)
        found: dict[int, list[tuple[int, float, str, bool]]] = {}
        pairs_of = list(zip(texts, [a.key for a in words], strict=True))  # each word's (text, key)
        compared = frozenset(pairs_of)
        for i, q in enumerate(self._query):
            qt, qk, qa = q.text, q.key, q.arabic
            cq, lq = key_forms(qk)
            maybe = {j for _, _, j in process.extract(cq, coarse_keys, scorer=OSA.normalized_similarity,
                                                      processor=None, score_cutoff=_MAYBE, limit=None)}
            maybe.update(j for _, _, j in process.extract(qt, texts, scorer=OSA.normalized_similarity,
                                                          processor=None, score_cutoff=_MAYBE, limit=None))
            maybe.update(by_loose.get(lq, ()))
            maybe.update(by_unglided.get(cq, ()))
            if "W" in cq:
                for v in without_glide(cq):
                    maybe.update(by_coarse.get(v, ()))
            if qt in ORG_TYPES:
                maybe.update(by_kind.get(ORG_TYPES[qt], ()))
            same = NAME_FORMS.get(qt)
            if same:
                maybe.update(j for j, t in enumerate(texts) if t in same)
            for j in sorted(maybe):
                a = words[j]
                sim, why = text_similarity(qt, qk, a.text, a.key, qa or a.arabic)
                if sim >= TOKEN_FLOOR:
                    found.setdefault(j, []).append((i, sim, why, qt == a.text))
            if len(RULED_OUT) >= RULED_OUT_LIMIT:
                RULED_OUT.clear()
            RULED_OUT[(qt, qk)] = (compared, frozenset([pairs_of[j] for j in maybe]))
        rows.update(dict.fromkeys(new, ()))
        rows.update({id(words[j]): tuple(pairs) for j, pairs in found.items()})

    def score(
        self, alias: Sequence[Token], alias_weights: Sequence[float], *, partial: bool = True,
        same_flat: bool | None = None,
    ) -> Score:
        """The mention's :func:`score_alias` against one alias given to :meth:`prepare` (with its
        tokens' weights)."""
        query = self._query
        if not query or not alias:
            return Score(0.0, "")
        if same_flat is None:
            same_flat = self._flat == coarse_flat(alias)
        same_flat = same_flat and len(query) != len(alias) and self._flat_len >= 4
        wq = self._wq
        wa = alias_weights
        words = self._words
        rows = self._rows
        pairs: list[tuple[float, int, int, str]] = []
        for j, a in enumerate(alias):
            row = rows[id(a)]
            if not row:
                continue
            a_word = wa[j] > FUNCTION_WORD_WEIGHT
            for i, sim, why, same in row:
                if words[i] != a_word and not same:
                    continue  # a name's word never pairs with "Co." or "of": Kia is not Co.
                pairs.append((sim, i, j, why))
        if not pairs and (same_flat or len(query) + len(alias) < 3):
            if same_flat:
                return Score(0.95, "full name: same skeleton with other word breaks", 0.95)
            return Score(0.0, "no shared token")
        if len(pairs) > 1:
            pairs.sort(reverse=True)
        q_best = [0.0] * len(query)
        a_best = [0.0] * len(alias)
        reasons: set[str] = set()
        for sim, i, j, why in pairs:
            if q_best[i] or a_best[j]:
                continue
            q_best[i] = a_best[j] = sim
            reasons.add(why)
        if len(query) + len(alias) >= 3 and _read_joined(query, alias, q_best, a_best):
            reasons.add("joined words")
        elif not pairs:
            return Score(0.0, "no shared token")
        # (the products summed left to right, as a list's sum adds them, without a tuple per pair;
        # q_best and a_best are as long as the weights by construction)
        cq = sum(map(mul, wq, q_best)) / self._sum_wq
        ca = sum(map(mul, wa, a_best)) / sum(wa)
        # A person's extra or missing name is often just unrecorded; an organisation's extra word
        # ("Iranian Interior Ministry", "Kata'ib Hezbollah") usually names another body.
        full = (cq + ca) / 2 if partial else 0.4 * max(cq, ca) + 0.6 * min(cq, ca)
        reason = "+".join(sorted(reasons)) or "no shared token"
        best, how = full, "full name"
        if not partial and self._given and not all(q_best[i] for i in self._given):
            # "Noor Ahmad" is a man, not NIRU Co. Ltd: a given name the organisation's name lacks.
            return Score(min(round(full, 4), ALONE_CAP), f"full name: {reason}, but a person's given name")
        if same_flat and full < 0.95:
            best, how, reason = 0.95, "full name", "same skeleton with other word breaks"
            cq = max(cq, 0.95)
        if partial and len(query) < len(alias) and min(q_best) >= 0.85 and a_best[-1] >= 0.85:
            # A surname alone (which must carry much of the name's weight to stand for it), or
            # given name + surname without the middle names.
            if len(query) == 1 or (q_best[0] >= 0.85 and a_best[0] >= 0.85):
                value = cq * ((0.75 + 0.25 * ca) if len(query) == 1 else (0.8 + 0.2 * ca))
                if value > best:
                    best, how = value, "partial name"
        elif (partial and 2 <= len(alias) < len(query) and min(a_best) >= 0.85 and q_best[0] >= 0.85
              and q_best[-1] >= 0.85):
            # The alias's first and last names both agree, and the mention adds middle names.
            value = ca * (0.8 + 0.2 * cq)
            if value > best:
                best, how = value, "name inside a longer one"
        return Score(round(min(best, 1.0), 4), f"{how}: {reason}", round(cq, 4))


def _read_joined(query: Sequence[Token], alias: Sequence[Token], q_best: list[float], a_best: list[float]) -> bool:
    """Pair each word left unpaired with two adjacent unpaired words of the other name that, written
    together, are spelt as it is ("Onerbank" and "Oner Bank", "Landmatics" and "Land Metics": at
    most one written edit in five letters): one name with other word breaks.  The judge's alignment
    reads such words as one (:func:`~resolver.matching.alignment.align`); here the letters must
    agree, not only the skeleton ("Monsoon" is not "Min Son", "Saving" not "Ssu Wang").  Marks the
    words paired (in place) at :data:`JOINED` times the spelling's likeness; whether any was."""
    found = False
    for one, other, one_best, other_best in ((query, alias, q_best, a_best), (alias, query, a_best, q_best)):
        if len(other) < 2:
            continue
        # (the other name's word lengths, read once when a word is left to pair: the length test
        # below rules out most pairs before any string is joined)
        sizes: list[int] | None = None
        for i, word in enumerate(one):
            text = word.text
            size = len(text)
            if one_best[i] or size < JOINED_MIN_LETTERS:
                continue
            if sizes is None:
                sizes = [len(t.text) for t in other]
            for j in range(len(other) - 1):
                if other_best[j] or other_best[j + 1]:
                    continue
                joined = sizes[j] + sizes[j + 1]
                if 5 * abs(joined - size) > (joined if joined > size else size):
                    continue  # (the length alone leaves them under _JOINED_SPELLING: a fifth more edits)
                written = other[j].text + other[j + 1].text
                alike = 1.0 if written == text else OSA.normalized_similarity(text, written, processor=None)
                if alike >= _JOINED_SPELLING:
                    one_best[i] = other_best[j] = other_best[j + 1] = round(JOINED * alike, 4)
                    found = True
                    break
    return found
