"""AliasStore: entities, aliases, merges and redirects, history, stats, revision and listing."""

from __future__ import annotations

import warnings

import pytest

from resolver import AliasConflict, AliasNotFound, EntityNotFound, InvalidQuery, MatchStatus, Resolver
from resolver.store.db import SCHEMA_VERSION
from resolver.store.store import AliasStore


@pytest.fixture()
def store(empty: Resolver) -> AliasStore:
    return empty.store


def _texts(store: AliasStore, entity_id: str) -> list[str]:
    return [a.text for a in store.get_entity(entity_id).aliases]


def test_store_reads_raise_no_deprecation_warning(store: AliasStore) -> None:
    store.add_entity("Qais al-Khazali", "person", id="qais")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert store.stats()["revision"] == store.revision()
        assert list(store.export_rows()) == [("qais", "Qais al-Khazali", "person", "Qais al-Khazali")]


# --- entities ---------------------------------------------------------------------------------------


def test_add_entity_makes_the_canonical_name_an_alias(store: AliasStore) -> None:
    record = store.add_entity("  Qais al-Khazali ", "person", aliases=["Qais Khazali", "قيس الخزعلي"])
    assert record.id == "qais-khazali"
    assert (record.name, record.type, record.description, record.external_ids) == (
        "Qais al-Khazali",
        "person",
        "",
        {},
    )
    assert [a.text for a in record.aliases] == ["Qais al-Khazali", "Qais Khazali", "قيس الخزعلي"]
    assert [a.normalized for a in record.aliases] == ["qais khazali", "qais khazali", "قيس خزعلي"]
    assert [a.script for a in record.aliases] == ["latin", "latin", "arabic"]
    assert {a.entity_id for a in record.aliases} == {"qais-khazali"}
    assert store.get_entity("qais-khazali") == record


def test_generated_ids_are_slugs_and_never_collide(store: AliasStore) -> None:
    first = store.add_entity("Faris al-Tamimi", "person")
    second = store.add_entity("Faris al-Tamimi", "person")
    arabic = store.add_entity("مصطفى الكاظمي", "person")
    assert (first.id, second.id) == ("faris-tamimi", "faris-tamimi-2")
    assert arabic.id == "entity"  # no ASCII letters to slug


def test_explicit_id_and_metadata(store: AliasStore) -> None:
    record = store.add_entity(
        "Federal Bureau of Investigation",
        "organization",
        id="fbi",
        description="US federal police.",
        external_ids={"wikidata": "Q8333"},
    )
    assert (record.id, record.description, record.external_ids) == ("fbi", "US federal police.", {"wikidata": "Q8333"})
    assert record.created_at == record.updated_at
    assert record.created_at.endswith("Z")


def test_duplicate_id_is_a_conflict(store: AliasStore) -> None:
    store.add_entity("Qais al-Khazali", "person", id="qais")
    with pytest.raises(AliasConflict, match="entity id 'qais' already exists"):
        store.add_entity("Laith al-Khazali", "person", id="qais")
    assert _texts(store, "qais") == ["Qais al-Khazali"]


@pytest.mark.parametrize(
    ("name", "type_", "id_", "message"),
    [
        ("", "person", None, "non-empty name"),
        ("   ", "person", None, "non-empty name"),
        ("Qais", "robot", None, "unknown entity type 'robot'"),
        ("Qais", "person", "bad id!", "invalid entity id 'bad id!'"),
        ("Qais", "person", "-leading", "invalid entity id"),
    ],
)
def test_add_entity_rejects_bad_input(store: AliasStore, name: str, type_: str, id_: str | None, message: str) -> None:
    with pytest.raises(InvalidQuery, match=message):
        store.add_entity(name, type_, id=id_)
    assert store.stats()["entities"] == 0


def test_an_alias_listed_twice_aborts_the_whole_entity(store: AliasStore) -> None:
    with pytest.raises(AliasConflict, match="already has the alias 'Qais al-Khazali'"):
        store.add_entity("Qais al-Khazali", "person", id="qais", aliases=["Qais al-Khazali"])
    with pytest.raises(EntityNotFound):
        store.get_entity("qais")


def test_update_entity(store: AliasStore) -> None:
    store.add_entity("Qais Khazali", "person", id="qais")
    updated = store.update_entity("qais", name="Qais al-Khazali", description="AAH leader", actor="editor")
    assert (updated.name, updated.type, updated.description) == ("Qais al-Khazali", "person", "AAH leader")
    # the new name becomes an alias; the old one stays
    assert [a.text for a in updated.aliases] == ["Qais Khazali", "Qais al-Khazali"]
    retyped = store.update_entity("qais", type="other", external_ids={"wikidata": "Q1"})
    assert (retyped.type, retyped.external_ids, retyped.name) == ("other", {"wikidata": "Q1"}, "Qais al-Khazali")
    with pytest.raises(InvalidQuery, match="unknown entity type"):
        store.update_entity("qais", type="robot")
    with pytest.raises(InvalidQuery, match="non-empty name"):
        store.update_entity("qais", name=" ")
    with pytest.raises(EntityNotFound, match="no entity with id 'nobody'"):
        store.update_entity("nobody", name="X")
    assert store.get_entity("qais").type == "other"


# --- aliases ----------------------------------------------------------------------------------------


def test_add_and_remove_alias(store: AliasStore) -> None:
    store.add_entity("Asa'ib Ahl al-Haq", "organization", id="aah")
    alias = store.add_alias("aah", " AAH ", kind="abbreviation", source="seeds/000.txt", note="acronym")
    assert (alias.entity_id, alias.text, alias.kind, alias.source, alias.note) == (
        "aah",
        "AAH",
        "abbreviation",
        "seeds/000.txt",
        "acronym",
    )
    assert alias.normalized == "aah"
    assert _texts(store, "aah") == ["Asa'ib Ahl al-Haq", "AAH"]
    removed = store.remove_alias("aah", alias.id)
    assert removed == alias
    assert _texts(store, "aah") == ["Asa'ib Ahl al-Haq"]
    with pytest.raises(AliasNotFound, match=f"entity 'aah' has no alias with id {alias.id}"):
        store.remove_alias("aah", alias.id)


def test_add_alias_errors(store: AliasStore) -> None:
    store.add_entity("Asa'ib Ahl al-Haq", "organization", id="aah")
    with pytest.raises(AliasConflict, match="already has the alias"):
        store.add_alias("aah", "Asa'ib Ahl al-Haq")
    with pytest.raises(InvalidQuery, match="non-empty text"):
        store.add_alias("aah", "  ")
    with pytest.raises(InvalidQuery, match="unknown alias kind 'nickname'"):
        store.add_alias("aah", "Asaib", kind="nickname")
    with pytest.raises(EntityNotFound):
        store.add_alias("nobody", "Asaib")
    assert _texts(store, "aah") == ["Asa'ib Ahl al-Haq"]


def test_the_same_spelling_may_belong_to_two_entities(store: AliasStore) -> None:
    store.add_entity("Qais al-Khazali", "person", id="qais")
    store.add_entity("Laith al-Khazali", "person", id="laith")
    store.add_alias("qais", "Khazali")
    store.add_alias("laith", "Khazali")
    assert _texts(store, "qais")[-1] == _texts(store, "laith")[-1] == "Khazali"


def test_removing_another_entitys_alias_is_not_found(store: AliasStore) -> None:
    store.add_entity("Qais al-Khazali", "person", id="qais")
    laith = store.add_entity("Laith al-Khazali", "person", id="laith")
    other = laith.aliases[0].id
    with pytest.raises(AliasNotFound, match=f"entity 'qais' has no alias with id {other}"):
        store.remove_alias("qais", other)
    with pytest.raises(AliasNotFound):
        store.remove_alias("qais", 999_999)
    assert _texts(store, "laith") == ["Laith al-Khazali"]


# --- merge and redirects ----------------------------------------------------------------------------


def _two_kadhimis(store: AliasStore) -> None:
    store.add_entity("Mustafa al-Kadhimi", "person", id="kadhimi", aliases=["Kadhimi", "Kazemi"])
    store.add_entity("Mustafa Kazemi", "person", id="kazemi-dup", aliases=["Kazemi", "Mostafa Kazemi"])


def test_merge_moves_aliases_and_drops_duplicates(store: AliasStore) -> None:
    _two_kadhimis(store)
    merged = store.merge("kadhimi", "kazemi-dup", actor="editor")
    assert merged.id == "kadhimi"
    assert merged.name == "Mustafa al-Kadhimi"
    assert [a.text for a in merged.aliases] == [
        "Mustafa al-Kadhimi",
        "Kadhimi",
        "Kazemi",
        "Mustafa Kazemi",
        "Mostafa Kazemi",
    ]
    assert {a.entity_id for a in merged.aliases} == {"kadhimi"}
    assert store.stats()["aliases"] == 5


def test_an_absorbed_id_redirects_to_its_survivor(store: AliasStore) -> None:
    _two_kadhimis(store)
    store.merge("kadhimi", "kazemi-dup")
    assert store.canonical_id("kazemi-dup") == "kadhimi"
    assert store.canonical_id("kadhimi") == "kadhimi"
    assert store.get_entity("kazemi-dup").id == "kadhimi"
    assert [e.id for e in store.list_entities()] == ["kadhimi"]
    # writes through the old id reach the survivor
    alias = store.add_alias("kazemi-dup", "Khadhimi")
    assert alias.entity_id == "kadhimi"
    with pytest.raises(EntityNotFound, match="no entity with id 'nobody'"):
        store.canonical_id("nobody")


def test_merge_history_records_both_sides_with_the_actor(store: AliasStore) -> None:
    _two_kadhimis(store)
    store.merge("kadhimi", "kazemi-dup", actor="editor")
    history = store.history("kadhimi")
    assert [(h.action, h.entity_id, h.actor) for h in history] == [
        ("create", "kadhimi", "python"),
        ("create", "kazemi-dup", "python"),
        ("merge", "kadhimi", "editor"),
        ("merged_into", "kazemi-dup", "editor"),
    ]
    merge, merged_into = history[2], history[3]
    assert merge.before is not None and merge.after is not None
    assert (merge.before["survivor"]["id"], merge.before["absorbed"]["id"]) == ("kadhimi", "kazemi-dup")
    assert [a["text"] for a in merge.before["absorbed"]["aliases"]] == ["Mustafa Kazemi", "Kazemi", "Mostafa Kazemi"]
    assert len(merge.after["aliases"]) == 5
    assert merged_into.before is not None and merged_into.before["id"] == "kazemi-dup"
    assert merged_into.after == {"redirect_to": "kadhimi"}
    # the absorbed id's history is the survivor's
    assert store.history("kazemi-dup") == history


def test_a_second_merge_chains_redirects(store: AliasStore) -> None:
    store.add_entity("Qais al-Khazali", "person", id="a")
    store.add_entity("Qais Khazali", "person", id="b")
    store.add_entity("Qays al-Khazali", "person", id="c")
    store.merge("b", "a")
    store.merge("c", "b")
    assert [store.canonical_id(i) for i in ("a", "b", "c")] == ["c", "c", "c"]
    assert store.get_entity("a").id == "c"
    # every alias now belongs to c, listed in the order they were written
    assert _texts(store, "a") == ["Qais al-Khazali", "Qais Khazali", "Qays al-Khazali"]
    assert [e.id for e in store.list_entities()] == ["c"]
    assert [h.action for h in store.history("a")].count("merged_into") == 2


@pytest.mark.parametrize(
    ("survivor", "absorbed", "message"),
    [("a", "a", "cannot merge 'a' into itself"), ("a", "b", "'b' was already merged into 'a'")],
)
def test_merging_an_entity_into_itself_is_a_conflict(
    store: AliasStore, survivor: str, absorbed: str, message: str
) -> None:
    store.add_entity("Qais al-Khazali", "person", id="a")
    store.add_entity("Qais Khazali", "person", id="b")
    store.merge("a", "b")
    with pytest.raises(AliasConflict, match=message):
        store.merge(survivor, absorbed)


def test_merge_unknown_entity(store: AliasStore) -> None:
    store.add_entity("Qais al-Khazali", "person", id="a")
    with pytest.raises(EntityNotFound, match="no entity with id 'nobody'"):
        store.merge("a", "nobody")
    assert store.canonical_id("a") == "a"


def test_ids_of_merged_entities_are_never_reused(store: AliasStore) -> None:
    store.add_entity("Qais al-Khazali", "person", id="a")
    store.add_entity("Qais Khazali", "person", id="b")
    store.merge("a", "b")
    with pytest.raises(AliasConflict, match="entity id 'b' already exists"):
        store.add_entity("Someone Else", "person", id="b")


def test_resolver_follows_a_merge(empty: Resolver) -> None:
    store = empty.store
    _two_kadhimis(store)
    assert empty.resolve("Kazemi").status is MatchStatus.AMBIGUOUS
    store.merge("kadhimi", "kazemi-dup")
    res = empty.resolve("Mostafa Kazemi")
    assert res.entity is not None and res.entity.id == "kadhimi"
    res = empty.resolve("Kazemi")
    assert res.status is MatchStatus.MATCHED
    assert res.entity is not None and res.entity.id == "kadhimi"


# --- history, stats, revision, listing ----------------------------------------------------------------


def test_history_of_alias_edits(store: AliasStore) -> None:
    store.add_entity("Qais al-Khazali", "person", id="qais", actor="importer")
    alias = store.add_alias("qais", "Khazali", actor="alice")
    store.remove_alias("qais", alias.id, actor="bob")
    store.update_entity("qais", description="AAH leader", actor="carol")
    history = store.history("qais")
    assert [(h.action, h.actor) for h in history] == [
        ("create", "importer"),
        ("add_alias", "alice"),
        ("remove_alias", "bob"),
        ("update", "carol"),
    ]
    create, add, remove, update = history
    assert create.before is None
    assert create.after is not None and create.after["name"] == "Qais al-Khazali"
    assert (add.before, add.after) == (None, alias.to_dict())
    assert (remove.before, remove.after) == (alias.to_dict(), None)
    assert update.before is not None and update.after is not None
    assert (update.before["description"], update.after["description"]) == ("", "AAH leader")
    assert [h.id for h in history] == sorted(h.id for h in history)
    assert all(h.at.endswith("Z") for h in history)
    assert history[0].to_dict()["action"] == "create"


def test_stats(store: AliasStore) -> None:
    start = store.revision()
    assert store.stats() == {
        "entities": 0,
        "aliases": 0,
        "entities_by_type": {},
        "aliases_by_kind": {},
        "aliases_by_script": {},
        "schema_version": SCHEMA_VERSION,
        "revision": start,
    }
    store.add_entity("Asa'ib Ahl al-Haq", "organization", id="aah", aliases=["عصائب أهل الحق"])
    store.add_alias("aah", "AAH", kind="abbreviation")
    store.add_entity("Qais al-Khazali", "person", id="qais")
    stats = store.stats()
    assert stats["entities"] == 2
    assert stats["aliases"] == 4
    assert stats["entities_by_type"] == {"organization": 1, "person": 1}
    assert stats["aliases_by_kind"] == {"abbreviation": 1, "name": 3}
    assert stats["aliases_by_script"] == {"arabic": 1, "latin": 3}
    assert stats["revision"] == start + 3


def test_every_write_moves_the_revision(store: AliasStore) -> None:
    seen = [store.revision()]

    def moved() -> bool:
        seen.append(store.revision())
        return seen[-1] > seen[-2]

    store.add_entity("Qais al-Khazali", "person", id="a")
    assert moved()
    alias = store.add_alias("a", "Khazali")
    assert moved()
    store.update_entity("a", description="x")
    assert moved()
    store.remove_alias("a", alias.id)
    assert moved()
    store.add_entity("Qais Khazali", "person", id="b")
    assert moved()
    store.merge("a", "b")
    assert moved()
    # a failed write moves nothing
    with pytest.raises(AliasConflict):
        store.add_alias("a", "Qais al-Khazali")
    assert store.revision() == seen[-1]
    # reads move nothing
    store.stats()
    store.history("a")
    store.list_entities()
    assert store.revision() == seen[-1]


def test_list_entities(store: AliasStore) -> None:
    store.add_entity("Qais al-Khazali", "person", id="qais", aliases=["Khazali"])
    store.add_entity("Laith al-Khazali", "person", id="laith")
    store.add_entity("Asa'ib Ahl al-Haq", "organization", id="aah", aliases=["Khazali Network"])
    store.add_entity("Sadr City", "place", id="sadr-city")
    # ordered by name
    assert [e.id for e in store.list_entities()] == ["aah", "laith", "qais", "sadr-city"]
    # q matches the normalised alias, so spelling marks and articles do not matter
    assert [e.id for e in store.list_entities(q="AL-KHAZALI, Laith")] == ["laith"]
    assert [e.id for e in store.list_entities(q="AL-KHAZALI")] == ["aah", "laith", "qais"]
    assert [e.id for e in store.list_entities(q="Asa’ib")] == ["aah"]
    assert [e.id for e in store.list_entities(q="khazali", type="person")] == ["laith", "qais"]
    assert [e.id for e in store.list_entities(type="place")] == ["sadr-city"]
    assert [e.id for e in store.list_entities(limit=2)] == ["aah", "laith"]
    assert [e.id for e in store.list_entities(limit=2, offset=2)] == ["qais", "sadr-city"]
    assert store.list_entities(q="nobody at all") == []
    # a q with nothing comparable left after normalisation filters nothing
    assert store.list_entities(q="%") == []  # nothing left after normalising: names nothing
    with pytest.raises(InvalidQuery, match="unknown entity type"):
        store.list_entities(type="robot")
    listed = store.list_entities(q="Sadr City")[0]
    assert listed == store.get_entity("sadr-city")


def test_records_are_frozen(store: AliasStore) -> None:
    record = store.add_entity("Qais al-Khazali", "person", id="qais")
    with pytest.raises(AttributeError):
        record.name = "Laith"  # type: ignore[misc]
    assert record.to_dict()["aliases"][0]["text"] == "Qais al-Khazali"


def test_the_bundled_store_is_a_working_store(resolver: Resolver) -> None:
    stats = resolver.store.stats()
    assert stats["entities"] >= 100
    assert stats["schema_version"] == SCHEMA_VERSION
    kadhimi = resolver.store.get_entity("mustafa-al-kadhimi")
    assert kadhimi.name == "Mustafa al-Kadhimi"
    assert "Kazemi" in [a.text for a in kadhimi.aliases]


@pytest.mark.parametrize("bad_id", ["abc\n", "-abc", "a b", "x" * 201])
def test_an_id_must_match_the_whole_pattern(store: AliasStore, bad_id: str) -> None:
    with pytest.raises(InvalidQuery, match="invalid entity id"):
        store.add_entity("Qais al-Khazali", "person", id=bad_id)
    assert store.list_entities() == []


def test_add_entity_refuses_an_empty_extra_alias(store: AliasStore) -> None:
    with pytest.raises(InvalidQuery, match="an alias needs non-empty text"):
        store.add_entity("Qais al-Khazali", "person", id="qais", aliases=["Khazali", "  "])
    assert store.list_entities() == []


def test_a_blank_listing_query_names_nothing(store: AliasStore) -> None:
    store.add_entity("Qais al-Khazali", "person", id="qais")
    assert [e.id for e in store.list_entities(q="")] == ["qais"]  # no filter given
    assert store.list_entities(q="   ") == []
    assert store.list_entities(q="'-") == []


def test_an_update_that_changes_nothing_is_not_recorded(store: AliasStore) -> None:
    store.add_entity("Qais al-Khazali", "person", id="qais", description="AAH leader")
    revision = store.revision()
    same = store.update_entity("qais", name="Qais al-Khazali", description="AAH leader")
    assert same.description == "AAH leader"
    assert [h.action for h in store.history("qais")] == ["create"]
    assert store.revision() == revision


def test_schema_version_and_keys_version(store: AliasStore) -> None:
    assert store.schema_version() == SCHEMA_VERSION
    assert store.keys_current() is True
