"""Which build of the package runs: pure Python, or its hot modules compiled with mypyc.

``RESOLVER_COMPILE=1 pip install .`` compiles the modules of :data:`COMPILED_MODULES` and the one it
generates (:data:`GENERATED_MODULES`; setup.py reads both lists from this file); every other
install, and every editable install, runs the same sources as plain Python.  Both give the same
answers (CI compares them); the compiled build only runs faster.  This module imports nothing of
the package, so that setup.py can read it before anything is built.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os

#: the lookup's and normalize's hot path: what mypyc compiles when asked.  resolver.resolve stays
#: Python: it checks what callers pass (a mention that is not a string is an InvalidQuery), which
#: a compiled signature would turn into a TypeError before the check.
COMPILED_MODULES: tuple[str, ...] = (
    "resolver.matching.alignment",
    "resolver.matching.decision",
    "resolver.matching.features",
    "resolver.matching.index",
    "resolver.matching.index_views",
    "resolver.matching.latin_words",
    "resolver.matching.model",
    "resolver.matching.normalize",
    "resolver.matching.own_names",
    "resolver.matching.places",
    "resolver.matching.ranking",
    "resolver.matching.retrieval",
    "resolver.matching.scoring",
    "resolver.matching.short_forms",
    "resolver.matching.skeletons",
    "resolver.matching.standing",
    "resolver.matching.trees",
    "resolver.matching.votes",
    "resolver.matching.word_similarity",
    "resolver.matching.words",
)

#: modules the compiled build writes before compiling them (setup.py), absent from the sources: the
#: token model's trees as a typed function, generated from resolver/data/matcher.json
GENERATED_MODULES: tuple[str, ...] = ("resolver.matching._token_trees",)


def compiled_modules() -> list[str]:
    """The modules of :data:`COMPILED_MODULES` and :data:`GENERATED_MODULES` that would be loaded
    from an extension module (without importing them)."""
    found = []
    for name in (*COMPILED_MODULES, *GENERATED_MODULES):
        spec = importlib.util.find_spec(name)
        if spec is not None and isinstance(spec.loader, importlib.machinery.ExtensionFileLoader):
            found.append(name)
    return found


def stale_modules() -> list[str]:
    """In a checkout (an in-place build, ``python setup.py build_ext --inplace``), the compiled modules
    whose ``.py`` beside them was edited after they were built: they would run the old code.  (An
    installed wheel is left alone: installing does not keep the files' times in order.)"""
    checkout = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if not os.path.exists(os.path.join(checkout, "pyproject.toml")):
        return []
    stale = []
    for name in compiled_modules():
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec is not None else None
        if origin is None:
            continue
        source = os.path.join(os.path.dirname(origin), name.rsplit(".", 1)[1] + ".py")
        if os.path.exists(source) and os.path.getmtime(source) > os.path.getmtime(origin):
            stale.append(name)
    return stale


def build_label() -> str:
    """"pure Python" or "compiled (mypyc, 21 of 21 modules)", for ``resolver --version``, ``resolver
    stats`` and the benchmarks, so that a figure says which build it measured."""
    found = compiled_modules()
    if not found:
        return "pure Python"
    label = f"compiled (mypyc, {len(found)} of {len(COMPILED_MODULES) + len(GENERATED_MODULES)} modules)"
    stale = stale_modules()
    if stale:
        label += f"; STALE, source edited after the build: {', '.join(stale)}"
    return label
