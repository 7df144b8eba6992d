"""The long-running processes' helpers: reading a store file into the page cache once."""

from __future__ import annotations

from pathlib import Path

from resolver import Resolver
from resolver.longrun import warm
from resolver.store.db import sqlite_path


def test_a_store_file_is_read_whole_once_and_nothing_is_kept(tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    r = Resolver.open(str(db), create=True)
    path = sqlite_path(r.store.engine.url)
    r.close()
    assert path is not None and path.exists()
    assert warm(path) == path.stat().st_size > 0


def test_a_file_too_large_for_its_share_of_memory_or_no_file_is_not_read(tmp_path: Path) -> None:
    big = tmp_path / "big.db"
    big.write_bytes(b"\0" * 4096)
    assert warm(big, share=0.0) == 0  # larger than no memory at all: the cache could not hold it
    assert warm(None) == 0  # a server store (PostgreSQL) has no file
    assert warm(tmp_path / "missing.db") == 0
