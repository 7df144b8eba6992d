"""Apply one export of a named source to the store: add what is new, update what changed, remove
what the source dropped, in one transaction, recorded in the history as done by ``source:NAME``.

What a source wrote is remembered per record (``source_record``: the entity it became, a digest
and the mapped record) and per alias (``source_alias``).  A sync only ever removes aliases its own
source wrote, and only those the source itself stopped listing: curated aliases, other sources'
aliases and a curator's removal of a source alias are left alone.  An entity a curator merged
elsewhere keeps receiving its source's aliases at the survivor; its name, type, description and
ids are then the curator's and are not touched.  A dropped record's entity is deleted only when
nothing else holds on to it (no alias left, nothing merged into or out of it); otherwise it stays,
with the curator's aliases, and its record is kept as a tombstone so a later export can revive it.

Memory stays flat: records are read, compared and written a chunk at a time.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from resolver.errors import ImportFailed, InvalidQuery
from resolver.sources.record import SourceRecord, check_source_name, entity_id_for
from resolver.store import postings
from resolver.store.models import AliasRow, Base, EntityRow, SourceAliasRow, SourceRecordRow, SourceRow
from resolver.store.store import AliasStore
from resolver.store.text_rules import check_text

__all__ = ["SyncReport", "list_sources", "sync_source"]

CHUNK = 2000
#: Core tables: bulk inserts through them skip the ORM's per-row bookkeeping
TABLES = Base.metadata.tables


@dataclass(slots=True)
class SyncReport:
    """What one sync did, by record, and the aliases it wrote and removed."""

    source: str
    format: str
    records: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    aliases_added: int = 0
    aliases_removed: int = 0
    kept_entities: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__}

    def summary(self) -> str:
        line = (f"{self.source}: {self.records:,} records: {self.added:,} added, {self.updated:,} updated, "
                f"{self.removed:,} removed, {self.unchanged:,} unchanged; {self.aliases_added:,} aliases added, "
                f"{self.aliases_removed:,} removed ({self.seconds:.1f} s)")
        if self.kept_entities:
            line += f"; {self.kept_entities} dropped entities kept for their curated aliases"
        if self.skipped:
            line += "\nskipped: " + ", ".join(f"{k} {v:,}" for k, v in sorted(self.skipped.items()))
        return line


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _chunks(records: Iterable[SourceRecord], size: int) -> Iterator[list[SourceRecord]]:
    it = iter(records)
    while chunk := list(islice(it, size)):
        yield chunk


class _Sync:
    def __init__(self, store: AliasStore, session: Session, report: SyncReport, generation: int,
                 source_file: str) -> None:
        self.store, self.session, self.report, self.g = store, session, report, generation
        self.name = report.source
        self.actor = f"source:{self.name}"
        self.file = source_file
        self.now = _now()

    def _follow(self, entity_id: str) -> tuple[str, bool] | None:
        """(the id now standing for ``entity_id``, whether that is itself), or None if it is gone."""
        current, hops = entity_id, 0
        while hops < 50:
            row = self.session.execute(select(EntityRow.redirect_to).where(EntityRow.id == current)).first()
            if row is None:
                return None
            if row[0] is None:
                return current, current == entity_id
            current, hops = row[0], hops + 1
        return None

    def _alias_rows(self, aliases: Sequence[tuple[str, str, str, str]], new_entities: Iterable[str] = ()) -> int:
        """Insert (entity_id, text, kind, record_id) through the store and record their ownership."""
        ids = self.store.insert_aliases(
            self.session, [(e, t, k, self.name, f"record {r}") for e, t, k, r in aliases], now=self.now,
            new_entities=new_entities)
        if ids:
            self.session.execute(insert(TABLES["source_alias"]), [
                {"alias_id": ids[(e, t)], "source": self.name, "record_id": r} for e, t, _k, r in aliases])
        return len(ids)

    def add(self, records: Sequence[SourceRecord], digests: dict[str, str]) -> None:
        if not records:
            return
        ids = {r.record_id: entity_id_for(self.name, r.record_id) for r in records}
        taken = set(self.session.execute(select(EntityRow.id).where(EntityRow.id.in_(ids.values()))).scalars())
        for r in records:
            if ids[r.record_id] in taken:
                raise ImportFailed(f"entity id {ids[r.record_id]!r} of record {r.record_id!r} is already taken by an "
                                   "entity this source did not write", source=self.file, line=r.number)
        self.store.insert_entities(self.session, [
            {"id": ids[r.record_id], "name": r.name, "type": r.type, "description": r.description,
             "external_ids": dict(r.external_ids), "redirect_to": None, "created_at": self.now,
             "updated_at": self.now} for r in records])
        self.report.aliases_added += self._alias_rows(
            [(ids[r.record_id], t, k, r.record_id) for r in records for t, k in r.aliases], ids.values())
        data = [r.data() for r in records]
        self.session.execute(insert(TABLES["source_record"]), [
            {"source": self.name, "record_id": r.record_id, "entity_id": ids[r.record_id],
             "digest": digests[r.record_id], "data": d, "generation": self.g}
            for r, d in zip(records, data, strict=True)])
        self.store.record_many(self.session, self.actor, [
            ("create", ids[r.record_id], None, {"record": r.record_id, **d})
            for r, d in zip(records, data, strict=True)], now=self.now)
        self.report.added += len(records)

    def change(self, r: SourceRecord, digest: str, entity_id: str) -> None:
        """Bring one record's entity and owned aliases up to the source's new statement."""
        old: dict[str, Any] | None = self.session.execute(select(SourceRecordRow.data).where(
            SourceRecordRow.source == self.name, SourceRecordRow.record_id == r.record_id)).scalar_one()
        followed = self._follow(entity_id)
        if followed is None:  # deleted when the source dropped it: it comes back under the same id
            self.session.execute(delete(SourceRecordRow).where(SourceRecordRow.source == self.name,
                                                               SourceRecordRow.record_id == r.record_id))
            self.add([r], {r.record_id: digest})
            self.report.added -= 1
            self.report.updated += 1
            return
        target, own = followed
        old = old or {}
        before: dict[str, Any] = {"record": r.record_id}
        after: dict[str, Any] = {"record": r.record_id}
        if own:
            current = self.session.execute(
                select(EntityRow.name, EntityRow.type, EntityRow.description, EntityRow.external_ids)
                .where(EntityRow.id == target)).one()
            values: dict[str, Any] = {}
            for column, value, now_value in (("name", r.name, current[0]), ("type", r.type, current[1]),
                                             ("description", r.description, current[2])):
                # a field a curator changed since the last sync is theirs now
                if value != now_value and (not old or now_value == old.get(column)):
                    values[column], before[column], after[column] = value, now_value, value
            old_ids = old.get("external_ids", {})
            ids = {k: v for k, v in dict(current[3] or {}).items() if k not in old_ids} | r.external_ids
            if ids != dict(current[3] or {}):
                values["external_ids"], before["external_ids"], after["external_ids"] = ids, current[3], ids
            if "name" in values:
                check_text(values["name"], f"the name of {target!r}")
            if "type" in values:
                postings.retype(self.session.connection(), target, current[1] == "person", values["type"] == "person")
            if values:
                self.session.execute(update(EntityRow).where(EntityRow.id == target)
                                     .values(**values, updated_at=self.now))
        owned = self.session.execute(
            select(AliasRow.id, AliasRow.text, AliasRow.kind)
            .join(SourceAliasRow, SourceAliasRow.alias_id == AliasRow.id)
            .where(SourceAliasRow.source == self.name, SourceAliasRow.record_id == r.record_id)).all()
        new = dict(r.aliases)
        stated_before = {t: k for t, k in old.get("aliases", [])}
        gone = [(i, t) for i, t, k in owned if new.get(t) != k]
        if gone:
            self.store.delete_aliases(self.session, [i for i, _ in gone])
            before["aliases_removed"] = [t for _, t in gone]
            self.report.aliases_removed += len(gone)
        kept = {t for i, t, k in owned if new.get(t) == k}
        # only what the source newly states (or re-kinds) is added: a curator's removal stands
        wanted = [(t, k) for t, k in r.aliases if t not in kept and stated_before.get(t) != k]
        if wanted:
            present = set(self.session.execute(select(AliasRow.text).where(
                AliasRow.entity_id == target, AliasRow.text.in_([t for t, _ in wanted]))).scalars())
            rows = [(target, t, k, r.record_id) for t, k in wanted if t not in present]
            if rows:
                self.report.aliases_added += self._alias_rows(rows)
                after["aliases_added"] = [t for _, t, _, _ in rows]
        self.session.execute(update(SourceRecordRow).where(
            SourceRecordRow.source == self.name, SourceRecordRow.record_id == r.record_id
        ).values(digest=digest, data=r.data(), generation=self.g))
        self.store.record_many(self.session, self.actor, [("update", target, before, after)], now=self.now)
        self.report.updated += 1

    def remove(self, rows: Sequence[tuple[str, str, dict[str, Any] | None]]) -> None:
        """Remove records the source no longer lists: their aliases, and their entity when nothing holds it."""
        records = [r for r, _, _ in rows]
        alias_ids = list(self.session.execute(select(SourceAliasRow.alias_id).where(
            SourceAliasRow.source == self.name, SourceAliasRow.record_id.in_(records))).scalars())
        self.store.delete_aliases(self.session, alias_ids)
        self.report.aliases_removed += len(alias_ids)
        entity_ids = [e for _, e, _ in rows]
        still: set[str | None] = set(self.session.execute(
            select(AliasRow.entity_id).where(AliasRow.entity_id.in_(entity_ids))).scalars())
        still |= set(self.session.execute(select(EntityRow.redirect_to).where(
            EntityRow.redirect_to.in_(entity_ids))).scalars())
        still |= set(self.session.execute(select(EntityRow.id).where(
            EntityRow.id.in_(entity_ids), EntityRow.redirect_to.is_not(None))).scalars())
        doomed = [e for e in entity_ids if e not in still]
        tomb = [r for r, e, _ in rows if e in still]
        self.store.delete_entities(self.session, doomed)
        gone = [r for r, e, _ in rows if e not in still]
        self.session.execute(delete(SourceRecordRow).where(
            SourceRecordRow.source == self.name, SourceRecordRow.record_id.in_(gone)))
        if tomb:
            self.session.execute(update(SourceRecordRow).where(
                SourceRecordRow.source == self.name, SourceRecordRow.record_id.in_(tomb)
            ).values(digest="", data=None))
        self.store.record_many(self.session, self.actor, [
            ("remove", e, {"record": r, **(data or {})}, None if e not in still else {"kept": True})
            for r, e, data in rows], now=self.now)
        self.report.removed += len(rows)
        self.report.kept_entities += len(tomb)


def _check_texts(r: SourceRecord, file_name: str) -> None:
    """The store's rule on names (no control characters), said with the record's line."""
    try:
        check_text(r.name, "a name")
        for text, _ in r.aliases:
            check_text(text, "an alias")
    except InvalidQuery as exc:
        raise ImportFailed(exc.message, source=file_name, line=r.number) from exc


def sync_source(store: AliasStore, name: str, reader: Any, *, info: dict[str, Any] | None = None,
                chunk: int = CHUNK) -> SyncReport:
    """Make the store hold exactly what ``reader`` (an :class:`~resolver.sources.ftm.FtmReader` or
    :class:`~resolver.sources.ofac.OfacReader`) says for source ``name``, all or nothing.

    Raises:
        ImportFailed: a bad record (with its file and record number), a record id given twice, or a
            source of that name fed from another format; nothing is written.
    """
    check_source_name(name)
    started = time.perf_counter()
    report = SyncReport(name, reader.format)
    file = getattr(reader, "path", None) or getattr(reader, "sdn", None)
    file_name = file.name if file is not None else "<input>"
    with store.transaction() as session:
        src = session.execute(select(SourceRow.format, SourceRow.generation).where(SourceRow.name == name)).first()
        if src is not None and src[0] != reader.format:
            raise ImportFailed(f"source {name!r} was loaded from the {src[0]} format, not {reader.format}; "
                               "give this list another --source name", source=file_name)
        generation = (src[1] if src is not None else 0) + 1
        if src is None:
            session.execute(insert(SourceRow).values(name=name, format=reader.format, info={}, generation=0,
                                                     imported_at=_now()))
        sync = _Sync(store, session, report, generation, file_name)
        for batch in _chunks(reader, chunk):
            report.records += len(batch)
            existing = {rid: (e, d, g) for rid, e, d, g in session.execute(
                select(SourceRecordRow.record_id, SourceRecordRow.entity_id, SourceRecordRow.digest,
                       SourceRecordRow.generation)
                .where(SourceRecordRow.source == name,
                       SourceRecordRow.record_id.in_([r.record_id for r in batch])))}
            fresh: list[SourceRecord] = []
            digests = {r.record_id: r.digest() for r in batch}
            same: list[str] = []
            first: dict[str, int] = {}
            for r in batch:
                held = existing.get(r.record_id)
                if r.record_id in first or (held is not None and held[2] == generation):
                    raise ImportFailed(f"record id {r.record_id!r} appears twice", source=file_name, line=r.number)
                _check_texts(r, file_name)
                first[r.record_id] = r.number
                if held is None:
                    fresh.append(r)
                elif held[1] == digests[r.record_id]:
                    same.append(r.record_id)
                else:
                    sync.change(r, digests[r.record_id], held[0])
            sync.add(fresh, digests)
            if same:
                session.execute(update(SourceRecordRow).where(
                    SourceRecordRow.source == name, SourceRecordRow.record_id.in_(same)).values(generation=generation))
                report.unchanged += len(same)
        while True:
            dropped = session.execute(
                select(SourceRecordRow.record_id, SourceRecordRow.entity_id, SourceRecordRow.data)
                .where(SourceRecordRow.source == name, SourceRecordRow.generation < generation,
                       SourceRecordRow.digest != "")
                .order_by(SourceRecordRow.record_id).limit(chunk)).all()
            if not dropped:
                break
            sync.remove([(r, e, d) for r, e, d in dropped])
        report.skipped = dict(Counter(getattr(reader, "skipped", {})))
        meta = {**(reader.info() if hasattr(reader, "info") else {}), **(info or {})}
        meta["counts"] = {k: getattr(report, k) for k in ("records", "added", "updated", "removed", "unchanged")}
        session.execute(update(SourceRow).where(SourceRow.name == name).values(
            generation=generation, info=meta, imported_at=_now()))
    report.seconds = time.perf_counter() - started
    return report


def list_sources(store: AliasStore) -> list[dict[str, Any]]:
    """Each source with its format, live record count, last import's info and time."""
    with store.transaction() as session:
        counts = dict(session.execute(select(SourceRecordRow.source, func.count()).where(
            SourceRecordRow.digest != "").group_by(SourceRecordRow.source)).all())
        rows = session.execute(select(SourceRow).order_by(SourceRow.name)).scalars().all()
        return [{"name": r.name, "format": r.format, "records": counts.get(r.name, 0), "info": dict(r.info or {}),
                 "imported_at": r.imported_at.isoformat(timespec="seconds") + "Z"} for r in rows]
