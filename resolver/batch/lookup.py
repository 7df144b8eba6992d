"""Resolving the distinct values of a batch into the cells it appends, in this process or in worker processes.

A value becomes an :data:`Entry`: the five appended cells (id, name, type, score, status) and the
kind of outcome used for the counts.  With several workers each process opens its own
:class:`Resolver` on the same store (a Resolver holds connections and is never pickled); only
lists of values and the resulting entries cross between processes.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Protocol

from resolver.longrun import settle
from resolver.resolve import Resolver
from resolver.results import Resolution
from resolver.settings import Settings
from resolver.workers import ctrl_c_held, worker_context

__all__ = [
    "EMPTY",
    "FORMULA_PREFIXES",
    "Entry",
    "Lookup",
    "LookupOptions",
    "Pending",
    "PoolLookup",
    "lookup_for",
    "neutralize",
    "resolve_values",
]

#: (id, name, type, score, status) and the outcome: matched, ambiguous, unresolved, empty or too_long
Entry = tuple[tuple[str, str, str, str, str], str]

EMPTY: Entry = (("", "", "", "", "unresolved"), "empty")
_TOO_LONG: Entry = (("", "", "", "", "unresolved"), "too_long")

#: a cell starting with one of these runs as a formula in Excel, LibreOffice and Google Sheets (OWASP)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralize(cell: str) -> str:
    """Make a cell inert in a spreadsheet by prefixing an apostrophe when it would start a formula."""
    return "'" + cell if cell.startswith(FORMULA_PREFIXES) else cell


@dataclass(frozen=True, slots=True)
class LookupOptions:
    """What every lookup of one batch shares: the entity type filter and whether cells are neutralised."""

    type: str | None
    sanitize: bool


def _entry(res: Resolution, sanitize: bool) -> Entry:
    score = f"{res.score:.3f}"
    if res.entity is not None:
        cells = (res.entity.id, res.entity.name, res.entity.type, score, res.status.value)
    else:
        cells = ("", "", "", score, res.status.value)
    if sanitize:
        cells = (neutralize(cells[0]), neutralize(cells[1]), neutralize(cells[2]), cells[3], cells[4])
    return cells, res.status.value


def resolve_values(resolver: Resolver, values: Sequence[str], options: LookupOptions) -> dict[str, Entry]:
    """Resolve distinct non-empty values; one longer than the resolver accepts is unresolved, not an error."""
    limit = resolver.settings.max_mention_length
    out = {v: _TOO_LONG for v in values if len(v) > limit}
    wanted = [v for v in values if len(v) <= limit]
    # limit=1: the batch writes only the best entity, so rank no more candidates than that
    for value, res in zip(wanted, resolver.resolve_many(wanted, type=options.type, limit=1), strict=True):
        out[value] = _entry(res, options.sanitize)
    return out


class Pending(Protocol):
    """The entries of a list of values sent to be resolved, once they are ready."""

    def result(self) -> dict[str, Entry]: ...


class Lookup:
    """Resolves lists of values into entries, returning a pending result per list (ready at once here)."""

    def __init__(self, resolver: Resolver, options: LookupOptions) -> None:
        self._resolver = resolver
        self._options = options

    #: how many lists may be in flight at once
    window = 1

    def submit(self, values: Sequence[str]) -> Pending:
        done: Future[dict[str, Entry]] = Future()
        done.set_result(resolve_values(self._resolver, values, self._options) if values else {})
        return done

    def close(self) -> None:
        """Nothing to release in this process; the caller owns the resolver."""


# Set once in each worker process by its initializer, never in the parent: a worker's Resolver.
_worker: tuple[Resolver, LookupOptions] | None = None


def _init_worker(db: str, settings: Settings, options: LookupOptions) -> None:
    global _worker
    _worker = (Resolver.open(db, settings=settings), options)
    settle()


def _resolve_in_worker(values: list[str]) -> dict[str, Entry]:
    assert _worker is not None, "the pool initializer did not run"
    return resolve_values(_worker[0], values, _worker[1])


#: values per task sent to a worker: small enough to spread a chunk over every worker
_TASK_VALUES = 500


class _Joined:
    """The result of one list of values sent as several tasks, merged when first asked for."""

    def __init__(self, parts: list[Future[dict[str, Entry]]]) -> None:
        self._parts = parts
        self._merged: dict[str, Entry] | None = None

    def result(self) -> dict[str, Entry]:
        if self._merged is None:
            merged: dict[str, Entry] = {}
            for part in self._parts:
                merged.update(part.result())
            self._merged, self._parts = merged, []
        return self._merged


class PoolLookup(Lookup):
    """Resolves lists of values in worker processes, each with its own Resolver on the same store.

    The workers are replaced by fresh processes after resolving about ``recycle_after`` values
    each: the resolver keeps per-process caches that grow with the distinct names it has seen
    (to a few hundred MB), and fresh workers keep a long run's memory flat for a little time.
    The pool is replaced whole, between tasks, rather than with ``max_tasks_per_child``, which
    can deadlock in CPython 3.11 to 3.14 (python/cpython#115634).
    """

    def __init__(self, resolver: Resolver, options: LookupOptions, workers: int, recycle_after: int) -> None:
        super().__init__(resolver, options)
        url = resolver.store.engine.url
        if url.get_backend_name() == "sqlite" and (not url.database or url.database == ":memory:"):
            raise ValueError("several workers need a store in a file or on a server, not an in-memory one")
        self._workers = workers
        self._initargs = (url.render_as_string(hide_password=False), resolver.settings, options)
        self._budget = max(1, recycle_after) * workers
        self._sent = 0
        #: how many pools of workers this lookup has started
        self.pools_started = 0
        self._pool = self._start()
        # enough lists in flight that no worker waits while the parent reads and writes rows
        self.window = 2 * workers + 2

    def _start(self) -> ProcessPoolExecutor:
        self.pools_started += 1
        with ctrl_c_held():
            return ProcessPoolExecutor(max_workers=self._workers, mp_context=worker_context(),
                                       initializer=_init_worker, initargs=self._initargs)

    def submit(self, values: Sequence[str]) -> Pending:
        if not values:
            return super().submit(values)
        if self._sent >= self._budget:
            # the tasks already sent finish first; their results stay with their futures
            self._pool.shutdown(wait=True)
            self._pool = self._start()
            self._sent = 0
        self._sent += len(values)
        with ctrl_c_held():
            return _Joined([self._pool.submit(_resolve_in_worker, list(values[i : i + _TASK_VALUES]))
                            for i in range(0, len(values), _TASK_VALUES)])

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def lookup_for(resolver: Resolver, options: LookupOptions, workers: int, recycle_after: int = 25_000) -> Lookup:
    """A lookup in this process for one worker, else a pool of ``workers`` processes."""
    return PoolLookup(resolver, options, workers, recycle_after) if workers > 1 else Lookup(resolver, options)
