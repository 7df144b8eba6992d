"""The annotator against the hand-checked gold mentions of the five seed documents (needs ../shared)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from resolver import Resolver
from resolver.annotate.evaluate import GoldMention, Scores, read_gold, score_mentions
from resolver.store.build import default_source, load_source

GOLD = Path(__file__).resolve().parent / "fixtures" / "seed_annotations"
GOLD_FILES = sorted(GOLD.glob("*.tsv"))


def _gold(path: Path) -> list[GoldMention]:
    with path.open(encoding="utf-8") as handle:
        return read_gold(handle)


def _seed_text(shared_dir: Path, gold_file: Path) -> str:
    with (shared_dir / "seeds" / f"{gold_file.stem}.txt").open(encoding="utf-8") as handle:
        return handle.read()


def test_there_is_a_gold_file_per_seed() -> None:
    assert [p.stem[:3] for p in GOLD_FILES] == ["000", "001", "002", "003", "004"]


@pytest.mark.parametrize("gold_file", GOLD_FILES, ids=lambda p: p.stem[:3])
def test_gold_files_are_well_formed(gold_file: Path) -> None:
    gold = _gold(gold_file)
    known = {e.id for e in load_source(default_source())}
    assert len(gold) >= 40
    assert [(g.start, g.end) for g in gold] == sorted((g.start, g.end) for g in gold)
    assert all(a.end <= b.start for a, b in itertools.pairwise(gold)), "gold mentions overlap"
    assert all(g.end - g.start == len(g.surface) for g in gold)
    assert {g.entity_id for g in gold} <= known


@pytest.mark.parametrize("gold_file", GOLD_FILES, ids=lambda p: p.stem[:3])
def test_gold_surfaces_match_the_seed_text(shared_dir: Path, gold_file: Path) -> None:
    text = _seed_text(shared_dir, gold_file)
    assert [text[g.start:g.end] for g in _gold(gold_file)] == [g.surface for g in _gold(gold_file)]


def test_seed_precision_and_recall(shared_dir: Path, resolver: Resolver) -> None:
    total = Scores(0, 0, 0, (), ())
    for gold_file in GOLD_FILES:
        text = _seed_text(shared_dir, gold_file)
        mentions = resolver.annotate(text)
        assert all(text[m.start:m.end] == m.text for m in mentions)
        total = total + score_mentions(mentions, _gold(gold_file))
    assert total.gold == 539
    assert total.precision >= 0.95, total.false_positives
    assert total.recall >= 0.90, total.false_negatives
