"""Import and re-sync of a generated FollowTheMoney export, on SQLite and PostgreSQL.

A deterministic generator writes N entities as OpenSanctions-style JSON lines (60% Person, 35%
Organization/Company/LegalEntity/PublicBody, 5% Vessel; 1-3 aliases each, a fifth with an
Arabic-script name, some previous and weak names and identifiers; one Sanction line per 50
entities, skipped), then a second export in which 1% of the records differ: 0.5% changed
(an alias added, the description changed), 0.25% dropped, 0.25% new.

Each run is ``resolver import --format ftm`` as a subprocess; peak memory is its largest RSS,
sampled every 50 ms with psutil, and also reported at 25% and 50% of the run time, which shows
whether it stays flat.  The baseline, in the same run and on the same store kind, is the
project's own four-column CSV import (``resolver import FILE.csv``) of the same entities'
names, which knows nothing of sources, history diffs or ownership: the figure is the ratio.

    python bench/sources.py [--size 500000] [--pg URL] [--keep DIR]

``--pg`` (or ``RESOLVER_TEST_PG``) is an admin SQLAlchemy URL; a database is created and dropped.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psutil  # type: ignore[import-untyped]

SEED = 20261129
_GIVEN = ("Ahmad", "Ali", "Hassan", "Hussein", "Mohammed", "Mahmoud", "Omar", "Karim", "Jamal", "Tariq", "Walid",
          "Ziad", "Faisal", "Nabil", "Samir", "Yasin", "Bilal", "Idris", "Khalil", "Rami", "Qais", "Laith", "Hadi",
          "Majid", "Nasser", "Rashid", "Saad", "Anwar", "Adnan", "Basim", "Zainab", "Fatima", "Maryam", "Layla")
_ARABIC = ("أحمد", "علي", "حسن", "حسين", "محمد", "محمود", "عمر", "كريم", "جمال", "طارق", "وليد", "زياد", "فيصل")
_ORG = ("Trading", "Holding", "Brigades", "Foundation", "Shipping", "Group", "Front", "Movement", "Industries",
        "Petrochemical", "Exchange", "Ministry of", "Bank", "Organization")
_FORMS = ("Co.", "LLC", "Ltd", "FZE", "JSC", "")
_SYL = [c + v for c in "bdfghjklmnqrstwyz" for v in "aiu"]
_SCHEMATA = ["Person"] * 12 + ["Organization", "Company", "Company", "LegalEntity", "PublicBody", "Company",
                                "Organization"] + ["Vessel"]


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(_SYL) for _ in range(rng.randint(2, 4))).capitalize()


def entity(i: int, variant: int = 0) -> dict[str, object]:
    rng = random.Random(SEED * 1_000_003 + i)
    schema = rng.choice(_SCHEMATA)
    props: dict[str, list[str]] = {}
    if schema == "Person":
        given, family = rng.choice(_GIVEN), _word(rng)
        name = f"{given} al-{family}"
        props["alias"] = [f"{given} {family}", f"{family.upper()}, {given}"][: rng.randint(1, 2)]
        if rng.random() < 0.2:
            props["alias"].append(f"{rng.choice(_ARABIC)} {rng.choice(_ARABIC)}")
        if rng.random() < 0.3:
            props["weakAlias"] = [f"Abu {_word(rng)}"]
        props["birthDate"] = [f"{rng.randint(1940, 2000)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"]
        props["nationality"] = [rng.choice(["iq", "ir", "sy", "lb", "ye"])]
    elif schema == "Vessel":
        name = f"{_word(rng).upper()} {rng.randint(1, 9)}"
        props["imoNumber"] = [str(9_000_000 + i % 999_999)]
        if rng.random() < 0.5:
            props["previousName"] = [f"{_word(rng).upper()} {rng.randint(1, 9)}"]
    else:
        name = f"{_word(rng)} {rng.choice(_ORG)} {rng.choice(_FORMS)}".strip()
        props["alias"] = [name.upper()] + ([f"{_word(rng)} {rng.choice(_ORG)}"] if rng.random() < 0.5 else [])
        if rng.random() < 0.2:
            props["previousName"] = [f"{_word(rng)} {rng.choice(_ORG)}"]
        if rng.random() < 0.5:
            props["registrationNumber"] = [str(rng.randint(10_000, 99_999_999))]
    props["name"] = [name]
    props["topics"] = ["sanction"]
    if variant:
        props.setdefault("alias", []).append(f"{name} ({variant})")
        props["topics"].append("role.pep")
    return {"id": f"NK-{i:07d}", "schema": schema, "caption": name, "properties": props,
            "datasets": ["bench_list"], "last_change": f"2026-0{1 + variant}-01T00:00:00", "target": True}


def write_export(path: Path, size: int, *, version: int) -> None:
    """Version 1: entities 0..size-1.  Version 2: 0.25% dropped, 0.5% changed, 0.25% new."""
    with path.open("w", encoding="utf-8") as out:
        for i in range(size + (size // 400 if version == 2 else 0)):
            if version == 1 and i >= size:
                break
            if version == 2 and i % 400 == 7:
                continue  # dropped
            variant = 1 if version == 2 and i % 200 == 3 else 0
            out.write(json.dumps(entity(i, variant), ensure_ascii=False) + "\n")
            if i % 50 == 0:
                out.write(json.dumps({"id": f"s-{i}", "schema": "Sanction", "properties": {"entity": [f"NK-{i:07d}"]},
                                      "datasets": ["bench_list"]}) + "\n")


def write_csv(path: Path, size: int) -> None:
    """The same entities' names in the four-column CSV format (the baseline's input)."""
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(("entity_id", "canonical_name", "type", "alias"))
        types = {"Person": "person", "Vessel": "other"}
        for i in range(size):
            e = entity(i)
            props = e["properties"]
            assert isinstance(props, dict)
            name, type = str(e["caption"]), types.get(str(e["schema"]), "organization")
            seen = dict.fromkeys([name, *props.get("alias", []), *props.get("previousName", []),
                                  *props.get("weakAlias", [])])
            for alias in seen:
                writer.writerow((f"bench-{i}", name, type, alias))


def _backends(database: str) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL server process serving ``database`` on this machine
    (its command line names the database); empty for a remote server."""
    out = {}
    for p in psutil.process_iter(["cmdline"]):
        with contextlib.suppress(psutil.Error):
            cmd = " ".join(p.info["cmdline"] or [])
            if cmd.startswith("postgres: ") and f" {database} " in cmd:
                t = p.cpu_times()
                out[p.pid] = t.user + t.system
    return out


def run(args: list[str], database: str = "") -> tuple[float, float, float, float, float, str, float]:
    """(seconds, CPU seconds, peak MiB, MiB at 25% and at 50% of the run, first output line, CPU seconds
    of the PostgreSQL server processes serving ``database``) of one command."""
    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = psutil.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    samples: list[tuple[float, float]] = []
    server: dict[int, float] = {}
    tick = 0
    while proc.poll() is None:
        with contextlib.suppress(psutil.Error):
            samples.append((time.perf_counter() - started, proc.memory_info().rss / 2**20))
        if database and tick % 5 == 0:  # a backend's CPU time only grows: keep the last seen
            server.update(_backends(database))
        tick += 1
        time.sleep(0.05)
    out = proc.stdout.read() if proc.stdout else ""
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{out}")

    def at(fraction: float) -> float:
        return next((m for t, m in samples if t >= seconds * fraction), samples[-1][1] if samples else 0.0)

    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    peak = max((m for _, m in samples), default=0.0)
    return seconds, cpu, peak, at(0.25), at(0.5), out.strip().splitlines()[0], sum(server.values())


def store_size(db: str) -> float:
    if "://" not in db:
        return sum(p.stat().st_size for p in Path(db).parent.glob(Path(db).name + "*")) / 2**20
    from sqlalchemy import create_engine, text

    engine = create_engine(db)
    with engine.connect() as conn:
        size = conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
    engine.dispose()
    return float(size) / 2**20


def _database(db: str) -> str:
    return db.rsplit("/", 1)[-1].split("?")[0] if "://" in db else ""


def bench(kind: str, dbs: tuple[str, str], v1: Path, v2: Path, csv_file: Path, size: int, base_size: int) -> None:
    exe = [sys.executable, "-m", "resolver"]
    db, baseline_db = dbs
    base = run([*exe, "import", str(csv_file), "--db", baseline_db], _database(baseline_db))
    first = run([*exe, "import", "--format", "ftm", str(v1), "--source", "bench", "-q", "--db", db], _database(db))
    size_mib = store_size(db)
    again = run([*exe, "import", "--format", "ftm", str(v2), "--source", "bench", "-q", "--db", db], _database(db))
    for label, n, (secs, cpu, peak, q1, q2, line, server) in (
            ("CSV import (baseline)", base_size, base), ("ftm import", size, first),
            ("ftm re-sync, 1% changed", size, again)):
        memory = f"{peak:.0f} ({q1:.0f} / {q2:.0f})"
        cpus = f"{cpu:.1f} + {server:.1f}" if "://" in db else f"{cpu:.1f}"
        print(f"| {kind} | {label} | {n:,} | {secs:.1f} | {cpus} | {n / secs:,.0f} | {memory} |", flush=True)
        print(f"    {line}", file=sys.stderr, flush=True)
    rate_base, rate = base_size / (base[1] + base[6]), size / (first[1] + first[6])
    print(f"| {kind} | store size after import: {size_mib:.0f} MiB; import CPU rate (client + server) / baseline's: "
          f"{rate / rate_base:.2f} | | | | | |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=500_000)
    parser.add_argument("--baseline-size", type=int, default=50_000,
                        help="entities in the CSV baseline (its rate is compared, not its time)")
    parser.add_argument("--pg", default=os.environ.get("RESOLVER_TEST_PG", ""))
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--keep", type=Path, default=None)
    opts = parser.parse_args()
    work = opts.keep or Path(tempfile.mkdtemp(prefix="sources-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        _bench_all(opts, work)
    finally:
        if opts.keep is None:
            shutil.rmtree(work, ignore_errors=True)


def _bench_all(opts: argparse.Namespace, work: Path) -> None:
    v1, v2, csv_file = work / "v1.ftm.json", work / "v2.ftm.json", work / "v1.csv"
    started = time.perf_counter()
    write_export(v1, opts.size, version=1)
    write_export(v2, opts.size, version=2)
    base_size = min(opts.baseline_size, opts.size)
    write_csv(csv_file, base_size)
    print(f"generated {opts.size:,} entities ({v1.stat().st_size / 2**20:.0f} MiB) in "
          f"{time.perf_counter() - started:.0f} s", file=sys.stderr)
    print("| store | run | entities | seconds | CPU s (PostgreSQL: client + server) | entities/s "
          "| peak MiB (at 25% / 50% of the run) |")
    print("|---|---|--:|--:|--:|--:|--:|", flush=True)
    for p in work.glob("*.db*"):
        p.unlink()
    if not opts.no_sqlite:
        bench("SQLite", (str(work / "bench.db"), str(work / "baseline.db")), v1, v2, csv_file, opts.size, base_size)
    if opts.pg:
        from sqlalchemy import create_engine, make_url, text

        admin = create_engine(opts.pg, isolation_level="AUTOCOMMIT")
        names = [f"sources_bench_{uuid.uuid4().hex[:10]}" for _ in range(2)]
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            urls = [make_url(opts.pg).set(database=n).render_as_string(hide_password=False) for n in names]
            bench("PostgreSQL", (urls[0], urls[1]), v1, v2, csv_file, opts.size, base_size)
        finally:
            with admin.connect() as conn:
                for name in names:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
