"""Shared fixtures: a private copy of the bundled store per test, a Resolver on it, ../shared data."""

from __future__ import annotations

import csv
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from resolver import Resolver
from resolver.compiled import COMPILED_MODULES, GENERATED_MODULES, build_label, compiled_modules
from resolver.settings import Settings
from resolver.store.build import build_bundle, default_source

# Property tests (hypothesis) explore fresh random examples on a developer's machine, where a
# failure is a finding; under CI they replay one fixed, derandomized set of examples with no
# example database, so that a run of CI cannot flake on a draw no one has seen.  HYPOTHESIS_PROFILE
# chooses explicitly ("ci" or "default").
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "default"))

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def pytest_report_header() -> str:
    """Which build the tests run: pure Python, or the modules compiled with mypyc (resolver.compiled)."""
    return f"resolver build: {build_label()}"


def pytest_sessionstart(session: pytest.Session) -> None:
    """``RESOLVER_EXPECT_COMPILED=1`` (CI's run of the compiled build): a build that fell back to pure
    Python, or one only partly compiled, fails the run instead of passing on the wrong build."""
    expected = len(COMPILED_MODULES) + len(GENERATED_MODULES)
    if os.environ.get("RESOLVER_EXPECT_COMPILED") == "1" and len(compiled_modules()) != expected:
        raise pytest.UsageError(f"RESOLVER_EXPECT_COMPILED=1 but the build is {build_label()}")



def fixture_rows(name: str) -> list[dict[str, str]]:
    """The rows of a CSV file in tests/fixtures (hard negatives, unseen variants, junk mentions...)."""
    with (FIXTURES / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


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


@pytest.fixture()
def never_overridden(db_path: Path) -> Iterator[Resolver]:
    """A Resolver on a private copy of the bundle whose name-structure vetoes the model never
    overrules (``veto_override`` 1.0): what the rules alone decide."""
    r = Resolver.open(str(db_path), settings=Settings(veto_override=1.0))
    yield r
    r.close()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared beside the checkout; tests that need it skip where it is absent (a clone elsewhere)."""
    if not SHARED.is_dir():
        pytest.skip(f"needs the shared benchmark/seed material at {SHARED}, absent in this clone")
    return SHARED


def require_service(available: bool, reason: str) -> None:
    """Skip a test whose real service (PostgreSQL, Chromium, OpenRefine, Dask...) is missing here.

    Under CI (``CI=true``) a missing service fails the test instead: a green CI means the real thing ran.
    """
    if available:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


@contextmanager
def _pg_database(prefix: str, template: str | None = None) -> Iterator[tuple[str, str]]:
    """A new database on the server named by ``RESOLVER_TEST_PG`` (a copy of ``template`` if given):
    yields (name, SQLAlchemy URL) and drops it afterwards.  A missing server, driver or an unusable
    one is a missing service (a skip here, a failure under CI)."""
    admin_url = os.environ.get("RESOLVER_TEST_PG", "")
    require_service(bool(admin_url), "no PostgreSQL server: set RESOLVER_TEST_PG to an admin SQLAlchemy URL")
    try:
        import psycopg  # noqa: F401  (the driver the [postgres] extra installs)
    except ImportError:
        require_service(False, "the PostgreSQL driver is missing: pip install -e '.[postgres]'")
    from sqlalchemy import create_engine, make_url, text

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    copy = f' TEMPLATE "{template}"' if template else ""
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    except Exception as exc:  # an unreachable server is a missing service, said in one line
        admin.dispose()
        require_service(False, f"the PostgreSQL server at RESOLVER_TEST_PG is unusable: {exc.__class__.__name__}")
    try:
        yield name, make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture()
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database on the real server named by ``RESOLVER_TEST_PG``, dropped afterwards.

    ``RESOLVER_TEST_PG`` is an SQLAlchemy URL of a role that may create databases, e.g.
    ``postgresql+psycopg://postgres:postgres@127.0.0.1:5432/postgres`` (``.ci/run`` starts such a server).
    """
    with _pg_database("resolver_test") as (_, url):
        yield url


@pytest.fixture(scope="session")
def pg_bundle_template(bundle_template: Path) -> Iterator[str]:
    """A PostgreSQL database holding the bundled store, made once per session, to clone per test."""
    from resolver.store.csvio import import_rows

    with _pg_database("resolver_tmpl") as (name, url):
        source = Resolver.open(str(bundle_template))
        rows = [(e, n, t, a) for e, n, t, a in source.store.export_rows()]
        source.close()
        target = Resolver.open(url, create=True)
        import_rows(target.store, rows, source="bundle")
        target.close()
        yield name


@pytest.fixture()
def pg_bundle_url(pg_bundle_template: str) -> Iterator[str]:
    """A fresh PostgreSQL copy of the bundled store (cloned from the session's template), dropped afterwards."""
    with _pg_database("resolver_test", template=pg_bundle_template) as (_, url):
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def empty(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Resolver]:
    """A new, empty store on a real SQLite file, or in a fresh database of a real PostgreSQL server."""
    db = str(tmp_path / "store.db") if request.param == "sqlite" else request.getfixturevalue("pg_url")
    r = Resolver.open(db, create=True)
    yield r
    r.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_resolver(request: pytest.FixtureRequest, db_path: Path) -> Iterator[Resolver]:
    """A Resolver on a private copy of the bundled store, in an SQLite file or in PostgreSQL."""
    db = str(db_path) if request.param == "sqlite" else request.getfixturevalue("pg_bundle_url")
    r = Resolver.open(db)
    yield r
    r.close()


#: where the W3C reconciliation schemas refer to each other
SPEC_BASE = "https://reconciliation-api.github.io/specs/0.2/schemas/"


@pytest.fixture(scope="session")
def contracts(shared_dir: Path) -> Path:
    """The W3C reconciliation API v0.2 contracts in ../shared (schemas and examples)."""
    return shared_dir / "contracts" / "reconciliation-0.2"


@pytest.fixture(scope="session")
def validators(contracts: Path) -> dict[str, Any]:
    """A Draft 7 validator per schema file, with every schema registered under its $id and file URL."""
    from jsonschema import Draft7Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT7

    registry: Registry[Any] = Registry()
    schemas = {}
    for path in sorted((contracts / "schemas").glob("*.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resource = Resource(contents=contents, specification=DRAFT7)
        registry = registry.with_resources([(contents["$id"].rstrip("#"), resource), (SPEC_BASE + path.name, resource)])
        schemas[path.stem] = contents
    return {name: Draft7Validator(schema, registry=registry) for name, schema in schemas.items()}
