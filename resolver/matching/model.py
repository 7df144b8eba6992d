"""The learned parts of matching, read from one small JSON file and run without a training library.

``resolver/data/matcher.json`` is written by ``train/train_matcher.py`` (seeded, reproducible) and
holds two models:

* ``token``: boosted trees (or a logistic regression) over
  :func:`resolver.matching.features.token_features` of two words, trained on word pairs aligned
  within the aliases of one entity (Awlaki/Aulaqi, Kostrubitskij/Kostrubitsky) against word pairs
  aligned between different entities' names that no entity spells as one name: P(same word).
* ``pair``: gradient-boosted trees (or a logistic regression) over the pair's evidence and the
  candidate list's shape: P(the mention names this candidate's entity), calibrated on the
  training part by construction of the log-loss objective.

Inference is a dot product, a walk down a few shallow trees, or (for the pair model's 1,500 depth-2
trees) a table read per group of trees (:mod:`resolver.matching.trees`), in plain Python.
"""

from __future__ import annotations

import gc
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from resolver.matching.features import token_features
from resolver.matching.normalize import Token
from resolver.matching.trees import compile_trees, shallow_trees
from resolver.matching.word_similarity import listed_pair

__all__ = ["MODEL_PATH", "MatcherModel", "load_model"]

MODEL_PATH = Path(__file__).resolve().parent.parent / "data" / "matcher.json"


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@dataclass(frozen=True, slots=True)
class _Logistic:
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float

    def logit(self, x: Sequence[float]) -> float:
        z = self.intercept
        for v, m, s, c in zip(x, self.mean, self.scale, self.coef, strict=True):
            z += c * (v - m) / s
        return z


class _Trees:
    """Additive regression trees on the log-odds scale; a node is (feature, threshold, left, right)
    and a leaf is (-1, value, 0, 0).

    The trees are compiled once into one Python function of nested comparisons (the numbers come
    from the committed model file and are written back as float/int literals only), which is
    about ten times faster than walking node lists.
    """

    def __init__(self, base: float, learning_rate: float, trees: list[list[list[float]]]) -> None:
        used = sorted({int(node[0]) for nodes in trees for node in nodes if int(node[0]) >= 0})
        # each feature read into a local once: a comparison with a local is cheaper than indexing
        lines = ["def logit(x):", *(f"    x{k} = x[{k}]" for k in used), f"    z = {float(base)!r}"]
        for nodes in trees:
            self._emit(nodes, 0, float(learning_rate), lines, 1)
        lines.append("    return z")
        namespace: dict[str, Any] = {}
        exec(compile("\n".join(lines), "<matcher trees>", "exec"), namespace)
        self.logit: Callable[[Sequence[float]], float] = namespace["logit"]

    def _emit(self, nodes: list[list[float]], k: int, rate: float, lines: list[str], depth: int) -> None:
        feature, value, left, right = nodes[k]
        pad = "    " * depth
        if int(feature) < 0:
            lines.append(f"{pad}z += {rate * float(value)!r}")
            return
        lines.append(f"{pad}if x{int(feature)} <= {float(value)!r}:")
        self._emit(nodes, int(left), rate, lines, depth + 1)
        lines.append(f"{pad}else:")
        self._emit(nodes, int(right), rate, lines, depth + 1)


class _Tables:
    """Trees of depth 2 at most, read as tables (:func:`resolver.matching.trees.compile_trees`)."""

    def __init__(self, base: float, learning_rate: float, trees: list[list[list[float]]]) -> None:
        self.logit: Callable[[Sequence[float]], float] = compile_trees(base, learning_rate, trees)


def _part(d: dict[str, Any]) -> _Logistic | _Trees | _Tables:
    """One of the two models, as the file describes it."""
    if d["kind"] == "trees":
        shallow = shallow_trees(d["trees"])
        return (_Tables if shallow else _Trees)(float(d["base"]), float(d["learning_rate"]), d["trees"])
    return _Logistic(tuple(d["mean"]), tuple(d["scale"]), tuple(d["coef"]), float(d["intercept"]))


class MatcherModel:
    """The trained token similarity and pair probability."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.version: str = str(data["version"])
        self.features: tuple[str, ...] = tuple(data["features"])
        self._token = _part(data["token"])
        self._pair = _part(data["pair"])
        self.kind: str = data["pair"]["kind"]
        #: (people, other entities) among the training part's entities whose names hold each coarse
        #: key (only keys held by a few entities): added to the store's own counts
        self.kinds: dict[str, tuple[int, int]] = {str(k): (int(v[0]), int(v[1]))
                                                   for k, v in data.get("kinds", {}).items()}
        self._cache: dict[tuple[str, str, str, str], float] = {}
        #: the token model's answer per feature vector: word pairs that share nothing ("8631" against
        #: "prison", against "adel") differ only in length, so most new pairs repeat a vector
        self._by_features: dict[tuple[float, ...], float] = {}

    def token_similarity(self, q: Token, a: Token) -> float:
        """P(two words are spellings of the same name), 1.0 for the same letters and for two forms
        of one name in other languages or romanisations ("Mykola", "Nikolai"), 0.0 for two names
        that share a skeleton ("Jamal", "Jamil"): the word lists' answer (:func:`listed_pair`)."""
        if q.text == a.text:
            return 1.0
        key = (q.text, q.key, a.text, a.key)
        found = self._cache.get(key)
        if found is None:
            # (a listed pair is answered by the lists and never kept: a pair kept was asked of them)
            listed = listed_pair(q.text, a.text)
            if listed is not None:
                return 1.0 if listed else 0.0
            if len(self._cache) > 200_000:
                self._cache.clear()
            features = token_features(*key)
            found = self._by_features.get(features)
            if found is None:
                if len(self._by_features) > 50_000:
                    self._by_features.clear()
                found = self._by_features[features] = self._token_probability(features)
            self._cache[key] = found
        return found

    def _token_probability(self, features: Sequence[float]) -> float:
        return _sigmoid(self._token.logit(features))

    def probability(self, x: Sequence[float]) -> float:
        """P(same entity) for one candidate's feature vector (in :attr:`features` order)."""
        return _sigmoid(self._pair.logit(x))


@cache
def load_model(path: Path = MODEL_PATH) -> MatcherModel:
    """The committed model (read once per process).

    Once it is read, every object alive in the process (the imported modules, the model's tables:
    about 70,000 objects, all of which live as long as the process) is moved out of the garbage
    collector's sight (``gc.freeze``): each full collection walked them again, about 90 ms a time,
    five times in the SDN benchmark's pass.  Only the collector is affected: a frozen object is
    still freed as soon as nothing refers to it, and the objects made later are collected as
    before.  A reference cycle that is garbage already at this moment is left uncollected (once
    per process, a few objects: no collection is forced, which would cost a one-shot command
    that much); ``resolver.longrun.settle`` collects first and freezes again in long-running
    workers.
    """
    model = MatcherModel(json.loads(path.read_text(encoding="utf-8")))
    gc.freeze()
    return model
