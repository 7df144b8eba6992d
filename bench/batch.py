"""Speed and memory of ``resolver normalize`` on a generated 1,000,000-row CSV, against a naive baseline.

The file (deterministic seed) has an ``actor`` column drawn from the aliases of the bundled store
with a Zipf skew (s=1.1 over the aliases in a shuffled order), plus 20% names that are in no
store (drawn with a Zipf skew from a pool of synthetic names, so most are distinct) and 5% empty
cells, among four other columns.  ``resolver normalize`` runs as a subprocess on the first
100,000 rows and on all 1,000,000, with 1 and 2 workers; the peak memory is the largest sum of
RSS over the process tree (the command and its workers), sampled every 100 ms with psutil.
The CPU seconds are those of the command and its workers, which tells the work apart from other
load on the machine.  The naive baseline (the csv module and ``Resolver.resolve`` on every row, no cache) runs in this
process on a sample and its rate is extrapolated to the whole file.  A benchmark, not a test.

    python bench/batch.py [--rows 1000000] [--small 100000] [--baseline-rows 20000] [--keep DIR]
                          [--runs 1,2,dask] [--blocksize 4MiB]

``--runs dask`` adds ``resolver normalize --scheduler local --workers 2`` (a Dask LocalCluster of two
worker processes, started and stopped by the command, so in its time) and prints its rows/s against
the two-process run's; ``--baseline-rows 0`` skips the naive baseline.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil  # type: ignore[import-untyped]  # (no stubs needed for four calls)

from resolver import Resolver
from resolver.store.build import build_bundle, default_source

SEED = 20240601
_GIVEN = (
    "Ahmad", "Ali", "Hassan", "Hussein", "Mohammed", "Mahmoud", "Omar", "Karim", "Jamal", "Tariq", "Walid", "Ziad",
    "Faisal", "Nabil", "Samir", "Yasin", "Bilal", "Idris", "Khalil", "Rami", "Sami", "Fadi", "Hadi", "Majid",
    "Nasser", "Rashid", "Saad", "Anwar", "Adnan", "Basim", "Laith", "Muhannad", "Zainab", "Fatima", "Maryam",
    "Layla", "Huda", "Noor", "Rana", "Dalia", "Salma", "Amal", "Rasha", "Hiba", "Sara", "Yasmin", "Lina", "Reem",
)
_SYLLABLES = [c + v for c in "bdfghjklmnqrstwyz" for v in "aiu"]


@dataclass(frozen=True)
class Row:
    label: str
    rows: int
    workers: str
    seconds: float
    cpu: str
    memory: str
    note: str

    def line(self) -> str:
        rate = self.rows / self.seconds
        return (f"| {self.label:<24} | {self.rows:>9,} | {self.workers:>7} | {self.seconds:>6.1f} | {rate:>8,.0f} "
                f"| {self.cpu:>5} | {self.memory:>21} | {self.note} |")


def zipf_weights(n: int, s: float) -> list[float]:
    return list(itertools.accumulate(1.0 / (k ** s) for k in range(1, n + 1)))


def synthetic_names(rnd: random.Random, n: int) -> list[str]:
    """Invented family names after common given names: plausible, and in no store."""
    names: set[str] = set()
    while len(names) < n:
        family = "".join(rnd.choice(_SYLLABLES) for _ in range(rnd.randint(2, 3))).capitalize()
        names.add(f"{rnd.choice(_GIVEN)} {family}{rnd.choice(['', 'i', 'awi', 'ani'])}")
    return sorted(names)


def generate(path: Path, rows: int, aliases: Sequence[str], small: Path, small_rows: int) -> dict[str, int]:
    rnd = random.Random(SEED)
    known = list(aliases)
    rnd.shuffle(known)
    unknown = synthetic_names(rnd, 400_000)
    rnd.shuffle(unknown)
    known_cum, unknown_cum = zipf_weights(len(known), 1.1), zipf_weights(len(unknown), 0.6)
    kinds = rnd.choices(("known", "unknown", "empty"), weights=(75, 20, 5), k=rows)
    picks_known = iter(rnd.choices(known, cum_weights=known_cum, k=rows))
    picks_unknown = iter(rnd.choices(unknown, cum_weights=unknown_cum, k=rows))
    countries = ["IQ", "IR", "SY", "LB", "YE", "US", ""]
    distinct: dict[str, set[str]] = {"known": set(), "unknown": set()}
    with path.open("w", newline="", encoding="utf-8") as fh, small.open("w", newline="", encoding="utf-8") as sh:
        writers = [csv.writer(fh), csv.writer(sh)]
        header = ["event_id", "date", "actor", "country", "notes"]
        for w in writers:
            w.writerow(header)
        for i, kind in enumerate(kinds):
            name = next(picks_known) if kind == "known" else next(picks_unknown) if kind == "unknown" else ""
            if name:
                distinct[kind].add(name)
            row = [f"E{i:07d}", f"2023-{1 + i % 12:02d}-{1 + i % 28:02d}", name, countries[i % 7],
                   "reported by local media" if i % 3 else "statement, two sources"]
            writers[0].writerow(row)
            if i < small_rows:
                writers[1].writerow(row)
    return {"known": len(distinct["known"]), "unknown": len(distinct["unknown"])}


@dataclass(frozen=True)
class Measured:
    seconds: float
    cpu_seconds: float  # user + system of the command and its workers
    peak_mib: float  # largest sum of RSS over the process tree
    parent_mib: float  # largest RSS of the command itself
    worker_mib: float  # largest RSS of any one worker
    load: float  # 1-minute load average at the end (other work on the machine)
    summary: str


def run_cli(src: Path, out: Path, db: Path, workers: int, scheduler: str | None = None,
            blocksize: str | None = None) -> Measured:
    """Run ``resolver normalize`` (with a to-do list) and measure its time and the memory of its process tree.

    With ``scheduler="local"`` the command starts a Dask LocalCluster of ``workers`` processes (their
    nannies and workers are in its process tree, so in the peak and the CPU time).
    """
    cmd = [sys.executable, "-m", "resolver", "normalize", str(src), "-c", "actor", "-o", str(out),
           "--unresolved", str(out.with_suffix(".todo.csv")), "--db", str(db), "--workers", str(workers)]
    if scheduler is not None:
        cmd += ["--scheduler", scheduler] + (["--blocksize", blocksize] if blocksize else [])
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    # One hash seed for the command and its workers: the resolver's candidate cut (index.py,
    # ``ranked[:_MAX_CANDIDATES]``) breaks ties in set order, so a few names score differently
    # from one process to another until that is fixed; the batch layer adds no such variation.
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    root = psutil.Process(proc.pid)
    peak = parent = worker = 0
    while proc.poll() is None:
        try:
            mine = root.memory_info().rss
            others = [p.memory_info().rss for p in root.children(recursive=True)]
        except psutil.Error:
            continue  # a process ended between listing and reading
        peak, parent, worker = max(peak, mine + sum(others)), max(parent, mine), max([worker, *others])
        time.sleep(0.1)  # sampling costs CPU too; memory changes slowly
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # workers are waited for by the command, so counted
    stderr = proc.stderr.read() if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Measured(seconds, cpu, peak / 2**20, parent / 2**20, worker / 2**20, os.getloadavg()[0],
                    " / ".join(stderr.strip().splitlines()))


def naive(src: Path, db: Path, rows: int, out: Path) -> float:
    """The baseline: csv module, ``Resolver.resolve`` on every row, no cache.  Seconds for ``rows`` rows."""
    resolver = Resolver.open(str(db))
    started = time.perf_counter()
    with src.open(newline="", encoding="utf-8") as fh, out.open("w", newline="", encoding="utf-8") as oh:
        reader, writer = csv.reader(fh), csv.writer(oh)
        header = next(reader)
        writer.writerow([*header, "actor_id", "actor_name", "actor_type", "actor_score", "actor_status"])
        at = header.index("actor")
        for row in itertools.islice(reader, rows):
            res = resolver.resolve(row[at]) if row[at].strip() else None
            entity = res.entity if res is not None else None
            writer.writerow([*row, entity.id if entity else "", entity.name if entity else "",
                             entity.type if entity else "", f"{res.score:.3f}" if res else "",
                             res.status.value if res else "unresolved"])
    resolver.close()
    return time.perf_counter() - started


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=100_000)
    parser.add_argument("--baseline-rows", type=int, default=20_000, help="rows of the naive run (extrapolated)")
    parser.add_argument("--keep", type=Path, default=None, help="generate into this directory and keep the files")
    parser.add_argument("--runs", default="1,2,dask", help="which runs: 1 and 2 worker processes, dask (a "
                        "LocalCluster of 2 workers), comma-separated")
    parser.add_argument("--blocksize", default=None, help="--blocksize of the dask run (default: the command's)")
    args = parser.parse_args(argv)
    runs = args.runs.split(",")

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = args.keep or Path(tmp_name)
        tmp.mkdir(parents=True, exist_ok=True)
        db = tmp / "aliases.db"
        build_bundle(default_source(), db)  # a private copy: the run never writes the real aliases.db
        resolver = Resolver.open(str(db))
        aliases = sorted({row[3] for row in resolver.store.export_rows()})
        resolver.close()
        big, small = tmp / f"events_{args.rows}.csv", tmp / f"events_{args.small}.csv"
        started = time.perf_counter()
        distinct = generate(big, args.rows, aliases, small, args.small)
        print(f"generated {big.name} ({big.stat().st_size / 2**20:.0f} MiB) in {time.perf_counter() - started:.0f} s: "
              f"{distinct['known']:,} distinct known aliases (of {len(aliases)}), "
              f"{distinct['unknown']:,} distinct unknown names; {os.cpu_count()} CPUs, "
              f"load average {os.getloadavg()[0]:.1f}", flush=True)

        table: list[Row] = []
        rates: dict[tuple[int, str], float] = {}
        for src, rows in ((small, args.small), (big, args.rows)):
            for run in runs:
                workers = 2 if run == "dask" else int(run)
                m = run_cli(src, tmp / f"out_{rows}_{run}.csv", db, workers,
                            "local" if run == "dask" else None, args.blocksize)
                memory = f"{m.peak_mib:,.0f} ({m.parent_mib:,.0f}" + (f" + {workers}x{m.worker_mib:,.0f})"
                                                                     if workers > 1 else ")")
                label = "normalize --scheduler local" if run == "dask" else "resolver normalize"
                table.append(Row(label, rows, str(workers), m.seconds, f"{m.cpu_seconds:.0f}", memory,
                                 f"{next(x for x in m.summary.split(' / ') if 'rows written' in x).split('; ')[-1]}; "
                                 f"load {m.load:.1f}"))
                rates[rows, run] = rows / m.seconds
                print(table[-1].line(), "|", m.summary, flush=True)
        outputs = {run: (tmp / f"out_{args.rows}_{run}.csv").read_bytes() for run in runs}
        same = all(o == outputs[runs[0]] for o in outputs.values())
        if args.baseline_rows:
            sample = min(args.baseline_rows, args.rows)
            seconds = naive(big, db, sample, tmp / "naive.csv")
            note = f"csv + Resolver.resolve per row, no cache; time extrapolated x{args.rows / sample:g}"
            table.append(Row(f"naive ({sample:,}-row sample)", args.rows, "1", seconds * args.rows / sample, "-",
                             "-", note))

    print()
    print("| run                      |      rows | workers |      s |   rows/s | CPU s "
          "| peak MiB (cmd + workers) | notes |")
    print("|--------------------------|----------:|--------:|-------:|---------:|------:|----------------------:|-------|")
    for row in table:
        print(row.line())
    print(f"\n{' and '.join(runs)} byte-identical on {args.rows:,} rows: {same}; "
          f"load average after: {os.getloadavg()[0]:.1f}")
    if "dask" in runs and "2" in runs:
        for rows in (args.small, args.rows):
            print(f"dask / 2 worker processes, rows/s at {rows:,} rows: {rates[rows, 'dask'] / rates[rows, '2']:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
