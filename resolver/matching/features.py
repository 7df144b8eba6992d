"""The evidence about one (mention, alias) pair, as numbers a learned model can weigh.

:func:`pair_evidence` aligns the mention's tokens with the alias's tokens one to one
(:func:`resolver.matching.alignment.align`: the same token similarity ladder as
:mod:`resolver.matching.scoring`, heaviest agreement first), then reads off what agrees and what
does not: how much of each side's IDF weight is covered, the heaviest word left unmatched on either
side, a softer spelling similarity for the words the ladder leaves unpaired (learned from real
variant pairs, see :mod:`resolver.matching.model`, whose inputs :func:`token_features` gives),
order, first and last names, whole-name skeleton similarity, the entity's type.  The same
function feeds training (``train/train_matcher.py``) and every lookup, so the two cannot drift.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rapidfuzz.distance import OSA, Indel, JaroWinkler, Levenshtein, Postfix, Prefix

from resolver.matching.alignment import JOINED, Alignment, align
from resolver.matching.normalize import Token, coarse_flat
from resolver.matching.places import place_of
from resolver.matching.scoring import FUNCTION_WORD_WEIGHT
from resolver.matching.skeletons import coarse, loose
from resolver.matching.words import COMMON_GIVEN_NAMES, LEGAL_FORM_KINDS, TITLES

__all__ = ["PAIR_FEATURES", "Evidence", "pair_evidence", "token_features"]

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


#: how alike by Jaro-Winkler two words left unpaired must be for their learned similarity to say they
#: are spellings of each other (``Evidence.free_alike``).  The token model is fitted on word pairs of at
#: least 0.5 (``train/train_matcher.py``'s ``aligned_words``) and tells them apart only so well (AUC
#: about 0.79): of the training part's person pairs whose clash the learned similarity alone (>= 0.6)
#: would waive, at p >= 0.4 after a retrain, those under 0.7 by Jaro-Winkler were 3 right and 4 wrong
#: ("Agha" / "Ali", "Guillermo" / "Joaquin", "Balaba" / "Tabachnyk"), those from 0.7 43 right, 4 wrong
_SPELT_LETTERS = 0.7


# (not frozen: one is made per candidate of every lookup, and a frozen dataclass sets each field through
# object.__setattr__ at three times the cost; none is changed once made)
@dataclass(slots=True)
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
    #: a person's, when both names leave name words unpaired: how alike, by the learned similarity, the
    #: least alike of the mention's is to its closest of the alias's ("Tsertsel" and "Tertel" 0.80; 0.0
    #: when either leaves none, and for an organisation)
    free_alike: float = 0.0


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
    x, y = _letter_pairs(a), _letter_pairs(b)
    return 2 * len(x & y) / (len(x) + len(y))


#: each word's (or skeleton's) letter pairs: a word meets many others (a mention's words every
#: candidate's), and making the set was most of the learned token similarity's cost for a new pair
_LETTER_PAIRS: dict[str, frozenset[str]] = {}
_LETTER_PAIRS_LIMIT = 50_000


def _letter_pairs(word: str) -> frozenset[str]:
    """The word's letter pairs; a word too short for a pair is its own."""
    found = _LETTER_PAIRS.get(word)
    if found is None:
        if len(_LETTER_PAIRS) >= _LETTER_PAIRS_LIMIT:
            _LETTER_PAIRS.clear()
        found = _LETTER_PAIRS[word] = frozenset({word[i : i + 2] for i in range(len(word) - 1)} or {word})
    return found


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
    alignment: Alignment | None = None,
) -> Evidence:
    """Align a mention with one alias and measure the agreement (see :data:`PAIR_FEATURES`).

    Args:
        query, alias: the two names' tokens.
        wq, wa: their IDF weights (squared IDF, as :meth:`CandidateIndex.weight` gives).
        rule: the rule scorer's value for this pair.
        person: the alias's entity is a person.
        max_weight: the weight of a word never seen in the store (the largest there is).
        soft: learned similarity of two words in [0, 1].
        alignment: the pair's alignment when the caller made it already (``align`` of the same
            names and weights, ``organisation=not person``).
    """
    al = alignment if alignment is not None else align(query, alias, wq, wa, organisation=not person)
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
    learned = {i: JOINED if i in joined_q else soft(query[i], alias[j]) for i, j in q_to.items()}
    order_ok = all(q_to[x] <= q_to[y] for x, y in zip(sorted(q_to), sorted(q_to)[1:], strict=False))
    worst_against = _against(query, alias, wq, wa, q_sim, a_sim, order_ok, heavy_q, heavy_a)
    exact = sum([w for w, q, i in zip(wq, query, range(len(query)), strict=True)
                 if i in q_to and alias[q_to[i]].text == q.text]) / sq
    # First, last and whole-name agreement are about the name words: "Niru Co. Ltd." ends in Niru.
    words_q = [i for i, w in enumerate(wq) if w > FUNCTION_WORD_WEIGHT] or list(range(len(query)))
    words_a = [j for j, w in enumerate(wa) if w > FUNCTION_WORD_WEIGHT] or list(range(len(alias)))
    fq, fa = coarse_flat(query[i] for i in words_q), coarse_flat(alias[j] for j in words_a)
    flat_sim = OSA.normalized_similarity(loose(fq), loose(fa)) if fq and fa else 0.0
    free_alike = 0.0
    if free_q and free_a:
        # Both names keep a word the alignment could not pair, so the whole-name skeletons agree
        # only as far as those words do: the loose classes make short unrelated words collide
        # ("xyz" and "Quds" are both KZZ, so "IRGC XYZ" looked like "IRGC-Quds").  Their agreement
        # is credited only as far as the learned similarity calls them one word spelt two ways
        # (Vimolsri/Wimonsi), or their coarse skeletons, without the loose classes, agree.
        strict = OSA.normalized_similarity(fq, fa)
        sims = [[soft(query[i], alias[j]) for j in free_a] for i in free_q]
        alike = min(map(max, sims))
        flat_sim = min(flat_sim, max(strict, alike))
        if person:
            # (only of words whose letters agree as well: the learned similarity calls random letters
            # and a name alike too, "xyzabc" and "khazali" 0.71, Jaro-Winkler 0.37)
            free_alike = min(max(s if JaroWinkler.normalized_similarity(query[i].text, alias[j].text) >= _SPELT_LETTERS
                                 else 0.0 for j, s in zip(free_a, row, strict=True))
                             for i, row in zip(free_q, sims, strict=True))
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
                    gap_mid, free_alike)

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
