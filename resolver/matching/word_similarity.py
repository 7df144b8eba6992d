"""The word-similarity ladder: how alike two words (tokens) are, with the rule that says so.

Works on skeletons already computed by :mod:`resolver.matching.normalize` (rapidfuzz gets ``processor=None``
input).  Token similarity is graded: the same fine skeleton, the same coarse skeleton
(cross-script), the same loose skeleton (K/Q, D/Z confusions), then an edit distance over the
loose skeleton.  The word lists of :mod:`resolver.matching.words` (forms of one name, distinct
names, kinds of organisation) are read here.  Name scoring over these similarities is
:mod:`resolver.matching.scoring`.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz.distance import OSA

from resolver.matching.normalize import Token, analyze
from resolver.matching.skeletons import coarse, glide_apart, loose
from resolver.matching.words import DISTINCT_NAMES, NAME_EQUIVALENTS, ORG_TYPES

__all__ = ["ALONE_CAP", "JOINED", "NAME_FORMS", "RULED_OUT", "RULED_OUT_LIMIT", "TOKEN_FLOOR", "distinct_names",
           "key_forms", "keys_may_pair", "listed_pair", "may_be_glide", "same_name", "spells_joined", "text_similarity",
           "token_similarity"]

#: token similarity below this counts as no match at all
TOKEN_FLOOR = 0.6
#: similarity of two words naming one kind of organisation in two languages ("Anstalt", "Establishment")
_SAME_KIND = 0.9
#: similarity of tokens that may be the same name but must not match on their own (one
#: confusable letter, a one- or two-class skeleton, -iya against -i): below every match threshold
ALONE_CAP = 0.74


#: similarity of two forms of one name in other languages or romanisations (Mykola/Nikolai, Jong/Chong)
_EQUIVALENT = 0.9
#: the similarity of a word to two adjacent words of the other name written as one ("Azarpad"/"Azar Pad")
JOINED = 0.95
#: a word read as two words written together has at least this many letters
JOINED_MIN_LETTERS = 5


def spells_joined(word: Token, first: Token, second: Token) -> bool:
    """``word`` is ``first`` and ``second`` written as one ("Azarpad" and "Azar Pad", "Onerbank" and
    "Oner Bank"): the same letters, or the same loose skeleton (of four classes at least)."""
    if word.text == first.text + second.text:
        return True
    joined = coarse(first.key) + coarse(second.key)
    return len(joined) >= 4 and loose(joined) == loose(coarse(word.key))


def _name_forms(groups: dict[str, frozenset[str]]) -> dict[str, frozenset[str]]:
    """A word list of :mod:`resolver.matching.words` by the words as the normaliser writes them
    (its word lists are in the forms people write)."""
    def written(word: str) -> str:
        tokens = analyze(word).tokens
        return tokens[0].text if len(tokens) == 1 else word

    forms: dict[str, set[str]] = {}
    for word, others in groups.items():
        forms.setdefault(written(word), set()).update(written(o) for o in others)
    return {word: frozenset(others - {word}) for word, others in forms.items()}


NAME_FORMS = _name_forms(NAME_EQUIVALENTS)
_DISTINCT_FORMS = _name_forms(DISTINCT_NAMES)


def same_name(q: str, a: str) -> bool:
    """The two words (as the normaliser writes them) are forms of one name in other languages or
    romanisations (``resolver/data/name_words.toml``, ``name_equivalents``)."""
    return a in NAME_FORMS.get(q, ())


def distinct_names(q: str, a: str) -> bool:
    """The two words (as the normaliser writes them) are two names that share a consonant skeleton
    (Muhammad/Mahmud, Jamal/Jamil: ``name_words.toml``, ``distinct_names``), never one name."""
    return a in _DISTINCT_FORMS.get(q, ())


def listed_pair(q: str, a: str) -> bool | None:
    """What the word lists say of two words (as the normaliser writes them): True for two forms of
    one name (:func:`same_name`), False for two names that share a skeleton (:func:`distinct_names`,
    which wins were a pair in both lists), None where the lists are silent.  The one reading of the
    lists for the rule scorer's ladder and the learned token similarity
    (:meth:`resolver.matching.model.MatcherModel.token_similarity`)."""
    if distinct_names(q, a):
        return False
    if same_name(q, a):
        return True
    return None


@lru_cache(maxsize=32768)
def key_forms(key: str) -> tuple[str, str]:
    """The coarse key, and its loose form with the final nisba Y kept (Kadhim/Kadhimi, Irak/Araji differ)."""
    c = coarse(key)
    return c, _loose_keep_final(c)


@lru_cache(maxsize=65536)
def _key_similarity(qk: str, ak: str) -> tuple[float, str]:
    if qk == ak:
        return 1.0, "skeleton"
    (cq, lq), (ca, la) = key_forms(qk), key_forms(ak)
    if cq == ca:
        return 0.93, "coarse skeleton"
    if lq == la and len(cq) == len(ca) and sum(x != y for x, y in zip(cq, ca, strict=True)) == 1:
        # One K/Q, D/Z, S/Z or J/Q swap: the same name in another transliteration, or another
        # name (Khazali/Ghazali): alone it stays below the match threshold; with a second token
        # it can match.  Two swaps make another name (Edgar/Oscar, Drago/Zarko).
        return ALONE_CAP, "confusable letters"
    if min(len(lq), len(la)) < 3:
        return 0.0, ""
    # Optimal string alignment: a transposition (Soliemani, Mahlerbe) is one edit, not two.
    s = OSA.normalized_similarity(cq, ca, processor=None)
    if s < 0.8:  # at most one edit in five classes: Kadhimi (KZMY) is not Khazali (KZLY)
        return 0.0, ""
    return 0.9 * s, "fuzzy skeleton"


#: :func:`keys_may_pair`'s answers by "QK\x1fAK" (keys are skeleton letters): a plain dict of strings
#: and booleans, which the garbage collector never tracks; an ``lru_cache`` of the same 95,000 pairs
#: (the SDN pass) was walked by every full collection, a fifth of its time
_MAY_PAIR: dict[str, bool] = {}
_MAY_PAIR_LIMIT = 131_072


def keys_may_pair(qk: str, ak: str) -> bool:
    """Whether two words with these coarse keys can pair in
    :func:`~resolver.matching.scoring.score_alias` at all.

    The index asks before it follows a near key: a key one deletion away in the loose skeleton
    but further than the ladder's floor ("Kweider" and "Kader") only brings in aliases that
    score nothing.  A key one final letter longer is kept for English plurals (Guard/Guards).
    """
    pair = qk + "\x1f" + ak
    found = _MAY_PAIR.get(pair)
    if found is None:
        if len(_MAY_PAIR) >= _MAY_PAIR_LIMIT:
            _MAY_PAIR.clear()
        found = _MAY_PAIR[pair] = _may_pair(qk, ak)
    return found


def _may_pair(qk: str, ak: str) -> bool:
    if _key_similarity(qk, ak)[0] >= TOKEN_FLOOR:
        return True
    short, long_ = (qk, ak) if len(qk) <= len(ak) else (ak, qk)
    return len(long_) == len(short) + 1 and long_.startswith(short)


def _loose_keep_final(key: str) -> str:
    return loose(key[:-1]) + key[-1] if key.endswith("Y") else loose(key)


def _ending(text: str) -> str:
    """The vowel a token ends in: "a" (-a/-ah/-eh, ta marbuta, ى), "i" (-i/-y/-ee, ي, nisba), or ""."""
    if text.endswith(("ة", "ه", "ى", "ا")):
        return "a"
    if text.endswith("ي"):
        return "i"
    if text.endswith(("iya", "iyah", "iyya", "iyyah", "iyeh", "ia", "a", "ah", "eh")):
        return "a"
    if text.endswith(("i", "y", "ee")):
        return "i"
    return ""


#: for a mention word (text, key), what the last
#: :meth:`~resolver.matching.scoring.MentionScorer.prepare` that met it learnt: the alias words
#: (text, key) it was compared with, and those not ruled out
RULED_OUT: dict[tuple[str, str], tuple[frozenset[tuple[str, str]], frozenset[tuple[str, str]]]] = {}
#: the judge asks about the mention just scored, so a few hundred mentions are enough (each holds
#: the set of its candidates' words)
RULED_OUT_LIMIT = 1_000


def token_similarity(q: Token, a: Token) -> tuple[float, str]:
    """How alike two tokens are, and why: 1.0 for the same spelling, lower down the ladder, and
    (0.0, "") below the floor."""
    known = RULED_OUT.get((q.text, q.key))
    if known is not None:
        pair = (a.text, a.key)
        if pair in known[0] and pair not in known[1]:
            return 0.0, ""  # ruled out by the scorer a moment ago
    return text_similarity(q.text, q.key, a.text, a.key, q.arabic or a.arabic)


@lru_cache(maxsize=131072)
def text_similarity(qt: str, qk: str, at: str, ak: str, arabic: bool) -> tuple[float, str]:
    """Two words' similarity and why, from their texts and keys (cached by value): the word lists first
    (two names sharing a skeleton are 0), then the ladder."""
    listed = listed_pair(qt, at)
    if listed is False:
        return 0.0, ""
    sim, why = _ladder(qt, qk, at, ak, arabic)
    if sim < _EQUIVALENT and listed:
        return _EQUIVALENT, "name equivalent"
    return sim, why


#: similarity of two spellings of one name, one with the glide w and one with vowels in a row there
_GLIDE = 0.85
#: vowels in a row, one of them u or o: how Latin spellings write the glide w between vowels
#: ("Daud", "Daoud", "Quaydir", "Zaoura", "Fuad")
_HIATUS_RE = re.compile("[aeiou][ou]|[ou][aeiou]")


def may_be_glide(text: str, key: str, other: str) -> bool:
    """Whether a word (its text and coarse key) may be another word's spelling with or without the
    glide w, knowing only the other word's coarse key (retrieval's near keys): the keys differ by
    one W, and the word writes vowels in a row where the other has the W ("Daud" for DWD), or writes
    the W itself as w ("Dawud" for DD; not v: "Trover" is not "Turira")."""
    return glide_apart(key, other) and (_HIATUS_RE.search(text) is not None if len(key) < len(other)
                                        else "w" in text)


def _glide_spelling(qt: str, cq: str, at: str, ca: str) -> bool:
    """One word writes the glide w ("Dawud", "Quwaydir", "Zawra", "داود") where the other writes
    vowels in a row ("Daud", "Quaydir", "Zaoura"): their coarse keys differ by that W alone.  (An
    Arabic-script word writes no Latin vowels: it is only ever the word with the W.)"""
    return glide_apart(cq, ca) and _HIATUS_RE.search(at if len(cq) > len(ca) else qt) is not None


def _ladder(qt: str, qk: str, at: str, ak: str, arabic: bool) -> tuple[float, str]:
    if qt == at:
        return 1.0, "exact"
    kind = ORG_TYPES.get(qt)
    if kind is not None and ORG_TYPES.get(at) == kind:
        return _SAME_KIND, "same kind of organisation"
    sim, why = _key_similarity(qk, ak)
    if sim >= 0.8 and len(key_forms(qk)[0]) <= 2 and qt[:1] != at[:1]:
        # A skeleton of one or two classes is shared by too many words ("On"/"Noah", "Yet"/"Taee"):
        # unless the words at least begin alike (Dora/Doura), it supports a longer name but
        # never matches on its own.
        return min(sim, ALONE_CAP), "short skeleton"
    if sim < _GLIDE and _glide_spelling(qt, key_forms(qk)[0], at, key_forms(ak)[0]):
        return _GLIDE, "glide w"
    singular = qt if qt + "s" == at else at if at + "s" == qt else ""
    if sim < 0.9 and not arabic and len(singular) >= 4 and singular[-1] not in "iy":
        # English plurals of ordinary words (Guards/Guard, Brigades/Brigade), not of nisba
        # surnames ("the Kadhimis" is not Kadhimi).
        return 0.9, "plural"
    if sim < 0.72 and not arabic and min(len(qt), len(at)) >= 5:
        # Spelling variants the skeleton separates (Dionisio/Dionicio, Coranado/Corado): one
        # edit in five letters of the written form still counts as a fuzzy match.
        text_sim = OSA.normalized_similarity(qt, at, processor=None)
        if text_sim >= 0.8:
            return 0.9 * text_sim, "fuzzy spelling"
    if sim >= 0.93:
        # The skeleton drops final vowels, but a feminine -iya is not the nisba -i:
        # Kadhimiya (a district) is not Kadhimi (a surname).
        ends = {_ending(qt), _ending(at)}
        if ends == {"a", "i"}:
            return ALONE_CAP, "skeleton, other ending"
        if sim == 1.0 and not arabic:
            return 0.97, why  # same skeleton, other spelling: Kazemi/Kadhimi
    return sim, why
