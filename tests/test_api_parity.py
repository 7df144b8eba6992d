"""One answer three ways: ``GET``/``POST /resolve``, ``Resolver.resolve`` and ``resolver resolve --json``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from api import create_app
from resolver import Resolver
from resolver.cli import cli

MENTIONS = [
    "Kazemi",                      # a surname alias
    "Mustafa al-Kadhimi",          # the canonical name
    "مصطفى الكاظمي",                # Arabic script
    "IRGC",                        # an acronym
    "PMF",
    "Asaib Ahl AlHaq",             # squashed article
    "Sepah-e Pasdaran-e Enghelab-e Eslami",
    "طهران",
    "Republic",                    # ambiguous: Iraq or Iran
    "Hezbollah",                   # weak candidates only
    "Ali",                         # a lone given name
    "John Smith",                  # unresolved
    "zzzz qqqq",
    "",                            # empty
]


@pytest.fixture()
def library_answers(resolver: Resolver) -> list[dict[str, object]]:
    return [resolver.resolve(m).to_dict() for m in MENTIONS]


def test_api_module_and_cli_agree(resolver: Resolver, db_path: Path, library_answers: list[dict[str, object]],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RESOLVER_API_TOKENS", raising=False)
    client = create_app(resolver=resolver).test_client()
    over_get = [client.get("/resolve", query_string={"q": m}).get_json() for m in MENTIONS]
    over_post = client.post("/resolve", json={"mentions": MENTIONS}).get_json()["results"]

    result = CliRunner().invoke(cli, ["resolve", "--json", "--db", str(db_path), *MENTIONS])
    assert result.exit_code == 0, result.output
    from_cli = [json.loads(line) for line in result.output.splitlines()]

    assert over_get == library_answers
    assert over_post == library_answers
    assert from_cli == library_answers
    assert {"matched", "unresolved"} <= {a["status"] for a in library_answers}
    assert library_answers[2]["entity"] == {"id": "mustafa-al-kadhimi", "name": "Mustafa al-Kadhimi",
                                            "type": "person"}
    assert library_answers[3]["entity"]["id"] == "islamic-revolutionary-guard-corps"  # type: ignore[index]
    assert library_answers[MENTIONS.index("John Smith")]["status"] == "unresolved"


@pytest.mark.parametrize(("type_", "limit"), [("person", 5), ("organization", 2), ("place", 1)])
def test_filters_agree(resolver: Resolver, db_path: Path, type_: str, limit: int,
                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RESOLVER_API_TOKENS", raising=False)
    client = create_app(resolver=resolver).test_client()
    expected = [resolver.resolve(m, type=type_, limit=limit).to_dict() for m in MENTIONS]
    over_get = [client.get("/resolve", query_string={"q": m, "type": type_, "limit": limit}).get_json()
                for m in MENTIONS]
    over_post = client.post("/resolve", json={"mentions": MENTIONS, "type": type_, "limit": limit}).get_json()
    result = CliRunner().invoke(
        cli, ["resolve", "--json", "--type", type_, "--limit", str(limit), "--db", str(db_path), *MENTIONS])
    assert result.exit_code == 0, result.output
    assert over_get == expected
    assert over_post["results"] == expected
    assert [json.loads(line) for line in result.output.splitlines()] == expected
    assert all(len(e["candidates"]) <= limit for e in expected)
