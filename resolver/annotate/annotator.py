"""Finds and links entity mentions in running text: ``Resolver.annotate(text) -> list[Mention]``.

Use it on prose (articles, reports, tweet threads); use :meth:`Resolver.resolve` on a name you
already hold.  The annotator never cleans text itself: it cuts tokens out of the original string
(:mod:`resolver.annotate.tokens`), proposes spans by their shape (:mod:`resolver.annotate.spans`),
asks the resolver about them (:mod:`resolver.annotate.reading`) and decides among them
(:mod:`resolver.annotate.select`), so every offset points into the text as given.  It knows the
store only through :meth:`Resolver.resolve_many` and :attr:`Resolver.revision`: nothing here lists
the store's aliases or words, so it works the same on a store of a hundred names or a million.

How a text is read:

1. Every word that could begin or end a name (a capitalised word, an acronym, a handle, an
   Arabic-script word, a lower-case word inside a capitalised run) is resolved alone; a word with
   no candidate at all cannot edge a name the resolver would match.
2. Candidate spans are the runs of words that look like names and are edged by such words
   (:mod:`resolver.annotate.spans`); each is resolved, the whole text's new spans in one
   ``resolve_many``.  Readings are cached per span text, and the spans worth a decision per block
   of overlapping runs (a block's text decides them), within and across documents, in bounded
   caches (``cache_size`` readings), until the store changes.
3. A span is linked to the entity ``resolve(span)`` gives, at the resolver's thresholds, when it
   can carry that name on its own (STRONG: an alias, an acronym, a full name spelt word for word).
   Strong spans are chosen longest first without overlap; the entities they name are the
   document's context.  Weak spans (a surname, a given name, a one-word variant spelling) are
   then linked when exactly one of their options is in the context, reported as ambiguous when
   several strong options remain, and dropped otherwise.  All spans are chosen again, longest first.
4. A chosen span is dropped when it is only part of a longer, unknown name: "al-Maliki" in
   "Ahmed al-Maliki", "Sadr" in "Ali al-Sadr", "Badr" in "Badr Hassoun" (outside title-case
   lines, and not across a title: "Prime Minister Kadhimi").  Exact acronyms ("AAH", "KH")
   count only in a document that names some entity in words, as TRANSLITERATION.md s7 asks.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from resolver.annotate.reading import Evidence, Reading, read_span
from resolver.annotate.select import Span, choose, decide, drop_stretched, title_case
from resolver.annotate.spans import Runs
from resolver.annotate.tokens import LOWER, Tokens, tokenize
from resolver.errors import TooMuchWork
from resolver.results import Resolution

if TYPE_CHECKING:
    from resolver.resolve import Resolver

__all__ = ["Annotator", "Mention", "annotate_text"]

#: spans resolved in one ``resolve_many`` call; a deadline is checked between calls
_BATCH = 512
V = TypeVar("V")


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


class _Cache(Generic[V]):
    """A bounded map that forgets the least recently used half (two generations stand in for an LRU).

    Entries are looked up in ``recent``, then in ``older`` (and promoted); when ``recent`` holds
    half the size it becomes ``older`` and the previous ``older`` is forgotten.  Not thread-safe
    on its own: the annotator holds its lock around every call.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.recent: dict[str, V] = {}
        self.older: dict[str, V] = {}

    def get(self, key: str) -> V | None:
        value = self.recent.get(key)
        if value is None:
            value = self.older.get(key)
            if value is not None:
                self.recent[key] = value
        return value

    def put(self, key: str, value: V) -> None:
        self.recent[key] = value
        if len(self.recent) > self.size // 2:
            self.older, self.recent = self.recent, {}

    def clear(self) -> None:
        self.recent, self.older = {}, {}


#: one span of a block: first and last token (relative to the block's first), reading, and the
#: resolution if the reading is strong
_Entry = tuple[int, int, Reading, Resolution | None]
#: what one block of text holds: every span worth a decision, and the chosen ones if the block
#: needs no document context (see ``Annotator._spans``)
_Block = tuple[tuple[_Entry, ...], tuple[_Entry, ...] | None]


class Annotator:
    """Links mentions in running text for one :class:`Resolver`, caching span readings between texts.

    ``Resolver.annotate`` keeps one per resolver; build your own only to choose the cache size.
    It is safe to share between threads.
    """

    def __init__(self, resolver: Resolver, *, cache_size: int = 200_000) -> None:
        self.resolver = resolver
        self.cache_size = cache_size
        self._lock = threading.Lock()
        self._revision: int | None = None
        self._readings: _Cache[Reading] = _Cache(cache_size)
        self._blocks: _Cache[_Block] = _Cache(cache_size // 4)

    def _check(self, revision: int) -> None:
        """Forget every cached answer when the store has changed (call with the lock held)."""
        if revision != self._revision:
            self._readings.clear()
            self._blocks.clear()
            self._revision = revision

    def _read(self, spans: Iterable[str], revision: int, deadline: float | None = None) -> dict[str, Reading]:
        """The readings of these span texts: cached ones, and the rest resolved in one batch."""
        out: dict[str, Reading] = {}
        missing: list[str] = []
        with self._lock:
            self._check(revision)
            for span in spans:
                if span in out:
                    continue
                reading = self._readings.get(span)
                if reading is None:
                    missing.append(span)
                else:
                    out[span] = reading
        if missing:
            settings = self.resolver.settings
            limit = settings.max_mention_length
            asked = [span for span in dict.fromkeys(missing) if len(span) <= limit]
            new: dict[str, Reading] = {}
            for first in range(0, len(asked), _BATCH):  # in parts, so that a deadline can stop the work
                if deadline is not None and time.monotonic() > deadline:
                    raise TooMuchWork(f"abandoned after reading {len(new):,} of {len(asked):,} new spans: "
                                      "the text takes longer than allowed")
                part = asked[first:first + _BATCH]
                new.update((span, read_span(span, res, settings))
                           for span, res in zip(part, self.resolver.resolve_many(part), strict=True))
            with self._lock:
                if self._revision == revision:
                    for span, reading in new.items():
                        self._readings.put(span, reading)
            out.update(new)
        return out

    def _spans(self, text: str, tk: Tokens, revision: int,
               deadline: float | None = None) -> tuple[list[Span], list[Span]]:
        """The text's spans worth a decision, block by block: (chosen already, still to decide).

        A block whose spans are all strong, and none a name of several words that a title-case
        line could drop, needs no document context: its choice (longest first) is cached with it,
        and only those chosen spans come back, in the first list.  Every span of the other blocks
        comes back in the second list.
        """
        runs = Runs(tk)
        settled: list[Span] = []
        spans: list[Span] = []
        todo: list[tuple[int, str, list[tuple[int, int]]]] = []
        with self._lock:
            self._check(revision)
            for first, last, bounds in runs.blocks():
                key = text[tk.starts[first]:tk.ends[last]]
                block = self._blocks.get(key)
                if block is None:
                    todo.append((first, key, bounds))
                else:
                    entries, chosen = block
                    if chosen is not None:
                        settled.extend(Span(first + i, first + j, reading, res) for i, j, reading, res in chosen)
                    else:
                        spans.extend(Span(first + i, first + j, reading, res) for i, j, reading, res in entries)
        if not todo:
            return settled, spans
        # Words are read in turn: first the capitalised ones (each may open a name), then only
        # the lower-case words that some span reaches from a start worth it ("Sadrist movement"):
        # most lower-case words follow a word no name begins with.  Until it is read, a lower-case
        # word counts as known, so the first pass asks for every word the second could need.
        edges = {k for _, _, bounds in todo for k in runs.edge_words(bounds)}
        kinds, texts = tk.kinds, tk.texts
        words = self._read((texts[k] for k in edges if kinds[k] != LOWER), revision, deadline)
        unread: set[str] = set()

        def known(k: int) -> bool:
            reading = words.get(texts[k])
            if reading is None:
                if k in edges:
                    unread.add(texts[k])
                    return True
                return False
            return reading.listed if kinds[k] == LOWER else reading.known

        found = [(first, key, list(runs.propose(bounds, known))) for first, key, bounds in todo]
        while unread:
            words.update(self._read(unread, revision, deadline))
            unread = set()
            found = [(first, key, list(runs.propose(bounds, known))) for first, key, bounds in todo]
        readings = self._read((text[tk.starts[i]:tk.ends[j]] for _, _, pairs in found for i, j in pairs), revision,
                              deadline)
        def named_head(i: int, j: int) -> bool:
            """The words of span i..j before its first lower-case word are a name as stored ("Baghdad")."""
            k = i
            while k < j and (kinds[k + 1] != LOWER or runs.connector[k + 1]):
                k += 1
            head = text[tk.starts[i]:tk.ends[k]]
            reading = readings.get(head) or words.get(head)
            return reading is not None and reading.evidence is Evidence.STRONG and reading.exact

        for first, key, pairs in found:
            entries = tuple(
                (i - first, j - first, reading, reading.resolution if reading.evidence is Evidence.STRONG else None)
                for i, j in pairs
                if (reading := readings.get(text[tk.starts[i]:tk.ends[j]])) is not None
                and reading.evidence is not Evidence.NONE
                and (not reading.shortened or named_head(i, j))
            )
            block_spans = [Span(first + i, first + j, reading, res) for i, j, reading, res in entries]
            simple = all(s.reading.evidence is Evidence.STRONG and (s.i == s.j or s.reading.exact)
                         and not s.reading.variant for s in block_spans)
            chosen = tuple((s.i - first, s.j - first, s.reading, s.resolution) for s in choose(block_spans)) \
                if simple else None
            if chosen is not None:
                settled.extend(Span(first + i, first + j, reading, res) for i, j, reading, res in chosen)
            else:
                spans.extend(block_spans)
            with self._lock:
                if self._revision == revision:
                    self._blocks.put(key, (entries, chosen))
        return settled, spans

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
        revision = self.resolver.revision
        tk = tokenize(text)
        # Spans of different blocks never overlap, so choosing longest first block by block is
        # choosing over the whole text.
        settled, spans = self._spans(text, tk, revision, deadline)
        # A capital at the start of a sentence marks no name: there a one-word variant spelling
        # ("Missile" ~ Al Masalah, "Carried" ~ Karrada) needs the document to name its entity.
        spans = [_weak(s) if s.reading.variant and _opens_sentence(text, tk, s.i) else s for s in spans]
        strong = choose([s for s in spans if s.reading.evidence is Evidence.STRONG])
        # In a title-case line capitals do not mark names at all: there a name of several words
        # counts only as a whole alias ("Deploys Large Number of Security Forces In Baghdad").
        in_headline = title_case(text, tk, settled + strong)
        kept = []
        for s in spans:
            if (s.i == s.j and not s.reading.variant) or s.reading.exact or not in_headline(tk.starts[s.i]):
                kept.append(s)
            elif s.i == s.j:
                kept.append(_weak(s))
        if kept != spans:
            spans = kept
            strong = choose([s for s in spans if s.reading.evidence is Evidence.STRONG])
        context = {s.reading.resolution.entity.id for s in (*settled, *strong) if s.reading.resolution.entity}
        decided = [d for d in (decide(s, context) for s in spans) if d is not None]
        chosen = drop_stretched(settled + choose(decided), text, tk)
        if not any(s.reading.evidence is Evidence.STRONG and not s.reading.acronym for s in chosen):
            chosen = [s for s in chosen if not s.reading.acronym]
        out = []
        for s in sorted(chosen, key=lambda s: s.i):
            start, end = tk.starts[s.i], tk.ends[s.j]
            assert s.resolution is not None
            out.append(Mention(start, end, text[start:end], s.resolution))
        return out


def _weak(span: Span) -> Span:
    """The span with its reading demoted to weak: linked only when the document names its entity."""
    return Span(span.i, span.j, replace(span.reading, evidence=Evidence.WEAK), None)


#: characters that end a sentence or open a quotation or bracket: a capital after them says nothing
_SENTENCE_BREAKS = frozenset(".!?:;\n\"“”‘«(—")


def _opens_sentence(text: str, tk: Tokens, i: int) -> bool:
    """Token ``i`` opens the text, a line, a sentence, a quotation or a bracket."""
    return i == 0 or not _SENTENCE_BREAKS.isdisjoint(text[tk.ends[i - 1]:tk.starts[i]])


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
