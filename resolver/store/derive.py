"""An alias's derived columns (normalized form, matching keys, acronym, script), one or many at a time.

Computing the keys is half the work of a large import, and it needs nothing from the database,
so :class:`KeyPool` can hand the batches of an import to worker processes while the importing
process writes the batches before them.  Every path computes the columns with
:func:`alias_columns` (through :mod:`resolver.matching.normalize`), so where they were computed
never changes what is stored.
"""

from __future__ import annotations

import gc
import os
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from types import TracebackType
from typing import Any

from resolver.matching.normalize import analyze, coarse_flat
from resolver.workers import ctrl_c_held, worker_context

__all__ = ["Derived", "KeyPool", "alias_columns", "as_columns", "derive", "derive_many", "gc_paused"]

Derived = tuple[str, str, str, str | None, str]
"""(normalized, keys, flat, acronym, script) of one alias text."""


_COLUMNS = ("normalized", "keys", "flat", "acronym", "script")


def derive(text: str) -> Derived:
    """The derived columns of one alias text, in :data:`Derived` order."""
    key = analyze(text)
    return key.normalized, " ".join(key.keys), coarse_flat(key.tokens), key.acronym, key.script


def as_columns(derived: Derived) -> dict[str, Any]:
    """Derived columns by column name, as the alias table has them."""
    return dict(zip(_COLUMNS, derived, strict=True))


def alias_columns(text: str) -> dict[str, Any]:
    """The derived columns of an alias: normalized form, matching keys, acronym and script."""
    return as_columns(derive(text))


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a bulk load.

    A load allocates millions of short-lived tuples and strings and makes no reference cycles;
    the collector's passes over them were a quarter of an import's CPU time (measured at 200k
    rows).  Reference counting frees everything as usual meanwhile.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def derive_many(texts: Sequence[str]) -> list[Derived]:
    """The derived columns of many texts, as tuples (what a worker sends back)."""
    with gc_paused():
        return [derive(text) for text in texts]


def _exit_with_parent(parent: int) -> None:
    """In a worker: exit as soon as the importing process is gone (killed, it cannot stop us itself)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


class KeyPool:
    """Computes :func:`derive_many` for batch after batch, in ``workers`` processes (0: here, at once).

    Use it as a context manager; the processes are started at the first :meth:`submit` and
    stopped on exit, pending work cancelled (an import that fails stops at once).
    """

    def __init__(self, workers: int, *, batch: int) -> None:
        self.workers = max(0, workers)
        self._batch = batch
        self._executor: Executor | None = None

    def submit(self, texts: Sequence[str]) -> Future[list[Derived]]:
        """The columns of ``texts``; a batch smaller than a full one (the last, or the only one of a
        small load) is computed here, so a small load starts no process."""
        if not self.workers or len(texts) < self._batch:
            done: Future[list[Derived]] = Future()
            done.set_result(derive_many(texts))
            return done
        with ctrl_c_held():
            if self._executor is None:
                self._executor = ProcessPoolExecutor(self.workers, mp_context=worker_context(),
                                                     initializer=_exit_with_parent, initargs=(os.getpid(),))
            return self._executor.submit(derive_many, list(texts))

    def __enter__(self) -> KeyPool:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
