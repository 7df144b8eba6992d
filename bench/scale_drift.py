"""Which of the judge's features move between a small and a large store, for the answers that go wrong.

    python bench/scale_drift.py ANSWERS [--work /tmp/scale] [--small 10000] [--large 1000000] [--all]
    python bench/scale_drift.py ANSWERS --against BASE [-v]
    python bench/scale_drift.py ANSWERS --plain [--work /tmp/scale]

Reads the answer files ``bench/scale.py --answers ANSWERS`` wrote (ANSWERS.sqlite-SIZE.txt) and the
stores it built in ``--work``.  For every SDN query answered right on the small store and left
unresolved on the large one with the right entity still listed and no generated namesake beside it
(with ``--all``: every positive that goes right -> wrong), prints the right entity's probability and
each feature that differs between the two stores, the large store's best rule-scored entities, and
the probability with each group of features put back to its small-store value (which group moved
it under the threshold).  Ends with how often each feature moved.  A diagnostic: fits nothing.

With ``--against BASE`` (the ANSWERS of another run of ``bench/scale.py --answers``): for each store,
how many queries went right -> wrong and wrong -> right between the two runs (each listed with
``-v``), and the wrong links of each (a negative matched, a positive matched to another entity):
what a change did, answer by answer.  With ``--plain``: the right -> wrong answers of the large store
that no generated alias reads as well as the right entity (``scale._as_good``), each with its class:
the ones a name matcher should not lose.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import scale  # noqa: E402  (bench/scale.py: the queries and the namesake test)

from resolver import Resolver  # noqa: E402
from resolver.matching.model import load_model  # noqa: E402
from resolver.matching.normalize import analyze  # noqa: E402
from resolver.matching.ranking import rank_entities, score_hits  # noqa: E402
from resolver.matching.standing import COMPARED, FEATURES, candidate_features  # noqa: E402

GROUPS = {
    "rank": ("margin", "close", "rank", "crowd", "lead"),
    "idf": ("rule", "cover_q", "cover_a", "unmatched_q", "unmatched_a", "heavy_q", "heavy_a", "soft_q", "soft_a",
            "exact_share", "info_q", "learned_cover"),
    "kind": ("other_kind",),
    "variation": ("optional_a", "elsewhere_q", "fixed_mid", "branch"),
}


def read_answers(path: Path) -> dict[str, tuple[str, str | None, str]]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        query, rest = line.split("\t", 1)
        status, entity = rest.split(" ", 2)[:2]
        out[ast.literal_eval(query)] = (status, None if entity == "None" else entity, rest)
    return out


def features(r: Any, text: str) -> tuple[dict[str, tuple[Any, tuple[float, ...]]], list[tuple[str, float, str]]]:
    """The judged entities' (alias, feature vector) and the best rule-scored entities, as resolve sees them."""
    index, name = r.index, analyze(text)
    with index.session():
        ranked, names = rank_entities(score_hits(index, name))
        index.entity_places.load(h.alias.entity_id for h in ranked[:COMPARED])
        judged = {a.entity_id: (a, x) for _, a, _, x in
                  candidate_features(index, name, [(h.score, h.alias) for h in ranked], load_model(), names)}
    return judged, [(h.alias.entity_id, round(h.score.value, 3), h.alias.text) for h in ranked[:COMPARED]]


def _right(q: dict[str, str], answer: tuple[str, str | None, str]) -> bool:
    return scale._right(q, [answer[0], answer[1], None])


def against(answers: str, base: str, sizes: Sequence[int], *, verbose: bool) -> None:
    """Right -> wrong and wrong -> right from ``base`` to ``answers``, and the wrong links of each."""
    queries = scale.queries()
    for size in sizes:
        old = read_answers(Path(f"{base}.sqlite-{size}.txt"))
        new = read_answers(Path(f"{answers}.sqlite-{size}.txt"))
        lost = [q for q in queries if _right(q, old[q["query"]]) and not _right(q, new[q["query"]])]
        won = [q for q in queries if not _right(q, old[q["query"]]) and _right(q, new[q["query"]])]

        def wrong_links(got: dict[str, tuple[str, str | None, str]]) -> str:
            matched = [q for q in queries if got[q["query"]][0] == "matched" and not _right(q, got[q["query"]])]
            negatives = sum(q["kind"] != "positive" for q in matched)
            return f"{len(matched)} ({negatives} negatives, {len(matched) - negatives} another entity)"

        print(f"{size:,}: right -> wrong {len(lost)}, wrong -> right {len(won)}; "
              f"wrong links {wrong_links(old)} -> {wrong_links(new)}")
        for sign, listed, got in (("-", lost, new), ("+", won, old)) if verbose else ():
            for q in listed:
                print(f"   {sign} {q['kind'][:3]} {q['query']!r}: {got[q['query']][2][:140]}")


def plain(answers: str, work: Path, small_size: int, large_size: int) -> None:
    """The right -> wrong answers no generated alias reads as well as the right entity, with their class."""
    small = read_answers(Path(f"{answers}.sqlite-{small_size}.txt"))
    large = read_answers(Path(f"{answers}.sqlite-{large_size}.txt"))
    r = Resolver.open(str(work / f"store-{large_size}.db"))
    shown = []
    for q in scale.queries():
        got = large[q["query"]]
        if _right(q, small[q["query"]]) and not _right(q, got) and not scale._as_good(r, q):
            candidates = re.findall(r"(?:\[|; )((?:sdn|gen)-\d+):[0-9.]+:", got[2])
            shown.append((scale._reason(q, [got[0], got[1], candidates], r), q["query"], got[2][:120]))
    for reason, text, rest in sorted(shown):
        print(f"{reason}: {text!r} -> {rest}")
    print(f"{len(shown)} right -> wrong with no generated alias as good a reading")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("answers")
    parser.add_argument("--work", type=Path, default=Path("/tmp/scale"))
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--all", action="store_true", help="every positive that goes right -> wrong")
    parser.add_argument("--against", metavar="BASE", help="answer diffs against another run's ANSWERS")
    parser.add_argument("-v", "--verbose", action="store_true", help="with --against: list each changed answer")
    parser.add_argument("--plain", action="store_true",
                        help="the right -> wrong answers no generated alias reads as well as the right entity")
    args = parser.parse_args(argv)
    if args.against:
        against(args.answers, args.against, (args.small, args.large), verbose=args.verbose)
        return 0
    if args.plain:
        plain(args.answers, args.work, args.small, args.large)
        return 0
    small = read_answers(Path(f"{args.answers}.sqlite-{args.small}.txt"))
    large = read_answers(Path(f"{args.answers}.sqlite-{args.large}.txt"))
    r_small = Resolver.open(str(args.work / f"store-{args.small}.db"))
    r_large = Resolver.open(str(args.work / f"store-{args.large}.db"))
    model = load_model()
    moved: Counter[str] = Counter()
    shown = 0
    for q in scale.queries():
        text, want = q["query"], q["expected_entity_id"]
        if q["kind"] != "positive" or small[text][:2] != ("matched", want) or large[text][:2] == ("matched", want):
            continue
        status, _, rest = large[text]
        if not args.all and (status != "unresolved" or want not in rest or scale._namesake(r_large, text)):
            continue
        shown += 1
        (js, _), (jl, top) = features(r_small, text), features(r_large, text)
        print(f"\n=== {text!r} -> {want} (large store: {status})")
        if want not in js or want not in jl:
            print(f"   not judged on the {'small' if want not in js else 'large'} store; large store's best: {top}")
            continue
        (alias_s, xs), (alias_l, xl) = js[want], jl[want]
        print(f"   p {model.probability(xs):.3f} -> {model.probability(xl):.3f}; "
              f"alias {alias_s.text!r} -> {alias_l.text!r}")
        diffs = [(f, round(a, 3), round(b, 3)) for f, a, b in zip(FEATURES, xs, xl, strict=True) if abs(a - b) > 1e-6]
        moved.update(f for f, _, _ in diffs)
        print(f"   moved: {diffs}")
        print(f"   large store's best: {top}")
        back = []
        for group, names in GROUPS.items():
            y = list(xl)
            for f in names:
                y[FEATURES.index(f)] = xs[FEATURES.index(f)]
            back.append(f"{group} {model.probability(y):.3f}")
        print(f"   with the small store's values of: {', '.join(back)}")
    print(f"\n{shown} queries; features moved: {moved.most_common()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
