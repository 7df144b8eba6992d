"""Scores annotator output against hand-checked gold mentions (span and entity id must both agree).

Two gold formats:

- a TSV file beside a text (``tests/fixtures/seed_annotations/README.md``), one mention per line,
  ``start<TAB>end<TAB>entity_id<TAB>surface``, ``#`` lines being comments (:func:`read_gold`);
- a marked-up text (``tests/fixtures/news_gold/README.md``) with each mention written in place as
  ``[[surface|entity_id]]``, the markup ``resolver annotate`` prints (:func:`read_marked`).

Only linked mentions count as predictions: an ambiguous mention claims no entity, so it can cost
recall but never precision.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO

from resolver.annotate.annotator import Mention

__all__ = ["GoldMention", "Scores", "read_gold", "read_marked", "score_mentions"]

_MARK_RE = re.compile(r"\[\[([^\[\]|]+)\|([a-z0-9-]+)\]\]")


@dataclass(frozen=True, slots=True)
class GoldMention:
    """One hand-checked mention: offsets into the document, entity id and surface text."""

    start: int
    end: int
    entity_id: str
    surface: str


@dataclass(frozen=True, slots=True)
class Scores:
    """Span+id agreement between predicted and gold mentions, with the disagreements listed."""

    true_positives: int
    predicted: int
    gold: int
    false_positives: tuple[tuple[int, int, str], ...]
    false_negatives: tuple[tuple[int, int, str], ...]

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.gold if self.gold else 1.0

    def __add__(self, other: Scores) -> Scores:
        return Scores(self.true_positives + other.true_positives, self.predicted + other.predicted,
                      self.gold + other.gold, self.false_positives + other.false_positives,
                      self.false_negatives + other.false_negatives)


def read_gold(handle: IO[str]) -> list[GoldMention]:
    """Parse a gold file.

    Raises:
        ValueError: a line does not have four tab-separated fields with integer offsets.
    """
    out = []
    for number, line in enumerate(handle, 1):
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 4:
            raise ValueError(f"line {number}: expected 4 tab-separated fields, got {len(fields)}")
        start, end, entity_id, surface = fields
        out.append(GoldMention(int(start), int(end), entity_id, surface))
    return out


def read_marked(marked: str) -> tuple[str, list[GoldMention]]:
    """The plain text and gold mentions of a marked-up text (``[[surface|entity_id]]``).

    Raises:
        ValueError: a ``[[`` or ``]]`` is left over that is not part of a well-formed mark.
    """
    parts: list[str] = []
    gold: list[GoldMention] = []
    pos = length = 0
    for m in _MARK_RE.finditer(marked):
        parts.append(marked[pos:m.start()])
        length += m.start() - pos
        surface, entity_id = m.group(1), m.group(2)
        gold.append(GoldMention(length, length + len(surface), entity_id, surface))
        parts.append(surface)
        length += len(surface)
        pos = m.end()
    parts.append(marked[pos:])
    text = "".join(parts)
    if "[[" in text or "]]" in text:
        line = text[:text.find("[[") if "[[" in text else text.find("]]")].count("\n") + 1
        raise ValueError(f"line {line}: a malformed [[surface|entity_id]] mark")
    return text, gold


def score_mentions(mentions: Iterable[Mention], gold: Iterable[GoldMention]) -> Scores:
    """Compare one document's mentions with its gold: a hit needs the same offsets and entity."""
    predicted = {(m.start, m.end, m.resolution.entity.id) for m in mentions if m.resolution.entity is not None}
    expected = {(g.start, g.end, g.entity_id) for g in gold}
    hits = predicted & expected
    return Scores(len(hits), len(predicted), len(expected), tuple(sorted(predicted - expected)),
                  tuple(sorted(expected - predicted)))
