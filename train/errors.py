"""Where the matcher's development misses are: an error analysis of the public SDN half's dev part.

    python train/errors.py [--data ../shared/bench/sdn] [--show N]

For every development positive the resolver does not match (default settings), prints which of
these it is, with counts and a few examples of each:

* ``not retrieved``: the right entity is never a candidate of the index;
* ``not judged``: retrieved, but outside the entities the model judges (rule rank or rule floor,
  or no real word-level evidence);
* ``ranked below``: judged, but another entity is more probable;
* ``vetoed`` / ``given name only``: top by the model, capped by a name rule;
* ``under threshold``: top, below the match threshold;
* ``margin``: top and above the threshold, but the runner-up is too close.

And for development negatives that are matched (false links): the query and the entity.
Reads the development part only; fits nothing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from resolver import Resolver
from resolver.matching.decision import given_name_only, vetoed
from resolver.matching.model import load_model
from resolver.matching.normalize import analyze
from resolver.matching.ranking import rank_entities, score_hits
from resolver.matching.standing import FEATURES, candidate_features
from train.sdn_data import DEFAULT_DATA, import_store, load_queries


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--show", type=int, default=8, help="examples printed per bucket")
    parser.add_argument("--part", default="dev", choices=("dev", "train"))
    args = parser.parse_args(argv)
    queries = [q for q in load_queries(args.data) if q.part == args.part]
    model = load_model()
    buckets: dict[str, list[str]] = defaultdict(list)
    with tempfile.TemporaryDirectory(prefix="model-errors-") as tmp:
        db = Path(tmp) / "sdn.db"
        import_store(args.data, db)
        r = Resolver.open(str(db))
        index = r.index
        s = r.settings
        for q in queries:
            res = r.resolve(q.text)
            got = res.entity.id if res.entity else None
            if not q.positive:
                if got is not None:
                    buckets["false link (negative)"].append(
                        f"{q.text!r} -> {index.entities[got].name!r} ({res.score:.2f}, {res.alias!r})")
                continue
            if got == q.expected:
                buckets["right"].append(q.text)
                continue
            want = [a.text for a in index.aliases if a.entity_id == q.expected]
            name = analyze(q.text)
            hits = score_hits(index, name)
            ranked, names = rank_entities(hits)
            best = {h.alias.entity_id: h for h in ranked}
            line = f"{q.text!r} want {want[:3]}"
            if got is not None:
                buckets["wrong entity"].append(f"{line} got {index.entities[got].name!r} ({res.score:.2f})")
                continue
            if q.expected not in best:
                buckets["not retrieved"].append(line)
                continue
            feats = {a.entity_id: (sc, x) for sc, a, _, x in
                     candidate_features(index, name, [(h.score, h.alias) for h in ranked], model, names)}
            if q.expected not in feats:
                rank = [h.alias.entity_id for h in ranked].index(q.expected)
                rule = best[q.expected].score
                buckets["not judged"].append(f"{line} rule rank {rank} {rule.value:.2f} {rule.reason}")
                continue
            top = res.candidates[0] if res.candidates else None
            mine = next((c for c in res.candidates if c.entity.id == q.expected), None)
            p = mine.score if mine else 0.0
            if top is not None and top.entity.id != q.expected:
                buckets["ranked below"].append(f"{line} p {p:.2f} < {top.entity.name!r} {top.score:.2f}")
                continue
            sc, x = feats[q.expected]
            raw = model.probability(x)
            info = f"{line} p {p:.2f} raw {raw:.2f} [{mine.explanation if mine else ''}]"
            if vetoed(x) or any(v in sc.reason for v in ("another country", "given name")):
                why = [n for n in ("extends", "clash_slot", "clash_any", "inside", "other_kind")
                       if x[FEATURES.index(n)]]
                buckets["vetoed"].append(f"{info} {why}")
            elif given_name_only(x):
                buckets["given name only"].append(info)
            elif p < s.threshold_for(index.entities[q.expected].type):
                buckets["under threshold"].append(info)
            else:
                buckets["margin"].append(info)
        r.close()
    counts = Counter({k: len(v) for k, v in buckets.items()})
    positives = sum(q.positive for q in queries)
    print(f"{args.part}: {positives} positives, {len(queries) - positives} negatives")
    for k, n in counts.most_common():
        print(f"\n== {k}: {n}")
        if k != "right":
            for line in buckets[k][: args.show]:
                print("  " + line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
