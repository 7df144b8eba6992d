"""Choosing among a text's candidate spans: the document decides weak spans, longest wins, no stretching.

The annotator (:mod:`resolver.annotate`) reads every candidate span; this module holds the
document-level decisions that come after: which entities the text names in full (its context),
what a weak span becomes in that context (:func:`decide`), which spans survive when they
overlap (:func:`choose`), which spans are only the visible part of a longer, unknown name: a
namesake's surname, "Badr" in "Badr Hassoun" (:func:`drop_stretched`), and which lines are
headlines in title case (:func:`title_case`).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from functools import lru_cache
from typing import NamedTuple

from rapidfuzz.distance import Levenshtein

from resolver.annotate.reading import Evidence, Reading
from resolver.annotate.tokens import CAPITAL, JOINT_HYPHEN, JOINT_SPACE, LOWER, Tokens
from resolver.annotate.words import ARTICLES, DEMONYMS, NOT_NAMES, TITLE_WORDS
from resolver.results import MatchStatus, Resolution

__all__ = ["Span", "choose", "decide", "drop_stretched", "title_case"]


class Span(NamedTuple):
    """Tokens ``i``..``j`` (inclusive) of a text, what the annotator read there, and the decision.

    (A named tuple: a text has hundreds of candidate spans, made afresh for every document.)
    """

    i: int  # first token
    j: int  # last token (inclusive)
    reading: Reading
    resolution: Resolution | None = None  # the decision, once made

    @property
    def size(self) -> int:
        return self.j - self.i + 1


def decide(span: Span, context: set[str]) -> Span | None:
    """The span with its final resolution, or None when the document gives no reason to link it."""
    reading = span.reading
    res = reading.resolution
    if reading.evidence is Evidence.STRONG:
        return span if span.resolution is res else span._replace(resolution=res)
    known = [c for c in reading.options if c.entity.id in context]
    if len(known) == 1:
        cand = known[0]
        linked = Resolution(res.query, MatchStatus.MATCHED, cand.entity, cand.score, cand.alias,
                            f"{cand.entity.name} is named in full in the same text; alias {cand.alias!r} "
                            f"({cand.explanation})", res.candidates)
        return Span(span.i, span.j, reading, linked)
    if len(reading.contenders) >= 2:
        if res.status is not MatchStatus.AMBIGUOUS:
            names = ", ".join(c.entity.name for c in reading.contenders[:3])
            res = Resolution(res.query, MatchStatus.AMBIGUOUS, None, reading.contenders[0].score, None,
                             f"{len(reading.contenders)} entities are plausible: {names}", res.candidates)
        return Span(span.i, span.j, reading, res)
    return None


def choose(spans: list[Span]) -> list[Span]:
    """Longest first, then an alias itself before a partial spelling ("Quds Force" before
    "Iranian Quds" in "Iranian Quds Force"), then leftmost; a span that overlaps one already
    chosen is skipped."""
    taken: list[tuple[int, int]] = []
    chosen = []
    for s in sorted(spans, key=lambda s: (s.i - s.j, not s.reading.exact, s.i)):
        k = bisect.bisect_left(taken, (s.i, s.i))
        if (k > 0 and taken[k - 1][1] >= s.i) or (k < len(taken) and taken[k][0] <= s.j):
            continue
        taken.insert(k, (s.i, s.j))
        chosen.append(s)
    return chosen


def title_case(text: str, tk: Tokens, names: list[Span]) -> Callable[[int], bool]:
    """Tells whether the line at a character offset is in title case ("Kazemi Might Finally Be ...").

    There every word is capitalised, so a capital says nothing about names.  The words that count
    are those of four letters or more outside ``names`` (the spans of names already found: a
    sentence dense with names looks title-cased too): at least three, three quarters capitalised.
    """
    headlines: dict[int, bool] = {}
    covered: set[int] = set()

    def in_headline(pos: int) -> bool:
        start = text.rfind("\n", 0, pos) + 1
        found = headlines.get(start)
        if found is None:
            if not covered:
                covered.update(k for s in names for k in range(s.i, s.j + 1))
            end = text.find("\n", pos)
            first = bisect.bisect_left(tk.starts, start)
            last = bisect.bisect_left(tk.starts, end) if end >= 0 else len(tk)
            words = [k for k in range(first, last)
                     if tk.kinds[k] in (CAPITAL, LOWER) and len(tk.texts[k]) >= 4 and k not in covered]
            capitals = sum(tk.kinds[k] == CAPITAL for k in words)
            found = headlines[start] = len(words) >= 3 and capitals * 4 >= len(words) * 3
        return found

    return in_headline


@lru_cache(maxsize=16384)
def _near_title(word: str) -> bool:
    """A long title with one letter wrong or missing ("Minster"): typos of titles are still titles.

    Only titles of eight letters or more: one letter away from a short title is as often a name
    ("Malana" is not "Maulana", "Sayed" may be a given name), and a name word must stay a name word.
    """
    return len(word) >= 7 and any(
        len(t) >= 8 and abs(len(word) - len(t)) <= 1 and Levenshtein.distance(word, t, score_cutoff=1) <= 1
        for t in TITLE_WORDS
    )


def _person(s: Span) -> bool:
    res = s.resolution
    if res is not None and res.entity is not None:
        return res.entity.type == "person"
    return any(c.entity.type == "person" for c in s.reading.contenders)


def drop_stretched(chosen: list[Span], text: str, tk: Tokens) -> list[Span]:
    """Drop spans that are only part of a longer, unknown name.

    A person's name with another name word beside it is another person: "Ahmed al-Maliki" is not
    Nouri al-Maliki, "Ali al-Sadr" is not Muqtada, "Ahmed Qais al-Khazali" is Qais's son, whatever
    the surname alone would have been linked to.  For other entities only a one-word name is
    stretched: "Badr" in "Badr Hassoun".  A title ("Adviser Qasim al-Araji"), a function word
    ("Later Ameri"), a demonym ("Iraqi Kadhimi") or a word the text also writes in lower case is
    not a name word; in title-case lines every word is capitalised, so there nothing is dropped.
    """
    if not chosen:
        return chosen
    covered: set[int] = set()
    for s in chosen:
        covered.update(range(s.i, s.j + 1))
    lower_words: set[str] | None = None
    in_headline = title_case(text, tk, chosen)

    def name_like(k: int) -> bool:
        nonlocal lower_words
        if k < 0 or k >= len(tk) or k in covered or tk.kinds[k] != CAPITAL:
            return False
        word = tk.texts[k].casefold().replace("\u2019", "'")
        if word in NOT_NAMES or word in TITLE_WORDS or word in DEMONYMS or word.endswith("ly") or _near_title(word):
            return False  # "In", "Can’t", "Minister", "Iraqi", "Apparently", "Minster"
        if lower_words is None:
            lower_words = {t for t, kind in zip(tk.texts, tk.kinds, strict=True) if kind == LOWER}
        return tk.texts[k].casefold() not in lower_words

    def right_of(s: Span) -> int:
        """The next name word on the right: "al-Haqissued" after "Asaib Ahl" is one."""
        k = s.j + 1
        if (k + 1 < len(tk) and tk.kinds[k] == LOWER and tk.texts[k].casefold() in ARTICLES
                and tk.joints[s.j] in (JOINT_SPACE, JOINT_HYPHEN) and tk.joints[k] == JOINT_HYPHEN):
            return k + 1
        return k

    people = {k for s in chosen if _person(s) for k in range(s.i, s.j + 1)}

    def stretched(s: Span) -> bool:
        core = s.i + 1 if tk.kinds[s.i] == LOWER else s.i  # "al-Sadr": the word after the article
        person = _person(s)
        if person and (
            (s.i > 0 and tk.joints[s.i - 1] in (JOINT_SPACE, JOINT_HYPHEN) and s.i - 1 in people)
            or (s.j + 1 < len(tk) and tk.joints[s.j] in (JOINT_SPACE, JOINT_HYPHEN) and s.j + 1 in people)
        ):
            return True  # two short forms side by side are one unknown name: "Laila al-Lyell"
        # A hyphen joins two names as readily as it joins the parts of one ("Iraq-Syria border").
        joints = (JOINT_SPACE, JOINT_HYPHEN) if person else (JOINT_SPACE,)
        right = right_of(s)
        if right != s.j + 1 and name_like(right):
            return True  # "Asaib Ahl al-Haqissued", "Ahmed al-Maliki al-Basri"
        if not person and (core != s.j or tk.kinds[core] != CAPITAL):
            return False
        if s.j + 1 < len(tk) and tk.joints[s.j] in joints and name_like(s.j + 1):
            return True
        left = s.i - 1
        if (person and left > 0 and tk.kinds[left] == LOWER and tk.texts[left].casefold() in ARTICLES
                and tk.joints[left] == JOINT_HYPHEN):
            left -= 1  # "Hakim" in "Ahmed al-Hakim": the name word before the article
        return left >= 0 and tk.joints[left] in joints and name_like(left)

    # Handles, acronyms and Arabic script carry no capitalisation to go by, and title-case lines
    # capitalise every word.
    return [s for s in chosen if not stretched(s) or in_headline(tk.starts[s.i])]
