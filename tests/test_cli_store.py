"""The store commands through click's CliRunner: exit codes, messages, no tracebacks, --help."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

import api
import resolver
from resolver.cli import cli
from resolver.compiled import build_label
from resolver.settings import default_db_path
from resolver.store.db import SCHEMA_VERSION

GOOD = (
    "entity_id,canonical_name,type,alias\n"
    "qais-al-khazali,Qais al-Khazali,person,Qais al-Khazali\n"
    "qais-al-khazali,Qais al-Khazali,person,Khazali\n"
    "qais-dup,Qays Khazali,person,Qays Khazali\n"
    "asaib-ahl-al-haq,Asa'ib Ahl al-Haq,organization,AAH\n"
    "asaib-ahl-al-haq,Asa'ib Ahl al-Haq,organization,عصائب أهل الحق\n"
)


def run(*args: str, input: str | None = None) -> Result:
    result = CliRunner().invoke(cli, list(args), input=input, catch_exceptions=True)
    assert "Traceback" not in result.output
    return result


def ok(*args: str, input: str | None = None) -> str:
    result = run(*args, input=input)
    assert result.exit_code == 0, result.output
    assert result.exception is None
    return result.output


def fails(*args: str, input: str | None = None) -> str:
    result = run(*args, input=input)
    assert result.exit_code == 1, result.output
    # a library error became a clean message: click's own SystemExit, not an escaped exception
    assert isinstance(result.exception, SystemExit)
    assert result.output.startswith("Error: ")
    assert len(result.output.strip().splitlines()) == 1
    return result.output


@pytest.fixture()
def db(tmp_path: Path) -> str:
    """A store made by `resolver import`, as a user would make one."""
    path = tmp_path / "store.db"
    source = tmp_path / "good.csv"
    source.write_text(GOOD, encoding="utf-8")
    assert ok("import", str(source), "--db", str(path)) == f"{source}: 5 rows, 3 entities and 5 aliases created\n"
    return str(path)


def _write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


# --- help -------------------------------------------------------------------------------------------

COMMANDS = sorted(cli.commands)


def test_the_store_commands_are_registered() -> None:
    assert {"resolve", "import", "export", "add-entity", "add-alias", "remove-alias", "merge", "stats", "build"} <= set(
        COMMANDS
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_a_useful_help(command: str) -> None:
    out = ok(command, "--help")
    assert out.startswith(f"Usage: cli {command} ")
    cmd = cli.commands[command]
    summary = (cmd.help or "").strip().splitlines()[0]
    assert len(summary) > 20, f"{command} has no real description"
    assert summary[:40] in " ".join(out.split())


def test_the_group_help_lists_every_command() -> None:
    out = ok("--help")
    assert "Resolve Arabic- and Persian-derived names" in out
    for command in COMMANDS:
        assert f"  {command} " in out


def test_help_options() -> None:
    assert ok("-h") == ok("--help")
    assert "--json" in ok("resolve", "--help")
    assert "--db DB" in ok("export", "--help")


def test_version() -> None:
    """The version line says which build runs, so that a benchmark's figures say what they measured."""
    line = ok("--version")
    assert line.startswith("resolver, version ")
    assert f"({build_label()})" in line
    assert "pure Python" in line or "compiled (mypyc" in line


# --- resolve ----------------------------------------------------------------------------------------


def test_resolve_json(db: str) -> None:
    out = ok("resolve", "Khazali", "aah", "--json", "--db", db)
    first, second = (json.loads(line) for line in out.splitlines())
    assert first["status"] == "matched"
    assert first["entity"] == {"id": "qais-al-khazali", "name": "Qais al-Khazali", "type": "person"}
    assert first["alias"] == "Khazali"
    assert (second["query"], second["status"], second["entity"]) == ("aah", "unresolved", None)


def test_resolve_text_and_type(db: str) -> None:
    out = click.unstyle(ok("resolve", "AAH", "--db", db))
    assert out.startswith("AAH  matched     organization  Asa'ib Ahl al-Haq")
    assert "asaib-ahl-al-haq" in out
    out = click.unstyle(ok("resolve", "AAH", "--type", "person", "--db", db))
    assert out.startswith("AAH  unresolved")


def test_resolve_reads_standard_input(db: str) -> None:
    out = ok("resolve", "--json", "--db", db, input="Khazali\n\nعصائب أهل الحق\n")
    ids = [json.loads(line)["entity"]["id"] for line in out.splitlines()]
    assert ids == ["qais-al-khazali", "asaib-ahl-al-haq"]


def test_resolve_uses_resolver_db_from_the_environment(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RESOLVER_DB", db)
    out = ok("resolve", "Khazali", "--json")
    assert json.loads(out)["entity"]["id"] == "qais-al-khazali"


def test_resolve_errors(db: str, tmp_path: Path) -> None:
    assert fails("resolve", "x" * 600, "--db", db) == "Error: mention is 600 characters; the limit is 512\n"
    missing = tmp_path / "missing.db"
    assert f"no store at {missing}" in fails("resolve", "Khazali", "--db", str(missing))
    assert not missing.exists()
    usage = run("resolve", "Khazali", "--type", "robot", "--db", db)
    assert usage.exit_code == 2
    assert "'robot' is not one of" in usage.output


# --- import and export ------------------------------------------------------------------------------


def test_reimport_creates_nothing(db: str, tmp_path: Path) -> None:
    source = _write(tmp_path, "again.csv", ("\ufeff" + GOOD).encode("utf-8"))
    assert ok("import", str(source), "--db", db) == f"{source}: 5 rows, 0 entities and 0 aliases created\n"


BAD = [
    ("bad-header", b"id,name,type,alias\nx,X,person,X\n", 1, "bad header"),
    ("missing-id", b"entity_id,canonical_name,type,alias\nx,X,person,X\n,Y,person,Y\n", 3, "missing entity_id"),
    ("missing-alias", b"entity_id,canonical_name,type,alias\nx,X,person,X\ny,Y,person,\n", 3, "missing alias"),
    ("unknown-type", b"entity_id,canonical_name,type,alias\nx,X,person,X\ny,Y,robot,Y\n", 3, "unknown entity type"),
    (
        "inconsistent-name",
        b"entity_id,canonical_name,type,alias\nx,X,person,X\nx,Z,person,Z\n",
        3,
        "entity 'x' is 'X' (person) on line 2",
    ),
    ("invalid-utf8", b"entity_id,canonical_name,type,alias\nx,X,person,X\n\xff,Y,person,Y\n", 3, "not valid UTF-8"),
    ("ragged", b"entity_id,canonical_name,type,alias\nx,X,person,X\ny,Y\n", 3, "expected 4 fields, found 2"),
]


@pytest.mark.parametrize(("content", "line", "message"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_a_bad_import_names_file_and_line_and_writes_nothing(
    db: str, tmp_path: Path, content: bytes, line: int, message: str
) -> None:
    before = ok("export", "--db", db)
    source = _write(tmp_path, "bad.csv", content)
    out = fails("import", str(source), "--db", db)
    assert out.startswith(f"Error: bad.csv:{line}: ")
    assert message in out
    assert ok("export", "--db", db) == before


def test_import_of_a_missing_file_is_a_usage_error(db: str, tmp_path: Path) -> None:
    result = run("import", str(tmp_path / "nope.csv"), "--db", db)
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_a_failed_import_into_a_new_store_creates_no_file(tmp_path: Path) -> None:
    source = _write(tmp_path, "bad.csv", b"id,name\n")
    target = tmp_path / "new.db"
    fails("import", str(source), "--db", str(target))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv"]


def test_export_to_a_file_round_trips(db: str, tmp_path: Path) -> None:
    out_file = tmp_path / "out.csv"
    assert ok("export", "--db", db, "-o", str(out_file)) == ""
    exported = out_file.read_text(encoding="utf-8")
    assert exported == ok("export", "--db", db)
    assert exported.splitlines()[0] == "entity_id,canonical_name,type,alias"
    fresh = tmp_path / "fresh.db"
    ok("import", str(out_file), "--db", str(fresh))
    assert ok("export", "--db", str(fresh)) == exported


# --- editing ----------------------------------------------------------------------------------------


def test_add_entity(db: str) -> None:
    out = ok("add-entity", "Laith al-Khazali", "--type", "person", "--alias", "Laith Khazali", "--db", db)
    assert out == "created laith-khazali (person) with 2 alias(es)\n"
    out = ok("add-entity", "Sadr City", "--type", "place", "--id", "sadr-city", "--description", "district", "--db", db)
    assert out == "created sadr-city (place) with 1 alias(es)\n"
    assert fails("add-entity", "Other", "--type", "place", "--id", "sadr-city", "--db", db) == (
        "Error: entity id 'sadr-city' already exists (ids are never reused)\n"
    )
    assert run("add-entity", "X", "--db", db).exit_code == 2  # --type is required


def test_add_and_remove_alias(db: str) -> None:
    out = ok(
        "add-alias", "qais-al-khazali", "Qays al-Khazʿali", "--kind", "name", "--source", "seeds/x.txt", "--db", db
    )
    assert out.startswith("alias ")
    assert out.endswith(" 'Qays al-Khazʿali' added to qais-al-khazali\n")
    alias_id = out.split()[1]
    assert "qais-al-khazali,Qais al-Khazali,person,Qays al-Khazʿali" in ok("export", "--db", db)
    assert fails("add-alias", "qais-al-khazali", "Khazali", "--db", db) == (
        "Error: entity 'qais-al-khazali' already has the alias 'Khazali'\n"
    )
    assert fails("add-alias", "nobody", "Khazali", "--db", db) == "Error: no entity with id 'nobody'\n"
    assert run("add-alias", "qais-al-khazali", "Q", "--kind", "nickname", "--db", db).exit_code == 2
    out = ok("remove-alias", "qais-al-khazali", alias_id, "--db", db)
    assert out == f"removed alias {alias_id} 'Qays al-Khazʿali' from qais-al-khazali\n"
    assert "Qays al-Khazʿali" not in ok("export", "--db", db)
    assert fails("remove-alias", "asaib-ahl-al-haq", "1", "--db", db) == (
        "Error: entity 'asaib-ahl-al-haq' has no alias with id 1\n"
    )


def test_merge(db: str) -> None:
    out = ok("merge", "qais-al-khazali", "qais-dup", "--db", db)
    assert out == "merged qais-dup into qais-al-khazali; it now has 3 aliases\n"
    exported = ok("export", "--db", db)
    assert "qais-dup," not in exported
    assert "qais-al-khazali,Qais al-Khazali,person,Qays Khazali" in exported
    res = json.loads(ok("resolve", "Qays Khazali", "--json", "--db", db))
    assert res["entity"]["id"] == "qais-al-khazali"
    assert "qais-dup" in fails("merge", "qais-al-khazali", "qais-dup", "--db", db)
    assert fails("merge", "qais-al-khazali", "nobody", "--db", db) == "Error: no entity with id 'nobody'\n"


def test_stats(db: str) -> None:
    figures = json.loads(ok("stats", "--json", "--db", db))
    assert figures["entities"] == 3
    assert figures["aliases"] == 5
    assert figures["entities_by_type"] == {"organization": 1, "person": 2}
    assert figures["aliases_by_script"] == {"arabic": 1, "latin": 4}
    assert figures["schema_version"] == SCHEMA_VERSION
    text = ok("stats", "--db", db)
    assert "entities: 3\n" in text
    assert "entities_by_type: organization 1, person 2\n" in text


def test_build(tmp_path: Path) -> None:
    target = tmp_path / "built.db"
    out = ok("build", "-o", str(target))
    assert out.startswith(f"built {target} from ")
    assert target.exists()
    figures = json.loads(ok("stats", "--json", "--db", str(target)))
    assert out.rstrip().endswith(f"{figures['entities']} entities, {figures['aliases']} aliases")
    bad = _write(tmp_path, "bad.toml", b"[[entity]]\nid = 'x'\nname = 'X'\ntype = 'robot'\n")
    assert "unknown entity type 'robot'" in fails("build", "--source", str(bad), "-o", str(tmp_path / "b.db"))
    assert not (tmp_path / "b.db").exists()


# --- stores that cannot be opened, and migration ----------------------------------------------------


def test_an_unreachable_database_is_a_one_line_error() -> None:
    out = fails("resolve", "Kazemi", "--db", "postgresql://u:p@127.0.0.1:1/x")
    assert out.startswith("Error: cannot open the store postgresql+psycopg://u:***@127.0.0.1:1/x: ")
    assert "p@" not in out  # the password is never printed


def test_a_missing_driver_is_a_one_line_error() -> None:
    out = fails("stats", "--db", "mysql://u:p@127.0.0.1:1/x")
    assert out.startswith("Error: no database driver for mysql")


def test_migrate_brings_a_release_1_store_to_the_current_schema(tmp_path: Path) -> None:
    """A store as the first release wrote it (schema 1: no index tables, no flat column)."""
    import sqlite3

    from resolver.store.build import build_bundle, default_source

    path = tmp_path / "old.db"
    build_bundle(default_source(), path)
    con = sqlite3.connect(path)
    for table in ("ix_near", "ix_posting", "ix_token", "source_alias", "source_record", "source"):
        con.execute(f"DROP TABLE IF EXISTS {table}")
    con.execute("DROP INDEX ix_alias_flat")
    con.execute("ALTER TABLE alias DROP COLUMN flat")
    con.execute("DELETE FROM meta WHERE key = 'entity_count'")
    con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    steps = ", ".join(str(v) for v in range(2, SCHEMA_VERSION + 1))
    assert ok("migrate", "--db", str(path)) == (
        f"sqlite:///{path}: migrated to schema version {SCHEMA_VERSION} (through {steps})\n")
    assert ok("migrate", "--db", str(path)) == f"sqlite:///{path}: already at schema version {SCHEMA_VERSION}\n"
    assert "mustafa-al-kadhimi" in ok("resolve", "Kazemi", "--db", str(path))
    assert json.loads(ok("stats", "--json", "--db", str(path)))["schema_version"] == SCHEMA_VERSION


def test_migrate_refuses_a_missing_store(tmp_path: Path) -> None:
    assert fails("migrate", "--db", str(tmp_path / "none.db")) == f"Error: no store at {tmp_path / 'none.db'}\n"


def _installed_copy(tmp_path: Path) -> Path:
    """The packages as `pip install .` lays them out: no checkout (no pyproject.toml) around them."""
    site = tmp_path / "site-packages"
    for package in (resolver, api):
        source = Path(package.__file__).resolve().parent
        shutil.copytree(source, site / source.name, ignore=shutil.ignore_patterns("__pycache__"))
    return site


def test_an_installed_package_uses_the_aliases_db_of_the_working_directory(tmp_path: Path) -> None:
    site = _installed_copy(tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "RESOLVER_DB"} | {"PYTHONPATH": str(site)}
    here, empty = tmp_path / "checkout", tmp_path / "elsewhere"
    here.mkdir()
    empty.mkdir()
    shutil.copy(Path(__file__).resolve().parent.parent / "aliases.db", here / "aliases.db")

    found = subprocess.run([sys.executable, "-m", "resolver", "resolve", "Kadhimi"], cwd=here, env=env,
                           capture_output=True, text=True, timeout=120)
    assert found.returncode == 0, found.stderr
    assert "mustafa-al-kadhimi" in found.stdout
    missing = subprocess.run([sys.executable, "-m", "resolver", "resolve", "Kadhimi"], cwd=empty, env=env,
                             capture_output=True, text=True, timeout=120)
    assert missing.returncode != 0
    assert f"no store at {empty / 'aliases.db'}" in missing.stderr
    assert "Traceback" not in missing.stderr
    assert list(empty.iterdir()) == []


def test_a_checkout_uses_its_own_aliases_db_wherever_it_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    top = Path(__file__).resolve().parent.parent
    if Path(resolver.__file__).resolve().parent.parent != top:
        pytest.skip("the tests run against an installed package, not the checkout's")
    assert default_db_path() == top / "aliases.db"
