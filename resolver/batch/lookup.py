"""Resolving the distinct values of a batch into the cells it appends, in this process or in worker processes.

A value becomes an :data:`Entry`: the five appended cells (id, name, type, score, status) and the
kind of outcome used for the counts.  With several workers each process opens its own
:class:`Resolver` on the same store (a Resolver holds connections and is never pickled); only
lists of values and the resulting entries cross between processes.
"""

from __future__ import annotations

import atexit
import gc
import os
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
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
    # A worker lives for ``recycle_after`` values, and its lookups leave almost no reference
    # cycles (about 800 objects in 25,000 values at 1M) while the collector's passes over its
    # growing caches took 1.3% of its CPU: it runs without them.
    gc.disable()
    # Once the interpreter exits, the work is done and every result sent: leave without freeing
    # the caches object by object (0.4 s for a worker of 170 MiB, against 14 ms), so that a
    # worker is replaced at once, without two of them held in memory together.  (Registered
    # last, it runs first: the handlers of the modules imported before, logging's among them,
    # do not run; a worker writes nowhere but to its result queue.)
    atexit.register(os._exit, 0)


def _resolve_in_worker(values: list[str]) -> dict[str, Entry]:
    assert _worker is not None, "the pool initializer did not run"
    return resolve_values(_worker[0], values, _worker[1])


#: values per task sent to a worker: small enough to spread a chunk over every worker
_TASK_VALUES = 500
#: tasks a worker holds at once: the one it runs and the next, so that it never waits for the parent
_DEPTH = 2


class _Joined:
    """The result of one list of values sent as several tasks, merged when first asked for.

    ``wait`` is called while a task is not finished yet: it returns once some task of the lookup
    has finished (and the workers have been given more work)."""

    def __init__(self, parts: list[Future[dict[str, Entry]]], wait: Callable[[], None]) -> None:
        self._parts = parts
        self._wait = wait
        self._merged: dict[str, Entry] | None = None

    def result(self) -> dict[str, Entry]:
        if self._merged is None:
            merged: dict[str, Entry] = {}
            for part in self._parts:
                while not part.done():
                    self._wait()
                merged.update(part.result())
            self._merged, self._parts = merged, []
        return self._merged


class _Slot:
    """One worker of a :class:`PoolLookup`: a pool of one process, its tasks sent and not yet
    handed over (the worker's future -> the caller's), and the values it may still be sent."""

    __slots__ = ("left", "pool", "running")

    def __init__(self, pool: ProcessPoolExecutor, left: int) -> None:
        self.pool = pool
        self.left = left
        self.running: dict[Future[dict[str, Entry]], Future[dict[str, Entry]]] = {}


class PoolLookup(Lookup):
    """Resolves lists of values in worker processes, each with its own Resolver on the same store.

    Each worker is replaced by a fresh process after resolving about ``recycle_after`` values:
    the resolver keeps per-process caches that grow with the distinct names it has seen (to a
    few hundred MB), and fresh workers keep a long run's memory flat for a little time.  A worker
    is a pool of one process, so that it is replaced alone, once its last task is done, while the
    others go on working (replacing a whole pool left every worker but the slowest idle while it
    drained and exited, then all of them starting at once: 2.5 s between the last task of one
    pool and the first of the next at 1M, on a loaded machine); the first replacements are
    staggered (worker i after (i + 1) / workers of the budget) so that the workers are not
    replaced at the same time.  The parent hands the tasks out itself, two at a time to each
    worker, while it waits for a result; they are taken in the order sent.  (A worker's pool is
    replaced between tasks, rather than with ``max_tasks_per_child``, which can deadlock in
    CPython 3.11 to 3.14: python/cpython#115634.)
    """

    def __init__(self, resolver: Resolver, options: LookupOptions, workers: int, recycle_after: int) -> None:
        super().__init__(resolver, options)
        url = resolver.store.engine.url
        if url.get_backend_name() == "sqlite" and (not url.database or url.database == ":memory:"):
            raise ValueError("several workers need a store in a file or on a server, not an in-memory one")
        self._initargs = (url.render_as_string(hide_password=False), resolver.settings, options)
        self._budget = max(1, recycle_after)
        #: how many one-process pools this lookup has started (one a worker, then one a replacement)
        self.pools_started = 0
        self._queue: deque[tuple[list[str], Future[dict[str, Entry]]]] = deque()
        self._slots = [_Slot(self._start(), max(1, self._budget * (i + 1) // workers)) for i in range(workers)]
        # enough lists in flight that no worker waits while the parent reads and writes rows
        self.window = 2 * workers + 2

    def _start(self) -> ProcessPoolExecutor:
        self.pools_started += 1
        with ctrl_c_held():
            return ProcessPoolExecutor(max_workers=1, mp_context=worker_context(),
                                       initializer=_init_worker, initargs=self._initargs)

    def submit(self, values: Sequence[str]) -> Pending:
        if not values:
            return super().submit(values)
        parts: list[Future[dict[str, Entry]]] = []
        for i in range(0, len(values), _TASK_VALUES):
            promise: Future[dict[str, Entry]] = Future()
            self._queue.append((list(values[i : i + _TASK_VALUES]), promise))
            parts.append(promise)
        self._hand_over([f for slot in self._slots for f in slot.running if f.done()])
        self._dispatch()
        return _Joined(parts, self._wait)

    def _dispatch(self) -> None:
        """Give each worker tasks from the queue up to ``_DEPTH``; a worker whose budget is spent
        takes none, and is replaced once its last task is done and a task waits for it."""
        queue = self._queue
        for slot in self._slots:
            while queue and len(slot.running) < _DEPTH:
                if slot.left <= 0:
                    if slot.running:
                        break
                    slot.pool.shutdown(wait=True)  # idle: gone in a few ms (see _init_worker)
                    slot.pool, slot.left = self._start(), self._budget
                values, promise = queue.popleft()
                slot.left -= len(values)
                with ctrl_c_held():
                    slot.running[slot.pool.submit(_resolve_in_worker, values)] = promise

    def _wait(self) -> None:
        """Wait until a task is done, hand its result over, and give the workers more."""
        running = [f for slot in self._slots for f in slot.running]
        done, _ = wait(running, return_when=FIRST_COMPLETED)
        self._hand_over(done)
        self._dispatch()

    def _hand_over(self, done: Iterable[Future[dict[str, Entry]]]) -> None:
        for future in done:
            for slot in self._slots:
                promise = slot.running.pop(future, None)
                if promise is not None:
                    error = future.exception()
                    if error is not None:
                        promise.set_exception(error)
                    else:
                        promise.set_result(future.result())

    def close(self) -> None:
        for slot in self._slots:
            slot.pool.shutdown(wait=True, cancel_futures=True)


def lookup_for(resolver: Resolver, options: LookupOptions, workers: int, recycle_after: int = 25_000) -> Lookup:
    """A lookup in this process for one worker, else a pool of ``workers`` processes."""
    return PoolLookup(resolver, options, workers, recycle_after) if workers > 1 else Lookup(resolver, options)
