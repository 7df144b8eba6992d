"""The pair model's trees read as tables give the tree walk's logit, to rounding."""

from __future__ import annotations

import importlib
import json
import random
from typing import Any

import pytest

from resolver.matching.model import MODEL_PATH, _Trees, load_model
from resolver.matching.trees import compile_trees, compiled_trees_module, model_digest, shallow_trees, walk_trees

#: the tables add the leaves in another order (and pre-summed): the logits differ by rounding only
TOLERANCE = 1e-9


def _probes(trees: list[list[list[float]]], width: int, n: int, seed: int) -> list[list[float]]:
    """Feature vectors that sit on the trees' thresholds, just either side of them, and in between."""
    rng = random.Random(seed)
    cuts = [sorted({node[1] for nodes in trees for node in nodes if int(node[0]) == f}) for f in range(width)]
    out = []
    for _ in range(n):
        x = []
        for f in range(width):
            r = rng.random()
            if cuts[f] and r < 0.4:
                x.append(rng.choice(cuts[f]))
            elif cuts[f] and r < 0.7:
                t = rng.choice(cuts[f])
                x.append(t + rng.choice([-1e-9, 1e-9]) * max(1.0, abs(t)))
            else:
                x.append(rng.uniform(-5.0, 50.0))
        out.append(x)
    return out


def test_the_committed_pair_model_reads_as_tables_to_within_rounding() -> None:
    pair: dict[str, Any] = json.loads(MODEL_PATH.read_text(encoding="utf-8"))["pair"]
    if pair["kind"] != "trees" or not shallow_trees(pair["trees"]):
        pytest.skip("the committed pair model is not of depth-2 trees")
    walk = walk_trees(float(pair["base"]), float(pair["learning_rate"]), pair["trees"])
    model = load_model()
    for x in _probes(pair["trees"], len(model.features), 2000, seed=1):
        assert model._pair.logit(x) == pytest.approx(walk(x), abs=TOLERANCE)


def _random_trees(rng: random.Random, count: int, width: int) -> list[list[list[float]]]:
    trees = []
    for _ in range(count):
        def split() -> list[float]:
            return [float(rng.randrange(width)), rng.choice([0.0, 0.5, 1.0, rng.uniform(-3, 3)]), 0.0, 0.0]

        def leaf() -> list[float]:
            return [-1.0, rng.uniform(-2, 2), 0.0, 0.0]

        shape = rng.choice(["leaf", "stump", "left", "right", "full"])
        if shape == "leaf":
            trees.append([leaf()])
        elif shape == "stump":
            trees.append([[*split()[:2], 1.0, 2.0], leaf(), leaf()])
        elif shape == "left":  # the left child splits again, the right one is a leaf
            trees.append([[*split()[:2], 1.0, 4.0], [*split()[:2], 2.0, 3.0], leaf(), leaf(), leaf()])
        elif shape == "right":
            trees.append([[*split()[:2], 1.0, 2.0], leaf(), [*split()[:2], 3.0, 4.0], leaf(), leaf()])
        else:
            trees.append([[*split()[:2], 1.0, 4.0], [*split()[:2], 2.0, 3.0], leaf(), leaf(),
                          [*split()[:2], 5.0, 6.0], leaf(), leaf()])
    return trees


@pytest.mark.parametrize("seed", range(5))
def test_random_shallow_trees_read_as_tables_as_walked(seed: int) -> None:
    # few features and few thresholds, so trees share them, split one feature twice on a path,
    # and hold leaves no value reaches ("x <= 0" after "x > 0.5")
    rng = random.Random(seed)
    width = 4
    trees = _random_trees(rng, 200, width)
    base, rate = rng.uniform(-1, 1), 0.1
    walk, fast = walk_trees(base, rate, trees), compile_trees(base, rate, trees)
    odd = [[float("inf")] * width, [float("-inf")] * width, [float("nan"), 0.5, 0.0, 1.0],
           [float("inf"), float("-inf"), 0.5, 0.5]]  # (a NaN goes right at every split, as walked)
    for x in [*_probes(trees, width, 500, seed), *odd]:
        assert fast(x) == pytest.approx(walk(x), abs=TOLERANCE)


def test_deeper_trees_are_not_read_as_tables() -> None:
    deep = [[[0.0, 0.5, 1.0, 2.0], [1.0, 0.5, 3.0, 4.0], [-1.0, 1.0, 0.0, 0.0],
             [2.0, 0.5, 5.0, 6.0], [-1.0, 2.0, 0.0, 0.0], [-1.0, 3.0, 0.0, 0.0], [-1.0, 4.0, 0.0, 0.0]]]
    assert not shallow_trees(deep)
    with pytest.raises(ValueError, match="depth 2"):
        compile_trees(0.0, 1.0, deep)
    # the token model's trees are deeper: it keeps the compiled walk, which equals the plain walk
    token: dict[str, Any] = json.loads(MODEL_PATH.read_text(encoding="utf-8"))["token"]
    if token["kind"] == "trees":
        walk = walk_trees(float(token["base"]), float(token["learning_rate"]), token["trees"])
        compiled = load_model()._token.logit
        for x in _probes(token["trees"], 14, 300, seed=2):
            assert compiled(x) == walk(x)


def _token_part() -> dict[str, Any]:
    token: dict[str, Any] = json.loads(MODEL_PATH.read_text(encoding="utf-8"))["token"]
    if token["kind"] != "trees" or shallow_trees(token["trees"]):
        pytest.skip("the committed token model is not of deeper trees")
    return token


def _built_token_trees() -> Any:
    """resolver.matching._token_trees when this build compiled it (None in the pure build)."""
    from types import FunctionType
    try:
        module = importlib.import_module("resolver.matching._token_trees")
    except ImportError:
        return None
    return None if isinstance(module.logit, FunctionType) else module


def test_the_compiled_builds_token_trees_give_the_generated_functions_logit_to_the_bit() -> None:
    # the compiled build compiles the token trees generated at build time (setup.py); the pure
    # build execs the same lines untyped: both are checked against the exec'd function, exactly
    token = _token_part()
    args = (float(token["base"]), float(token["learning_rate"]), token["trees"])
    reference = _Trees(*args).logit
    assert reference.__code__.co_filename == "<matcher trees>"
    namespace: dict[str, Any] = {}
    exec(compiled_trees_module({"token": token}), namespace)  # the typed source, run as Python
    assert namespace["DIGEST"] == model_digest(token)
    candidates = [namespace["logit"]]
    built = _built_token_trees()
    if built is not None:
        assert model_digest(token) == built.DIGEST
        assert load_model()._token.logit is built.logit  # (the model uses it)
        candidates.append(built.logit)
    width = 1 + max(int(node[0]) for nodes in token["trees"] for node in nodes)
    odd: list[list[float]] = [[float("inf")] * width, [float("-inf")] * width, [float("nan")] * width,
                              [0] * width, [True] * width, [1.5, 2, 0.0, 1, *[0.5] * (width - 4)]]
    for x in [*_probes(token["trees"], width, 3000, seed=4), *odd]:
        expected = reference(x)
        for logit in candidates:
            assert logit(x) == expected


def test_token_trees_built_from_another_model_file_are_not_used() -> None:
    # a matcher.json edited (retrained) after the compiled build: its digest differs, and the
    # model execs its own function instead of the compiled one
    token = _token_part()
    args = (float(token["base"]), float(token["learning_rate"]), token["trees"])
    assert _Trees(*args, digest="0" * 64).logit.__code__.co_filename == "<matcher trees>"
    used = _Trees(*args, digest=model_digest(token)).logit
    built = _built_token_trees()
    assert used is (built.logit if built is not None else used)
    if built is None:
        assert used.__code__.co_filename == "<matcher trees>"
