"""Precision: two names that one consonant skeleton holds are two names, and an acronym that no
language reads as a word is matched exactly only (made-up entities throughout)."""

from __future__ import annotations

import pytest

from resolver import MatchStatus, Resolver
from resolver.matching.model import load_model
from resolver.matching.normalize import analyze
from resolver.matching.word_similarity import distinct_names, listed_pair, same_name, token_similarity
from resolver.matching.words import DISTINCT_NAMES, NAME_EQUIVALENTS


def _tok(word: str):  # type: ignore[no-untyped-def]
    return analyze(word).tokens[0]


@pytest.mark.parametrize(("one", "other"), [
    ("Mahmud", "Muhammad"), ("Mahmoud", "Mohammed"), ("Jamal", "Jamil"), ("Kamal", "Kamil"), ("Umar", "Amr"),
    ("Omar", "Ammar"), ("Karim", "Karam"), ("Hisham", "Hashim"), ("Rashid", "Rashad"), ("Nasser", "Nasr"),
    ("Hamid", "Hamad"),
])
def test_two_names_of_one_skeleton_never_pair(one: str, other: str) -> None:
    a, b = _tok(one), _tok(other)
    assert a.key == b.key or a.key[:2] == b.key[:2]  # the skeleton alone cannot tell them apart
    assert distinct_names(a.text, b.text) and distinct_names(b.text, a.text)
    assert token_similarity(a, b) == (0.0, "")
    assert load_model().token_similarity(a, b) == 0.0


@pytest.mark.parametrize(("one", "other"), [
    ("Mohamed", "Muhammad"), ("Mahmoud", "Mahmood"), ("Jameel", "Jamil"), ("Omar", "Umar"), ("Hesham", "Hisham"),
])
def test_spellings_of_one_name_still_pair(one: str, other: str) -> None:
    a, b = _tok(one), _tok(other)
    assert not distinct_names(a.text, b.text)
    assert token_similarity(a, b)[0] >= 0.9


def test_every_line_of_the_list_holds_two_names_at_least() -> None:
    assert DISTINCT_NAMES["mahmud"] >= {"muhammad", "mohammed"}
    assert not DISTINCT_NAMES["mahmud"] & {"mahmoud", "mahmood"}  # a name's own spellings are not others
    # each spelling stands for one name only: no word is on both sides of a line
    assert all(word not in others for word, others in DISTINCT_NAMES.items())


def test_a_person_named_with_the_other_name_is_not_linked(resolver: Resolver) -> None:
    resolver.store.add_entity("Khalil Yasin Mahmoud", "person", id="khalil-yasin-mahmoud")
    resolver.store.add_entity("Walid Jamal Tarrab", "person", id="walid-jamal-tarrab")
    for mention, entity_id in (("Khalil Yasin Mahmood", "khalil-yasin-mahmoud"),
                               ("Walid Djamal Tarrab", "walid-jamal-tarrab")):
        res = resolver.resolve(mention)
        assert res.status is MatchStatus.MATCHED and res.entity is not None and res.entity.id == entity_id
    for mention, entity_id in (("Khalil Yasin Mohammed", "khalil-yasin-mahmoud"),
                               ("Walid Jamil Tarrab", "walid-jamal-tarrab")):
        res = resolver.resolve(mention)
        assert res.entity is None or res.entity.id != entity_id
        assert all(c.score < 0.5 for c in res.candidates if c.entity.id == entity_id)


def test_an_unreadable_acronym_is_matched_exactly_only(resolver: Resolver) -> None:
    resolver.store.add_entity("Al-Qasqas Trading Company", "organization", id="qasqas-trading")
    # an all-caps word that reads as a word is still spelled loosely ("QASQASS")
    assert any(c.entity.id == "qasqas-trading" for c in resolver.resolve("QASQASS").candidates)
    # no vowel among its first four letters: an acronym, not a spelling of "Qasqas" (skeleton QSQS)
    for mention in ("QSQSA", "QSQS-TC"):
        res = resolver.resolve(mention)
        assert res.status is MatchStatus.UNRESOLVED and res.candidates == ()


def _written(word: str) -> str:
    tokens = analyze(word).tokens
    return tokens[0].text if len(tokens) == 1 else word


def test_the_word_lists_never_call_one_pair_both_one_name_and_two() -> None:
    """The scorer and the learned similarity read both lists through ``listed_pair``, which lets
    the distinct names win; a pair in both lists would be a contradiction in the data."""
    one = {(_written(w), _written(o)) for w, others in NAME_EQUIVALENTS.items() for o in others}
    two = {(_written(w), _written(o)) for w, others in DISTINCT_NAMES.items() for o in others}
    assert not {p for p in one if p[0] != p[1]} & two
    for q, a in one - two:
        if q != a:
            assert same_name(q, a) and listed_pair(q, a) is True, (q, a)
    for q, a in two:
        assert distinct_names(q, a) and listed_pair(q, a) is False, (q, a)
    assert listed_pair("qais", "laith") is None
