"""Candidate spans from the shape of the text alone: which runs of words could be a name.

No vocabulary is consulted here: a span is proposed because it LOOKS like a name, and the
resolver decides (:mod:`resolver.annotate.reading`).  A span

- starts with a capitalised word, an acronym, a handle or hashtag, an Arabic-script word, or an
  article joined to a capitalised word ("al-Sadr", "al-Ahad TV");
- runs over words joined by a space or a hyphen, never across sentence punctuation, a bracket or
  a quote; a comma only before a capitalised word (citation order, "Alaca, Mehmet") and an
  ampersand only as part of a whole alias ("The Ins & Outs Of Mesopotamia");
- may hold connectors ("al", "bin", "of the", "in"), numbers ("Unit 10,000") and up to
  :data:`MAX_LOWER` lower-case words ("Sadrist movement", "Baghdad international airport"), and
  then at most :data:`MAX_PHRASE_WORDS` words; a connector never ends it;
- holds at most :data:`MAX_WORDS` name words and :data:`MAX_TOKENS` tokens in all;
- begins and ends with a word the resolver knows something about (some alias shares a word with
  it, however weakly; for a lower-case word, a candidate the resolver lists), or begins with a
  title, function word or article ("The Wall Street Journal", "Imam Ali", "Al Arabiya"): a word no
  alias resembles can only lower the score of the span it edges, so the shorter span is the better
  one.  A capitalised word right beside a known one is the exception ("International Zones":
  "Zones" alone shares no word with any alias).

Words inside a span need not be known: "Officials of the Islamic Revolutionary Guards Corps"
proposes "Islamic Revolutionary Guards Corps" whether or not "Guards" is a stored word.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import compress

from resolver.annotate.tokens import (
    ACRONYM,
    ARABIC,
    CAPITAL,
    DIGIT,
    HANDLE,
    JOINT_BREAK,
    JOINT_COMMA,
    JOINT_HYPHEN,
    LOWER,
    Tokens,
)
from resolver.annotate.words import ARTICLES, CONNECTORS, NOT_NAMES, OPENERS

__all__ = ["MAX_LOWER", "MAX_PHRASE_WORDS", "MAX_TOKENS", "MAX_WORDS", "Runs"]

#: the most name words (not connectors) a span may hold: "Jamal Jaafar Mohammed Ali Al Ibrahim"
MAX_WORDS = 7
#: the most tokens of any kind: "Army of the Guardians of the Islamic Revolution"
MAX_TOKENS = 12
#: the most lower-case words that are not connectors: "Baghdad international airport"
MAX_LOWER = 2
#: the most name words of a span that holds lower-case words: "U.S. embassy in Baghdad"
MAX_PHRASE_WORDS = 4

_NAMELIKE = frozenset({CAPITAL, ACRONYM, HANDLE, ARABIC})


class Runs:
    """Where candidate spans may lie in one text: for each possible start, the farthest end by shape.

    Attributes:
        tokens: the text's tokens.
        connector: per token, whether it is a connector ("al", "of", "the").
        bounds: ``(i, j_max)`` for each start ``i``: a span from ``i`` may end anywhere up to ``j_max``.
    """

    __slots__ = ("bounds", "connector", "tokens")

    def __init__(self, tk: Tokens) -> None:
        self.tokens = tk
        kinds, texts, joints = tk.kinds, tk.texts, tk.joints
        n = len(tk)
        # Connectors are written in lower case, and a token spelt so is a lower-case token.
        connector = list(map(CONNECTORS.__contains__, texts))
        self.connector = connector
        bounds: list[tuple[int, int]] = []
        # a name-like word, or an article joined to a capitalised word ("al-Sadr", "al-Ahad TV")
        starts = list(compress(range(n), map(_NAMELIKE.__contains__, kinds)))
        articles = [i for i in compress(range(n), map(ARTICLES.__contains__, texts))
                    if joints[i] == JOINT_HYPHEN and i + 1 < n and kinds[i + 1] == CAPITAL]
        if articles:
            starts = sorted(starts + articles)
        for i in starts:
            kind = kinds[i]
            arabic = kind == ARABIC
            j = i
            words = 0 if kind == LOWER else 1
            lower = 0
            while j + 1 < n and j + 1 - i < MAX_TOKENS and kind != HANDLE:
                joint, nxt = joints[j], kinds[j + 1]
                if joint == JOINT_BREAK or nxt == HANDLE or (nxt == ARABIC) != arabic:
                    break
                if joint == JOINT_COMMA and nxt != CAPITAL:
                    break  # only citation order follows a comma
                if not connector[j + 1]:
                    if nxt == LOWER:
                        lower += 1
                    words += 1
                    if lower > MAX_LOWER or words > (MAX_PHRASE_WORDS if lower else MAX_WORDS):
                        break
                j += 1
            bounds.append((i, j))
        self.bounds = bounds

    def blocks(self) -> list[tuple[int, int, list[tuple[int, int]]]]:
        """The text cut into blocks: ``(first, last, bounds)`` with every span of the bounds inside.

        A block is a maximal stretch of overlapping runs.  Which spans it holds, and what each
        reads, depends on the block's own text alone, so whole blocks can be cached.
        """
        out: list[tuple[int, int, list[tuple[int, int]]]] = []
        for i, j_max in self.bounds:
            if out and i <= out[-1][1]:
                first, last, bounds = out[-1]
                bounds.append((i, j_max))
                out[-1] = (first, max(last, j_max), bounds)
            else:
                out.append((i, j_max, [(i, j_max)]))
        return out

    def edge_words(self, bounds: Iterable[tuple[int, int]]) -> set[int]:
        """The tokens whose own reading is needed to decide which spans are worth resolving.

        Function words, weekdays and months ("In", "are", "November") are never read: they are
        no name, and no name begins or ends with them.
        """
        kinds, connector = self.tokens.kinds, self.connector
        out: set[int] = set()
        for i, j_max in bounds:
            out.update(k for k in range(i, j_max + 1)
                       if kinds[k] != DIGIT and not connector[k] and not self.function_word(k))
        return out

    def function_word(self, k: int) -> bool:
        """A capitalised or lower-case function word, weekday or month (not an acronym: "US")."""
        return self.tokens.kinds[k] in (CAPITAL, LOWER) and self.tokens.texts[k].casefold() in NOT_NAMES

    def propose(self, bounds: Iterable[tuple[int, int]], known: Callable[[int], bool]) -> Iterator[tuple[int, int]]:
        """Every candidate span ``(i, j)`` (inclusive token indices) within these bounds.

        Args:
            bounds: some of :attr:`bounds` (a block's).
            known: whether the resolver knows anything of token ``k`` taken alone.
        """
        kinds, texts = self.tokens.kinds, self.tokens.texts
        connector = self.connector

        def leaning(k: int, step: int, stop: int) -> bool:
            """An unknown capitalised word next to a known one (connectors between them aside) may
            still edge a name: "International Zones" (no alias shares a word with "Zones" alone,
            but the resolver matches the two)."""
            if kinds[k] not in (CAPITAL, ACRONYM):
                return False
            inner = k + step
            while inner != stop and (connector[inner] or texts[inner].casefold() in CONNECTORS):
                inner += step  # "al", "of", and a capitalised "Al" ("Nouri Al-Maliqi")
            return inner != stop and kinds[inner] != DIGIT and known(inner)

        for i, j_max in bounds:
            first = i + 1 if kinds[i] == LOWER else i  # the word after an article
            word = texts[first].casefold()
            opener = word in OPENERS  # "The", "Imam", "Al", "Abu"
            left = opener or known(first)
            if not left and not leaning(first, 1, j_max + 1):
                continue
            phrase = unknown = False
            for j in range(first, j_max + 1):
                if connector[j]:
                    continue
                kind = kinds[j]
                if kind == LOWER:
                    phrase = True
                if kind != DIGIT and not (j == first and opener) and not known(j):
                    unknown = True
                if phrase and unknown:
                    break  # a phrase with lower-case words counts only as a whole alias, all of it known words
                if j > first and texts[j].casefold() in CONNECTORS:
                    continue  # "al", "of", "Abu", "Al" never end a name
                if kind == DIGIT:
                    if j == i:
                        continue
                elif not known(j) and not leaning(j, -1, first - 1):
                    continue
                if not left and j == first:
                    continue
                yield i, j
