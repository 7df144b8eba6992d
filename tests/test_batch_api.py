"""``POST /normalize``: the batch normaliser over HTTP gives the same bytes as the CLI and the library."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from api import create_app
from resolver import Resolver
from resolver.batch.runner import normalize_csv
from resolver.cli import cli

FIXTURES = Path(__file__).resolve().parent / "fixtures"
KAZEMI = "mustafa-al-kadhimi,Mustafa al-Kadhimi,person,1.000,matched"


@pytest.fixture()
def client(resolver: Resolver, monkeypatch: pytest.MonkeyPatch) -> Iterator[FlaskClient]:
    monkeypatch.delenv("RESOLVER_API_TOKENS", raising=False)
    app = create_app({"max_body_bytes": 64 * 1024}, resolver=resolver)
    with app.test_client() as c:
        yield c


def test_returns_the_csv_with_columns_appended(client: FlaskClient) -> None:
    r = client.post("/normalize?column=name", data=b"id;name\n1;Kazemi\n2;\n", content_type="text/csv")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert r.data.decode() == ("id;name;name_id;name_name;name_type;name_score;name_status\r\n"
                               f"1;Kazemi;{KAZEMI.replace(',', ';')}\r\n2;;;;;;unresolved\r\n")
    report = json.loads(r.headers["X-Normalize-Report"])
    assert (report["rows"], report["lookups"], report["delimiter"]) == (2, 1, ";")
    assert report["columns"] == [{"column": "name", "matched": 1, "ambiguous": 0, "unresolved": 1, "empty": 1,
                                  "too_long": 0}]


def test_same_bytes_as_the_cli_and_the_library(client: FlaskClient, resolver: Resolver, db_path: Path,
                                               tmp_path: Path) -> None:
    source = FIXTURES / "batch_in.csv"
    http = client.post("/normalize?column=name&column=note", data=source.read_bytes(), content_type="text/csv")
    out = io.StringIO(newline="")
    with source.open("rb") as fh:
        normalize_csv(fh, out, resolver=resolver, columns=["name", "note"])
    target = tmp_path / "out.csv"
    result = CliRunner().invoke(cli, ["normalize", str(source), "-c", "name", "-c", "note", "-o", str(target),
                                      "--db", str(db_path), "-q"])
    assert result.exit_code == 0, result.output
    assert http.status_code == 200
    assert http.data == out.getvalue().encode() == target.read_bytes()
    assert http.data.count(b"\r\n") == 15  # 13 rows, the header, and the newline inside row 9


def test_charset_and_options(client: FlaskClient) -> None:
    body = "name\tx\nمصطفى الكاظمي\t1\n".encode("cp1256")
    r = client.post("/normalize?column=name&delimiter=tab&type=place", data=body,
                    content_type="text/csv; charset=windows-1256")
    assert r.status_code == 200
    assert r.data.decode().splitlines()[1] == "مصطفى الكاظمي\t1\t\t\t\t0.000\tunresolved"


def test_missing_column_is_400_listing_the_columns(client: FlaskClient) -> None:
    r = client.post("/normalize?column=name", data=b"id,actor\n1,Kazemi\n", content_type="text/csv")
    assert r.status_code == 400
    assert r.get_json() == {"error": {"code": "batch_failed", "message":
                                      "body:1: no column 'name'; the columns are 'id', 'actor'"}}


def test_undecodable_body_is_400_naming_the_line(client: FlaskClient) -> None:
    r = client.post("/normalize?column=name", data=b"name\nKazemi\nKaz\xe9mi\n", content_type="text/csv")
    assert r.status_code == 400
    assert r.get_json()["error"] == {"code": "undecodable_input", "message":
                                     "body:3: invalid utf-8 (byte 0xe9 at character 4); name the encoding "
                                     "with ?encoding= or a charset in Content-Type"}


def test_no_column_is_400(client: FlaskClient) -> None:
    r = client.post("/normalize", data=b"name\nKazemi\n", content_type="text/csv")
    assert r.status_code == 400
    assert r.get_json()["error"]["code"] == "invalid_request"


def test_form_body_is_415(client: FlaskClient) -> None:
    r = client.post("/normalize?column=name", data=b"name\nKazemi\n",
                    content_type="application/x-www-form-urlencoded")
    assert r.status_code == 415
    assert "Content-Type: text/csv" in r.get_json()["error"]["message"]


def test_body_over_the_limit_is_413(client: FlaskClient) -> None:
    body = b"name\n" + b"Kazemi\n" * 10_000  # 70 kB > 64 kB
    r = client.post("/normalize?column=name", data=body, content_type="text/csv")
    assert r.status_code == 413
    assert r.get_json()["error"]["code"] == "request_entity_too_large"


def test_documented_in_openapi(client: FlaskClient) -> None:
    operation = client.get("/openapi.json").get_json()["paths"]["/normalize"]["post"]
    assert list(operation["requestBody"]["content"]) == ["text/csv"]
    assert list(operation["responses"]["200"]["content"]) == ["text/csv"]
    assert {p["name"] for p in operation["parameters"]} == {"column", "type", "encoding", "delimiter", "sanitize"}
