"""How the resolver holds up as the store grows: 10k, 100k and 1M aliases, SQLite and PostgreSQL.

A deterministic generator (seeded) builds each store from the public SDN names (../shared/bench/sdn,
8,934 aliases, all of them in every store) plus generated people and companies with Arabic-world
structure: given name, father's and grandfather's names, a family name or nisba with or without
the article, a kunya (Abu ...), and two to four spellings per entity (Muhammad/Mohammed/Mohamed,
Husayn/Hussein/Hossein, al-/el-/Al, "SURNAME, Given", the grandfather dropped), drawn with a
Zipf skew from the SDN's own given and family names.  The smaller stores are prefixes of the larger.

For each store it prints: import time (``resolver import``), the first answer of a fresh process
(wall time from start, and its peak RSS), lookups/s and p99 over 2,000 SDN queries (a fixed
sample) in one process and its RSS after them, and how many of those answers went from right to
wrong against the 10k store, with the reason for each, and how many of them have no generated
alias as good a reading of the query as the right entity's (not a namesake in any sense).  On
the largest store only: with ``--serve``: ``resolver serve --workers 2`` time to first answer and
RSS per worker.  With ``--visibility``: the delay before
a write committed by one process is seen by a lookup in another.  With ``--normalize N``:
``resolver normalize --workers 2`` on N rows against the store (time and peak RSS of the tree).
A benchmark, not a test.

    python bench/scale.py [--sizes 10000,100000,1000000] [--pg ADMIN_URL] [--serve] [--visibility] [--reuse]
                          [--normalize ROWS] [--work /tmp/scale] [--answers FILE]
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import random
import resource
import socket
import subprocess
import sys
import time
import urllib.request
import zlib
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped]

HERE = Path(__file__).resolve().parent
SDN = HERE.parent.parent / "shared" / "bench" / "sdn"
SEED = 9
QUERIES = 2000

_VARIANTS = [
    ("Muhammad", "Mohammed", "Mohamed", "Mohammad", "Muhammed"), ("Hussein", "Husayn", "Hossein", "Husain"),
    ("Hassan", "Hasan"), ("Ahmad", "Ahmed"), ("Abdullah", "Abdallah", "Abd Allah"), ("Omar", "Umar"),
    ("Yusuf", "Youssef", "Yousef"), ("Abdulrahman", "Abd al-Rahman", "Abdel Rahman"), ("Mahmoud", "Mahmud"),
    ("Mustafa", "Mostafa"), ("Saeed", "Said", "Sa'id"), ("Khalid", "Khaled"), ("Ibrahim", "Ebrahim"),
]
_SPELLING = {v: group for group in _VARIANTS for v in group}
_ORG_WORDS = ["Trading", "General Trading", "Contracting", "Exchange", "Import Export", "Shipping", "Investment"]
_ORG_FORMS = ["Company", "LLC", "Co.", "Est.", "Group", "Foundation"]


def _zipf(rng: random.Random, items: Sequence[str], s: float = 1.05) -> str:
    # inverse-CDF sampling over ranks, cheap enough for millions of draws
    n = len(items)
    u = rng.random()
    rank = int(n ** (u ** (1 / s))) - 1 if n > 1 else 0
    return items[min(max(rank, 0), n - 1)]


def sdn_rows() -> list[tuple[str, str, str, str]]:
    with (SDN / "store.csv").open(encoding="utf-8", newline="") as fh:
        return [(r["entity_id"], r["canonical_name"], r["type"], r["alias"]) for r in csv.DictReader(fh)]


def _vocabulary(rows: list[tuple[str, str, str, str]]) -> tuple[list[str], list[str]]:
    given: Counter[str] = Counter()
    family: Counter[str] = Counter()
    for _e, _n, type_, alias in rows:
        words = [w for w in alias.replace(",", " ").split() if w.replace("-", "").isalpha() and len(w) > 2]
        if type_ != "person" or len(words) < 2:
            continue
        given.update(w.capitalize() for w in words[:-1])
        surname = words[-1].capitalize()
        for article in ("Al-", "El-"):
            surname = surname.removeprefix(article)
        if len(surname) > 2:
            family[surname] += 1
    # The most frequent given names of the SDN list are the Arabic-world ones (Muhammad, Ali, Ahmad...)
    return [w for w, _ in given.most_common(600)], [w for w, _ in family.most_common()]


def _spell(rng: random.Random, word: str) -> str:
    group = _SPELLING.get(word)
    return rng.choice(group) if group else word


def _person(rng: random.Random, given: list[str], family: list[str]) -> list[str]:
    first, father, grand = (_zipf(rng, given) for _ in range(3))
    surname = _zipf(rng, family)
    article = rng.random() < 0.6
    full = [first, father, grand, ("al-" if article else "") + surname]
    names = [" ".join(full)]
    for _ in range(rng.randint(1, 3)):
        parts = [_spell(rng, w) for w in (full if rng.random() < 0.5 else [full[0], full[1], full[3]])]
        if article and rng.random() < 0.5:
            parts[-1] = rng.choice(["al-", "el-", "Al ", "", "Al-"]) + surname
        text = " ".join(parts)
        if rng.random() < 0.2:
            text = f"{parts[-1].upper()}, {' '.join(parts[:-1])}"
        if rng.random() < 0.1:
            text = f"Abu {_spell(rng, _zipf(rng, given))} {parts[-1]}"
        if text not in names:
            names.append(text)
    return names


def _company(rng: random.Random, family: list[str]) -> list[str]:
    base = f"{_zipf(rng, family)} {rng.choice(_ORG_WORDS)}"
    names = [f"{base} {rng.choice(_ORG_FORMS)}"]
    for _ in range(rng.randint(0, 2)):
        text = f"Al-{base} {rng.choice(_ORG_FORMS)}" if rng.random() < 0.5 else base.upper()
        if text not in names:
            names.append(text)
    return names


def generate(total: int) -> Iterator[tuple[str, str, str, str]]:
    """The SDN rows, then generated entities until ``total`` aliases (a prefix of any larger store)."""
    rows = sdn_rows()
    yield from rows
    given, family = _vocabulary(rows)
    rng = random.Random(SEED)
    count, n = len(rows), 0
    while count < total:
        n += 1
        person = rng.random() < 0.8
        names = _person(rng, given, family) if person else _company(rng, family)
        for alias in names[: total - count]:
            yield f"gen-{n}", names[0], "person" if person else "organization", alias
            count += 1


def queries() -> list[dict[str, str]]:
    with (SDN / "queries.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return sorted(rows, key=lambda r: zlib.crc32(r["query"].encode()))[:QUERIES]


# --- measuring -----------------------------------------------------------------------------------

_LOOKUPS = r"""
import json, resource, sys, time
started = time.perf_counter()
from resolver import Resolver
from resolver.longrun import settle
r = Resolver.open(sys.argv[1])
settle()  # as serve's and normalize's workers do once their resolver is open
queries = json.loads(open(sys.argv[2]).read())
first = r.resolve(queries[0])
first_s = time.perf_counter() - started
first_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
answers, times, cpu, lines = [], [], [], []
for q in queries:
    t, c = time.perf_counter(), time.thread_time()
    res = r.resolve(q, limit=10)
    times.append(time.perf_counter() - t)
    cpu.append(time.thread_time() - c)
    answers.append([res.status.value, res.entity.id if res.entity else None, [c.entity.id for c in res.candidates]])
    cands = "; ".join(f"{c.entity.id}:{c.score!r}:{c.alias}:{c.explanation}" for c in res.candidates)
    lines.append(f"{q!r}\t{res.status.value} {res.entity.id if res.entity else None} {res.score!r} {res.alias!r} "
                 f"{res.explanation!r} [{cands}]")
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"first_s": first_s, "first_rss": first_rss, "rss": rss, "times": times, "cpu": cpu,
                  "answers": answers, "lines": lines}))
"""


def run_lookups(db: str, texts: list[str], work: Path) -> dict[str, Any]:
    path = work / "queries.json"
    path.write_text(json.dumps(texts))
    done = subprocess.run([sys.executable, "-c", _LOOKUPS, db, str(path)], capture_output=True, text=True, check=True)
    out: dict[str, Any] = json.loads(done.stdout)
    for key in ("times", "cpu"):
        times = sorted(out[key])
        out[f"qps_{key}"] = len(times) / sum(times)
        out[f"p99_{key}"] = times[int(0.99 * (len(times) - 1))] * 1000
    return out


def _right(q: dict[str, str], answer: list[Any]) -> bool:
    status, entity, _ = answer
    if q["kind"] == "positive":
        return status == "matched" and entity == q["expected_entity_id"]
    return status != "matched"


def _namesake(resolver: Any, query: str) -> bool:
    """Whether a generated entity among the query's candidates has an alias holding every word
    of the query, by skeleton: a genuine namesake, which the name alone cannot tell apart from
    the right entity (whether the judge then lists it or not)."""
    from resolver.matching.normalize import analyze
    from resolver.matching.skeletons import coarse

    name = analyze(query)
    wanted = {coarse(t.key) for t in name.tokens}
    index = resolver.index
    return any(alias.entity_id.startswith("gen-") and wanted <= alias.keyset
               for alias in (index.aliases[i] for i in index.candidates(name)))


def _as_good(resolver: Any, q: dict[str, str]) -> bool:
    """Whether a generated entity among the query's candidates has an alias holding every query
    word (by skeleton) that the right entity's best alias holds: a reading of the mention as good
    as the right one, which the name cannot tell from it (looser than :func:`_namesake`, which
    asks for every query word: "Muhammed Vladimir el-Antyufeyev" is one for "Vladimir Yuryevich
    ANTYUFEYEV" beside "Vladimir ANTYUFEYEV").  For a negative, every query word."""
    from resolver.matching.normalize import analyze
    from resolver.matching.skeletons import coarse

    name = analyze(q["query"])
    wanted = {coarse(t.key) for t in name.tokens}
    if q["kind"] == "positive":
        own = [{coarse(t.key) for t in analyze(a.text).tokens}
               for a in resolver.store.get_entity(q["expected_entity_id"]).aliases]
        wanted = max((wanted & keys for keys in own), key=len, default=set())
    index = resolver.index
    return bool(wanted) and any(alias.entity_id.startswith("gen-") and wanted <= alias.keyset
                                for alias in (index.aliases[i] for i in index.candidates(name)))


def _reason(q: dict[str, str], answer: list[Any], resolver: Any = None) -> str:
    status, entity, candidates = answer
    namesake = resolver is not None and _namesake(resolver, q["query"])
    if q["kind"] == "negative":
        if str(entity).startswith("gen-"):
            return "negative matches a generated namesake" if namesake else "negative now matches a generated name"
        return "negative now matches"
    expected = q["expected_entity_id"]
    if expected not in candidates:
        return ("right entity not listed, beside a generated namesake" if namesake
                else "right entity not among the candidates")
    if status == "ambiguous":
        return "ambiguous with a generated namesake" if any(c.startswith("gen-") for c in candidates) else "ambiguous"
    if str(entity).startswith("gen-"):
        return "a generated namesake outscores it"
    if status == "unresolved":
        return ("unresolved beside a generated namesake" if namesake
                else "unresolved, no generated namesake (right entity listed)")
    return "outscored"


def _rss_tree(proc: psutil.Process) -> list[float]:
    try:
        return [c.memory_info().rss / 2**20 for c in proc.children(recursive=True)]
    except psutil.Error:
        return []


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_serve(db: str) -> tuple[float, list[float]]:
    """Seconds from ``resolver serve`` to its first /resolve answer, and RSS (MiB) of each worker."""
    port = _free_port()
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "resolver", "serve", "--workers", "2", "--port", str(port),
                             "--db", db], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/resolve?q=Kazemi", timeout=60) as resp:
                    resp.read()
                    break
            except OSError:
                if proc.poll() is not None or time.perf_counter() - started > 600:
                    raise RuntimeError("serve did not answer") from None
                time.sleep(0.05)
        first = time.perf_counter() - started
        for _ in range(50):  # touch both workers
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/resolve?q=Hassan+Nasrallah", timeout=60) as resp:
                resp.read()
        return first, _rss_tree(psutil.Process(proc.pid))
    finally:
        proc.terminate()
        proc.wait(timeout=30)


_WATCH = r"""
import sys, time
from resolver import Resolver
r = Resolver.open(sys.argv[1])
r.resolve("warm up")
print("ready", flush=True)
for name in sys.stdin:
    name = name.strip()
    while r.resolve(name).status.value != "matched":
        pass
    print(time.time(), flush=True)
"""


def run_visibility(db: str, trials: int = 5) -> list[float]:
    """Seconds between a write committed here and a lookup in another process that finds it."""
    from resolver import Resolver

    watcher = subprocess.Popen([sys.executable, "-c", _WATCH, db], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               text=True)
    assert watcher.stdin is not None and watcher.stdout is not None
    assert watcher.stdout.readline().strip() == "ready"
    writer = Resolver.open(db)
    delays = []
    rng = random.Random(time.time_ns())
    try:
        for _ in range(trials):
            # two made-up words per trial, none shared with another trial (an earlier trial's name
            # one letter away would be found before the write and make the delay negative)
            name = " ".join("".join(rng.choice("bdfgklmnprstvz") + rng.choice("aeiou") for _ in range(4)).title()
                            for _ in range(2))
            watcher.stdin.write(name + "\n")
            watcher.stdin.flush()
            time.sleep(0.2)  # the watcher is now looking and not finding it
            writer.store.add_alias("sdn-36", name, actor="bench")
            committed = time.time()
            delays.append(float(watcher.stdout.readline()) - committed)
    finally:
        writer.close()
        watcher.stdin.close()
        watcher.wait(timeout=30)
    return delays


def run_normalize(db: str, rows: int, store_csv: Path, work: Path) -> tuple[float, float, int]:
    """``resolver normalize --workers 2`` on ``rows`` rows drawn from the store's aliases: (s, peak MiB, distinct)."""
    rng = random.Random(SEED + 1)
    with store_csv.open(encoding="utf-8", newline="") as fh:
        aliases = [r["alias"] for r in csv.DictReader(fh)]
    rng.shuffle(aliases)
    path = work / f"normalize-{rows}.csv"
    distinct: set[str] = set()
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "name"])
        for i in range(rows):
            r = rng.random()
            value = (f"Unknown Person {rng.randrange(rows)}" if r < 0.2 else "" if r < 0.25
                     else _zipf(rng, aliases, 0.9))
            distinct.add(value)
            writer.writerow([i, value])
    started = time.perf_counter()
    proc = psutil.Popen([sys.executable, "-m", "resolver", "normalize", str(path), "-c", "name", "-o",
                         str(work / "out.csv"), "--workers", "2", "-q", "--db", db])
    peak = 0.0
    while proc.poll() is None:
        with contextlib.suppress(psutil.Error):
            peak = max(peak, proc.memory_info().rss / 2**20 + sum(_rss_tree(proc)))
        time.sleep(0.5)
    if proc.returncode:
        raise RuntimeError("normalize failed")
    return time.perf_counter() - started, peak, len(distinct)


# --- the run -------------------------------------------------------------------------------------


def _pg_database(admin: str, name: str) -> str:
    from sqlalchemy import create_engine, make_url, text

    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(admin).set(database=name).render_as_string(hide_password=False)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--pg", default=os.environ.get("RESOLVER_TEST_PG", ""), help="admin URL of a PostgreSQL server")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--serve", action="store_true")
    parser.add_argument("--visibility", action="store_true")
    parser.add_argument("--normalize", type=int, default=0, help="rows for normalize --workers 2 (0: skip)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/scale-bench"))
    parser.add_argument("--answers", type=Path,
                        help="write every resolution of the lookups (status, entity, score, reason, candidates) to "
                             "FILE.BACKEND-SIZE.txt, one line each, to diff two versions exactly")
    parser.add_argument("--reuse", action="store_true",
                        help="SQLite: use the store an earlier run left in --work instead of importing it again")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    sample = queries()
    texts = [q["query"] for q in sample]
    backends = [b for b in args.backends.split(",") if b != "postgresql" or args.pg]
    sizes = [int(s) for s in args.sizes.split(",")]
    baseline: dict[str, list[Any]] = {}
    print("| backend | aliases | import s (CPU s) | first answer s (fresh process) | RSS MiB first / after 2,000 | "
          "lookups/s wall (CPU) | p99 ms wall (CPU) | right -> wrong vs 10k |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for backend in backends:
        for size in sizes:
            store_csv = args.work / f"store-{size}.csv"
            if not store_csv.exists():
                with store_csv.open("w", encoding="utf-8", newline="") as fh:
                    writer = csv.writer(fh)
                    writer.writerow(["entity_id", "canonical_name", "type", "alias"])
                    writer.writerows(generate(size))
            reused = False
            if backend == "sqlite":
                path = args.work / f"store-{size}.db"
                reused = args.reuse and path.exists()
                for stale in () if reused else (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                    stale.unlink(missing_ok=True)
                db = f"sqlite:///{path}"
            else:
                db = _pg_database(args.pg, f"resolver_scale_{size}")
            started, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
            if reused:  # (migrated first, if it was written by an older schema: not part of any timing)
                subprocess.run([sys.executable, "-m", "resolver", "migrate", "--db", db], check=True,
                               stdout=subprocess.DEVNULL)
            else:
                subprocess.run([sys.executable, "-m", "resolver", "import", str(store_csv), "--db", db], check=True,
                               stdout=subprocess.DEVNULL)
            imported = time.perf_counter() - started
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            import_cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
            out = run_lookups(db, texts, args.work)
            answers = out["answers"]
            if args.answers:
                Path(f"{args.answers}.{backend}-{size}.txt").write_text("".join(f"{line}\n" for line in out["lines"]),
                                                                        encoding="utf-8")
            if backend not in baseline:
                baseline[backend] = answers
            reasons: Counter[str] = Counter()
            unlike = 0  # right -> wrong with no generated alias as good a reading as the right one
            from resolver import Resolver

            reader = Resolver.open(db)
            try:
                for q, old, new in zip(sample, baseline[backend], answers, strict=True):
                    if _right(q, old) and not _right(q, new):
                        reasons[_reason(q, new, reader)] += 1
                        unlike += not _as_good(reader, q)
            finally:
                reader.close()
            changed = sum(reasons.values())
            why = "; ".join(f"{n} {r}" for r, n in reasons.most_common()) or "-"
            done = "reused" if reused else f"{imported:.1f} ({import_cpu:.1f})"
            print(f"| {backend} | {size:,} | {done} | {out['first_s']:.2f} | "
                  f"{out['first_rss']:.0f} / {out['rss']:.0f} | {out['qps_times']:,.0f} ({out['qps_cpu']:,.0f}) | "
                  f"{out['p99_times']:.1f} ({out['p99_cpu']:.1f}) | {changed} ({why}) |", flush=True)
            right = sum(_right(q, a) for q, a in zip(sample, answers, strict=True))
            print(f"    right answers {right} of {len(sample)}", flush=True)
            if changed:
                print(f"    of the {changed} right -> wrong, {unlike} have no generated alias among the candidates "
                      "holding every query word the right entity's best alias holds", flush=True)
            if size != sizes[-1]:
                continue  # serve, visibility and normalize: on the largest store only
            if args.serve:
                first, workers = run_serve(db)
                print(f"    serve: first answer after {first:.1f} s; worker RSS MiB "
                      f"{', '.join(f'{w:.0f}' for w in workers)}", flush=True)
            if args.visibility:
                delays = run_visibility(db)
                print(f"    write seen by another process after {max(delays) * 1000:.1f} ms at most "
                      f"({', '.join(f'{d * 1000:.1f}' for d in delays)} ms)", flush=True)
            if args.normalize:
                seconds, peak, distinct = run_normalize(db, args.normalize, store_csv, args.work)
                print(f"    normalize --workers 2: {args.normalize:,} rows ({distinct:,} distinct) in {seconds:.1f} s, "
                      f"peak {peak:.0f} MiB (command + workers)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
