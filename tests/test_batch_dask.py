"""``resolver normalize --scheduler``: a real distributed.LocalCluster of two worker processes (one per module).

Every run is compared with the single-process run on the same input: the same bytes, the same
summary and to-do list, the same errors with the same file and line, and no output left on error.
"""

from __future__ import annotations

import io
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from resolver import Resolver
from resolver.batch.report import BatchReport
from resolver.batch.runner import normalize_csv
from resolver.cli import cli
from tests.conftest import require_service

try:
    import distributed

    from resolver.batch.distributed import normalize_files
except ImportError:  # the [dask] extra is missing
    distributed = None

NAMES = ["Kazemi", "Abu Zorblax", "", "Nobody Atall", "Zorblax News", "PMF", "Pelican Lighthouse", "Qods Force",
         "=cmd()", "  ", "Asaib Ahl al-Haq", "Jaish al-Umma"]


@pytest.fixture(scope="module")
def client() -> Iterator[distributed.Client]:
    require_service(distributed is not None, "Dask is missing: pip install -e '.[dask]'")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address="127.0.0.1:0", silence_logs=40) as cluster, \
            distributed.Client(cluster) as c:
        yield c


@pytest.fixture(scope="module")
def db(bundle_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One store for the module (workers keep it open between tests): the bundle plus an ambiguous alias."""
    path = tmp_path_factory.mktemp("dask-db") / "aliases.db"
    shutil.copyfile(bundle_template, path)
    r = Resolver.open(str(path))
    r.store.add_entity("Zorblax Alpha", "person", id="zorblax-alpha", aliases=["Abu Zorblax"])
    r.store.add_entity("Zorblax Beta", "person", id="zorblax-beta", aliases=["Abu Zorblax"])
    r.store.add_entity("@ZorblaxNews", "media", id="zorblax-news", aliases=["Zorblax News"])
    r.close()
    return path


class BytesSink:
    def __init__(self) -> None:
        self.out = io.BytesIO()
        self.parts = 0

    def begin(self, head: str) -> None:
        self.out.write(head.encode("utf-8"))

    def write(self, data: bytes, rows: int) -> None:
        self.out.write(data)
        self.parts += 1


def local(db: Path, data: bytes, columns: tuple[str, ...] = ("name",), **kwargs: object) -> tuple[bytes, BatchReport]:
    resolver = Resolver.open(str(db))
    out = io.StringIO(newline="")
    try:
        report = normalize_csv(io.BytesIO(data), out, resolver=resolver, columns=columns, todo_limit=100_000,
                               **kwargs)  # type: ignore[arg-type]
    finally:
        resolver.close()
    return out.getvalue().encode("utf-8"), report


def on_dask(client: distributed.Client, db: Path, inputs: list[str], columns: tuple[str, ...] = ("name",),
            **kwargs: object) -> tuple[bytes, BatchReport, int]:
    resolver = Resolver.open(str(db))
    settings = resolver.settings
    resolver.close()
    sink = BytesSink()
    report = normalize_files(client, inputs, sink, db=str(db), settings=settings, columns=columns,
                             todo_limit=100_000, **kwargs)  # type: ignore[arg-type]
    return sink.out.getvalue(), report, sink.parts


def same_report(a: BatchReport, b: BatchReport) -> None:
    da, dbb = a.to_dict(), b.to_dict()
    da.pop("seconds"), dbb.pop("seconds")
    assert da == dbb


def messy_csv(rows: int) -> bytes:
    """Quoted cells with newlines, doubled quotes and delimiters, ragged rows, CRLF and LF, an empty line."""
    lines = ["id,name,note,other\r\n"]
    for i in range(rows):
        name = NAMES[i % len(NAMES)]
        note = f'"report {i}\nsecond line, with ""quotes""\r\n\nfourth"' if i % 5 == 0 else f"note {i}"
        other = NAMES[(i * 7) % len(NAMES)]
        end = "\r\n" if i % 2 else "\n"
        if i % 97 == 0:
            lines.append(f"{i},{name}{end}")  # short row
        elif i % 89 == 0:
            lines.append(f'{i},"{name}",{note},{other},extra{end}')  # long row, a quoted name
        elif i % 500 == 0:
            lines.append(end)
        else:
            lines.append(f"{i},{name},{note},{other}{end}")
    return "".join(lines).encode("utf-8")


def test_same_bytes_summary_and_todo_as_one_process(client: distributed.Client, db: Path, tmp_path: Path) -> None:
    data = messy_csv(3_000)
    src = tmp_path / "in.csv"
    src.write_bytes(data)
    expected, report = local(db, data, ("name", "other"), source_name=str(src))
    got, dask_report, parts = on_dask(client, db, [str(src)], ("name", "other"), blocksize=4096)
    assert parts > 20  # many ranges, with multi-line cells across the block starts
    assert got == expected
    same_report(dask_report, report)
    assert {t.value for t in report.todo} >= {"Abu Zorblax", "Nobody Atall", "=cmd()", "Jaish al-Umma"}


def test_several_files_and_a_glob_give_one_output_in_input_order(client: distributed.Client, db: Path,
                                                                 tmp_path: Path) -> None:
    data = messy_csv(1_200)
    cut = data.index(b"\n600,")
    header = data[: data.index(b"\n") + 1]
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "x1.csv").write_bytes(data[: cut + 1])
    (tmp_path / "b" / "x2.csv").write_bytes(header + data[cut + 1 :])
    expected, report = local(db, data)
    got, dask_report, _ = on_dask(client, db, [str(tmp_path / "b" / "x*.csv")], blocksize=2048)
    assert got == expected
    assert (dask_report.rows, dask_report.columns, dask_report.todo) == (report.rows, report.columns, report.todo)


def test_quotes_outside_rfc4180_still_give_the_same_bytes(client: distributed.Client, db: Path,
                                                          tmp_path: Path) -> None:
    # a literal quote in an unquoted cell, then multi-line cells: some cuts land inside quotes and are redone
    body = "".join(f'{i},{NAMES[i % 12]},"a\nb"\n' for i in range(400))
    data = f'id,name,note\n0,5" screen,x\n{body}'.encode()
    src = tmp_path / "in.csv"
    src.write_bytes(data)
    expected, report = local(db, data)
    got, dask_report, _ = on_dask(client, db, [str(src)], blocksize=512)
    assert got == expected
    same_report(dask_report, report)


def test_bom_cp1256_and_semicolons(client: distributed.Client, db: Path, tmp_path: Path) -> None:
    rows = "".join(f"{i};مصطفى الكاظمي;x\r\n" for i in range(500))
    data = f"id;name;note\r\n{rows}".encode("cp1256")
    src = tmp_path / "in.csv"
    src.write_bytes(data)
    expected, _ = local(db, data, encoding="cp1256")
    got, _, parts = on_dask(client, db, [str(src)], encoding="cp1256", blocksize=1024)
    assert parts > 5 and got == expected
    bom = b"\xef\xbb\xbf" + messy_csv(400)
    src.write_bytes(bom)
    expected, _ = local(db, bom)
    got, _, _ = on_dask(client, db, [str(src)], blocksize=1024)
    assert got == expected and got.startswith(b"\xef\xbb\xbf")
    utf16 = "name\r\nKazemi\r\nAAH\r\n".encode("utf-16")
    src.write_bytes(utf16)
    expected, _ = local(db, utf16)
    got, _, parts = on_dask(client, db, [str(src)], blocksize=8)
    assert parts == 1 and got == expected  # UTF-16 is read whole


# --- through the command line, against the module's cluster as an existing scheduler --------------------

def invoke(client: distributed.Client, db: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["normalize", *args, "--db", str(db), "--scheduler", client.scheduler.address])


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith("."))


def test_cli_output_summary_and_todo_match_the_local_run(client: distributed.Client, db: Path,
                                                         tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_bytes(messy_csv(2_000))
    args = [str(src), "-c", "name", "-c", "other", "--unresolved"]
    here = CliRunner().invoke(cli, ["normalize", *args, str(tmp_path / "todo1.csv"), "-o", str(tmp_path / "o1.csv"),
                                    "--db", str(db)])
    there = invoke(client, db, *args, str(tmp_path / "todo2.csv"), "-o", str(tmp_path / "o2.csv"),
                   "--blocksize", "8KiB")
    assert here.exit_code == 0 and there.exit_code == 0, there.output
    assert (tmp_path / "o1.csv").read_bytes() == (tmp_path / "o2.csv").read_bytes()
    assert (tmp_path / "todo1.csv").read_bytes() == (tmp_path / "todo2.csv").read_bytes()
    lines = there.stderr.splitlines()
    assert re.fullmatch(r"Dask dashboard: .*", lines[0])
    strip = re.compile(r" in [\d.]+ s \([\d,]+ rows/s\)")
    assert [strip.sub("", line.replace("o2.csv", "o1.csv").replace("todo2", "todo1")) for line in lines[1:]] == \
        [strip.sub("", line) for line in here.stderr.splitlines()]


def test_cli_output_dir_holds_parts_in_order(client: distributed.Client, db: Path, tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_bytes(messy_csv(2_000))
    whole = invoke(client, db, str(src), "-c", "name", "-q")
    out = tmp_path / "parts"
    result = invoke(client, db, str(src), "-c", "name", "--output-dir", str(out), "--blocksize", "16KiB")
    assert result.exit_code == 0, result.output
    parts = sorted(out.iterdir())
    assert len(parts) > 3 and parts[0].name == "part-00000.csv"
    texts = [p.read_bytes() for p in parts]
    header = texts[0][: texts[0].index(b"\r\n") + 2]
    assert all(t.startswith(header) for t in texts)
    assert header + b"".join(t[len(header) :] for t in texts) == whole.stdout_bytes
    assert leftovers(tmp_path) == []
    again = invoke(client, db, str(src), "-c", "name", "--output-dir", str(out))
    assert again.exit_code == 2 and "exists and is not an empty directory" in again.stderr


def test_cli_errors_name_the_file_and_line_and_leave_nothing(client: distributed.Client, db: Path,
                                                             tmp_path: Path) -> None:
    good = messy_csv(1_500)
    src = tmp_path / "in.csv"
    src.write_bytes(good + b"9999,Kaz\xe9mi,x,y\n" + good[good.index(b"\n") + 1 :])
    out = tmp_path / "out.csv"
    out.write_text("precious\n")
    here = CliRunner().invoke(cli, ["normalize", str(src), "-c", "name", "-o", str(out), "--db", str(db)])
    for args in (["-o", str(out)], ["--output-dir", str(tmp_path / "dir")]):
        there = invoke(client, db, str(src), "-c", "name", *args, "--unresolved", str(tmp_path / "todo.csv"),
                       "--blocksize", "4KiB")
        assert there.exit_code == 1
        assert there.stderr.splitlines()[-1] == here.stderr.splitlines()[-1]
        assert re.search(rf"{re.escape(str(src))}:\d+: invalid utf-8", there.stderr)
        assert out.read_text() == "precious\n"
        assert not (tmp_path / "dir").exists() and not (tmp_path / "todo.csv").exists()
        assert leftovers(tmp_path) == []
    # a missing column, and an unbalanced quote (a csv error) in the second of two files
    first = tmp_path / "first.csv"
    first.write_bytes(good)
    missing = invoke(client, db, str(first), "-c", "nmae", "-o", str(out))
    assert missing.exit_code == 1
    assert missing.stderr.startswith(f"Error: {first}:1: no column 'nmae'; did you mean 'name'? the columns are")
    second = tmp_path / "second.csv"
    second.write_bytes(b"id,name,note,other\n1,Kazemi,x,y\n2,\"Kazemi" + b"x" * 140_000 + b"\n3,AAH,x,y\n")
    here = CliRunner().invoke(cli, ["normalize", str(second), "-c", "name", "--db", str(db)])
    there = invoke(client, db, str(first), str(second), "-c", "name", "-o", str(out), "--blocksize", "4KiB")
    assert there.exit_code == 1 and here.exit_code == 1
    assert there.stderr.splitlines()[1:] == here.stderr.splitlines()  # (after the dashboard's address)
    assert here.stderr.startswith(f"Error: {second}:3: field larger than field limit")
    assert out.read_text() == "precious\n" and leftovers(tmp_path) == []


def test_cli_refuses_what_it_cannot_do(client: distributed.Client, db: Path, tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_bytes(b"name\nKazemi\n")
    assert "not standard input" in invoke(client, db, "-", "-c", "name").stderr
    assert "an existing cluster has its own workers" in invoke(client, db, str(src), "-c", "name",
                                                               "--workers", "2").stderr
    nothing = invoke(client, db, str(tmp_path / "none*.csv"), "-c", "name")
    assert (nothing.exit_code, nothing.stderr) == (1, f"Error: {tmp_path}/none*.csv: no file matches this pattern\n")
    local_only = CliRunner().invoke(cli, ["normalize", str(src), str(src), "-c", "name", "--db", str(db)])
    assert local_only.exit_code == 2 and "several inputs need --scheduler" in local_only.stderr
    assert os.listdir(tmp_path) == ["in.csv"]
