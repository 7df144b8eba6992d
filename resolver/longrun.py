"""Garbage-collector settings for a process that answers lookups for a long time.

``resolver serve`` workers and ``resolver normalize`` workers call :func:`settle` once their
:class:`~resolver.Resolver` is open.  Two facts make CPython's default collector a poor fit for
them: everything imported and opened by then (about 60k objects: modules, SQLAlchemy, the web
app) lives as long as the process, yet every full collection walks it again; and the lookups'
caches are bounded dictionaries of rows that hold no reference cycles, so young collections
find almost nothing while the caches fill.  A full collection took 80-170 ms in the middle of
a lookup (the slowest lookups of a run, and up to 7% of the CPU of the SDN benchmark).

A library caller's process is left alone: :meth:`Resolver.open` does not call this.

:func:`warm` reads an SQLite store's file once so that the operating system holds its pages: at a
million aliases a lookup reads a few hundred scattered pages of a 500 MB file, and when other work
has pushed them out of the page cache each is a read from disk (the scale benchmark's CPU p99 at
1M 15.5 ms and wall p99 31-45 ms with the file's pages dropped, against 6.9-7.3 and 12 ms with the
file read once first: 1.5 s wall, 1.0 s CPU cold; 0.1-0.3 s when already cached).  ``resolver
serve`` calls it once before its workers start (the page cache is shared by all of them).
"""

from __future__ import annotations

import gc
import os
from pathlib import Path

__all__ = ["settle", "warm"]

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


#: the largest share of the machine's memory a store file may take to be read whole by :func:`warm`
WARM_SHARE = 0.25
#: the read size of :func:`warm`
_CHUNK = 1 << 20


def warm(path: str | os.PathLike[str] | None, share: float = WARM_SHARE) -> int:
    """Read a store file start to end into a reused buffer (the process keeps none of it), so the
    operating system's page cache holds it; the bytes read.  Nothing is read (0) for no path (a
    server store) or a file larger than ``share`` of the machine's physical memory, which the cache
    could not hold anyway."""
    if path is None:
        return 0
    path = Path(path)
    try:
        size = path.stat().st_size
        memory = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0
    if size > share * memory:
        return 0
    done = 0
    buffer = bytearray(_CHUNK)
    with path.open("rb", buffering=0) as fh:
        if hasattr(os, "posix_fadvise"):
            os.posix_fadvise(fh.fileno(), 0, 0, os.POSIX_FADV_SEQUENTIAL)
        while n := fh.readinto(buffer):
            done += n
    return done
