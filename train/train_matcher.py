"""Train the matcher's token similarity and pair probability; print the development figures.

    pip install -e '.[train]'
    python train/train_matcher.py [--data ../shared/bench/sdn] [--out resolver/data/matcher.json] [--check]

``--check`` writes nothing and exits 1 unless the committed model is byte for byte what the script
makes from the current code (run it after any change to retrieval, scoring or features).

Honest by construction: the public SDN half is split by entity (``train/sdn_data.py``, a fixed
hash) into a training part (~70%) and a development part (~30%).  Everything is fitted on the
training part only, plus the curated store's own variants (``resolver/data/entities.toml``):

1. Word pairs: words aligned between two names of one training entity are the positives
   (Awlaki/Aulaqi), words aligned between a training query and another entity's candidate alias
   the negatives, unless some training entity spells them as one name (Mohammed/Muhammad in two
   people's names is still one word).  A logistic regression and boosted trees over their string
   similarities are fitted; the better on the development entities' word pairs is the token model.
2. Pairs of names: every training query, and every stored alias of a training entity held out in
   turn from its own entity (an entity left with no name makes a negative, as an absent entity
   does), is run through the real retrieval and rule scorer against the whole store; each of the
   best entities gives one example, labelled by whether it is the right one.
3. A logistic regression and gradient-boosted trees are fitted on those examples; the model, the
   veto override (the probability from which the model overrules a name-structure veto) and the
   match threshold (the lowest with a false-positive rate <= 0.03) are chosen on the development
   queries, whose figures are printed.

Choosing is a gate, then a stable rule.  The gate (``train/domain.py``): a candidate must keep the
curated store's promises (seed spellings, hard negatives, unseen variants, a surname two people
share stays ambiguous, a real name word beside junk letters links nothing).  Where a promise is
kept from a slightly higher threshold (a junk mention or a hard negative scoring just over the
threshold the false-positive rate allows), the candidate's threshold rises to the lowest that keeps
them all, by at most ``GATE_RAISE``; a candidate that still breaks one is never chosen, however well
it does on SDN names.
Among the rest, merit is the mean development recall at false-positive rates 0.02-0.05 (one
operating point is noisy: one false link moves the rate by 0.003), and the simplest candidate
(candidates are listed simplest first) within ``CLEAR_MARGIN`` of the best merit is chosen, so
near-equal candidates cannot swap places when retrieval changes a few training pairs.  The veto
override is a fixed setting (``OVERRIDES``), not a choice.  Seeded and sorted: the same data gives the same bytes.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
import tomllib
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from rapidfuzz.distance import JaroWinkler
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from resolver import Resolver
from resolver.matching.decision import given_name_only, veto_holds
from resolver.matching.features import token_features
from resolver.matching.model import MODEL_PATH, MatcherModel
from resolver.matching.normalize import KEYS_VERSION, Token, analyze
from resolver.matching.ranking import rank_entities, score_hits
from resolver.matching.skeletons import coarse
from resolver.matching.standing import FEATURES, RULE_VETOES, candidate_features
from resolver.settings import Settings
from resolver.store.build import default_source
from train.domain import DomainGate, namesakes
from train.sdn_data import DEFAULT_DATA, Query, import_store, load_queries, part_of

MODEL_VERSION = "1"
FPR_TARGET = 0.03
MARGIN = Settings().margin
PLAUSIBLE = Settings().candidate_threshold
VETO = Settings().veto_ceiling
#: the boosted trees tried (depth, number, fewest training pairs in a leaf), simplest first.  A leaf
#: fitted to a handful of pairs can take an extreme value (log-odds of -12 were seen) that an odd
#: feature combination then hands to an unrelated pair; a floor on the pairs behind each leaf keeps
#: every step of the sum backed by data (+1.3 points of merit on the development part, but such
#: models score "Niru Company" for "Niru Co. Ltd." about 0.78, under their thresholds: the gate
#: refuses them, see train/domain.py)
TREES = ((2, 300, 60), (2, 300, 30), (2, 300, 1), (3, 150, 30), (3, 150, 1))
#: a skeleton's kind counts (people, others) are kept when this many training entities' names hold it
KIND_SUPPORT = 3
#: each trees candidate is the average of this many boosted ensembles (seeds ``--seed`` onwards), one
#: set of trees scaled by 1/k: one stochastic draw (subsample 0.8) moved dev recall at FPR <= 0.03
#: 0.654-0.660 over seeds 0-4 (mean 0.6557), five averaged 0.655-0.659 (mean 0.6571, half the spread);
#: subsample 1.0 (deterministic) gave 0.655, lr 0.05 x 600 a mean of 0.6575 with the same spread
AVERAGED = 5
#: the veto override (the probability from which the model overrules a name-structure veto), fixed
#: rather than chosen: chosen among 1.0/0.99/0.97/0.95/0.9 by the rule above, it flipped between 1.0
#: and 0.97 from one retrain to the next (each override's merit is within ``CLEAR_MARGIN`` of the
#: others', so which one won hung on another candidate's merit), moving a dozen 1M-store answers
#: each time.  0.97 gave 0.001-0.003 more merit than 1.0 for every seed 0-4 on the same pairs
#: (mean dev recall at FPR <= 0.03 0.660 against 0.658); 0.90 links a third more of the junk probe.
OVERRIDES = (0.97,)
#: the false-positive bounds whose development recall, averaged, is a candidate's merit
MERIT_BOUNDS = (0.02, 0.03, 0.04, 0.05)
#: how much more merit a later (more complex or looser) candidate needs to be chosen over an earlier one
CLEAR_MARGIN = 0.01
#: how far above the rate's threshold a candidate's threshold may rise to keep the domain gate's
#: promises (a junk word, a hard negative scoring just over it); a promise broken even there, or
#: one no threshold keeps (a shared surname no longer plausible), discards the candidate
GATE_RAISE = 0.05


# --- examples ------------------------------------------------------------------------------------

#: (exact entity ids, [(entity id, features, vetoed by the rule scorer)])
Example = tuple[list[str], list[tuple[str, list[float], bool]]]


def collect(r: Resolver, text: str, model: MatcherModel, exclude: int | None = None) -> Example:
    """The candidates a lookup of ``text`` judges, as features (``exclude``: an alias id held out)."""
    index = r.index
    name = analyze(text)
    ranked, names = rank_entities(score_hits(index, name), lambda alias: alias.alias_id != exclude)
    pairs = [(h.score, h.alias) for h in ranked]
    exact = [a.entity_id for s, a in pairs if s.value == 1.0 and (s.reason == "exact name" or
                                                                  s.reason.startswith("acronym"))]
    feats = [(a.entity_id, list(x), any(v in s.reason for v in RULE_VETOES))
             for s, a, _, x in candidate_features(index, name, pairs, model, names)]
    return exact, feats


def held_out_aliases(r: Resolver, keep: Any, rng: random.Random, per_entity: int) -> list[tuple[str, str, int]]:
    """(text, entity id, alias id) of stored aliases to hold out from their own entity, for the
    entities ``keep`` accepts; a held-out name equal to another of its entity's names is skipped."""
    by_entity: dict[str, list[Any]] = defaultdict(list)
    for a in r.index.aliases:
        if a.normalized and keep(a.entity_id) and not a.acronym_only:
            by_entity[a.entity_id].append(a)
    out = []
    for entity_id in sorted(by_entity):
        aliases = by_entity[entity_id]
        chosen = rng.sample(aliases, min(per_entity, len(aliases)))
        for a in chosen:
            if any(b.normalized == a.normalized for b in aliases if b is not a):
                continue
            out.append((a.text, entity_id, a.alias_id))
    return out


def word_kinds(r: Resolver, keep: Any) -> dict[str, list[int]]:
    """(people, other entities) whose names hold each coarse skeleton, among the entities ``keep``
    accepts, for the skeletons at least ``KIND_SUPPORT`` of them hold: which kind of name a word
    belongs to, learned from thousands of names rather than one store's few."""
    holders: dict[str, set[str]] = defaultdict(set)
    for a in r.index.aliases:
        if keep(a.entity_id):
            for t in a.tokens:
                holders[coarse(t.key)].add(a.entity_id)
    out = {}
    for key in sorted(holders):
        entities = holders[key]
        if len(entities) >= KIND_SUPPORT:
            people = sum(1 for e in entities if r.index.entities[e].type == "person")
            out[key] = [people, len(entities) - people]
    return out


# --- the token model -----------------------------------------------------------------------------


def _words(text: str) -> list[Token]:
    return [t for t in analyze(text).tokens if not t.arabic and len(t.text) > 1 and not t.text.isdigit()]


def aligned_words(a: str, b: str) -> list[tuple[Token, Token]]:
    """Word pairs that are each other's closest spelling (Jaro-Winkler >= 0.5), letters differing."""
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return []
    sims = [[JaroWinkler.normalized_similarity(x.text, y.text) for y in wb] for x in wa]
    out = []
    for i, x in enumerate(wa):
        j = max(range(len(wb)), key=lambda k: sims[i][k])
        if sims[i][j] >= 0.5 and max(range(len(wa)), key=lambda k: sims[k][j]) == i and x.text != wb[j].text:
            out.append((x, wb[j]))
    return out


def token_xy(pos: list[tuple[Token, Token]], neg: list[tuple[Token, Token]]) -> tuple[np.ndarray, np.ndarray]:
    x = np.array([token_features(q.text, q.key, a.text, a.key) for q, a in pos + neg])
    return x, np.array([1] * len(pos) + [0] * len(neg))


def fit_token_model(pos: list[tuple[Token, Token]], neg: list[tuple[Token, Token]],
                    dev_pos: list[tuple[Token, Token]], dev_neg: list[tuple[Token, Token]],
                    seed: int) -> dict[str, Any]:
    """A logistic regression and boosted trees over the word pairs' similarities; the one with the
    better log-loss on the development entities' word pairs is kept."""
    x, y = token_xy(pos, neg)
    xd, yd = token_xy(dev_pos, dev_neg)
    gb = GradientBoostingClassifier(n_estimators=150, max_depth=3, learning_rate=0.1, subsample=0.8,
                                    random_state=seed).fit(x, y)
    best: tuple[float, dict[str, Any]] | None = None
    for label, exported in (("logistic", _logistic_export(x, y)), ("trees", _trees_export(gb))):
        m = MatcherModel({"version": MODEL_VERSION, "features": [], "token": exported, "pair": exported})
        p = np.clip([m._token_probability(v) for v in xd], 1e-6, 1 - 1e-6)
        loss = float(-np.mean(yd * np.log(p) + (1 - yd) * np.log(1 - p)))
        auc = _auc(p, yd)
        print(f"  token {label:<9} development word pairs: log-loss {loss:.4f}, AUC {auc:.4f}")
        if best is None or loss < best[0]:
            best = (loss, exported)
    assert best is not None
    return best[1]


def _auc(p: np.ndarray, y: np.ndarray) -> float:
    order = np.argsort(p)
    ranks = np.empty(len(p))
    ranks[order] = np.arange(1, len(p) + 1)
    n1 = int(y.sum())
    return float((ranks[y == 1].sum() - n1 * (n1 + 1) / 2) / (n1 * (len(y) - n1)))


def word_pairs(sdn: Resolver, queries: Sequence[Query], part: str,
               known: set[frozenset[str]] | None = None) -> tuple[list[tuple[Token, Token]], list[tuple[Token, Token]]]:
    """Aligned word pairs of one part: within one entity's names (same word) and between a query and
    another entity's candidate alias (different words), leaving out pairs that some entity spells as
    one name (Mohammed/Muhammad in two people's names is the same word).  ``known``: the same-word
    pairs to leave out (default: this part's own)."""
    names: dict[str, list[str]] = defaultdict(list)
    for a in sdn.index.aliases:
        if part_of(a.entity_id) == part:
            names[a.entity_id].append(a.text)
    own = [q for q in queries if q.part == part]
    for q in own:
        if q.positive:
            names[q.expected].append(q.text)
    pos: list[tuple[Token, Token]] = []
    for entity_id in sorted(names):
        group = names[entity_id][:8]
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                pos.extend(aligned_words(a, b))
    same = {frozenset((q.text, a.text)) for q, a in pos} | (known or set())
    neg: list[tuple[Token, Token]] = []
    for q in own:
        for hit in score_hits(sdn.index, analyze(q.text))[:5]:
            if hit.alias.entity_id != q.expected:
                neg.extend(p for p in aligned_words(q.text, hit.alias.text) if frozenset((p[0].text, p[1].text))
                           not in same)
    return pos, neg


def _logistic_export(x: np.ndarray, y: np.ndarray, c: float = 1.0) -> dict[str, Any]:
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    lr = LogisticRegression(C=c, max_iter=2000).fit((x - mean) / scale, y)
    return {"kind": "logistic", "mean": mean.tolist(), "scale": scale.tolist(),
            "coef": lr.coef_[0].tolist(), "intercept": float(lr.intercept_[0])}


def _trees_export(gb: GradientBoostingClassifier) -> dict[str, Any]:
    prior = float(gb.init_.class_prior_[1])
    trees = []
    for est in gb.estimators_[:, 0]:
        t = est.tree_
        nodes = []
        for k in range(t.node_count):
            if t.children_left[k] < 0:
                nodes.append([-1, float(t.value[k][0][0]), 0, 0])
            else:
                nodes.append([int(t.feature[k]), float(t.threshold[k]), int(t.children_left[k]),
                              int(t.children_right[k])])
        trees.append(nodes)
    return {"kind": "trees", "base": float(np.log(prior / (1 - prior))), "learning_rate": gb.learning_rate,
            "trees": trees}


# --- decisions and figures -----------------------------------------------------------------------


def judged_probability(model: MatcherModel, override: float = 1.0) -> Any:
    """The probability a lookup reports, vetoes included (``decision.judge``)."""
    def prob(x: list[float], rule_veto: bool = False) -> float:
        p = model.probability(x)
        if veto_holds(x, p, override) or rule_veto:
            return min(p, VETO)
        return min(p, PLAUSIBLE) if given_name_only(x) else min(p, 0.999)

    return prob


def decide(exact: list[str], probs: list[tuple[str, float]], threshold: float) -> str | None:
    """The resolver's decision rule (``Resolver._decide``) over one query's probabilities."""
    ranked = sorted([(1.0, e) for e in exact] + [(p, e) for e, p in probs if e not in exact], key=lambda t: -t[0])
    if not ranked or ranked[0][0] < threshold:
        return None
    plausible = [p for p, _ in ranked if p >= PLAUSIBLE]
    runner = plausible[1] if len(plausible) > 1 else 0.0
    top = ranked[0][0]
    return ranked[0][1] if (top == 1.0 and runner < 1.0) or top - runner >= MARGIN else None


def figures(queries: Sequence[Query], answers: Sequence[str | None]) -> dict[str, float]:
    tp = fp = nfp = pos = neg = 0
    for q, a in zip(queries, answers, strict=True):
        pos += q.positive
        neg += not q.positive
        tp += q.positive and a == q.expected
        fp += a is not None and a != q.expected
        nfp += (not q.positive) and a is not None
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / pos if pos else 0.0
    return {"P": p, "R": r, "F1": 2 * p * r / (p + r) if p + r else 0.0, "FPR": nfp / neg if neg else 0.0}


def sweep(queries: Sequence[Query], examples: Sequence[Example], prob: Any) -> tuple[float, dict[float, float]]:
    """The lowest threshold whose false-positive rate is within the target, and the recall at
    each false-positive bound."""
    probs = [(ex, [(e, prob(x, rv)) for e, x, rv in feats]) for ex, feats in examples]
    grid = [round(0.2 + 0.01 * k, 2) for k in range(80)]
    at: dict[float, float] = {}
    chosen = grid[-1]
    for t in reversed(grid):
        f = figures(queries, [decide(ex, ps, t) for ex, ps in probs])
        for bound in (0.01, *MERIT_BOUNDS):
            if f["FPR"] <= bound:
                at[bound] = max(at.get(bound, 0.0), f["R"])
        if f["FPR"] <= FPR_TARGET:
            chosen = t
    return chosen, at


def calibration(queries: Sequence[Query], examples: Sequence[Example], prob: Any) -> tuple[float, list[str]]:
    """How well the judged probabilities of the development pairs match how often they are right:
    the expected calibration error over ten bins, and one line per bin."""
    pairs = [(prob(x, rv), e == q.expected) for q, (_, feats) in zip(queries, examples, strict=True)
             for e, x, rv in feats]
    lines, ece = [], 0.0
    for k in range(10):
        inside = [(p, y) for p, y in pairs if k / 10 <= p < (k + 1) / 10 or (k == 9 and p == 1.0)]
        if not inside:
            continue
        mean = sum(p for p, _ in inside) / len(inside)
        rate = sum(y for _, y in inside) / len(inside)
        ece += len(inside) / len(pairs) * abs(mean - rate)
        lines.append(f"    {k / 10:.1f}-{(k + 1) / 10:.1f}: {len(inside):5d} pairs, mean probability {mean:.3f}, "
                     f"right {rate:.3f}")
    return ece, lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 unless --out is byte for byte what this run makes")
    parser.add_argument("--verbose", action="store_true",
                        help="also print what the domain gate says at each raised threshold it tries")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    started = time.perf_counter()
    queries = load_queries(args.data)
    train_q = [q for q in queries if q.part == "train"]
    dev_q = [q for q in queries if q.part == "dev"]
    with tempfile.TemporaryDirectory(prefix="model-train-") as tmp:
        db = Path(tmp) / "sdn.db"
        import_store(args.data, db)
        sdn = Resolver.open(str(db))
        curated = Resolver.open(str(Path(tmp) / "curated.db"), create=True)
        data = tomllib.loads(default_source().read_text(encoding="utf-8"))
        for e in data["entity"]:
            curated.store.add_entity(e["name"], e["type"], id=e["id"],
                                     aliases=[a["text"] for a in e.get("aliases", []) if a["text"] != e["name"]])
        held = held_out_aliases(sdn, lambda e: part_of(e) == "train", rng, 3)
        held_curated = held_out_aliases(curated, lambda e: True, rng, 3)
        print(f"{len(train_q)} training and {len(dev_q)} development queries; {len(held)} held-out SDN aliases "
              f"and {len(held_curated)} curated ones")

        # 1. the token model
        pos, neg = word_pairs(sdn, queries, "train")
        known = {frozenset((q.text, a.text)) for q, a in pos}
        dev_pos, dev_neg = word_pairs(sdn, queries, "dev", known)
        token = fit_token_model(pos, neg, dev_pos, dev_neg, args.seed)
        print(f"token model: {len(pos)} aligned variant pairs, {len(neg)} pairs of different names")
        kinds = word_kinds(sdn, lambda e: part_of(e) == "train")
        print(f"word kinds: {len(kinds)} skeletons held by at least {KIND_SUPPORT} training entities")
        stub = {"version": MODEL_VERSION, "features": list(FEATURES), "token": token,
                "pair": {"kind": "logistic", "mean": [0.0] * len(FEATURES), "scale": [1.0] * len(FEATURES),
                         "coef": [0.0] * len(FEATURES), "intercept": 0.0}, "kinds": kinds}
        model = MatcherModel(stub)

        # 2. examples
        def labelled(items: list[tuple[Resolver, str, str, int | None]]) -> tuple[np.ndarray, np.ndarray]:
            xs, ys = [], []
            for r, text, expected, exclude in items:
                _, feats = collect(r, text, model, exclude)
                for entity_id, x, _ in feats:
                    xs.append(x)
                    ys.append(int(entity_id == expected))
            return np.array(xs), np.array(ys)

        items = [(sdn, q.text, q.expected, None) for q in train_q]
        items += [(sdn, text, e, alias_id) for text, e, alias_id in held]
        items += [(curated, text, e, alias_id) for text, e, alias_id in held_curated]
        x, y = labelled(items)
        dev = [collect(sdn, q.text, model) for q in dev_q]
        print(f"{len(y)} training pairs ({int(y.sum())} right), {time.perf_counter() - started:.0f}s so far")

        # 3. models, chosen on the development part
        candidates: dict[str, dict[str, Any]] = {}
        candidates["logistic"] = _logistic_export(x, y)
        for depth, n, leaf in TREES:
            draws = [_trees_export(GradientBoostingClassifier(
                n_estimators=n, max_depth=depth, learning_rate=0.1, subsample=0.8, min_samples_leaf=leaf,
                random_state=args.seed + k).fit(x, y)) for k in range(AVERAGED)]
            candidates[f"trees depth={depth} n={n} leaf={leaf} x{AVERAGED}"] = {
                **draws[0], "learning_rate": 0.1 / AVERAGED, "trees": [t for d in draws for t in d["trees"]]}
        gate = DomainGate.build(Path(tmp), namesakes(sdn, lambda e: part_of(e) == "train"))
        results: dict[tuple[str, float], tuple[float, dict[float, float], dict[str, float], float, list[str]]] = {}
        for label, pair in candidates.items():
            for override in OVERRIDES:
                candidate = MatcherModel({**stub, "pair": pair})
                prob = judged_probability(candidate, override)
                threshold, at = sweep(dev_q, dev, prob)
                broken = gate.failures(candidate, threshold, override)
                # a promise a higher threshold keeps ("IRGC XYZ" at 0.57 when the rate allows 0.56)
                # raises the threshold, by at most GATE_RAISE, rather than discard the candidate
                for raised in [round(threshold + 0.01 * k, 2) for k in range(1, round(GATE_RAISE * 100) + 1)]:
                    if not broken or raised > 0.99:
                        break
                    if not (still := gate.failures(candidate, raised, override)):
                        threshold, broken = raised, still
                    elif args.verbose:
                        print(f"    {label} at {raised:.2f}: {'; '.join(b[:120] for b in still)}")
                f = figures(dev_q, [decide(ex, [(e, prob(v, rv)) for e, v, rv in feats], threshold)
                                    for ex, feats in dev])
                merit = sum(at.get(b, 0.0) for b in MERIT_BOUNDS) / len(MERIT_BOUNDS)
                results[label, override] = (threshold, at, f, merit, broken)
                print(f"  {label:<24} override {override:.2f} threshold {threshold:.2f}: P={f['P']:.3f} "
                      f"R={f['R']:.3f} F1={f['F1']:.3f} FPR={f['FPR']:.3f}; recall at FPR<=0.01/0.03/0.05: "
                      f"{at.get(0.01, 0):.3f}/{at.get(0.03, 0):.3f}/{at.get(0.05, 0):.3f}; merit {merit:.4f}; "
                      + (f"FAILS the domain gate ({len(broken)}): {'; '.join(b[:120] for b in broken)}" if broken
                         else "passes the gate"))
        passing = [key for key, r in results.items() if not r[4]]  # in candidate order, simplest first
        if not passing:
            print("no candidate passes the domain gate; nothing written", file=sys.stderr)
            return 1
        top = max(results[key][3] for key in passing)
        best_name, best_override = next(key for key in passing if results[key][3] >= top - CLEAR_MARGIN)
        threshold, at, f, _, _ = results[best_name, best_override]
        ece, lines = calibration(dev_q, dev, judged_probability(MatcherModel({**stub, "pair": candidates[best_name]}),
                                                                 best_override))
        print(f"calibration of the chosen model on the development pairs (expected error {ece:.3f}):")
        print("\n".join(lines))
        out = {**stub, "pair": candidates[best_name], "keys_version": KEYS_VERSION, "seed": args.seed,
               "chosen": best_name, "threshold": threshold, "veto_override": best_override,
               "dev": {k: round(v, 4) for k, v in f.items()} | {f"recall@fpr{b}": round(v, 4) for b, v in at.items()}
               | {"calibration_error": round(ece, 4)}}
        text = json.dumps(out, separators=(",", ":")) + "\n"
        sdn.close()
        curated.close()
        chose = f"chose {best_name} at threshold {threshold:.2f}, veto override {best_override:.2f}"
        if args.check:
            same = args.out.exists() and args.out.read_text(encoding="utf-8") == text
            print(f"{chose}; {args.out} is {'exactly' if same else 'NOT'} what this run makes "
                  f"({time.perf_counter() - started:.0f}s)")
            return 0 if same else 1
        args.out.write_text(text, encoding="utf-8")
        print(f"{chose}; wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB) in "
              f"{time.perf_counter() - started:.0f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
