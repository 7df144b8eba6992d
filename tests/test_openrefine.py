"""A real OpenRefine (Debian's ``/usr/bin/openrefine``) against the real ``resolver serve``.

OpenRefine runs headless on a free port with its own data folder, started once for this module (a
JVM takes a while).  The test makes the HTTP calls its web UI makes: register the service (the UI
reads the manifest itself, then stores it as a preference), create a project from a small CSV,
reconcile a column, add columns through data extension, and search for a match with the suggest
service the registration names, then judge the cell with the suggestion picked.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import require_service
from live_server import free_port, live_server

OPENREFINE = Path("/usr/bin/openrefine")
CSV = """name,note
Mustafa al-Kadhimi,prime minister
Kazemi,another spelling
Qassem Suleimani,general
Asaib Ahl AlHaq,militia
Hezbollah,not one of ours
Kadhimy office,a cell the search fixes
Basrah,city
Jaish al-Umma,unknown group
"""


class Refine:
    """The few OpenRefine commands its web UI posts, each with a fresh CSRF token as the UI does."""

    def __init__(self, url: str) -> None:
        self.url = url

    def _open(self, path: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> Any:
        request = urllib.request.Request(self.url + path, data=data, headers=headers or {})
        with urllib.request.urlopen(request, timeout=60) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def get(self, command: str, **params: Any) -> Any:
        return self._open(f"/command/core/{command}?{urllib.parse.urlencode(params)}")

    def post(self, command: str, query: dict[str, Any], form: dict[str, str]) -> Any:
        token = self.get("get-csrf-token")["token"]
        path = f"/command/core/{command}?{urllib.parse.urlencode({**query, 'csrf_token': token})}"
        return self._open(path, urllib.parse.urlencode(form).encode(),
                          {"Content-Type": "application/x-www-form-urlencoded"})

    def create_project(self, name: str, csv_text: str) -> str:
        token = self.get("get-csrf-token")["token"]
        boundary = "----resolvertest"
        options = {"separator": ",", "ignoreLines": -1, "headerLines": 1, "skipDataLines": 0, "limit": -1,
                   "storeBlankRows": True, "guessCellValueTypes": False, "processQuotes": True,
                   "storeBlankCellsAsNulls": True, "includeFileSources": False, "encoding": "UTF-8"}
        parts = [("project-name", name, None), ("format", "text/line-based/*sv", None),
                 ("options", json.dumps(options), None), ("project-file", csv_text, "people.csv")]
        body = b""
        for field, value, filename in parts:
            disposition = f'form-data; name="{field}"' + (f'; filename="{filename}"' if filename else "")
            body += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n{value}\r\n".encode()
        body += f"--{boundary}--\r\n".encode()
        request = urllib.request.Request(
            f"{self.url}/command/core/create-project-from-upload?csrf_token={token}", data=body,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: Any, **kwargs: Any) -> None:
                return None

        try:
            urllib.request.build_opener(NoRedirect).open(request, timeout=60)
        except urllib.error.HTTPError as err:  # the 302 to /project?project=ID
            location = err.headers["Location"]
            return str(urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)["project"][0])
        raise AssertionError("OpenRefine did not redirect to the new project")

    def wait(self, project: str) -> None:
        """Until the project's long-running operations (reconciling, extending) are done."""
        deadline = time.monotonic() + 60
        while self.get("get-processes", project=project)["processes"]:
            assert time.monotonic() < deadline, "OpenRefine's operation did not finish in 60 s"
            time.sleep(0.2)

    def table(self, project: str) -> tuple[list[str], list[dict[str, Any]], dict[str, Any]]:
        """(column names, each row as name -> cell, the recon pool)."""
        columns = self.get("get-models", project=project)["columnModel"]["columns"]
        data = self.get("get-rows", project=project, start=0, limit=100)
        rows = [{c["name"]: (r["cells"][c["cellIndex"]] if c["cellIndex"] < len(r["cells"]) else None) or {}
                 for c in columns} for r in data["rows"]]
        return [c["name"] for c in columns], rows, data.get("pool", {}).get("recons", {})


@pytest.fixture(scope="module")
def refine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Refine]:
    require_service(OPENREFINE.exists() and shutil.which("java") is not None,
                    "no OpenRefine: apt-get install openrefine (/usr/bin/openrefine)")
    folder = tmp_path_factory.mktemp("openrefine")
    port = free_port()
    log = (folder / "refine.log").open("wb")
    proc = subprocess.Popen(
        [str(OPENREFINE), "-i", "127.0.0.1", "-p", str(port), "-d", str(folder / "data"), "-m", "768M",
         "-x", "refine.headless=true"],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    client = Refine(f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                client.get("get-csrf-token")
                break
            except (urllib.error.URLError, ConnectionError, OSError):
                assert proc.poll() is None, (folder / "refine.log").read_text(errors="replace")
                assert time.monotonic() < deadline, "OpenRefine did not start in 120 s"
                time.sleep(0.5)
        yield client
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


@pytest.fixture(scope="module")
def server(bundle_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("refine-server")
    db = folder / "aliases.db"
    shutil.copyfile(bundle_template, db)
    with live_server(db, folder / "server.log", {"RESOLVER_REVIEW_FLUSH_INTERVAL": "0"}, workers=2) as url:
        yield url


def _manifest(url: str) -> Any:
    with urllib.request.urlopen(f"{url}/reconcile", timeout=10) as resp:
        assert resp.headers["Access-Control-Allow-Origin"] == "*"  # the UI reads it cross-origin
        return json.loads(resp.read())


def test_openrefine_reconciles_extends_and_searches(refine: Refine, server: str) -> None:
    service = f"{server}/reconcile"
    # register the service as the UI does: read the manifest, store it as a preference
    manifest = _manifest(server)
    registered = [{**manifest, "url": service, "ui": {"handler": "ReconStandardServicePanel", "access": "json"}}]
    refine.post("set-preference", {}, {"name": "reconciliation.standardServices", "value": json.dumps(registered)})
    stored = json.loads(refine.get("get-preference", name="reconciliation.standardServices")["value"])
    assert stored[0]["url"] == service

    project = refine.create_project("people", CSV)
    guessed = refine.post("guess-types-of-column", {"project": project, "columnName": "name", "service": service},
                          {})
    # the recon dialog pre-selects the first guess: "Any entity", so people, bodies and places all stay in
    assert guessed["types"][0]["id"] == "entity"
    assert {"person", "organization", "place"} <= {t["id"] for t in guessed["types"]}

    config = {"mode": "standard-service", "service": service, "identifierSpace": manifest["identifierSpace"],
              "schemaSpace": manifest["schemaSpace"], "type": guessed["types"][0], "autoMatch": True,
              "columnDetails": [],
              "limit": 0}
    assert refine.post("reconcile", {"project": project}, {
        "columnName": "name", "config": json.dumps(config), "engine": '{"facets":[],"mode":"row-based"}'},
    )["code"] in ("ok", "pending")
    refine.wait(project)
    _, rows, recons = refine.table(project)
    judged = {r["name"]["v"]: recons[str(r["name"]["r"])] for r in rows}
    matched = {v: r["m"]["id"] for v, r in judged.items() if r["j"] == "matched"}
    assert matched == {"Mustafa al-Kadhimi": "mustafa-al-kadhimi", "Kazemi": "mustafa-al-kadhimi",
                       "Qassem Suleimani": "qasem-soleimani", "Asaib Ahl AlHaq": "asaib-ahl-al-haq",
                       "Basrah": "basra"}
    assert judged["Hezbollah"]["j"] == "none" and judged["Jaish al-Umma"]["j"] == "none"
    assert judged["Kadhimy office"]["c"][0]["id"] == "mustafa-al-kadhimi"  # a candidate, not a match

    # "Search for match": the suggest service the registration names, as the suggest widget calls it
    suggest = stored[0]["suggest"]["entity"]
    query = urllib.parse.urlencode({"prefix": "Kadhimy"})
    with urllib.request.urlopen(f"{suggest['service_url']}{suggest['service_path']}?{query}", timeout=10) as resp:
        found = json.loads(resp.read())["result"]
    assert found[0]["id"] == "mustafa-al-kadhimi"
    flyout_path = suggest["flyout_service_path"].replace("${id}", urllib.parse.quote(found[0]["id"]))
    with urllib.request.urlopen(f"{suggest['service_url']}{flyout_path}", timeout=10) as resp:
        assert "Mustafa al-Kadhimi" in json.loads(resp.read())["html"]
    row = next(i for i, r in enumerate(rows) if r["name"]["v"] == "Kadhimy office")
    refine.post("recon-judge-one-cell", {"project": project}, {
        "row": str(row), "cell": "0", "judgment": "matched", "id": found[0]["id"], "name": found[0]["name"],
        "types": "", "identifierSpace": manifest["identifierSpace"], "schemaSpace": manifest["schemaSpace"]})

    # "Add columns from reconciled values": properties proposed by the service, then data extension
    proposal_url = (manifest["extend"]["propose_properties"]["service_url"]
                    + manifest["extend"]["propose_properties"]["service_path"] + "?type=person")
    with urllib.request.urlopen(proposal_url, timeout=10) as resp:
        proposed = {p["id"]: p["name"] for p in json.loads(resp.read())["properties"]}
    wanted = [{"id": pid, "name": proposed[pid]} for pid in ("type", "name", "description")]
    wanted.append({"id": "aliases", "name": proposed["aliases"], "settings": {"script": "arabic", "limit": "1"}})
    assert refine.post("extend-data", {"project": project}, {
        "baseColumnName": "name", "endpoint": service, "identifierSpace": manifest["identifierSpace"],
        "schemaSpace": manifest["schemaSpace"], "extension": json.dumps({"properties": wanted}),
        "columnInsertIndex": "1", "engine": '{"facets":[],"mode":"row-based"}'})["code"] in ("ok", "pending")
    refine.wait(project)
    columns, rows, _ = refine.table(project)
    assert columns == ["name", "Type", "Canonical name", "Description", "Aliases", "note"]
    by_name = {r["name"]["v"]: r for r in rows}
    assert [by_name["Kazemi"][c].get("v") for c in columns[1:5]] == [
        "person", "Mustafa al-Kadhimi", "Prime Minister of Iraq (2020-2022).", "مصطفى الكاظمي"]
    assert by_name["Kadhimy office"]["Canonical name"].get("v") == "Mustafa al-Kadhimi"  # the judged cell
    assert by_name["Basrah"]["Type"].get("v") == "place"
    assert by_name["Hezbollah"]["Canonical name"].get("v") is None  # nothing matched, nothing added

    # what OpenRefine could not match waits in the review queue
    with urllib.request.urlopen(f"{server}/review", timeout=10) as resp:
        page = resp.read().decode()
    assert "Jaish al-Umma" in page and "Hezbollah" in page
