"""Which entities the judge sees: the best by rule score, and the one whose name reads the most of the mention."""

from __future__ import annotations

import pytest

from resolver import Resolver
from resolver.matching.index_views import IndexedAlias
from resolver.matching.normalize import Token, analyze
from resolver.matching.ranking import Hit, rank_entities, score_hits, scored_hits
from resolver.matching.scoring import Score, score_alias
from resolver.matching.standing import COMPARED, TOP_ENTITIES, in_judge_weights

# the weights a store of a million aliases gives these words (bench/scale.py): an unseen surname,
# two rare names, two common ones
_WEIGHTS = {"zamba": 184.8, "noel": 84.9, "heath": 72.8, "timothy": 166.4, "nail": 84.9, "abu": 3.2, "mohamed": 1.6}


def _weight(token: Token) -> float:
    return _WEIGHTS[token.text]


def test_cover_is_the_share_of_the_mention_the_alias_reads() -> None:
    mention = analyze("Noel Heath ZAMBA").tokens
    heath = score_alias(mention, analyze("Noel Timothy HEATH").tokens, _weight)
    nail = score_alias(mention, analyze("Abu Mohamed Al Nail").tokens, _weight)
    # the rule score weighs both names: the short name read by one word ("Nail" for "Noel", by
    # coarse skeleton) outscores the name that reads two of the mention's three words exactly
    assert nail.value > heath.value
    assert heath.cover == round((84.9 + 72.8) / (84.9 + 72.8 + 184.8), 4)
    assert nail.cover == round(0.93 * 84.9 / (84.9 + 72.8 + 184.8), 4)
    assert heath.cover > nail.cover
    whole = score_alias(mention, mention, _weight)
    assert whole.cover == 1.0


def _hit(entity: str, value: float, cover: float) -> Hit:
    alias = IndexedAlias(int(entity[1:]), entity, entity, entity, (), None, "name")
    return Hit(Score(value, "full name: exact", cover), alias)


def test_the_entity_reading_most_of_the_mention_is_judged_though_it_ranks_below() -> None:
    hits = [_hit(f"e{k}", 0.56 - k / 100, 0.2) for k in range(6)] + [_hit("e9", 0.47, 0.48)]
    ranked, _ = rank_entities(hits)
    assert [h.alias.entity_id for h in ranked[:TOP_ENTITIES]] == ["e0", "e1", "e2", "e9"]
    # the rest keep their order after it: the one it displaced comes next
    assert [h.alias.entity_id for h in ranked[TOP_ENTITIES:]] == ["e3", "e4", "e5"]


def test_the_rule_order_stands_when_the_judged_read_as_much() -> None:
    hits = [_hit(f"e{k}", 0.9 - k / 100, 0.5) for k in range(6)] + [_hit("e9", 0.5, 0.5)]
    ranked, _ = rank_entities(hits)
    assert [h.alias.entity_id for h in ranked] == ["e0", "e1", "e2", "e3", "e4", "e5", "e9"]
    # an entity the rules cap (cover 0: another country, a person's given name) is never moved up
    hits = [_hit(f"e{k}", 0.9 - k / 100, 0.1) for k in range(6)] + [_hit("e9", 0.7, 0.0)]
    assert [h.alias.entity_id for h in rank_entities(hits)[0]][-1] == "e9"


def test_the_judge_reads_rule_scores_in_its_own_word_weights_in_a_large_store(
        resolver: Resolver, monkeypatch: pytest.MonkeyPatch) -> None:
    """Above FEATURE_POPULATION entities, the rule scores of the entities the judge compares are
    taken again in the judge's word weights (the store's IDF grows with the store; the judge's
    does not); their order, the vetoes and the rest of the list stay.  Up to that size nothing
    changes: the two weights are one."""
    import resolver.matching.index as index_module
    import resolver.matching.standing as standing_module

    mention = analyze("Ali al-Khazali")
    index = resolver.index
    ranked, _ = rank_entities(score_hits(index, mention))
    pairs = [(h.score, h.alias) for h in ranked]
    assert len(pairs) > COMPARED
    assert in_judge_weights(index, mention, pairs) is pairs

    for module in (index_module, standing_module):
        monkeypatch.setattr(module, "FEATURE_POPULATION", 20)  # the bundle holds more entities
    large = Resolver.open(str(resolver.store.engine.url.database))
    try:
        index = large.index
        assert index.entity_count > 20
        hits, scorer = scored_hits(index, mention)
        ranked, _ = rank_entities(hits)
        pairs = [(h.score, h.alias) for h in ranked]
        judged = in_judge_weights(index, mention, pairs)
        # the rule scorer's word comparisons, reused, give the same scores
        assert scorer is not None and in_judge_weights(index, mention, pairs, scorer) == judged
        assert [a for _, a in judged] == [a for _, a in pairs]
        assert judged[COMPARED:] == pairs[COMPARED:]
        moved = 0
        for (score, alias), (before, _) in zip(judged[:COMPARED], pairs[:COMPARED], strict=True):
            person = index.entities[alias.entity_id].type == "person"
            again = score_alias(mention.tokens, alias.tokens, index.feature_weight, partial=person)
            # (a veto the rule scorer wrote into the score, a person's given name here, stays)
            kept = before.value == 1.0 or "another country" in before.reason or "given name" in before.reason
            assert score == (before if kept else again)
            moved += score.value != before.value
        assert moved  # the store's IDF and the judge's weights differ in such a store
    finally:
        large.close()


def test_in_a_large_store_one_more_entity_is_judged(resolver: Resolver) -> None:
    """Up to FEATURE_POPULATION entities the judge sees the first TOP_ENTITIES by rule score (what it
    was fitted on); in a larger store, which holds more namesakes of a name, one more of the
    COMPARED, so that a fifth as plausible as the first makes the answer ambiguous."""
    from resolver.matching.index import CandidateIndex
    from resolver.matching.model import load_model
    from resolver.matching.standing import TOP_ENTITIES_BEYOND, candidate_features
    from resolver.store.csvio import import_rows

    givens = ["Oswin", "Bertram", "Caspian", "Dorian", "Evander", "Florian", "Gideon", "Hollis"]
    rows = [(f"nk-{n}", f"{given} Quorvelle Drabekian", "person", f"{given} Quorvelle Drabekian")
            for n, given in enumerate(givens)]
    import_rows(resolver.store, rows, source="namesakes")
    mention = analyze("Tamsin Quorvelle Drabekian")
    model = load_model()
    seen = {}
    small = resolver.index
    for label, index in (("small", small), ("large", CandidateIndex(small._reader, small.revision, 400_000))):
        with index.session():
            hits, scorer = scored_hits(index, mention)
            ranked, names = rank_entities(hits)
            index.entity_places.load(h.alias.entity_id for h in ranked[:COMPARED])
            assert sum(h.alias.entity_id.startswith("nk-") for h in ranked[:COMPARED]) == COMPARED
            judged = candidate_features(index, mention, [(h.score, h.alias) for h in ranked], model, names, scorer)
        seen[label] = {alias.entity_id for _, alias, _, _ in judged}
    assert len(seen["small"]) == TOP_ENTITIES
    assert len(seen["large"]) == TOP_ENTITIES_BEYOND == TOP_ENTITIES + 1 < COMPARED
    assert seen["small"] < seen["large"]
