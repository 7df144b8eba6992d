"""The candidate index as tables, written in the same transaction as the aliases it derives from.

Three tables (see :mod:`resolver.store.models`): ``ix_token`` (each token key with its document
frequency by entity, ``df``, how many of those entities are people, ``people``, and its postings
count, ``n``), ``ix_posting`` (token, alias length,
alias), and ``ix_near`` (the deletion neighbourhood of each token's loose skeleton, written when
the key first appears).  Every store write that adds, removes or moves aliases calls the
functions here on its own connection, so the index is current by construction in every process
and on every host that uses the store, and opening a store builds nothing.

Only single-token keys are indexed: joined adjacent tokens ("Gholam Reza" -> "Gholamreza") are
looked up at query time (see :mod:`resolver.matching.index`), which keeps the vocabulary small.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from typing import Any, cast

from sqlalchemy import Connection, Integer, String, Table, delete, func, select, update

from resolver.matching.skeletons import coarse, loose
from resolver.matching.words import FUNCTION_WORDS, LEGAL_FORMS
from resolver.store import bulk
from resolver.store.dbapi import Raw
from resolver.store.models import AliasRow, EntityRow, MetaRow, NearRow, PostingRow, TokenRow

__all__ = [
    "IndexWriter",
    "Posted",
    "add_entity_count",
    "add_people_count",
    "count_people",
    "deletions",
    "entity_keys",
    "index_aliases",
    "is_acronym_only",
    "posted_keys",
    "reindex",
    "retype",
    "unindex_aliases",
    "word_key",
]

_CHUNK = 500
_TOKEN = cast(Table, TokenRow.__table__)
_POSTING = cast(Table, PostingRow.__table__)
_NEAR = cast(Table, NearRow.__table__)
_META = cast(Table, MetaRow.__table__)

Posted = tuple[int, str, str, str, str | None]
"""(alias id, entity id, normalized, keys, acronym): what an alias contributes to the index."""


def is_acronym_only(acronym: str | None, token_count: int) -> bool:
    """A 2-4 letter all-caps acronym: matched exactly, case-sensitively, never through tokens."""
    return acronym is not None and sum(c.isalpha() for c in acronym) <= 4 and token_count <= 1


#: a word key starts with this (never a coarse key's first character: those are capitals and digits)
WORD_KEY_PREFIX = "="
#: a word whose coarse key has at most this many letters is posted under the word itself too
SHORT_KEY = 2


def word_key(text: str, coarse_key: str) -> str | None:
    """The key a word is posted under besides its coarse key, or None: the word as written, when
    its coarse key is so short that many unrelated words share it ("Lia", "Li", "Lee" and "Ella"
    are all L; "Saal", "Sala" and "Sol" are SL; "Taba" and "Tobe" TB).  Such a key's postings
    list is long, and it weighs as a common word; the word itself is often rare.  Not a legal
    form or joining word ("Co", "de"), never what a name is found by."""
    if len(coarse_key) > SHORT_KEY or text.isdigit() or text in FUNCTION_WORDS or text in LEGAL_FORMS:
        return None
    return WORD_KEY_PREFIX + text


def posted_keys(normalized: str, keys: str, acronym: str | None) -> list[str]:
    """The distinct token keys an alias is posted under, in name order (none for an acronym): each
    word's coarse key and, for a word with a short coarse key, the word itself (:func:`word_key`)."""
    if not normalized:
        return []
    texts, fine = normalized.split(" "), keys.split(" ")
    if len(texts) != len(fine) or is_acronym_only(acronym, len(fine)):
        return []
    out: list[str] = []
    for text, k in zip(texts, fine, strict=True):
        c = coarse(k)
        if c and c not in out:
            out.append(c)
        if c and (w := word_key(text, c)) is not None and w not in out:
            out.append(w)
    return out


def _near_variants(key: str) -> set[str]:
    """The near-key neighbourhood a new key is written with: none for a word key (near keys are
    looked up by coarse skeleton only)."""
    return set() if key.startswith(WORD_KEY_PREFIX) else deletions(loose(key))


def _size(keys: str) -> int:
    return len(keys.split(" ")) if keys else 0


def deletions(key: str) -> set[str]:
    """The key and, from three letters on, every form of it with one letter deleted."""
    out = {key}
    if len(key) >= 3:
        out.update(key[:i] + key[i + 1 :] for i in range(len(key)))
    return out


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _insert_ignore(conn: Connection, table: Any, rows: list[dict[str, Any]], index: list[str]) -> None:
    """INSERT ... ON CONFLICT DO NOTHING (SQLite and PostgreSQL): a concurrent writer may add the same key."""
    bulk.insert_ignore(conn, table, rows, index)


def _token_ids(conn: Connection, keys: Iterable[str]) -> dict[str, int]:
    wanted = sorted(set(keys))
    found: dict[str, int] = {}
    stmt = select(TokenRow.key, TokenRow.id).where(bulk.among(conn, TokenRow.key, "keys"))
    for chunk in _chunks(wanted):
        found.update((k, i) for k, i in conn.execute(stmt, {"keys": list(chunk)}))
    return found


Counts = tuple[int, int, int]
"""(df, n, people) of a token key, or a change of them."""


def _create_tokens(conn: Connection, counts: dict[str, Counts]) -> dict[str, int]:
    """Ids of the keys, creating the missing ones (with their near keys) at the given (df, n, people)."""
    ids = _token_ids(conn, counts)
    missing = [k for k in counts if k not in ids]
    if missing:
        _insert_ignore(conn, _TOKEN, [{"key": k, "loose": loose(k), "df": 0, "n": 0, "people": 0} for k in missing],
                       ["key"])
        new = _token_ids(conn, missing)
        ids.update(new)
        _insert_ignore(conn, _NEAR, [{"variant": v, "token_id": new[k]} for k in missing
                                     for v in sorted(_near_variants(k))], ["variant", "token_id"])
    _adjust(conn, {ids[k]: c for k, c in counts.items() if c != (0, 0, 0)})
    return ids


def _adjust(conn: Connection, deltas: dict[int, Counts]) -> None:
    bulk.add_to_columns(conn, _TOKEN, "id", [{"id": t, "df": d, "n": n, "people": p}
                                              for t, (d, n, p) in sorted(deltas.items())])


def _people(conn: Connection, entity_ids: Iterable[str]) -> set[str]:
    """Which of these entities are people (as the entity table says now, in this transaction)."""
    found: set[str] = set()
    # by id only, the type read back: a condition on the type lets PostgreSQL plan a scan of every
    # person through the type index (its statistics are stale in the middle of a long import)
    stmt = select(EntityRow.id, EntityRow.type).where(bulk.among(conn, EntityRow.id, "ids"))
    for chunk in _chunks(sorted(set(entity_ids))):
        found.update(i for i, t in conn.execute(stmt, {"ids": list(chunk)}) if t == "person")
    return found


def entity_keys(conn: Connection, entity_ids: Iterable[str], *, skip: Iterable[int] = ()) -> dict[str, set[str]]:
    """The token keys each entity's aliases are posted under (``skip``: alias ids to leave out)."""
    out: dict[str, set[str]] = {e: set() for e in entity_ids}
    left_out = set(skip)
    stmt = (select(AliasRow.id, AliasRow.entity_id, AliasRow.normalized, AliasRow.keys, AliasRow.acronym)
            .where(bulk.among(conn, AliasRow.entity_id, "ids")))
    for chunk in _chunks(sorted(out)):
        for alias_id, entity_id, normalized, keys, acronym in conn.execute(stmt, {"ids": list(chunk)}):
            if alias_id not in left_out:
                out[entity_id].update(posted_keys(normalized, keys, acronym))
    return out


def index_aliases(conn: Connection, aliases: Sequence[Posted], before: dict[str, set[str]]) -> None:
    """Post new aliases; ``before`` holds the keys their entities had without them (see :func:`entity_keys`)."""
    writer = IndexWriter(conn)
    writer.post(aliases, before)
    writer.finish()


class IndexWriter:
    """Posts aliases batch after batch inside one transaction; the token counts go in once, at :meth:`finish`.

    What a bulk import uses (and a single write too): the postings of a batch go in one
    ``executemany``, in index order; new keys are created with their near keys as they appear; the
    token ids met so far and the count changes are kept here (bounded by the vocabulary, not by
    the number of aliases), so a common token's row is updated once per import, not once per batch.
    """

    def __init__(self, conn: Connection) -> None:
        self._sql = Raw(conn)
        self._ids: dict[str, int] = {}
        self._deltas: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])  # df, n, people

    def post(self, aliases: Sequence[Posted], before: Mapping[str, set[str]],
             people: Collection[str] | None = None) -> None:
        """Post ``aliases`` (already in the alias table).

        Args:
            before: the keys their entities held before them, for each entity that held any
                (see :func:`entity_keys`).
            people: which of their entities are people (read from the entity table when not given).
        """
        per_alias = [(a, e, posted_keys(n, k, c), _size(k)) for a, e, n, k, c in aliases]
        ids = self._ensure([k for _a, _e, keys, _s in per_alias for k in keys])
        held: dict[str, set[str]] = defaultdict(set)
        rows: list[tuple[int, int, int]] = []
        for alias_id, entity_id, keys, size in per_alias:
            held[entity_id].update(keys)
            for k in keys:
                rows.append((ids[k], size, alias_id))
                self._deltas[ids[k]][1] += 1
        if people is None:
            people = _people(self._sql.conn, held)
        for entity_id, gained in held.items():
            person = entity_id in people
            for k in gained - before.get(entity_id, set()):
                delta = self._deltas[ids[k]]
                delta[0] += 1
                delta[2] += person
        rows.sort()  # the primary key's order: each page of the postings is visited once per batch
        self._sql.insert("ix_posting", ("token_id", "size", "alias_id"), rows)

    def finish(self) -> None:
        """Write the entity, postings and people counts changed since the last call."""
        bulk.add_to_columns(self._sql.conn, _TOKEN, "id", [
            {"id": t, "df": df, "n": n, "people": p} for t, (df, n, p) in sorted(self._deltas.items())
            if (df, n, p) != (0, 0, 0)])
        self._deltas.clear()

    def _ensure(self, keys: Sequence[str]) -> dict[str, int]:
        """The ids of ``keys``, creating the missing ones (in the order given) with their near keys."""
        unknown = list(dict.fromkeys(k for k in keys if k not in self._ids))
        if unknown:
            select_ids = "SELECT key, id FROM ix_token WHERE key IN (?*)"
            self._ids.update(self._sql.rows_in(select_ids, unknown))
            missing = [k for k in unknown if k not in self._ids]
            if missing:
                bulk.insert_ignore(self._sql.conn, _TOKEN, [{"key": k, "loose": loose(k), "df": 0, "n": 0, "people": 0}
                                                             for k in missing], ["key"])
                created = dict(self._sql.rows_in(select_ids, missing))
                self._ids.update(created)
                near = sorted({(v, created[k]) for k in missing for v in _near_variants(k)})
                bulk.insert_ignore(self._sql.conn, _NEAR, [{"variant": v, "token_id": t} for v, t in near],
                                   ["variant", "token_id"])
        return self._ids


def unindex_aliases(conn: Connection, aliases: Sequence[Posted]) -> None:
    """Remove the postings of aliases that are being deleted (their df is fixed by :func:`adjust_df`)."""
    per_alias = [(a, posted_keys(n, k, c), _size(k)) for a, _e, n, k, c in aliases]
    ids = _token_ids(conn, {k for _, keys, _ in per_alias for k in keys})
    lost: Counter[int] = Counter()
    rows = []
    for a, keys, size in per_alias:
        for k in keys:
            rows.append({"token_id": ids[k], "size": size, "alias_id": a})
            lost[ids[k]] += 1
    bulk.delete_rows(conn, _POSTING, rows)
    _adjust(conn, {t: (0, -m, 0) for t, m in lost.items()})


def adjust_df(conn: Connection, before: dict[str, set[str]], after: dict[str, set[str]]) -> None:
    """Fix the entity counts of the keys whose set of entities changed (after a removal or merge)."""
    delta: Counter[str] = Counter()
    delta_people: Counter[str] = Counter()
    people = _people(conn, set(before) | set(after))
    for entity_id in set(before) | set(after):
        old, new = before.get(entity_id, set()), after.get(entity_id, set())
        for counter in (delta, delta_people) if entity_id in people else (delta,):
            counter.update(dict.fromkeys(new - old, 1))
            counter.subtract(dict.fromkeys(old - new, 1))
    changed = {k: (d, delta_people[k]) for k, d in delta.items() if d or delta_people[k]}
    if changed:
        ids = _token_ids(conn, changed)
        _adjust(conn, {ids[k]: (d, 0, p) for k, (d, p) in changed.items() if k in ids})


def retype(conn: Connection, entity_id: str, was_person: bool, is_person: bool) -> None:
    """An entity's type changed: its keys now count among (or no longer among) the people's, and a
    live entity among (or no longer among) the store's people (``people_count``)."""
    if was_person == is_person:
        return
    step = 1 if is_person else -1
    keys = entity_keys(conn, [entity_id])[entity_id]
    if keys:
        ids = _token_ids(conn, keys)
        _adjust(conn, {ids[k]: (0, 0, step) for k in keys if k in ids})
    live = conn.execute(select(EntityRow.id).where(EntityRow.id == entity_id, EntityRow.redirect_to.is_(None)))
    if live.first() is not None:
        add_people_count(conn, step)


def add_entity_count(conn: Connection, delta: int) -> None:
    """Keep the count of live entities (the N of the IDF) in the meta table."""
    _add_meta(conn, "entity_count", delta)


def add_people_count(conn: Connection, delta: int) -> None:
    """Keep the count of live entities of type person in the meta table (beside ``entity_count``:
    the store's share of people, which the judge reads above its population)."""
    _add_meta(conn, "people_count", delta)


def _add_meta(conn: Connection, key: str, delta: int) -> None:
    if delta:  # an int, never a bool: PostgreSQL has no integer + boolean
        conn.execute(update(MetaRow).where(MetaRow.key == key)
                     .values(value=func.cast(func.cast(MetaRow.value, Integer) + int(delta), String)))


def count_people(conn: Connection) -> None:
    """Write the count of live people (``people_count``) from the entity table: a new store's, a
    migrated one's, a rebuilt index's."""
    people = conn.execute(select(func.count()).select_from(EntityRow)
                          .where(EntityRow.redirect_to.is_(None), EntityRow.type == "person")).scalar()
    _set_meta(conn, "people_count", people or 0)


def _set_meta(conn: Connection, key: str, value: int) -> None:
    conn.execute(delete(MetaRow).where(MetaRow.key == key))
    conn.execute(_META.insert(), {"key": key, "value": str(value)})


def reindex(conn: Connection) -> None:
    """Rebuild every index table from the aliases (a migration, or keys from another normaliser)."""
    for table in (_POSTING, _NEAR, _TOKEN):
        conn.execute(delete(table))
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    current: str | None = None
    person = False
    keys_of_entity: set[str] = set()

    def count_entity() -> None:
        for k in keys_of_entity:
            counts[k][0] += 1
            counts[k][2] += person

    stmt = (select(AliasRow.entity_id, EntityRow.type, AliasRow.normalized, AliasRow.keys, AliasRow.acronym)
            .join(EntityRow, EntityRow.id == AliasRow.entity_id).order_by(AliasRow.entity_id))
    for entity_id, type_, normalized, keys, acronym in conn.execute(stmt):
        if entity_id != current:
            count_entity()
            current, person, keys_of_entity = entity_id, type_ == "person", set()
        for k in posted_keys(normalized, keys, acronym):
            counts[k][1] += 1
            keys_of_entity.add(k)
    count_entity()
    ids = _create_tokens(conn, {k: (df, n, p) for k, (df, n, p) in counts.items()})
    rows: list[dict[str, int]] = []
    stmt2 = select(AliasRow.id, AliasRow.normalized, AliasRow.keys, AliasRow.acronym)
    for alias_id, normalized, keys, acronym in conn.execute(stmt2):
        size = _size(keys)
        rows.extend({"token_id": ids[k], "size": size, "alias_id": alias_id}
                    for k in posted_keys(normalized, keys, acronym))
        if len(rows) >= 20000:
            conn.execute(_POSTING.insert(), rows)
            rows = []
    if rows:
        conn.execute(_POSTING.insert(), rows)
    live = conn.execute(select(func.count()).select_from(EntityRow).where(EntityRow.redirect_to.is_(None))).scalar()
    _set_meta(conn, "entity_count", live or 0)
    count_people(conn)
