"""Recall of retrieval on the public SDN half: is the right entity among the index's candidates?

    python bench/recall.py [--data ../shared/bench/sdn] [--part dev|train|all] [--db PATH] [--show N]

Loads store.csv into a fresh store (or reuses ``--db`` when it exists), then for every positive
query of the part asks the index for its candidates (``CandidateIndex.candidates``, what
``Resolver`` scores) and counts the queries whose expected entity is among them, and among the
candidates the scorer gives a non-zero score.  Prints the recall, the mean number of candidates,
the time per lookup (milliseconds, median and p99) and a few misses with the expected entity's
names.  It fits nothing and decides nothing: the judge's figures are ``bench/sdn.py``'s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from resolver import Resolver
from resolver.matching.normalize import analyze
from resolver.matching.ranking import score_hits
from train.sdn_data import DEFAULT_DATA, import_store, load_queries


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--part", default="dev", choices=("dev", "train", "all"))
    parser.add_argument("--db", type=Path, help="a store of store.csv to reuse (made when missing)")
    parser.add_argument("--show", type=int, default=0, help="misses printed")
    args = parser.parse_args(argv)
    queries = [q for q in load_queries(args.data) if q.positive and args.part in ("all", q.part)]
    with tempfile.TemporaryDirectory(prefix="recall-") as tmp:
        db = args.db or Path(tmp) / "sdn.db"
        if not db.exists():
            import_store(args.data, db)
        r = Resolver.open(str(db))
        index = r.index
        names: dict[str, list[str]] = defaultdict(list)
        if args.show:
            for a in index.aliases:
                names[a.entity_id].append(a.text)
        found = scored = sizes = 0
        times: list[float] = []
        misses: list[str] = []
        with index.session():
            for q in queries:
                name = analyze(q.text)
                start = time.perf_counter()
                ids = index.candidates(name)
                times.append(time.perf_counter() - start)
                sizes += len(ids)
                entities = {index.aliases[i].entity_id for i in ids}
                if q.expected in entities:
                    found += 1
                    hits = score_hits(index, name)
                    scored += any(h.alias.entity_id == q.expected and h.score.value > 0 for h in hits)
                elif len(misses) < args.show:
                    misses.append(f"  {q.text!r} want {names[q.expected][:3]}")
    n = len(queries)
    times.sort()
    print(f"part {args.part}: {n} positive queries")
    print(f"right entity among candidates: {found}/{n} = {found / n:.3f}")
    print(f"right entity scored > 0:       {scored}/{n} = {scored / n:.3f}")
    print(f"candidates per lookup: {sizes / n:.1f}")
    print(f"retrieval time: median {statistics.median(times) * 1000:.2f} ms, "
          f"p99 {times[int(0.99 * (n - 1))] * 1000:.2f} ms, total {sum(times):.2f} s")
    for line in misses:
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
