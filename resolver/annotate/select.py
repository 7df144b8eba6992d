"""Choosing among a text's candidate spans: the document decides weak spans, longest wins, no stretching.

The annotator (:mod:`resolver.annotate`) reads every candidate span; this module holds the
document-level decisions that come after: which entities the text names in full (its context),
what a weak span becomes in that context (:func:`decide`), which spans survive when they
overlap (:func:`choose`), and which one-word spans are only the visible part of a longer,
unknown name (:func:`drop_stretched`).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from resolver.annotate.reading import Evidence, Reading
from resolver.annotate.tokens import CAPITAL, JOINT_HYPHEN, JOINT_SPACE, LOWER, Tokens
from resolver.annotate.vocab import NOT_NAMES, TITLE_WORDS
from resolver.results import MatchStatus, Resolution

__all__ = ["Span", "choose", "decide", "drop_stretched"]


@dataclass(frozen=True, slots=True)
class Span:
    """Tokens ``i``..``j`` (inclusive) of a text, what the annotator read there, and the decision."""

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
        return Span(span.i, span.j, reading, res)
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
    """Longest first, then leftmost; a span that overlaps one already chosen is skipped."""
    taken: list[tuple[int, int]] = []
    chosen = []
    for s in sorted(spans, key=lambda s: (-s.size, s.i)):
        k = bisect.bisect_left(taken, (s.i, s.i))
        if (k > 0 and taken[k - 1][1] >= s.i) or (k < len(taken) and taken[k][0] <= s.j):
            continue
        taken.insert(k, (s.i, s.j))
        chosen.append(s)
    return chosen


def drop_stretched(chosen: list[Span], text: str, tk: Tokens) -> list[Span]:
    """Drop spans that are only part of a longer, unknown name ("Badr" in "Badr Hassoun")."""
    if not chosen:
        return chosen
    covered: set[int] = set()
    for s in chosen:
        covered.update(range(s.i, s.j + 1))
    lower_words: set[str] | None = None
    headlines: dict[int, bool] = {}

    def in_headline(pos: int) -> bool:
        """Is the line at ``pos`` in title case ("Kazemi Might Finally Be Standing Up To ...")?

        There every word is capitalised, so a capital says nothing about names.  The words that
        count are those of four letters or more outside the chosen mentions (a sentence dense
        with names looks title-cased too): at least three, three quarters of them capitalised.
        """
        start = text.rfind("\n", 0, pos) + 1
        found = headlines.get(start)
        if found is None:
            end = text.find("\n", pos)
            first = bisect.bisect_left(tk.starts, start)
            last = bisect.bisect_left(tk.starts, end) if end >= 0 else len(tk)
            words = [k for k in range(first, last)
                     if tk.kinds[k] in (CAPITAL, LOWER) and len(tk.texts[k]) >= 4 and k not in covered]
            capitals = sum(tk.kinds[k] == CAPITAL for k in words)
            found = headlines[start] = len(words) >= 3 and capitals * 4 >= len(words) * 3
        return found

    def name_like(k: int) -> bool:
        nonlocal lower_words
        if k in covered or tk.kinds[k] != CAPITAL:
            return False
        word = tk.texts[k].casefold().replace("\u2019", "'")
        if word in NOT_NAMES or word in TITLE_WORDS or word.endswith("ly"):
            return False  # "In", "Can’t", "Minister", "Apparently"
        if lower_words is None:
            lower_words = {t for t, kind in zip(tk.texts, tk.kinds, strict=True) if kind == LOWER}
        return tk.texts[k].casefold() not in lower_words

    def stretched(s: Span) -> bool:
        right = s.j + 1
        if right < len(tk) and tk.joints[s.j] in (JOINT_SPACE, JOINT_HYPHEN) and name_like(right):
            return True
        left = s.i - 1
        if left >= 0 and tk.joints[left] in (JOINT_SPACE, JOINT_HYPHEN) and name_like(left):
            k = left
            while k - 1 >= 0 and tk.joints[k - 1] in (JOINT_SPACE, JOINT_HYPHEN) and tk.kinds[k - 1] == CAPITAL:
                k -= 1
            # A capitalised chain on the left that holds a title is a title ("Prime Minster Khadhimi").
            return not any(tk.texts[m].casefold() in TITLE_WORDS for m in range(k, left + 1))
        return False

    # Only a one-word span can be the visible part of a longer name; handles, acronyms and Arabic
    # script carry no capitalisation to go by, and title-case lines capitalise every word.
    return [
        s for s in chosen
        if s.i != s.j or tk.kinds[s.i] != CAPITAL or not stretched(s) or in_headline(tk.starts[s.i])
    ]
