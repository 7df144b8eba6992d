"""Fuzz every operation of /openapi.json with schemathesis against the real server: no server error,
no schema violation.

Schemathesis reads the document the server serves and, for each operation, generates requests that
follow it (positive) and requests that break it (negative: wrong types, missing or extra fields,
odd Unicode, NUL bytes), sends them over HTTP to ``resolver serve`` (gunicorn, on 127.0.0.1), and
runs all its checks on each response: not a 5xx, a documented status, content type and headers, a
body valid against the documented schema, schema-valid data accepted, invalid data rejected with a
4xx, writes refused without the token.  Over the real server, what gunicorn answers itself (a 414
for a long request line) is checked too.  Bounded: 30 examples per operation and mode, derandomized
(a fixed seed), no shrinking; about 40 seconds on 2 busy cores.

The cases come from schemathesis' documented Hypothesis strategies (``APIOperation.as_strategy``)
rather than its pytest plugin, whose lazy-fixture loader reads a private pytest attribute that
pytest 9.2 removed.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from live_server import live_server
from schemathesis import CheckFunction
from schemathesis.specs.openapi.checks import positive_data_acceptance

TOKEN = "fuzz-token"
EXAMPLES = 30

#: operations where "schema-valid data is accepted" cannot hold, and why; every other check runs
_NO_POSITIVE = {
    # a CSV body is valid only if its header names the ?column= values, which no schema can say
    "POST /normalize",
}


@pytest.fixture(scope="module")
def fuzzed_server(bundle_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    where = tmp_path_factory.mktemp("fuzz")
    shutil.copyfile(bundle_template, where / "aliases.db")
    with live_server(where / "aliases.db", where / "server.log", {"RESOLVER_API_TOKENS": f"fuzzer:{TOKEN}"},
                     workers=2, threads=4) as url:
        yield url


#: A request line longer than gunicorn reads (4,094 bytes) is a 414 whatever its parameters: a
#: schema-valid query can be too long once percent-encoded (512 emoji in `q`), and an invalid one
#: may never reach its validation.  The 414 is documented on every operation; no schema keyword can
#: bound a URL's encoded length, so the two data checks are told it is a proper answer.
_CHECKS = {
    "positive_data_acceptance": {"expected-statuses": ["2xx", "3xx", "401", "403", "404", "409", "414", "429"]},
    "negative_data_rejection": {"expected-statuses": ["400", "401", "403", "404", "405", "406", "409", "414", "415",
                                                      "422", "428", "429"]},
}


def _schema(url: str) -> schemathesis.BaseSchema:
    config = schemathesis.Config.from_dict({"headers": {"Authorization": f"Bearer {TOKEN}"}, "checks": _CHECKS})
    return schemathesis.openapi.from_url(f"{url}/openapi.json", config=config)


def _run(operation: schemathesis.APIOperation, mode: schemathesis.GenerationMode,
         excluded: list[CheckFunction], sent: list[int]) -> None:
    """Send one operation's cases and check each response; raises on the first failing example."""

    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case: schemathesis.Case) -> None:
        sent.append(1)
        case.call_and_validate(excluded_checks=excluded)

    check()


def _fuzz(url: str, mode: schemathesis.GenerationMode) -> tuple[list[str], int]:
    """Run every operation; return the failures (operation: what) and how many cases were sent."""
    schema = _schema(url)
    failures: list[str] = []
    sent: list[int] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        excluded: list[CheckFunction] = [positive_data_acceptance] if operation.label in _NO_POSITIVE else []
        try:
            _run(operation, mode, excluded, sent)
        except Unsatisfiable:
            continue  # nothing this operation takes can be invalid (a bare string path segment)
        except (Exception, BaseExceptionGroup) as exc:  # failed checks, with the operation they failed on
            failures.append(f"{operation.label}: {exc}")
    return failures, len(sent)


@pytest.mark.parametrize("mode", [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE],
                         ids=str)
def test_every_operation_survives_fuzzing(fuzzed_server: str, mode: schemathesis.GenerationMode) -> None:
    failures, sent = _fuzz(fuzzed_server, mode)
    assert failures == [], "\n\n".join(failures)
    assert sent >= 15 * 5  # every operation got cases (at least 15 are ours)


def _check(url: str, label: str, **parts: object) -> int:
    """Send one hand-made case of an operation and run every check on the answer; its status."""
    operation = _schema(url).find_operation_by_label(label)
    case = operation.Case(**parts)  # type: ignore[arg-type]
    return case.call_and_validate(base_url=url, headers={"Authorization": f"Bearer {TOKEN}"}).status_code  # type: ignore[no-any-return]


def test_the_cases_issue_11_found_now_agree_with_the_document(fuzzed_server: str) -> None:
    """Each of these once broke a check: a request the document allows refused, a status it left out."""
    # a form without `queries` is allowed by the document: it gets the manifest
    assert _check(fuzzed_server, "POST /reconcile", body={}, media_type="application/x-www-form-urlencoded") == 200
    # an alias of one control character: the document refuses it too (pattern), so 400 is right
    assert _check(fuzzed_server, "POST /entities/{entity_id}/aliases", path_parameters={"entity_id": "tehran"},
                  body={"text": "\u001f"}, media_type="application/json") == 400
    # `column=` with an empty CSV body: the document now asks for a non-empty column name and body
    assert _check(fuzzed_server, "POST /normalize", query={"column": [""]}, body="", media_type="text/csv") == 400
    # more mentions than the batch limit: a documented 413
    assert _check(fuzzed_server, "POST /resolve", body={"mentions": ["x"] * 1001},
                  media_type="application/json") == 413
    # a request line longer than gunicorn takes: a documented 414, as JSON
    assert _check(fuzzed_server, "GET /resolve", query={"q": "x" * 5000}) == 414
