"""The annotator against the second gold set: news-like articles written and marked by hand.

The set (``tests/fixtures/news_gold``) was committed before the annotator was run on it; the exact
figures are printed by ``python bench/annotate.py``.  Here they must not fall below a floor.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from resolver import Resolver
from resolver.annotate.evaluate import GoldMention, Scores, read_marked, score_mentions
from resolver.store.build import default_source, load_source

GOLD = Path(__file__).resolve().parent / "fixtures" / "news_gold"
GOLD_FILES = sorted(GOLD.glob("*.txt"))


def _read(path: Path) -> tuple[str, list[GoldMention]]:
    return read_marked(path.read_text(encoding="utf-8"))


def test_the_set_is_large_enough_and_well_formed() -> None:
    known = {e.id for e in load_source(default_source())}
    total = 0
    for path in GOLD_FILES:
        text, gold = _read(path)
        assert all(text[g.start:g.end] == g.surface for g in gold)
        assert {g.entity_id for g in gold} <= known, path.name
        total += len(gold)
    assert len(GOLD_FILES) == 12
    assert total >= 150


def test_malformed_marks_are_an_error() -> None:
    with pytest.raises(ValueError, match="line 2"):
        read_marked("fine [[Iraq|iraq]]\nbroken [[Iraq iraq]]")


def test_news_precision_and_recall(resolver: Resolver) -> None:
    total = Scores(0, 0, 0, (), ())
    for path in GOLD_FILES:
        text, gold = _read(path)
        mentions = resolver.annotate(text)
        assert all(text[m.start:m.end] == m.text for m in mentions)
        total = total + score_mentions(mentions, gold)
    assert total.precision >= 0.97, total.false_positives
    assert total.recall >= 0.95, total.false_negatives


@pytest.mark.parametrize("name", ["Ahmed al-Maliki", "Ali al-Sadr", "Mohammed Baqir al-Hakim", "Hussein al-Ameri",
                                  "Zainab Soleimani", "Salim Kadhimi", "Jaafar al-Muhandis", "Hassan al-Araji"])
def test_the_namesakes_of_the_set_are_never_linked(resolver: Resolver, name: str) -> None:
    for path in GOLD_FILES:
        text, _ = _read(path)
        if name in text:
            start = text.index(name)
            for m in resolver.annotate(text):
                assert m.end <= start or m.start >= start + len(name), (name, m)
            break
    else:
        pytest.fail(f"{name} is not in the set")
