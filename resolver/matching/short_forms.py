"""Words written short, and short forms written out, in organisations' names.

An organisation's word and its abbreviation or an adjective made of it ("ENG"/"ENGINEERING",
"140"/"140TH", "REGION"/"REGIONAL": :func:`pair_abbreviations`), an initialism and the words whose
initials it is ("GTF"/"GRODNO TOBACCO FACTORY": :func:`pair_initialisms`), both pairing words the
alignment (:func:`resolver.matching.alignment.align`) left unpaired; and a legal form spelt out
("OPEN JOINT STOCK COMPANY" for OJSC: :func:`spelt_out_forms`).
"""

from __future__ import annotations

from collections.abc import Sequence

from resolver.matching.normalize import Token
from resolver.matching.places import place_of
from resolver.matching.scoring import FUNCTION_WORD_WEIGHT
from resolver.matching.words import LEGAL_FORM_QUALIFIERS, LEGAL_FORMS

__all__ = ["pair_abbreviations", "pair_initialisms", "spelt_out_forms"]

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


def pair_abbreviations(query: Sequence[Token], alias: Sequence[Token], wq: Sequence[float], wa: Sequence[float],
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


def pair_initialisms(query: Sequence[Token], alias: Sequence[Token], wq: Sequence[float], wa: Sequence[float],
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

