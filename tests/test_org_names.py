"""How the judge reads organisations' names: kinds of organisation in several languages, abbreviated
words, legal forms, and a distinctive word replaced by another."""

from __future__ import annotations

import pytest

from resolver import Resolver
from resolver.matching.alignment import align, real_pair
from resolver.matching.model import load_model
from resolver.matching.normalize import analyze
from resolver.matching.ranking import rank_entities, score_hits
from resolver.matching.scoring import FUNCTION_WORD_WEIGHT, score_alias
from resolver.matching.short_forms import spelt_out_forms
from resolver.matching.standing import candidate_features
from resolver.matching.word_similarity import token_similarity
from resolver.matching.words import LEGAL_FORM_QUALIFIERS, LEGAL_FORMS, ORG_TYPES
from tests.test_model import _evidence


def _tok(word: str):  # type: ignore[no-untyped-def]
    return analyze(word).tokens[0]


@pytest.mark.parametrize(("one", "other"), [
    ("anstalt", "establishment"), ("tv", "television"), ("bonyad", "foundation"), ("majelis", "council"),
])
def test_one_kind_of_organisation_in_two_languages_is_one_word(one: str, other: str) -> None:
    assert ORG_TYPES[one] == ORG_TYPES[other]
    sim, why = token_similarity(_tok(one), _tok(other))
    assert sim == 0.9 and why == "same kind of organisation"
    # the rule scorer, which compares only the pairs its fast pass finds, agrees with the ladder
    w = lambda t: 1.0  # noqa: E731
    assert score_alias(analyze(f"AVIATRANS {one}").tokens, analyze(f"AVIATRANS {other}").tokens, w,
                       partial=False).value > 0.9
    # two kinds are two words ("bank" is no "university")
    assert token_similarity(_tok("bank"), _tok("university"))[0] == 0.0


def test_a_word_saying_only_what_kind_of_organisation_is_no_clash() -> None:
    # the mention adds the kind to a one-word name: no longer "another body that holds the name"
    assert _evidence("BELNEFTEKHIM CONCERN", "BELNEFTEKHIM")["extends"] == 0
    # the names differ only in the kinds they say
    ev = _evidence("AL-BUSTAN ORGANIZATION", "AL-BUSTAN CHARITY ASSOCIATION")
    assert ev["clash_any"] == 1  # "charity" is a name word the mention lacks
    ev = _evidence("RAZAVI BROKERAGE AGENCY", "RAZAVI BROKERAGE CENTER")
    assert ev["clash_any"] == 0 and ev["free_q"] == ev["free_a"] == 0
    # in place of a distinctive word, a kind word still clashes with it
    assert _evidence("TARIQ FOUNDATION GROUP", "TARIQ GIDAR GROUP")["clash_any"] == 1
    # the military and political words name other bodies: Kata'ib Hezbollah is not Hezbollah
    assert _evidence("KATAIB HEZBOLLAH", "HEZBOLLAH")["extends"] == 1
    # a person's name is read as before: "Bank" in a person's mention is a word he lacks
    assert _evidence("Ali BANK HASSAN", "Ali HASSAN", person=True)["free_q"] == 1


@pytest.mark.parametrize(("mention", "alias"), [
    ("HESCO ENG & CON. CO", "HESCO ENGINEERING & CONSTRUCTION CO"),  # first letters of a longer word
    ("LE-HUA ELEC CO. LTD", "LE-HUA ELECTRONIC CO. LIMITED"),
    ("AIR BUTEMBO", "BUTEMBO AIRLINES"),
    ("140TH REPAIR PLANT JSC", "JSC 140 REPAIR PLANT"),  # a number and its ordinal
    ("KARIBU MGMT SERVICES", "KARIBU MANAGEMENT SERVICES"),  # first letter, then consonants
    ("GOMEL REGION EXECUTIVE COMMITTEE", "GOMEL REGIONAL EXECUTIVE COMMITTEE"),  # an adjective of the word
])
def test_an_organisations_abbreviated_word_pairs_with_the_word(mention: str, alias: str) -> None:
    ev = _evidence(mention, alias)
    assert ev["abbreviated"] == 1 and ev["clash_any"] == 0 and ev["free_q"] == ev["free_a"] == 0


@pytest.mark.parametrize(("mention", "alias", "person"), [
    ("ATLAS SHIPPING", "ATLAS SHIP MANAGEMENT", False),  # "ship" is a word, not "shipping" cut short
    ("INTRA TRADING", "INTRACOM TRADING", False),  # a name inside another name's word
    ("IRAN MINING ORGANIZATION", "IRANIAN MINING ORGANIZATION", False),  # places are weighed as places
    ("Ali Hasan ALIMOV", "Ali Hasan ALI", True),  # people's names are not abbreviated
])
def test_a_word_that_merely_begins_another_is_no_abbreviation(mention: str, alias: str, person: bool) -> None:
    assert _evidence(mention, alias, person=person)["abbreviated"] == 0


def test_a_one_word_name_with_its_legal_form_extended_by_a_name_word_is_another_body() -> None:
    assert _evidence("ACCIRENT LSC", "ACCIRENT S.A.")["extends"] == 1
    assert _evidence("HILAL TRAVEL C.A.", "HILAL TRAVEL")["extends"] == 0  # C.A. is a legal form
    assert "taa" in LEGAL_FORMS and "ca" in LEGAL_FORMS
    # a word that is also a surname is a kind of organisation, never a legal form (which says "not a person")
    assert "sahami" in ORG_TYPES and "sahami" not in LEGAL_FORMS
    assert _evidence("SHERKAT SAHAMI ALIAF", "ALIAF COMPANY")["clash_any"] == 0


def test_an_organisations_word_is_optional_only_where_its_own_name_goes_without_it(never_overridden: Resolver) -> None:
    # "CRUISE TRADE INDUSTRY GROUP" is not "CRUISE SYSTEMS INDUSTRY GROUP"'s name because another of its
    # names ("NAVAL DEFENCE MISSILE INDUSTRY GROUP") lacks "SYSTEMS": that is another name, not the
    # same one without the word.  An entity also named "KORYO CREDIT BANK" shows "DEVELOPMENT" optional.
    r = never_overridden
    r.store.add_entity("CRUISE SYSTEMS INDUSTRY GROUP", "organization", id="csig",
                       aliases=["NAVAL DEFENCE MISSILE INDUSTRY GROUP"])
    r.store.add_entity("KORYO CREDIT DEVELOPMENT BANK", "organization", id="kcdb",
                       aliases=["KORYO CREDIT BANK"])
    other = {c.entity.id: c.score for c in r.resolve("CRUISE TRADE INDUSTRY GROUP").candidates}
    assert other.get("csig", 0.0) <= r.settings.veto_ceiling
    varied = {c.entity.id: c.score for c in r.resolve("KORYO CREDIT INVESTMENT BANK").candidates}
    assert varied.get("kcdb", 0.0) > r.settings.veto_ceiling


@pytest.mark.parametrize(("mention", "alias"), [
    ("AEROKAPITAL", "AERO KAPITAL"),  # the ladder first pairs "aerokapital" with "kapital", one skeleton edit away
    ("ORATRANSLOGIC LLC", "ORA TRANSLOGIC LLC"),
    ("UNO MARITIME", "UNOMARITIME"),  # the alias writes them as one
])
def test_a_word_paired_loosely_with_half_of_its_two_words_is_read_as_both(mention: str, alias: str) -> None:
    ev = _evidence(mention, alias)
    assert "(joined words)" in str(ev["for"])
    assert ev["free_q"] == ev["free_a"] == 0 and ev["clash_any"] == 0
    assert ev["cover_q"] > 0.9 and ev["cover_a"] > 0.9


def test_an_organisations_long_word_one_skeleton_edit_away_is_evidence_a_persons_is_not() -> None:
    q, a = analyze("METALLOSERVICE").tokens, analyze("OOO METALLOSERVIS").tokens
    assert token_similarity(q[0], a[1]) == (pytest.approx(0.7714, abs=1e-3), "fuzzy skeleton")
    wq, wa = [4.0], [0.05, 4.0]
    assert align(q, a, wq, wa, organisation=True).real
    # a person's names are short and shared: one skeleton edit is too often another name
    assert not align(q, a, wq, wa, organisation=False).real
    # a confusable letter alone is still no evidence, for an organisation too
    k, g = analyze("KASIMTRANS").tokens, analyze("QASIMTRANS").tokens
    assert token_similarity(k[0], g[0])[1] == "confusable letters"
    assert not align(k, g, [4.0], [4.0], organisation=True).real


def test_a_legal_form_spelt_out_weighs_as_the_legal_form(resolver: Resolver) -> None:
    words = analyze("OPEN JOINT STOCK COMPANY ROSKAPITALBANK").tokens
    assert words[0].text in LEGAL_FORM_QUALIFIERS
    weights = spelt_out_forms(words, [4.0] * len(words))
    assert weights[0] == FUNCTION_WORD_WEIGHT and weights[-1] == 4.0
    # only right before a legal form: "Open" names the society, "Public" the library
    for name in ("OPEN SOCIETY ROSKAPITAL", "ROSKAPITAL PUBLIC LIBRARY"):
        tokens = analyze(name).tokens
        assert spelt_out_forms(tokens, [4.0] * len(tokens)) == [4.0] * len(tokens)
    # "OPEN JOINT STOCK COMPANY X" is OJSC X: no name word added to the one-word name X
    resolver.store.add_entity("ROSKAPITALBANK", "organization", id="rkb", aliases=["OJSC ROSKAPITALBANK"])
    res = resolver.resolve("OPEN JOINT STOCK COMPANY ROSKAPITALBANK")
    assert res.entity is not None and res.entity.id == "rkb"
    # a word that is no part of a legal form still makes another body of the one-word name
    other = resolver.resolve("OPEN MARKET ROSKAPITALBANK")
    assert other.entity is None


def test_a_country_word_spelt_as_an_alias_word_is_that_word_not_a_qualifier(resolver: Resolver) -> None:
    # The entity is placed in Myanmar by another of its names; "MYANMAR" in the mention is a spelling
    # of the alias's "MYANMA" (one written edit), not a word saying where the body is.
    resolver.store.add_entity("MYANMA PEARL ENTERPRISE", "organization", id="mpe",
                              aliases=["STATE GEMS AGENCY OF MYANMAR"])
    index, name = resolver.index, analyze("MYANMAR PEARL ENTERPRISE")
    ranked, names = rank_entities(score_hits(index, name))
    judged = {a.text: ev for _, a, ev, _ in
              candidate_features(index, name, [(h.score, h.alias) for h in ranked], load_model(), names)}
    ev = judged["MYANMA PEARL ENTERPRISE"]
    assert ev.free_q == ev.free_a == ()
    assert "myanma' unmatched" not in ev.worst_against


@pytest.mark.parametrize(("mention", "alias"), [
    ("IRGC QUDS FORCE", "ISLAMIC REVOLUTIONARY GUARD CORPS QUDS FORCE"),  # the initials of four words
    ("ISLAMIC STATE OF IRAQ AND THE LEVANT KHORASAN", "ISIL KHORASAN"),  # function words have no letter
    ("RFK AKHMAT", "RESPUBLIKANSKII FUTBOLNYI KLUB AKHMAT"),
])
def test_an_organisations_initialism_pairs_with_the_words_it_stands_for(mention: str, alias: str) -> None:
    for one, other in ((mention, alias), (alias, mention)):
        ev = _evidence(one, other)
        assert ev["abbreviated"] == 1 and ev["clash_any"] == 0 and ev["free_q"] == ev["free_a"] == 0


@pytest.mark.parametrize(("mention", "alias", "person"), [
    ("IRGC QUDS FORCE", "ISLAMIC REVOLUTIONARY GUARD QUDS FORCE", False),  # the letters of three words, not four
    ("IRGC QUDS FORCE", "ISLAMIC GUARD REVOLUTIONARY CORPS QUDS FORCE", False),  # in another order
    ("IRGC QUDS FORCE", "ISLAMIC REVOLUTIONARY QUDS GUARD CORPS FORCE", False),  # not adjacent
    ("AB TRADING", "ALPHA BETA TRADING", False),  # two letters stand for too many pairs of words
    ("Ali BAK", "Ali Bashir Ahmed KHAN", True),  # people's names are not initialisms
])
def test_letters_that_are_not_the_initials_of_adjacent_words_are_no_initialism(
        mention: str, alias: str, person: bool) -> None:
    assert _evidence(mention, alias, person=person)["abbreviated"] == 0


def test_the_judge_reads_another_retrieved_name_of_the_entity_when_its_best_one_clashes(resolver: Resolver) -> None:
    # The rule scorer's best name for "KMZ ZENITH" is "ZENITH OPTICS" (one word each unpaired: a clash);
    # the entity's other name, its initials spelt out, reads the whole mention.
    resolver.store.add_entity("ZENITH OPTICS", "organization", id="kmz",
                              aliases=["KRASNOGORSK MECHANICAL ZAVOD ZENITH"])
    index, name = resolver.index, analyze("KMZ ZENITH")
    ranked, names = rank_entities(score_hits(index, name))
    assert next(h.alias.text for h in ranked if h.alias.entity_id == "kmz") == "ZENITH OPTICS"
    judged = {a.entity_id: (a.text, ev) for _, a, ev, _ in
              candidate_features(index, name, [(h.score, h.alias) for h in ranked], load_model(), names)}
    text, ev = judged["kmz"]
    assert text == "KRASNOGORSK MECHANICAL ZAVOD ZENITH"
    assert ev.free_q == ev.free_a == ()
    res = resolver.resolve("KMZ ZENITH")
    assert res.candidates[0].entity.id == "kmz" and res.candidates[0].score > resolver.settings.veto_ceiling
    # without that other name, the clash stands
    resolver.store.add_entity("ZENITH TRADING", "organization", id="zt", aliases=["ZENITH ELECTRONICS"])
    assert {c.entity.id: c.score for c in resolver.resolve("KMZ ZENITH").candidates}.get(
        "zt", 0.0) <= resolver.settings.veto_ceiling


@pytest.mark.parametrize(("one", "other"), [
    ("METALLOSERVICE", "METALLOSERVIS"),  # fuzzy skeleton: evidence for an organisation only
    ("KASIMTRANS", "QASIMTRANS"),  # a confusable letter: never evidence
    ("TEHERAN", "TEHRAN"), ("MYANMAR", "MYANMA"), ("IRAN", "IRAQ"), ("OMAN", "AMMAN"),
])
def test_a_country_word_pairs_with_an_alias_word_exactly_when_the_alignment_calls_it_evidence(
        one: str, other: str) -> None:
    from resolver.matching.index_views import IndexedAlias
    from resolver.matching.standing import _pairs
    q, a = analyze(one).tokens[0], analyze(other).tokens
    alias = IndexedAlias(1, "e", other, other.lower(), tuple(a), None, "name")
    for organisation in (True, False):
        real = align([q], a, [4.0], [4.0] * len(a), organisation=organisation).real
        assert _pairs(q, alias, organisation=organisation) == real
        assert real == any(real_pair(*token_similarity(q, t), organisation=organisation) for t in a)


def _judged(resolver: Resolver, mention: str) -> dict[str, tuple[str, dict[str, float]]]:
    from resolver.matching.standing import FEATURES
    index, name = resolver.index, analyze(mention)
    ranked, names = rank_entities(score_hits(index, name))
    return {a.entity_id: (a.text, dict(zip(FEATURES, x, strict=True))) for _, a, _, x in
            candidate_features(index, name, [(h.score, h.alias) for h in ranked], load_model(), names)}


def test_an_organisation_whose_every_name_carries_a_country_is_not_the_parent_without_it(resolver: Resolver) -> None:
    # every name of the entity says Georgia: it is the Georgian company, and the name without the
    # country is its parent's, another company
    resolver.store.add_entity("ZARVELTRANS GEORGIA", "organization", id="branch",
                              aliases=["TOVARYSTVO Z OBMEZHENOYU VIDPOVIDALNISTYU ZARVELTRANS GEORGIA"])
    assert _judged(resolver, "LLC ZARVELTRANS")["branch"][1]["branch"] == 1.0
    capped = {c.entity.id: c.score for c in resolver.resolve("LLC ZARVELTRANS").candidates}
    assert capped.get("branch", 0.0) <= resolver.settings.veto_ceiling
    # a mention that names the country itself is that body ("... IN GEORGIA"), whatever it adds
    assert _judged(resolver, "ZARVELTRANS GEORGIA COMPANY")["branch"][1]["branch"] == 0.0


def test_a_country_some_of_the_entitys_names_go_without_is_no_branch(resolver: Resolver) -> None:
    # one name alone says nothing of which words the entity keeps; a name without the country says
    # the country is optional
    from resolver.matching.features import pair_evidence
    from resolver.matching.own_names import country_branch

    resolver.store.add_entity("KOLVARIN AVIA (ARMENIA)", "organization", id="one")
    resolver.store.add_entity("DELSHANI TRADING TURKEY", "organization", id="varied",
                              aliases=["DELSHANI TRADING COMPANY"])
    resolver.store.add_entity("ZARVELTRANS GEORGIA", "organization", id="fixed",
                              aliases=["ZARVELTRANS GEORGIA COMPANY"])
    assert _judged(resolver, "KOLVARIN AVIA LLC")["one"][1]["branch"] == 0.0
    index = resolver.index

    def branch(mention: str, entity: str, alias_text: str) -> float:
        name = analyze(mention)
        names = [a for a in (index.aliases[i] for i in index.candidates(name)) if a.entity_id == entity]
        alias = next(a for a in names if a.text == alias_text)
        ev = pair_evidence(name.tokens, alias.tokens, [index.feature_weight(t) for t in name.tokens],
                           [index.feature_weight(t) for t in alias.tokens], 0.8, person=False,
                           max_weight=index.feature_max_weight, soft=load_model().token_similarity)
        return country_branch(name.tokens, alias, ev, names)

    assert branch("DELSHANI TRADING", "varied", "DELSHANI TRADING TURKEY") == 0.0
    assert branch("ZARVELTRANS", "fixed", "ZARVELTRANS GEORGIA") == 1.0


def _unit_of(mention: str, alias: str) -> float:
    from resolver.matching.features import pair_evidence
    from resolver.matching.standing import unit_of

    q, a = analyze(mention).tokens, analyze(alias).tokens
    ev = pair_evidence(q, a, [4.0] * len(q), [4.0] * len(a), 0.8, person=False, max_weight=16.0,
                       soft=lambda x, y: 0.0)
    return unit_of(q, a, ev)


@pytest.mark.parametrize(("mention", "alias", "unit"), [
    # a unit or arm of the body the mention names: the added words head the name, the mention's
    # words are their complement
    ("VARNOK LIBERATION ARMY", "NAVAL COMMAND OF THE VARNOK LIBERATION ARMY", True),
    ("ZELMARIN FRONT", "FRIENDS OF ZELMARIN FRONT", True),
    # the mention naming the unit is the unit, whatever parent the alias adds
    ("NAVAL COMMAND", "NAVAL COMMAND OF THE VARNOK LIBERATION ARMY", False),
    # words added after or between the mention's are the same body's fuller name
    ("TORVELAND INSTITUTE OF MEDICINE", "TORVELAND INSTITUTE OF MEDICINE OF THE MINISTRY OF HEALTH", False),
    ("SOLDIERS OF TORVELAND", "SOLDIERS OF THE LAND OF TORVELAND", False),
    ("BANK TORVELAND", "BANK OF TORVELAND", False),
    ("TORVELAND", "TORVELAND INVESTMENT COMPANY", False),
    # words added before the mention's without "of" are its fuller name ("ZOO JOYA GRANDE")
    ("TORVELAND SHIPPING", "NEW TORVELAND SHIPPING", False),
])
def test_a_unit_of_the_body_the_mention_names_is_another_body(mention: str, alias: str, unit: bool) -> None:
    assert _unit_of(mention, alias) == float(unit)


def test_a_unit_of_the_mentions_body_is_vetoed(resolver: Resolver) -> None:
    resolver.store.add_entity("NAVAL COMMAND OF THE VARNOK LIBERATION ARMY", "organization", id="unit")
    assert _judged(resolver, "VARNOK LIBERATION ARMY")["unit"][1]["unit_of"] == 1.0
    capped = {c.entity.id: c.score for c in resolver.resolve("VARNOK LIBERATION ARMY").candidates}
    assert capped.get("unit", 0.0) <= resolver.settings.veto_ceiling


def test_names_that_share_only_common_words_are_two_bodies_however_the_entitys_names_vary(
        never_overridden: Resolver) -> None:
    # The entity's names vary in their distinctive word ("VORSKA" / "TELMAR"), so a mention need not
    # hold "VORSKA"; but a mention that shares only words many companies' names hold ("SHIP
    # MANAGEMENT") and holds a word of its own names another company.  A rare shared word ("KORYO
    # CREDIT INVESTMENT BANK" for an entity also named "KORYO CREDIT BANK") keeps the entity's
    # variation in play (test_an_organisations_word_is_optional_only_where_its_own_name_goes_without_it).
    r = never_overridden
    r.store.add_entity("VORSKA SHIP MANAGEMENT CO", "organization", id="vorska", aliases=["TELMAR SHIP MANAGEMENT"])
    for k, word in enumerate(("BALDOR", "KESTRA", "ORMUND", "PELLIN", "QUARVE")):
        r.store.add_entity(f"{word} SHIP MANAGEMENT LTD", "organization", id=f"ship-{k}")
    judged = _judged(r, "ZELVANO SHIP MANAGEMENT")["vorska"][1]
    assert judged["clash_any"] == 1.0 and judged["optional_a"] == 1.0 and judged["common_only"] == 1.0
    capped = {c.entity.id: c.score for c in r.resolve("ZELVANO SHIP MANAGEMENT").candidates}
    assert capped.get("vorska", 0.0) <= r.settings.veto_ceiling
    # the same names sharing a rare word: the entity's variation stays in play
    assert _judged(r, "VORSKA ZELVANO MANAGEMENT")["vorska"][1]["common_only"] == 0.0


def test_a_name_that_writes_the_word_as_its_initials_does_not_do_without_it(never_overridden: Resolver) -> None:
    # "TARVO-QK" beside "TARVO-Qelmar": QK are Qelmar Kestrid's initials, so that name keeps the word
    # and shows nothing optional; a mention putting a word of its own there names another body.  A
    # name putting a whole other word there ("TARVO-Vennik") still shows the word varies.
    r = never_overridden
    r.store.add_entity("Qelmar Kestrid", "organization", id="qelmar", aliases=["TARVO-Qelmar", "TARVO-QK"])
    judged = _judged(r, "TARVO Zundel")["qelmar"]
    assert judged[0] == "TARVO-Qelmar" and judged[1]["clash_any"] == 1.0 and judged[1]["optional_a"] == 0.0
    assert all(c.score <= r.settings.veto_ceiling for c in r.resolve("TARVO Zundel").candidates)
    r.store.add_alias("qelmar", "TARVO-Vennik")
    assert _judged(r, "TARVO Zundel")["qelmar"][1]["optional_a"] == 1.0
