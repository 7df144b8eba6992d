"""Splits running text into word tokens with exact character offsets, for the mention annotator.

Offsets index the ORIGINAL string (Python code points), so a token's text is always
``text[start:end]``.  Nothing is cleaned here: the tokens are only cut out of the text, and the
matcher normalises each candidate span through :func:`resolver.matching.normalize.analyze` as usual.

What counts as one token:
- a handle or hashtag (``@MAKadhimi``, ``#Green_Zone``);
- a dotted acronym (``U.S.``, ``D.C.``);
- a run of Arabic-script letters and marks (ZWNJ included: ``خامنه‌ای`` is one word);
- a run of other letters, with combining marks and inner apostrophes (``Kata’ib``, ``Rabi’ee``),
  less a trailing possessive ``’s``/``'s`` (``Kadhimi’s`` -> ``Kadhimi``);
- a number, with inner separators (``10,000``).

Between two tokens lies a *joint*, the text that separates them; only a few joints may occur
inside a name (:data:`JOINT_SPACE` and friends), anything else ends a candidate span.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass
from itertools import accumulate

__all__ = [
    "ACRONYM",
    "ARABIC",
    "CAPITAL",
    "DIGIT",
    "HANDLE",
    "JOINT_AMP",
    "JOINT_BREAK",
    "JOINT_COMMA",
    "JOINT_HYPHEN",
    "JOINT_SPACE",
    "LOWER",
    "Tokens",
    "tokenize",
]

# Arabic-script letters and marks, without the Arabic comma, semicolon, question mark and digits.
_ARABIC_CHARS = (
    "\u0610-\u061a\u0620-\u065f\u066e-\u06d3\u06d5-\u06ef\u06fa-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufefc"
)
_ARABIC_BLOCKS = "\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff"
# A word: letters that are not Arabic script, with combining marks after any of them (NFD input):
# letters first, then marks and letters in turn (one pass over a plain word).  Every alternative
# of the token pattern opens with one character class, never a repeat, so that the regular
# expression engine can skip the text between tokens without trying each alternative there.
_LETTER = rf"[^\W\d_{_ARABIC_BLOCKS}]"
_WORD = rf"{_LETTER}{_LETTER}*(?:[\u0300-\u036f]+{_LETTER}*)*"
_APOSTROPHES = "'\u2019\u2018`\u00b4"
# (The alternatives begin with disjoint characters, except that a dotted acronym must be tried
# before a word; the commonest, a word, comes next.)
_TOKEN_RE = re.compile(
    r"[A-Z]\.(?:[A-Z]\.)+"  # dotted acronym
    rf"|{_WORD}(?:[{_APOSTROPHES}]{_WORD})*"
    rf"|[@#]\w+(?:[{_APOSTROPHES}]s\b)?"  # handle or hashtag (letters, digits, underscores)
    rf"|[{_ARABIC_CHARS}](?:[{_ARABIC_CHARS}\u200c]*[{_ARABIC_CHARS}])?"
    r"|\d+(?:[.,]\d+)*"
)
# where a possessive may end a token: an apostrophe and s (each is checked against the tokens)
_POSSESSIVE_RE = re.compile(f"[{_APOSTROPHES}][sS]")
_SPLIT_RE = re.compile(f"({_TOKEN_RE.pattern})")
_ARABIC_RE = re.compile(f"[{_ARABIC_BLOCKS}]")

# Token kinds (one per token).
CAPITAL = 1  # Latin word starting with a capital: "Kadhimi", "Al"
LOWER = 2  # Latin word starting in lower case: "al", "movement"
ACRONYM = 3  # two or more letters, all capitals: "AAH", "U.S.", "IRGC"
HANDLE = 4  # "@WSJ", "#Iraq"
ARABIC = 5  # Arabic-script word
DIGIT = 6  # "10,000", "24"

# Joint kinds (between token i and i+1).
JOINT_BREAK = 0  # anything that ends a name: sentence punctuation, brackets, quotes, newline
JOINT_SPACE = 1  # horizontal white space only
JOINT_HYPHEN = 2  # a single hyphen: "al-Khazali", "Iran-backed", "IRGC-Quds"
JOINT_AMP = 3  # an ampersand: "The Ins & Outs"
JOINT_COMMA = 4  # a comma: citation order "Alaca, Mehmet", "Unit 10,000" is one token

_JOINTS = {" ": JOINT_SPACE, "-": JOINT_HYPHEN, "\u2010": JOINT_HYPHEN, "\u2011": JOINT_HYPHEN,
           "\u00a0": JOINT_SPACE, "\t": JOINT_SPACE, ", ": JOINT_COMMA, " & ": JOINT_AMP, "&": JOINT_AMP}
_SPACE_RE = re.compile(r"[ \t\u00a0\u2009\u202f]+")
_COMMA_RE = re.compile(r",[ \t\u00a0]*")
_AMP_RE = re.compile(r"[ \t\u00a0]*&[ \t\u00a0]*")


@dataclass(frozen=True, slots=True)
class Tokens:
    """The tokens of one text as parallel lists (cheaper than one object per token).

    Attributes:
        starts, ends: character offsets of each token in the original text (end exclusive).
        texts: ``text[start:end]`` of each token.
        kinds: one of :data:`CAPITAL`, :data:`LOWER`, :data:`ACRONYM`, :data:`HANDLE`,
            :data:`ARABIC`, :data:`DIGIT`.
        joints: ``joints[i]`` is the joint kind between token ``i`` and ``i + 1``.
    """

    starts: list[int]
    ends: list[int]
    texts: list[str]
    kinds: list[int]
    joints: list[int]

    def __len__(self) -> int:
        return len(self.texts)


def _kind(tok: str) -> int:
    first = tok[0]
    if first in "@#":
        return HANDLE
    if first.isdigit():
        return DIGIT
    if _ARABIC_RE.match(first):
        return ARABIC
    if first.isupper():
        letters = [c for c in tok if c.isalpha()]
        if len(letters) >= 2 and all(c.isupper() for c in letters):
            return ACRONYM
        return CAPITAL
    return LOWER


def _joint(gap: str) -> int:
    known = _JOINTS.get(gap)
    if known is not None:
        return known
    if _SPACE_RE.fullmatch(gap):
        return JOINT_SPACE
    if _COMMA_RE.fullmatch(gap):
        return JOINT_COMMA
    if _AMP_RE.fullmatch(gap):
        return JOINT_AMP
    return JOINT_BREAK


class _Memo(dict[str, int]):
    """A function's answers by argument, looked up at C speed (``map(memo.__getitem__, ...)``).

    Bounded: emptied when it outgrows ``size``, between two texts (see :func:`tokenize`).
    """

    def __init__(self, function: Callable[[str], int], size: int) -> None:
        super().__init__()
        self.function = function
        self.size = size

    def __missing__(self, key: str) -> int:
        value = self[key] = self.function(key)
        return value


_KINDS = _Memo(_kind, 65536)
_JOINT_KINDS = _Memo(_joint, 4096)


def tokenize(text: str) -> Tokens:
    """Cut ``text`` into tokens with exact offsets and classify the joints between them.

    Args:
        text: any string; it is not modified.

    Returns:
        The :class:`Tokens` of the text, in order.
    """
    # re.split with the token pattern captured yields gap, token, gap, token, ..., gap: the
    # offsets are running sums of their lengths, and each gap is the joint after its token.
    pieces = _SPLIT_RE.split(text)
    texts = pieces[1::2]
    gaps = pieces[2::2]
    if not texts:
        return Tokens([], [], [], [], [])
    offsets = list(accumulate(map(len, pieces)))  # offsets[2k]: start of token k, offsets[2k+1]: its end
    starts = offsets[0:-1:2]
    ends = offsets[1::2]
    for memo in (_KINDS, _JOINT_KINDS):
        if len(memo) > memo.size:
            memo.clear()
    kinds = list(map(_KINDS.__getitem__, texts))
    joints = list(map(_JOINT_KINDS.__getitem__, gaps))
    if "s" in text or "S" in text:
        # possessive: Kadhimi’s (only the few tokens that end where an apostrophe and s end)
        for match in _POSSESSIVE_RE.finditer(text):
            end = match.end()
            k = bisect_left(ends, end)
            if k < len(ends) and ends[k] == end and len(texts[k]) > 3:
                tok = texts[k]
                texts[k] = tok[:-2]
                ends[k] -= 2
                kinds[k] = _KINDS[tok[:-2]]
                joints[k] = _JOINT_KINDS[tok[-2:] + gaps[k]]
    joints[-1] = JOINT_BREAK
    return Tokens(starts, ends, texts, kinds, joints)
