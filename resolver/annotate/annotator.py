"""Finds and links entity mentions in running text: ``Resolver.annotate(text) -> list[Mention]``.

Use it on prose (articles, reports, tweet threads); use :meth:`Resolver.resolve` on a name you
already hold.  The annotator never cleans text itself: it cuts tokens out of the original string
(:mod:`resolver.annotate.tokens`), asks the resolver about candidate spans
(:mod:`resolver.annotate.reading`) and decides among them (:mod:`resolver.annotate.select`), so
every offset points into the text as given.

How a text is read:

1. Candidate spans are runs of 1..N tokens that start with a capital, an acronym, a handle, a
   hashtag, Arabic script or an article joined to a capital ("al-Ahad"), cross no sentence
   punctuation, and whose every word is in the index's vocabulary (a dict lookup: most words of a
   text stop here).  A span with lower-case words in it ("Sadrist movement"), a comma ("Alaca,
   Mehmet") or an ampersand counts only when it is an alias as a whole.  A capitalised word
   outside the vocabulary is kept aside: it may be a typo ("Soliemani") of a name given in full.
2. Each span's :class:`~resolver.annotate.reading.Reading` is cached, per document and across
   documents, until the store changes.
3. Strong spans are chosen longest first without overlap; the entities they name make up the
   document's context.  Weak spans (a surname, a given name, a one-word variant spelling) are then
   linked when exactly one of their options is among those entities, reported as ambiguous when
   several strong options remain, and dropped otherwise; the words kept aside are read only when
   they are within a typo of a person in the context.  All spans are chosen again, longest first.
4. A chosen span is dropped when it is only part of a longer unknown name: "Badr" in "Badr
   Hassoun", "Soleimani" in "Zeinab Soleimani" (outside title-case lines, and not across a title:
   "Prime Minister Kadhimi").  Exact acronyms ("AAH", "KH") count only in a document that names
   some entity in words, as TRANSLITERATION.md s7 asks.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from resolver.annotate.reading import Evidence, Reading, read_span
from resolver.annotate.select import Span, choose, decide, drop_stretched
from resolver.annotate.tokens import (
    ARABIC,
    CAPITAL,
    DIGIT,
    HANDLE,
    JOINT_AMP,
    JOINT_BREAK,
    JOINT_COMMA,
    JOINT_HYPHEN,
    LOWER,
    Tokens,
    tokenize,
)
from resolver.annotate.vocab import Vocabulary
from resolver.errors import TooMuchWork
from resolver.results import Resolution

if TYPE_CHECKING:
    from resolver.resolve import Resolver

__all__ = ["Annotator", "Mention", "annotate_text"]

#: shortest capitalised word outside the vocabulary that may be a typo of a person's name
_MIN_DEFERRED = 4


@dataclass(frozen=True, slots=True)
class Mention:
    """One linked (or ambiguous) mention in a text.

    Attributes:
        start: offset of the first character in the original text.
        end: offset just past the last character (``text == original[start:end]``).
        text: the surface form, without a possessive ``’s``.
        resolution: the decision; ``status`` is matched or ambiguous, never unresolved.
    """

    start: int
    end: int
    text: str
    resolution: Resolution

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of one mention: offsets, surface text and the resolution's fields."""
        res = self.resolution.to_dict()
        del res["query"]  # the same as text
        return {"start": self.start, "end": self.end, "text": self.text, **res}


class Annotator:
    """Links mentions in running text for one :class:`Resolver`, caching span readings between texts.

    ``Resolver.annotate`` keeps one per resolver; build your own only to choose the cache size.
    It is safe to share between threads.
    """

    def __init__(self, resolver: Resolver, *, cache_size: int = 200_000) -> None:
        self.resolver = resolver
        self.cache_size = cache_size
        self._lock = threading.Lock()
        self._revision = -1
        self._vocab: Vocabulary | None = None
        self._readings: OrderedDict[str, Reading] = OrderedDict()

    def _vocabulary(self) -> Vocabulary:
        index = self.resolver.index
        with self._lock:
            if self._vocab is None or index.revision != self._revision:
                self._vocab = Vocabulary(index)
                self._revision = index.revision
                self._readings.clear()
            return self._vocab

    def _read(self, vocab: Vocabulary, span: str, exact_only: bool, first_word: str) -> Reading:
        cache = self._readings
        with self._lock:
            reading = cache.get(span)
            if reading is not None:
                cache.move_to_end(span)
                return reading
        reading = read_span(self.resolver, vocab.index, span, exact_only=exact_only, first_word=first_word,
                            alias_starts=vocab.alias_starts)
        with self._lock:
            cache[span] = reading
            if len(cache) > self.cache_size:
                cache.popitem(last=False)
        return reading

    def annotate(self, text: str, *, deadline: float | None = None) -> list[Mention]:
        """Find every mention of a known entity in ``text``.

        Args:
            text: running text in any script; offsets refer to it unchanged.
            deadline: a ``time.monotonic()`` value after which the work is abandoned.

        Returns:
            Matched and ambiguous mentions, in text order, never overlapping.

        Raises:
            TooMuchWork: the deadline passed first.
        """
        vocab = self._vocabulary()
        tokens = tokenize(text)
        spans, deferred = self._candidates(vocab, text, tokens, deadline)
        strong = [s for s in spans if s.reading.evidence is Evidence.STRONG]
        context = {s.reading.resolution.entity.id for s in choose(strong) if s.reading.resolution.entity}
        # A capitalised word outside the vocabulary can only be a typo ("Soliemani") of a name the
        # text gives in full: it is worth resolving only when it is close to such a name's words.
        near = vocab.person_keys(context) if deferred else frozenset()
        for i in deferred:
            word = tokens.texts[i]
            if vocab.close_to(word, near):
                reading = self._read(vocab, word, False, word.casefold())
                if reading.evidence is not Evidence.NONE:
                    spans.append(Span(i, i, reading))
        decided = [d for d in (decide(s, context) for s in spans) if d is not None]
        chosen = choose(decided)
        chosen = drop_stretched(chosen, text, tokens)
        if not any(s.reading.evidence is Evidence.STRONG and not s.reading.acronym for s in chosen):
            chosen = [s for s in chosen if not s.reading.acronym]
        out = []
        for s in sorted(chosen, key=lambda s: s.i):
            start, end = tokens.starts[s.i], tokens.ends[s.j]
            assert s.resolution is not None
            out.append(Mention(start, end, text[start:end], s.resolution))
        return out

    def _candidates(self, vocab: Vocabulary, text: str, tk: Tokens,
                    deadline: float | None = None) -> tuple[list[Span], list[int]]:
        """Spans worth reading, and the capitalised words outside the vocabulary (deferred)."""
        starts, ends, texts, kinds, joints = tk.starts, tk.ends, tk.texts, tk.kinds, tk.joints
        n = len(texts)
        known = vocab.known
        max_len = vocab.max_tokens
        out: list[Span] = []
        deferred: list[int] = []
        for i in range(n):
            if deadline is not None and i % 512 == 0 and time.monotonic() > deadline:
                raise TooMuchWork(f"abandoned after {i:,} of {n:,} words: the text takes longer than allowed")
            kind = kinds[i]
            if kind == LOWER:
                # "al-Ahad TV", "al-Khazali": an article joined to a capitalised word
                if not (len(texts[i]) <= 3 and joints[i] == JOINT_HYPHEN and i + 1 < n and kinds[i + 1] == CAPITAL):
                    continue
            elif kind == DIGIT:
                continue
            elif not known(texts[i], kind):
                if kind == CAPITAL and len(texts[i]) >= _MIN_DEFERRED:
                    deferred.append(i)  # perhaps a typo of a name the text gives in full
                continue
            arabic = kind == ARABIC
            exact_only = False
            first_word = texts[i].casefold()
            for j in range(i, min(n, i + max_len)):
                kj = kinds[j]
                if j > i:
                    joint = joints[j - 1]
                    if joint == JOINT_BREAK or kj == HANDLE or kind == HANDLE or (kj == ARABIC) != arabic:
                        break
                    if not known(texts[j], kj):
                        break
                    if joint in (JOINT_COMMA, JOINT_AMP):
                        exact_only = True
                        if joint == JOINT_COMMA and kj != CAPITAL:
                            break  # only citation order follows a comma: "Alaca, Mehmet"
                if kj == LOWER:
                    if len(texts[j]) <= 3:
                        continue  # "al", "of", "and" never end a name
                    exact_only = True  # a lower-case word: "Sadrist movement"
                reading = self._read(vocab, text[starts[i]:ends[j]], exact_only, first_word)
                if reading.evidence is not Evidence.NONE:
                    out.append(Span(i, j, reading))
        return out, deferred


def annotate_text(resolver: Resolver, text: str) -> list[Mention]:
    """Find and link every mention of a known entity in ``text`` with a fresh annotator.

    ``Resolver.annotate`` keeps one :class:`Annotator` (and so its reading cache) per resolver;
    this function is for callers that want none kept.

    Args:
        resolver: the resolver whose store defines the known entities.
        text: running text; offsets in the result index this string unchanged.

    Returns:
        The mentions in text order: matched ones and ambiguous ones, never overlapping.
    """
    return Annotator(resolver).annotate(text)
