"""How the annotator reads one candidate span: the resolver's answer, and what kind of evidence it is.

A span of running text is not a curated name: "Force", "Iron" or "Laith Kadhimi" all get an
answer from :meth:`Resolver.resolve`, and the annotator must know how far to trust it.  A
:class:`Reading` sorts the answer into

- ``STRONG``: the span is an alias of the entity (same normalised form), an exact acronym, or a
  full-length variant spelling of a multi-word alias ("Qassim al-Araji");
- ``WEAK``: the span could name one of a few entities but says too little on its own: a surname or
  given name of a person ("Qaani", "Qais"), a one-word variant spelling ("Kazimi"), or an
  ambiguous full name.  The document decides: it is linked when exactly one of its ``options``
  is named in full elsewhere in the same text, returned as ambiguous when several strong options
  remain, and dropped otherwise;
- ``NONE``: nothing to link.

It works only through the public surface of :mod:`resolver` (``resolve``, the index's
``by_normalized``/``by_acronym``/``entities`` and :func:`resolver.matching.normalize.analyze`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

from resolver.annotate.tokens import tokenize
from resolver.annotate.vocab import NOT_NAMES
from resolver.errors import InvalidQuery
from resolver.matching.normalize import TITLES, Token, analyze
from resolver.matching.scoring import token_similarity
from resolver.results import Candidate, MatchStatus, Resolution

if TYPE_CHECKING:
    from resolver.matching.index import CandidateIndex
    from resolver.resolve import Resolver

__all__ = ["Evidence", "Reading", "read_span"]

#: a token of a short form must match a token of the full name at least this well
#: (0.93 is the resolver's "same coarse skeleton": Qaani/Qa'ani yes, Iraqi/Iraq no)
_TOKEN_SUPPORT = 0.93
#: a one-word variant spelling shorter than this is too likely an ordinary word ("One" ~ "Noah")
_MIN_VARIANT_LENGTH = 4


class Evidence(enum.Enum):
    STRONG = "strong"
    WEAK = "weak"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Reading:
    """The annotator's verdict on one span text (a function of the text and the index alone).

    Attributes:
        resolution: what the resolver answered for the span.
        evidence: see the module docstring.
        acronym: the answer rests on an exact all-caps acronym ("AAH"), which needs context.
        options: for ``WEAK`` readings, the candidates the document may choose between.
        contenders: the candidates that match every token of the span well enough for the span
            to be reported as ambiguous between them when the document does not choose.
    """

    resolution: Resolution
    evidence: Evidence
    acronym: bool = False
    options: tuple[Candidate, ...] = ()
    contenders: tuple[Candidate, ...] = ()


_NOTHING = Evidence.NONE


def _nothing(span: str) -> Reading:
    return Reading(Resolution(span, MatchStatus.UNRESOLVED, None, 0.0, None, "not a name"), _NOTHING)


def _size(alias_text: str) -> int:
    return len(analyze(alias_text).tokens)


def _supported(span_text: str, alias_text: str, *, partial: bool = False) -> bool:
    """Every token of the span matches a token of the alias at least as well as a coarse skeleton.

    With ``partial`` (a short form of a longer name) only the alias's last token, the surname,
    may match by skeleton, and only with three or more consonant classes: other tokens (given
    names, "Abu", "Mahdi") and short ones must be spelt as in the alias, since short skeletons
    collide ("Haidra" and "Haidar" are both HYDR, "Lala" and "Lyell" both LL).
    """
    alias_tokens = analyze(alias_text).tokens
    last = len(alias_tokens) - 1

    def matches(q: Token) -> bool:
        for j, a in enumerate(alias_tokens):
            sim = token_similarity(q, a)[0]
            if q.text == a.text or (sim >= _TOKEN_SUPPORT and (not partial or (j == last and len(q.key) >= 3))):
                return True
        return False

    return all(matches(q) for q in analyze(span_text).tokens)


def _first_word(text: str) -> str:
    words = tokenize(text).texts
    return words[0].casefold() if words else ""


def _same_words(index: CandidateIndex, span: str, normalized: str, entity_id: str) -> bool:
    """The span has as many words as an alias of the entity with its normalised form.

    Normalisation drops titles and particles, so "Qais al-Khazali, the" has the same normalised
    form as the alias "Qais al-Khazali"; for spans that only count as whole aliases, the words
    themselves must correspond too.
    """
    n = len(tokenize(span).texts)
    return any(
        index.aliases[i].entity_id == entity_id and len(tokenize(index.aliases[i].text).texts) == n
        for i in index.by_normalized.get(normalized, ())
    )


def read_span(resolver: Resolver, index: CandidateIndex, span: str, *, exact_only: bool,
              first_word: str, alias_starts: frozenset[tuple[str, str]]) -> Reading:
    """Resolve one candidate span and grade the answer.

    Args:
        resolver: the resolver to ask.
        index: its current index (for exact-alias and acronym checks).
        span: the span text exactly as it stands in the document.
        exact_only: the span holds lower-case words, a comma or an ampersand, so it counts only
            when it is an alias as a whole ("Sadrist movement", "Alaca, Mehmet").
        first_word: the span's first word, case-folded.
        alias_starts: ``(entity_id, first word of an alias)`` pairs: a span opening with a title
            ("Imam Ali", "The Wall Street Journal") counts only if an alias of its entity does too.

    Returns:
        The :class:`Reading`.
    """
    name = analyze(span)
    if not name.tokens or (exact_only and name.normalized not in index.by_normalized):
        return _nothing(span)  # decided without asking the resolver: most spans of a text end here
    try:
        res = resolver.resolve(span)
    except InvalidQuery:
        return _nothing(span)
    # "The", "Prime", "In": a span may open with such a word only where an alias of its entity does.
    titled = first_word in TITLES or first_word in NOT_NAMES
    # An alias that opens with a title-like word ("Interior Ministry", normalised to "ministry")
    # is no exact evidence for a span that lacks the word ("Ministry").
    exact_ids = {
        alias.entity_id
        for alias in (index.aliases[i] for i in index.by_normalized.get(name.normalized, ()))
        if _first_word(alias.text) not in TITLES or _first_word(alias.text) == first_word
    }
    acronym_ids = {index.aliases[i].entity_id for i in index.by_acronym.get(name.acronym or "", ())}
    n_span = len(name.tokens)
    settings = resolver.settings

    def allowed(entity_id: str) -> bool:
        return not titled or (entity_id, first_word) in alias_starts

    matched = res.status is MatchStatus.MATCHED and res.entity is not None and res.alias is not None
    if matched and res.entity is not None and res.alias is not None and allowed(res.entity.id):
        if res.entity.id in acronym_ids:
            # "@WSJ" names its entity outright; a bare "AAH" needs context (see annotate.py).
            return Reading(res, Evidence.STRONG, acronym=span[0] not in "@#")
        if res.entity.id in exact_ids and (not exact_only or _same_words(index, span, name.normalized, res.entity.id)):
            return Reading(res, Evidence.STRONG)
        if exact_only:
            return Reading(res, _NOTHING)
        n_alias = _size(res.alias)
        if n_span == n_alias and n_span >= 2 and _supported(span, res.alias):
            return Reading(res, Evidence.STRONG)
        if n_span > n_alias:
            return Reading(res, _NOTHING)  # the span is more than the name: "Laith Kadhimi"
    if exact_only or (name.acronym is not None and not acronym_ids and len(name.tokens) <= 1):
        return Reading(res, _NOTHING)
    options: list[Candidate] = []
    contenders: list[Candidate] = []
    for cand in res.candidates:
        if cand.score < settings.candidate_threshold or not allowed(cand.entity.id):
            continue
        n_alias = _size(cand.alias)
        if n_span > n_alias:
            continue
        supported = _supported(span, cand.alias)
        person = cand.entity.type == "person"
        if n_span < n_alias:
            # Only people are named by a surname or given name alone.
            ok = person and _supported(span, cand.alias, partial=True)
        elif n_span == 1:
            # One word that is not the alias itself ("Kazimi", "Iron"): too close to ordinary words
            # to trust, except as a person's name that the document also gives in full.
            ok = cand.entity.id in exact_ids or (
                person and cand.score >= settings.threshold_for("person") and len(span) >= _MIN_VARIANT_LENGTH
            )
        else:
            ok = supported and cand.score >= settings.threshold_for(cand.entity.type)  # a full name shared by several
        if ok:
            options.append(cand)
        plausible = res.status is MatchStatus.AMBIGUOUS and cand.score >= settings.threshold_for(cand.entity.type)
        if supported and (ok or plausible):
            contenders.append(cand)
    if not options:
        return Reading(res, _NOTHING)
    return Reading(res, Evidence.WEAK, options=tuple(options), contenders=tuple(contenders))
