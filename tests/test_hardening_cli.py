"""Issue #11 on the command line: the real ``resolver`` in a subprocess (signals, pipes) or click's runner."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner

from resolver import Resolver
from resolver.cli import cli

HEADER = "entity_id,canonical_name,type,alias\n"


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


# --- 2: an import never silently rewrites an existing entity -----------------------------------------------


def test_an_import_that_would_rewrite_an_entity_is_refused_with_file_and_line(db_path: Path, tmp_path: Path) -> None:
    source = tmp_path / "rename.csv"
    source.write_text(HEADER + "new-one,New One,person,New One\n"
                      "mustafa-al-kadhimi,Someone Else,organization,Some alias\n", encoding="utf-8")
    code, out = _run("import", str(source), "--db", str(db_path))
    assert code == 1
    assert out == ("Error: rename.csv:3: entity 'mustafa-al-kadhimi' is 'Mustafa al-Kadhimi' (person) in the store "
                   "but 'Someone Else' (organization) here; nothing was imported (use --update to change existing "
                   "entities)\n")
    with closing(Resolver.open(str(db_path))) as r:
        kadhimi = r.store.get_entity("mustafa-al-kadhimi")
        assert (kadhimi.name, kadhimi.type) == ("Mustafa al-Kadhimi", "person")
        assert not any(a.text == "Some alias" for a in kadhimi.aliases)
        assert r.store.list_entities("New One") == []  # all or nothing
        assert [h.action for h in r.store.history("mustafa-al-kadhimi")] == ["create"]  # by the build


def test_import_update_changes_the_entity_and_says_so(db_path: Path, tmp_path: Path) -> None:
    source = tmp_path / "rename.csv"
    source.write_text(HEADER + "mustafa-al-kadhimi,Mustafa Abdul Latif al-Kadhimi,person,MAK\n", encoding="utf-8")
    code, out = _run("import", "--update", str(source), "--db", str(db_path))
    assert (code, out) == (0, f"{source}: 1 rows, 0 entities and 1 aliases created, 1 entities updated\n")
    with closing(Resolver.open(str(db_path))) as r:
        assert r.store.get_entity("mustafa-al-kadhimi").name == "Mustafa Abdul Latif al-Kadhimi"
        assert [h.action for h in r.store.history("mustafa-al-kadhimi")] == ["create", "update"]
    code, out = _run("import", "--update", str(source), "--db", str(db_path))
    assert (code, out) == (0, f"{source}: 1 rows, 0 entities and 0 aliases created, 0 entities updated\n")


def test_an_import_into_a_merged_id_is_refused(db_path: Path, tmp_path: Path) -> None:
    with closing(Resolver.open(str(db_path))) as r:
        r.store.add_entity("Kadhimi Twin", "person", id="kadhimi-twin")
        r.store.merge("mustafa-al-kadhimi", "kadhimi-twin")
    source = tmp_path / "merged.csv"
    source.write_text(HEADER + "kadhimi-twin,Kadhimi Twin,person,Twin alias\n", encoding="utf-8")
    code, out = _run("import", "--update", str(source), "--db", str(db_path))
    assert code == 1
    assert out.startswith("Error: merged.csv:2: entity 'kadhimi-twin' was merged into 'mustafa-al-kadhimi'")


# --- 7: control characters are refused with the line -------------------------------------------------------


@pytest.mark.parametrize("cell", ["Kazemi\x00", "Kaz\x1bemi", "Kaz\x7femi", '"Kaz\nemi"'])
def test_an_import_with_a_control_character_names_the_line(db_path: Path, tmp_path: Path, cell: str) -> None:
    source = tmp_path / "ctl.csv"
    source.write_bytes((HEADER + "x,X,person,X\nx,X,person," + cell + "\n").encode())
    code, out = _run("import", str(source), "--db", str(db_path))
    assert code == 1
    assert out.startswith("Error: ctl.csv:3: alias may not hold control characters; found U+00")
    with closing(Resolver.open(str(db_path))) as r:
        assert all(e.id != "x" for e in r.store.list_entities("X"))


@pytest.mark.parametrize("args", [
    ["add-alias", "tehran", "Teh\x00ran"],
    ["add-entity", "New\tName", "--type", "person"],
    ["add-entity", "New Name", "--type", "person", "--alias", "Other\x07"],
])
def test_the_cli_refuses_control_characters(db_path: Path, args: list[str]) -> None:
    with closing(Resolver.open(str(db_path))) as r:
        before = r.store.revision()
    code, out = _run(*args, "--db", str(db_path))
    assert code == 1
    assert "may not hold control characters" in out
    with closing(Resolver.open(str(db_path))) as r:
        assert r.store.revision() == before
        assert r.store.list_entities("New Name") == []


def test_the_python_api_refuses_control_characters_too(resolver: Resolver) -> None:
    from resolver import InvalidQuery

    with pytest.raises(InvalidQuery, match="U\\+0000 at character 4"):
        resolver.store.add_alias("tehran", "Teh\x00ran")
    with pytest.raises(InvalidQuery, match="entity name may not hold"):
        resolver.store.update_entity("tehran", name="Teh\nran")


# --- 8: signals and pipes ----------------------------------------------------------------------------------


def _names(path: Path, rows: int) -> None:
    rnd = random.Random(11)
    syllables = ["ka", "zi", "mu", "ha", "dhi", "qa", "sa", "ri", "al", "na", "bu", "ta"]
    with path.open("w", encoding="utf-8") as out:
        out.write("name\n")
        for _ in range(rows):
            out.write(" ".join("".join(rnd.choice(syllables) for _ in range(3)).capitalize() for _ in range(2)) + "\n")


def test_sigterm_leaves_no_part_file(db_path: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    _names(tmp_path / "names.csv", 2_000)
    proc = subprocess.Popen(
        [sys.executable, "-m", "resolver", "normalize", "-", "-c", "name", "-o", str(work / "out.csv"),
         "--db", str(db_path)], stdin=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    assert proc.stdin is not None
    # Rows arrive on a pipe this test keeps open, so the run cannot end before the signal does.
    proc.stdin.write((tmp_path / "names.csv").read_bytes())
    proc.stdin.flush()
    deadline = time.monotonic() + 60
    while not list(work.glob(".out.csv.*.part")) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert list(work.glob(".out.csv.*.part")), "normalize never started writing"
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 128 + signal.SIGTERM
    assert b"Traceback" not in err
    assert sorted(p.name for p in work.iterdir()) == []


@pytest.mark.parametrize("args", [
    ["export"],
    ["stats"],
    ["normalize", "-", "-c", "name", "-o", "-"],
    ["resolve", "Kazemi", "AAH"],
], ids=lambda a: a[0])
def test_a_closed_pipe_is_a_quiet_exit(db_path: Path, args: list[str]) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # `| head -1` that has already gone
    try:
        result = subprocess.run([sys.executable, "-m", "resolver", *args, "--db", str(db_path)],
                                stdout=write_end, stderr=subprocess.PIPE, input=b"name\nKazemi\n", timeout=60)
    finally:
        os.close(write_end)
    assert result.stderr == b""
    assert result.returncode == 1


def _big_import(db_path: Path, tmp_path: Path) -> tuple[Path, tuple[object, int]]:
    """A CSV of 60,000 new rows (an import that takes a few seconds), and the store's state before it."""
    source = tmp_path / "big.csv"
    rnd = random.Random(5)
    with source.open("w", encoding="utf-8") as out:
        out.write(HEADER)
        for i in range(60_000):
            out.write(f"e{i},Name {i},person,Alias {rnd.random():.12f}\n")
    with closing(Resolver.open(str(db_path))) as r:
        return source, (r.store.stats(), r.store.revision())


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_a_killed_import_changes_nothing(db_path: Path, tmp_path: Path, sig: signal.Signals) -> None:
    source, before = _big_import(db_path, tmp_path)
    proc = subprocess.Popen([sys.executable, "-m", "resolver", "import", str(source), "--db", str(db_path)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(1.5)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode in (128 + sig, -sig), "the import finished before it could be stopped"
    assert b"Traceback" not in err
    with closing(Resolver.open(str(db_path))) as r:
        assert (r.store.stats(), r.store.revision()) == before


def _workers(pid: int) -> list[int]:
    """The pool workers a process started (not its multiprocessing resource tracker)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            stat, command = (entry / "stat").read_text(), (entry / "cmdline").read_bytes()
        except OSError:
            continue  # not a process, or gone
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid and b"spawn_main" in command:
            found.append(int(entry.name))
    return found


def test_ctrl_c_stops_an_import_and_its_key_worker_without_a_traceback(db_path: Path, tmp_path: Path) -> None:
    """Ctrl-C reaches the whole process group: the import and its key worker, which may still be
    starting.  The import stops with "Aborted!", the worker prints nothing, nothing is written."""
    if not Path("/proc/self/stat").exists():
        pytest.skip("finding the import's worker reads /proc (Linux)")
    source, before = _big_import(db_path, tmp_path)
    proc = subprocess.Popen([sys.executable, "-m", "resolver", "import", str(source), "--db", str(db_path),
                             "--workers", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    deadline = time.monotonic() + 120
    while not _workers(proc.pid) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)  # its pool starts with the first batch of 20,000 rows
    time.sleep(0.3)  # the worker is running Python by then (until it is, SIGINT kills it without a word)
    assert proc.poll() is None, "the import finished before its key worker started"
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 1
    assert err.decode().strip() == "Aborted!"
    with closing(Resolver.open(str(db_path))) as r:
        assert (r.store.stats(), r.store.revision()) == before


def test_ctrl_c_while_the_command_is_still_loading_aborts_without_a_traceback(db_path: Path) -> None:
    """The command line takes about a second to load (click, SQLAlchemy, the matcher); a Ctrl-C
    then ends it as it does later, with "Aborted!", not with a traceback of the imports."""
    maps = Path("/proc/self/maps")
    if not maps.exists():
        pytest.skip("seeing how far the command has loaded reads /proc (Linux)")
    proc = subprocess.Popen([sys.executable, "-m", "resolver", "stats", "--db", str(db_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    # SQLAlchemy's compiled parts are among the first heavy imports: from then on the command loads
    while "sqlalchemy" not in Path(f"/proc/{proc.pid}/maps").read_text() and time.monotonic() < deadline:
        assert proc.poll() is None, "the command ended before it loaded SQLAlchemy"
        time.sleep(0.002)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert (proc.returncode, err.decode(), out) == (1, "Aborted!\n", b"")


def test_the_package_loads_its_public_names_on_first_use() -> None:
    """``import resolver`` (and the command's entry point) loads nothing heavy; every public name
    is still there when asked for."""
    code = ("import sys, resolver, resolver.console; heavy = sorted(m for m in ('click', 'sqlalchemy', 'rapidfuzz') "
            "if m in sys.modules); names = [getattr(resolver, n).__name__ for n in resolver.__all__]; "
            "print(heavy, len(names), 'sqlalchemy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out == "[] 22 True\n"


def test_a_failed_build_leaves_neither_a_store_nor_a_temporary_file(tmp_path: Path) -> None:
    source = tmp_path / "entities.toml"
    source.write_text('[[entity]]\nid = "x"\nname = "X"\ntype = "person"\ndescription = ""\n'
                      'aliases = [{ text = "X\\u0000Y", kind = "name", source = "curated", note = "test" }]\n',
                      encoding="utf-8")
    out = tmp_path / "built" / "store.db"
    code, message = _run("build", "--source", str(source), "-o", str(out))
    assert code == 1
    assert "may not hold control characters" in message
    assert list(out.parent.iterdir()) == []


def test_a_stopped_export_leaves_the_target_as_it_was(db_path: Path, tmp_path: Path) -> None:
    import sqlite3

    con = sqlite3.connect(db_path)  # 33,000 more alias rows (copies, numbered): an export that takes a moment
    columns = [row[1] for row in con.execute("PRAGMA table_info(alias)") if row[1] not in ("id", "text")]
    con.execute(f"""
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100)
        INSERT INTO alias (text, {", ".join(columns)})
        SELECT a.text || ' ' || n.i, {", ".join("a." + c for c in columns)} FROM alias a, n""")
    con.commit()
    con.close()
    target = tmp_path / "out" / "export.csv"
    target.parent.mkdir()
    target.write_text("precious\n", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "resolver", "export", "-o", str(target), "--db", str(db_path)],
                            stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while len(list(target.parent.iterdir())) < 2 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGTERM)  # at once: under load a pause here lets a fast export finish first
    assert proc.poll() is None or proc.returncode == 128 + signal.SIGTERM, "the export finished before the signal"
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM
    assert b"Traceback" not in err
    assert [p.name for p in target.parent.iterdir()] == ["export.csv"]
    assert target.read_text(encoding="utf-8") == "precious\n"


def test_a_source_sync_refuses_control_characters_too(db_path: Path, tmp_path: Path) -> None:
    export = tmp_path / "list.jsonl"
    export.write_text('{"id": "a", "schema": "Person", "properties": {"name": ["Ali Hassan"]}}\n'
                      '{"id": "b", "schema": "Person", "properties": {"name": ["Zaid\\u0000Karim"]}}\n',
                      encoding="utf-8")
    with closing(Resolver.open(str(db_path))) as r:
        before = r.store.revision()
    code, out = _run("import", "--format", "ftm", "--source", "test-list", "-q", str(export), "--db", str(db_path))
    assert code == 1
    assert out.startswith("Error: list.jsonl:2: a name may not hold control characters; found U+0000")
    with closing(Resolver.open(str(db_path))) as r:
        assert r.store.revision() == before
