"""The learned matcher: its committed model file, its probabilities and explanations, and junk input."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import fixture_rows

from resolver import MatchStatus, Resolver
from resolver.matching.alignment import Alignment, align
from resolver.matching.features import PAIR_FEATURES, pair_evidence
from resolver.matching.model import MODEL_PATH, load_model
from resolver.matching.normalize import KEYS_VERSION, analyze
from resolver.matching.scoring import FUNCTION_WORD_WEIGHT
from resolver.matching.standing import FEATURES
from resolver.matching.words import FUNCTION_WORDS, LEGAL_FORM_KINDS, LEGAL_FORMS
from resolver.settings import Settings


@pytest.fixture(scope="module")
def shared(bundle_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Resolver]:
    path = tmp_path_factory.mktemp("model") / "aliases.db"
    shutil.copyfile(bundle_template, path)
    r = Resolver.open(str(path))
    yield r
    r.close()


def test_the_model_file_matches_this_normaliser_and_feature_list() -> None:
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    # Features are computed from the keys: a change of keys needs a retrained model.
    assert data["keys_version"] == KEYS_VERSION
    assert tuple(data["features"]) == FEATURES
    assert data["pair"]["kind"] in ("trees", "logistic")
    assert MODEL_PATH.stat().st_size < 600 * 1024  # five averaged ensembles: ~352 KiB


def test_the_default_thresholds_are_the_ones_the_trainer_chose() -> None:
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    s = Settings()
    assert s.match_threshold == s.person_match_threshold == data["threshold"]
    assert s.veto_override == data["veto_override"]


def test_lookups_need_no_training_library() -> None:
    script = (
        "import sys\n"
        "from resolver import Resolver\n"
        "r = Resolver.open()\n"
        "assert r.resolve('Qassem Suleimani').entity.id == 'qasem-soleimani'\n"
        "print(sorted(m for m in ('sklearn', 'lightgbm', 'numpy', 'scipy') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_opening_a_resolver_reads_the_model_unless_it_only_keeps_the_store(db_path: Path) -> None:
    """The first lookup of a process does not pay for reading the pair model: the resolver reads it
    when it opens (a server's first request, a batch's first value).  A command that only reads or
    writes the store (``resolver stats``, ``import``) does not read it at all."""
    path = db_path
    script = (
        "import sys\n"
        "from resolver import Resolver\n"
        "from resolver.cli import open_resolver\n"
        "from resolver.matching.model import load_model\n"
        f"Resolver.open({str(path)!r}, preload=False).close()\n"
        f"open_resolver({str(path)!r}, judging=False).close()\n"
        "print(load_model.cache_info().currsize)\n"
        f"r = Resolver.open({str(path)!r})\n"
        "print(load_model.cache_info().currsize)\n"
        "r.resolve('Qassem Suleimani')\n"
        "print(load_model.cache_info().misses)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["0", "1", "1"]


def test_learned_word_similarity_prefers_real_variants() -> None:
    model = load_model()

    def sim(a: str, b: str) -> float:
        return model.token_similarity(analyze(a).tokens[0], analyze(b).tokens[0])

    assert sim("Awlaki", "Awlaki") == 1.0
    assert sim("Awlaki", "Aulaqi") > sim("Awlaki", "Kostrubitsky")
    # An order, not a line at 0.5: retrained with other seeds on the same pairs, the word model puts
    # Kasparov at 0.45-0.52 against Kostrubitskij, and the variant above it every time (0.57-0.62;
    # 0.49 against 0.47 since KEYS_VERSION 10 keys Aliaksei as Aleksey and removes those pairs).
    assert sim("Kostrubitskij", "Kostrubitsky") > 0.45
    assert sim("Kostrubitskij", "Kostrubitsky") > sim("Kostrubitskij", "Kasparov")
    assert all(0.0 <= sim(a, b) <= 1.0 for a, b in [("Vimolsri", "Wimonsi"), ("x", "Qais")])


def test_probabilities_order_evidence(shared: Resolver) -> None:
    close = shared.resolve("Qassem Suleimani")
    far = shared.resolve("Qassem Suleimani Rashidi")
    assert close.status is MatchStatus.MATCHED
    assert 0.0 < close.score < 1.0  # a spelling variant is likely, never certain
    assert all(c.score < close.score for c in far.candidates if c.entity.id == "qasem-soleimani")


def test_an_explanation_names_the_evidence_for_and_against(shared: Resolver) -> None:
    res = shared.resolve("Qassem Suleimani")
    assert "for: 'suleimani'~'soleimani' (skeleton)" in res.explanation
    assert "against: nothing" in res.explanation
    near = shared.resolve("Hezbollah").candidates[0]
    assert "against: alias word 'kataib' unmatched" in near.explanation


@pytest.mark.parametrize("mention", ["xx", "x" * 20, "x" * 500, "zz", "qq", "kk", "XX", "x x x", "Qq Kk"])
def test_a_mention_without_real_evidence_gets_no_candidate(shared: Resolver, mention: str) -> None:
    res = shared.resolve(mention)
    assert res.status is MatchStatus.UNRESOLVED
    assert res.candidates == ()


def test_junk_gets_no_reconciliation_candidate(shared: Resolver) -> None:
    # What the OpenRefine endpoint lists is the resolver's candidates.
    for n in (2, 20, 500):
        assert shared.resolve("x" * n, limit=3).candidates == ()


def test_a_vetoed_pair_is_listed_but_never_plausible(shared: Resolver) -> None:
    ceiling = shared.settings.veto_ceiling
    assert ceiling < shared.settings.candidate_threshold
    res = shared.resolve("Zeinab Soleimani")  # another first name: another person
    assert res.status is MatchStatus.UNRESOLVED
    assert all(c.score <= ceiling for c in res.candidates if c.entity.id == "qasem-soleimani")


def test_vetoes_about_a_one_word_name_hold_however_sure_the_model_is(bundle_template: Path, tmp_path: Path) -> None:
    # veto_override 0: the model may overrule every name-structure veto it likes, but not those
    # about a one-word name, whose owner no spelling can tell.

    path = tmp_path / "aliases.db"
    shutil.copyfile(bundle_template, path)
    r = Resolver.open(str(path), settings=Settings(veto_override=0.0))
    try:
        for mention, other in (("Mohammad Kazemi", "mustafa-al-kadhimi"), ("Fatah", "fatah-alliance"),
                               ("Muhammad Sadiq al-Sadr", "muqtada-al-sadr")):
            res = r.resolve(mention)
            assert res.entity is None or res.entity.id != other, (mention, res.explanation)
            assert all(c.score <= r.settings.veto_ceiling for c in res.candidates if c.entity.id == other), mention
    finally:
        r.close()


def test_a_name_structure_veto_caps_at_the_ceiling_when_never_overridden(never_overridden: Resolver) -> None:
    r = never_overridden
    res = r.resolve("Laith al-Khazali")  # another first name than Qais: another person
    assert res.entity is None or res.entity.id != "qais-al-khazali"
    assert all(c.score <= 0.1 for c in res.candidates if c.entity.id == "qais-al-khazali")


def _against(mention: str, alias: str) -> str:
    q, a = analyze(mention).tokens, analyze(alias).tokens
    weight = [FUNCTION_WORD_WEIGHT if t.text in FUNCTION_WORDS else 4.0 for t in q]
    weight_a = [FUNCTION_WORD_WEIGHT if t.text in FUNCTION_WORDS else 4.0 for t in a]
    return pair_evidence(q, a, weight, weight_a, 0.9, person=False, max_weight=16.0,
                         soft=lambda x, y: 0.0).worst_against


def test_an_unpaired_function_word_is_never_named_as_the_evidence_against() -> None:
    assert _against("Bank of Iran Sepah", "Bank Sepah Iran") == "the words in another order"
    assert _against("Bank of Sepah", "Bank Sepah") == ""  # "of" says nothing about identity
    assert _against("Bank of Sepah Tehran", "Bank Sepah") == "mention word 'tehran' unmatched"


def _evidence(mention: str, alias: str, *, person: bool = False) -> dict[str, Any]:
    """The pair's features (function words and legal forms weigh FUNCTION_WORD_WEIGHT, every other
    word 4.0, no learned similarity), with the counts of unpaired name words and the best evidence."""
    q, a = analyze(mention).tokens, analyze(alias).tokens
    weight = [FUNCTION_WORD_WEIGHT if t.text in FUNCTION_WORDS | LEGAL_FORMS else 4.0 for t in q]
    weight_a = [FUNCTION_WORD_WEIGHT if t.text in FUNCTION_WORDS | LEGAL_FORMS else 4.0 for t in a]
    ev = pair_evidence(q, a, weight, weight_a, 0.9, person=person, max_weight=16.0, soft=lambda x, y: 0.0)
    return dict(zip(PAIR_FEATURES, ev.values, strict=True)) | {
        "free": float(len(ev.free_q)), "free_q": float(len(ev.free_q)), "free_a": float(len(ev.free_a)),
        "for": ev.best_for}


@pytest.mark.parametrize(("mention", "alias"), [
    ("AZARPAD QESHM", "AZAR PAD QESHM"),  # the mention joins two words of the alias
    ("Mohammad Reza NAQDI", "Mohammedreza NAQDI"),  # the alias joins them, spelt another way
    ("Oscar MALHERBE DELEON", "Oscar MALHERBE DE LEON"),
])
def test_a_word_written_as_two_pairs_with_both(mention: str, alias: str) -> None:
    ev = _evidence(mention, alias)
    assert ev["free"] == 0 and ev["clash_any"] == 0 and ev["unmatched_a"] == 0
    assert ev["cover_q"] > 0.9 and ev["order"] == 1.0


def test_joined_words_are_named_as_evidence_and_need_the_same_letters() -> None:
    assert "(joined words)" in str(_evidence("ADELABAD", "ADEL ABAD")["for"])
    # two words that only begin like the third are not it written apart
    ev = _evidence("SHAHID SATTARI INDUSTRIES", "SHAHID SAT TAREQ INDUSTRIES")
    assert ev["free"] == 1 and ev["clash_any"] == 1


def test_legal_forms_of_one_kind_agree_and_of_two_kinds_clash() -> None:
    assert LEGAL_FORM_KINDS["ood"] == LEGAL_FORM_KINDS["ltd"] == LEGAL_FORM_KINDS["ooo"]
    assert set(LEGAL_FORM_KINDS) <= LEGAL_FORMS  # every listed form is read as a legal form
    same = _evidence("EUROBET LTD.", "EUROBET OOD")
    assert same["form_agree"] == 1 and same["form_clash"] == 0
    other = _evidence("TROPPO S.A.", "TROPPO LLC")
    assert other["form_agree"] == 0 and other["form_clash"] == 1
    none = _evidence("TROPPO", "TROPPO LLC")
    assert none["form_agree"] == none["form_clash"] == 0


def test_a_country_word_left_unmatched_is_evidence() -> None:
    assert _evidence("OOO BELKAZTRANS", "BELKAZTRANS UKRAINE")["place_a"] == 1
    assert _evidence("BELKAZTRANS IRAQ", "BELKAZTRANS")["place_q"] == 1
    assert _evidence("BELKAZTRANS", "BELKAZTRANS")["place_q"] == 0


def test_a_first_name_clash_is_weighed_only_where_the_entity_has_no_one_first_name(never_overridden: Resolver) -> None:
    # An entity whose own names disagree on the first name ("Eduardo" and "Lalo GONZALEZ QUIRARTE")
    # has no one first name for a mention to clash with: the model weighs "Jose GONZALEZ QUIRARTE"
    # (above the veto ceiling).  Against a man whose every name holds the same first name, another
    # first name stays vetoed (Laith is not Qais al-Khazali).
    r = never_overridden
    r.store.add_entity("Eduardo GONZALEZ QUIRARTE", "person", id="gq", aliases=["Lalo GONZALEZ QUIRARTE"])
    r.store.add_entity("Rafael CARO QUINTERO", "person", id="cq", aliases=["Rafael CARO-QUINTERO"])
    varied = {c.entity.id: c.score for c in r.resolve("Jose GONZALEZ QUIRARTE").candidates}
    assert varied.get("gq", 0.0) > r.settings.veto_ceiling
    fixed = {c.entity.id: c.score for c in r.resolve("Miguel CARO QUINTERO").candidates}
    assert fixed.get("cq", 0.0) <= r.settings.veto_ceiling


def test_a_first_name_no_name_holds_varies_the_entitys_first_name_only_near_its_own_names(
        never_overridden: Resolver) -> None:
    # The entity's first name varies ("Eduardo" / "Lalo"), which forgives another first name; but a
    # word no name holds, within an edit only of another person's word ("Nafy"), is no variant of
    # this entity's first name: the clash stands.  One an edit from the entity's own "Lalo" is.
    r = never_overridden
    r.store.add_entity("Eduardo GONZALEZ QUIRARTE", "person", id="gq", aliases=["Lalo GONZALEZ QUIRARTE"])
    r.store.add_entity("Nafy KORDEL", "person", id="other")
    junk = _standing(r, "Wunfy GONZALEZ QUIRARTE")["gq"]
    assert junk["optional_a"] == 0.0
    capped = {c.entity.id: c.score for c in r.resolve("Wunfy GONZALEZ QUIRARTE").candidates}
    assert capped.get("gq", 0.0) <= r.settings.veto_ceiling
    assert _standing(r, "Lalov GONZALEZ QUIRARTE")["gq"]["optional_a"] == 1.0


def test_a_name_word_before_a_title_names_something_named_after_the_person() -> None:
    assert _evidence("Kata'ib al-Imam Ali", "Imam Ali")["titled_inside"] == 1
    assert _evidence("Imam Ali", "Imam Ali")["titled_inside"] == 0
    assert _evidence("Sheikh Qais al-Khazali", "Qais al-Khazali")["titled_inside"] == 0  # a title opens a name
    # a surname that is also a title ("Sayed", Sayyid) closes the alias's own name: no title opens
    # anything there, and the unmatched repeated "Amin" before it names nothing else
    assert _evidence("Jamil Muhammad Amin Amin AL-SAYED", "Jamil Mohamad Amin EL SAYED")["titled_inside"] == 0
    # a title word inside a mention that opens with the alias's first name word is a given name of
    # the nasab (a grandfather named Sayed), not the start of another name
    assert _evidence("Qais Hadi Sayed Hasan AL-KHAZALI", "Qais AL-KHAZALI")["titled_inside"] == 0


def test_a_rival_read_by_its_alignment_alone_reads_as_its_whole_evidence(shared: Resolver) -> None:
    """The judge reads the fifth and sixth entities as rivals only, from ``align`` (no learned
    similarities): their realness, unpaired words, word similarities and clash must be what
    ``pair_evidence`` would give, on every candidate of these mentions."""
    index, model = shared.index, load_model()
    checked = 0
    for mention in ("Qais al-Khazali", "Laith al-Khazali", "Abu Mahdi al-Muhandis", "Bank of Sepah Tehran",
                    "Kataib Hezbollah", "Mustafa Kazemi", "Iraqi Oil Ministry", "Hadi al Amiri", "Ouds Force"):
        name = analyze(mention)
        wq = [index.feature_weight(t) for t in name.tokens]
        for i in index.candidates(name):
            alias = index.aliases[i]
            wa = [index.feature_weight(t) for t in alias.tokens]
            for person in (True, False):
                ev = pair_evidence(name.tokens, alias.tokens, wq, wa, 0.8, person=person,
                                   max_weight=index.feature_max_weight, soft=model.token_similarity)
                al = align(name.tokens, alias.tokens, wq, wa)
                assert (al.real, tuple(sorted(al.free_q)), tuple(al.q_sim)) == (ev.real, ev.free_q, ev.q_sim)
                at = {f: k for k, f in enumerate(FEATURES)}
                assert (al.clash_slot, al.clash_any) == (bool(ev.values[at["clash_slot"]]),
                                                         bool(ev.values[at["clash_any"]]))
                checked += 1
    assert checked > 100


def test_the_token_model_answers_a_repeated_feature_vector_as_it_answers_it_afresh() -> None:
    """Word pairs that share nothing differ only in length features, so the learned similarity is
    kept per feature vector: a pair met after another with the same vector gets what the model
    gives it computed afresh."""
    from resolver.matching.features import token_features
    from resolver.matching.model import MatcherModel

    model = MatcherModel(json.loads(MODEL_PATH.read_text(encoding="utf-8")))
    pairs = [("8631", "prison"), ("1234", "parsia"), ("4711", "adel"), ("9090", "abad"), ("kazemi", "kadhimi"),
             ("kazimi", "kadhimi"), ("awlaki", "aulaqi")]
    tokens = [(q.tokens[0], a.tokens[0]) for q, a in ((analyze(x), analyze(y)) for x, y in pairs)]
    got = [model.token_similarity(q, a) for q, a in tokens]
    afresh = [model._token_probability(token_features(q.text, q.key, a.text, a.key)) for q, a in tokens]
    assert got == afresh
    vectors = [token_features(q.text, q.key, a.text, a.key) for q, a in tokens]
    assert vectors[0] == vectors[1]  # one vector, two pairs


def test_letter_pair_overlap_is_the_dice_overlap_of_each_words_letter_pairs() -> None:
    """The letter pairs of each word are kept per word (a mention's words meet every candidate's);
    the overlap is what the two sets give, made afresh or kept, and a word too short for a pair
    is its own."""
    import random

    from resolver.matching import features

    def afresh(a: str, b: str) -> float:
        x = {a[i : i + 2] for i in range(len(a) - 1)} or {a}
        y = {b[i : i + 2] for i in range(len(b) - 1)} or {b}
        return 2 * len(x & y) / (len(x) + len(y))

    assert features._bigrams("kadhimi", "kazimi") == afresh("kadhimi", "kazimi") == 2 * 3 / (6 + 5)  # ka, im, mi
    assert features._bigrams("a", "a") == 1.0 and features._bigrams("", "ab") == 0.0
    rng = random.Random(5)
    words = ["".join(rng.choice("abcd") for _ in range(rng.randint(0, 6))) for _ in range(300)]
    for _ in range(3):  # made afresh, kept, and made again after the cache is emptied
        assert all(features._bigrams(a, b) == afresh(a, b) for a, b in zip(words, reversed(words), strict=True))
        features._LETTER_PAIRS.clear()


def test_reading_the_model_moves_what_the_process_holds_out_of_the_collectors_sight() -> None:
    """Once the model is read, the objects alive then (imports, the model's tables) are frozen for
    the garbage collector: full collections no longer walk them.  Anything made later is still
    collected, reference cycles too."""
    import gc
    import weakref

    load_model()
    assert gc.get_freeze_count() > 10_000

    class Node:
        pass

    a, b = Node(), Node()
    a.other, b.other = b, a  # type: ignore[attr-defined]
    gone = weakref.ref(a)
    del a, b
    gc.collect()
    assert gone() is None


def test_a_pairs_alignment_tells_whether_its_evidence_is_real_and_clashes(shared: Resolver) -> None:
    """The judge reads an entity's other names' learned similarities only when their alignment
    says the pair is real and does not clash: what the whole evidence says of it, pair for pair;
    and the evidence made from an alignment made already is the evidence made afresh."""
    import random

    from resolver.matching.standing import AT, _clashes

    aliases = [a for a in shared.index.aliases if a.tokens]
    rng = random.Random(3)
    model = load_model()
    clashes = 0
    for _ in range(600):
        q, a = rng.choice(aliases), rng.choice(aliases)
        words = q.tokens[: rng.randint(1, len(q.tokens))] + a.tokens[: rng.randint(0, 1)]
        wq, wa = [rng.choice((0.05, 2.0, 9.0)) for _ in words], [rng.choice((0.05, 3.0)) for _ in a.tokens]
        for person in (True, False):
            al = align(words, a.tokens, wq, wa, organisation=not person)
            ev = pair_evidence(words, a.tokens, wq, wa, 0.8, person=person, max_weight=80.0,
                               soft=model.token_similarity)
            said = ((ev.values[AT["clash_slot"]] or ev.values[AT["clash_gap"]]) if person
                    else ev.values[AT["clash_any"]])
            assert al.real == ev.real and _clashes(al, person) == bool(said)
            assert pair_evidence(words, a.tokens, wq, wa, 0.8, person=person, max_weight=80.0,
                                 soft=model.token_similarity, alignment=al) == ev
            # the gaps the evidence read are the alignment's, read afresh or not
            assert _clashes(al, person) == _clashes(align(words, a.tokens, wq, wa, organisation=not person), person)
            clashes += _clashes(al, person)
    assert clashes > 50


def test_the_model_file_carries_word_kinds_learned_from_the_training_names() -> None:
    kinds = load_model().kinds
    assert len(kinds) > 500  # skeletons at least three training entities' names hold
    assert all(people >= 0 and others >= 0 and people + others >= 3 for people, others in kinds.values())

def test_words_without_a_letter_in_common_get_the_features_computed_in_full(shared: Resolver) -> None:
    """``token_features`` answers two words that share no letter in any form from their lengths
    alone: the same vector, value for value, as every similarity computed."""
    import random

    from resolver.matching.features import _all_features, token_features
    from resolver.matching.skeletons import coarse, loose

    words = sorted({(t.text, t.key) for a in shared.index.aliases for t in a.tokens}
                   | {(t.text, t.key) for t in analyze("Unknown Person 8631 7 Y Ya مصطفى الكاظمي").tokens})
    rng = random.Random(11)
    disjoint = 0
    for _ in range(8_000):
        (qt, qk), (at, ak) = rng.choice(words), rng.choice(words)
        cq, ca = coarse(qk), coarse(ak)
        got = token_features(qt, qk, at, ak)
        assert got == _all_features(qt, qk, at, ak, cq, ca, loose(cq), loose(ca)), (qt, at)
        disjoint += set(qt).isdisjoint(at)
    assert disjoint > 500



def test_whole_name_skeletons_agree_only_as_far_as_the_unpaired_words_do() -> None:
    # "xyz" and "Quds" share the loose skeleton KZZ, so "IRGC XYZ" and "IRGC Quds" once had equal
    # whole-name skeletons (flat_sim 1.0); with both words unpaired, their agreement is what the
    # learned similarity or the coarse skeletons (KSZ, QDS: nothing alike) say of them
    assert _evidence("IRGC XYZ", "IRGC Quds")["flat_sim"] <= 0.5
    assert _evidence("IRGC Qods", "IRGC Quds")["flat_sim"] == 1.0  # the words pair: nothing unpaired
    q, a = analyze("IRGC XYZ").tokens, analyze("IRGC Quds").tokens
    alike = pair_evidence(q, a, [4.0, 4.0], [4.0, 4.0], 0.9, person=False, max_weight=16.0,
                          soft=lambda x, y: 0.9)  # were they spellings of each other, it would count
    assert dict(zip(PAIR_FEATURES, alike.values, strict=True))["flat_sim"] >= 0.9


@pytest.mark.parametrize("mention", [r["mention"] for r in fixture_rows("junk_mentions.csv")])
def test_a_junk_word_beside_one_real_name_word_links_nothing(shared: Resolver, mention: str) -> None:
    # one real word beside an unknown one is not the entity ("IRGC XYZ" once matched the Quds Force
    # at 0.96: see above, and its names doing without "Quds" (IRGC-QF) forgave the unknown word);
    # the trainer's domain gate holds every candidate model to the same list
    res = shared.resolve(mention)
    assert res.entity is None and res.status is not MatchStatus.MATCHED, (mention, res.score)


@pytest.mark.parametrize(("mention", "entity"), [("IRGC Qods", "quds-force"),
                                                 ("Asaib Ahl al-Haqq", "asaib-ahl-al-haq"),
                                                 ("Abu Mahdi al-Mohandes", "abu-mahdi-al-muhandis")])
def test_a_spelling_of_the_other_word_still_links(shared: Resolver, mention: str, entity: str) -> None:
    # the other side: where the second word is a spelling of the entity's own word, the link stands
    res = shared.resolve(mention)
    assert res.entity is not None and res.entity.id == entity


def _standing(r: Resolver, mention: str) -> dict[str, dict[str, float]]:
    """The judged entities' rank features for a mention (as resolve computes them)."""
    from resolver.matching.ranking import rank_entities, score_hits
    from resolver.matching.standing import RANK_FEATURES, candidate_features

    index, name = r.index, analyze(mention)
    ranked, names = rank_entities(score_hits(index, name))
    out = {}
    for score, alias, _, x in candidate_features(index, name, [(h.score, h.alias) for h in ranked], load_model(),
                                                 names):
        out[alias.entity_id] = dict(zip(RANK_FEATURES, x[len(PAIR_FEATURES):], strict=True)) | {"rule": score.value}
    return out


def test_a_namesake_whose_name_adds_a_first_name_is_a_weaker_reading_not_a_rival(db_path: Path) -> None:
    # "Mohammed Bagheri" reads "Mohammad BAGHERI" word for word and whole; "Ali Muhammed Bagheri"
    # pairs the same words as well but leaves its own "Ali" unpaired: a weaker reading of the
    # mention, which must not make the right entity's lead small (a store of a million names holds
    # many such).  Another "Mohamad Bagheri" reads the mention as fully: it stays a rival.
    _weaker_readings_then_a_rival(db_path, "Mohammad BAGHERI", [f"{given} Muhammed Bagheri" for given in
                                                                 ("Ali", "Hassan", "Reza")],
                                  "Mohamad Bagheri", "Mohammed Bagheri")


def _weaker_readings_then_a_rival(db_path: Path, right: str, weaker: list[str], rival: str, mention: str) -> None:
    """Beside only weaker readings of the mention the right entity leads alone (margin = its own
    score, no close rival); one more name that reads the mention as fully is a rival."""
    r = Resolver.open(str(db_path))
    try:
        r.store.add_entity(right, "person", id="right")
        for n, name in enumerate(weaker):
            r.store.add_entity(name, "person", id=f"weaker-{n}")
        alone = _standing(r, mention)["right"]
        assert alone["margin"] == alone["rule"] and alone["close"] == 0.0
        r.store.add_entity(rival, "person", id="rival")
        beside = _standing(r, mention)["right"]
        assert beside["margin"] < 0.1 and beside["close"] == 1.0
    finally:
        r.close()


def test_a_rival_spelling_a_word_as_the_mention_does_is_no_better_reading_of_it(db_path: Path) -> None:
    # "Samir Mohamad HADDAD" is read word for word by "Samir Mohammed HADDAD"; "Mohamad HADDAD" spells
    # the common given name letter for letter but leaves "Samir" unpaired: two spellings of one word
    # are one reading of it, so the shorter names are weaker readings, not rivals (a store of a
    # million names holds many of them).  One spelling "Samir" too reads the mention as fully.
    _weaker_readings_then_a_rival(db_path, "Samir Mohammed HADDAD",
                                  ["Mohamad HADDAD", "HADDAD, Mohamad", "Mohamad al-Haddad"],
                                  "Samir Mohamed al-Haddad", "Samir Mohamad HADDAD")


def test_a_person_whose_name_puts_another_word_in_a_mention_words_place_is_no_rival(db_path: Path) -> None:
    # "Omar Javed Salim KHANANI" holds "Javed" where the mention holds "Riyad" (another father's
    # name, a clash_gap, which the rules veto): it is not the man the mention names, so it is no
    # rival of "Omar Riyad KHANANI", though it pairs "Salim", which that alias lacks.
    r = Resolver.open(str(db_path))
    try:
        r.store.add_entity("Omar Riyad KHANANI", "person", id="right")
        r.store.add_entity("Omar Javed Salim KHANANI", "person", id="other-father")
        mention = "Omar Riyad Salim KHANANI"
        assert _alignment(mention, "Omar Javed Salim KHANANI").clash_gap
        right = _standing(r, mention)["right"]
        assert right["margin"] == right["rule"] and right["close"] == 0.0 and right["rank"] == 0.0
    finally:
        r.close()


def _person_pair(r: Resolver, mention: str, entity: str, alias_text: str) -> tuple[Any, Any, Any, list[Any]]:
    """The mention's tokens, the person's alias of that text, the pair's evidence (as the judge
    computes it) and the entity's names among the mention's candidates."""
    index = r.index
    name = analyze(mention)
    names = [a for a in (index.aliases[i] for i in index.candidates(name)) if a.entity_id == entity]
    alias = next(a for a in names if a.text == alias_text)
    wq = [index.feature_weight(t) for t in name.tokens]
    wa = [index.feature_weight(t) for t in alias.tokens]
    ev = pair_evidence(name.tokens, alias.tokens, wq, wa, 0.8, person=True,
                       max_weight=index.feature_max_weight, soft=load_model().token_similarity)
    return name.tokens, alias, ev, names


def test_a_kunya_is_optional_but_the_given_name_the_other_names_hold_is_not(db_path: Path) -> None:
    # "Abu Abdul BARNAWI" names a man by his son; his other names hold his given name, Mokhtar.
    # "Khaled al-Barnawi" lacks the kunya, which the entity's names can do without, but names
    # another man than Mokhtar: the first-name clash stands.  Without a name holding the given
    # name, the kunya is all there is and another first name is the model's to weigh.
    from resolver.matching.own_names import alias_variation

    r = Resolver.open(str(db_path))
    try:
        r.store.add_entity("Mokhtar Jesus BARNAWI", "person", id="given", aliases=["Abu Abdul BARNAWI"])
        r.store.add_entity("Abu Yasin TAWFIQI", "person", id="kunya", aliases=["Abu Yasin Al-TAWFIQI"])

        def variation(mention: str, entity: str, alias_text: str) -> tuple[float, float]:
            tokens, alias, ev, names = _person_pair(r, mention, entity, alias_text)
            return alias_variation(tokens, alias, ev, names)

        assert variation("Khaled al-Barnawi", "given", "Abu Abdul BARNAWI") == (0.0, 0.0)
        assert variation("Hamid Tawfiqi", "kunya", "Abu Yasin TAWFIQI")[0] == 0.0  # nothing varies
        assert variation("Khaled Barnawi", "given", "Mokhtar Jesus BARNAWI")[0] == 0.0
    finally:
        r.close()


def test_a_kunyas_child_is_not_the_given_name() -> None:
    # "Abu Sergei Naryshkin" is the father of a Sergei: in the judge's alignment "Sergei" there pairs
    # with another kunya's child ("Abu Sergei al-Naryshkin"), never with a given name, so "Sergei
    # Naryshkin" leaves both first names unpaired: the clash the name structure says it is.
    from resolver.matching.alignment import kunya_children

    father, son = analyze("Abu Sergei Naryshkin").tokens, analyze("Sergei Naryshkin").tokens
    assert kunya_children(father) == {1} and kunya_children(son) == frozenset()
    al = align(son, father, [4.0] * len(son), [4.0] * len(father))
    assert al.q_sim[0] == 0.0 and al.q_sim[1] == 1.0 and al.clash_slot
    kin = analyze("Abu Sergei al-Naryshkin").tokens
    assert align(kin, father, [4.0] * len(kin), [4.0] * len(father)).q_sim == [1.0, 1.0, 1.0]
    assert not align(son, analyze("Sergei NARYSHKIN").tokens, [4.0, 4.0], [4.0, 4.0]).clash_slot


def test_a_parents_name_is_not_the_given_name() -> None:
    # "Khalil Ben Ahmed Ben Mohamed JARRAYA" is Khalil, son of Ahmed: a person named "Ahmad Mohamed
    # JARRAYA" (his father, by the name) pairs "Ahmad" with no word of the mention, so both first
    # names stand unpaired in the first place: a first-name clash, no rival for Khalil JARRAYA.
    son = analyze("Khalil Ben Ahmed Ben Mohamed JARRAYA").tokens
    father = analyze("JARRAYA, Ahmad Mohamed").tokens
    al = align(son, father, [4.0] * len(son), [4.0] * len(father))
    assert al.q_sim[1] == 0.0 and al.q_sim[2] == 1.0 and al.q_sim[3] == 1.0 and al.clash_slot
    assert not align(son, analyze("Khalil JARRAYA").tokens, [4.0] * len(son), [4.0, 4.0]).clash_slot
    # the same words without the markers: "Ahmad" may be a middle name the alias opens with
    plain = analyze("Khalil Ahmed Mohamed JARRAYA").tokens
    assert align(plain, father, [4.0] * len(plain), [4.0] * len(father)).q_sim[1] > 0.9
    # an organisation's first word is no given name; a one-word alias holds no given name either
    assert align(son, father, [4.0] * len(son), [4.0] * len(father), organisation=True).q_sim[1] > 0.9
    laden = analyze("Usama BIN LADEN").tokens
    assert align(laden, analyze("Laden").tokens, [4.0, 4.0], [4.0]).q_sim[1] == 1.0


def _alignment(mention: str, alias: str) -> Alignment:
    q, a = analyze(mention).tokens, analyze(alias).tokens
    return align(q, a, [4.0] * len(q), [4.0] * len(a))


def test_a_word_put_in_another_words_place_is_a_gap_clash_and_an_added_word_is_not() -> None:
    # Another father's name in the same place ("Riyad" where the alias holds "Javed") is a clash;
    # a middle name one name adds and the other lacks is not (records often leave one out).
    assert _alignment("Hozaifa Riyad KHANANI", "Hozaifa Javed KHANANI").clash_gap
    assert _alignment("Ivan Roberto AHMED GAVIRIA", "Ivan Roberto DUQUE GAVIRIA").clash_gap
    assert not _alignment("Bashar Hafez AL ASSAD", "Bashar AL-ASSAD").clash_gap
    assert not _alignment("Mohamed al-Aameen al-Arabi KOSHLAF", "Mohamed KOSHLAF").clash_gap
    assert not _alignment("Hozaifa Javed KHANANI", "Hozaifa Javed KHANANI").clash_gap
    # two unpaired words in different places: each name adds one the other lacks
    assert not _alignment("Fadi Jamil Omar SERHAN", "Fadi Omar Karim SERHAN").clash_gap
    # the first or last place counts too (it is also clash_slot)
    assert _alignment("Laith AL-KHAZALI", "Qais AL-KHAZALI").clash_gap
    assert _evidence("Hozaifa Riyad KHANANI", "Hozaifa Javed KHANANI")["clash_gap"] == 1
    assert _evidence("Hozaifa KHANANI", "Hozaifa Javed KHANANI")["clash_gap"] == 0


@pytest.mark.parametrize(("mention", "alias"), [
    ("Hozaifa Riyad KHANANI", "Hozaifa Javed KHANANI"),
    ("Ivan Roberto AHMED GAVIRIA", "Ivan Roberto DUQUE GAVIRIA"),
    ("Fadi Jamil Omar SERHAN", "Fadi Omar Karim SERHAN"),
    ("Laith AL-KHAZALI", "Qais AL-KHAZALI"),
    ("Ali Hasan Karim Abbas", "Ali Jafar Karim Musa"),
    ("Bashar Hafez AL ASSAD", "Bashar AL-ASSAD"),
    ("Karim Musa", "Ali Jafar Hasan"),
])
def test_the_alias_gaps_read_at_once_are_the_alias_sides_of_both_gap_clashes(mention: str, alias: str) -> None:
    # pair_evidence reads both in one pass of the places (Alignment.alias_gaps)
    al = _alignment(mention, alias)
    assert al.alias_gaps() == (al.gap_clashes()[1], al.gap_clashes(middle=True)[1])


def test_a_person_with_another_middle_name_in_its_place_is_vetoed_but_one_without_it_is_not(
        never_overridden: Resolver) -> None:
    r = never_overridden
    r.store.add_entity("Hozaifa Javed KHANANI", "person", id="kh")
    swapped = {c.entity.id: c.score for c in r.resolve("Hozaifa Riyad KHANANI").candidates}
    assert swapped.get("kh", 0.0) <= r.settings.veto_ceiling
    assert r.resolve("Hozaifa Riyad KHANANI").entity is None
    shorter = {c.entity.id: c.score for c in r.resolve("Hozaifa KHANANI").candidates}
    assert shorter.get("kh", 0.0) > r.settings.veto_ceiling


def test_a_middle_name_the_entitys_names_only_leave_out_is_fixed_but_one_they_vary_is_not(db_path: Path) -> None:
    # "Fadi Hussein Ali SERHAN" says a middle name may be left out, not that another may stand in
    # the place of one: "Fadi Jamil SERHAN" still clashes with "Fadi Hussein SERHAN".  An entity whose own names put
    # two different middle names there has no one middle name to clash with.
    from resolver.matching.own_names import fixed_middle

    r = Resolver.open(str(db_path))
    try:
        r.store.add_entity("Fadi Hussein SERHAN", "person", id="fixed", aliases=["Fadi Hussein Ali SERHAN"])
        r.store.add_entity("Karim Hussein NADDAF", "person", id="varied", aliases=["Karim Omar NADDAF"])

        def fixed(mention: str, entity: str, alias_text: str) -> float:
            _, alias, ev, names = _person_pair(r, mention, entity, alias_text)
            return fixed_middle(alias, ev, names, r.index.feature_weight)

        assert fixed("Fadi Jamil SERHAN", "fixed", "Fadi Hussein SERHAN") == 1.0
        assert fixed("Fadi Hussein SERHAN", "fixed", "Fadi Hussein SERHAN") == 0.0
        assert fixed("Karim Jamil NADDAF", "varied", "Karim Hussein NADDAF") == 0.0
        assert r.resolve("Fadi Jamil SERHAN").entity is None
        assert getattr(r.resolve("Fadi Hussein SERHAN").entity, "id", None) == "fixed"
    finally:
        r.close()


def test_a_word_written_with_the_article_is_no_given_name() -> None:
    # "Hadi" alone may be anybody's given name; "al-Hadi" is a family name or nisba, so a mention
    # holding it is not named by given names only, and the model weighs the pair
    alias = "Ali Hasan al-Hadi AL-SAMIRI"
    assert _evidence("Ali Hasan", alias, person=True)["given_only"] == 1
    assert _evidence("Ali Hasan Hadi", alias, person=True)["given_only"] == 1
    assert _evidence("Ali Hasan AL-HADI", alias, person=True)["given_only"] == 0
    assert _evidence("Ali Hasan Alhadi", alias, person=True)["given_only"] == 0
    # a kunya's child keeps its article and is still a given name
    assert _evidence("Abu al-Hasan", "Abu al-Hasan AL-SAMIRI", person=True)["given_only"] == 1


def _unpaired_pair(mention: str, alias: str, soft: Any) -> Any:
    q, a = analyze(mention).tokens, analyze(alias).tokens
    return pair_evidence(q, a, [4.0] * len(q), [4.0] * len(a), 0.8, person=True, max_weight=16.0, soft=soft)


def test_words_both_names_leave_unpaired_are_measured_by_the_learned_similarity_within_its_domain() -> None:
    # The surnames "Mardzekou" / "Markov" clash for the rules' ladder; how alike the learned similarity
    # calls them is the pair's spelt_alike ...
    ev = _unpaired_pair("Pavel Ilyich MARDZEKOU", "Pavel Ilyich MARKOV", lambda x, y: 0.8)
    assert ev.free_q and ev.free_a and ev.free_alike == 0.8
    # ... but only for word pairs alike enough by Jaro-Winkler to be what it was fitted on (the
    # trainer's aligned words): of a random string and a name it says nothing
    assert _unpaired_pair("Pavel Ilyich QXWZBT", "Pavel Ilyich MARKOV", lambda x, y: 0.8).free_alike == 0.0
    # an organisation's unpaired words are not measured; nor a pair with nothing unpaired on one side
    q, a = analyze("KORVALIN TRADING").tokens, analyze("KORVALYNE TRADING").tokens
    assert pair_evidence(q, a, [4.0, 4.0], [4.0, 4.0], 0.8, person=False, max_weight=16.0,
                         soft=lambda x, y: 0.8).free_alike == 0.0
    assert _unpaired_pair("Pavel Ilyich", "Pavel Ilyich MARKOV", lambda x, y: 0.8).free_alike == 0.0


def test_a_persons_names_clash_only_in_words_that_are_not_spellings_of_each_other() -> None:
    from resolver.matching.decision import _CLASH_SPELT, vetoed
    from resolver.matching.standing import AT, FEATURES

    x = [0.0] * len(FEATURES)
    x[AT["person"]] = x[AT["clash_slot"]] = x[AT["clash_gap"]] = 1.0
    x[AT["spelt_alike"]] = 0.3  # "Felipe" / "Alejandro CABRERA": two given names
    assert vetoed(x)
    x[AT["spelt_alike"]] = _CLASH_SPELT  # "TSERTSEL" / "TERTEL": one surname, the model weighs the pair
    assert not vetoed(x)
    # the other person vetoes still hold: a word in a fixed middle place, a word of another kind
    assert vetoed([*x[:AT["fixed_mid"]], 1.0, *x[AT["fixed_mid"] + 1:]])
    # an organisation's clash is not the person's rule
    x[AT["person"]], x[AT["clash_any"]] = 0.0, 1.0
    assert vetoed(x)
