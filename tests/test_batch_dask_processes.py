"""``resolver normalize --scheduler tcp://...`` against a scheduler and two workers started as separate
``dask scheduler`` / ``dask worker`` processes on 127.0.0.1 (free ports), as on a real cluster.

The command itself runs as a subprocess.  The last test kills a worker process mid-run: Dask
runs its ranges again on the other worker and every row is written exactly once.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from resolver import Resolver
from resolver.batch.runner import normalize_csv
from tests.conftest import require_service
from tests.test_batch_dask import BytesSink, messy_csv

try:
    import distributed

    from resolver.batch.distributed import normalize_files
except ImportError:  # the [dask] extra is missing
    distributed = None


@dataclass
class Cluster:
    address: str
    dashboard: str
    workers: list[subprocess.Popen[bytes]]


def _dask(*args: str, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as handle:
        return subprocess.Popen([sys.executable, "-m", "dask", *args], stdin=subprocess.DEVNULL,
                                stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    require_service(distributed is not None, "Dask is missing: pip install -e '.[dask]'")
    tmp = tmp_path_factory.mktemp("dask-processes")
    info = tmp / "scheduler.json"
    log = tmp / "dask.log"
    processes = [_dask("scheduler", "--host", "127.0.0.1", "--port", "0", "--dashboard-address", "127.0.0.1:0",
                       "--scheduler-file", str(info), log=log)]
    try:
        deadline = time.monotonic() + 60
        while not info.exists() or not info.read_text().strip():
            if time.monotonic() > deadline or processes[0].poll() is not None:
                pytest.fail(f"the Dask scheduler did not start:\n{log.read_text()}")
            time.sleep(0.1)
        for n in range(2):
            processes.append(_dask("worker", "--scheduler-file", str(info), "--host", "127.0.0.1", "--nthreads", "1",
                                   "--no-nanny", "--memory-limit", "0", "--name", f"w{n}", log=log))
        with distributed.Client(scheduler_file=str(info), timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
            dashboard = client.dashboard_link
        address = json.loads(info.read_text())["address"]
        yield Cluster(address, dashboard, processes[1:])
    finally:
        for p in reversed(processes):  # the workers first, then the scheduler
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in processes:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()


@pytest.fixture(scope="module")
def db(bundle_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("dask-processes-db") / "aliases.db"
    shutil.copyfile(bundle_template, path)
    return path


def resolver_cmd(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "resolver", "normalize", *args], capture_output=True, text=True,
                          timeout=300, stdin=subprocess.DEVNULL)


def test_command_on_a_cluster_writes_the_local_bytes(cluster: Cluster, db: Path, tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_bytes(messy_csv(2_000))
    common = [str(src), "-c", "name", "-c", "other", "--db", str(db)]
    here = resolver_cmd(*common, "-o", str(tmp_path / "o1.csv"), "--unresolved", str(tmp_path / "t1.csv"))
    there = resolver_cmd(*common, "-o", str(tmp_path / "o2.csv"), "--unresolved", str(tmp_path / "t2.csv"),
                         "--scheduler", cluster.address, "--blocksize", "8KiB")
    assert here.returncode == 0 and there.returncode == 0, there.stderr
    assert (tmp_path / "o1.csv").read_bytes() == (tmp_path / "o2.csv").read_bytes()
    assert (tmp_path / "t1.csv").read_bytes() == (tmp_path / "t2.csv").read_bytes()
    assert there.stderr.splitlines()[0] == f"Dask dashboard: {cluster.dashboard}"
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/status", cluster.dashboard)
    assert there.stderr.splitlines()[2:] == [line.replace("o1.csv", "o2.csv").replace("t1.csv", "t2.csv")
                                             for line in here.stderr.splitlines()[1:]]


def test_command_on_a_cluster_fails_like_the_local_run(cluster: Cluster, db: Path, tmp_path: Path) -> None:
    good = messy_csv(4_000)  # the bad byte is past the first 64 KiB, which the client reads itself
    src = tmp_path / "in.csv"
    src.write_bytes(good + b"x,\xff\xfe,y\n")
    out = tmp_path / "out.csv"
    here = resolver_cmd(str(src), "-c", "name", "--db", str(db), "-o", str(out))
    there = resolver_cmd(str(src), "-c", "name", "--db", str(db), "-o", str(out), "--scheduler", cluster.address,
                         "--blocksize", "4KiB", "--unresolved", str(tmp_path / "todo.csv"))
    assert here.returncode == there.returncode == 1
    assert there.stderr.splitlines()[1:] == here.stderr.splitlines()
    assert re.fullmatch(rf"Error: {re.escape(str(src))}:\d+: invalid utf-8 .*", here.stderr.strip())
    assert sorted(os.listdir(tmp_path)) == ["in.csv"]


def test_a_worker_killed_mid_run_loses_and_repeats_no_row(cluster: Cluster, db: Path, tmp_path: Path) -> None:
    data = messy_csv(6_000)
    src = tmp_path / "in.csv"
    src.write_bytes(data)
    resolver = Resolver.open(str(db))
    expected = io.StringIO(newline="")
    report = normalize_csv(io.BytesIO(data), expected, resolver=resolver, columns=["name", "other"], todo_limit=10)
    settings = resolver.settings
    resolver.close()
    victim = cluster.workers[0]

    def kill_once(parts_written: int) -> None:
        if parts_written == 1:
            victim.send_signal(signal.SIGKILL)
            victim.wait(timeout=30)

    sink = BytesSink()
    with distributed.Client(cluster.address, timeout="30s") as client:
        got = normalize_files(client, [str(src)], sink, db=str(db), settings=settings, columns=["name", "other"],
                              blocksize=4096, todo_limit=10, on_part=kill_once)
        assert len(client.scheduler_info()["workers"]) == 1
    assert victim.returncode == -signal.SIGKILL
    assert sink.parts > 50
    assert sink.out.getvalue() == expected.getvalue().encode("utf-8")
    assert (got.rows, got.columns, got.todo) == (report.rows, report.columns, report.todo)
