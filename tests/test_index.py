"""CandidateIndex: the pruned vote count finds the same candidates as counting every vote."""

from __future__ import annotations

import itertools
from collections import defaultdict

import pytest

from resolver import Resolver
from resolver.matching.index import _MAX_CANDIDATES, _MAX_POSTINGS, _VOTE_SHARE, CandidateIndex
from resolver.matching.normalize import Token, analyze, coarse_flat


def _reference(index: CandidateIndex, text: str) -> dict[int, float]:
    """Every alias above the pruning floor, by its full vote, counting every token's every vote."""
    name = analyze(text)
    entries = [index._token_votes(t, False) for t in name.tokens]
    entries += [index._token_votes(Token(a.text + b.text, a.key + b.key, a.arabic), True)
                for a, b in itertools.pairwise(name.tokens)]
    votes: dict[int, float] = defaultdict(float)
    for _, token_votes, _ in entries:
        for i, vote in token_votes.items():
            votes[i] += vote
    if not votes:
        skipped = [(w, posting) for w, _, posting in entries if posting is not None]
        if skipped:
            w, posting = max(skipped, key=lambda s: s[0])
            for i in posting[:_MAX_POSTINGS]:
                votes[i] += w
    floor = max(votes.values(), default=0.0) * _VOTE_SHARE
    for i in index.by_normalized.get(name.normalized, ()):
        votes[i] += 1000.0
    for i in index.by_flat.get(coarse_flat(name.tokens), ()):
        votes[i] += 500.0
    return {i: v for i, v in votes.items() if v >= floor - 1e-9}


@pytest.fixture()
def crowded(resolver: Resolver) -> Resolver:
    """The bundle plus companies and people that share common words, so postings get long."""
    for n in range(240):
        resolver.store.add_entity(f"Al-Rafidain Trading Company {n}", "organization",
                                  aliases=[f"Rafidain General Trading {n}"])
        resolver.store.add_entity(f"Muhammad Hassan al-Tamimi {n}", "person")
    return resolver


def _mentions(index: CandidateIndex) -> list[str]:
    texts = sorted({a.text for a in index.aliases})
    out = list(texts)
    out += [" ".join(t.split()[1:]) for t in texts if len(t.split()) > 1]
    out += [f"{a} {b}" for a, b in zip(texts, texts[7:], strict=False)]
    out += ["Rafidain Company", "Muhammad al-Tamimi", "Hassan Trading", "Trading Company 17",
            "Tamimi Rafidain", "Kazemi Trading Company", "Muhammad Hassan"]
    return [m for m in out if m.strip()]


def test_pruned_votes_find_the_same_candidates(crowded: Resolver) -> None:
    index = crowded.index
    checked = 0
    for mention in _mentions(index):
        name = analyze(mention)
        if not name.tokens:
            continue
        got = index.candidates(name)
        reference = _reference(index, mention)
        assert set(got) <= set(reference), mention
        if len(reference) <= _MAX_CANDIDATES:
            assert set(got) == set(reference), mention
        else:
            assert len(got) == _MAX_CANDIDATES
            weakest_kept = min(reference[i] for i in got)
            assert all(v <= weakest_kept + 1e-9 for i, v in reference.items() if i not in got), mention
        checked += 1
    assert checked > 300
