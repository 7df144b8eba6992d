"""How the annotator reads one candidate span: the resolver's answer, and how far running text may trust it.

A span of running text is not a curated name: "Iron", "Door" or "Ameri" all get an answer from
:meth:`Resolver.resolve`.  The ENTITY always comes from that answer, at the resolver's own
thresholds; a :class:`Reading` only says whether the span may carry it on its own:

- ``STRONG``: ``resolve(span)`` matched, and the span is an alias of the entity as normalised, an
  exact acronym, or a name of two or more words each of which is a spelling of a word of the
  matched alias ("Islamic Revolutionary Guards Corps", "Intelligence Ministry");
- ``WEAK``: the span could name one of a few people but says too little on its own: a surname or
  given name ("Qaani", "Ameri", "Qais") or a one-word variant spelling ("Kazimi", "Soliemani").
  The document decides: it is linked when exactly one of its ``options`` is named in full in the
  same text, reported as ambiguous when several strong ``contenders`` remain, and dropped
  otherwise;
- ``NONE``: nothing to link.

It uses only the :class:`Resolution` (entity, score, alias and candidates), the resolver's
settings and :func:`resolver.matching.normalize.analyze`: never the index or the store's vocabulary.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from rapidfuzz.fuzz import ratio

from resolver.annotate.tokens import JOINT_AMP, JOINT_COMMA, LOWER, tokenize
from resolver.annotate.words import CONNECTORS, DEMONYMS, NOT_NAMES, TITLE_WORDS
from resolver.matching.normalize import Token, analyze
from resolver.matching.skeletons import coarse, loose
from resolver.matching.words import COMMON_GIVEN_NAMES, TITLES
from resolver.results import Candidate, MatchStatus, Resolution
from resolver.settings import Settings

__all__ = ["Evidence", "Reading", "read_span"]

#: a one-word variant spelling shorter than this is too likely an ordinary word ("One" ~ "Noah")
_MIN_VARIANT_LENGTH = 4
#: a one-word variant spelling this long is linked on its own ("Teheran"), a shorter one in context
#: only; a one-word surname or given name spelt as in the matched alias ("Maliki") always
_MIN_ALONE = 6
#: the words that only mark word order: "Ministry of Interior" is the "Interior Ministry"
_REORDERING = frozenset({"of", "the"})
#: two spellings of one word (rapidfuzz ratio over the words or their skeletons)
_SPELLING_RATIO = 85.0


class Evidence(enum.Enum):
    STRONG = "strong"
    WEAK = "weak"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Reading:
    """The annotator's verdict on one span text (a function of the text and the resolver's answer).

    Attributes:
        resolution: what the resolver answered for the span.
        evidence: see the module docstring.
        known: some alias shares a word with the span, however weakly (the resolver's score is
            above 0): a word with none cannot begin or end a longer name the resolver would match.
        listed: the resolver lists a candidate for the span (a score of 0.5 or more): what a
            lower-case word needs to end a name ("Sadrist movement"), since ordinary words are
            most of a text and weakly resemble some alias all too often.
        exact: the span is the matched alias itself (as normalised), or its exact acronym.
        variant: one word that is a variant spelling of the matched alias, of six letters or more
            ("Teheran", "Ghaani"): strong where a capital marks a name, but at the start of a
            sentence or in a title-case line ("Missile", "Carried") only the document can make it
            a name, and then only a person's (its ``options``).
        acronym: the answer rests on an exact all-caps acronym ("AAH"), which needs context.
        shortened: a phrase with lower-case words that leaves out inner words of the alias
            ("Baghdad airport"): it stands only where its capitalised words are themselves a name
            the resolver matches as an alias ("Baghdad"), not an adjective ("Iraqi forces",
            "Popular forces", "Independent commission"); the annotator checks that.
        options: for ``WEAK`` readings, the candidates the document may choose between.
        contenders: the candidates that match every word of the span well enough for the span
            to be reported as ambiguous between them when the document does not choose.
    """

    resolution: Resolution
    evidence: Evidence
    known: bool = False
    listed: bool = False
    exact: bool = False
    variant: bool = False
    acronym: bool = False
    shortened: bool = False
    options: tuple[Candidate, ...] = ()
    contenders: tuple[Candidate, ...] = ()


def _same_word(q: Token, a: Token) -> bool:
    """The same word: same normalised text, or the same coarse skeleton of three classes or more."""
    return q.text == a.text or (len(a.key) >= 3 and coarse(q.key) == coarse(a.key))


def _spelling_of(q: Token, a: Token) -> bool:
    """``q`` is a spelling of ``a``: transliteration ("Hizbollah"), plural ("Guards"), -isation."""
    if _same_word(q, a):
        return True
    if len(q.key) >= 2 and loose(coarse(q.key)) == loose(coarse(a.key)):
        return True
    if q.arabic or a.arabic:
        return False
    if q.text.rstrip("s") == a.text.rstrip("s"):
        return True
    return len(q.text) >= 5 and len(a.text) >= 5 and (
        ratio(q.text, a.text) >= _SPELLING_RATIO or ratio(q.key, a.key) >= _SPELLING_RATIO
    )


def _spells(span_tokens: tuple[Token, ...], alias_tokens: tuple[Token, ...]) -> bool:
    """Every word of the span is a spelling of some word of the alias (extra words are another name).

    "of" and "the" are left out on both sides ("Ministry of Interior" spells "Interior Ministry");
    any other word counts ("Hezbollah and Kata'ib" is two names, "Muthanna Bridge in Baghdad" a
    name and a place).
    """
    span_words = [q for q in span_tokens if q.text not in _REORDERING] or list(span_tokens)
    alias_words = [a for a in alias_tokens if a.text not in _REORDERING] or list(alias_tokens)
    return len(span_words) <= len(alias_words) and all(
        any(_spelling_of(q, a) for a in alias_words) for q in span_words
    )


def _part_of(span_tokens: tuple[Token, ...], alias_tokens: tuple[Token, ...]) -> bool:
    """The span is a short form of the alias: a surname ("Qaani") or given name ("Qais").

    Only the alias's last word, the surname, may match by skeleton, and only with three or more
    consonant classes; other words (given names, "Abu", "Mahdi") and short ones must be spelt as
    in the alias, since short skeletons collide ("Haidra" and "Haidar", "Lala" and "Lyell").
    """
    last = len(alias_tokens) - 1
    return all(
        any(q.text == a.text or (j == last and len(coarse(a.key)) >= 3 and coarse(q.key) == coarse(a.key))
            for j, a in enumerate(alias_tokens))
        for q in span_tokens
    )


def _shortened(span_tokens: tuple[Token, ...], lower: list[str], alias_tokens: tuple[Token, ...]) -> bool:
    """A phrase with lower-case words that is the alias with inner words left out ("Baghdad
    airport" for "Baghdad International Airport"): it keeps the alias's first word (the name) and
    ends with its last (the noun that says what the thing is), each of its lower-case words is a
    word of the alias as written, and each of its words spells a word of the alias.  "Baghdad
    international" (not the head noun), "Security forces" (not "Iraqi Security Forces": the
    name is gone) and "Baghdad province" (a word the alias lacks) are not.
    """
    alias_words = {a.text for a in alias_tokens}
    return (
        len(span_tokens) >= 2
        and bool(alias_tokens)
        and _spelling_of(span_tokens[0], alias_tokens[0])
        and span_tokens[-1].text == alias_tokens[-1].text
        and all(word in alias_words for word in lower)
        and _spells(span_tokens, alias_tokens)
    )


def _first_word(text: str) -> str:
    words = tokenize(text).texts
    return words[0].casefold() if words else ""


def read_span(span: str, res: Resolution, settings: Settings) -> Reading:
    """Grade the resolver's answer for one candidate span.

    Args:
        span: the span text exactly as it stands in the document.
        res: ``resolve(span)``.
        settings: the resolver's settings (its thresholds).

    Returns:
        The :class:`Reading`.
    """
    name = analyze(span)
    # The resolver never lets a lone common given name ("Qasem") reach a longer name, but such a
    # name still begins one ("Qasem Soleimani").
    # Short acronyms ("TV", "DC") are only ever matched exactly, so the resolver gives them no
    # score unless they are an alias; yet they end names ("al-Ahad TV", "Washington DC").
    listed = bool(res.candidates)
    known = res.score > 0 or listed or name.acronym is not None or (
        bool(name.tokens) and all(t.text in COMMON_GIVEN_NAMES for t in name.tokens)
    )
    if not name.tokens:
        return Reading(res, Evidence.NONE, known, listed)
    words = tokenize(span)
    first_word = words.texts[0].casefold()
    # Lower-case words ("Sadrist movement"), a comma ("Alaca, Mehmet") or an ampersand: the span
    # is an ordinary phrase unless it is an alias as a whole.
    lower = [text.casefold() for text, kind in zip(words.texts, words.kinds, strict=True)
             if kind == LOWER and text.casefold() not in CONNECTORS]
    exact_only = bool(lower) or any(joint in (JOINT_COMMA, JOINT_AMP) for joint in words.joints)
    if lower and any(joint in (JOINT_COMMA, JOINT_AMP) for joint in words.joints):
        lower = []  # a comma or an ampersand: only the alias itself
    # "The", "Prime", "In": a span may open with such a word only where the alias does.
    titled = first_word in TITLE_WORDS or first_word in NOT_NAMES

    def allowed(alias: str) -> bool:
        return not titled or _first_word(alias) == first_word

    def exact(alias: str) -> bool:
        """The span is this alias as normalised (and word for word, for phrases).

        An alias that opens with a title-like word is no exact evidence for a span that lacks it.
        """
        if analyze(alias).normalized != name.normalized:
            return False
        opening = _first_word(alias)
        if opening in TITLES and opening != first_word:
            return False
        return not exact_only or len(tokenize(alias).texts) == len(words)

    n_span = len(name.tokens)
    if res.status is MatchStatus.MATCHED and res.entity is not None and res.alias is not None and allowed(res.alias):
        alias = analyze(res.alias)
        if name.acronym is not None and alias.acronym == name.acronym:
            # "@WSJ" names its entity outright; a bare "AAH" needs context (see annotator.py).
            return Reading(res, Evidence.STRONG, known, listed, exact=True, acronym=span[0] not in "@#")
        if exact(res.alias):
            return Reading(res, Evidence.STRONG, known, listed, exact=True)
        if exact_only:
            if lower and _shortened(name.tokens, lower, alias.tokens):
                return Reading(res, Evidence.STRONG, known, listed, shortened=True)  # "Baghdad airport"
            return Reading(res, Evidence.NONE, known, listed)
        if n_span >= 2 and _spells(name.tokens, alias.tokens):
            return Reading(res, Evidence.STRONG, known, listed)
        # One word stands for a name on its own only as the name's last word, the surname ("Maliki"):
        # a given name alone ("Qais", "Samial" ~ Esmail) needs the document, whatever the resolver says.
        surname = alias.tokens[-1] if alias.tokens else None
        person = res.entity.type == "person"
        if n_span == 1 and person and surname is not None and name.tokens[0].text == surname.text:
            return Reading(res, Evidence.STRONG, known, listed)  # a surname as stored
        if n_span == 1 and surname is not None and sum(c.isalpha() for c in span) >= _MIN_ALONE and _spelling_of(
            name.tokens[0], surname
        ) and first_word not in DEMONYMS:
            # A variant spelling ("Teheran", "Basrah"): a name where capitals mark names, but
            # "Missile" and "Carried" open sentences too (see Reading.variant).  An adjective of
            # nationality ("American", a letter from "America") is not the place it is made of.
            mine = tuple(c for c in res.candidates if c.entity.id == res.entity.id) if person else ()
            return Reading(res, Evidence.STRONG, known, listed, variant=True, options=mine)
    if exact_only or (name.acronym is not None and n_span <= 1):
        return Reading(res, Evidence.NONE, known, listed)
    options: list[Candidate] = []
    contenders: list[Candidate] = []
    for cand in res.candidates:
        if cand.score < settings.candidate_threshold or not allowed(cand.alias):
            continue
        alias_tokens = analyze(cand.alias).tokens
        if n_span > len(alias_tokens):
            continue
        spelt = _spells(name.tokens, alias_tokens)
        person = cand.entity.type == "person"
        if n_span < len(alias_tokens):
            # Only people are named by a surname or given name alone.
            ok = person and _part_of(name.tokens, alias_tokens)
        elif n_span == 1:
            # One word that is not the alias itself ("Kazimi", "Iron"): too close to ordinary words
            # to trust, except as a person's name that the document also gives in full.
            ok = exact(cand.alias) or (
                person and cand.score >= settings.threshold_for("person") and len(span) >= _MIN_VARIANT_LENGTH
            )
        else:
            ok = spelt and cand.score >= settings.threshold_for(cand.entity.type)  # a full name shared by several
        if ok:
            options.append(cand)
        plausible = res.status is MatchStatus.AMBIGUOUS and cand.score >= settings.threshold_for(cand.entity.type)
        if spelt and (ok or plausible):
            contenders.append(cand)
    if not options:
        return Reading(res, Evidence.NONE, known, listed)
    return Reading(res, Evidence.WEAK, known, listed, options=tuple(options), contenders=tuple(contenders))
