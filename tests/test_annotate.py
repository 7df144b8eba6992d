"""Resolver.annotate on running text: spans, offsets, overlaps, gates, coreference, ambiguity."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resolver import MatchStatus, Resolver
from resolver.annotate.annotator import Mention


def linked(mentions: list[Mention]) -> list[tuple[str, str | None]]:
    """(surface, entity id or None for ambiguous) per mention, in text order."""
    return [(m.text, m.resolution.entity.id if m.resolution.entity else None) for m in mentions]


def check_offsets(text: str, mentions: list[Mention]) -> None:
    for m in mentions:
        assert text[m.start:m.end] == m.text
    ends = [(m.start, m.end) for m in mentions]
    assert ends == sorted(ends)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(ends))


# --- offsets ------------------------------------------------------------------------------------


def test_offsets_exact_after_curly_quotes_emoji_and_arabic(resolver: Resolver) -> None:
    text = "👇 PM Kadhimi’s “Asa’ib Ahl al-Haq” 🇮🇶 met مصطفى الكاظمي and قيس الخزعلي."
    mentions = resolver.annotate(text)
    check_offsets(text, mentions)
    assert [(m.start, m.end, m.text) for m in mentions] == [
        (5, 12, "Kadhimi"),
        (16, 33, "Asa’ib Ahl al-Haq"),
        (42, 55, "مصطفى الكاظمي"),
        (60, 71, "قيس الخزعلي"),
    ]
    assert linked(mentions) == [
        ("Kadhimi", "mustafa-al-kadhimi"),
        ("Asa’ib Ahl al-Haq", "asaib-ahl-al-haq"),
        ("مصطفى الكاظمي", "mustafa-al-kadhimi"),
        ("قيس الخزعلي", "qais-al-khazali"),
    ]


def test_arabic_sentence(resolver: Resolver) -> None:
    text = "وقال رئيس الوزراء مصطفى الكاظمي إن كتائب حزب الله"
    assert linked(resolver.annotate(text)) == [
        ("مصطفى الكاظمي", "mustafa-al-kadhimi"),
        ("كتائب حزب الله", "kataib-hezbollah"),
    ]


def test_combining_marks_stay_inside_the_word(resolver: Resolver) -> None:
    text = "Qa\u0304sem Soleimani (Q\u0101sem) and Qasem Soleimani"
    mentions = resolver.annotate(text)
    check_offsets(text, mentions)
    assert [m.text for m in mentions] == ["Qa\u0304sem Soleimani", "Qasem Soleimani"]
    assert {m.resolution.entity.id for m in mentions if m.resolution.entity} == {"qasem-soleimani"}


def test_empty_and_nameless_text(resolver: Resolver) -> None:
    assert resolver.annotate("") == []
    assert resolver.annotate("the quick brown fox; 42 % … “” 👍") == []


# --- spans --------------------------------------------------------------------------------------


def test_longest_wins_without_overlap(resolver: Resolver) -> None:
    text = "Muqtada al-Sadr spoke in Sadr City near Baghdad International Airport."
    assert linked(resolver.annotate(text)) == [
        ("Muqtada al-Sadr", "muqtada-al-sadr"),
        ("Sadr City", "sadr-city"),
        ("Baghdad International Airport", "baghdad-international-airport"),
    ]


def test_compound_alias_is_one_mention(resolver: Resolver) -> None:
    text = "Iran’s Islamic Revolutionary Guard Corps-Quds Force and the IRGC/Quds force."
    assert linked(resolver.annotate(text)) == [
        ("Iran", "iran"),
        ("Islamic Revolutionary Guard Corps-Quds Force", "quds-force"),
        ("IRGC", "islamic-revolutionary-guard-corps"),
        ("Quds force", "quds-force"),
    ]


def test_badr_hassoun_is_not_the_badr_organization(resolver: Resolver) -> None:
    text = "Badr Hassoun was arrested in Basra. The Badr Organization denied it."
    assert linked(resolver.annotate(text)) == [("Basra", "basra"), ("Badr Organization", "badr-organization")]


def test_surname_is_not_stretched_over_another_given_name(resolver: Resolver) -> None:
    text = "Iraq said Ahmed Kazemi and Zeinab Soleimani were there; Laith Khazali too."
    assert linked(resolver.annotate(text)) == [("Iraq", "iraq"), ("Laith Khazali", "laith-al-khazali")]


def test_a_name_one_letter_from_a_short_title_is_still_a_name(resolver: Resolver) -> None:
    # "Malana" is one letter from the title "Maulana", but a given name all the same: the surname
    # beside it is another person (hypothesis found this one); typos of long titles stay titles.
    assert linked(resolver.annotate("Malana Askari, a teacher, was injured.")) == []
    assert linked(resolver.annotate("Prime Minster Kadhimi spoke.")) == [("Kadhimi", "mustafa-al-kadhimi")]


def test_titles_stay_outside_the_span(resolver: Resolver) -> None:
    text = "Prime Minister Mustafa Kazemi met Imam Ali’s shrine keepers and Gen. Qasem Soleimani’s heirs."
    assert linked(resolver.annotate(text)) == [
        ("Mustafa Kazemi", "mustafa-al-kadhimi"),
        ("Imam Ali", "ali-ibn-abi-talib"),
        ("Qasem Soleimani", "qasem-soleimani"),
    ]


def test_title_case_headline_keeps_its_names(resolver: Resolver) -> None:
    text = "Iraq’s PM Kazemi Might Finally Be Standing Up To Pro-Iran Groups"
    assert linked(resolver.annotate(text)) == [
        ("Iraq", "iraq"), ("Kazemi", "mustafa-al-kadhimi"), ("Iran", "iran"),
    ]


def test_possessives_are_excluded(resolver: Resolver) -> None:
    text = "AAH’s leader met Kadhimi's aide and Masjedi’ staff, and KH's men."
    mentions = resolver.annotate(text)
    check_offsets(text, mentions)
    assert linked(mentions) == [
        ("AAH", "asaib-ahl-al-haq"),
        ("Kadhimi", "mustafa-al-kadhimi"),
        ("Masjedi", "iraj-masjedi"),
        ("KH", "kataib-hezbollah"),
    ]


def test_an_acronym_plural_is_one_mention_of_the_acronym(resolver: Resolver) -> None:
    # (acronyms are linked only beside a name that is not one: "Baghdad" here)
    text = "Officers of the IRGC-QFs met PMF commanders in Baghdad."
    mentions = resolver.annotate(text)
    check_offsets(text, mentions)
    assert [(m.start, m.end) for m in mentions][:1] == [(16, 24)]  # "IRGC-QFs", not only "IRGC"
    assert linked(mentions) == [("IRGC-QFs", "quds-force"), ("PMF", "popular-mobilization-forces"),
                                ("Baghdad", "baghdad")]


def test_handles_and_hashtags(resolver: Resolver) -> None:
    text = "PM @MAKadhimi’s tweet on the #Green_Zone, #Iraq and #Iraqi politics, via @WSJ."
    assert linked(resolver.annotate(text)) == [
        ("@MAKadhimi", "mustafa-al-kadhimi"),
        ("#Green_Zone", "green-zone"),
        ("#Iraq", "iraq"),
        ("@WSJ", "wall-street-journal"),
    ]


def test_lowercase_ordinary_words_are_not_linked(resolver: Resolver) -> None:
    text = "aah, the badr of the telegram said to us: trump the sadr and dora in washington."
    assert resolver.annotate(text) == []


def test_capitalised_ordinary_words_are_not_linked(resolver: Resolver) -> None:
    text = "Iran bought Iron Dome. On Monday the Door opened, Yet the Force was strong."
    assert linked(resolver.annotate(text)) == [("Iran", "iran")]


def test_nothing_inside_a_longer_word(resolver: Resolver) -> None:
    text = "Kadhimi visited Kadhimiya. Iraqis, Iranian AAHs, #IraqProtests and Kadhimis."
    # "AAHs" is the plural of an acronym, which names what the acronym names (as "IRGC-QFs" does);
    # a name's plural ("Kadhimis": the family) and a word built on a name ("Kadhimiya") are not.
    assert linked(resolver.annotate(text)) == [("Kadhimi", "mustafa-al-kadhimi"), ("AAHs", "asaib-ahl-al-haq")]


def test_adjectives_are_not_the_place(resolver: Resolver) -> None:
    assert linked(resolver.annotate("Iraqi and Iranian officials met American envoys in Iraq.")) == [("Iraq", "iraq")]


def test_an_adjective_of_nationality_is_no_spelling_of_the_place_whatever_it_scores(db_path: Path) -> None:
    # "American" is a letter from the alias "America": with thresholds low enough for the resolver to
    # match it, the text still does not link the adjective (a variant spelling would be linked).
    from resolver.settings import Settings

    r = Resolver.open(str(db_path), settings=Settings(match_threshold=0.3, person_match_threshold=0.3))
    try:
        assert r.resolve("American").status is MatchStatus.MATCHED
        assert linked(r.annotate("Officials met American envoys in Iraq.")) == [("Iraq", "iraq")]
    finally:
        r.close()


def test_lowercase_words_only_inside_whole_aliases(resolver: Resolver) -> None:
    text = "The Sadrist movement and Kadhimi and Trump spoke; the Iraqi health ministry agreed."
    assert linked(resolver.annotate(text)) == [
        ("Sadrist movement", "sadrist-movement"),
        ("Kadhimi", "mustafa-al-kadhimi"),
        ("Trump", "donald-trump"),
        ("Iraqi health ministry", "iraq-ministry-of-health"),
    ]


def test_a_phrase_may_leave_out_inner_words_of_an_alias(resolver: Resolver) -> None:
    # "Baghdad airport" is "Baghdad International Airport" without its inner word, and
    # resolve() says so; the phrase keeps the name and the head noun.
    text = "Drones targeted Baghdad airport on Tuesday."
    assert linked(resolver.annotate(text)) == [("Baghdad airport", "baghdad-international-airport")]
    # Not without the name ("Iraqi" of "Iraqi Security Forces"), not without the head noun, not
    # with a word the alias lacks: there the name alone is linked, or nothing.
    assert linked(resolver.annotate("Later, security forces and Security forces arrived.")) == []
    # The words before the lower-case ones must be a name as stored, not an adjective, though
    # resolve() matches "Iraqi forces" (Iraqi Security Forces) and "Popular forces".
    assert linked(resolver.annotate("Later Iraqi forces, the Popular forces and the Independent commission met.")) == []
    assert linked(resolver.annotate("Officials said Baghdad international flights and the Baghdad province "
                                    "council were cancelled.")) == [("Baghdad", "baghdad"), ("Baghdad", "baghdad")]


def test_citation_order_crosses_one_comma_only_as_an_alias(resolver: Resolver) -> None:
    text = "Alaca, Mehmet, “Kataib Hezbollah: ...” Twitter. Qais al-Khazali, the leader, spoke."
    assert linked(resolver.annotate(text)) == [
        ("Alaca, Mehmet", "mehmet-alaca"),
        ("Kataib Hezbollah", "kataib-hezbollah"),
        ("Twitter", "twitter"),
        ("Qais al-Khazali", "qais-al-khazali"),
    ]


# --- acronyms and context -----------------------------------------------------------------------


def test_bare_acronyms_need_context(resolver: Resolver) -> None:
    assert resolver.annotate("AAH") == []
    assert resolver.annotate("CTS and KH are generic letters.") == []
    assert linked(resolver.annotate("AAH and Qais al-Khazali")) == [
        ("AAH", "asaib-ahl-al-haq"), ("Qais al-Khazali", "qais-al-khazali"),
    ]


def test_dotted_acronym_keeps_its_dots(resolver: Resolver) -> None:
    text = "Iran warned the U.S. That was all."
    mentions = resolver.annotate(text)
    check_offsets(text, mentions)
    assert linked(mentions) == [("Iran", "iran"), ("U.S.", "united-states")]


# --- coreference and ambiguity ------------------------------------------------------------------


def test_surname_linked_as_the_resolver_links_it(resolver: Resolver) -> None:
    # resolve("Ameri") matches Hadi al-Ameri (a surname spelt as stored): the annotator agrees,
    # with the resolver's own explanation, whether or not the full name came first.
    text = "Hadi al-Ameri met them. Later Ameri said no."
    mentions = resolver.annotate(text)
    assert linked(mentions) == [("Hadi al-Ameri", "hadi-al-ameri"), ("Ameri", "hadi-al-ameri")]
    assert mentions[1].resolution == resolver.resolve("Ameri")
    assert linked(resolver.annotate("Later Ameri said no.")) == [("Ameri", "hadi-al-ameri")]


def test_short_variant_linked_only_after_the_full_name(resolver: Resolver) -> None:
    # "Qaany" (five letters) is matched by the resolver, but a one-word variant that short is too
    # close to ordinary words to stand alone ("Iron" ~ Iran): only the document makes it a name.
    assert resolver.resolve("Qaany").status is MatchStatus.MATCHED
    assert resolver.annotate("Qaany was buried.") == []
    mentions = resolver.annotate("Esmail Qaani arrived. Later Qaany was buried. Rockets fell.")
    assert linked(mentions) == [("Esmail Qaani", "esmail-qaani"), ("Qaany", "esmail-qaani")]
    assert mentions[1].resolution.explanation.startswith("Esmail Qaani is named in full in the same text")


def test_long_variant_linked_as_the_resolver_links_it(resolver: Resolver) -> None:
    assert linked(resolver.annotate("Later Soliemani was buried.")) == [("Soliemani", "qasem-soleimani")]
    assert resolver.resolve("Basrah").status is MatchStatus.MATCHED
    assert linked(resolver.annotate("Officials in Basrah said so.")) == [("Basrah", "basra")]


def test_a_sentence_capital_is_no_name(resolver: Resolver) -> None:
    # The resolver matches "Missile" (Al Masalah) and "Carried" (Karrada) by their skeletons; at
    # the start of a sentence or in a title-case line a capital says nothing, so they are words.
    assert resolver.resolve("Carried").status is MatchStatus.MATCHED
    assert resolver.annotate("Missile strikes hit the base. Carried by the crowd, he left.") == []
    assert resolver.annotate("“Missile” was the word.\nTehran Missile Strikes Hit The Base Again") == [
        m for m in resolver.annotate("“Missile” was the word.\nTehran Missile Strikes Hit The Base Again")
        if m.text == "Tehran"
    ]
    # ... while a variant that opens a sentence still links once the document names its person
    assert linked(resolver.annotate("Qasem Soleimani died. Soliemani was buried.")) == [
        ("Qasem Soleimani", "qasem-soleimani"), ("Soliemani", "qasem-soleimani"),
    ]


def test_short_lookalikes_are_not_linked_by_context(resolver: Resolver) -> None:
    text = ("Thomas Lyell wrote it. Lala and One and al-Lila agreed; the Interior Ministry and the Ministry too. "
            "Esmail Qaani’s aide al-Samial spoke.")
    assert linked(resolver.annotate(text)) == [
        ("Thomas Lyell", "thomas-lyell"), ("Interior Ministry", "iraq-ministry-of-interior"),
        ("Esmail Qaani", "esmail-qaani"),
    ]


def test_given_name_alone_is_not_linked(resolver: Resolver) -> None:
    # Whatever the resolver makes of "Qais" alone, in running text a given name is anybody's
    # until the document names its person in full.
    assert resolver.annotate("Later Qais said no.") == []


def test_given_name_linked_in_context(resolver: Resolver) -> None:
    text = "Qais al-Khazali spoke. A song called “Qais of the Victory” followed."
    assert linked(resolver.annotate(text)) == [("Qais al-Khazali", "qais-al-khazali"), ("Qais", "qais-al-khazali")]
    assert resolver.annotate("A song called “Qais of the Victory” followed.") == []


@pytest.fixture()
def hassouns(resolver: Resolver) -> Resolver:
    """Two people who share the surname Hassoun, added to this test's private store."""
    resolver.store.add_entity("Karim Hassoun", "person", id="karim-hassoun")
    resolver.store.add_entity("Salim Hassoun", "person", id="salim-hassoun")
    return resolver


def test_ambiguous_surname_stays_ambiguous(hassouns: Resolver) -> None:
    [mention] = hassouns.annotate("Then Hassoun spoke.")
    assert (mention.start, mention.end, mention.text) == (5, 12, "Hassoun")
    assert mention.resolution.status is MatchStatus.AMBIGUOUS
    assert mention.resolution.entity is None
    assert {c.entity.id for c in mention.resolution.candidates} == {"karim-hassoun", "salim-hassoun"}


def test_ambiguous_surname_resolved_by_the_document(hassouns: Resolver) -> None:
    text = "Salim Hassoun arrived. Then Hassoun spoke."
    assert linked(hassouns.annotate(text)) == [("Salim Hassoun", "salim-hassoun"), ("Hassoun", "salim-hassoun")]


def test_store_changes_reach_the_annotator(resolver: Resolver) -> None:
    assert resolver.annotate("Badr Hassoun met Qasem Soleimani.") == [
        m for m in resolver.annotate("Badr Hassoun met Qasem Soleimani.") if m.text == "Qasem Soleimani"
    ]
    resolver.store.add_entity("Badr Hassoun", "person", id="badr-hassoun")
    assert linked(resolver.annotate("Badr Hassoun met Qasem Soleimani.")) == [
        ("Badr Hassoun", "badr-hassoun"), ("Qasem Soleimani", "qasem-soleimani"),
    ]


# --- the result type ----------------------------------------------------------------------------


def test_mention_to_dict(resolver: Resolver) -> None:
    [mention] = resolver.annotate("Kazemi spoke.")
    assert mention.to_dict() == {
        "start": 0,
        "end": 6,
        "text": "Kazemi",
        "status": "matched",
        "entity": {"id": "mustafa-al-kadhimi", "name": "Mustafa al-Kadhimi", "type": "person"},
        "score": 1.0,
        "alias": "Kazemi",
        "explanation": mention.resolution.explanation,
        "candidates": [c.to_dict() for c in mention.resolution.candidates],
    }


def test_mention_is_frozen(resolver: Resolver) -> None:
    [mention] = resolver.annotate("Kazemi spoke.")
    with pytest.raises(AttributeError):
        mention.start = 3  # type: ignore[misc]


_PIECES = [
    "Kadhimi", "Kazemi’s", "AAH", "AAH’s", "Sadr City", "Badr", "Hassoun", "al-", "Qais al-Khazali", "#Green_Zone",
    "@MAKadhimi", "مصطفى الكاظمي", "قيس", "👇", "🇮🇶", "“", "”", "’", ", ", ". ", " ", " ", "\n", "-", "the", "The",
    "U.S.", "Iran", "Iraqi", "(", ")", "&", "q\u0304", "Al Aalem", "Iran-backed", "PM",
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(_PIECES), max_size=30))
def test_any_text_gives_exact_ordered_disjoint_spans(resolver: Resolver, pieces: list[str]) -> None:
    text = "".join(pieces)
    mentions = resolver.annotate(text)
    check_offsets(text, mentions)
    for m in mentions:
        assert m.resolution.status in (MatchStatus.MATCHED, MatchStatus.AMBIGUOUS)
        assert m.text.strip() == m.text and m.text
