"""From rule scores to calibrated probabilities: the learned judge of a mention's candidates.

The rule scorer (:mod:`resolver.matching.scoring`) ranks the candidates the index retrieved.  For
the best few entities, :func:`judge` gathers the evidence about each (mention, alias) pair
(:mod:`resolver.matching.features`) and how the candidate stands among the others (its lead over
the best other entity, how many score close to it: :mod:`resolver.matching.standing`), and asks
the trained model (:mod:`resolver.matching.model`) for the probability that the mention names that
entity.

Kept from the rules, because they are facts about names rather than degrees of likeness: an
exact name or acronym is the curator's word (probability 1); a pair whose only agreement is a
confusable letter or a bare one- or two-class skeleton is no evidence at all (no candidate: "xx"
is not Qais); and a pair the rules veto (another country, a person's given name the organisation
lacks) stays below every match threshold.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from resolver.matching.index import CandidateIndex, IndexedAlias
from resolver.matching.model import MatcherModel
from resolver.matching.normalize import NameKey
from resolver.matching.scoring import MentionScorer, Score
from resolver.matching.standing import AT as _AT
from resolver.matching.standing import RULE_VETOES, candidate_features, is_exact

__all__ = ["Judged", "given_name_only", "judge", "one_word_veto", "veto_holds", "vetoed"]

#: a person's mention holding a word this surely of another kind of name is not that person
_OTHER_KIND = 0.6
#: how much of each name's weight must be covered, crediting the words the alignment leaves unpaired
#: with their learned similarity, for the model to overrule a veto: the clashing words must be
#: spellings of each other (Malerva/Malherbe), not other names ("Abu Fadak" is not Abu Ali al-Askari)
_SPELT_ALIKE = 0.75
#: a person's names that clash (first names, surnames, a word in the same place) only in words the
#: learned similarity calls spellings of each other this surely (``spelt_alike``) do not clash: the
#: rules' ladder does not pair "TSERTSEL" with "TERTEL" or "BUDVI" with "BHUTVI", and the pair is the
#: model's to weigh.  Chosen on the training part with main's model held fixed: 15 training queries
#: and 12 held-out training aliases more linked, all right but one held-out alias ("Amer" for a
#: "Samer" of the same father and surname); the junk and swap probes unchanged (with the words'
#: letters unchecked, 0.5 linked one more junk and two more swap names, 0.4 three and three; 0.7
#: keeps 13 and 10 of the right ones)
_CLASH_SPELT = 0.6


# (not frozen: one is made per candidate of every lookup, and a frozen dataclass sets each field through
# object.__setattr__ at three times the cost; none is changed once made)
@dataclass(slots=True)
class Judged:
    """One entity's best alias for a mention, with the probability that the mention names it."""

    alias: IndexedAlias
    probability: float
    reason: str
    rule: float


def judge(
    index: CandidateIndex,
    name: NameKey,
    ranked: Sequence[tuple[Score, IndexedAlias]],
    model: MatcherModel,
    veto_ceiling: float,
    plausible_ceiling: float,
    veto_override: float = 1.0,
    names: Mapping[str, Sequence[IndexedAlias]] | None = None,
    scorer: MentionScorer | None = None,
) -> list[Judged]:
    """Probabilities for the best entities of ``ranked`` (one rule-scored alias per entity, best first),
    most probable first.

    A pair the name structure vetoes (:func:`vetoed`) is capped at ``veto_ceiling`` unless the
    model is at least ``veto_override`` sure ("Oscar Macherbe" for "Oscar Malherbe": the surnames
    differ by a letter, which the rule cannot see and the learned word similarity can).  The
    vetoes about a one-word name (:func:`one_word_veto`) and the rule scorer's own (another
    country, a person's given name: :data:`~resolver.matching.standing.RULE_VETOES`) always hold.
    ``scorer``: the rule scorer that scored ``ranked``.
    """
    judged = [Judged(alias, 1.0, score.reason, 1.0) for score, alias in ranked if is_exact(score)]
    for score, alias, ev, x in candidate_features(index, name, ranked, model, names, scorer):
        p = model.probability(x)
        if veto_holds(x, p, veto_override) or any(v in score.reason for v in RULE_VETOES):
            p = min(p, veto_ceiling)
        elif given_name_only(x):
            p = min(p, plausible_ceiling)
        if not is_exact(score):
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
      neither clash holds where the words both names leave unpaired are spellings of each other by
      the learned similarity (``spelt_alike``: "Ivan Stanislavavich TSERTSEL" and "... TERTEL",
      "Hafiz Abdusalam BUDVI" and "Hafiz Abdussalaam BHUTVI"): the rules' ladder does not pair them;
    * a person, when the mention holds a word that mostly other kinds of names hold (in this
      store), or a name word before a title ("Kata'ib al-Imam Ali" is a brigade named after Imam
      Ali: a title opens a person's name, so words before it name something else);
    * an organisation, when both names hold a word the other lacks ("Internal Security Forces"
      is not "Iraqi Security Forces"; again unless the entity's names do without the alias's
      word, and the words the two names share are not all common ones, ``common_only``: "ZHIHANG
      SHIP MANAGEMENT" is not the "SSA SHIP MANAGEMENT CO." of an entity also named "ROD SHIP
      MANAGEMENT CO."), or
      when a one-word mention is only part of its name ("Fatah" is not the Fatah Alliance);
    * an organisation whose every name carries a country the mention lacks (``branch``): that
      country's branch or subsidiary, not the parent the mention names;
    * an organisation whose name is a unit of the body the mention names (``unit_of``): "STRATEGIC
      ROCKET FORCE OF THE KOREAN PEOPLE'S ARMY" is not the army.
    """
    if x[_AT["extends"]]:
        return True
    # a clash on a word the entity's own names do without is the model's to weigh (``optional_a``)
    clash = not x[_AT["optional_a"]]
    if x[_AT["person"]]:
        # words left unpaired that are spellings of each other are no clash (``spelt_alike``)
        clash = clash and x[_AT["spelt_alike"]] < _CLASH_SPELT
        return ((clash and (bool(x[_AT["clash_slot"]]) or bool(x[_AT["clash_gap"]]))) or bool(x[_AT["fixed_mid"]])
                or x[_AT["other_kind"]] >= _OTHER_KIND or bool(x[_AT["titled_inside"]]))
    return ((clash and bool(x[_AT["clash_any"]])) or (bool(x[_AT["inside"]]) and x[_AT["n_q"]] == 1)
            or bool(x[_AT["branch"]]) or bool(x[_AT["unit_of"]]) or bool(x[_AT["common_only"]]))


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
