"""setuptools' build backend, plus mypy (and what the compiled modules import, for its type check)
among the build requirements when ``RESOLVER_COMPILE=1`` asks for the compiled build (setup.py).
Nothing is added to an editable build, which never compiles."""

from __future__ import annotations

import os
import tomllib
from typing import Any

from setuptools import build_meta as _setuptools
from setuptools.build_meta import *  # noqa: F403  (the hooks not overridden here)


def _compile_requires() -> list[str]:
    if os.environ.get("RESOLVER_COMPILE") != "1":
        return []
    with open("pyproject.toml", "rb") as handle:
        project = tomllib.load(handle)["project"]
    return ["mypy>=1.10", *project["dependencies"]]


def get_requires_for_build_wheel(config_settings: dict[str, Any] | None = None) -> list[str]:
    return [*_setuptools.get_requires_for_build_wheel(config_settings), *_compile_requires()]
