"""Fuzz every operation of /openapi.json with schemathesis: no server error, no schema violation.

Schemathesis reads the document the app serves and, for each operation, sends generated requests,
valid and invalid (wrong types, missing or extra fields, odd Unicode, NUL bytes), through the WSGI
app, then runs all its checks on each response: not a 5xx, a documented status, content type and
headers, the body valid against the documented schema, invalid data rejected with a 4xx, writes
refused without the token.  Bounded (a few dozen examples per operation, fixed seed) to stay well
under a minute.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from flask import Flask

from api import create_app
from resolver import Resolver

pytestmark = pytest.mark.filterwarnings("ignore:The Result.tuples:DeprecationWarning")

TOKEN = "fuzz-token"


@pytest.fixture()
def fuzzed_app(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    monkeypatch.delenv("RESOLVER_API_TOKENS", raising=False)
    resolver = Resolver.open(str(db_path))
    yield create_app({"tokens": {"fuzzer": TOKEN}}, resolver=resolver)
    resolver.close()


@pytest.fixture()
def api_schema(fuzzed_app: Flask) -> schemathesis.BaseSchema:
    config = schemathesis.Config.from_dict({
        "seed": 20260101,
        "headers": {"Authorization": f"Bearer {TOKEN}"},
        "generation": {"mode": "all", "max-examples": 20, "deterministic": True},
        "phases": {"coverage": {"enabled": True}},
        # The reconciliation form carries its batch as JSON text in a urlencoded field (the
        # document says so with an Encoding Object); schemathesis cannot serialise that and sends
        # the form without it, so "valid data is accepted" cannot hold there.  Every other check,
        # and every other operation, keeps it.
        "operations": [{"include-path": "/reconcile", "include-method": "POST",
                        "checks": {"positive_data_acceptance": {"enabled": False}}}],
    })
    return schemathesis.openapi.from_wsgi("/openapi.json", fuzzed_app, config=config)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
def test_every_operation_survives_fuzzing(case: schemathesis.Case) -> None:
    case.call_and_validate()
