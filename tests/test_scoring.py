"""Less work for the same answers: MentionScorer against the word-by-word ladder, and a one-candidate
lookup decided by an exact alias against the longer list."""

from __future__ import annotations

from dataclasses import replace

from conftest import fixture_rows

from resolver import MatchStatus, Resolution, Resolver
from resolver.matching.normalize import Token, analyze
from resolver.matching.scoring import MentionScorer, score_alias
from resolver.matching.word_similarity import same_name, text_similarity, token_similarity
from resolver.matching.words import NAME_EQUIVALENTS


def _names() -> list[tuple[Token, ...]]:
    """Real variant spellings and hard negatives (Latin and Arabic script), plus plurals and typos."""
    texts = ["Revolutionary Guards", "Revolutionary Guard", "Soliemani", "Soleimani", "Dionisio", "Dionicio",
             "Kadhimiya", "Kadhimi", "Kazemi", "Khazali", "Ghazali", "Ouds Force", "Quds Force", "Hezbollah",
             "مصطفى الكاظمي", "قاسم سليماني", "Co. Ltd", "Bank of Iran", "Mykola Kozitsyn", "Nikolai Kozitsyn",
             "Jong Chol Ri", "Chong Chol Ri"]
    for name in ("unseen_variants.csv", "hard_negatives.csv"):
        texts += [row["mention"] for row in fixture_rows(name)]
    return [name.tokens for name in map(analyze, texts) if name.tokens]


def test_words_ruled_out_at_once_are_the_words_the_ladder_gives_nothing() -> None:
    names = _names()
    for query in names[::3]:
        scorer = MentionScorer(query, [1.0] * len(query))
        scorer.prepare(names)
        for alias in names:
            for q in query:
                for a in alias:
                    # after prepare, every pair answers as the ladder itself does
                    assert token_similarity(q, a) == text_similarity.__wrapped__(
                        q.text, q.key, a.text, a.key, q.arabic or a.arabic), (q, a)


def test_many_aliases_score_as_each_alone() -> None:
    names = _names()
    for query in names[::5]:
        weights = [1.0 + len(t.text) / 10 for t in query]
        scorer = MentionScorer(query, weights)
        scorer.prepare(names)
        for alias in names:
            alias_weights = [0.05 if t.text in ("of", "co", "ltd") else 2.0 for t in alias]
            for partial in (True, False):
                alone = MentionScorer(query, weights)
                alone.prepare([alias])
                expected = alone.score(alias, alias_weights, partial=partial)
                assert scorer.score(alias, alias_weights, partial=partial) == expected
    # pairs that really agree get a score with the rule that gave it
    kadhimi = analyze("Mustafa al-Kadhimi").tokens
    scorer = MentionScorer(kadhimi, [1.0, 3.0])
    kazemi = analyze("Mustafa Kazemi").tokens
    scorer.prepare([kazemi])
    got = scorer.score(kazemi, [1.0, 3.0])
    assert got.value > 0.9 and "skeleton" in got.reason


def test_a_reweighed_scorer_scores_as_one_made_with_those_weights() -> None:
    """The word comparisons do not depend on the weights: a scorer reweighed from a prepared one
    (the judge's weights, in a large store) needs no comparison of its own and scores alike."""
    names = _names()
    for query in names[::7]:
        scorer = MentionScorer(query, [1.0 + len(t.text) / 10 for t in query])
        scorer.prepare(names)
        other = [2.0 + (len(t.text) % 3) for t in query]
        reweighed = scorer.reweighed(other)
        fresh = MentionScorer(query, other)
        fresh.prepare(names)
        for alias in names:
            alias_weights = [1.0 + len(t.text) % 4 for t in alias]
            for partial in (True, False):
                assert reweighed.score(alias, alias_weights, partial=partial) == fresh.score(
                    alias, alias_weights, partial=partial)


def _with_one_candidate(res: Resolution) -> Resolution:
    return replace(res, candidates=res.candidates[:1])


def test_one_candidate_answers_as_the_longer_list_begins(resolver: Resolver) -> None:
    """At limit=1 an exact alias of one entity decides without retrieval (Resolver._one_exact):
    the answer is the one a longer list gives, cut to its first candidate, for every alias of
    the bundled store, variants that are no alias, with and without a type filter."""
    texts = [a.text for a in resolver.index.aliases]
    texts += [row["mention"] for row in fixture_rows("unseen_variants.csv")]
    for type in (None, "person", "organization", "place"):
        for text in texts:
            assert resolver.resolve(text, type=type, limit=1) == _with_one_candidate(
                resolver.resolve(text, type=type, limit=2)), (text, type)


def test_an_exact_alias_of_two_entities_is_still_ambiguous_at_one_candidate(resolver: Resolver) -> None:
    resolver.store.add_entity("Karim Hassoun", "person", id="karim-hassoun-1")
    resolver.store.add_entity("Karim Hassoun", "person", id="karim-hassoun-2")
    one = resolver.resolve("Karim Hassoun", limit=1)
    assert one.status is MatchStatus.AMBIGUOUS and one.entity is None
    assert one.explanation == "2 entities have exactly this name: Karim Hassoun, Karim Hassoun"
    assert one.candidates[0].entity.id == "karim-hassoun-1"
    assert one == _with_one_candidate(resolver.resolve("Karim Hassoun", limit=2))
    assert resolver.resolve("Karim Hassoun", limit=1, type="organization").status is not MatchStatus.MATCHED


def _token(word: str) -> Token:
    return analyze(word).tokens[0]


def test_forms_of_one_name_in_other_languages_or_romanisations_pair() -> None:
    # Ukrainian, Belarusian and Russian forms of a given name; two romanisations of a Korean syllable
    for q, a in [("Mykola", "Nikolai"), ("Uladzimir", "Vladimir"), ("Volha", "Olga"), ("Jong", "Chong"),
                 ("Shin", "Sin"), ("Ju", "Chu")]:
        assert token_similarity(_token(q), _token(a)) == (0.9, "name equivalent"), (q, a)
        assert same_name(_token(a).text, _token(q).text)
    # a better rung of the ladder keeps its own answer; unrelated names stay apart
    assert token_similarity(_token("Nikolai"), _token("Nikolay"))[0] > 0.9
    assert token_similarity(_token("Aliaksei"), _token("Aleksey"))[0] > 0.9  # one skeleton: Ali- is no article
    assert token_similarity(_token("Mykola"), _token("Oleh"))[0] < 0.6
    assert not same_name("jong", "jung") and not same_name("qais", "laith")


def test_every_listed_form_is_one_word_of_a_latin_name() -> None:
    for word in NAME_EQUIVALENTS:
        tokens = analyze(word).tokens
        assert len(tokens) == 1 and not tokens[0].arabic, word


def test_a_form_of_the_name_in_another_language_resolves(resolver: Resolver) -> None:
    resolver.store.add_entity("Nikolai KOZITSYN", "person", id="kozitsyn")
    resolver.store.add_entity("Chong Chol RI", "person", id="ri")
    assert getattr(resolver.resolve("Mykola KOZITSYN").entity, "id", None) == "kozitsyn"
    assert getattr(resolver.resolve("Jong Chol RI").entity, "id", None) == "ri"
    # another given name is still another man
    assert resolver.resolve("Mikhail KOZITSYN").entity is None


def test_two_words_written_as_one_pair_with_the_one_word_when_the_letters_agree() -> None:
    # one name with other word breaks: "Petroline" and "Petro Line", "Greenfield Trading" and
    # "Green Felds Trading" (one letter off); the skeleton alone is not enough ("Monsoon" is
    # not "Min Son", whose letters differ)
    def score(q: str, a: str) -> float:
        return score_alias(analyze(q).tokens, analyze(a).tokens, lambda t: 1.0, partial=False).value

    assert score("PETRO LINE TRADING", "PETROLINE TRADING") >= 0.9
    assert score("PETROLINE TRADING", "PETRO LINE TRADING") >= 0.9
    assert score("GREENFIELD TRADING", "GREEN FELDS TRADING") >= 0.85
    assert "joined words" in score_alias(analyze("PETRO LINE").tokens, analyze("PETROLINE CO").tokens,
                                         lambda t: 1.0).reason
    assert score("Min SON", "MONSOON SHIPPING") == 0.0
    assert score("Ali KHAN", "LACNO S.R.O.") == 0.0


def test_a_name_with_the_glide_w_and_with_vowels_in_a_row_there_is_one_name() -> None:
    # "Tawus" / "Taus", "Shuwayb" / "Shuayb": the W of one is the other's vowels in a row
    def similarity(q: str, a: str) -> float:
        tq, ta = analyze(q).tokens[0], analyze(a).tokens[0]
        return text_similarity(tq.text, tq.key, ta.text, ta.key, False)[0]

    assert similarity("Tawus", "Taus") >= 0.8
    assert similarity("Shuayb", "Shuwayb") >= 0.8
    assert similarity("داود", "Daoud") >= 0.8  # Arabic writes the W
    # not where the shorter word writes no vowels in a row: "Jawad" is not "Jad", "Nawaz" not "Naz"
    assert similarity("Jawad", "Jad") < 0.6
    assert similarity("Naz", "Nawaz") < 0.6
