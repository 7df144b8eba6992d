"""Read-only queries over the index tables and aliases, in batches, for one lookup at a time.

:class:`IndexReader` opens one connection per lookup (``with reader.session() as q:``) and asks
for everything a stage needs in one statement: the rows of a set of token keys, the near keys of
a set of variants, the postings of rare tokens, the shortest aliases of a common token, which of
a set of aliases hold some tokens.  It keeps no state: caching is the index's business.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, TextClause, bindparam, text

__all__ = ["AliasData", "IndexReader", "TokenData"]

TokenData = tuple[str, int, int, int]
"""(key, token id, entity count, postings count)."""
AliasData = tuple[int, str, str, str, str, str | None, str]
"""(alias id, entity id, text, normalized, keys, acronym, kind)."""

_CHUNK = 500


def _q(sql: str, *expanding: str) -> TextClause:
    return text(sql).bindparams(*(bindparam(name, expanding=True) for name in expanding))


_TOKENS = _q("SELECT key, id, df, n FROM ix_token WHERE key IN :keys", "keys")
_NEAR = _q("SELECT v.variant, t.key, t.loose, t.id, t.df, t.n FROM ix_near v JOIN ix_token t ON t.id = v.token_id "
           "WHERE v.variant IN :variants AND t.n > 0", "variants")
_POSTINGS = _q("SELECT token_id, size, alias_id FROM ix_posting WHERE token_id IN :ids", "ids")
_SHORTEST = text("SELECT size, alias_id FROM ix_posting WHERE token_id = :t ORDER BY size, alias_id LIMIT :k")
_BOTH = text("SELECT a.size, a.alias_id FROM ix_posting a JOIN ix_posting b ON b.token_id = :t2 AND b.size = a.size "
             "AND b.alias_id = a.alias_id WHERE a.token_id = :t1 ORDER BY a.size, a.alias_id LIMIT :k")
_HOLD = _q("SELECT token_id, alias_id FROM ix_posting WHERE token_id IN :tids AND size = :s AND alias_id IN :aids",
           "tids", "aids")
_ALIASES = _q("SELECT id, entity_id, text, normalized, keys, acronym, kind FROM alias WHERE id IN :ids", "ids")
_BY = {
    column: text(f"SELECT id, normalized, keys, acronym FROM alias WHERE {column} = :v ORDER BY id")
    for column in ("normalized", "flat", "acronym")
}
_ENTITIES = _q("SELECT id, name, type FROM entity WHERE redirect_to IS NULL AND id IN :ids", "ids")
_ALL_ENTITIES = text("SELECT id FROM entity WHERE redirect_to IS NULL ORDER BY id")
_ENTITY_ALIASES = _q("SELECT entity_id, normalized FROM alias WHERE entity_id IN :ids", "ids")
_META = text("SELECT key, value FROM meta WHERE key IN ('revision', 'entity_count')")
_COUNT = text("SELECT count(*) FROM alias")
_ALL_ALIASES = text("SELECT id, entity_id, text, normalized, keys, acronym, kind FROM alias WHERE id > :after "
                    "ORDER BY id LIMIT 5000")


def _chunks(items: Sequence[Any]) -> Iterator[list[Any]]:
    for i in range(0, len(items), _CHUNK):
        yield list(items[i : i + _CHUNK])


class Queries:
    """The statements of one lookup, on one connection."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def tokens(self, keys: Iterable[str]) -> list[TokenData]:
        out: list[TokenData] = []
        for chunk in _chunks(sorted(set(keys))):
            out.extend(self._conn.execute(_TOKENS, {"keys": chunk}))
        return out

    def near(self, variants: Iterable[str]) -> list[tuple[str, str, str, int, int, int]]:
        """(variant, key, loose key, id, df, n) of every live token whose neighbourhood holds a variant."""
        out: list[tuple[str, str, str, int, int, int]] = []
        for chunk in _chunks(sorted(set(variants))):
            out.extend(self._conn.execute(_NEAR, {"variants": chunk}))
        return out

    def postings(self, token_ids: Iterable[int]) -> list[tuple[int, int, int]]:
        """(token id, alias size, alias id) of every posting of these tokens."""
        out: list[tuple[int, int, int]] = []
        for chunk in _chunks(sorted(set(token_ids))):
            out.extend(self._conn.execute(_POSTINGS, {"ids": chunk}))
        return out

    def shortest(self, token_id: int, limit: int, also: int | None = None) -> list[tuple[int, int]]:
        """(size, alias id) of the shortest aliases holding the token (and ``also``, when given)."""
        if also is None:
            return list(self._conn.execute(_SHORTEST, {"t": token_id, "k": limit}))
        return list(self._conn.execute(_BOTH, {"t1": token_id, "t2": also, "k": limit}))

    def holding(self, token_ids: Sequence[int], aliases: dict[int, int]) -> list[tuple[int, int]]:
        """(token id, alias id) for each of ``aliases`` (alias id -> size) that holds one of the tokens."""
        by_size: dict[int, list[int]] = {}
        for alias_id, size in aliases.items():
            by_size.setdefault(size, []).append(alias_id)
        out: list[tuple[int, int]] = []
        for size, ids in sorted(by_size.items()):
            for chunk in _chunks(sorted(ids)):
                out.extend(self._conn.execute(_HOLD, {"tids": list(token_ids), "s": size, "aids": chunk}))
        return out

    def aliases(self, ids: Iterable[int]) -> list[AliasData]:
        out: list[AliasData] = []
        for chunk in _chunks(sorted(set(ids))):
            out.extend(self._conn.execute(_ALIASES, {"ids": chunk}))
        return out

    def aliases_by(self, column: str, value: str) -> list[tuple[int, str, str, str | None]]:
        """(id, normalized, keys, acronym) of the aliases whose ``column`` equals ``value``."""
        return list(self._conn.execute(_BY[column], {"v": value}))

    def entities(self, ids: Iterable[str]) -> list[tuple[str, str, str]]:
        out: list[tuple[str, str, str]] = []
        for chunk in _chunks(sorted(set(ids))):
            out.extend(self._conn.execute(_ENTITIES, {"ids": chunk}))
        return out

    def entity_names(self, ids: Iterable[str]) -> list[tuple[str, str]]:
        """(entity id, normalized alias) of every alias of these entities."""
        out: list[tuple[str, str]] = []
        for chunk in _chunks(sorted(set(ids))):
            out.extend(self._conn.execute(_ENTITY_ALIASES, {"ids": chunk}))
        return out

    def meta(self) -> tuple[int, int]:
        """(revision, live entity count)."""
        values = {k: v for k, v in self._conn.execute(_META)}
        return int(values.get("revision", 0)), int(values.get("entity_count", 0))

    def alias_count(self) -> int:
        return int(self._conn.execute(_COUNT).scalar() or 0)

    def all_entity_ids(self) -> list[str]:
        return list(self._conn.execute(_ALL_ENTITIES).scalars())

    def aliases_after(self, after: int) -> list[AliasData]:
        return list(self._conn.execute(_ALL_ALIASES, {"after": after}))


class IndexReader:
    """Opens a connection per lookup; see :class:`Queries`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def session(self) -> Iterator[Queries]:
        with self.engine.connect() as conn:
            yield Queries(conn)
