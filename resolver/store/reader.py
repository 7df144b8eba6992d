"""Read-only queries over the index tables and aliases, in batches, for one lookup at a time.

:class:`IndexReader` lends one pooled connection per lookup (``with reader.session() as q:``) and
asks for everything a stage needs in one statement: the rows of a set of token keys, the near
keys of a set of variants, the postings of rare tokens, the shortest aliases of a common token,
the aliases with an exact name.  The statements go straight to the DB-API cursor (sqlite3 or
psycopg): a lookup runs a handful of them, and SQLAlchemy's per-statement overhead would be most
of its time.  It keeps no state: caching is the index's business.
"""

from __future__ import annotations

import threading
import weakref
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from sqlalchemy import Engine

__all__ = ["AliasData", "IndexReader", "Queries", "TokenData"]

TokenData = tuple[str, int, int, int, int]
"""(key, token id, entity count, postings count, people among the entities)."""
AliasData = tuple[int, str, str, str, str, str | None, str]
"""(alias id, entity id, text, normalized, keys, acronym, kind)."""

_CHUNK = 500
#: the lengths an IN list is padded to (with its last value again: IN tests membership, so the rows
#: are the same): a few statement texts serve every list, so the driver's statement cache keeps them
#: prepared (one text per length made SQLite prepare a statement for most IN lists at a million
#: aliases)
_IN_SIZES = (1, 2, 4, 8, 16, 32, 64, 128, 256, _CHUNK)
_ALIAS_COLUMNS = "id, entity_id, text, normalized, keys, acronym, kind"


#: each statement's text with its IN list of each length written out (the statements are this
#: module's own: a few dozen texts in all)
_IN_TEXTS: dict[tuple[str, int], str] = {}


def _chunks(items: Iterable[Any]) -> Iterator[list[Any]]:
    """The distinct items in order, in lists of at most ``_CHUNK``, each padded to one of ``_IN_SIZES``."""
    ordered = sorted(set(items))
    for i in range(0, len(ordered), _CHUNK):
        chunk = ordered[i : i + _CHUNK]
        size = _IN_SIZES[bisect_left(_IN_SIZES, len(chunk))]  # (the first size at least as long)
        yield chunk + [chunk[-1]] * (size - len(chunk))


def _in_text(sql: str, size: int) -> str:
    """``sql`` with its ``(?*)`` written as an IN list of ``size`` placeholders."""
    text = _IN_TEXTS.get((sql, size))
    if text is None:
        text = _IN_TEXTS[(sql, size)] = sql.replace("(?*)", "(" + ", ".join("?" * size) + ")")
    return text


class Queries:
    """The statements of one lookup, on one DB-API connection (``?`` placeholders become ``%s`` for psycopg)."""

    def __init__(self, conn: Any, mark: str, *, sqlite: bool = False) -> None:
        self._cursor = conn.cursor()
        self._mark = mark
        self._sqlite = sqlite

    def close(self) -> None:
        """Close the cursor (and with it a statement not read to its end)."""
        self._cursor.close()

    def _run(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        if self._mark != "?":
            sql = sql.replace("?", self._mark)
        self._cursor.execute(sql, tuple(params))
        rows: list[Any] = self._cursor.fetchall()  # (a new list from sqlite3 and psycopg alike)
        return rows

    def _in(self, sql: str, items: Iterable[Any], before: Sequence[Any] = ()) -> list[Any]:
        out: list[Any] = []
        for chunk in _chunks(items):
            out.extend(self._run(_in_text(sql, len(chunk)), [*before, *chunk]))
        return out

    def tokens(self, keys: Iterable[str]) -> list[TokenData]:
        return self._in("SELECT key, id, df, n, people FROM ix_token WHERE key IN (?*)", keys)

    def near(self, variants: Iterable[str], *, own: bool = False) -> list[tuple[str, str, str, int, int, int, int]]:
        """(variant, key, loose key, id, df, n, people) of every live token whose neighbourhood holds a
        variant; with ``own``, only of those whose own loose key is the variant or whose key holds a
        W (the same name written with the glide w: "Tawus" for "Taus")."""
        return self._in("SELECT v.variant, t.key, t.loose, t.id, t.df, t.n, t.people FROM ix_near v "
                        "JOIN ix_token t ON t.id = v.token_id WHERE t.n > 0 AND v.variant IN (?*)"
                        + (" AND (t.loose = v.variant OR replace(t.key, 'W', '') <> t.key)" if own else ""), variants)

    def postings(self, token_ids: Iterable[int]) -> list[tuple[int, int]]:
        """(token id, alias id) of every posting of these tokens."""
        return self._in("SELECT token_id, alias_id FROM ix_posting WHERE token_id IN (?*)", token_ids)

    def shortest(self, token_ids: Sequence[int], limit: int, scan: int) -> list[int]:
        """Ids of the shortest aliases holding every one of the tokens, oldest first, among the
        ``scan`` shortest aliases holding the first token (a bound on the work: each of those
        costs one index seek per other token)."""
        first, *others = token_ids
        if not others:
            return [r[0] for r in self._run("SELECT alias_id FROM ix_posting WHERE token_id = ? "
                                            "ORDER BY size, alias_id LIMIT ?", (first, limit))]
        if self._sqlite:
            # SQLite runs the ordered subquery as a co-routine and the outer query takes its rows
            # in that order, so the first ``limit`` that hold every other token are the answer and
            # the scan stops there (an outer ORDER BY would sort all ``scan`` rows first).  CROSS
            # JOIN keeps that loop outermost; a key seek per row, a tenth cheaper than EXISTS.
            cross = "".join(f" CROSS JOIN ix_posting p{n} ON p{n}.token_id = ? AND p{n}.size = a.size "
                            f"AND p{n}.alias_id = a.alias_id" for n in range(len(others)))
            rows = self._run("SELECT a.alias_id FROM (SELECT alias_id, size FROM ix_posting WHERE token_id = ? "
                             f"ORDER BY size, alias_id LIMIT ?) a{cross} LIMIT ?",
                             (first, scan, *others, limit))
            return [r[0] for r in rows]
        joins = "".join(f" JOIN ix_posting p{n} ON p{n}.token_id = ? AND p{n}.size = a.size "
                        f"AND p{n}.alias_id = a.alias_id" for n in range(len(others)))
        rows = self._run("SELECT a.alias_id FROM (SELECT alias_id, size FROM ix_posting WHERE token_id = ? "
                         f"ORDER BY size, alias_id LIMIT ?) a{joins} ORDER BY a.size, a.alias_id LIMIT ?",
                         (first, scan, *others, limit))
        return [r[0] for r in rows]

    def holders(self, token_id: int, max_size: int, limit: int) -> list[int]:
        """Ids of the shortest aliases holding the token with at most ``max_size`` tokens, shortest
        then oldest first (a range of the postings' primary key)."""
        return [r[0] for r in self._run("SELECT alias_id FROM ix_posting WHERE token_id = ? AND size <= ? "
                                        "ORDER BY size, alias_id LIMIT ?", (token_id, max_size, limit))]

    def shortest_nested(self, token_ids: Sequence[int], limit: int, scan: int) -> tuple[list[int], list[int] | None]:
        """``shortest(token_ids)`` for three tokens and, when that finds fewer than ``limit``,
        ``shortest(token_ids[:2])`` too (else None): what :meth:`shortest` gives for each.

        On SQLite the two come from one scan of the first token's shortest aliases: each row
        that holds the second token comes back with whether it holds the third, in scan order,
        and the reading stops once ``limit`` rows hold all three.  Two statements would scan the
        same rows twice, and the first one's falling short is the common case at a million
        aliases (its scan then runs to the end).
        """
        first, second, third = token_ids
        if not self._sqlite:
            held = self.shortest(token_ids, limit, scan)
            return held, (self.shortest(token_ids[:2], limit, scan) if len(held) < limit else None)
        sql = ("SELECT a.alias_id, EXISTS (SELECT 1 FROM ix_posting p1 WHERE p1.token_id = ? AND p1.size = a.size "
               "AND p1.alias_id = a.alias_id) FROM (SELECT alias_id, size FROM ix_posting WHERE token_id = ? "
               "ORDER BY size, alias_id LIMIT ?) a WHERE EXISTS (SELECT 1 FROM ix_posting p0 WHERE p0.token_id = ? "
               "AND p0.size = a.size AND p0.alias_id = a.alias_id)")
        self._cursor.execute(sql, (third, first, scan, second))
        all_three: list[int] = []
        first_two: list[int] = []
        for alias_id, holds_third in self._cursor:
            if len(first_two) < limit:
                first_two.append(alias_id)
            if holds_third:
                all_three.append(alias_id)
                if len(all_three) == limit:
                    return all_three, None
        return all_three, first_two

    def aliases(self, ids: Iterable[int]) -> list[AliasData]:
        return self._in(f"SELECT {_ALIAS_COLUMNS} FROM alias WHERE id IN (?*)", ids)

    def alias_keys(self, ids: Iterable[int]) -> list[tuple[int, str]]:
        """(id, keys) of these aliases."""
        return self._in("SELECT id, keys FROM alias WHERE id IN (?*)", ids)

    def aliases_by(self, column: str, value: str) -> list[tuple[int, str, str, str | None]]:
        """(id, normalized, keys, acronym) of the aliases whose ``column`` equals ``value``, oldest first."""
        assert column in ("normalized", "flat", "acronym")
        return self._run(f"SELECT id, normalized, keys, acronym FROM alias WHERE {column} = ? ORDER BY id", (value,))

    def aliases_by_normalized_or_flat(self, normalized: str, flat: str) -> list[tuple[int, int, str, str, str | None]]:
        """(0, ...) for each of :meth:`aliases_by` ``normalized`` and (1, ...) for each of :meth:`aliases_by`
        ``flat``, in that order: the two exact reads of a lookup in one statement."""
        return self._run("SELECT 0, id, normalized, keys, acronym FROM alias WHERE normalized = ? UNION ALL "
                         "SELECT 1, id, normalized, keys, acronym FROM alias WHERE flat = ? ORDER BY 1, 2",
                         (normalized, flat))

    def entities(self, ids: Iterable[str]) -> list[tuple[str, str, str]]:
        """(id, name, type) of the live entities among ``ids``.

        (Absorbed ones are dropped here rather than in SQL: with ``redirect_to IS NULL`` in the
        statement SQLite may walk the redirect index over every live entity instead of the keys.)
        """
        rows = self._in("SELECT id, name, type, redirect_to FROM entity WHERE id IN (?*)", ids)
        return [(i, n, t) for i, n, t, redirect in rows if redirect is None]

    def entity_names(self, ids: Iterable[str]) -> list[tuple[str, str]]:
        """(entity id, normalized alias) of every alias of these entities."""
        return self._in("SELECT entity_id, normalized FROM alias WHERE entity_id IN (?*)", ids)

    def meta(self) -> tuple[int, int, int]:
        """(revision, live entity count, live people count)."""
        values = dict(self._run(
            "SELECT key, value FROM meta WHERE key IN ('revision', 'entity_count', 'people_count')"))
        return int(values.get("revision", 0)), int(values.get("entity_count", 0)), int(values.get("people_count", 0))

    def alias_count(self) -> int:
        return int(self._run("SELECT count(*) FROM alias")[0][0])

    def all_entity_ids(self) -> list[str]:
        return [r[0] for r in self._run("SELECT id FROM entity WHERE redirect_to IS NULL ORDER BY id")]

    def aliases_after(self, after: int) -> list[AliasData]:
        return self._run(f"SELECT {_ALIAS_COLUMNS} FROM alias WHERE id > ? ORDER BY id LIMIT 5000", (after,))


#: how many connections a reader keeps between lookups (outside the pool, see :class:`IndexReader`);
#: a few threads at once is the common case (the API's workers run four), and a write still finds
#: the pool's other connections free
_IDLE = 4


class IndexReader:
    """Lends a connection per lookup; see :class:`Queries`.

    Sessions nest within a thread: inside ``with reader.session()`` another ``session()`` lends
    the same connection, so a batch of lookups (``Resolver.resolve_many``) takes one connection
    instead of one per lookup and per stage.

    A connection comes from the engine's pool and, when a lookup ends without an error, stays with
    the reader for the next one (up to ``_IDLE`` of them, rolled back, its cursor closed: no
    transaction or statement is left open, so the next lookup reads the store as it is then),
    instead of going back through the pool's checkin and checkout (events, a reset and a queue:
    about 30 us a lookup, more than a cached lookup's statements).  After an error the connection
    goes back to the pool, which resets it (or discards it) as before.  :meth:`close` returns the
    ones kept to the pool; a reader dropped without it closes them.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
        self._sqlite = engine.dialect.name == "sqlite"
        self._open = threading.local()
        self._idle: list[Any] = []  # pooled connections (SQLAlchemy's proxies) kept between lookups
        self._lock = threading.Lock()
        self._closed = False
        weakref.finalize(self, _discard, self._idle)

    def session(self) -> AbstractContextManager[Queries]:
        held: Queries | None = getattr(self._open, "queries", None)
        if held is not None:
            return nullcontext(held)
        return _Lent(self)

    def close(self) -> None:
        """Return the connections kept between lookups to the pool (a later lookup takes one from
        the pool and gives it back after)."""
        with self._lock:
            self._closed = True
            _give_back(self._idle)

    def _checkout(self) -> Any:
        try:
            return self._idle.pop()
        except IndexError:
            return self.engine.raw_connection()

    def _checkin(self, conn: Any, clean: bool) -> None:
        if clean:
            try:
                conn.dbapi_connection.rollback()  # (ends psycopg's read transaction; SQLite has none open)
            except Exception:
                pass  # the pool's reset below fails too, and the pool discards the connection
            else:
                with self._lock:
                    if not self._closed and len(self._idle) < _IDLE:
                        self._idle.append(conn)
                        return
        conn.close()  # back to the pool, which rolls it back


def _give_back(idle: list[Any]) -> None:
    while idle:
        idle.pop().close()


def _discard(idle: list[Any]) -> None:
    """Close the connections of a reader nobody uses any more (its index was dropped without
    :meth:`IndexReader.close`): the engine may have been disposed since, and a connection given
    back to a disposed pool would never be closed."""
    while idle:
        conn = idle.pop()
        dbapi = conn.dbapi_connection
        conn.detach()  # (the pool opens another in its place when it needs one)
        dbapi.close()


class _Lent:
    """One ``with reader.session() as q:`` that is not nested in another of its thread."""

    __slots__ = ("_conn", "_reader")

    def __init__(self, reader: IndexReader) -> None:
        self._reader = reader
        self._conn: Any = None

    def __enter__(self) -> Queries:
        reader = self._reader
        self._conn = conn = reader._checkout()
        try:
            queries = reader._open.queries = Queries(conn.dbapi_connection, reader._mark, sqlite=reader._sqlite)
        except BaseException:
            reader._checkin(conn, False)
            raise
        return queries

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: Any) -> None:
        reader = self._reader
        queries: Queries = reader._open.queries
        reader._open.queries = None
        try:
            queries.close()
        except BaseException:
            reader._checkin(self._conn, False)
            raise
        reader._checkin(self._conn, exc_type is None)
