"""Builds the bundled store from its curated, human-readable source (resolver/data/entities.toml).

The source holds one ``[[entity]]`` record per entity with one alias per line and the provenance
of each.  :func:`build_bundle` turns it into an SQLite store deterministically (fixed timestamps,
source order) and swaps it in only when complete; :func:`compare_bundle` lists where a store and
the source disagree, so a test can keep them in step.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from resolver.errors import ImportFailed, InvalidQuery
from resolver.store.db import init_db, make_engine, make_session_factory
from resolver.store.derive import alias_columns
from resolver.store.models import AliasRow, EntityRow
from resolver.store.store import AliasStore, check_id, check_kind, check_type

__all__ = ["SourceAlias", "SourceEntity", "build_bundle", "compare_bundle", "default_source", "load_source"]

#: every row of a built store carries this time, so two builds of one source are identical
BUILD_TIME = datetime(2026, 1, 1)


@dataclass(frozen=True, slots=True)
class SourceAlias:
    text: str
    kind: str
    source: str
    note: str


@dataclass(frozen=True, slots=True)
class SourceEntity:
    id: str
    name: str
    type: str
    description: str
    external_ids: dict[str, str]
    aliases: tuple[SourceAlias, ...]


def default_source() -> Path:
    return Path(__file__).resolve().parent.parent / "data" / "entities.toml"


def load_source(path: Path) -> list[SourceEntity]:
    """Read and check the curated file.

    Raises:
        ImportFailed: invalid TOML, a missing field, an unknown type or kind, a duplicate id or alias.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ImportFailed(str(exc), source=str(path)) from exc
    entities: list[SourceEntity] = []
    seen: set[str] = set()
    for n, record in enumerate(data.get("entity", []), start=1):
        where = f"entity #{n} ({record.get('id', '?')})"
        try:
            entity_id = check_id(str(record["id"]))
            name, type = str(record["name"]).strip(), check_type(str(record["type"]))
            aliases = []
            texts: set[str] = set()
            for a in record.get("aliases", []):
                text = str(a["text"]).strip()
                if not text or text in texts:
                    raise InvalidQuery(f"empty or repeated alias {text!r}")
                texts.add(text)
                aliases.append(SourceAlias(text, check_kind(str(a.get("kind", "name"))), str(a.get("source", "")),
                                           str(a.get("note", ""))))
        except KeyError as exc:
            raise ImportFailed(f"{where}: missing field {exc.args[0]!r}", source=str(path)) from exc
        except InvalidQuery as exc:
            raise ImportFailed(f"{where}: {exc.message}", source=str(path)) from exc
        if entity_id in seen:
            raise ImportFailed(f"{where}: duplicate id", source=str(path))
        seen.add(entity_id)
        if name not in texts:
            aliases.insert(0, SourceAlias(name, "name", "curated", "canonical name"))
        entities.append(SourceEntity(entity_id, name, type, str(record.get("description", "")),
                                     {str(k): str(v) for k, v in record.get("external_ids", {}).items()},
                                     tuple(aliases)))
    return entities


def build_bundle(source: Path, output: Path) -> tuple[int, int]:
    """Write a fresh store for ``source`` at ``output`` (atomically replacing it).

    Returns:
        (entities, aliases) written.
    """
    entities = load_source(source)
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(f".{output.name}.{os.getpid()}.tmp")
    for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        leftover.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{tmp}")
    try:
        init_db(engine)
        store = AliasStore(engine, make_session_factory(engine))
        store.rekey_if_needed()
        rows = [(e.id, e.name, e.type, a.text, a.kind, a.source, a.note) for e in entities for a in e.aliases]
        meta = {e.id: (e.description, e.external_ids) for e in entities}
        with store.transaction() as session:
            totals = store.bulk_load(session, rows, actor="build", entity_meta=meta, now=BUILD_TIME)
        with engine.begin() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.exec_driver_sql("PRAGMA journal_mode=DELETE")
    except BaseException:
        engine.dispose()
        for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            leftover.unlink(missing_ok=True)  # a failed or interrupted build leaves nothing behind
        raise
    engine.dispose()
    os.replace(tmp, output)
    for stale in (Path(f"{output}-wal"), Path(f"{output}-shm")):
        stale.unlink(missing_ok=True)
    return totals.entities_created, totals.aliases_created


def compare_bundle(source: Path, db: Path) -> list[str]:
    """Differences between the curated source and a built store (empty when they agree).

    The derived columns count too: a store whose keys were computed by an older normaliser
    disagrees, so a change to the normaliser (resolver/matching/normalize.py, latin_words.py,
    skeletons.py) without a rebuild is caught.
    """
    want = {
        (e.id, e.name, e.type, a.text, a.kind, a.source, *alias_columns(a.text).values())
        for e in load_source(source) for a in e.aliases
    }
    engine = make_engine(f"sqlite:///{db}")
    try:
        with make_session_factory(engine)() as session:
            have = set(session.execute(
                select(EntityRow.id, EntityRow.name, EntityRow.type, AliasRow.text, AliasRow.kind, AliasRow.source,
                       AliasRow.normalized, AliasRow.keys, AliasRow.flat, AliasRow.acronym, AliasRow.script)
                .join(AliasRow, AliasRow.entity_id == EntityRow.id)
            ).all())
    finally:
        engine.dispose()
    have_tuples = {tuple(r) for r in have}
    return sorted([f"missing from the store: {r}" for r in want - have_tuples] +
                  [f"not in the source: {r}" for r in have_tuples - want])
