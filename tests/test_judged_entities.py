"""Which entities the judge sees: the best by rule score, and the one whose name reads the most of the mention."""

from __future__ import annotations

from resolver.matching.decision import TOP_ENTITIES
from resolver.matching.index_views import IndexedAlias
from resolver.matching.normalize import Token, analyze
from resolver.matching.ranking import Hit, rank_entities
from resolver.matching.scoring import Score, score_alias

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
