"""Matching quality and speed on the public SDN benchmark (../shared/bench/sdn), against a baseline.

Loads store.csv into a fresh store with ``resolver import``, resolves every query of queries.csv
at the default settings, and prints, for the development part (the entities the matcher was not
trained on, ``train/sdn_data.py``) and for the whole public half: precision, recall, F1 and the
false-positive rate on negatives (all queries and arabic=1), recall at a false-positive rate of at
most 0.01 / 0.03 / 0.05 from the resolver's score, queries per second, index build time and peak
memory, and a junk probe: how many training-part names with one word replaced by random letters
("IRGC Xyz") are linked at all (none should be; by name length), and a swap probe: how many with one
name word replaced by another training name's word ("Hleb Leonardo DRYL" from "Hleb Uladzimiravich
DRYL") are linked back to the entity they were made from.  In the same process it runs the
baseline the issue names, rapidfuzz ``process.extractOne`` with WRatio over all aliases, at its best
threshold, and prints the speed ratio.  A benchmark, not a test.

    python bench/sdn.py [--data ../shared/bench/sdn] [--baseline-sample N]
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz, process, utils

# appended, not prepended: an installed build (a compiled wheel in its own venv) is the one measured;
# without one, the checkout's own package is found here
sys.path.append(str(Path(__file__).resolve().parent.parent))

import resolver as resolver_package
from resolver import Resolution, Resolver
from resolver.compiled import build_label
from resolver.settings import Settings
from train.sdn_data import DEFAULT_DATA, Query, import_store, junk_variants, load_queries, swap_variants


@dataclass(frozen=True)
class Metrics:
    precision: float
    recall: float
    f1: float
    fpr: float
    n: int

    def row(self, label: str) -> str:
        return (f"{label:<34} P={self.precision:.3f} R={self.recall:.3f} F1={self.f1:.3f} "
                f"FPR={self.fpr:.3f} (n={self.n})")


def metrics(queries: Sequence[Query], answers: Sequence[str | None]) -> Metrics:
    tp = fp = neg_fp = pos = neg = 0
    for q, a in zip(queries, answers, strict=True):
        if q.positive:
            pos += 1
            if a == q.expected:
                tp += 1
            elif a is not None:
                fp += 1
        else:
            neg += 1
            if a is not None:
                fp += 1
                neg_fp += 1
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / pos if pos else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Metrics(precision, recall, f1, neg_fp / neg if neg else 0.0, len(queries))


def report(label: str, queries: Sequence[Query], answers: Sequence[str | None]) -> Metrics:
    overall = metrics(queries, answers)
    print(overall.row(f"{label} all"))
    sub = [(q, a) for q, a in zip(queries, answers, strict=True) if q.arabic]
    print(metrics([q for q, _ in sub], [a for _, a in sub]).row(f"{label} arabic=1"))
    return overall


def recall_at_fpr(queries: Sequence[Query], scored: Sequence[tuple[float, str | None]], label: str) -> None:
    """Recall at the lowest threshold on the score whose false-positive rate stays within each bound."""
    thresholds = sorted({round(s, 4) for s, _ in scored}, reverse=True)
    best: dict[float, float] = {}
    for t in thresholds:
        m = metrics(queries, [e if s >= t else None for s, e in scored])
        for bound in (0.01, 0.03, 0.05):
            if m.fpr <= bound:
                best[bound] = max(best.get(bound, 0.0), m.recall)
    print(f"{label:<34} recall at FPR<=0.01/0.03/0.05: "
          + "/".join(f"{best.get(b, 0.0):.3f}" for b in (0.01, 0.03, 0.05)))


def scored_answer(res: Resolution, settings: Settings) -> tuple[float, str | None]:
    """The resolver's best candidate and the score a threshold would be set on: the top
    probability, or nothing when the runner-up is too close for the entity to be matched at any
    threshold (the margin rule of ``Resolver._decide``)."""
    if not res.candidates:
        return 0.0, None
    top = res.candidates[0]
    runner = res.candidates[1].score if len(res.candidates) > 1 else 0.0
    runner = runner if runner >= settings.candidate_threshold else 0.0
    if (top.score == 1.0 and runner < 1.0) or top.score - runner >= settings.margin:
        return top.score, top.entity.id
    return 0.0, None


def describe(res: Resolution) -> str:
    """Everything a resolution says, on one line (``--answers``)."""
    cands = "; ".join(f"{c.entity.id}:{c.score!r}:{c.alias}:{c.explanation}" for c in res.candidates)
    return (f"{res.status.value} {res.entity.id if res.entity else None} {res.score!r} {res.alias!r} "
            f"{res.explanation!r} [{cands}]")


def both_parts(label: str, queries: Sequence[Query], answers: Sequence[str | None],
               scored: Sequence[tuple[float, str | None]]) -> Metrics:
    dev = [k for k, q in enumerate(queries) if q.part == "dev"]
    dev_q = [queries[k] for k in dev]
    report(f"{label} dev", dev_q, [answers[k] for k in dev])
    recall_at_fpr(dev_q, [scored[k] for k in dev], f"{label} dev")
    overall = report(f"{label} whole", queries, answers)
    recall_at_fpr(queries, scored, f"{label} whole")
    return overall


def timed(fn: Callable[[str], str | None], texts: Sequence[str]) -> tuple[list[str | None], float]:
    gc.collect()
    started = time.perf_counter()
    answers = [fn(t) for t in texts]
    return answers, time.perf_counter() - started


def peak_mib(fn: Callable[[], object]) -> float:
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--baseline-sample", type=int, default=0,
                        help="time the baseline on every Nth query only (0: all); its F1 always uses all")
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--errors", type=int, default=0, help="print this many wrong answers of each sort")
    parser.add_argument("--answers", type=Path, help="write every resolution (status, entity, score, reason, "
                        "candidates; untyped and typed) to this file, one line each, to diff two versions exactly")
    args = parser.parse_args(argv)
    if not (args.data / "store.csv").exists():
        print(f"no benchmark data at {args.data}", file=sys.stderr)
        return 2
    print(f"build: {build_label()}, {Path(resolver_package.__file__).parent}")
    queries = load_queries(args.data)
    texts = [q.text for q in queries]
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "sdn.db"
        started = time.perf_counter()
        import_store(args.data, db)
        print(f"import: {time.perf_counter() - started:.2f}s")
        started = time.perf_counter()
        resolver = Resolver.open(str(db))
        build = time.perf_counter() - started
        index_mib = peak_mib(lambda: Resolver.open(str(db)))

        def ours(text: str) -> str | None:
            res = resolver.resolve(text)
            return res.entity.id if res.entity else None

        answers, elapsed = timed(ours, texts)
        qps = len(texts) / elapsed
        query_mib = peak_mib(lambda: [ours(t) for t in texts[:500]])
        print(f"\nresolver: index build {build:.2f}s, peak memory index {index_mib:.1f} MiB, "
              f"queries {query_mib:.1f} MiB, {qps:,.0f} queries/s")
        scored = [scored_answer(resolver.resolve(t), resolver.settings) for t in texts]
        ours_metrics = both_parts("resolver", queries, answers, scored)
        junk = junk_variants([(a.text, a.entity_id) for a in resolver.index.aliases])
        linked = [(n, resolver.resolve(text).entity is not None) for text, _, n in junk]
        two = [hit for n, hit in linked if n == 2]
        more = [hit for n, hit in linked if n > 2]
        print(f"junk probe (training names, one word replaced by 3-6 random letters): linked "
              f"{sum(two)}/{len(two)} two-word names, {sum(more)}/{len(more)} longer")
        swaps = swap_variants([(a.text, a.entity_id) for a in resolver.index.aliases])
        back = [(n, resolver.index.entities[eid].type == "person",
                 getattr(resolver.resolve(text).entity, "id", None) == eid) for text, eid, n in swaps]
        counts = ", ".join(f"{sum(hit for n, p, hit in back if keep(n, p))}/"
                           f"{sum(1 for n, p, _ in back if keep(n, p))} {what}"
                           for what, keep in (("two-word names", lambda n, p: n == 2),
                                              ("longer people's names", lambda n, p: n > 2 and p),
                                              ("longer other names", lambda n, p: n > 2 and not p)))
        print(f"swap probe (training names, one name word replaced by another training name's word): linked "
              f"to the name's own entity {counts}")
        typed = [resolver.resolve(q.text, type=q.type) for q in queries]
        print(metrics(queries, [r.entity.id if r.entity else None for r in typed]).row("resolver whole, type filter"))
        if args.answers:
            with args.answers.open("w", encoding="utf-8") as out:
                for q, res, typed_res in zip(queries, (resolver.resolve(t) for t in texts), typed, strict=True):
                    out.write(f"{q.text!r}\t{describe(res)}\t{describe(typed_res)}\n")
        if args.errors:
            shown_fp = shown_fn = 0
            for q, a in zip(queries, answers, strict=True):
                if a is not None and a != q.expected and shown_fp < args.errors:
                    shown_fp += 1
                    got = resolver.index.entities[a].name
                    exp = resolver.index.entities[q.expected].name if q.expected in resolver.index.entities else "-"
                    print(f"  FP {q.text!r} -> {got!r} expected {exp!r}")
            for q, a in zip(queries, answers, strict=True):
                if q.positive and a is None and shown_fn < args.errors:
                    shown_fn += 1
                    res = resolver.resolve(q.text)
                    print(f"  FN {q.text!r} [{res.status.value}] expected "
                          f"{[x.text for x in resolver.index.aliases if x.entity_id == q.expected]} "
                          f"top {[(c.alias, c.score) for c in res.candidates[:2]]}")
        if args.skip_baseline:
            return 0

        aliases = [a.text for a in resolver.index.aliases]
        entity_of = [a.entity_id for a in resolver.index.aliases]
        started = time.perf_counter()
        choices = [utils.default_process(a) for a in aliases]  # the baseline's whole "index"
        base_build = time.perf_counter() - started
        base_mib = peak_mib(lambda: [utils.default_process(a) for a in aliases])

        def baseline_raw(text: str) -> tuple[float, str | None]:
            hit = process.extractOne(utils.default_process(text), choices, scorer=fuzz.WRatio, processor=None)
            return (hit[1], entity_of[hit[2]]) if hit else (0.0, None)

        step = args.baseline_sample or 1
        sample = texts[::step]
        gc.collect()
        started = time.perf_counter()
        raw_sample = [baseline_raw(t) for t in sample]
        base_elapsed = time.perf_counter() - started
        base_qps = len(sample) / base_elapsed
        raw = raw_sample if step == 1 else [baseline_raw(t) for t in texts]
        best = max(range(50, 101), key=lambda th: metrics(queries, [e if s >= th else None for s, e in raw]).f1)
        base_answers = [e if s >= best else None for s, e in raw]
        print(f"\nbaseline (extractOne, WRatio, all {len(aliases)} aliases, best threshold {best}): "
              f"preprocessing {base_build:.2f}s, peak memory {base_mib:.1f} MiB, {base_qps:,.1f} queries/s")
        base_metrics = both_parts("baseline", queries, base_answers, raw)
        print(f"\nspeed: {qps / base_qps:.0f}x the baseline's queries/s; "
              f"F1 {ours_metrics.f1:.3f} vs {base_metrics.f1:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
