"""Build hook for the optional compiled build (the rest of the packaging is in pyproject.toml).

``pip install .`` (and every editable install) gives the pure-Python package.  ``RESOLVER_COMPILE=1
pip install .`` compiles the hot modules (``COMPILED_MODULES`` in resolver/compiled.py) with mypyc,
which the build backend (build_backend/backend.py) then adds to the build requirements; mypy is never
a run-time dependency.  An editable install never compiles, whatever the variable says: its .so files
would shadow the .py files being edited.  A compile that fails (no C compiler, no Python headers, a
mypyc error) falls back to the pure-Python package with a message saying so.
"""

from __future__ import annotations

import importlib.machinery
import json
import os
import runpy
import sys
from typing import Any

from setuptools import setup
from setuptools.command.build_ext import build_ext


def _building(*commands: str) -> bool:
    return any(cmd in sys.argv for cmd in commands)


def _say(message: str) -> None:
    print(f"\n*** arabic-alias-resolver: {message}\n", file=sys.stderr, flush=True)


class OptionalBuildExt(build_ext):
    """All the compiled modules or none: one failed extension would leave the others importing a
    missing shared library."""

    def run(self) -> None:
        self._remove_stale()
        try:
            super().run()
        except Exception as exc:  # a missing compiler or header, a compile error
            self._fall_back(exc)

    def _remove_stale(self) -> None:
        """pip builds a local directory in place, so build/ keeps an earlier build's extension
        modules: one this build does not make (the module list changed) would be packaged beside the
        new ones and fail at import against the new shared library.  Only the outputs of this build
        stay."""
        if self.inplace:
            return
        keep = {os.path.abspath(path) for path in self.get_outputs()}
        suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
        for folder, _, files in os.walk(self.build_lib):
            for name in files:
                path = os.path.abspath(os.path.join(folder, name))
                if name.endswith(suffixes) and path not in keep:
                    os.remove(path)

    def _fall_back(self, exc: BaseException) -> None:
        for path in self.get_outputs():
            if os.path.exists(path):
                os.remove(path)
        self.extensions = []
        _say(f"the compiled build failed ({exc.__class__.__name__}: {exc}); installing the pure-Python "
             "package (same answers, slower)")


def generate_token_trees() -> None:
    """Write resolver/matching/_token_trees.py, the token model's trees as a typed function for
    mypyc, from resolver/data/matcher.json (resolver/matching/trees.py imports only the standard
    library, so it runs here before anything is built)."""
    trees = runpy.run_path(os.path.join("resolver", "matching", "trees.py"))
    with open(os.path.join("resolver", "data", "matcher.json"), encoding="utf-8") as handle:
        source = trees["compiled_trees_module"](json.load(handle))
    with open(os.path.join("resolver", "matching", "_token_trees.py"), "w", encoding="utf-8") as handle:
        handle.write(source)


def extensions() -> list[Any]:
    # metadata and source distributions need no compiling (pip asks for the metadata before the wheel)
    if os.environ.get("RESOLVER_COMPILE") != "1" or _building("egg_info", "dist_info", "sdist"):
        return []
    if _building("editable_wheel", "develop"):
        _say("RESOLVER_COMPILE=1 is ignored by an editable install (compiled modules would shadow the edited "
             "sources); use `RESOLVER_COMPILE=1 pip install .` for the compiled build")
        return []
    compiled = runpy.run_path(os.path.join("resolver", "compiled.py"))
    modules = [*compiled["COMPILED_MODULES"], *compiled["GENERATED_MODULES"]]
    paths = [name.replace(".", "/") + ".py" for name in modules]
    try:
        generate_token_trees()
        from mypyc.build import mypycify

        return list(mypycify(paths, opt_level="3", group_name="resolver_native"))
    except (Exception, SystemExit) as exc:  # mypy missing, or mypyc refusing a module (it exits)
        _say(f"mypyc could not compile the package ({exc.__class__.__name__}: {exc}); installing the "
             "pure-Python package (same answers, slower)")
        return []


if __name__ == "__main__":  # (setuptools' build backend runs this file as __main__; tests import it)
    setup(ext_modules=extensions(), cmdclass={"build_ext": OptionalBuildExt})
