"""Scores annotator output against a hand-checked gold file (span and entity id must both agree).

The gold format (see ``tests/fixtures/seed_annotations/README.md``) is one mention per line,
``start<TAB>end<TAB>entity_id<TAB>surface``, ``#`` lines being comments.  Only linked mentions
count as predictions: an ambiguous mention claims no entity, so it can cost recall but never
precision.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO

from resolver.annotate.annotator import Mention

__all__ = ["GoldMention", "Scores", "read_gold", "score_mentions"]


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


def score_mentions(mentions: Iterable[Mention], gold: Iterable[GoldMention]) -> Scores:
    """Compare one document's mentions with its gold: a hit needs the same offsets and entity."""
    predicted = {(m.start, m.end, m.resolution.entity.id) for m in mentions if m.resolution.entity is not None}
    expected = {(g.start, g.end, g.entity_id) for g in gold}
    hits = predicted & expected
    return Scores(len(hits), len(predicted), len(expected), tuple(sorted(predicted - expected)),
                  tuple(sorted(expected - predicted)))
