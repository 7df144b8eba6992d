"""``resolver normalize``: real files in tmp_path, the summary, the to-do list, and nothing written on error."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from resolver import Resolution, Resolver
from resolver.cli import cli
from resolver.store.review import ReviewQueue

HEADER = "id,name,name_id,name_name,name_type,name_score,name_status\r\n"
KAZEMI = "mustafa-al-kadhimi,Mustafa al-Kadhimi,person,1.000,matched"
SUMMARY = re.compile(r"^(?P<rows>[\d,]+) rows written to (?P<where>.+) in [\d.]+ s \([\d,]+ rows/s\); "
                     r"(?P<distinct>[\d,]+) distinct values$")


@pytest.fixture()
def db(db_path: Path) -> Path:
    """The bundled store plus two entities sharing an alias and one whose name starts with @."""
    r = Resolver.open(str(db_path))
    r.store.add_entity("Zorblax Alpha", "person", id="zorblax-alpha", aliases=["Abu Zorblax"])
    r.store.add_entity("Zorblax Beta", "person", id="zorblax-beta", aliases=["Abu Zorblax"])
    r.store.add_entity("@ZorblaxNews", "media", id="zorblax-news", aliases=["Zorblax News"])
    r.close()
    return db_path


def invoke(db: Path, *args: str, stdin: bytes | None = None) -> Result:
    return CliRunner().invoke(cli, ["normalize", *args, "--db", str(db)], input=stdin)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".part"))


def test_file_to_file_with_summary(db: Path, tmp_path: Path) -> None:
    src = write(tmp_path / "in.csv", "id,name\n1,Kazemi\n2,Nobody Atall\n3,\n4,Kazemi\n5,Abu Zorblax\n")
    out = tmp_path / "out.csv"
    result = invoke(db, str(src), "-c", "name", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes().decode("utf-8") == (
        HEADER + f"1,Kazemi,{KAZEMI}\r\n2,Nobody Atall,,,,0.000,unresolved\r\n3,,,,,,unresolved\r\n"
        f"4,Kazemi,{KAZEMI}\r\n5,Abu Zorblax,,,,1.000,ambiguous\r\n")
    lines = result.stderr.splitlines()
    first = SUMMARY.match(lines[0])
    assert first is not None and first.group("rows", "where", "distinct") == ("5", str(out), "3")
    assert lines[1:] == ["name: 2 matched, 1 ambiguous, 2 unresolved (1 empty)"]
    assert result.stdout == ""
    assert leftovers(tmp_path) == []


def test_stdin_to_stdout_with_dashes(db: Path) -> None:
    result = invoke(db, "-", "-c", "name", "-o", "-", "--quiet", stdin=b"id,name\n1,Kazemi\n")
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == (HEADER + f"1,Kazemi,{KAZEMI}\r\n").encode()
    assert result.stderr == ""


def test_output_defaults_to_stdout(db: Path, tmp_path: Path) -> None:
    src = write(tmp_path / "in.csv", "id;name\n1;Kazemi\n")
    result = invoke(db, str(src), "-c", "name")
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == ("id;name;name_id;name_name;name_type;name_score;name_status\r\n"
                                   f"1;Kazemi;{KAZEMI.replace(',', ';')}\r\n").encode()
    assert "written to standard output" in result.stderr


def test_unresolved_file_lists_values_most_frequent_first(db: Path, tmp_path: Path) -> None:
    names = ["Nobody Atall", "Abu Zorblax", "=evil()", "Nobody Atall", "Kazemi", "Pelican Lighthouse",
             "Abu Zorblax", "Nobody Atall", ""]
    src = write(tmp_path / "in.csv", "name\n" + "".join(f"{n}\n" for n in names))
    todo = tmp_path / "todo.csv"
    result = invoke(db, str(src), "-c", "name", "-o", str(tmp_path / "out.csv"), "--unresolved", str(todo))
    assert result.exit_code == 0, result.output
    assert todo.read_bytes().decode("utf-8") == (
        "value,status,count\r\nNobody Atall,unresolved,3\r\nAbu Zorblax,ambiguous,2\r\n"
        "'=evil(),unresolved,1\r\nPelican Lighthouse,unresolved,1\r\n")
    assert result.stderr.splitlines()[-2:] == [f"4 unresolved or ambiguous values written to {todo}",
                                               "4 of them counted in the store's review queue"]
    # the same values and counts wait for a curator in the store's review queue
    r = Resolver.open(str(db))
    try:
        queued = ReviewQueue(r.store).items()
    finally:
        r.close()
    assert [(i.value, i.status, i.count, i.origins) for i in queued] == [
        ("Nobody Atall", "unresolved", 3, ("cli",)), ("Abu Zorblax", "ambiguous", 2, ("cli",)),
        ("=evil()", "unresolved", 1, ("cli",)), ("Pelican Lighthouse", "unresolved", 1, ("cli",))]


def test_collection_off_leaves_the_queue_alone(db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RESOLVER_REVIEW_MAX", "0")
    src = write(tmp_path / "in.csv", "name\nNobody Atall\n")
    result = invoke(db, str(src), "-c", "name", "-o", str(tmp_path / "out.csv"), "--unresolved",
                    str(tmp_path / "todo.csv"))
    assert result.exit_code == 0, result.output
    assert "review queue" not in result.stderr
    r = Resolver.open(str(db))
    try:
        assert ReviewQueue(r.store).counts()["open"] == 0
    finally:
        r.close()


def test_no_sanitize_writes_names_as_they_are(db: Path, tmp_path: Path) -> None:
    src = write(tmp_path / "in.csv", "name\nZorblax News\n")
    sanitized = invoke(db, str(src), "-c", "name", "-q")
    raw = invoke(db, str(src), "-c", "name", "-q", "--no-sanitize")
    assert sanitized.stdout.splitlines()[1] == "Zorblax News,zorblax-news,'@ZorblaxNews,media,1.000,matched"
    assert raw.stdout.splitlines()[1] == "Zorblax News,zorblax-news,@ZorblaxNews,media,1.000,matched"


def test_missing_column_lists_the_available_ones_and_writes_nothing(db: Path, tmp_path: Path) -> None:
    src = write(tmp_path / "in.csv", "id,full_name,country\n1,Kazemi,IQ\n")
    out = tmp_path / "out.csv"
    result = invoke(db, str(src), "-c", "name", "-o", str(out))
    assert result.exit_code == 1
    assert result.stderr == (f"Error: {src}:1: no column 'name'; did you mean 'full_name'? "
                             "the columns are 'id', 'full_name', 'country'\n")
    assert not out.exists()
    assert leftovers(tmp_path) == []


def test_invalid_utf8_names_the_line_and_leaves_the_target_untouched(db: Path, tmp_path: Path) -> None:
    rows = "".join(f"{i},Kazemi\n" for i in range(12_000))  # several chunks are written before the bad line
    src = tmp_path / "in.csv"
    src.write_bytes(f"id,name\n{rows}".encode() + b"x,Kaz\xe9mi\n")
    out = write(tmp_path / "out.csv", "precious\n")
    todo = tmp_path / "todo.csv"
    result = invoke(db, str(src), "-c", "name", "-o", str(out), "--unresolved", str(todo))
    assert result.exit_code == 1
    assert result.stderr == (f"Error: {src}:12002: invalid utf-8 (byte 0xe9 at character 6); use --encoding "
                             "to name the file's encoding, e.g. --encoding cp1256\n")
    assert out.read_text() == "precious\n"
    assert not todo.exists()
    assert leftovers(tmp_path) == []


def test_encoding_option(db: Path, tmp_path: Path) -> None:
    src = write(tmp_path / "in.csv", "id,name\n1,مصطفى الكاظمي\n", encoding="cp1256")
    result = invoke(db, str(src), "-c", "name", "--encoding", "cp1256", "-q")
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == (HEADER + f"1,مصطفى الكاظمي,{KAZEMI}\r\n").encode("utf-8")


def test_unknown_encoding_is_a_clean_error(db: Path, tmp_path: Path) -> None:
    src = write(tmp_path / "in.csv", "name\nKazemi\n")
    result = invoke(db, str(src), "-c", "name", "--encoding", "klingon")
    assert (result.exit_code, result.stderr) == (1, f"Error: {src}: unknown encoding 'klingon'\n")


def test_tab_delimiter_by_name(db: Path, tmp_path: Path) -> None:
    src = write(tmp_path / "in.tsv", "id\tname\n1\tKazemi\n")
    result = invoke(db, str(src), "-c", "name", "--delimiter", "tab", "-q")
    assert result.stdout.splitlines()[1] == "1\tKazemi\t" + KAZEMI.replace(",", "\t")


def test_two_workers_write_the_same_bytes_as_one(db: Path, tmp_path: Path) -> None:
    names = ["Kazemi", "Abu Zorblax", "", "Nobody Atall", "Zorblax News", "PMF", "Pelican Lighthouse"]
    body = "".join(f"{i},{names[i % 7]},{names[i * 3 % 7]}\n" for i in range(12_000))  # > 2 chunks
    src = write(tmp_path / "in.csv", "id,name,other\n" + body)
    outputs = []
    for workers in ("1", "2"):
        out, todo = tmp_path / f"out{workers}.csv", tmp_path / f"todo{workers}.csv"
        result = invoke(db, str(src), "-c", "name", "-c", "other", "-o", str(out), "--unresolved", str(todo),
                        "--workers", workers)
        assert result.exit_code == 0, result.output
        outputs.append((out.read_bytes(), todo.read_bytes(), result.stderr.splitlines()[1:3]))
    assert outputs[0] == outputs[1]
    assert outputs[0][2] == ["name: 5,143 matched, 1,715 ambiguous, 5,142 unresolved (1,714 empty)",
                             "other: 5,143 matched, 1,714 ambiguous, 5,143 unresolved (1,714 empty)"]


def test_interrupt_leaves_no_file(db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = write(tmp_path / "in.csv", "name\n" + "".join(f"Name{i}\n" for i in range(12_000)))
    out = write(tmp_path / "out.csv", "precious\n")
    calls = []

    def interrupted(self: Resolver, mentions: list[str], **kwargs: Any) -> list[Resolution]:
        calls.append(len(mentions))
        if len(calls) == 2:  # after a chunk has been written to the temporary file
            raise KeyboardInterrupt
        return original(self, mentions, **kwargs)

    original = Resolver.resolve_many
    monkeypatch.setattr(Resolver, "resolve_many", interrupted)
    result = invoke(db, str(src), "-c", "name", "-o", str(out))
    assert result.exit_code == 1
    assert result.stderr == "\nAborted!\n"
    assert calls == [5_000, 5_000]
    assert out.read_text() == "precious\n"
    assert leftovers(tmp_path) == []


def test_refuses_to_overwrite_the_input(db: Path, tmp_path: Path) -> None:
    src = write(tmp_path / "in.csv", "name\nKazemi\n")
    result = invoke(db, str(src), "-c", "name", "-o", str(src))
    assert result.exit_code == 2
    assert "refusing to overwrite the input file" in result.stderr
    assert src.read_text() == "name\nKazemi\n"


def test_new_file_gets_ordinary_permissions(db: Path, tmp_path: Path) -> None:
    src = write(tmp_path / "in.csv", "name\nKazemi\n")
    out = tmp_path / "out.csv"
    invoke(db, str(src), "-c", "name", "-o", str(out), "-q")
    assert out.stat().st_mode & 0o777 == (tmp_path / "in.csv").stat().st_mode & 0o777


def test_help_states_the_decisions() -> None:
    result = CliRunner().invoke(cli, ["normalize", "--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "they are never cleaned or neutralised" in text
    assert "get a leading apostrophe unless --no-sanitize is given" in text
    assert "CRLF line endings" in text
