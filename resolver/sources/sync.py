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
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from sqlalchemy import Column, MetaData, String, Table, exists, func, insert, select, text, update
from sqlalchemy.orm import Session

from resolver.errors import ImportFailed, InvalidQuery
from resolver.results import Shape
from resolver.sources.apply import Applier, Changed
from resolver.sources.record import SourceRecord, check_source_name
from resolver.store import bulk
from resolver.store.derive import Derived, KeyPool, gc_paused
from resolver.store.models import SourceRecordRow, SourceRow
from resolver.store.store import AliasStore
from resolver.store.text_rules import check_text
from resolver.workers import check_stop

__all__ = ["SyncReport", "list_sources", "sync_source"]

CHUNK = 2000
#: a chunk with fewer alias texts than this has its keys computed here, not in the key worker
_KEY_BATCH = 500
_SEEN = "sync_seen"


@dataclass(slots=True)
class SyncReport(Shape):
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


def _check_texts(r: SourceRecord, file_name: str) -> None:
    """The store's rule on names (no control characters), said with the record's line."""
    try:
        check_text(r.name, "a name")
        for text, _ in r.aliases:
            check_text(text, "an alias")
    except InvalidQuery as exc:
        raise ImportFailed(exc.message, source=file_name, line=r.number) from exc


def _seen_table(session: Session) -> Table:
    """A temporary table of the record ids this sync has read (what is not in it was dropped); it
    goes with the transaction, committed or not."""
    table = Table(_SEEN, MetaData(), Column("record_id", String(200), primary_key=True), prefixes=["TEMPORARY"],
                  postgresql_on_commit="DROP")
    conn = session.connection()
    conn.execute(text(f"DROP TABLE IF EXISTS {_SEEN}"))
    table.create(conn)
    return table


def _dropped(session: Session, name: str, seen: Table, chunk: int) -> Iterator[list[tuple[str, str, Any]]]:
    """The records of the source this sync did not read, a chunk at a time, in record id order."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"ANALYZE {_SEEN}"))
    after = ""
    while True:
        rows = [tuple(r) for r in session.execute(
            select(SourceRecordRow.record_id, SourceRecordRow.entity_id, SourceRecordRow.data)
            .where(SourceRecordRow.source == name, SourceRecordRow.digest != "", SourceRecordRow.record_id > after,
                   ~exists().where(seen.c.record_id == SourceRecordRow.record_id))
            .order_by(SourceRecordRow.record_id).limit(chunk))]
        if not rows:
            return
        after = rows[-1][0]
        yield rows


Held = dict[str, tuple[str, str]]
"""record id -> (the entity it became, its digest), for the records of a chunk the store already holds"""


@dataclass(slots=True)
class _Chunk:
    records: list[SourceRecord]
    digests: dict[str, str]
    held: Held
    derived: dict[str, Derived] = field(default_factory=dict)


def _held(session: Session, name: str, ids: list[str]) -> Held:
    conn = session.connection()
    return {rid: (e, d) for rid, e, d in conn.execute(
        select(SourceRecordRow.record_id, SourceRecordRow.entity_id, SourceRecordRow.digest)
        .where(SourceRecordRow.source == name, bulk.among(conn, SourceRecordRow.record_id, "ids")),
        {"ids": ids})}


def _ahead(session: Session, name: str, batches: Iterable[list[SourceRecord]], keys: KeyPool) -> Iterator[_Chunk]:
    """Each chunk with its records' digests, what the store holds of them, and the derived columns
    of the alias texts of the records that are new or changed (an unchanged record writes nothing,
    so its keys are never computed), whose computation (in ``keys``'s worker) was started before
    the chunk before it was handed out: a key worker computes the next chunk's keys while this
    process writes the current one.  Reading a chunk's records ahead is safe: writing a chunk
    touches only its own records (a record id in two chunks is refused when the second is written)."""
    pending: deque[tuple[_Chunk, list[str], Future[list[Derived]]]] = deque()
    for batch in batches:
        digests = {r.record_id: r.digest() for r in batch}
        held = _held(session, name, list(digests))
        chunk = _Chunk(batch, digests, held)
        texts = list({t: None for r in batch if held.get(r.record_id, ("", ""))[1] != digests[r.record_id]
                      for t, _ in r.aliases})
        pending.append((chunk, texts, keys.submit(texts)))
        if len(pending) > max(keys.workers, 1):
            yield _ready(*pending.popleft())
    while pending:
        yield _ready(*pending.popleft())


def _ready(chunk: _Chunk, texts: list[str], derived: Future[list[Derived]]) -> _Chunk:
    try:
        chunk.derived = dict(zip(texts, derived.result(), strict=True))
    except Exception:  # a text the checks refuse, or a lost worker: computed (and refused) here
        chunk.derived = {}
    return chunk


def _apply_all(session: Session, file_name: str, chunks: Iterable[_Chunk], seen: Table, apply: Applier,
               report: SyncReport) -> None:
    """Check and write the records a chunk at a time: new ones added, changed ones brought up to date."""
    for chunk in chunks:
        check_stop()  # (a stop a finaliser swallowed: nothing is committed)
        apply.derived = chunk.derived
        batch, digests = chunk.records, chunk.digests
        report.records += len(batch)
        ids = [r.record_id for r in batch]
        conn = session.connection()
        twice = set(conn.execute(select(seen.c.record_id).where(bulk.among(conn, seen.c.record_id, "ids")),
                                 {"ids": ids}).scalars())
        fresh: list[SourceRecord] = []
        changed: list[Changed] = []
        first: dict[str, int] = {}
        for r in batch:
            if r.record_id in first or r.record_id in twice:
                raise ImportFailed(f"record id {r.record_id!r} appears twice", source=file_name, line=r.number)
            _check_texts(r, file_name)
            first[r.record_id] = r.number
            held = chunk.held.get(r.record_id)
            if held is None:
                fresh.append(r)
            elif held[1] == digests[r.record_id]:
                report.unchanged += 1
            else:
                changed.append((r, digests[r.record_id], held[0]))
        bulk.insert_rows(session.connection(), seen, [{"record_id": i} for i in ids])
        apply.change(changed)
        apply.add(fresh, digests)


def sync_source(store: AliasStore, name: str, reader: Any, *, info: dict[str, Any] | None = None,
                chunk: int = CHUNK, workers: int = 0) -> SyncReport:
    """Make the store hold exactly what ``reader`` (an :class:`~resolver.sources.ftm.FtmReader` or
    :class:`~resolver.sources.ofac.OfacReader`) says for source ``name``, all or nothing.

    ``workers`` processes compute the matching keys of the next chunks' aliases while this one
    writes (0: computed here); where they are computed never changes what is stored.

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
        seen = _seen_table(session)
        apply = Applier(store, session, name, generation, file_name, _now())
        with KeyPool(workers, batch=_KEY_BATCH) as keys, gc_paused():
            _apply_all(session, file_name, _ahead(session, name, _chunks(reader, chunk), keys), seen, apply, report)
        for dropped in _dropped(session, name, seen, chunk):
            apply.remove(dropped)
        check_stop()
        for key, value in apply.counts.items():
            setattr(report, key, getattr(report, key) + value)
        session.execute(text(f"DROP TABLE {_SEEN}"))
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
