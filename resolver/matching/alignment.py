"""The one-to-one alignment of a mention's words with an alias's words.

:func:`align` pairs the two names' words by the token similarity ladder of
:mod:`resolver.matching.scoring` (heaviest agreement first), then the words it leaves unpaired that
are one name with other word breaks ("Azarpad"/"Azar Pad"), and, for organisations, written short
forms of each other (:mod:`resolver.matching.short_forms`).  The :class:`Alignment` tells whether the
pair is real evidence (:func:`real_pair`) and whether the names clash; the judge's candidates
(:mod:`resolver.matching.standing`, :mod:`resolver.matching.own_names`) and the pair's features
(:mod:`resolver.matching.features`) read it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from resolver.matching.normalize import Token
from resolver.matching.scoring import FUNCTION_WORD_WEIGHT
from resolver.matching.short_forms import pair_abbreviations, pair_initialisms
from resolver.matching.word_similarity import JOINED, JOINED_MIN_LETTERS, spells_joined, token_similarity
from resolver.matching.words import KUNYA_MARKERS, ORG_TYPES

__all__ = ["JOINED", "Alignment", "align", "kunya_children", "real_pair"]

#: token similarity from which a pair counts as aligned (as in the rule scorer)
_TOKEN_FLOOR = 0.6


def real_pair(sim: float, why: str, *, organisation: bool) -> bool:
    """Two words the token similarity ladder pairs at ``sim`` (for the reason ``why``) are real
    evidence that the names agree there: spelt alike or one written edit apart ("Malikis"/"Maliki"),
    not a confusable letter or a bare short skeleton ("xx" against "Qais").  An organisation's long
    word one skeleton edit from another ("Gardservice"/"Gardservis") is evidence to weigh too: a
    person's short names are too often other names one edit away."""
    return ((sim >= 0.8 or why == "fuzzy spelling" or (organisation and why == "fuzzy skeleton"))
            and why not in ("confusable letters", "short skeleton"))


# (not frozen: one is made per candidate of every lookup, and a frozen dataclass sets each field through
# object.__setattr__ at three times the cost; none is changed once made)
@dataclass(slots=True)
class Alignment:
    """The one-to-one alignment of a mention's words with an alias's (the first step of
    :func:`resolver.matching.features.pair_evidence`): enough to tell whether the pair is real
    evidence and whether the names clash, without the learned similarities."""

    q_sim: list[float]  # each mention word's similarity to the alias word aligned with it (0: none)
    a_sim: list[float]  # the same for the alias's words
    q_to: dict[int, int]  # mention word -> alias word aligned with it
    real: bool  # see resolver.matching.features.Evidence.real
    best_for: str  # the strongest agreement, in words
    free_q: set[int]  # the mention's name words left unaligned
    free_a: set[int]  # the alias's name words left unaligned
    n_q: int
    n_a: int
    joined_q: frozenset[int] = frozenset()  # mention words paired as two words written together (or apart)
    abbreviated: bool = False  # an organisation's word paired with its abbreviation
    _gaps: tuple[frozenset[int], frozenset[int]] | None = field(default=None, compare=False, repr=False)  # alias_gaps()

    @property
    def clash_slot(self) -> bool:
        """The first words, or the last words, of both names are unaligned name words."""
        return ((0 in self.free_q and 0 in self.free_a)
                or (self.n_q - 1 in self.free_q and self.n_a - 1 in self.free_a))

    @property
    def clash_any(self) -> bool:
        """Both names hold an unaligned name word."""
        return bool(self.free_q and self.free_a)

    @property
    def clash_gap(self) -> bool:
        """A name word of each name stands in the same place between the aligned words: one word
        put in the other's stead ("Fadi Hassan Serhan" for "Fadi Jamil Serhan": another father's
        name), as opposed to a word one name adds and the other lacks ("Bashar Hafez al-Assad" for
        "Bashar al-Assad").  Places are the gaps between consecutive aligned words of the mention,
        and before the first and after the last; read only when the aligned words keep their order."""
        return bool(self.alias_gaps()[0])

    def place(self, k: int, *, mention: bool) -> int:
        """The place of a word of the mention (or of the alias) among the aligned words: how many
        aligned words of its own name come before it."""
        return sum(1 for q, a in self.q_to.items() if (q if mention else a) < k)

    def alias_gaps(self) -> tuple[frozenset[int], frozenset[int]]:
        """``gap_clashes()[1]`` and ``gap_clashes(middle=True)[1]`` (the alias's side), from one
        reading of the places (kept: the pair's evidence and its clash both read them)."""
        if self._gaps is None:
            self._gaps = self._alias_gaps()
        return self._gaps

    def _alias_gaps(self) -> tuple[frozenset[int], frozenset[int]]:
        if not (self.free_q and self.free_a and self.q_to):
            return frozenset(), frozenset()
        pairs = sorted(self.q_to.items())
        if any(a > b for (_, a), (_, b) in pairwise(pairs)):
            return frozenset(), frozenset()
        q_places = {self.place(i, mention=True) for i in self.free_q}
        a_places = {j: self.place(j, mention=False) for j in self.free_a}
        shared = q_places & set(a_places.values())
        inner = shared - {0, len(pairs)}
        return (frozenset(j for j, p in a_places.items() if p in shared),
                frozenset(j for j, p in a_places.items() if p in inner))

    def gap_clashes(self, *, middle: bool = False) -> tuple[frozenset[int], frozenset[int]]:
        """The mention's and the alias's unaligned name words that stand where the other name holds
        another (see :attr:`clash_gap`); with ``middle``, only between two aligned words (not
        before the first or after the last)."""
        if not (self.free_q and self.free_a and self.q_to):
            return frozenset(), frozenset()
        pairs = sorted(self.q_to.items())
        if any(a > b for (_, a), (_, b) in pairwise(pairs)):
            return frozenset(), frozenset()
        q_places = {i: self.place(i, mention=True) for i in self.free_q}
        a_places = {j: self.place(j, mention=False) for j in self.free_a}
        shared = set(q_places.values()) & set(a_places.values())
        if middle:
            shared -= {0, len(pairs)}
        return (frozenset(i for i, p in q_places.items() if p in shared),
                frozenset(j for j, p in a_places.items() if p in shared))


def align(query: Sequence[Token], alias: Sequence[Token], wq: Sequence[float], wa: Sequence[float], *,
          organisation: bool = False) -> Alignment:
    """Align a mention's words with an alias's one to one, heaviest agreement first (the token
    similarity ladder; a name word never pairs with a function word unless spelt alike).

    For an ``organisation``'s alias, words the ladder leaves unpaired may be abbreviations of each
    other (:mod:`resolver.matching.short_forms`), and a word that says only what kind of
    organisation it is (:data:`ORG_TYPES`) is no name word left unpaired when every word either
    name leaves unpaired is one: "BELNEFTEKHIM CONCERN" is "BELNEFTEKHIM"; against "TARIQ GIDAR
    GROUP", "TARIQ FOUNDATION GROUP" still clashes."""
    pairs: list[tuple[float, int, int, str]] = []
    children_q, children_a = kunya_children(query), kunya_children(alias)
    # a person's given name (the first word of a longer name) is not the mention's parent's name
    given = 0 if not organisation and len(alias) > 1 else -1
    for i, q in enumerate(query):
        q_word = wq[i] > FUNCTION_WORD_WEIGHT
        for j, a in enumerate(alias):
            if q_word != (wa[j] > FUNCTION_WORD_WEIGHT) and q.text != a.text:
                continue
            if (i in children_q) != (j in children_a):
                continue  # a kunya's child is not the given name ("Abu Sergei" is Sergei's father)
            if j == given and q.parent:
                continue  # "Khalil Ben Ahmed JARRAYA" is Ahmed's son, not "Ahmad Mohamed JARRAYA"
            sim, why = token_similarity(q, a)
            if sim >= _TOKEN_FLOOR:
                pairs.append((sim, i, j, why))
    pairs.sort(key=lambda p: (-p[0] * (wq[p[1]] + wa[p[2]]), p[1], p[2]))
    q_sim = [0.0] * len(query)
    a_sim = [0.0] * len(alias)
    q_to: dict[int, int] = {}
    real = False
    best_for = ""
    best = (-1, -1)
    for sim, i, j, why in pairs:
        if q_sim[i] or a_sim[j]:
            continue
        q_sim[i] = a_sim[j] = sim
        q_to[i] = j
        if real_pair(sim, why, organisation=organisation):
            real = True
        if not best_for:
            q_text, a_text = query[i].text, alias[j].text
            best_for = f"'{q_text}' ({why})" if q_text == a_text else f"'{q_text}'~'{a_text}' ({why})"
            best = (i, j)
    joined, joined_q = _join_words(query, alias, q_sim, a_sim, q_to)
    if joined:
        if not best_for or q_to.get(best[0]) != best[1] or q_sim[best[0]] == JOINED:
            best_for = joined  # the strongest pair was read again as words written together
        real = True
    abbreviated = organisation and pair_abbreviations(query, alias, wq, wa, q_sim, a_sim, q_to)
    if organisation and pair_initialisms(query, alias, wq, wa, q_sim, a_sim, q_to):
        abbreviated = True
    free_q = {i for i, s in enumerate(q_sim) if not s and wq[i] > FUNCTION_WORD_WEIGHT}
    free_a = {j for j, s in enumerate(a_sim) if not s and wa[j] > FUNCTION_WORD_WEIGHT}
    if organisation:
        kinds_q = {i for i in free_q if query[i].text in ORG_TYPES}
        kinds_a = {j for j in free_a if alias[j].text in ORG_TYPES}
        if free_q == kinds_q and free_a == kinds_a:
            free_q, free_a = set(), set()  # the names differ only in what kind of body they say
    return Alignment(q_sim, a_sim, q_to, real, best_for, free_q, free_a, len(query), len(alias),
                     frozenset(joined_q), abbreviated)


def kunya_children(tokens: Sequence[Token]) -> frozenset[int]:
    """The positions of the words a kunya names a child by ("Sergei" in "Abu Sergei Naryshkin",
    father of Sergei): in the judge's alignment such a word pairs only with another kunya's child,
    never with a given name, so "Sergei Naryshkin" against "Abu Sergei Naryshkin" is two first
    names that clash, as the name structure says."""
    return frozenset([j for j in range(1, len(tokens)) if tokens[j - 1].text in KUNYA_MARKERS])



def _join_words(query: Sequence[Token], alias: Sequence[Token], q_sim: list[float], a_sim: list[float],
                q_to: dict[int, int]) -> tuple[str, set[int]]:
    """Pair each word the alignment left unpaired with two adjacent unpaired words of the other name
    that, written together, spell it ("Azarpad" and "Azar Pad", "Mohammedreza" and "Mohammad Reza",
    "Deleon" and "De Leon"): one name with other word breaks, not two names.  Marks the words
    paired (in place) and returns the evidence in words ("" if none) and the mention words so paired."""
    found = ""
    paired: set[int] = set()
    for one, other, one_sim, other_sim, mention_is_one in ((query, alias, q_sim, a_sim, True),
                                                           (alias, query, a_sim, q_sim, False)):
        for i, word in enumerate(one):
            if one_sim[i] >= JOINED or len(word.text) < JOINED_MIN_LETTERS:
                continue
            # A word the ladder paired, less closely, with one of the two words that spell it is
            # read as both ("Aerocontinente" is "Aero Continente", not a spelling of "Continente").
            partner = (q_to.get(i) if mention_is_one else next((m for m, n in q_to.items() if n == i), None))
            if one_sim[i] and partner is None:
                continue
            for j in range(len(other) - 1):
                first, second = other[j], other[j + 1]
                taken = [k for k in (j, j + 1) if other_sim[k]]
                if (taken != [partner] if one_sim[i] else taken) or not spells_joined(word, first, second):
                    continue
                one_sim[i] = other_sim[j] = other_sim[j + 1] = JOINED
                if mention_is_one:
                    q_to[i] = j
                    paired.add(i)
                else:
                    q_to[j] = q_to[j + 1] = i
                    paired.update((j, j + 1))
                if not found:
                    found = f"'{word.text}'~'{first.text} {second.text}' (joined words)"
                break
    return found, paired
