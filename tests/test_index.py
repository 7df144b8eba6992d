"""The candidate index in the store: written with each alias, equal to a rebuild, right at retrieval.

Run against SQLite and, where a server is available, PostgreSQL (the ``backend`` fixture).
"""

from __future__ import annotations

import math
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, text

from resolver import MatchStatus, Resolver
from resolver.compiled import compiled_modules
from resolver.matching.index import FEATURE_POPULATION, KIND_WORD_SHARE, CandidateIndex
from resolver.matching.index_views import Bounded, Recent
from resolver.matching.normalize import analyze
from resolver.matching.retrieval import _MAX_NEAR_POSTINGS
from resolver.matching.scoring import FUNCTION_WORD_WEIGHT
from resolver.matching.skeletons import coarse
from resolver.matching.votes import MAX_CANDIDATES as _MAX_CANDIDATES
from resolver.matching.votes import MAX_POSTINGS as _MAX_POSTINGS
from resolver.matching.word_similarity import keys_may_pair
from resolver.store.csvio import import_rows
from resolver.store.postings import reindex


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, db_path: Path) -> Iterator[Resolver]:
    """A Resolver on the bundled store, in an SQLite file or in a fresh PostgreSQL database."""
    if request.param == "sqlite":
        r = Resolver.open(str(db_path))
    else:
        pg_url = request.getfixturevalue("pg_url")
        bundle = Resolver.open(str(db_path))
        rows = [tuple(row) for row in bundle.store.export_rows()]
        bundle.close()
        r = Resolver.open(pg_url, create=True)
        import_rows(r.store, rows, source="bundle")  # type: ignore[arg-type]
    yield r
    r.close()


def _state(engine: Engine) -> tuple[list[tuple[object, ...]], ...]:
    """The index tables as comparable rows (token ids differ between two builds; keys do not)."""
    with engine.connect() as conn:
        tokens = sorted(tuple(r) for r in conn.execute(text("SELECT key, df, n, people FROM ix_token WHERE n > 0")))
        posts = sorted(tuple(r) for r in conn.execute(text(
            "SELECT t.key, p.size, p.alias_id FROM ix_posting p JOIN ix_token t ON t.id = p.token_id")))
        near = sorted(tuple(r) for r in conn.execute(text(
            "SELECT v.variant, t.key FROM ix_near v JOIN ix_token t ON t.id = v.token_id WHERE t.n > 0")))
        count = conn.execute(text("SELECT value FROM meta WHERE key = 'entity_count'")).scalar()
    return tokens, posts, near, [(count,)]


def _rebuilt(engine: Engine) -> tuple[list[tuple[object, ...]], ...]:
    with engine.begin() as conn:
        reindex(conn)
    return _state(engine)


def test_every_write_keeps_the_index_equal_to_a_rebuild(backend: Resolver) -> None:
    store = backend.store
    store.add_entity("Muhammad Hassan al-Tamimi", "person", id="tamimi-1", aliases=["Abu Hassan al-Tamimi"])
    store.add_entity("Ali Hassan al-Tamimi", "person", id="tamimi-2", aliases=["Tamimi"])
    added = store.add_alias("tamimi-1", "Mohammed Hasan Tamimi")
    store.add_alias("qais-al-khazali", "Qais Tamimi")
    store.remove_alias("tamimi-1", added.id)
    store.update_entity("tamimi-2", name="Ali Hasan al-Tamimi")
    store.merge("tamimi-1", "tamimi-2")  # "Tamimi" moves, duplicates go
    import_rows(store, [("tamimi-3", "Zaid al-Tamimi", "person", "Zaid al-Tamimi"),
                        ("tamimi-1", "Muhammad Hassan al-Tamimi", "person", "Abu Zaid")], source="t")
    store.add_entity("Tamimi Trading", "organization", id="tamimi-co", aliases=["Zaid Tamimi Co."])
    store.update_entity("tamimi-3", type="organization", name="Zaid al-Tamimi Est.")  # its words leave the people's
    import_rows(store, [("tamimi-co", "Tamimi Trading", "person", "Hassan Tamimi")], source="t",
                update=True)  # retyped by import
    before = _state(store.engine)
    assert before == _rebuilt(store.engine)
    tokens = {key: (df, people) for key, df, _n, people in before[0]}
    assert tokens["TMMY"] == (4, 3)  # tamimi-1, qais-al-khazali and tamimi-co are people now, tamimi-3 is not
    assert tokens["TRDNQ"] == (1, 1)  # "trading"


def test_a_write_is_seen_by_the_next_lookup_with_no_rebuild(backend: Resolver) -> None:
    assert backend.resolve("Zorgamazoo Qwerty").status is MatchStatus.UNRESOLVED
    backend.store.add_alias("tehran", "Zorgamazoo Qwerty")
    res = backend.resolve("Zorgamazoo Qwerty")
    assert res.entity is not None and res.entity.id == "tehran"
    backend.store.merge("baghdad", "tehran")
    res = backend.resolve("Zorgamazoo Qwertyy")  # a typo: through the near keys
    assert res.entity is not None and res.entity.id == "baghdad"


def _crowd(r: Resolver) -> None:
    """Enough people named with the same common words that each word's postings run long."""
    given = ["Muhammad", "Ali", "Hassan", "Hussein", "Ahmad", "Abdullah", "Omar", "Khalid"]
    rows = []
    for n in range(3 * _MAX_POSTINGS + 30):
        a, b, c = given[n % 8], given[(n // 8) % 8], given[(n // 64) % 8]
        family = ["al-Tamimi", "al-Jubouri", "al-Dulaimi"][n % 3]
        rows.append((f"crowd-{n}", f"{a} {b} {c} {family}", "person", f"{a} {b} {c} {family}"))
    import_rows(r.store, rows, source="crowd")


def test_common_tokens_still_retrieve(backend: Resolver) -> None:
    _crowd(backend)
    index = backend.index
    for key in ("MHMD", "LY", "TMMY"):
        row = index._token(key)
        assert row is not None and row[2] > _MAX_POSTINGS, key
    # Every token of the name is common: the aliases that hold them all still come first.
    name = analyze("Mohammed Aly Hasan al-Tamimi")
    found = index.candidates(name)
    assert 0 < len(found) <= _MAX_CANDIDATES
    holders = {i for i in found if {"MHMD", "LY", "HSN", "TMMY"} <= {t.key for t in index.aliases[i].tokens}}
    assert holders, [index.aliases[i].text for i in found]
    # (its permutations, "Ali Muhammad Hassan al-Tamimi", hold the same words: scoring decides among them)


def test_a_rare_token_beside_common_ones_decides(backend: Resolver) -> None:
    _crowd(backend)
    backend.store.add_entity("Muhammad Ali Hassan al-Zorgami", "person", id="zorgami")
    res = backend.resolve("Mohammad Ali Hasan Zorgami")
    assert res.entity is not None and res.entity.id == "zorgami"


def test_candidates_are_bounded_and_an_exact_name_comes_first(backend: Resolver) -> None:
    _crowd(backend)
    index = backend.index
    for mention in ["Muhammad", "Ali Hassan", "Muhammad Ali Hassan al-Tamimi", "Kazemi", "al-Tamimi Jubouri"]:
        found = index.candidates(analyze(mention))
        assert len(found) <= _MAX_CANDIDATES
        exact = index.by_normalized.get(analyze(mention).normalized)
        if exact:
            assert set(found[: len(exact)]) == set(exact)


def test_a_warm_index_answers_like_a_cold_one(resolver: Resolver) -> None:
    mentions = ["Kazemi", "Qassem Suleimani", "Soliemani", "Ouds Force", "Abu Mahdi al-Muhandis",
                "Hezbollah", "AAH", "Muqtada Sadr", "Sadr City", "Badr"]
    warm = [resolver.resolve(m).to_dict() for m in mentions * 2]
    assert warm[: len(mentions)] == warm[len(mentions) :]
    cold = [Resolver.open(resolver.store.engine.url.render_as_string(hide_password=False)) for _ in mentions]
    try:
        assert [r.resolve(m).to_dict() for r, m in zip(cold, mentions, strict=True)] == warm[: len(mentions)]
    finally:
        for r in cold:
            r.close()


def test_opening_builds_nothing(resolver: Resolver) -> None:
    index = CandidateIndex.open(resolver.store.engine)
    assert not index._tokens and not index._postings and not index._alias_rows
    assert len(index.entities) == 107 and len(index) == 333


def test_entities_whose_names_name_no_place_share_one_empty_set(resolver: Resolver) -> None:
    """An entity's places are the countries its names name; the many that name none are one empty
    set (not one object each for the garbage collector to walk), read as before."""
    places = resolver.index.entity_places
    ids = list(resolver.index.entities)
    places.load(ids)
    found = {e: places.get(e) for e in ids}
    empty = [e for e, p in found.items() if p is None]
    assert empty and any(p for p in found.values())  # (the bundled store has both kinds)
    kept = [places._cache[e] for e in empty]
    assert all(p == frozenset() for p in kept) and len({id(p) for p in kept}) == 1
    assert places.get(empty[0], frozenset({"XX"})) == frozenset({"XX"})


def test_an_aliass_weights_are_its_words_weights_kept(resolver: Resolver) -> None:
    """``alias_weights[i]``: each of the alias's words' IDF weight, worked out once and then kept
    (a read of the cache itself); an alias the store does not hold is a KeyError."""
    index = resolver.index
    weights = index.alias_weights
    alias = next(iter(index.aliases))
    assert alias.alias_id not in weights.kept
    expected = tuple(index.weight(t) for t in alias.tokens)
    assert weights[alias.alias_id] == expected and weights.kept[alias.alias_id] == expected
    assert weights[alias.alias_id] is weights[alias.alias_id]
    with pytest.raises(KeyError):
        weights[10**9]
    assert 10**9 not in weights.kept


def test_caches_are_bounded() -> None:
    cache: Bounded[int, int] = Bounded(10)
    for i in range(1000):
        cache.put(i, i)
        assert len(cache) <= 10


def test_a_recent_cache_forgets_what_was_used_longest_ago() -> None:
    """A full ``Recent`` cache drops one entry for a new one: the one read or put longest ago (a
    word met in every other name stays while words met once come and go)."""
    cache: Recent[str, int] = Recent(3)
    for key in "abc":
        cache.put(key, ord(key))
    assert cache.use("a") == ord("a") and cache.use("z") is None
    cache.put("d", 4)  # b is the one used longest ago
    assert sorted(cache) == ["a", "c", "d"]
    cache.put("c", 5)  # put again: the most recent now, nothing dropped
    cache.put("e", 6)
    assert list(cache) == ["d", "c", "e"]
    for i in range(1000):
        cache.put(str(i), i)
        assert cache.use("c") == 5 and len(cache) <= 3


def test_a_common_words_entry_outlives_a_stream_of_new_words(db_path: Path) -> None:
    """The retrieval keeps a query word's entry while it keeps being asked for, however many words
    asked once pass through its full cache; the lookups answer as a fresh index does."""
    r = Resolver.open(str(db_path))
    fresh = Resolver.open(str(db_path))
    try:
        cache = r.index.retrieval._entry_cache
        cache.limit = 8
        kept = None
        for k in range(30):
            mention = f"Hassan {chr(65 + k % 26)}{'abcdefgh'[k % 8]}rini"
            assert r.resolve(mention) == fresh.resolve(mention)
            word = analyze("Hassan").tokens[0]
            entry = cache.use((word.text, word.key))
            assert entry is not None and (kept is None or entry is kept)
            kept = entry
    finally:
        r.close()
        fresh.close()


ADD_SHORT = """
import sys
from resolver import Resolver
r = Resolver.open(sys.argv[1])
r.store.add_entity("Hassan Ali Omar al-Tamimi al-Jubouri", "person", id="tamimi-jubouri", actor="other-process")
r.close()
"""


def test_an_all_common_name_sees_another_processs_write(db_path: Path) -> None:
    """The shortest holders of common tokens are cached per index; a write committed by another
    process starts a new index, so the next lookup retrieves the new alias."""
    r = Resolver.open(str(db_path))
    try:
        _crowd(r)
        # every token common, no alias holding them all, no exact name, no equal skeleton
        name = analyze("Hasan Aly al-Tamimi al-Jubouri")
        for key in ("HSN", "LY", "TMMY", "JBRY"):
            row = r.index._token(key)
            assert row is not None and row[2] > _MAX_POSTINGS, key
        before = r.index.candidates(name)
        assert before and r.index.retrieval._holding  # retrieved through the cached shortest holders
        done = subprocess.run([sys.executable, "-c", ADD_SHORT, str(db_path)], capture_output=True, text=True,
                              timeout=120, check=False)
        assert (done.returncode, done.stderr) == (0, "")
        index = r.index
        assert not index.retrieval._holding  # a new index: the other process's write is seen
        found = [index.aliases[i].entity_id for i in index.candidates(name)]
        assert found[0] == "tamimi-jubouri", found
    finally:
        r.close()


ADD_NAMESAKES = """
import sys
from resolver import Resolver
r = Resolver.open(sys.argv[1])
for n in range(3):
    r.store.add_entity(f"Yusuf Zubaydani {n}", "person", id=f"zubaydani-{n}", actor="other-process")
r.close()
"""


def test_the_judges_word_weights_are_cached_per_index_and_another_processs_write_is_seen(
        db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Above FEATURE_POPULATION entities the judge's weight of a word is kept per word; a write
    committed by another process starts a new index, so the next lookup weighs the word anew."""
    import resolver.matching.index as index_module

    monkeypatch.setattr(index_module, "FEATURE_POPULATION", 20)  # the bundle holds more entities
    r = Resolver.open(str(db_path))
    try:
        assert r.index.entity_count > 20
        word = analyze("Zubaydani").tokens[0]
        unseen = r.index.feature_weight(word)
        assert unseen == r.index.feature_max_weight  # no alias holds it yet
        assert (word.text, word.key) in r.index._feature_weights
        assert r.index.feature_weight(word) == unseen  # (now from the cache)
        done = subprocess.run([sys.executable, "-c", ADD_NAMESAKES, str(db_path)], capture_output=True, text=True,
                              timeout=120, check=False)
        assert (done.returncode, done.stderr) == (0, "")
        after = r.index.feature_weight(word)
        assert after < unseen  # three entities hold it now
        fresh = Resolver.open(str(db_path))
        try:
            assert after == fresh.index.feature_weight(word)
        finally:
            fresh.close()
    finally:
        r.close()


def test_near_keys_the_scorer_cannot_pair_are_not_followed() -> None:
    # one loose deletion away, but one edit in four classes: "Kweider" and "Kader" never pair
    assert not keys_may_pair("KWDR", "KDR")
    assert not keys_may_pair("KWDR", "KWTR")
    # other transliterations and typos that the scorer pairs are followed
    assert keys_may_pair("KZMY", "QZMY")  # Kazemi / Qazemi: a confusable letter
    assert keys_may_pair("MHNDS", "MHNDSN")  # one edit in five classes
    assert keys_may_pair("KZM", "KZMY")  # a final letter more: Kazem / Kazemi, Guard / Guards


def test_the_judge_sees_a_words_share_of_the_store_not_its_count(resolver: Resolver) -> None:
    """At a million aliases the same share of entities gives the judge the same weight as in
    the store it was fitted on; up to FEATURE_POPULATION entities it is the weight itself."""
    small = CandidateIndex.open(resolver.store.engine)
    assert small.entity_count <= FEATURE_POPULATION
    for mention in ("Qassem Suleimani", "Kata'ib Hezbollah", "Zorgamazoo"):
        for t in analyze(mention).tokens:
            assert small.feature_weight(t) == small.weight(t)
    token = analyze("Zorgamazoo").tokens[0]
    seen = []
    for entities, df in ((20_000, 100), (400_000, 2_000), (20_000, 1), (400_000, 1)):  # 1 in 200; one entity
        index = CandidateIndex(small._reader, small.revision, entities)
        index._tokens.put("ZRQMZ", (1, df, df, 0))
        seen.append((index.feature_weight(token), index.weight(token), index.feature_max_weight, index.max_idf))
    assert seen[0][0] == pytest.approx(seen[1][0]) and seen[0][1] == pytest.approx(seen[1][1])
    # the IDF of a word held once, and of an unseen one, grows with the store; the judge's does not
    assert seen[2][1] < seen[3][1] and seen[2][3] < seen[3][3]
    assert seen[2][0] == seen[3][0] == seen[2][2] == seen[3][2]


def test_a_word_saying_what_kind_of_organisation_is_never_rare_to_the_judge(resolver: Resolver) -> None:
    """A large store of mostly people holds "Bank" or "Committee" as seldom as a small one: by its
    share of the entities it would read as a rare word, and two banks of one country would pair on
    it.  Above the judge's population such a word counts as held by at least KIND_WORD_SHARE in
    10,000 entities; a name word held as seldom stays rare, and up to FEATURE_POPULATION nothing
    changes."""
    small = CandidateIndex.open(resolver.store.engine)
    bank, name = analyze("Bank Zorgamazoo").tokens
    assert small.feature_weight(bank) == small.weight(bank)
    index = CandidateIndex(small._reader, small.revision, 400_000)
    for token in (bank, name):
        index._tokens.put(coarse(token.key), (1, 40, 40, 0))  # 1 in 10,000 entities
    floor = math.log(1 + FEATURE_POPULATION / KIND_WORD_SHARE) ** 2
    assert index.feature_weight(bank) == pytest.approx(floor)
    assert index.feature_weight(name) == pytest.approx(math.log(1 + FEATURE_POPULATION / 1) ** 2)
    assert index.feature_weight(name) > 2 * floor
    # a kind word commoner than that keeps its own share
    common = CandidateIndex(small._reader, small.revision, 400_000)
    common._tokens.put(coarse(bank.key), (1, 4_000, 4_000, 0))  # 100 in 10,000
    assert common.feature_weight(bank) == pytest.approx(math.log(1 + FEATURE_POPULATION / 100) ** 2)


def _entities(r: Resolver, text: str) -> set[str]:
    index = r.index
    return {index.aliases[i].entity_id for i in index.candidates(analyze(text))}


def test_words_written_together_or_apart_still_retrieve(backend: Resolver) -> None:
    """A stored name whose two words the mention writes as one, or the other way round, is a
    candidate: the mention's word split where both halves are stored words held side by side,
    and two adjacent words joined without the second one's leading vowel."""
    backend.store.add_entity("Zarqubi Safi al-Dinov", "person", id="split-1")
    backend.store.add_entity("Vakilabad Qwertoz", "place", id="joined-1")
    backend.store.add_entity("Dinov Safi", "person", id="apart-1")  # both words, not side by side
    assert "split-1" in _entities(backend, "Safidinov")
    assert "apart-1" not in _entities(backend, "Safidinov")
    assert "joined-1" in _entities(backend, "Vakil Abad")


def _word(n: int) -> str:
    """A made-up word of its own for each n (distinct skeletons)."""
    c = "bdfgklmnprstvz"
    return c[n % 14] + "a" + c[(n // 14) % 14] + "o" + c[(n // 196) % 14] + "i"


def test_a_near_key_too_common_to_follow_still_retrieves_with_the_other_words(backend: Resolver) -> None:
    """A near spelling whose postings list is too long to follow ("Faruk" for "Faruq") and a
    common word ("Zorbani") still find the alias holding both, through a second, bounded pass
    that runs when no alias holds most of the mention."""
    rows = [(f"far-{n}", f"Faruk {_word(n)}", "person", f"Faruk {_word(n)}") for n in range(_MAX_NEAR_POSTINGS + 20)]
    rows += [(f"zor-{n}", f"Zorbani {_word(n)}", "person", f"Zorbani {_word(n)}") for n in range(_MAX_POSTINGS + 10)]
    import_rows(backend.store, rows, source="crowd")
    backend.store.add_entity("Faruk Zorbani", "person", id="target")
    assert "target" in _entities(backend, "Faruq Zorbani")


def test_sqlites_early_stopping_shortest_holders_read_as_the_portable_query(resolver: Resolver,
                                                                            db_path: Path) -> None:
    """On SQLite the shortest holders of several tokens are read without an outer ORDER BY: the scan
    stops at the first ones that hold every token, which relies on SQLite handing the ordered,
    LIMITed subquery's rows on in order.  A SQLite that stopped doing so would answer differently
    from the portable query (sorted join) here."""
    import sqlite3

    from resolver.store.reader import Queries

    _crowd(resolver)
    conn = sqlite3.connect(db_path)
    try:
        ids = [r[0] for r in conn.execute("SELECT id FROM ix_token ORDER BY n DESC LIMIT 8")]
        early, portable = Queries(conn, "?", sqlite=True), Queries(conn, "?", sqlite=False)
        longest = nested_short = 0
        for first in ids:
            for other in ids:
                for third in ids:
                    if len({first, other, third}) == 3:
                        for limit, scan in ((5, 40), (20, 1000)):
                            tokens = [first, other, third]
                            got = early.shortest(tokens, limit, scan)
                            assert got == portable.shortest(tokens, limit, scan)
                            longest = max(longest, len(got))
                            # the three and the first two from one scan: what the two reads give
                            two = portable.shortest(tokens[:2], limit, scan) if len(got) < limit else None
                            assert early.shortest_nested(tokens, limit, scan) == (got, two)
                            assert portable.shortest_nested(tokens, limit, scan) == (got, two)
                            nested_short += two is not None
        assert longest == 20  # (some reads found more holders than they keep: the order decided)
        assert nested_short  # (some three fell short, so the first two were read from the same scan)
    finally:
        conn.close()


def test_a_words_own_row_read_with_its_near_keys_is_the_row_a_token_read_gives(backend: Resolver) -> None:
    """``load_similar`` takes a word's own token row from the near-key read (every token is written
    with its own loose key among its variants), and calls a word absent when that read did not bring
    it: the same rows as reading the token keys themselves, for a live word, a word whose aliases
    are all gone, and a word the store never held."""
    store = backend.store
    store.add_entity("Zorgamazoo Qwerty", "person", id="zorga")
    gone = store.add_alias("zorga", "Blixtavor Qwerty")
    store.remove_alias("zorga", gone.id)  # BLXTWR: a token row left with no postings
    words = analyze("Zorgamazoo Blixtavor Qwerty Vuntrexil").tokens
    near = backend.index
    with near.session() as q:
        near.load_similar(q, [t.key for t in words])
        from_near = {k: near._tokens[k] for k in {coarse(t.key) for t in words}}
    fresh = CandidateIndex.open(store.engine)
    with fresh.session() as q:
        read = fresh.load_tokens(q, set(from_near))
    assert from_near == read
    assert read[coarse(words[1].key)] is None and read[coarse(words[3].key)] is None
    assert read[coarse(words[0].key)] is not None and read[coarse(words[2].key)] is not None


def test_near_keys_of_short_words_are_read_without_their_longer_neighbours(backend: Resolver) -> None:
    """A word of three letters or fewer (its loose key) takes only the tokens with its very loose key,
    so its variant is read for those alone (with ``own``), not with the longer keys a deletion away:
    the same near keys, and the same rows of the words' own tokens, as reading each variant's whole
    neighbourhood and keeping what the lengths allow, for short and long words read together (a
    longer word's deletion may be a shorter word's key)."""
    from resolver.matching.skeletons import loose
    from resolver.store.postings import deletions

    words = analyze("Ali Abu Hadi Kais Qais al-Khazali Nur Bo Amiri Badr Suleimani Hezbollah Muhandis Zorgamaz").tokens
    index = CandidateIndex.open(backend.store.engine)
    with index.session() as q:
        got = index.load_similar(q, [t.key for t in words])
        expected = {}
        for t in words:
            lk = loose(coarse(t.key))
            rows = q.near(deletions(lk) if len(lk) >= 4 else {lk})
            keys = {key for _, key, klk, *_ in rows if ((abs(len(klk) - len(lk)) <= 1) if len(lk) >= 4 else klk == lk)}
            if coarse(t.key) in {r[1] for r in rows}:
                keys.add(coarse(t.key))
            expected[t.key] = frozenset(keys)
            own = index._tokens.get(coarse(t.key))
            assert own == next(((r[3], r[4], r[5], r[6]) for r in rows if r[1] == coarse(t.key)), None)
    assert got == expected
    assert any(len(loose(coarse(t.key))) < 4 and got[t.key] for t in words)  # (short words with near keys)
    index.close()


def test_near_rows_read_before_are_reused_with_the_same_answers(backend: Resolver) -> None:
    """Words read one after another share deletion variants ("Kazemi" and "Kazimi", "Qais" and
    "Kais"); a variant's rows read by one word are kept and reused by the next, and each word's near
    keys and own token row are those an index reading every variant afresh gives (short and long
    words, in any order); a variant read ``own`` first and wanted whole later is read again."""
    from resolver.matching.index import NearRow

    words = [t.key for t in analyze("Kazemi Kazimi Kadhimi Qais Kais Ali Aly Suleimani Soleimani Hadi Nur Bo").tokens]
    warm = CandidateIndex.open(backend.store.engine)
    statements: list[int] = []
    with warm.session() as q:
        real_near = q.near

        def counted(variants: object, *, own: bool = False) -> list[NearRow]:
            statements.append(1)
            return real_near(variants, own=own)  # type: ignore[arg-type]

        q.near = counted  # type: ignore[method-assign]
        got = {}
        for key in [*words, *reversed(words)]:
            warm._similar.clear()  # (the word's own answer is cached too: ask the rows again)
            got[key] = warm.load_similar(q, [key])[key]
            assert warm._tokens.get(coarse(key)) == _fresh_token_row(backend, key)
    assert len(statements) < 2 * len(words)  # (some words' variants were all read before)
    for key in words:
        fresh = CandidateIndex.open(backend.store.engine)
        with fresh.session() as q:
            assert got[key] == fresh.load_similar(q, [key])[key]
        fresh.close()
    warm.close()


def _fresh_token_row(backend: Resolver, key: str) -> tuple[int, int, int, int] | None:
    fresh = CandidateIndex.open(backend.store.engine)
    with fresh.session() as q:
        row = fresh.load_tokens(q, {coarse(key)})[coarse(key)]
    fresh.close()
    return row


def test_likeness_of_many_words_at_once_is_each_words_likeness(resolver: Resolver) -> None:
    """``_fill_likes`` sets every word to 0 and then the few alike ones, with one edit pass and one
    loose-skeleton pass over all the words: the same as weighing each word by itself."""
    import random

    from rapidfuzz.distance import Levenshtein

    from resolver.matching.skeletons import loose
    from resolver.matching.votes import _LIKE_FROM, _fill_likes

    def one_by_one(key: str, near: frozenset[str], other: str) -> float:
        if len(key) <= 2 or len(other) <= 2:
            like = 0.0
        elif loose(other) == loose(key):
            like = 1.0 - 1.0 / max(len(key), len(other))
        else:
            like = Levenshtein.normalized_similarity(key, other, processor=None)
            like = like if like >= _LIKE_FROM else 0.0
        if like < 0.6 and other in near and keys_may_pair(key, other):
            like = 0.6
        return like

    words = sorted({k for a in resolver.index.aliases for k in a.coarse_keys} | {"A", "AB", "8631"})
    rng = random.Random(5)
    for _ in range(300):
        key, others = rng.choice(words), rng.sample(words, 60)
        near = frozenset(rng.sample(others, 4) + rng.sample(words, 4))
        likes = {"ZZZZ": 0.25}  # what an entry had already stays
        _fill_likes(key, near, likes, others)
        assert likes == {"ZZZZ": 0.25, **{o: one_by_one(key, near, o) for o in others}}


def test_the_largest_few_by_a_sort_are_heapqs() -> None:
    """Retrieval keeps the best aliases by a sort when they are few and by ``heapq.nlargest`` when
    many: with keys that never tie (they end in the alias id) both give the same list."""
    import heapq
    import random

    from resolver.matching.retrieval import _largest

    rng = random.Random(9)
    for size in (0, 1, 29, 30, 31, 60, 119, 120, 121, 240, 241, 1000):
        items = rng.sample(range(10**6), size)
        votes = {i: rng.choice([0.5, 1.0, 2.25, 500.0]) for i in items}
        for n in (30, 60):
            ranked = heapq.nlargest(n, items, key=lambda i, v=votes: (v[i], -i))  # type: ignore[misc]
            assert _largest(n, items, lambda i, v=votes: (v[i], -i)) == ranked  # type: ignore[misc]


def _as_if(r: Resolver, entities: int) -> CandidateIndex:
    """The store's index, weighing words as in a store of this many entities (a large store's
    statistics on a small file: which words are common is what retrieval decides by)."""
    index = r.index
    return CandidateIndex(index._reader, index.revision, entities)


def test_a_common_word_retrieves_when_the_rarer_words_retrieve_few(resolver: Resolver) -> None:
    """A surname held by a few hundred aliases of a large store ("Chatayev") still brings in its
    shortest holders when the mention's rarer word ("Akhmet", which the alias spells "Akhmed")
    retrieved fewer aliases than are scored."""
    resolver.store.add_entity("Amin Quorvel", "person", id="target")
    rows = [(f"q-{n}", f"Quorvel {_word(n)}", "person", f"Quorvel {_word(n)}") for n in range(_MAX_POSTINGS + 10)]
    rows += [(f"z-{n}", f"Zigmund {_word(n)}", "person", f"Zigmund {_word(n)}") for n in range(2)]
    import_rows(resolver.store, rows, source="crowd")
    index = _as_if(resolver, 400_000)
    row = index._token("QRWL")
    assert row is not None and row[2] > _MAX_POSTINGS
    found = {index.aliases[i].entity_id for i in index.candidates(analyze("Zigmund Quorvel"))}
    assert "target" in found and "z-0" in found


def test_a_legal_form_beside_a_word_weighs_no_more_than_the_two_words(resolver: Resolver) -> None:
    """"Open Joint Stock Company Investcapitalbank": the pairs of legal-form words side by side
    ("Joint Stock", "Stock Company") are no evidence of the name, so they do not count as a word
    never seen, which would lift every alias holding "Open Joint Stock Company" to a floor the
    rare name word's own alias cannot reach."""
    resolver.store.add_entity("Zorvaxbank", "organization", id="target")
    rows = [(f"o-{n}", f"Quelmo Joint Stock Company {_word(n)}", "organization",
             f"Quelmo Joint Stock Company {_word(n)}") for n in range(4)]
    rows += [(f"w-{n}", f"{_word(n + 20)} {_word(n + 40)}", "person", f"{_word(n + 20)} {_word(n + 40)}")
             for n in range(60)]
    import_rows(resolver.store, rows, source="crowd")
    index = resolver.index
    with index.session() as q:
        entries = {e.key: e for e in index.retrieval.entries(q, analyze("Quelmo Joint Stock Company Zorvaxbank"))}
        apart = index.retrieval.entries(q, analyze("Quelmo Zorvaxbank"))
    assert entries["JNTSTK"].weight <= 2 * FUNCTION_WORD_WEIGHT  # two legal-form words side by side
    assert entries["QLMJNT"].weight <= entries["QLM"].weight + FUNCTION_WORD_WEIGHT
    assert "target" in _entities(resolver, "Quelmo Joint Stock Company Zorvaxbank")
    # two name words side by side still count as one word never seen
    assert apart[-1].halves is not None and apart[-1].weight == pytest.approx(index.max_idf ** 2)


def test_an_alias_word_that_is_two_mention_words_written_as_one_holds_both(resolver: Resolver) -> None:
    """When more aliases pass the floor than are scored, the likeness ranking counts an alias word
    that is two adjacent mention words written as one ("Mofidrahbar" for "Mofid Raahbar") as both
    words held, not by its likeness to either ("Mirdash" is only half of "Kelvomirdash")."""
    resolver.store.add_entity("Kelvomirdash Firm", "organization", id="target")
    resolver.store.add_entity("Mirdash Zebulon", "organization", id="other")
    index = resolver.index

    def likeness(mention: str) -> tuple[dict[str, float], dict[str, float]]:
        """Each candidate entity's likeness to the mention, and the weight of each mention word."""
        name = analyze(mention)
        with index.session() as q:
            entries = index.retrieval.entries(q, name)
            ids = {index.aliases[i].entity_id: i for i in index.retrieval.candidates(q, name)}
            like = index.retrieval._likeness(q, entries, list(ids.values()))
        return {e: like[i] for e, i in ids.items()}, {e.key: e.weight for e in entries if e.halves is None}

    like, words = likeness("Kelvo Mirdash Firm")
    assert like["target"] == pytest.approx(words["KLW"] + words["MRDX"] + words["FRM"])
    assert like["other"] == pytest.approx(words["MRDX"])
    # a legal form is never written into a name: "Raman Co." is not "Ramanco"
    resolver.store.add_entity("Ramanco Zebulon", "organization", id="ramanco")
    like, words = likeness("Raman Co Zebulon")
    assert like["ramanco"] < words["RMN"] + words["ZBLN"]


def test_the_heaviest_words_aliases_are_candidates_when_pairs_side_by_side_set_the_floor(resolver: Resolver) -> None:
    """"Kairaba Shopping Center": an alias holding the lighter words side by side ("Maputo Shopping
    Centre") gets their weights and the pairs', and sets a floor no alias holding only the mention's
    heaviest word reaches; a couple of those aliases (the shortest first) still take the last
    slots, while the candidates stay bounded."""
    resolver.store.add_entity("Kairobo Supermarket", "organization", id="target")
    resolver.store.add_entity("Plovis Dramet Sukon", "organization", id="pair")
    rows = [(f"k-{n}", f"Kairobo {_word(n)} {_word(n + 50)}", "organization", f"Kairobo {_word(n)} {_word(n + 50)}")
            for n in range(5)]
    rows += [(f"{w}-{n}", f"{w} {_word(n + 100)}", "organization", f"{w} {_word(n + 100)}")
             for w in ("Plovis", "Dramet", "Sukon") for n in range(8)]
    import_rows(resolver.store, rows, source="crowd")
    index = resolver.index
    name = analyze("Kairobo Plovis Dramet Sukon")
    with index.session() as q:
        entries = index.retrieval.entries(q, name)
    words = {e.key: e.weight for e in entries if e.halves is None}
    assert max(words, key=words.__getitem__) == "KRB"  # the heaviest word
    # the alias holding the three lighter words side by side sets a floor above it
    assert words["KRB"] < 0.35 * sum(e.weight for e in entries if e.key not in ("KRB", "KRBPLWS"))
    found = [index.aliases[i].entity_id for i in index.candidates(name)]
    assert "pair" in found and "target" in found
    assert sum(e.startswith("k-") or e == "target" for e in found) == 2  # a couple of slots, not all six


def _crowd_around_quarnash(resolver: Resolver) -> None:
    """"Zorvan Quarnash" (id ``target``) among five "Kelto Dimbo Quarnash ..." and crowds of names
    holding Kelto (25), Dimbo (25) and Zorvan (600) each beside another word."""
    resolver.store.add_entity("Zorvan Quarnash", "person", id="target")
    rows = [(f"c-{n}", f"Kelto Dimbo Quarnash {_word(n)}", "person", f"Kelto Dimbo Quarnash {_word(n)}")
            for n in range(5)]
    rows += [(f"{w}-{n}", f"{w} {_word(n + 20)}", "person", f"{w} {_word(n + 20)}")
             for w, count in (("Kelto", 25), ("Dimbo", 25), ("Zorvan", 600)) for n in range(count)]
    import_rows(resolver.store, rows, source="crowd")


def test_a_name_the_mention_holds_whole_is_a_candidate_when_pairs_side_by_side_set_the_floor(
        resolver: Resolver) -> None:
    """"Hasan Abd-al-Karim NASRALLAH" for an entity named "Hasan NASRALLAH", in a large store: the
    aliases holding the heaviest word beside two lighter words side by side (an unseen pair weighs
    as an unseen word) set a floor the short name cannot reach, though the mention holds every word
    of it.  It takes one of the last slots (one per entity not yet listed), and nothing is
    reserved for a name the mention does not hold whole."""
    _crowd_around_quarnash(resolver)
    index = _as_if(resolver, 400_000)
    name = analyze("Zorvan Kelto Dimbo Quarnash")
    with index.session() as q:
        words = {e.key: e.weight for e in index.retrieval.entries(q, name) if e.halves is None}
    assert max(words, key=words.__getitem__) == "QRNX"  # Quarnash, the heaviest word
    found = [index.aliases[i].entity_id for i in index.candidates(name)]
    assert "target" in found and all(f"c-{n}" in found for n in range(5))
    # a name holding a word the mention lacks is not held whole: no slot for it
    assert "target" not in [index.aliases[i].entity_id for i in index.candidates(analyze("Kelto Dimbo Quarnash"))]


def test_the_rarest_words_shortest_holders_are_read_once_per_word_and_length(resolver: Resolver) -> None:
    """The shortest holders of the mention's heaviest word (``_within``) are kept per (token, length):
    a second mention with that word and as many words reads none, and finds the same candidates as
    an index reading them afresh."""
    from resolver.store.reader import Queries

    _crowd_around_quarnash(resolver)
    reads: list[int] = []
    real = Queries.holders

    def counted(self: Queries, token_id: int, max_size: int, limit: int) -> list[int]:
        reads.append(token_id)
        return real(self, token_id, max_size, limit)

    Queries.holders = counted  # type: ignore[method-assign]
    try:
        index = _as_if(resolver, 400_000)
        first = index.candidates(analyze("Zorvan Kelto Dimbo Quarnash"))
        assert reads and index.retrieval._within_holders
        read_before = len(reads)
        again = index.candidates(analyze("Zorvan Dimbo Kelto Quarnash"))
        assert len(reads) == read_before  # (the same heaviest word, as many words: kept)
        fresh = _as_if(resolver, 400_000).candidates(analyze("Zorvan Dimbo Kelto Quarnash"))
    finally:
        Queries.holders = real  # type: ignore[method-assign]
    assert again == fresh and set(first) == set(again)


def test_the_likeness_ranking_weighs_more_than_the_first_by_votes(resolver: Resolver) -> None:
    """"Oscar MAHLERBE" for "Oscar MELARBE" among a hundred aliases holding "Mahlerbe" itself: the
    near spelling votes less than the word, but the alias holds the common word too, so the likeness
    ranking (every mention word held, or spelt alike) keeps it, when it is among the aliases ranked:
    more than the first sixty by votes are."""
    resolver.store.add_entity("Oskar Melarbo", "person", id="target")
    rows = [(f"m-{n}", f"Mahlerbo {_word(n)} {_word(n + 200)}", "person", f"Mahlerbo {_word(n)} {_word(n + 200)}")
            for n in range(100)]
    rows += [(f"o-{n}", f"Oskar {_word(n + 400)}", "person", f"Oskar {_word(n + 400)}") for n in range(600)]
    import_rows(resolver.store, rows, source="crowd")
    index = _as_if(resolver, 10_000)
    assert "target" in {index.aliases[i].entity_id for i in index.candidates(analyze("Oskar Mahlerbo"))}


def test_padded_in_lists_read_the_same_rows_as_the_plain_statement(backend: Resolver) -> None:
    """IN lists are padded with their last value to a few lengths (so the driver keeps those
    statements prepared); each batch read gives exactly the rows of the unpadded statement."""
    from resolver.store.reader import _IN_SIZES, _chunks, _in_text

    assert [len(c) for c in _chunks([5, 3, 5, 9])] == [4] and next(_chunks([5, 3, 5, 9])) == [3, 5, 9, 9]
    assert all(len(next(_chunks(range(n)))) == min(s for s in _IN_SIZES if s >= n) for n in range(1, 501))
    for _ in range(2):  # written out, then kept
        assert _in_text("SELECT 1 WHERE 2 IN (?*)", 4) == "SELECT 1 WHERE 2 IN (?, ?, ?, ?)"
    assert [len(c) for c in _chunks(range(1, 1002))] == [500, 500, 1]
    index = backend.index
    with index.session() as q:
        ids = [r[0] for r in q.aliases_after(0)][:37]  # pads to 64
        tokens = q.tokens({"KZMY", "SLYMN", "QDS", "no such key"})
        token_ids = [t[1] for t in tokens]
        entity_ids = sorted({a[1] for a in q.aliases(ids)})[:5]  # pads to 8
        conn = q._cursor.connection

        def plain(sql: str, items: list[object]) -> list[tuple[object, ...]]:
            mark = "?" if q._mark == "?" else "%s"
            sql = sql.replace("(?*)", "(" + ", ".join([mark] * len(items)) + ")")
            cur = conn.cursor()
            cur.execute(sql, tuple(items))
            return sorted(tuple(r) for r in cur.fetchall())

        assert len(ids) == 37 and 37 not in _IN_SIZES and token_ids and entity_ids
        assert sorted(q.alias_keys(ids)) == plain("SELECT id, keys FROM alias WHERE id IN (?*)", ids)
        assert sorted(q.postings(token_ids)) == plain(
            "SELECT token_id, alias_id FROM ix_posting WHERE token_id IN (?*)", token_ids)
        assert sorted(q.entity_names(entity_ids)) == plain(
            "SELECT entity_id, normalized FROM alias WHERE entity_id IN (?*)", entity_ids)
        assert len(q.aliases(ids)) == 37 and len(q.entities(entity_ids)) == len(entity_ids)


def test_a_word_no_alias_holds_counts_in_the_likeness_ranking_as_the_judge_weighs_it(resolver: Resolver) -> None:
    """"Elena Borisnova ZHIROVA" for an entity named "Elena ZHIROVA", in a large store: the middle
    name is held by no alias, and its IDF, an unseen word's, grows with the store (185 among
    400,000 entities), so forty aliases holding a spelling 0.8 alike to it ("Krasnov") outranked,
    in the likeness ranking, the one alias holding the mention's two other words exactly.  It
    counts there as the judge weighs an unseen word; up to FEATURE_POPULATION entities that is its
    own weight."""
    resolver.store.add_entity("Zelvina Quorvel", "person", id="target")
    rows = [(f"k-{n}", f"Karbisnov {_word(n)}", "person", f"Karbisnov {_word(n)}") for n in range(40)]
    rows += [(f"{w}-{n}", f"{w} {_word(n + 100)}", "person", f"{w} {_word(n + 100)}")
             for w in ("Zelvina", "Quorvel") for n in range(_MAX_POSTINGS + 10)]
    import_rows(resolver.store, rows, source="crowd")
    name = analyze("Zelvina Tarbisnova Quorvel")
    small = _as_if(resolver, FEATURE_POPULATION)
    assert small.feature_max_weight == small.max_idf ** 2
    index = _as_if(resolver, 400_000)
    with index.session() as q:
        entries = index.retrieval.entries(q, name)
    words = {e.key: e for e in entries if e.halves is None}
    assert words["TRBSNW"].own is None and words["TRBSNW"].weight == pytest.approx(index.max_idf ** 2)
    assert all(words[k].common for k in ("ZLWN", "QRWL"))
    # the unseen word's spelling outweighs the two words held, at its own weight, not at the judge's
    held = words["ZLWN"].weight + words["QRWL"].weight
    assert index.feature_max_weight * 0.8 < held < index.max_idf ** 2 * 0.8
    found = [index.aliases[i].entity_id for i in index.candidates(name)]
    assert "target" in found and sum(e.startswith("k-") for e in found) >= 20


def test_a_word_with_a_short_skeleton_is_found_as_written(resolver: Resolver) -> None:
    """"Lia", "Lee", "Li", "Ella" and "Lu" all have the skeleton L: a key that short has a long
    postings list and weighs as a common word, and the aliases holding it tie.  The word as written
    is also posted, and a mention's word with a short skeleton votes through it at its own weight,
    so "Lia Co LLC" finds "Lia Company" among a hundred names holding other L words."""
    short = ["Lee", "Li", "Ella", "Lu", "Lo"]
    rows = [(f"l-{n}", f"{short[n % 5]} {_word(n)}", "organization", f"{short[n % 5]} {_word(n)}")
            for n in range(2 * _MAX_CANDIDATES + 40)]
    import_rows(resolver.store, rows, source="crowd")
    resolver.store.add_entity("Lia Company", "organization", id="target")  # the newest: it loses every tie
    index = resolver.index
    assert coarse(analyze("Lia").tokens[0].key) == coarse(analyze("Lee").tokens[0].key) == "L"
    assert "target" in _entities(resolver, "Lia Co LLC")
    with index.session() as q:
        entry = index.retrieval.entries(q, analyze("Lia Co LLC"))[0]
    assert entry.key == "L" and entry.word is not None and entry.key_weight is not None
    assert entry.weight > entry.key_weight  # the word is rarer than its skeleton
    # an alias holding another L word gets the skeleton's weight only
    lee = next(i for i in index.candidates(analyze("Lee Co")) if index.aliases[i].entity_id == "l-0")
    assert entry.votes.get(lee, entry.key_weight) == entry.key_weight


@pytest.mark.skipif("resolver.matching.retrieval" in compiled_modules(),
                    reason="patches retrieval's own functions, which its compiled calls do not look up")
def test_in_a_large_store_the_first_by_votes_keep_a_place_whatever_their_likeness(
        resolver: Resolver, monkeypatch: pytest.MonkeyPatch) -> None:
    """When more aliases pass the floor than are scored, the likeness ranking chooses among them;
    in a store larger than the judge's population the alias holding the most of the mention by
    votes keeps a place: the likeness counts each word held, not two held side by side ("Abdallah
    Asad TAHINI", first by votes through the pair "Abdallah Asad", for "Abdalla As'ad THINI").  In
    a store the judge's size, retrieval is what the judge was fitted on: the likeness alone chooses."""
    import resolver.matching.retrieval as retrieval_module
    from resolver.matching.retrieval import Retrieval

    resolver.store.add_entity("Dimbo Pelgar Kelto", "person", id="target")
    rows = [(f"{w}-{n}", f"{w} {_word(n + k)}", "person", f"{w} {_word(n + k)}")
            for w, k in (("Kelto", 0), ("Dimbo", 100)) for n in range(60)]
    import_rows(resolver.store, rows, source="crowd")
    name = analyze("Kelto Dimbo Zarvosh")
    real = Retrieval._likeness
    target: list[int] = []

    def last(self: Retrieval, q: object, entries: object, pool: list[int]) -> dict[int, float]:
        assert pool[0] == target[0]  # the first by votes (holding both common words)
        return {i: 0.0 if i == target[0] else 1.0 for i in real(self, q, entries, pool)}  # type: ignore[arg-type]

    passing = []
    real_largest = retrieval_module._largest

    def seen(n: int, items: list[int], key: object) -> list[int]:
        passing.append(len(items))
        return real_largest(n, items, key)  # type: ignore[arg-type]

    for index, kept in ((_as_if(resolver, 400_000), True), (resolver.index, False)):
        target[:] = [next(i for i in index.candidates(name) if index.aliases[i].entity_id == "target")]
        monkeypatch.setattr(Retrieval, "_likeness", last)
        monkeypatch.setattr(retrieval_module, "_largest", seen)
        passing.clear()
        found = index.candidates(name)
        monkeypatch.undo()
        assert passing and passing[0] > _MAX_CANDIDATES  # (the likeness ranking chose)
        assert len(found) <= _MAX_CANDIDATES and (target[0] in found) is kept


def test_a_name_written_with_or_without_the_glide_w_still_retrieves(backend: Resolver) -> None:
    """Latin spellings write the glide w between vowels as vowels in a row ("Taus" for "Tawus",
    "Shuayb" for "Shuwayb"): a short skeleton meets the same name with or without that W, both
    ways; a W written v with no vowels in a row on the other side is another word."""
    backend.store.add_entity("Tawus Qorbelani", "person", id="tawus")
    backend.store.add_entity("Shuayb Zendrami", "person", id="shuayb")
    backend.store.add_entity("Turira Plomb", "organization", id="turira")
    assert "tawus" in _entities(backend, "Taus")
    assert "shuayb" in _entities(backend, "Shuwayb")
    assert "turira" not in _entities(backend, "Trover")


@given(st.dictionaries(st.integers(0, 40), st.floats(0.0, 100.0)),
       st.dictionaries(st.integers(0, 40), st.floats(0.0, 100.0)))
def test_votes_added_in_bulk_are_the_votes_added_one_by_one(votes: dict[int, float], more: dict[int, float]) -> None:
    """An entry's votes are added to the lookup's with a Python step only for the aliases in both:
    the same values, and the keys in the same order, as adding them one by one."""
    from resolver.matching.retrieval import _add_votes

    expected = dict(votes)
    for i, vote in more.items():
        expected[i] = expected.get(i, 0.0) + vote
    got = dict(votes)
    _add_votes(got, more)
    assert list(got.items()) == list(expected.items())


def test_token_rows_read_for_prefetch_are_the_rows_load_tokens_gives(resolver: Resolver) -> None:
    """``_read_tokens`` (the prefetch's read: only the keys not cached, no answer built) leaves the
    cache as ``load_tokens`` fills it, for cached, uncached and unknown keys alike."""
    keys = {coarse(t.key) for t in analyze("Qais al-Khazali Kadhimi Asaib Ahl Haq Zorgamaz Vuntrexil").tokens}
    index = CandidateIndex.open(resolver.store.engine)
    fresh = CandidateIndex.open(resolver.store.engine)
    with index.session() as q:
        index.load_tokens(q, set(list(keys)[:3]))  # some cached already
        index._read_tokens(q, keys)
    with fresh.session() as q:
        expected = fresh.load_tokens(q, keys)
    assert {k: index._tokens[k] for k in keys} == expected
    assert any(v is None for v in expected.values()) and any(v is not None for v in expected.values())
    index.close()
    fresh.close()


def test_a_large_store_counts_people_and_other_names_as_the_judges_population_would() -> None:
    # A store of mostly people holds more people's names with any word than the judge's stores
    # (56% people) did: above the judge's population the (people, others) counts behind
    # ``other_kind`` are weighed back to the judge's shares, each word keeping its own total.
    from resolver.matching.standing import in_judge_population

    counts = {"AD": (60.0, 40.0), "MK": (1.0, 2.0), "QQ": (0.0, 0.0), "BNK": (0.0, 7.0)}
    shifted = in_judge_population(counts, people_share=0.8, judge_share=0.56)
    people, others = shifted["AD"]
    assert people + others == pytest.approx(100.0)  # as much evidence as the store has
    assert others / (people + others) > 0.4  # a word as often an organisation's as a person's here is more so there
    assert shifted["QQ"] == (0.0, 0.0)  # a word no name holds stays unseen
    assert shifted["BNK"] == pytest.approx((0.0, 7.0))  # only organisations hold it, here and there
    assert shifted["MK"][1] > 2.0 and sum(shifted["MK"]) == pytest.approx(3.0)
    same = in_judge_population(counts, people_share=0.56, judge_share=0.56)  # the judge's own population
    assert all(same[k] == pytest.approx(v) for k, v in counts.items())
    assert in_judge_population(counts, people_share=0.0) == counts  # a share not known: the store's counts


def test_an_index_knows_its_share_of_people_from_the_stores_count(resolver: Resolver) -> None:
    rows = [(f"p-{n}", f"Quorvel {_word(n)}", "person", f"Quorvel {_word(n)}") for n in range(30)]
    rows += [(f"o-{n}", f"Zigmund {_word(n)} Trading", "organization", f"Zigmund {_word(n)} Trading")
             for n in range(10)]
    import_rows(resolver.store, rows, source="crowd")
    resolver.resolve("Quorvel")  # the next lookup reads the new revision, and the count with it
    index = resolver.index
    with index._reader.session() as q:
        revision, entities, people = q.meta()
    assert revision == index.revision and people >= 30
    assert index.people_share == pytest.approx(people / entities)
