"""The bundled aliases.db and its curated source entities.toml: agreement, determinism, provenance."""

from __future__ import annotations

import csv
import re
import shutil
import sqlite3
import subprocess
import tomllib
from pathlib import Path

import pytest

from resolver import ImportFailed
from resolver.results import AliasKind, EntityType
from resolver.store.build import build_bundle, compare_bundle, default_source, load_source
from resolver.store.db import SCHEMA_VERSION

ROOT = Path(__file__).resolve().parent.parent
TYPES = {t.value for t in EntityType}
KINDS = {k.value for k in AliasKind}


def dump(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, in a stable order (read-only, so the file is not touched)."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: sorted(con.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}
    finally:
        con.close()


def _head_blob(tmp_path: Path) -> Path | None:
    """aliases.db as the checkout's last commit holds it (None outside a git checkout)."""
    try:
        blob = subprocess.run(["git", "-C", str(ROOT), "show", "HEAD:aliases.db"], capture_output=True, check=True,
                              timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    path = tmp_path / "head.db"
    path.write_bytes(blob)
    return path


@pytest.fixture()
def committed(tmp_path: Path) -> list[Path]:
    """Copies of aliases.db, so that not even a reader touches the real file: the working file and,
    in a git checkout, the committed one.  Serving or curating the bundled store (the README's quick
    start) writes into the working file; what must agree with the source is the bundle as it is
    about to be committed (a fresh ``resolver build``) or as it was committed."""
    copy = tmp_path / "committed.db"
    shutil.copyfile(ROOT / "aliases.db", copy)
    head = _head_blob(tmp_path)
    return [copy] if head is None else [copy, head]


def test_the_committed_bundle_agrees_with_its_source(committed: list[Path]) -> None:
    diffs = [compare_bundle(default_source(), path) for path in committed]
    assert [] in diffs, diffs[0]


def test_the_committed_bundle_is_exactly_a_fresh_build(committed: list[Path], bundle_template: Path) -> None:
    # Stricter than compare_bundle: descriptions, external ids, history and meta count too.
    fresh = dump(bundle_template)
    assert any(dump(path) == fresh for path in committed), "aliases.db is not a fresh build: run `resolver build`"


def test_compare_bundle_reports_every_disagreement(bundle_template: Path, tmp_path: Path) -> None:
    copy = tmp_path / "drifted.db"
    shutil.copyfile(bundle_template, copy)
    con = sqlite3.connect(copy)
    con.execute("UPDATE alias SET text = 'Kazemy' WHERE entity_id = 'mustafa-al-kadhimi' AND text = 'Kazemi'")
    con.execute("UPDATE alias SET keys = 'XXX' WHERE entity_id = 'qais-al-khazali' AND text = 'Khazali'")
    con.commit()
    con.close()
    diff = compare_bundle(default_source(), copy)
    assert len(diff) == 4
    assert sum(d.startswith("missing from the store: ('mustafa-al-kadhimi'") and "'Kazemi'" in d for d in diff) == 1
    assert sum(d.startswith("not in the source: ('mustafa-al-kadhimi'") and "'Kazemy'" in d for d in diff) == 1
    assert sum(d.startswith("not in the source: ('qais-al-khazali'") and "'XXX'" in d for d in diff) == 1
    assert sum(d.startswith("missing from the store: ('qais-al-khazali'") for d in diff) == 1


def test_building_twice_gives_identical_stores(tmp_path: Path) -> None:
    first, second = tmp_path / "one" / "aliases.db", tmp_path / "two" / "aliases.db"
    counts = build_bundle(default_source(), first)
    assert build_bundle(default_source(), second) == counts
    assert dump(first) == dump(second)
    assert first.read_bytes() == second.read_bytes()
    # the swap-in leaves no temporary or journal files behind
    assert sorted(p.name for p in first.parent.iterdir()) == ["aliases.db"]


def test_build_counts_match_the_source(tmp_path: Path) -> None:
    entities = load_source(default_source())
    counts = build_bundle(default_source(), tmp_path / "aliases.db")
    assert counts == (len(entities), sum(len(e.aliases) for e in entities))
    tables = dump(tmp_path / "aliases.db")
    assert len(tables["entity"]) == counts[0]
    assert len(tables["alias"]) == counts[1]
    assert dict(tables["meta"])["schema_version"] == str(SCHEMA_VERSION)


def test_rebuilding_over_an_existing_store_replaces_it(tmp_path: Path) -> None:
    target = tmp_path / "aliases.db"
    target.write_bytes(b"an old, broken file")
    build_bundle(default_source(), target)
    assert compare_bundle(default_source(), target) == []


# --- the source ---------------------------------------------------------------------------------


SOURCE = load_source(default_source())


def test_ids_are_unique_slugs() -> None:
    ids = [e.id for e in SOURCE]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", i) for i in ids), [i for i in ids if not i.islower()]


def test_every_entity_has_a_valid_type_and_a_description() -> None:
    assert {e.type for e in SOURCE} <= TYPES
    assert [e.id for e in SOURCE if not e.description.strip()] == []


def test_every_alias_has_a_kind_and_provenance() -> None:
    assert [(e.id, a.text) for e in SOURCE for a in e.aliases if a.kind not in KINDS] == []
    assert [(e.id, a.text) for e in SOURCE for a in e.aliases if not a.source.strip()] == []
    bad_sources = [
        (e.id, a.source)
        for e in SOURCE
        for a in e.aliases
        if a.source != "curated" and not a.source.startswith("seeds/")
    ]
    assert bad_sources == []


def test_curated_aliases_say_why() -> None:
    assert [(e.id, a.text) for e in SOURCE for a in e.aliases if a.source == "curated" and not a.note.strip()] == []


def test_the_canonical_name_is_always_an_alias() -> None:
    assert [e.id for e in SOURCE if e.name not in {a.text for a in e.aliases}] == []


def test_no_alias_text_belongs_to_two_entities() -> None:
    owners: dict[str, set[str]] = {}
    for e in SOURCE:
        for a in e.aliases:
            owners.setdefault(a.text, set()).add(e.id)
    assert {t: o for t, o in owners.items() if len(o) > 1} == {}


def test_the_built_store_keeps_provenance(bundle_template: Path) -> None:
    rows = dump(bundle_template)["alias"]
    con = sqlite3.connect(f"file:{bundle_template}?mode=ro", uri=True)
    try:
        empty = con.execute("SELECT entity_id, text FROM alias WHERE source = '' OR source IS NULL").fetchall()
        kinds = {k for (k,) in con.execute("SELECT DISTINCT kind FROM alias")}
        types = {t for (t,) in con.execute("SELECT DISTINCT type FROM entity")}
    finally:
        con.close()
    assert rows
    assert empty == []
    assert kinds <= KINDS
    assert types <= TYPES


def test_held_out_variants_stay_out_of_the_source() -> None:
    # tests/fixtures/unseen_variants.csv measures generalisation: copying one in would fake the figure.
    texts = {a.text for e in SOURCE for a in e.aliases}
    with (ROOT / "tests" / "fixtures" / "unseen_variants.csv").open(encoding="utf-8", newline="") as handle:
        mentions = {row["mention"] for row in csv.DictReader(handle)}
    assert "AL-KHAZALI, Qays" in mentions
    assert sorted(mentions & texts) == []


def _editorial(text: str) -> str:
    """A seed text with editorial brackets lifted: "[Mustafa al-] Kadhimi" reads "Mustafa al-Kadhimi"."""
    return re.sub(r"-\s+", "-", text.replace("[", "").replace("]", ""))


def test_seed_aliases_occur_in_their_seed_file(shared_dir: Path) -> None:
    seeds = shared_dir / "seeds"
    data = tomllib.loads(default_source().read_text(encoding="utf-8"))
    missing_files, not_literal, not_at_all = [], [], []
    for e in data["entity"]:
        for a in e.get("aliases", []):
            source = str(a.get("source", ""))
            if not source.startswith("seeds/"):
                continue
            path = seeds / source.removeprefix("seeds/")
            if not path.is_file():
                missing_files.append(source)
                continue
            text = path.read_text(encoding="utf-8")
            if a["text"] in text:
                continue
            if a["text"] in _editorial(text) and a.get("note"):
                not_literal.append((e["id"], a["text"]))  # attested through an editor's brackets, and noted
            else:
                not_at_all.append((e["id"], a["text"], source))
    assert missing_files == []
    assert not_at_all == []
    # The one spelling attested only through editorial brackets (seed 000, '[Mustafa al-] Kadhimi').
    assert not_literal == [("mustafa-al-kadhimi", "Mustafa al-Kadhimi")]


# --- load_source errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[[entity]]\nid = 'x'\nname = 'X'\n", "entity #1 (x): missing field 'type'"),
        ("[[entity]]\nid = 'x'\nname = 'X'\ntype = 'robot'\n", "unknown entity type 'robot'"),
        ("[[entity]]\nid = 'bad id'\nname = 'X'\ntype = 'person'\n", "invalid entity id 'bad id'"),
        (
            "[[entity]]\nid = 'x'\nname = 'X'\ntype = 'person'\naliases = [{ text = 'Y' }, { text = 'Y' }]\n",
            "empty or repeated alias 'Y'",
        ),
        (
            "[[entity]]\nid = 'x'\nname = 'X'\ntype = 'person'\naliases = [{ text = 'Y', kind = 'nickname' }]\n",
            "unknown alias kind 'nickname'",
        ),
        (
            "[[entity]]\nid = 'x'\nname = 'X'\ntype = 'person'\n[[entity]]\nid = 'x'\nname = 'Z'\ntype = 'person'\n",
            "entity #2 (x): duplicate id",
        ),
        ("[[entity]\nid = 'x'\n", "src.toml"),
    ],
)
def test_load_source_rejects_a_bad_file(tmp_path: Path, toml: str, message: str) -> None:
    path = tmp_path / "src.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ImportFailed) as err:
        load_source(path)
    assert message in err.value.message
    assert err.value.message.startswith(f"{path}: ")
    # a bad source never produces a store
    with pytest.raises(ImportFailed):
        build_bundle(path, tmp_path / "out.db")
    assert not (tmp_path / "out.db").exists()


def test_load_source_adds_the_canonical_name_as_a_curated_alias(tmp_path: Path) -> None:
    path = tmp_path / "src.toml"
    path.write_text(
        "[[entity]]\nid = 'x'\nname = 'Qais al-Khazali'\ntype = 'person'\n"
        "aliases = [{ text = 'Khazali', source = 'seeds/000.txt' }]\n",
        encoding="utf-8",
    )
    (entity,) = load_source(path)
    assert [(a.text, a.kind, a.source, a.note) for a in entity.aliases] == [
        ("Qais al-Khazali", "name", "curated", "canonical name"),
        ("Khazali", "name", "seeds/000.txt", ""),
    ]
