"""Shared fixtures: a private copy of the bundled store per test, a Resolver on it, ../shared data."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from resolver import Resolver
from resolver.store.build import build_bundle, default_source

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def bundle_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled store built once per session from the curated source (never the real aliases.db)."""
    path = tmp_path_factory.mktemp("bundle") / "aliases.db"
    build_bundle(default_source(), path)
    return path


@pytest.fixture()
def db_path(bundle_template: Path, tmp_path: Path) -> Path:
    """A writable copy of the bundled store for one test."""
    path = tmp_path / "aliases.db"
    shutil.copyfile(bundle_template, path)
    return path


@pytest.fixture()
def resolver(db_path: Path) -> Iterator[Resolver]:
    r = Resolver.open(str(db_path))
    yield r
    r.close()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared beside the checkout; tests that need it skip where it is absent (a clone elsewhere)."""
    if not SHARED.is_dir():
        pytest.skip(f"needs the shared benchmark/seed material at {SHARED}, absent in this clone")
    return SHARED
