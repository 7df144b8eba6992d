"""The writes of one sync, a chunk of records at a time: add new records, bring changed ones up to
date, remove dropped ones (see :mod:`resolver.sources.sync` for the rules they follow).

Every step reads what it needs for the whole chunk in a few queries and writes set-at-a-time
(through :mod:`resolver.store.bulk` and the store's bulk methods), so the number of statements
grows with the number of chunks, not of records: on PostgreSQL a statement is a round trip.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from resolver.errors import ImportFailed
from resolver.sources.record import SourceRecord, entity_id_for
from resolver.store import bulk, postings
from resolver.store.derive import Derived
from resolver.store.models import AliasRow, Base, EntityRow, SourceAliasRow, SourceRecordRow
from resolver.store.store import AliasStore
from resolver.store.text_rules import check_text

__all__ = ["Applier", "Changed"]

TABLES = Base.metadata.tables
Changed = tuple[SourceRecord, str, str]
"""(the record as the source states it now, its digest, the entity it became last time)"""
_MAX_HOPS = 50


class Applier:
    """Writes one source's records into the store in the caller's transaction, counting in ``counts``."""

    def __init__(self, store: AliasStore, session: Session, name: str, generation: int, file_name: str,
                 now: datetime) -> None:
        self.store, self.session, self.name, self.g, self.file, self.now = (
            store, session, name, generation, file_name, now)
        self.actor = f"source:{name}"
        self.counts: dict[str, int] = defaultdict(int)
        #: the derived columns of this chunk's alias texts, computed ahead by the sync's key worker
        self.derived: Mapping[str, Derived] = {}

    def _follow(self, entity_ids: Iterable[str]) -> dict[str, tuple[str, bool]]:
        """For each id: (the id now standing for it, whether that is itself); ids that are gone are left out."""
        out: dict[str, tuple[str, bool]] = {}
        current = {e: e for e in entity_ids}
        for _ in range(_MAX_HOPS):
            if not current:
                break
            rows = dict(self.session.execute(select(EntityRow.id, EntityRow.redirect_to).where(
                EntityRow.id.in_(set(current.values())))).all())
            following: dict[str, str] = {}
            for start, at in current.items():
                if at not in rows:
                    continue
                target = rows[at]
                if target is None:
                    out[start] = (at, at == start)
                else:
                    following[start] = target
            current = following
        return out

    def _alias_rows(self, aliases: Sequence[tuple[str, str, str, str]], new_entities: Iterable[str] = ()) -> int:
        """Insert (entity_id, text, kind, record_id) through the store and record their ownership."""
        ids = self.store.insert_aliases(
            self.session, [(e, t, k, self.name, f"record {r}") for e, t, k, r in aliases], now=self.now,
            new_entities=new_entities, derived=self.derived)
        bulk.insert_rows(self.session.connection(), TABLES["source_alias"], [
            {"alias_id": ids[(e, t)], "source": self.name, "record_id": r} for e, t, _k, r in aliases])
        return len(ids)

    def add(self, records: Sequence[SourceRecord], digests: dict[str, str]) -> None:
        if not records:
            return
        ids = {r.record_id: entity_id_for(self.name, r.record_id) for r in records}
        conn = self.session.connection()
        taken = set(conn.execute(select(EntityRow.id).where(bulk.among(conn, EntityRow.id, "ids")),
                                 {"ids": list(ids.values())}).scalars())
        for r in records:
            if ids[r.record_id] in taken:
                raise ImportFailed(f"entity id {ids[r.record_id]!r} of record {r.record_id!r} is already taken by an "
                                   "entity this source did not write", source=self.file, line=r.number)
        self.store.insert_entities(self.session, [
            {"id": ids[r.record_id], "name": r.name, "type": r.type, "description": r.description,
             "external_ids": dict(r.external_ids), "redirect_to": None, "created_at": self.now,
             "updated_at": self.now} for r in records])
        self.counts["aliases_added"] += self._alias_rows(
            [(ids[r.record_id], t, k, r.record_id) for r in records for t, k in r.aliases], ids.values())
        data = [r.data() for r in records]
        bulk.insert_rows(self.session.connection(), TABLES["source_record"], [
            {"source": self.name, "record_id": r.record_id, "entity_id": ids[r.record_id],
             "digest": digests[r.record_id], "data": d, "generation": self.g}
            for r, d in zip(records, data, strict=True)])
        self.store.record_many(self.session, self.actor, [
            ("create", ids[r.record_id], None, {"record": r.record_id, **d})
            for r, d in zip(records, data, strict=True)], now=self.now)
        self.counts["added"] += len(records)

    def change(self, changed: Sequence[Changed]) -> None:
        """Bring each record's entity and owned aliases up to the source's new statement."""
        if not changed:
            return
        records = [r.record_id for r, _, _ in changed]
        olds: dict[str, dict[str, Any]] = {rid: d or {} for rid, d in self.session.execute(
            select(SourceRecordRow.record_id, SourceRecordRow.data).where(
                SourceRecordRow.source == self.name, SourceRecordRow.record_id.in_(records)))}
        followed = self._follow({e for _, _, e in changed})
        # deleted when the source dropped it: it comes back under the same id
        revived = [(r, d) for r, d, e in changed if e not in followed]
        if revived:
            self.session.execute(delete(SourceRecordRow).where(
                SourceRecordRow.source == self.name, SourceRecordRow.record_id.in_([r.record_id for r, _ in revived])))
            self.add([r for r, _ in revived], {r.record_id: d for r, d in revived})
            self.counts["added"] -= len(revived)
            self.counts["updated"] += len(revived)
        live = [(r, d, followed[e]) for r, d, e in changed if e in followed]
        if not live:
            return
        notes = {r.record_id: ({"record": r.record_id}, {"record": r.record_id}) for r, _, _ in live}
        self._update_entities([(r, target) for r, _, (target, own) in live if own], olds, notes)
        self._update_aliases([(r, target) for r, _, (target, _own) in live], olds, notes)
        conn = self.session.connection()
        bulk.update_rows(conn, TABLES["source_record"], ["source", "record_id"], [
            {"source": self.name, "record_id": r.record_id, "digest": d, "data": r.data(), "generation": self.g}
            for r, d, _ in live])
        self.store.record_many(self.session, self.actor, [
            ("update", target, *notes[r.record_id]) for r, _, (target, _own) in live], now=self.now)
        self.counts["updated"] += len(live)

    def _update_entities(self, owned: Sequence[tuple[SourceRecord, str]], olds: dict[str, dict[str, Any]],
                         notes: dict[str, tuple[dict[str, Any], dict[str, Any]]]) -> None:
        """A record's own entity follows the record, except for the fields a curator changed since."""
        if not owned:
            return
        current = {row[0]: row[1:] for row in self.session.execute(
            select(EntityRow.id, EntityRow.name, EntityRow.type, EntityRow.description, EntityRow.external_ids)
            .where(EntityRow.id.in_([t for _, t in owned])))}
        updates = []
        for r, target in owned:
            name, type, description, ids_now = current[target]
            ids_now = dict(ids_now or {})
            old, (before, after) = olds.get(r.record_id, {}), notes[r.record_id]
            row = {"id": target, "name": name, "type": type, "description": description, "external_ids": ids_now}
            for column, value in (("name", r.name), ("type", r.type), ("description", r.description)):
                # a field a curator changed since the last sync is theirs now
                if value != row[column] and (not old or row[column] == old.get(column)):
                    before[column], after[column], row[column] = row[column], value, value
            old_ids = old.get("external_ids", {})
            ids = {k: v for k, v in ids_now.items() if k not in old_ids} | r.external_ids
            if ids != ids_now:
                before["external_ids"], after["external_ids"], row["external_ids"] = ids_now, ids, ids
            if len(after) > 1:
                check_text(row["name"], f"the name of {target!r}")
                updates.append(row | {"updated_at": self.now})
            if "type" in after:  # its keys now count among (or no longer among) the people's
                postings.retype(self.session.connection(), target, type == "person", r.type == "person")
        bulk.update_rows(self.session.connection(), TABLES["entity"], ["id"], updates)

    def _update_aliases(self, live: Sequence[tuple[SourceRecord, str]], olds: dict[str, dict[str, Any]],
                        notes: dict[str, tuple[dict[str, Any], dict[str, Any]]]) -> None:
        """Remove the owned aliases a record no longer states; add what it newly states (a curator's removal stands)."""
        owned: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
        for alias_id, text, kind, record_id in self.session.execute(
                select(AliasRow.id, AliasRow.text, AliasRow.kind, SourceAliasRow.record_id)
                .join(SourceAliasRow, SourceAliasRow.alias_id == AliasRow.id)
                .where(SourceAliasRow.source == self.name,
                       SourceAliasRow.record_id.in_([r.record_id for r, _ in live]))):
            owned[record_id].append((alias_id, text, kind))
        gone_ids: list[int] = []
        wanted: list[tuple[SourceRecord, str, list[tuple[str, str]]]] = []
        for r, target in live:
            new, mine = dict(r.aliases), owned.get(r.record_id, [])
            gone = [(i, t) for i, t, k in mine if new.get(t) != k]
            if gone:
                gone_ids.extend(i for i, _ in gone)
                notes[r.record_id][0]["aliases_removed"] = [t for _, t in gone]
            kept = {t for _, t, k in mine if new.get(t) == k}
            stated_before = {t: k for t, k in olds.get(r.record_id, {}).get("aliases", [])}
            want = [(t, k) for t, k in r.aliases if t not in kept and stated_before.get(t) != k]
            if want:
                wanted.append((r, target, want))
        self.store.delete_aliases(self.session, gone_ids)
        self.counts["aliases_removed"] += len(gone_ids)
        if not wanted:
            return
        present: set[tuple[str, str]] = {(e, t) for e, t in self.session.execute(
            select(AliasRow.entity_id, AliasRow.text).where(AliasRow.entity_id.in_({t for _, t, _ in wanted})))}
        rows: list[tuple[str, str, str, str]] = []
        for r, target, want in wanted:
            mine_now = [(target, t, k, r.record_id) for t, k in want if (target, t) not in present]
            present.update((target, t) for _, t, _, _ in mine_now)
            if mine_now:
                rows.extend(mine_now)
                notes[r.record_id][1]["aliases_added"] = [t for _, t, _, _ in mine_now]
        if rows:
            self.counts["aliases_added"] += self._alias_rows(rows)

    def remove(self, rows: Sequence[tuple[str, str, dict[str, Any] | None]]) -> None:
        """Remove records the source no longer lists: their aliases, and their entity when nothing holds it."""
        records = [r for r, _, _ in rows]
        alias_ids = list(self.session.execute(select(SourceAliasRow.alias_id).where(
            SourceAliasRow.source == self.name, SourceAliasRow.record_id.in_(records))).scalars())
        self.store.delete_aliases(self.session, alias_ids)
        self.counts["aliases_removed"] += len(alias_ids)
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
        bulk.update_rows(self.session.connection(), TABLES["source_record"], ["source", "record_id"], [
            {"source": self.name, "record_id": r, "digest": "", "data": None} for r in tomb])
        self.store.record_many(self.session, self.actor, [
            ("remove", e, {"record": r, **(data or {})}, None if e not in still else {"kept": True})
            for r, e, data in rows], now=self.now)
        self.counts["removed"] += len(rows)
        self.counts["kept_entities"] += len(tomb)
