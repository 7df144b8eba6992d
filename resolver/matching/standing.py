"""What the judge reads about each of the best entities: the pair's evidence and its standing.

:func:`candidate_features` gathers, for the ``TOP_ENTITIES`` best entities by rule score (one more in
a store larger than the judge's population), the
evidence about each (mention, alias) pair (:mod:`resolver.matching.features`) and how the candidate
stands among its rivals in the first ``COMPARED`` (its lead over the best of them, how many score
close to it, how the entity's own names vary: :mod:`resolver.matching.own_names`): the vector
:data:`FEATURES` that :func:`resolver.matching.decision.judge` asks the model about.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from resolver.matching.alignment import Alignment, align, real_pair
from resolver.matching.features import PAIR_FEATURES, Evidence, pair_evidence
from resolver.matching.index import FEATURE_POPULATION, JUDGE_PEOPLE_SHARE, CandidateIndex, IndexedAlias
from resolver.matching.model import MatcherModel
from resolver.matching.normalize import NameKey, Token
from resolver.matching.own_names import alias_variation, country_branch, fixed_middle
from resolver.matching.places import place_of
from resolver.matching.scoring import FUNCTION_WORD_WEIGHT, MentionScorer, Score
from resolver.matching.short_forms import spelt_out_forms
from resolver.matching.skeletons import coarse
from resolver.matching.word_similarity import token_similarity
from resolver.matching.words import FUNCTION_WORDS, LEGAL_FORMS, UNIT_ARTICLES, UNIT_JOINS

__all__ = ["AT", "COMPARED", "FEATURES", "RANK_FEATURES", "RULE_VETOES", "TOP_ENTITIES", "TOP_ENTITIES_BEYOND",
           "candidate_features", "in_judge_population", "in_judge_weights", "is_exact", "unit_of"]

#: features about the candidate list, after the pair's own
RANK_FEATURES = (
    "margin",  # rule score minus the best rival's (see ``candidate_features``)
    "close",  # how many rivals score within 0.05 of it
    "rank",  # its place in the rule ranking among its rivals (entities tied on the rule score share it)
    "crowd",  # how many rivals there are among the best ``COMPARED`` entities (itself included), log
    "other_kind",  # how surely an unmatched mention word belongs to names of the other kind (person/not)
    "optional_a",  # the entity's other names (among those retrieved) lack each alias word the mention lacks
    "elsewhere_q",  # each mention word the alias lacks is in another of the entity's names (among those retrieved)
    "lead",  # its learned strength (see ``_strength``) minus the best judged rival's
    # the mention holds a name word between two aligned words where the alias holds another, and no
    # other name of the entity (among those retrieved) puts another word there either
    "fixed_mid",
    # an organisation: the alias adds a country word to the mention's every name word, the mention
    # names no country, and every other name of the entity (among those retrieved) names that country
    # too: the entity is the body of that country, the mention its parent ("BELKAZTRANS" for a
    # "BELKAZTRANS UKRAINE" also named "BELKAZTRANS UKRAINA TOV")
    "branch",
    # an organisation: the alias adds words before the mention's every name word, joined to them by
    # "of": a unit of the body the mention names ("STRATEGIC ROCKET FORCE OF THE KOREAN PEOPLE'S
    # ARMY" for "KOREAN PEOPLE'S ARMY"), see ``unit_of``
    "unit_of",
    # an organisation's names each hold a name word the other lacks, the entity's other names (among
    # those retrieved) do without the alias's word (``optional_a``), and the words the two share are
    # all common ones: the rarest has an IDF under ``SHARED_RARE`` of an unseen word's ("ZHIHANG SHIP
    # MANAGEMENT" for an entity named "SSA SHIP MANAGEMENT CO." and "ROD SHIP MANAGEMENT CO.")
    "common_only",
    # a person: when both names leave name words unpaired, how alike (learned similarity) the least
    # alike of the mention's is to its closest of the alias's ("Ivan Stanislavavich TSERTSEL" and
    # "... TERTEL": one surname spelt two ways, which the rules' ladder does not pair; "Felipe" and
    # "Alejandro CABRERA SARABIA": two given names); 0.0 for an organisation
    "spelt_alike",
)
FEATURES = PAIR_FEATURES + RANK_FEATURES
#: see ``common_only``: a word held by about one in 600 of 10,000 entities' names is as rare as this
SHARED_RARE = 0.7
#: how many of the best entities (by rule score) the model judges, and among how many it looks for their rivals
TOP_ENTITIES = 4
COMPARED = 6
#: how many the model judges in a store of more than ``FEATURE_POPULATION`` entities (see ``candidate_features``):
#: one more than in the judge's stores; the sixth compared is weighed as a rival only (at a million aliases
#: judging it too changed no right answer of the scale benchmark and cost 4% of a lookup's work)
TOP_ENTITIES_BEYOND = TOP_ENTITIES + 1
#: a pair the rules score this low is not worth judging (its probability is nil)
_RULE_FLOOR = 0.3
#: reasons the rule scorer writes into a score that say "these must not match", whatever the
#: model thinks (see :func:`resolver.matching.decision.judge`)
RULE_VETOES = ("another country", "given name")
#: each feature's place in :data:`FEATURES`
AT = {name: k for k, name in enumerate(FEATURES)}
_CLASH_ANY = AT["clash_any"]


def candidate_features(
    index: CandidateIndex, name: NameKey, ranked: Sequence[tuple[Score, IndexedAlias]], model: MatcherModel,
    names: Mapping[str, Sequence[IndexedAlias]] | None = None, scorer: MentionScorer | None = None,
) -> list[tuple[Score, IndexedAlias, Evidence, tuple[float, ...]]]:
    """The evidence and full feature vector of each of the best entities' aliases.

    ``ranked`` holds one (rule score, alias) per entity, best first.  Exact names and acronyms
    are left out (they need no judge), and so are pairs without real evidence.

    The candidate's standing (margin, close, rank, crowd) is measured among its rivals only: the
    entities among the first ``COMPARED`` with an exact alias, or with real evidence and a name
    the rules do not call another's (a person's other first name or surname, an organisation
    holding a word the mention lacks while the mention holds one it lacks: ``clash_slot``,
    ``clash_any``).  "Abu Muhammad Gizunov" and "Gizunov Exchange" are no rivals of Sergey
    Gizunov for "Sergey Gizunov", however many of them a store of a million aliases holds: the
    same mention and the same right alias should not lose because the store holds more
    unrelated names.

    ``names``: for each entity, its aliases that retrieval found for the mention (the judged one
    among them); how they differ from one another tells which of the alias's words the entity's
    names can do without (:func:`~resolver.matching.own_names.alias_variation`), and when the
    judged alias clashes with the mention, another of them may read it without a clash and is
    judged in its place (the rule score, and so the candidate's standing, stays the entity's).

    ``scorer``: the rule scorer that scored ``ranked`` (its word comparisons are reused when the rule
    scores are taken again in the judge's weights, :func:`in_judge_weights`).
    """
    ranked = in_judge_weights(index, name, ranked, scorer)
    # Above the judge's population the first five are judged, not the first four: a store of a million
    # aliases holds more namesakes of a name than the judge's stores did, and one ranked fifth by rule
    # score that the judge would find as plausible makes the answer ambiguous, not a link to the first.
    # Up to that size the judge sees what it was fitted on.
    judged = TOP_ENTITIES_BEYOND if index.beyond_judge_population else TOP_ENTITIES
    rules = [s.value for s, _ in ranked[:COMPARED]]
    query_weights = spelt_out_forms(name.tokens, [index.feature_weight(t) for t in name.tokens])
    max_weight = index.feature_max_weight  # the weight of a word the store has never seen
    rival = [is_exact(s) for s, _ in ranked[:COMPARED]]
    paired = []
    for k, (score, alias) in enumerate(ranked[:COMPARED]):
        if is_exact(score) or not name.tokens or not alias.tokens or score.value < _RULE_FLOOR:
            continue
        person = index.entities[alias.entity_id].type == "person"
        wq, weights = _weights(index, name.tokens, query_weights, alias, person)
        ev: Evidence | None = None
        if k < judged:
            al = align(name.tokens, alias.tokens, wq, weights, organisation=not person)
            clash = _clashes(al, person)
            if not al.real and not (names and clash) and "same skeleton" not in score.reason:
                continue  # no real evidence, and no other name to judge in its place: not paired (below)
            ev = pair_evidence(name.tokens, alias.tokens, wq, weights, score.value, person=person,
                               max_weight=max_weight, soft=model.token_similarity, alignment=al)
            if names and clash:
                # The rule scorer's best name of the entity clashes with the mention; another of its
                # names that retrieval found may not ("KMZ ZENITH" is "KRASNOGORSK MECHANICAL ZAVOD
                # ZENITH", not "ZENITH OPTICS"): the first that reads the mention without a clash,
                # and covers it better, is judged in its place.
                for other in names.get(alias.entity_id, ())[:_ALTERNATIVES]:
                    if other.alias_id == alias.alias_id or not other.tokens:
                        continue
                    wq_o, w_o = _weights(index, name.tokens, query_weights, other, person)
                    # (whether the pair is real and clashes is the alignment's to say: the learned
                    # similarities are read only for a name that may take the judged one's place)
                    al_o = align(name.tokens, other.tokens, wq_o, w_o, organisation=not person)
                    if not al_o.real or _clashes(al_o, person):
                        continue
                    ev_o = pair_evidence(name.tokens, other.tokens, wq_o, w_o, score.value, person=person,
                                         max_weight=max_weight, soft=model.token_similarity, alignment=al_o)
                    if _strength(ev_o) > _strength(ev):
                        ev, alias, clash = ev_o, other, False  # (a name that clashes is never taken)
                        break
            real, free_q, reading = ev.real, ev.free_q, (ev.q_sim, bool(ev.free_a))
        else:
            # Only weighed as a rival: its alignment is all that is read (pair_evidence's first step),
            # not the learned similarities of its words.
            al = align(name.tokens, alias.tokens, wq, weights, organisation=not person)
            real, free_q, reading = al.real, tuple(sorted(al.free_q)), (tuple(al.q_sim), bool(al.free_a))
            clash = _clashes(al, person)
        if not real and "same skeleton" not in score.reason:
            continue
        paired.append((k, score, alias, person, free_q, reading, clash, ev))
    # how surely each mention word the alias leaves unpaired belongs to names of another kind
    kinds: Mapping[str, tuple[float, float]] = index.kinds(
        name.tokens[i] for *_, free_q, _, _, ev in paired if ev is not None for i in free_q)
    if index.beyond_judge_population:
        kinds = in_judge_population(kinds, index.people_share)
    # what the store says, plus what the training part's names say (a small store has seen a word
    # once or never: "Kata'ib" in a curated store of a few hundred names)
    prior = model.kinds
    kinds = {k: (people + prior.get(k, (0, 0))[0], others + prior.get(k, (0, 0))[1])
             for k, (people, others) in kinds.items()}
    standing = []
    for k, score, alias, person, free_q, reading, clash, ev in paired:
        rival[k] = not clash
        standing.append((k, score, alias, person, free_q, reading, ev))
    # A rival that pairs no mention word better than the candidate does, and one worse, is a weaker
    # reading of the mention, not a competing one: "Abu Muhammad al-Loginov" (Ilya unpaired) for
    # "Ilya Alekseyevich Loginov" beside "Ilya Loginov"; "Malik, Hamdi" for "Maliki" beside Nouri
    # al-Maliki.  Nor is one that pairs every word alike but leaves a word of its own name unpaired
    # where the candidate leaves none: "Ali Muhammed Bagheri" beside "Mohammad BAGHERI" for
    # "Mohammed Bagheri".  Namesakes that read the mention as fully stay each other's rivals.
    readings = {k: reading for k, *_, reading, _ in standing}
    # how strong each judged pair is by the learned word similarity, where the rule scores see two
    # equal skeletons ("Diyanat" is DNT in "Amir DIANAT" and in "DONATA COMPANY"); an exact alias is 1
    strength = {k: _strength(ev) for k, *_, ev in standing if ev is not None}
    strength.update({k: 1.0 for k, (s, _) in enumerate(ranked[:COMPARED]) if is_exact(s)})
    out = []
    for k, score, alias, person, free_q, reading, ev in standing:
        if k >= judged or ev is None:
            break
        other_kind = max((_kind_share(kinds[coarse(name.tokens[i].key)], person) for i in free_q), default=0.0)
        contenders = [m for m in range(len(rules)) if m != k and rival[m] and not _weaker(readings.get(m), reading)]
        others = [rules[m] for m in contenders]
        best_other = max(others, default=0.0)
        close = sum(1 for r in others if r >= score.value - 0.05)
        # Entities tied on the rule score share a rank: "Tamimi" is as much Faris's as Rami's.
        rank = sum(1 for r in others if r > score.value)
        own_names = (names or {}).get(alias.entity_id, ())
        optional, elsewhere = alias_variation(name.tokens, alias, ev, own_names, person=person)
        fixed = fixed_middle(alias, ev, own_names, index.feature_weight) if person else 0.0
        branch = 0.0 if person else country_branch(name.tokens, alias, ev, own_names)
        unit = 0.0 if person else unit_of(name.tokens, alias.tokens, ev)
        if any(kinds[coarse(name.tokens[i].key)] == (0, 0)
               and not _near_own(index, name.tokens[i], alias, own_names, person) for i in free_q):
            # The entity's names doing without the alias's word make room for a variant of it
            # ("Lalo" for "Eduardo"), not for a word that no name, here or in the training part,
            # holds at all, nor anything spelt within an edit of it ("Qbykr AKHWAN" is not Mochammad
            # ACHWAN); for a person, within an edit of a word of the entity's own names (see
            # ``_near_own``).
            optional = 0.0
        lead = strength[k] - max((strength[m] for m in contenders if m in strength), default=0.0)
        common = 0.0
        if not person and optional and ev.values[_CLASH_ANY] and max(
                (w for w, s in zip(query_weights, ev.q_sim, strict=True) if s and w > FUNCTION_WORD_WEIGHT),
                default=0.0) < SHARED_RARE * SHARED_RARE * max_weight:
            common = 1.0  # (weights are squared IDFs)
        ranking = (score.value - best_other, float(min(close, 5)), float(min(rank, 5)),
                   math.log1p(rival[k] + len(others)), other_kind, optional, elsewhere, lead, fixed, branch,
                   unit, common, ev.free_alike)  # (0.0 for an organisation: pair_evidence measures persons only)
        out.append((score, alias, ev, ev.values + ranking))
    return out


def in_judge_weights(index: CandidateIndex, name: NameKey, ranked: Sequence[tuple[Score, IndexedAlias]],
                     scorer: MentionScorer | None = None) -> Sequence[tuple[Score, IndexedAlias]]:
    """``ranked``, with the rule scores of the first ``COMPARED`` entities weighed as every other
    feature of the judge is (:meth:`CandidateIndex.feature_weight`), in a store of more entities
    than :data:`FEATURE_POPULATION` (below that size both weights are one, and nothing changes).

    The rule scorer ranks with the store's own IDF, which grows with the store (an unseen word
    weighs 87 among 5,000 entities, 185 among 400,000), so at a million aliases the same pair of
    names gets another rule score, margin and standing than the judge was fitted on, while its
    covers and heavy words are read in the judge's weights.  The ranking is left as it is; the
    vetoes the rule scorer wrote into a score (another country, a given name) are kept.  ``scorer``:
    the rule scorer that scored ``ranked``, whose word comparisons are reused (else made again)."""
    if index.entity_count <= FEATURE_POPULATION or not name.tokens:
        return ranked
    top = ranked[:COMPARED]
    weights = [index.feature_weight(t) for t in name.tokens]
    scorer = MentionScorer(name.tokens, weights) if scorer is None else scorer.reweighed(weights)
    scorer.prepare(alias.tokens for _, alias in top)  # (nothing left to compare when reweighed)
    out = []
    for score, alias in top:
        if not is_exact(score) and alias.tokens and not any(v in score.reason for v in RULE_VETOES):
            person = index.entities[alias.entity_id].type == "person"
            score = scorer.score(alias.tokens, [index.feature_weight(t) for t in alias.tokens], partial=person)
        out.append((score, alias))
    return [*out, *ranked[COMPARED:]]


def in_judge_population(kinds: Mapping[str, tuple[float, float]], people_share: float,
                        judge_share: float = JUDGE_PEOPLE_SHARE) -> dict[str, tuple[float, float]]:
    """How many people's and other entities' names hold each word, (people, others), as in a store
    whose share of people is the judge's (``judge_share``) rather than this store's
    (``people_share``): each side weighed by the ratio of the two populations' shares, and the two
    brought back to the word's own total, so that how much the counts say (the feature's two
    pseudo-counts weigh against it) stays what the store says.

    A store of a million aliases holding 80% people, where the judge's stores held 56%, has more
    people's names holding any word: read as they are, the counts made an organisation's word
    ("aid", "Taibah") look like a person's, and the unpaired words of an organisation's mention read
    as of the other kind (``other_kind``).  Up to the judge's population the counts are the store's."""
    if not 0.0 < people_share < 1.0:
        return dict(kinds)
    to_people, to_others = judge_share / people_share, (1.0 - judge_share) / (1.0 - people_share)
    out = {}
    for key, (people, others) in kinds.items():
        shifted = people * to_people + others * to_others
        out[key] = ((people * to_people * (people + others) / shifted, others * to_others * (people + others) / shifted)
                    if shifted else (people, others))
    return out


#: how many of an entity's retrieved names (in the rule scorer's order) the judge reads when its
#: best one clashes with the mention
_ALTERNATIVES = 4


def _weights(index: CandidateIndex, query: Sequence[Token], query_weights: list[float], alias: IndexedAlias,
             person: bool) -> tuple[list[float], list[float]]:
    """The mention's and the alias's word weights for judging the pair."""
    weights = spelt_out_forms(alias.tokens, [index.feature_weight(t) for t in alias.tokens])
    wq = query_weights
    own = index.entity_places.get(alias.entity_id)
    if own and not any(place_of(t.text) for t in alias.tokens):
        # The mention places the entity in its own country ("Baghdad Oil Ministry", "Iraqi
        # Oil Ministry" for "Oil Ministry"): a qualifier, not a word the alias lacks.  Not so
        # when the alias names a place too: Basra's airport is not Baghdad's.
        wq = [FUNCTION_WORD_WEIGHT if place_of(t.text) in own and not _pairs(t, alias, organisation=not person)
              else w for t, w in zip(query, wq, strict=True)]
    return wq, weights


def _near_own(index: CandidateIndex, token: Token, alias: IndexedAlias, own: Sequence[IndexedAlias],
              person: bool) -> bool:
    """A word no name holds is spelt within about one edit of a word the store holds
    (:meth:`CandidateIndex.similar_keys`); for a person, of a word of the entity's own names (the
    alias and its other names retrieved): a surname with a letter dropped or changed ("Karim
    HADDAWAY" for a "Karim HADDAWI" also written "Kareem HADAWI") is a spelling of the entity's own
    word, while a word no name holds that is near only some other name's word is not evidence that
    the entity's names vary there: among a store's tens of thousands of word keys almost any short
    string of letters is an edit from one ("Xqzt" beside a "Lidiya"/"Lydia" entity).  An
    organisation's names hold words a mention translates or rewords, and keep the store-wide test
    (on the training part, main's model held fixed, the entity-only test for organisations too
    dropped 13 more right training answers, "RIHS ... COMMITTEE" and its like)."""
    near = index.similar_keys(token)
    if not person:
        return bool(near)
    return any(t.key in near for other in (alias, *own) for t in other.tokens)


def _clashes(al: Alignment, person: bool) -> bool:
    """The pair's names clash: a person's first or last names, or words in the same place, differ; an
    organisation's names each hold a name word the other lacks.  Read from the pair's alignment, whose
    values the evidence's ``clash_slot``, ``clash_gap`` and ``clash_any`` are (the alignment keeps
    the gaps it reads, which :func:`~resolver.matching.features.pair_evidence` reads too)."""
    return (al.clash_slot or al.clash_gap) if person else al.clash_any


def _strength(ev: Evidence) -> float:
    """How much of both names a pair covers, the mention's words credited with their learned
    similarity to the alias words aligned with them."""
    return ev.values[AT["learned_cover"]] * ev.values[AT["cover_a"]]


def _weaker(sims: tuple[tuple[float, ...], bool] | None, than: tuple[tuple[float, ...], bool]) -> bool:
    """A pair is a weaker reading of the mention than another: its word similarities are nowhere
    above the other pair's, and somewhere below, or alike while its alias leaves a name word
    unpaired and the other's leaves none ("Ali Muhammed Bagheri" beside "Mohammad BAGHERI" for
    "Mohammed Bagheri").  Each pair is (similarity of each mention word, whether the alias leaves a
    name word unpaired); None is an exact alias, which nothing outdoes.

    Compared letter for letter, and again with every spelling of a word counted as the word
    (:func:`_spelling_classes`): a pair weaker either way is weaker.  "Mohamad HADDAD" spells
    "Mohamad" as the mention "Samir Mohamad HADDAD" does, but leaves "Samir" unpaired: no better a
    reading of the given name than "Samir Mohammed HADDAD", which reads every word.  And where two
    pairs read every word as spellings of it, the letters still tell them apart ("Mohammad AL AMIN"
    is read better by "Mohamad AL-AMIN" than by "Mohamad AMEEN")."""
    if sims is None:
        return False
    (mine, extra), (theirs, their_extra) = sims, than
    return (_below(mine, theirs, extra and not their_extra)
            or _below(_spelling_classes(mine), _spelling_classes(theirs), extra and not their_extra))


def _below(mine: tuple[float, ...], theirs: tuple[float, ...], extra: bool) -> bool:
    """Nowhere above, and somewhere below or (``extra``) alike with a name word of its own left unpaired."""
    if not all(a <= b for a, b in zip(mine, theirs, strict=True)):
        return False
    return mine != theirs or extra


#: a word similarity from which the two words are spellings of one (the ladder's skeleton,
#: coarse skeleton, plural and name-equivalent steps)
_SAME_WORD = 0.9


def _spelling_classes(sims: tuple[float, ...]) -> tuple[float, ...]:
    """Each word similarity, with every spelling of the same word counted as the word itself."""
    return tuple(1.0 if s >= _SAME_WORD else s for s in sims)


def _kind_share(counts: tuple[float, float], person: bool) -> float:
    """How surely a word belongs to names of the other kind than the candidate's (0: no idea), from
    how many people's and other entities' names hold it (see :meth:`CandidateIndex.kinds`)."""
    people, others = counts
    same, other = (people, others) if person else (others, people)
    return other / (same + other + 2.0)  # two pseudo-counts: a word seen once says little


def _pairs(token: Token, alias: IndexedAlias, *, organisation: bool) -> bool:
    """The word is itself a spelling of one of the alias's words ("Teheran" of "Tehran", "Myanmar" of
    "Myanma"): paired as the alignment counts real evidence (:func:`real_pair`)."""
    return any(real_pair(*token_similarity(token, a), organisation=organisation) for a in alias.tokens)


def unit_of(query: Sequence[Token], alias: Sequence[Token], ev: Evidence) -> float:
    """1.0 if an organisation's alias holds every name word of the mention as the complement of words
    it adds before them, "<added words> OF [THE] <the mention's words>", else 0.0: a unit, arm or
    body of the one the mention names ("STRATEGIC ROCKET FORCE OF THE KOREAN PEOPLE'S ARMY" for
    "KOREAN PEOPLE'S ARMY", "SUPPORTERS OF THE PARTY OF GOD" for "PARTY OF GOD"), not that body.  The
    reverse, a mention naming the unit ("STRATEGIC ROCKET FORCE" for the longer name), is the unit
    itself, and words added after or between the mention's are the same body's fuller name ("STATE
    INSTITUTE ... OF THE MINISTRY OF DEFENSE", "SOLDIERS OF THE CALIPHATE IN THE LAND OF ALGERIA")."""
    if ev.free_q or not ev.free_a:
        return 0.0
    added = set(ev.free_a)
    kept = [j for j, t in enumerate(alias) if j not in added and t.text not in FUNCTION_WORDS
            and t.text not in LEGAL_FORMS]
    if not kept or max(added) > kept[0]:
        return 0.0
    k = kept[0] - 1
    while k >= 0 and alias[k].text in UNIT_ARTICLES:
        k -= 1
    return float(k >= 0 and alias[k].text in UNIT_JOINS)


def is_exact(score: Score) -> bool:
    """An exact name or acronym: the curator's word, which needs no judge."""
    return score.value == 1.0 and (score.reason == "exact name" or score.reason.startswith("acronym"))
