"""HTTP throughput and latency of ``resolver serve`` under load, with wrk.  A benchmark, not a test.

Starts the production server (gunicorn, ``resolver serve``) on a free port of 127.0.0.1 over a
private copy of the bundled store, then, for 1, 16 and 64 concurrent connections, runs wrk for a
fixed time against ``GET /health`` (the framework's ceiling: one small query) and against
``GET /resolve`` cycling through the real mentions of the evaluation fixtures (Latin and Arabic
script, acronyms, hard negatives).  Prints requests/s, p50 and p99 latency and errors, and checks
the targets: /resolve at >= 70% of /health's throughput, p99 < 50 ms at 16 clients, no errors.

    python bench/http_load.py [--duration 10] [--clients 1,16,64] [--workers N] [--threads T] [--url http://host:port]

wrk comes from Debian (``apt-get install wrk``); the script stops with that hint when it is
missing.  Load goes only to 127.0.0.1 (or the --url you give), and every run is bounded in time.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"

_LUA = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
"""


@dataclass(frozen=True)
class Run:
    endpoint: str
    clients: int
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


def mentions() -> list[str]:
    """The mention columns of the evaluation fixtures, in file order."""
    out: list[str] = []
    for name in ("unseen_variants.csv", "hard_negatives.csv"):
        with (FIXTURES / name).open(newline="", encoding="utf-8") as fh:
            out.extend(row["mention"] for row in csv.DictReader(fh) if row["mention"])
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def health_status(url: str) -> int:
    """The status line of ``GET /health``, over a bare socket.

    (This file is named http.py, so run as a script it shadows the standard ``http`` package and
    with it urllib; a one-line HTTP/1.0 request needs neither.)
    """
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80), timeout=2) as s:
        s.sendall(f"GET {parts.path.rstrip('/')}/health HTTP/1.0\r\nHost: {parts.netloc}\r\n\r\n".encode())
        head = s.recv(64).decode("latin-1")
    return int(head.split()[1])


def wait_ready(url: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if health_status(url) == 200:
                return
        except (OSError, ValueError, IndexError):
            pass
        time.sleep(0.1)
    raise SystemExit(f"the server at {url} did not answer /health within {timeout:.0f}s")


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(us|ms|s|m)$", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(url: str, lua: Path | None, clients: int, duration: int, endpoint: str) -> Run:
    threads = min(clients, 2)
    cmd = ["wrk", f"-t{threads}", f"-c{clients}", f"-d{duration}s", "--timeout", "5s", "--latency"]
    if lua is not None:
        cmd += ["-s", str(lua)]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, timeout=duration + 30, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    # the distribution's own lines ("     50%  463.00us"), not a "+/- Stdev" figure ending in 50%
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors += int(non2xx.group(1)) if non2xx else 0
    return Run(endpoint, clients, rps, p50, p99, errors)


def start_server(workers: int, threads: int, db: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    cmd = [sys.executable, "-m", "resolver", "serve", "--port", str(port), "--workers", str(workers),
           "--threads", str(threads), "--db", str(db)]
    with log.open("wb") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url)
    except SystemExit:
        stop_server(proc)
        raise
    return proc, url


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run (default 10)")
    parser.add_argument("--clients", default="1,16,64", help="concurrent connections, comma-separated")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: serve's default)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (default 4, as serve)")
    parser.add_argument("--url", default=None, help="measure a server already running here instead")
    parser.add_argument("--json", action="store_true", help="print the runs as JSON too")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("bench/http_load.py needs wrk, the HTTP load generator: apt-get install wrk", file=sys.stderr)
        return 2
    clients = [int(c) for c in args.clients.split(",")]
    paths = [f"/resolve?q={quote(m, safe='')}" for m in mentions()]

    with tempfile.TemporaryDirectory() as tmp:
        lua = Path(tmp) / "mix.lua"
        lua.write_text(_LUA % ", ".join(json.dumps(p) for p in paths), encoding="utf-8")
        proc = None
        url = args.url
        if url is None:
            db = Path(tmp) / "aliases.db"
            shutil.copyfile(ROOT / "aliases.db", db)
            workers = args.workers or max(2, os.cpu_count() or 1)
            proc, url = start_server(workers, args.threads, db, Path(tmp) / "server.log")
            print(f"server: resolver serve --workers {workers} --threads {args.threads} on {url} (gunicorn)")
        print(f"{len(paths)} distinct mentions; {args.duration}s per run; wrk, {os.cpu_count()} cores shared; "
              f"1-min load average before the run (other work on the machine): {os.getloadavg()[0]:.2f}")
        runs: list[Run] = []
        try:
            for c in clients:
                runs.append(run_wrk(f"{url}/health", None, c, args.duration, "/health"))
                runs.append(run_wrk(f"{url}/resolve", lua, c, args.duration, "/resolve"))
        finally:
            if proc is not None:
                stop_server(proc)

    print("\n| endpoint | clients | requests/s | p50 ms | p99 ms | errors |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in runs:
        print(f"| GET {r.endpoint} | {r.clients} | {r.rps:.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} | {r.errors} |")
    ok = True
    for c in clients:
        health = next(r for r in runs if r.clients == c and r.endpoint == "/health")
        resolve = next(r for r in runs if r.clients == c and r.endpoint == "/resolve")
        ratio = resolve.rps / health.rps if health.rps else 0.0
        print(f"\n{c} clients: /resolve at {ratio:.0%} of /health throughput (target >= 70%)", end="")
        ok &= ratio >= 0.7 and resolve.errors == 0 and health.errors == 0
        if c == 16:
            print(f"; /resolve p99 {resolve.p99_ms:.1f} ms (target < 50 ms)", end="")
            ok &= resolve.p99_ms < 50
    print(f"\n\ntargets {'met' if ok else 'NOT met'}")
    if args.json:
        print(json.dumps([r.__dict__ for r in runs], indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
