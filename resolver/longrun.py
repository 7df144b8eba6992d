"""Garbage-collector settings for a process that answers lookups for a long time.

``resolver serve`` workers and ``resolver normalize`` workers call :func:`settle` once their
:class:`~resolver.Resolver` is open.  Two facts make CPython's default collector a poor fit for
them: everything imported and opened by then (about 60k objects: modules, SQLAlchemy, the web
app) lives as long as the process, yet every full collection walks it again; and the lookups'
caches are bounded dictionaries of rows that hold no reference cycles, so young collections
find almost nothing while the caches fill.  A full collection took 80-170 ms in the middle of
a lookup (the slowest lookups of a run, and up to 7% of the CPU of the SDN benchmark).

A library caller's process is left alone: :meth:`Resolver.open` does not call this.
"""

from __future__ import annotations

import gc

__all__ = ["settle"]

#: allocations between young collections (CPython's default is 700)
YOUNG = 10_000


def settle() -> None:
    """Collect once, move every object alive now out of the collector's sight for good
    (``gc.freeze``), and collect the young generation less often.

    Only the collector is affected: frozen objects are still freed as soon as nothing refers to
    them; a reference cycle among them would no longer be reclaimed (the collection first
    leaves none behind).
    """
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG, middle, old)
