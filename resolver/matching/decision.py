"""From rule scores to calibrated probabilities: the learned judge of a mention's candidates.

The rule scorer (:mod:`resolver.matching.scoring`) ranks the candidates the index retrieved.  For
the best few entities, :func:`judge` gathers the evidence about each (mention, alias) pair
(:mod:`resolver.matching.features`), adds how the candidate stands among the others (its lead over
the best other entity, how many score close to it), and asks the trained model
(:mod:`resolver.matching.model`) for the probability that the mention names that entity.

Kept from the rules, because they are facts about names rather than degrees of likeness: an
exact name or acronym is the curator's word (probability 1); a pair whose only agreement is a
confusable letter or a bare one- or two-class skeleton is no evidence at all (no candidate: "xx"
is not Qais); and a pair the rules veto (another country, a person's given name the organisation
lacks) stays below every match threshold.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from resolver.matching.alignment import align, kunya_children, real_pair
from resolver.matching.features import PAIR_FEATURES, Evidence, pair_evidence
from resolver.matching.index import CandidateIndex, IndexedAlias
from resolver.matching.model import MatcherModel
from resolver.matching.normalize import NameKey, Token, coarse
from resolver.matching.places import place_of
from resolver.matching.scoring import FUNCTION_WORD_WEIGHT, Score, token_similarity
from resolver.matching.short_forms import spelt_out_forms
from resolver.matching.words import FUNCTION_WORDS, LEGAL_FORMS, ORG_TYPES

__all__ = ["COMPARED", "FEATURES", "Judged", "candidate_features", "given_name_only", "judge", "one_word_veto",
           "veto_holds", "vetoed"]

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
)
FEATURES = PAIR_FEATURES + RANK_FEATURES
#: how many of the best entities (by rule score) the model judges, and among how many it looks for their rivals
TOP_ENTITIES = 4
COMPARED = 6
#: a pair the rules score this low is not worth judging (its probability is nil)
_RULE_FLOOR = 0.3
#: rule reasons that say "these must not match", whatever the model thinks
_VETOES = ("another country", "given name")
_AT = {name: k for k, name in enumerate(FEATURES)}
#: a person's mention holding a word this surely of another kind of name is not that person
_OTHER_KIND = 0.6
#: how much of each name's weight must be covered, crediting the words the alignment leaves unpaired
#: with their learned similarity, for the model to overrule a veto: the clashing words must be
#: spellings of each other (Malerva/Malherbe), not other names ("Abu Fadak" is not Abu Ali al-Askari)
_SPELT_ALIKE = 0.75


@dataclass(frozen=True, slots=True)
class Judged:
    """One entity's best alias for a mention, with the probability that the mention names it."""

    alias: IndexedAlias
    probability: float
    reason: str
    rule: float


def candidate_features(
    index: CandidateIndex, name: NameKey, ranked: Sequence[tuple[Score, IndexedAlias]], model: MatcherModel,
    names: Mapping[str, Sequence[IndexedAlias]] | None = None,
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
    names can do without (:func:`alias_variation`), and when the judged alias clashes with the
    mention, another of them may read it without a clash and is judged in its place (the rule
    score, and so the candidate's standing, stays the entity's).
    """
    rules = [s.value for s, _ in ranked[:COMPARED]]
    query_weights = spelt_out_forms(name.tokens, [index.feature_weight(t) for t in name.tokens])
    max_weight = index.feature_max_weight  # the weight of a word the store has never seen
    rival = [_exact(s) for s, _ in ranked[:COMPARED]]
    paired = []
    for k, (score, alias) in enumerate(ranked[:COMPARED]):
        if _exact(score) or not name.tokens or not alias.tokens or score.value < _RULE_FLOOR:
            continue
        person = index.entities[alias.entity_id].type == "person"
        wq, weights = _weights(index, name.tokens, query_weights, alias, person)
        ev: Evidence | None = None
        if k < TOP_ENTITIES:
            ev = pair_evidence(name.tokens, alias.tokens, wq, weights, score.value, person=person,
                               max_weight=max_weight, soft=model.token_similarity)
            if names and _clashes(ev, person):
                # The rule scorer's best name of the entity clashes with the mention; another of its
                # names that retrieval found may not ("KMZ ZENITH" is "KRASNOGORSK MECHANICAL ZAVOD
                # ZENITH", not "ZENITH OPTICS"): the first that reads the mention without a clash,
                # and covers it better, is judged in its place.
                for other in names.get(alias.entity_id, ())[:_ALTERNATIVES]:
                    if other.alias_id == alias.alias_id or not other.tokens:
                        continue
                    wq_o, w_o = _weights(index, name.tokens, query_weights, other, person)
                    ev_o = pair_evidence(name.tokens, other.tokens, wq_o, w_o, score.value, person=person,
                                         max_weight=max_weight, soft=model.token_similarity)
                    if ev_o.real and not _clashes(ev_o, person) and _strength(ev_o) > _strength(ev):
                        ev, alias = ev_o, other
                        break
            real, free_q, reading = ev.real, ev.free_q, (ev.q_sim, bool(ev.free_a))
            clash = _clashes(ev, person)
        else:
            # Only weighed as a rival: its alignment is all that is read (pair_evidence's first step),
            # not the learned similarities of its words.
            al = align(name.tokens, alias.tokens, wq, weights, organisation=not person)
            real, free_q, reading = al.real, tuple(sorted(al.free_q)), (tuple(al.q_sim), bool(al.free_a))
            clash = (al.clash_slot or al.clash_gap) if person else al.clash_any
        if not real and "same skeleton" not in score.reason:
            continue
        paired.append((k, score, alias, person, free_q, reading, clash, ev))
    # how surely each mention word the alias leaves unpaired belongs to names of another kind
    kinds = index.kinds(name.tokens[i] for *_, free_q, _, _, ev in paired if ev is not None for i in free_q)
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
    strength.update({k: 1.0 for k, (s, _) in enumerate(ranked[:COMPARED]) if _exact(s)})
    out = []
    for k, score, alias, person, free_q, reading, ev in standing:
        if k >= TOP_ENTITIES or ev is None:
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
        if any(kinds[coarse(name.tokens[i].key)] == (0, 0) and not index.similar_keys(name.tokens[i])
               for i in free_q):
            # The entity's names doing without the alias's word make room for a variant of it
            # ("Lalo" for "Eduardo"), not for a word that no name, here or in the training part,
            # holds at all, nor anything spelt within an edit of it ("Qbykr AKHWAN" is not Mochammad
            # ACHWAN).
            optional = 0.0
        lead = strength[k] - max((strength[m] for m in contenders if m in strength), default=0.0)
        ranking = (score.value - best_other, float(min(close, 5)), float(min(rank, 5)),
                   math.log1p(rival[k] + len(others)), other_kind, optional, elsewhere, lead, fixed)
        out.append((score, alias, ev, ev.values + ranking))
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


def _clashes(ev: Evidence, person: bool) -> bool:
    """The pair's names clash: a person's first or last names, or words in the same place, differ; an
    organisation's names each hold a name word the other lacks."""
    if person:
        return bool(ev.values[_AT["clash_slot"]] or ev.values[_AT["clash_gap"]])
    return bool(ev.values[_AT["clash_any"]])


def alias_variation(query: Sequence[Token], alias: IndexedAlias, ev: Evidence,
                    names: Sequence[IndexedAlias], *, person: bool = True) -> tuple[float, float]:
    """How the entity's own names vary where the mention and its best alias disagree.

    (1.0 if every name word of the alias that the mention lacks is missing from another of the
    entity's names as well, else 0.0; 1.0 if every name word of the mention that the alias lacks
    is held by another of the entity's names, else 0.0), both 0.0 when the names agree word for
    word.  "Jose GONZALEZ QUIRARTE" against "Eduardo GONZALEZ QUIRARTE" of an entity also named
    "Lalo GONZALEZ QUIRARTE": the entity's first name varies, so another first name is weaker
    evidence of another man than it is against "Qais al-Khazali", whose every name holds Qais.
    """
    # names in another script say nothing about which words are optional ("كتائب حزب الله" holds no
    # Latin "Hezbollah")
    script = any(t.arabic for t in alias.tokens)
    rest = [n.tokens for n in names
            if n.alias_id != alias.alias_id and n.tokens and any(t.arabic for t in n.tokens) == script]
    if not person:
        # An organisation's other name shows a word optional only as the same name without it
        # ("JIAXIANG INDUSTRY LTD" beside "JIAXIANG INDUSTRY HONG KONG LIMITED"), not as another
        # name altogether ("NAVAL DEFENCE MISSILE INDUSTRY GROUP" says nothing of "CRUISE SYSTEMS
        # INDUSTRY GROUP"'s "SYSTEMS"): it must hold every other name word of the alias.
        kept = [t for j, t in enumerate(alias.tokens) if j not in ev.free_a and _name_word(t)]
        rest = [other for other in rest if all(_holds(other, t) for t in kept)]
    if not rest or not (ev.free_a or ev.free_q):
        return 0.0, 0.0
    # A name opening with a kunya ("Abu Abdul BARNAWI": named by his son) lacks the given name
    # because the kunya stands in its place, not because the given name varies: it shows no word
    # of another name optional, save a kunya's own.
    kunya = _kunya(alias.tokens)
    optional = bool(ev.free_a) and all(any(not _holds(other, alias.tokens[j]) and (j in kunya or not _kunya(other))
                                           for other in rest) for j in ev.free_a)
    elsewhere = bool(ev.free_q) and all(any(_holds(other, query[i]) for other in rest) for i in ev.free_q)
    if (optional and ev.free_q and not elsewhere and set(ev.free_a) <= kunya
            and any(not _kunya(other) for other in rest)):
        # The alias is the kunya, which another name does without because it holds the given name
        # ("Mokhtar Jesus BARNAWI"): the kunya is optional, the given name is not, and the
        # mention's other first name ("Khaled al-Barnawi") still clashes with it.
        optional = False
    return float(optional), float(elsewhere)


def _name_word(token: Token) -> bool:
    """A word that says which organisation, not what kind ("Ltd", "of", "Establishment")."""
    return not (token.text in FUNCTION_WORDS or token.text in LEGAL_FORMS or token.text in ORG_TYPES)


def fixed_middle(alias: IndexedAlias, ev: Evidence, names: Sequence[IndexedAlias],
                 weight: Callable[[Token], float]) -> float:
    """1.0 if the mention holds a name word between two aligned words where the alias holds another
    (``Evidence.gap_mid_a``), and the entity's other names (among those retrieved) never put yet
    another word in that alias word's place; else 0.0.  "Fadi Jamil SERHAN" is not Fadi Hussein
    SERHAN (another father's name), though another name of his leaves the middle name out: it may
    be left out, not replaced.  An entity whose own names put two different words there has no one
    middle name to clash with.  ``weight``: a word's weight (function words are not name words).

    Only the judged alias is read: a mention whose middle word clashes with another of the entity's
    names but not with its best one ("Sadeq Ardeshir LARIJANI" beside "Sadegh Amoli LARIJANI" and
    "Sadeq LARIJANI") is often the same person on the development part (four such right answers
    would be lost against seven more swap-probe names refused)."""
    if not ev.gap_mid_a:
        return 0.0
    script = any(t.arabic for t in alias.tokens)
    wa = [weight(t) for t in alias.tokens]
    swapped: set[int] = set()
    for other in names:
        if other.alias_id != alias.alias_id and other.tokens and any(t.arabic for t in other.tokens) == script:
            swapped |= align(alias.tokens, other.tokens, wa, [weight(t) for t in other.tokens]).gap_clashes()[0]
    return float(not ev.gap_mid_a <= swapped)


def _kunya(tokens: Sequence[Token]) -> set[int]:
    """The positions of a kunya's words ("Abu Abdul": a marker and the child's name)."""
    return {k for child in kunya_children(tokens) for k in (child - 1, child)}


def _holds(tokens: Sequence[Token], word: Token) -> bool:
    return any(t.text == word.text or token_similarity(word, t)[0] >= 0.8 for t in tokens)


def judge(
    index: CandidateIndex,
    name: NameKey,
    ranked: Sequence[tuple[Score, IndexedAlias]],
    model: MatcherModel,
    veto_ceiling: float,
    plausible_ceiling: float,
    veto_override: float = 1.0,
    names: Mapping[str, Sequence[IndexedAlias]] | None = None,
) -> list[Judged]:
    """Probabilities for the best entities of ``ranked`` (one rule-scored alias per entity, best first),
    most probable first.

    A pair the name structure vetoes (:func:`vetoed`) is capped at ``veto_ceiling`` unless the
    model is at least ``veto_override`` sure ("Oscar Macherbe" for "Oscar Malherbe": the surnames
    differ by a letter, which the rule cannot see and the learned word similarity can).  The
    vetoes about a one-word name (:func:`one_word_veto`) and the rule scorer's own (another
    country, a person's given name) always hold.
    """
    judged = [Judged(alias, 1.0, score.reason, 1.0) for score, alias in ranked if _exact(score)]
    for score, alias, ev, x in candidate_features(index, name, ranked, model, names):
        p = model.probability(x)
        if veto_holds(x, p, veto_override) or any(v in score.reason for v in _VETOES):
            p = min(p, veto_ceiling)
        elif given_name_only(x):
            p = min(p, plausible_ceiling)
        if not _exact(score):
            p = min(p, 0.999)  # only an exact name is certain
        against = ev.worst_against or "nothing"
        judged.append(Judged(alias, round(p, 4), f"{score.reason}; for: {ev.best_for}; against: {against}",
                             score.value))
    judged.sort(key=lambda j: (-j.probability, -j.rule, j.alias.entity_id))
    return judged


def veto_holds(x: Sequence[float], p: float, veto_override: float) -> bool:
    """The name structure vetoes the pair (:func:`vetoed`), and the model may not overrule it: it is
    less than ``veto_override`` sure, or the veto is about a one-word name (:func:`one_word_veto`),
    or the words left unpaired are not spellings of each other (either name's cover, crediting them
    with their learned similarity, under ``_SPELT_ALIKE``)."""
    if not vetoed(x):
        return False
    alike = min(x[_AT["soft_q"]], x[_AT["soft_a"]]) >= _SPELT_ALIKE
    return p < veto_override or one_word_veto(x) or not alike


def vetoed(x: Sequence[float]) -> bool:
    """Name structure that says "another entity", however alike the rest (each rule measured on
    the development part to cost no recall at the chosen false-positive rate):

    * a one-word alias that the mention extends with a name word: "Muhammad Sadiq al-Sadr" is
      not "Sadr" (Muqtada), "Badr Shakir al-Sayyab" is not "Badr";
    * a person whose first names, or whose surnames, differ: Laith is not Qais al-Khazali,
      Zeinab is not Qasem Soleimani, Esmail Khatib is not Esmail Qaani (unless the entity's own
      names differ there too, ``optional_a``: an entity named both "Eduardo" and "Lalo GONZALEZ
      QUIRARTE" has no one first name to clash with);
    * a person, when a name word of the mention stands where the alias holds another
      (``clash_gap``): "Ivan Roberto Ahmed Gaviria" is not Ivan Roberto Duque Gaviria, "Hozaifa
      Riyad Khanani" not Hozaifa Javed Khanani (another father).  A word one name adds and the
      other lacks is no clash ("Bashar Hafez al-Assad", "Mohamed Koshlaf"): records often leave
      out a middle name, they do not put another in its place (on the development part: one
      right answer lost, a third of the swap and junk probe's longer names no longer linked);
    * a person, when the mention holds a word that mostly other kinds of names hold (in this
      store), or a name word before a title ("Kata'ib al-Imam Ali" is a brigade named after Imam
      Ali: a title opens a person's name, so words before it name something else);
    * an organisation, when both names hold a word the other lacks ("Internal Security Forces"
      is not "Iraqi Security Forces"; again unless the entity's names do without the alias's
      word), or when a one-word mention is only part of its name
      ("Fatah" is not the Fatah Alliance).
    """
    if x[_AT["extends"]]:
        return True
    # a clash on a word the entity's own names do without is the model's to weigh (``optional_a``)
    clash = not x[_AT["optional_a"]]
    if x[_AT["person"]]:
        return ((clash and (bool(x[_AT["clash_slot"]]) or bool(x[_AT["clash_gap"]]))) or bool(x[_AT["fixed_mid"]])
                or x[_AT["other_kind"]] >= _OTHER_KIND or bool(x[_AT["titled_inside"]]))
    return (clash and bool(x[_AT["clash_any"]])) or (bool(x[_AT["inside"]]) and x[_AT["n_q"]] == 1)


def _strength(ev: Evidence) -> float:
    """How much of both names a pair covers, the mention's words credited with their learned
    similarity to the alias words aligned with them."""
    return ev.values[_AT["learned_cover"]] * ev.values[_AT["cover_a"]]


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


def _kind_share(counts: tuple[int, int], person: bool) -> float:
    """How surely a word belongs to names of the other kind than the candidate's (0: no idea), from
    how many people's and other entities' names hold it (see :meth:`CandidateIndex.kinds`)."""
    people, others = counts
    same, other = (people, others) if person else (others, people)
    return other / (same + other + 2.0)  # two pseudo-counts: a word seen once says little


def one_word_veto(x: Sequence[float]) -> bool:
    """A veto about a one-word name, which no model confidence overrules: whose one word it is
    cannot be told from the spelling ("Mohammad Kazemi" is not "Kazemi", Mustafa al-Kadhimi;
    "Fatah" is not the Fatah Alliance)."""
    return bool(x[_AT["extends"]]) or (not x[_AT["person"]] and bool(x[_AT["inside"]]) and x[_AT["n_q"]] == 1)


def given_name_only(x: Sequence[float]) -> bool:
    """A person named by one word of the name, or by given names only, without the surname ("Qais"
    for Qais al-Khazali, "Ali Hassan" for Ali Hassan al-Majid): never matched on its own, but
    plausible (running text links it when the full name came first).  Two name words that are not
    all given names ("Jesus Mendez" for Jose de Jesus Mendez Vargas) are left to the model."""
    return bool(x[_AT["person"]] and x[_AT["inside"]] and not x[_AT["last"]]
                and (x[_AT["n_q"]] == 1 or x[_AT["given_only"]]))


def _pairs(token: Token, alias: IndexedAlias, *, organisation: bool) -> bool:
    """The word is itself a spelling of one of the alias's words ("Teheran" of "Tehran", "Myanmar" of
    "Myanma"): paired as the alignment counts real evidence (:func:`real_pair`)."""
    return any(real_pair(*token_similarity(token, a), organisation=organisation) for a in alias.tokens)


def _exact(score: Score) -> bool:
    return score.value == 1.0 and (score.reason == "exact name" or score.reason.startswith("acronym"))

