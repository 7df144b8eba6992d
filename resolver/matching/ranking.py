"""The rule ranking of a mention's candidates: what the learned judge reads, in order.

:func:`score_hits` scores each alias the index retrieves with the rule scorer
(:class:`~resolver.matching.scoring.MentionScorer`); :func:`rank_entities` keeps each entity's best
hit, best first, and moves the entity whose name reads the most of the mention into the judge's
view (:func:`_reads_most_judged`).  :class:`resolver.Resolver` then hands the ranking to
:func:`resolver.matching.decision.judge`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from resolver.matching.index import CandidateIndex, IndexedAlias
from resolver.matching.index_views import read_exact
from resolver.matching.normalize import NameKey, coarse_flat, unreadable_acronym
from resolver.matching.places import place_of
from resolver.matching.scoring import MentionScorer, Score
from resolver.matching.standing import TOP_ENTITIES
from resolver.matching.words import COMMON_GIVEN_NAMES

__all__ = ["Hit", "rank_entities", "score_hits", "scored_hits"]

#: the most a name can score against an entity whose names place it in another country: below
#: every match threshold
_OTHER_PLACE_CAP = 0.7


# (not frozen: one is made per candidate of every lookup, and a frozen dataclass sets each field through
# object.__setattr__ at three times the cost; none is changed once made)
@dataclass(slots=True)
class Hit:
    """One retrieved alias and its rule score."""

    score: Score
    alias: IndexedAlias


def rank_entities(
    hits: Iterable[Hit], keep: Callable[[IndexedAlias], bool] | None = None
) -> tuple[list[Hit], dict[str, list[IndexedAlias]]]:
    """Each entity's best hit (the first of equal scores), best first, ties by entity id; and
    each entity's aliases among the hits, in hit order (what the judge reads of how the entity's
    names vary).  ``keep``: which hits count (the type filter; a held-out alias in training)."""
    best: dict[str, Hit] = {}
    names: dict[str, list[IndexedAlias]] = {}
    for hit in hits:
        if keep is not None and not keep(hit.alias):
            continue
        entity_id = hit.alias.entity_id
        names.setdefault(entity_id, []).append(hit.alias)
        held = best.get(entity_id)
        if held is None or hit.score.value > held.score.value:
            best[entity_id] = hit
    ranked = sorted(best.values(), key=lambda h: (-h.score.value, h.alias.entity_id))
    return _reads_most_judged(ranked), names


def _reads_most_judged(ranked: list[Hit]) -> list[Hit]:
    """``ranked``, with the entity whose name reads the most of the mention (:attr:`Score.cover`)
    moved into the last of the places the judge sees (``TOP_ENTITIES``) when it ranks below them
    and reads more of the mention than every entity there.

    The rule score weighs both names alike, so an alias that one mention word pairs with and that
    has few words of its own ("Abu Mohamed Al Nail": "Nail" for "Noel", by coarse skeleton) outranks
    one that reads two of the mention's three words exactly but has a word of its own ("Noel Timothy
    HEATH" for "Noel Heath ZAMBA"); at a million aliases there are many such short names, and the
    judge, which weighs both, never sees the better reading."""
    if len(ranked) <= TOP_ENTITIES:
        return ranked
    seen = max(h.score.cover for h in ranked[:TOP_ENTITIES])
    below = max(range(TOP_ENTITIES, len(ranked)), key=lambda k: (ranked[k].score.cover, -k))
    if ranked[below].score.cover <= seen:
        return ranked
    return [*ranked[:TOP_ENTITIES - 1], ranked[below], *ranked[TOP_ENTITIES - 1:below], *ranked[below + 1:]]


def score_hits(index: CandidateIndex, name: NameKey) -> list[Hit]:
    """Score every alias retrieval finds for the mention with the rule scorer, unordered.

    An acronym is matched exactly (short or unreadable ones only so), an exact name scores 1.0, a
    lone common given name reaches no longer name, a company's name no person, and a name that
    places the mention in a country the entity's names never do is capped below every threshold."""
    return scored_hits(index, name)[0]


def scored_hits(index: CandidateIndex, name: NameKey) -> tuple[list[Hit], MentionScorer | None]:
    """:func:`score_hits`, and the rule scorer that scored them (None when no word was compared: an
    acronym, a name without words), whose word comparisons the judge reuses."""
    if name.acronym is not None:
        exact = [Hit(Score(1.0, "acronym, exact and case-sensitive", 1.0), index.aliases[i])
                 for i in index.by_acronym.get(name.acronym, ())]
        if sum(c.isalpha() for c in name.acronym) <= 4 or unreadable_acronym(name.acronym):
            # Short acronyms, and longer ones no language reads as a word ("SCSCO" is not
            # "Saksouk"), are never fuzzy-matched: exact acronym, else an exact name ("IRAN").
            return exact or [Hit(Score(1.0, "exact name", 1.0), index.aliases[i])
                             for i in index.by_normalized.get(name.normalized, ())], None
        if exact:
            return exact, None
    if not name.tokens:
        return [], None
    lone_given = len(name.tokens) == 1 and name.tokens[0].text in COMMON_GIVEN_NAMES
    # "Khalidi Company" names a company, never Hamzah al-Khalidi.
    company = any(index.is_legal_form(t) for t in name.tokens)
    places = {p for t in name.tokens if (p := place_of(t.text)) is not None}
    with index.session() as q:  # (the exact name too, in the same statement: retrieval reads it next)
        same_flat = frozenset(read_exact(q, index.by_normalized, name.normalized, index.by_flat,
                                         coarse_flat(name.tokens))[1])
    found = [(i, index.aliases[i]) for i in index.candidates(name)]
    # (after retrieval, which has read the rows the weights come from)
    scorer = MentionScorer(name.tokens, [index.weight(t) for t in name.tokens])
    scorer.prepare(alias.tokens for _, alias in found)
    hits = []
    for i, alias in found:
        if alias.normalized == name.normalized:
            hits.append(Hit(Score(1.0, "exact name", 1.0), alias))
            continue
        if lone_given and len(alias.tokens) > 1:
            continue  # "Ali" alone is too many people to be anybody
        person = index.entities[alias.entity_id].type == "person"
        if company and person:
            continue
        score = scorer.score(alias.tokens, index.alias_weights[i], partial=person, same_flat=i in same_flat)
        if places and score.value > _OTHER_PLACE_CAP:
            own = index.entity_places.get(alias.entity_id)
            if own and not places <= own:
                # The mention names a country this entity's names never do: the "Iranian
                # Interior Ministry" is not Iraq's, Abu Muhammad al-Iraqi is not al-Masri.
                score = Score(_OTHER_PLACE_CAP, f"{score.reason}, but another country")
        if score.value > 0:
            hits.append(Hit(score, alias))
    return hits, scorer
