"""The evidence about one (mention, alias) pair, as numbers a learned model can weigh.

:func:`pair_evidence` aligns the mention's tokens with the alias's tokens one to one (the same
token similarity ladder as :mod:`resolver.matching.scoring`, heaviest agreement first), then
reads off what agrees and what does not: how much of each side's IDF weight is covered, the
heaviest word left unmatched on either side, a softer spelling similarity for the words the
ladder leaves unpaired (learned from real variant pairs, see :mod:`resolver.matching.model`),
order, first and last names, whole-name skeleton similarity, the entity's type.  The same
function feeds training (``train/train_matcher.py``) and every lookup, so the two cannot drift.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from rapidfuzz.distance import OSA, Indel, JaroWinkler, Levenshtein, Postfix, Prefix

from resolver.matching.normalize import Token, coarse, coarse_flat, loose
from resolver.matching.places import place_of
from resolver.matching.scoring import FUNCTION_WORD_WEIGHT, token_similarity
from resolver.matching.words import (
    COMMON_GIVEN_NAMES,
    KUNYA_MARKERS,
    LEGAL_FORM_KINDS,
    LEGAL_FORM_QUALIFIERS,
    LEGAL_FORMS,
    ORG_TYPES,
    TITLES,
)

__all__ = ["PAIR_FEATURES", "Alignment", "Evidence", "align", "kunya_children", "pair_evidence", "real_pair",
           "spelt_out_forms", "token_features"]

#: token similarity from which a pair counts as aligned (as in the rule scorer)
_TOKEN_FLOOR = 0.6

#: the features of one pair, in the order the model's coefficients expect
PAIR_FEATURES = (
    "rule",  # the rule scorer's value
    "cover_q",  # weighted share of the mention's words matched (weighted by similarity)
    "cover_a",  # the same for the alias
    "unmatched_q",  # weight share of the mention left unmatched
    "unmatched_a",  # the same for the alias
    "heavy_q",  # IDF of the heaviest unmatched mention word, over the largest IDF
    "heavy_a",  # the same for the alias
    "soft_q",  # cover_q, with unpaired words credited their learned similarity to unpaired words
    "soft_a",  # the same from the alias's side
    "exact_share",  # weight share of the mention matched letter for letter
    "min_sim",  # the weakest aligned pair
    "n_q",  # number of words in the mention (capped at 6)
    "n_a",  # number of words in the alias (capped at 6)
    "order",  # aligned words keep their order
    "first",  # first words aligned with each other
    "last",  # last words aligned with each other
    "flat_sim",  # edit similarity of the two whole-name skeletons, spaces removed
    "person",  # the entity is a person
    "arabic",  # the mention is in Arabic script
    "info_q",  # total IDF of the mention's words (how much it says), squashed
    "clash_slot",  # the first words, or the last words, of both names are unmatched name words
    "clash_any",  # both names hold an unmatched name word
    "clash_gap",  # both names hold an unmatched name word in the same place between the aligned words
    "extends",  # a one-word alias (its legal form aside: "ACCIRENT S.A."), and the mention adds a name word
    "inside",  # every name word of the mention is matched, and the alias adds one
    "edge",  # the mention adds a name word before the alias's first or after its last word
    # every name word of the mention is a common given name ("Ali Hassan"), none written with the
    # article: "al-Majid" is a family name or nisba, whatever the bare word is
    "given_only",
    "learned_min",  # the weakest aligned word pair by the learned similarity (Bashar/Bushra share a skeleton)
    "learned_cover",  # the mention's weight share covered, each aligned word credited its learned similarity
    "place_q",  # an unmatched mention word names a country ("ELLISSA GROUP CONGO": a branch is another body)
    "place_a",  # an unmatched alias word names a country ("BELKAZTRANS UKRAINE" for "OOO BELKAZTRANS")
    "form_agree",  # both names hold a legal form of the same kind ("EUROBET LTD." and "EUROBET OOD")
    "form_clash",  # both names hold legal forms, of different kinds only ("TROPPO S.A." and "TROPPO LLC")
    # an unmatched mention word comes before a title that opens the alias, or that the alias lacks
    # ("Kata'ib al-Imam Ali": named after Imam Ali); a title word inside the alias's name is a name
    # ("Jamil Muhammad Amin Amin AL-SAYED" for "Jamil Mohamad Amin EL SAYED"), and so is one inside
    # a mention whose first name word is the alias's ("Qais Hadi Sayed Hasan al-Khazali": Sayed is
    # a grandfather's given name)
    "titled_inside",
    # an organisation's word paired with its abbreviation ("ENG" and "ENGINEERING", "140" and "140TH")
    # or an adjective made of it ("REGION" and "REGIONAL")
    "abbreviated",
)


@dataclass(frozen=True, slots=True)
class Evidence:
    """Features of one pair, plus the words behind the strongest evidence for and against."""

    values: tuple[float, ...]
    best_for: str
    worst_against: str
    real: bool  # at least one word pair agrees beyond a confusable letter or a bare short skeleton
    free_q: tuple[int, ...]  # the mention's name words left unmatched
    q_sim: tuple[float, ...] = ()  # how alike each mention word is to the alias word aligned with it (0: none)
    free_a: tuple[int, ...] = ()  # the alias's name words left unmatched
    #: the alias's name words another stands in place of, between two aligned words (Alignment.gap_clashes)
    gap_mid_a: frozenset[int] = frozenset()


def token_features(qt: str, qk: str, at: str, ak: str) -> tuple[float, ...]:
    """String similarities of two words, the inputs of the learned token similarity.

    Not cached here: its caller (``MatcherModel.token_similarity``) keeps its answer per word pair,
    so a cache of the vectors was never hit, and its 22,000 entries after the SDN pass were walked
    by every full garbage collection."""
    cq, ca = coarse(qk), coarse(ak)
    lq, la = loose(cq), loose(ca)
    if (qt and at and qk and ak and lq and la and set(qt).isdisjoint(at) and set(qk).isdisjoint(ak)
            and set(lq).isdisjoint(la)):
        # Two words without a letter in common, in any of their forms ("8631" and "prison"; the
        # coarse keys are the fine ones less Y): every similarity below is 0, only lengths differ.
        shortest = min(len(qt), len(at))
        return (0.0, 0.0, 0.0, 0.0, 0.0, shortest / max(len(qt), len(at)), 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
                float(shortest))
    return _all_features(qt, qk, at, ak, cq, ca, lq, la)


def _all_features(qt: str, qk: str, at: str, ak: str, cq: str, ca: str, lq: str, la: str) -> tuple[float, ...]:
    longest = max(len(qt), len(at), 1)
    return (
        JaroWinkler.normalized_similarity(qt, at),
        Indel.normalized_similarity(cq, ca),
        OSA.normalized_similarity(lq, la),
        1.0 if lq[:1] == la[:1] else 0.0,
        1.0 if lq[-1:] == la[-1:] else 0.0,
        min(len(qt), len(at)) / longest,
        Levenshtein.normalized_similarity(qt, at),
        Indel.normalized_similarity(qk, ak),
        Prefix.similarity(qt, at) / longest,
        Postfix.similarity(qt, at) / longest,
        _bigrams(qt, at),
        _bigrams(lq, la),
        1.0 if lq == la else 0.0,
        float(min(len(qt), len(at))),
    )


def _bigrams(a: str, b: str) -> float:
    """Dice overlap of the two strings' letter pairs."""
    x = {a[i : i + 2] for i in range(len(a) - 1)} or {a}
    y = {b[i : i + 2] for i in range(len(b) - 1)} or {b}
    return 2 * len(x & y) / (len(x) + len(y))


def pair_evidence(
    query: Sequence[Token],
    alias: Sequence[Token],
    wq: Sequence[float],
    wa: Sequence[float],
    rule: float,
    *,
    person: bool,
    max_weight: float,
    soft: Callable[[Token, Token], float],
) -> Evidence:
    """Align a mention with one alias and measure the agreement (see :data:`PAIR_FEATURES`).

    Args:
        query, alias: the two names' tokens.
        wq, wa: their IDF weights (squared IDF, as :meth:`CandidateIndex.weight` gives).
        rule: the rule scorer's value for this pair.
        person: the alias's entity is a person.
        max_weight: the weight of a word never seen in the store (the largest there is).
        soft: learned similarity of two words in [0, 1].
    """
    al = align(query, alias, wq, wa, organisation=not person)
    q_sim, a_sim, q_to, real, best_for, free_q, free_a = (al.q_sim, al.a_sim, al.q_to, al.real, al.best_for,
                                                           al.free_q, al.free_a)
    joined_q = al.joined_q
    gap, gap_mid = al.alias_gaps()
    sq, sa = sum(wq) or 1.0, sum(wa) or 1.0
    # (sums of lists, in the order of the words: the same sums as over generators, fewer frames)
    cover_q = sum([w * s for w, s in zip(wq, q_sim, strict=True)]) / sq
    cover_a = sum([w * s for w, s in zip(wa, a_sim, strict=True)]) / sa
    free_wq = [w for w, s in zip(wq, q_sim, strict=True) if not s]
    free_wa = [w for w, s in zip(wa, a_sim, strict=True) if not s]
    unmatched_q = sum(free_wq) / sq
    unmatched_a = sum(free_wa) / sa
    heavy_q = max(free_wq, default=0.0)
    heavy_a = max(free_wa, default=0.0)
    # Words the ladder left unpaired may still be spellings of each other (Vimolsri/Wimonsi):
    # each gets its best learned similarity to an unpaired word of the other name.
    rest_q = [query[i] for i in sorted(free_q)]
    rest_a = [alias[j] for j in sorted(free_a)]
    soft_q = _soft_cover(query, q_sim, rest_a, wq, soft)
    soft_a = _soft_cover(alias, a_sim, rest_q, wa, lambda a, q: soft(q, a))
    matched = [s for s in q_sim if s]
    # The ladder pairs words by skeleton; the learned similarity tells which of those are one name
    # spelt two ways (Awlaki/Aulaqi) and which are two names (Bashar/Bushra).
    learned = {i: _JOINED if i in joined_q else soft(query[i], alias[j]) for i, j in q_to.items()}
    order_ok = all(q_to[x] <= q_to[y] for x, y in zip(sorted(q_to), sorted(q_to)[1:], strict=False))
    worst_against = _against(query, alias, wq, wa, q_sim, a_sim, order_ok, heavy_q, heavy_a)
    exact = sum([w for w, q, i in zip(wq, query, range(len(query)), strict=True)
                 if i in q_to and alias[q_to[i]].text == q.text]) / sq
    # First, last and whole-name agreement are about the name words: "Niru Co. Ltd." ends in Niru.
    words_q = [i for i, w in enumerate(wq) if w > FUNCTION_WORD_WEIGHT] or list(range(len(query)))
    words_a = [j for j, w in enumerate(wa) if w > FUNCTION_WORD_WEIGHT] or list(range(len(alias)))
    fq, fa = coarse_flat(query[i] for i in words_q), coarse_flat(alias[j] for j in words_a)
    flat_sim = OSA.normalized_similarity(loose(fq), loose(fa)) if fq and fa else 0.0
    if free_q and free_a:
        # Both names keep a word the alignment could not pair, so the whole-name skeletons agree
        # only as far as those words do: the loose classes make short unrelated words collide
        # ("xyz" and "Quds" are both KZZ, so "IRGC XYZ" looked like "IRGC-Quds").  Their agreement
        # is credited only as far as the learned similarity calls them one word spelt two ways
        # (Vimolsri/Wimonsi), or their coarse skeletons, without the loose classes, agree.
        strict = OSA.normalized_similarity(fq, fa)
        alike = min(max(soft(query[i], alias[j]) for j in free_a) for i in free_q)
        flat_sim = min(flat_sim, max(strict, alike))
    max_idf = math.sqrt(max_weight) or 1.0
    info = sum(map(math.sqrt, wq)) / max_idf
    kinds_q = {LEGAL_FORM_KINDS[t.text] for t in query if t.text in LEGAL_FORM_KINDS}
    kinds_a = {LEGAL_FORM_KINDS[t.text] for t in alias if t.text in LEGAL_FORM_KINDS}
    values = (
        rule,
        cover_q,
        cover_a,
        unmatched_q,
        unmatched_a,
        math.sqrt(heavy_q) / max_idf,
        math.sqrt(heavy_a) / max_idf,
        soft_q,
        soft_a,
        exact,
        min(matched, default=0.0),
        float(min(len(query), 6)),
        float(min(len(alias), 6)),
        1.0 if order_ok else 0.0,
        1.0 if q_to.get(words_q[0]) == words_a[0] else 0.0,
        1.0 if q_to.get(words_q[-1]) == words_a[-1] else 0.0,
        flat_sim,
        1.0 if person else 0.0,
        1.0 if any(t.arabic for t in query) else 0.0,
        info / (1.0 + info),
        1.0 if al.clash_slot else 0.0,
        1.0 if al.clash_any else 0.0,
        1.0 if gap else 0.0,
        1.0 if len(words_a) == 1 and free_q else 0.0,
        1.0 if free_a and not free_q else 0.0,
        1.0 if not free_a and (0 in free_q or len(query) - 1 in free_q) else 0.0,
        1.0 if all(query[i].text in COMMON_GIVEN_NAMES and not query[i].article for i in words_q) else 0.0,
        min(learned.values(), default=0.0),
        sum(wq[i] * p for i, p in learned.items()) / sq,
        1.0 if any(place_of(query[i].text) for i in free_q) else 0.0,
        1.0 if any(place_of(alias[j].text) for j in free_a) else 0.0,
        1.0 if kinds_q & kinds_a else 0.0,
        1.0 if kinds_q and kinds_a and not kinds_q & kinds_a else 0.0,
        1.0 if q_to.get(words_q[0]) != words_a[0] and any(
            query[i].text in TITLES and any(j < i for j in free_q) and q_to.get(i, words_a[0]) == words_a[0]
            for i in range(1, len(query))) else 0.0,
        1.0 if al.abbreviated else 0.0,
    )
    return Evidence(values, best_for, worst_against, real, tuple(sorted(free_q)), tuple(q_sim), tuple(sorted(free_a)),
                    gap_mid)


#: the similarity of a word to two adjacent words of the other name written as one ("Azarpad"/"Azar Pad")
_JOINED = 0.95


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
            if one_sim[i] >= _JOINED or len(word.text) < 5:
                continue
            # A word the ladder paired, less closely, with one of the two words that spell it is
            # read as both ("Aerocontinente" is "Aero Continente", not a spelling of "Continente").
            partner = (q_to.get(i) if mention_is_one else next((m for m, n in q_to.items() if n == i), None))
            if one_sim[i] and partner is None:
                continue
            for j in range(len(other) - 1):
                first, second = other[j], other[j + 1]
                taken = [k for k in (j, j + 1) if other_sim[k]]
                if (taken != [partner] if one_sim[i] else taken) or not _spells(word, first, second):
                    continue
                one_sim[i] = other_sim[j] = other_sim[j + 1] = _JOINED
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


def _spells(word: Token, first: Token, second: Token) -> bool:
    """``word`` is ``first`` and ``second`` written as one: the same letters, or the same loose skeleton."""
    if word.text == first.text + second.text:
        return True
    joined = coarse(first.key) + coarse(second.key)
    return len(joined) >= 4 and loose(joined) == loose(coarse(word.key))


def real_pair(sim: float, why: str, *, organisation: bool) -> bool:
    """Two words the token similarity ladder pairs at ``sim`` (for the reason ``why``) are real
    evidence that the names agree there: spelt alike or one written edit apart ("Malikis"/"Maliki"),
    not a confusable letter or a bare short skeleton ("xx" against "Qais").  An organisation's long
    word one skeleton edit from another ("Gardservice"/"Gardservis") is evidence to weigh too: a
    person's short names are too often other names one edit away."""
    return ((sim >= 0.8 or why == "fuzzy spelling" or (organisation and why == "fuzzy skeleton"))
            and why not in ("confusable letters", "short skeleton"))


@dataclass(frozen=True, slots=True)
class Alignment:
    """The one-to-one alignment of a mention's words with an alias's (the first step of
    :func:`pair_evidence`): enough to tell whether the pair is real evidence and whether the names
    clash, without the learned similarities."""

    q_sim: list[float]  # each mention word's similarity to the alias word aligned with it (0: none)
    a_sim: list[float]  # the same for the alias's words
    q_to: dict[int, int]  # mention word -> alias word aligned with it
    real: bool  # see Evidence.real
    best_for: str  # the strongest agreement, in words
    free_q: set[int]  # the mention's name words left unaligned
    free_a: set[int]  # the alias's name words left unaligned
    n_q: int
    n_a: int
    joined_q: frozenset[int] = frozenset()  # mention words paired as two words written together (or apart)
    abbreviated: bool = False  # an organisation's word paired with its abbreviation

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
        return bool(self.gap_clashes()[1])

    def place(self, k: int, *, mention: bool) -> int:
        """The place of a word of the mention (or of the alias) among the aligned words: how many
        aligned words of its own name come before it."""
        return sum(1 for q, a in self.q_to.items() if (q if mention else a) < k)

    def alias_gaps(self) -> tuple[frozenset[int], frozenset[int]]:
        """``gap_clashes()[1]`` and ``gap_clashes(middle=True)[1]`` (the alias's side), from one
        reading of the places."""
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
    other (:func:`_abbreviates`), and a word that says only what kind of organisation it is
    (:data:`ORG_TYPES`) is no name word left unpaired when every word either name leaves unpaired is
    one: "BELNEFTEKHIM CONCERN" is "BELNEFTEKHIM"; against "TARIQ GIDAR GROUP", "TARIQ FOUNDATION
    GROUP" still clashes."""
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
        if not best_for or q_to.get(best[0]) != best[1] or q_sim[best[0]] == _JOINED:
            best_for = joined  # the strongest pair was read again as words written together
        real = True
    abbreviated = organisation and _pair_abbreviations(query, alias, wq, wa, q_sim, a_sim, q_to)
    if organisation and _pair_initialisms(query, alias, wq, wa, q_sim, a_sim, q_to):
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


#: the similarity of a word to its abbreviation ("ENG" and "ENGINEERING")
_ABBREVIATED = 0.8
#: the endings of an ordinal written in figures ("140TH")
_ORDINAL = ("st", "nd", "rd", "th")
#: endings that make an adjective of a word ("REGIONAL", "EASTERN", "INDUSTRIAL", "ISLAMIC")
_DERIVED = ("al", "ial", "ern", "an", "ian", "ic", "ical", "ese", "ish")


def _derives(short: str, long_: str) -> bool:
    """``long_`` is an adjective made of ``short`` ("REGION" and "REGIONAL", "EAST" and "EASTERN",
    "INDUSTRY" and "INDUSTRIAL"): one name says "Gomel Region", the other "Gomel Regional"."""
    if len(short) < 4 or not short.isalpha() or place_of(short) or place_of(long_):
        return False  # a country's words are weighed as places ("IRAN" and "IRANIAN")
    stem = short[:-1] if short[-1] in "ey" else short
    return long_.startswith(stem) and long_[len(stem):] in _DERIVED


def _abbreviates(short: str, long_: str) -> bool:
    """``short`` is a written abbreviation of ``long_``: a number and its ordinal ("140", "140TH"),
    the first three or four letters of a word of eight or more, more than twice as long ("ENG",
    "ELEC", "AIR" for "ENGINEERING", "ELECTRONIC", "AIRLINES"), or two to four letters, the word's
    first and then consonants of it in order ("MGMT", "BLDG" for "MANAGEMENT", "BUILDING")."""
    if short.isdigit():
        return long_[len(short):] in _ORDINAL and long_.startswith(short)
    if not short.isalpha() or not 2 <= len(short) <= 4 or len(long_) < len(short) + 2 or short[0] != long_[0]:
        return False
    if len(short) >= 3 and long_.startswith(short):
        # "SHIP" is a word of its own, not "SHIPPING" cut short, nor "SAT" "SATTARI": what is
        # abbreviated is a long word, to under half its length
        return len(long_) >= 8 and len(long_) > 2 * len(short)
    if any(c in "aeiouy" for c in short[1:]):
        return False
    rest = iter(long_[1:])
    return all(c in rest for c in short[1:])


def _pair_abbreviations(query: Sequence[Token], alias: Sequence[Token], wq: Sequence[float], wa: Sequence[float],
                        q_sim: list[float], a_sim: list[float], q_to: dict[int, int]) -> bool:
    """Pair each name word the alignment left unpaired with an unpaired word of the other name it
    abbreviates or derives from, or that abbreviates or derives from it (in place); whether any
    pair was made."""
    found = False
    for i, q in enumerate(query):
        if q_sim[i] or wq[i] <= FUNCTION_WORD_WEIGHT:
            continue
        for j, a in enumerate(alias):
            if a_sim[j] or wa[j] <= FUNCTION_WORD_WEIGHT or q.arabic or a.arabic:
                continue
            short, long_ = sorted((q.text, a.text), key=len)
            if len(short) < len(long_) and (_abbreviates(short, long_) or _derives(short, long_)):
                q_sim[i] = a_sim[j] = _ABBREVIATED
                q_to[i] = j
                found = True
                break
    return found


#: an initialism's length: "GTF", "IRGC", "NPO" (shorter ones collide with too many words' initials)
_INITIALISM = (3, 6)


def _initials_run(word: str, other: Sequence[Token], weights: Sequence[float], sims: Sequence[float]) -> list[int]:
    """The positions of two or more adjacent unpaired name words of ``other`` (function words between
    them skipped) whose initials spell ``word`` ("GTF" and "GRODNO TOBACCO FACTORY", "IRGC" and
    "ISLAMIC REVOLUTIONARY GUARD CORPS"), or [] if there are none."""
    names = [k for k, w in enumerate(weights) if w > FUNCTION_WORD_WEIGHT]
    for start in range(len(names)):
        run: list[int] = []
        for k in names[start:]:
            if sims[k] or other[k].arabic or not other[k].text[:1].isalpha():
                break
            run.append(k)
            initials = "".join(other[m].text[0] for m in run)
            if initials == word and len(run) >= 2:
                return run
            if not word.startswith(initials):
                break
    return []


def _pair_initialisms(query: Sequence[Token], alias: Sequence[Token], wq: Sequence[float], wa: Sequence[float],
                      q_sim: list[float], a_sim: list[float], q_to: dict[int, int]) -> bool:
    """Pair each unpaired name word of one name that is the initials of adjacent unpaired name words
    of the other (:func:`_initials_run`) with those words (in place): "GTF NEMAN" is "GRODNO TOBACCO
    FACTORY NEMAN"; whether any pair was made."""
    found = False
    for one, other, w_one, w_other, s_one, s_other, mention_is_one in (
            (query, alias, wq, wa, q_sim, a_sim, True), (alias, query, wa, wq, a_sim, q_sim, False)):
        for i, word in enumerate(one):
            lo, hi = _INITIALISM
            if s_one[i] or w_one[i] <= FUNCTION_WORD_WEIGHT or word.arabic or not (
                    lo <= len(word.text) <= hi and word.text.isalpha()):
                continue
            run = _initials_run(word.text, other, w_other, s_other)
            if not run:
                continue
            s_one[i] = _ABBREVIATED
            for k in run:
                s_other[k] = _ABBREVIATED
                if mention_is_one:
                    q_to.setdefault(i, k)
                else:
                    q_to[k] = i
            found = True
    return found


def spelt_out_forms(tokens: Sequence[Token], weights: list[float]) -> list[float]:
    """``weights`` with each word that opens a legal form spelt out weighing as the legal form does:
    "OPEN JOINT STOCK COMPANY" is OJSC, its "open" no name word ("OPEN JOINT STOCK COMPANY
    INVESTCAPITALBANK" is "OJSC INVESTCAPITALBANK").  The same list when there is none."""
    found = [k for k in range(len(tokens) - 1)
             if tokens[k].text in LEGAL_FORM_QUALIFIERS and tokens[k + 1].text in LEGAL_FORMS]
    if not found:
        return weights
    out = list(weights)
    for k in found:
        out[k] = FUNCTION_WORD_WEIGHT
    return out


def kunya_children(tokens: Sequence[Token]) -> frozenset[int]:
    """The positions of the words a kunya names a child by ("Sergei" in "Abu Sergei Naryshkin",
    father of Sergei): in the judge's alignment such a word pairs only with another kunya's child,
    never with a given name, so "Sergei Naryshkin" against "Abu Sergei Naryshkin" is two first
    names that clash, as the name structure says."""
    return frozenset(j for j in range(1, len(tokens)) if tokens[j - 1].text in KUNYA_MARKERS)


def _against(query: Sequence[Token], alias: Sequence[Token], wq: Sequence[float], wa: Sequence[float],
             q_sim: Sequence[float], a_sim: Sequence[float], order_ok: bool, heavy_q: float,
             heavy_a: float) -> str:
    """The strongest evidence against the pair, in words: the heaviest name word left unpaired,
    else a word order the names do not share, else the least alike pair of words ("" if none).
    A function word left unpaired ("in", "of") is never named: it says nothing about identity."""
    if max(heavy_q, heavy_a) > FUNCTION_WORD_WEIGHT:
        side, toks, ws, sims = ("mention", query, wq, q_sim) if heavy_q >= heavy_a else ("alias", alias, wa, a_sim)
        k = max((i for i, s in enumerate(sims) if not s), key=lambda i: ws[i])
        return f"{side} word '{toks[k].text}' unmatched"
    if not order_ok:
        return "the words in another order"
    paired = [i for i, s in enumerate(q_sim) if s]
    if paired and min(q_sim[i] for i in paired) < 0.9:
        k = min(paired, key=lambda i: q_sim[i])
        return f"'{query[k].text}' only {q_sim[k]:.2f} alike"
    return ""


def _soft_cover(
    side: Sequence[Token],
    sims: Sequence[float],
    rest: Sequence[Token],
    weights: Sequence[float],
    soft: Callable[[Token, Token], float],
) -> float:
    """Weighted cover of one name: a paired word counts its similarity, an unpaired name word its
    best learned similarity to the other name's unpaired name words."""
    total = sum(weights) or 1.0
    if not rest:  # (most pairs: nothing unpaired on the other side, so an unpaired word counts 0)
        return sum([w * s for s, w in zip(sims, weights, strict=True)]) / total
    products = []
    for t, s, w in zip(side, sims, weights, strict=True):
        if not s and w > FUNCTION_WORD_WEIGHT:
            s = max([soft(t, o) for o in rest])
        products.append(w * s)
    return sum(products) / total
