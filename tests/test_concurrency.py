"""Several threads reading one Resolver; other processes writing the same SQLite store."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import fixture_rows

from resolver import MatchStatus, Resolution, Resolver

ROOT = Path(__file__).resolve().parent.parent


def _mentions() -> list[str]:
    unseen = [r["mention"] for r in fixture_rows("unseen_variants.csv")]
    negatives = [r["mention"] for r in fixture_rows("hard_negatives.csv")]
    return unseen + negatives + ["AAH", "aah", "مصطفى الكاظمي", "", "Zzyzx"]


MENTIONS = _mentions()


def _key(res: Resolution) -> tuple[object, ...]:
    return (res.query, res.status, res.entity, res.score, res.alias, res.explanation, res.candidates)


def test_threads_get_the_same_answers_as_one_thread(resolver: Resolver) -> None:
    expected = {m: _key(resolver.resolve(m)) for m in MENTIONS}
    n_threads, per_thread = 8, 200
    start = threading.Barrier(n_threads)

    def work(offset: int) -> list[tuple[str, tuple[object, ...]]]:
        start.wait()
        picks = [MENTIONS[(offset * 37 + i) % len(MENTIONS)] for i in range(per_thread)]
        return [(m, _key(resolver.resolve(m))) for m in picks]

    with ThreadPoolExecutor(n_threads) as pool:
        results = [r for batch in pool.map(work, range(n_threads)) for r in batch]
    assert len(results) == n_threads * per_thread
    assert [m for m, got in results if got != expected[m]] == []


def test_threads_keep_reading_while_the_store_is_written(resolver: Resolver) -> None:
    stop = threading.Event()
    errors: list[BaseException] = []
    seen_new: list[bool] = []

    def read() -> None:
        try:
            while not stop.is_set():
                assert resolver.resolve("Kadhimi").entity is not None
                res = resolver.resolve("Abu Zzyzx al-Qwerty")
                seen_new.append(res.status is MatchStatus.MATCHED)
        except BaseException as exc:  # handed to the main thread
            errors.append(exc)

    readers = [threading.Thread(target=read) for _ in range(4)]
    for t in readers:
        t.start()
    try:
        for i in range(10):
            resolver.store.add_alias("mustafa-al-kadhimi", f"Kadhimi variant {i}")
        resolver.store.add_entity("Abu Zzyzx al-Qwerty", "person", id="zzyzx")
        deadline = time.monotonic() + 5
        while not any(seen_new[-4:]) and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        stop.set()
        for t in readers:
            t.join()
    assert errors == []
    assert True in seen_new  # a reader saw the new entity without reopening
    res = resolver.resolve("Abu Zzyzx al-Qwerty")
    assert res.entity is not None and res.entity.id == "zzyzx"


def _python(code: str, db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), str(db)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=False,
    )


ADD = """
    import sys
    from resolver import Resolver
    r = Resolver.open(sys.argv[1])
    r.store.add_alias("qais-al-khazali", "Sheikh Zzyzx Qaisoon", actor="other-process")
    r.store.add_entity("Faris al-Qwertyani", "person", id="faris-qwertyani", actor="other-process")
    r.close()
    print("done")
"""


def test_another_processs_writes_are_seen_without_reopening(resolver: Resolver, db_path: Path) -> None:
    assert resolver.resolve("Zzyzx Qaisoon").status is MatchStatus.UNRESOLVED
    assert resolver.resolve("Faris al-Qwertyani").status is MatchStatus.UNRESOLVED
    revision = resolver.index.revision

    done = _python(ADD, db_path)
    assert (done.returncode, done.stdout, done.stderr) == (0, "done\n", "")

    alias = resolver.resolve("Zzyzx Qaisoon")
    assert alias.status is MatchStatus.MATCHED
    assert alias.entity is not None and alias.entity.id == "qais-al-khazali"
    entity = resolver.resolve("Faris al-Qwertyani")
    assert entity.entity is not None and entity.entity.id == "faris-qwertyani"
    assert resolver.index.revision > revision
    assert [h.actor for h in resolver.store.history("faris-qwertyani")] == ["other-process"]


WRITER = """
    import sys, time
    from pathlib import Path
    from resolver import Resolver
    db, name = sys.argv[1], sys.argv[2]
    r = Resolver.open(db)
    go = Path(db).with_name("go")
    while not go.exists():
        time.sleep(0.005)
    for i in range(20):
        r.store.add_alias("mustafa-al-kadhimi", f"Kadhimi {name} {i}", actor=name)
        r.resolve("Kadhimi")
    r.close()
    print(name)
"""


@pytest.mark.parametrize("journal", ["delete", "wal"])
def test_two_processes_write_at_once(db_path: Path, journal: str) -> None:
    if journal == "wal":
        con = sqlite3.connect(db_path)
        assert con.execute("PRAGMA journal_mode=WAL").fetchone() == ("wal",)
        con.close()
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(WRITER), str(db_path), name],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for name in ("left", "right")
    ]
    time.sleep(0.3)  # both open before either writes
    (db_path.parent / "go").touch()
    outcomes = [
        (p.wait(timeout=120), p.stdout.read() if p.stdout else "", p.stderr.read() if p.stderr else "") for p in procs
    ]
    for p in procs:
        for stream in (p.stdout, p.stderr):
            if stream:
                stream.close()
    assert outcomes == [(0, "left\n", ""), (0, "right\n", "")]
    r = Resolver.open(str(db_path))
    try:
        texts = {a.text for a in r.store.get_entity("mustafa-al-kadhimi").aliases}
        assert {f"Kadhimi {n} {i}" for n in ("left", "right") for i in range(20)} <= texts
        actors = [h.actor for h in r.store.history("mustafa-al-kadhimi")]
        assert (actors.count("left"), actors.count("right")) == (20, 20)
        res = r.resolve("Kadhimi right 19")
        assert res.entity is not None and res.entity.id == "mustafa-al-kadhimi"
    finally:
        r.close()
