"""resolver.batch.normalize_csv over open handles: columns, encodings, delimiters, bad input, workers."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from resolver import Resolver
from resolver.batch.lookup import LookupOptions, PoolLookup
from resolver.batch.runner import BatchError, BatchReport, UndecodableInput, normalize_csv, write_todo

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ADDED = ["name_id", "name_name", "name_type", "name_score", "name_status"]
KAZEMI = ["mustafa-al-kadhimi", "Mustafa al-Kadhimi", "person", "1.000", "matched"]
UNKNOWN = ["", "", "", "0.000", "unresolved"]
EMPTY = ["", "", "", "", "unresolved"]


def seed(resolver: Resolver) -> None:
    """Test entities: two sharing an alias (ambiguous), and names a spreadsheet would run as formulas."""
    store = resolver.store
    store.add_entity("Zorblax Alpha", "person", id="zorblax-alpha", aliases=["Abu Zorblax"])
    store.add_entity("Zorblax Beta", "person", id="zorblax-beta", aliases=["Abu Zorblax"])
    store.add_entity("@ZorblaxNews", "media", id="zorblax-news", aliases=["Zorblax News"])
    store.add_entity("-Zorblax Minus", "organization", id="zorblax-minus", aliases=["Zorblax Minus Front"])


@pytest.fixture()
def seeded(resolver: Resolver) -> Iterator[Resolver]:
    seed(resolver)
    yield resolver


def run(resolver: Resolver, data: bytes, columns: tuple[str, ...] = ("name",),
        **kwargs: Any) -> tuple[str, BatchReport]:
    out = io.StringIO(newline="")
    report = normalize_csv(io.BytesIO(data), out, resolver=resolver, columns=columns, **kwargs)
    return out.getvalue(), report


def rows_of(text: str, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=delimiter))


def test_golden_file(seeded: Resolver) -> None:
    source = FIXTURES / "batch_in.csv"
    text, report = run(seeded, source.read_bytes(), source_name="batch_in.csv")
    assert text.encode("utf-8") == (FIXTURES / "batch_expected.csv").read_bytes()
    assert report.rows == 13
    assert report.ragged_rows == 2
    assert report.columns[0].to_dict() == {"column": "name", "matched": 8, "ambiguous": 1, "unresolved": 4,
                                           "empty": 2, "too_long": 0}
    # "Kazemi" twice, the empty and the whitespace-only cell never reach the resolver
    assert report.lookups == 10


def test_appends_columns_in_order_and_keeps_every_row(resolver: Resolver) -> None:
    text, report = run(resolver, b"a,name,b,other\n1,Kazemi,x,PMF\n2,Nobody Atall,y,\n", columns=("other", "name"))
    rows = rows_of(text)
    assert rows[0] == ["a", "name", "b", "other", "other_id", "other_name", "other_type", "other_score",
                       "other_status", *ADDED]
    pmf = ["popular-mobilization-forces", "Popular Mobilization Forces", "organization", "1.000", "matched"]
    assert rows[1] == ["1", "Kazemi", "x", "PMF", *pmf, *KAZEMI]
    assert rows[2] == ["2", "Nobody Atall", "y", "", *EMPTY, *UNKNOWN]
    assert [c.column for c in report.columns] == ["other", "name"]
    assert text.endswith("unresolved\r\n")


def test_utf8_bom_is_read_and_mirrored(resolver: Resolver) -> None:
    text, report = run(resolver, "\ufeffname\r\nKazemi\r\n".encode())
    assert report.encoding == "utf-8-sig"
    assert text == "\ufeffname," + ",".join(ADDED) + "\r\nKazemi," + ",".join(KAZEMI) + "\r\n"


def test_utf16_with_bom_is_detected(resolver: Resolver) -> None:
    text, report = run(resolver, "name\tx\r\nمصطفى الكاظمي\t1\r\n".encode("utf-16"))
    assert (report.encoding, report.delimiter) == ("utf-16", "\t")
    assert rows_of(text, "\t")[1] == ["مصطفى الكاظمي", "1", *KAZEMI]


@pytest.mark.parametrize("encoding", ["latin-1", "cp1256"])
def test_named_encoding(resolver: Resolver, encoding: str) -> None:
    name = "Kazémi" if encoding == "latin-1" else "مصطفى الكاظمي"
    text, report = run(resolver, f"id,name\n1,{name}\n".encode(encoding), encoding=encoding)
    assert report.encoding == {"latin-1": "iso8859-1", "cp1256": "cp1256"}[encoding]
    assert rows_of(text)[1] == ["1", name, *KAZEMI]


def test_wrong_default_encoding_names_the_line(resolver: Resolver) -> None:
    data = "id,name\n1,Kazemi\n2,مصطفى\n".encode("cp1256")
    with pytest.raises(UndecodableInput) as info:
        run(resolver, data, source_name="in.csv")
    assert info.value.line == 3
    assert info.value.message == "in.csv:3: invalid utf-8 (byte 0xe3 at character 3)"


def test_bad_byte_past_the_first_block_names_its_line(resolver: Resolver) -> None:
    good = b"".join(b"%d,Kazemi\n" % i for i in range(20_000))  # well past one 64 KiB block
    with pytest.raises(UndecodableInput) as info:
        run(resolver, b"id,name\n" + good + b"x,Kaz\xffmi\n", source_name="big.csv")
    assert info.value.line == 20_002
    assert info.value.message.startswith("big.csv:20002: invalid utf-8 (byte 0xff at character 6)")


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_sniffed_delimiter_is_kept_in_the_output(resolver: Resolver, delimiter: str) -> None:
    data = f"id{delimiter}name{delimiter}note\n1{delimiter}Kazemi{delimiter}a, b\n".encode()
    text, report = run(resolver, data)
    assert report.delimiter == delimiter
    assert text.splitlines()[1] == delimiter.join(["1", "Kazemi", "a, b", *KAZEMI])


def test_one_column_file_with_commas_in_names_needs_quotes_or_a_delimiter(resolver: Resolver) -> None:
    text, report = run(resolver, b'name\n"Unit 10,000"\n')
    assert report.delimiter == ","
    assert rows_of(text)[1][:2] == ["Unit 10,000", "kataib-hezbollah-unit-10000"]


def test_given_delimiter_wins_over_sniffing(resolver: Resolver) -> None:
    data = b"y;x,y\nKazemi;1,PMF\n"  # a column "y" with either delimiter; the sniffer picks ","
    sniffed, sniffed_report = run(resolver, data, columns=("y",))
    given, given_report = run(resolver, data, columns=("y",), delimiter=";")
    assert (sniffed_report.delimiter, given_report.delimiter) == (",", ";")
    assert rows_of(sniffed)[1][:3] == ["Kazemi;1", "PMF", "popular-mobilization-forces"]
    assert rows_of(given, ";")[1] == ["Kazemi", "1,PMF", *KAZEMI]


def test_embedded_newlines_survive(resolver: Resolver) -> None:
    data = b'id,note,name\n1,"first\r\nsecond\nthird\rfourth",Kazemi\n2,"x ""quoted""",PMF\n'
    text, report = run(resolver, data)
    rows = rows_of(text)
    assert report.rows == 2
    assert rows[1] == ["1", "first\r\nsecond\nthird\rfourth", "Kazemi", *KAZEMI]
    assert rows[2][:3] == ["2", 'x "quoted"', "PMF"]


def test_ragged_rows_keep_every_cell(resolver: Resolver) -> None:
    text, report = run(resolver, b"id,name,note\n1\n2,Kazemi\n3,Kazemi,a,extra1,extra2\n\n")
    rows = rows_of(text)
    assert rows[1] == ["1", "", "", *EMPTY]
    assert rows[2] == ["2", "Kazemi", "", *KAZEMI]
    assert rows[3] == ["3", "Kazemi", "a", *KAZEMI, "extra1", "extra2"]
    assert rows[4] == ["", "", "", *EMPTY]  # an empty line is a row of empty cells
    assert (report.rows, report.ragged_rows) == (4, 4)


def test_empty_cells_are_not_looked_up(resolver: Resolver) -> None:
    text, report = run(resolver, b'name\n""\n"  "\n"\t"\nKazemi\n')
    assert [r[1:] for r in rows_of(text)[1:]] == [EMPTY, EMPTY, EMPTY, KAZEMI]
    assert [r[0] for r in rows_of(text)[1:]] == ["", "  ", "\t", "Kazemi"]
    assert report.lookups == 1
    assert (report.columns[0].empty, report.columns[0].unresolved) == (3, 3)


def test_too_long_cell_is_unresolved_not_an_error(resolver: Resolver) -> None:
    long = "Kazemi " * 100  # 700 characters; the resolver takes 512
    text, report = run(resolver, f"name\n{long}\nKazemi\n".encode())
    assert rows_of(text)[1] == [long, *EMPTY]
    assert rows_of(text)[2] == ["Kazemi", *KAZEMI]
    assert (report.columns[0].too_long, report.columns[0].unresolved) == (1, 1)


def test_missing_column_lists_the_available_ones(resolver: Resolver) -> None:
    with pytest.raises(BatchError) as info:
        run(resolver, b"id,Name,country\n1,Kazemi,IQ\n", source_name="in.csv")
    assert info.value.message == ("in.csv:1: no column 'name'; did you mean 'Name'? "
                                  "the columns are 'id', 'Name', 'country'")


def test_column_already_normalised_is_refused(resolver: Resolver) -> None:
    with pytest.raises(BatchError, match="already has a column 'name_id'"):
        run(resolver, b"name,name_id\nKazemi,x\n")


def test_empty_file_is_an_error(resolver: Resolver) -> None:
    with pytest.raises(BatchError, match="the file is empty"):
        run(resolver, b"")


def test_header_only_file_gives_a_header(resolver: Resolver) -> None:
    text, report = run(resolver, b"id,name\n")
    assert text == "id,name," + ",".join(ADDED) + "\r\n"
    assert report.rows == 0


def test_formula_cells_are_neutralised_unless_asked_not_to(seeded: Resolver) -> None:
    data = b"name\nZorblax News\nZorblax Minus Front\n=1+1\n"
    on, _ = run(seeded, data)
    off, _ = run(seeded, data, sanitize=False)
    assert [r[:3] for r in rows_of(on)[1:]] == [
        ["Zorblax News", "zorblax-news", "'@ZorblaxNews"],
        ["Zorblax Minus Front", "zorblax-minus", "'-Zorblax Minus"],
        ["=1+1", "", ""],  # an original cell is never changed
    ]
    assert [r[2] for r in rows_of(off)[1:3]] == ["@ZorblaxNews", "-Zorblax Minus"]


def test_todo_lists_unresolved_and_ambiguous_values_most_frequent_first(seeded: Resolver) -> None:
    names = ["Nobody Atall", "Abu Zorblax", "Kazemi", "Abu Zorblax", "", "Pelican Lighthouse",
             "Abu Zorblax", "Nobody Atall", "=cmd", "Kazemi"]
    data = ("name,other\n" + "".join(f"{n},Nobody Atall\n" for n in names)).encode()
    _, report = run(seeded, data, columns=("name", "other"), todo_limit=100)
    assert [t.to_dict() for t in report.todo] == [
        {"value": "Nobody Atall", "status": "unresolved", "count": 12},
        {"value": "Abu Zorblax", "status": "ambiguous", "count": 3},
        {"value": "=cmd", "status": "unresolved", "count": 1},
        {"value": "Pelican Lighthouse", "status": "unresolved", "count": 1},
    ]
    out = io.StringIO(newline="")
    write_todo(report.todo, out)
    assert out.getvalue().splitlines()[:4] == ["value,status,count", "Nobody Atall,unresolved,12",
                                               "Abu Zorblax,ambiguous,3", "'=cmd,unresolved,1"]


def test_small_cache_gives_the_same_output(resolver: Resolver) -> None:
    data = ("name\n" + "Kazemi\nPMF\nNobody Atall\n" * 50).encode()
    big, big_report = run(resolver, data, chunk_rows=4)
    small, small_report = run(resolver, data, chunk_rows=4, cache_size=1)
    assert small == big
    assert (big_report.lookups, big_report.cache_evictions) == (3, 0)
    assert small_report.lookups > 3 and small_report.cache_evictions > 0


def test_workers_give_byte_identical_output(seeded: Resolver) -> None:
    names = ["Kazemi", "Abu Zorblax", "", "Nobody Atall", "Zorblax News", "PMF", "Pelican Lighthouse"]
    lines = [f"{i},{names[i % len(names)]} {'' if i % 3 else i % 11},{names[(i * 5) % len(names)]}\n"
             for i in range(600)]
    data = ("id,name,other\n" + "".join(lines)).encode()
    one, one_report = run(seeded, data, columns=("name", "other"), chunk_rows=50, todo_limit=50)
    two, two_report = run(seeded, data, columns=("name", "other"), chunk_rows=50, todo_limit=50, workers=2)
    assert two == one
    assert two_report.columns == one_report.columns
    assert two_report.todo == one_report.todo
    distinct = {v for line in lines for v in line.strip().split(",")[1:] if v.strip()}
    assert two_report.lookups == one_report.lookups == len(distinct) == 89  # each distinct value once
    # 50 kept of more unresolved values: the counts carry an error bound, the same for any worker count
    assert one_report.todo_max_error == two_report.todo_max_error > 0
    assert one_report.rows == 600


def test_progress_reports_rows_and_bytes(resolver: Resolver) -> None:
    seen: list[tuple[int, int]] = []
    data = ("name\n" + "Kazemi\n" * 25).encode()
    run(resolver, data, chunk_rows=10, progress=lambda rows, size: seen.append((rows, size)))
    assert seen == [(10, len(data)), (20, len(data)), (25, len(data))]


def test_unknown_type_is_refused(resolver: Resolver) -> None:
    from resolver import InvalidQuery

    with pytest.raises(InvalidQuery, match="unknown entity type 'planet'"):
        run(resolver, b"name\nKazemi\n", type="planet")


def test_type_filter_applies(resolver: Resolver) -> None:
    text, _ = run(resolver, b"name\nKazemi\n", type="organization")
    assert rows_of(text)[1][-1] == "unresolved"


def test_recycled_workers_give_the_same_output(resolver: Resolver) -> None:
    data = ("name\n" + "".join(f"Kazemi {i}\nNobody Atall {i}\n" for i in range(600))).encode()
    one, one_report = run(resolver, data, chunk_rows=400)
    recycled, report = run(resolver, data, chunk_rows=400, workers=2, recycle_after=200)  # a new pool per chunk
    assert recycled == one
    assert report.lookups == one_report.lookups == 1_200


def test_each_worker_is_replaced_after_its_budget(resolver: Resolver) -> None:
    lookup = PoolLookup(resolver, LookupOptions(None, True), workers=2, recycle_after=1)  # one task a process
    try:
        pending = [lookup.submit(names) for names in (["Kazemi", "PMF"], ["Sadr"], ["Nobody Atall"], ["Qais"])]
        entries = [p.result() for p in pending]
    finally:
        lookup.close()
    # each of the four tasks ran in a process of its own: the two first ones, then replacements
    assert 4 <= lookup.pools_started <= 6
    assert [sorted(e) for e in entries] == [["Kazemi", "PMF"], ["Sadr"], ["Nobody Atall"], ["Qais"]]
    assert entries[0]["Kazemi"] == (tuple(KAZEMI), "matched")
    assert entries[2]["Nobody Atall"] == (tuple(UNKNOWN), "unresolved")


def test_workers_are_first_replaced_at_different_times(resolver: Resolver) -> None:
    lookup = PoolLookup(resolver, LookupOptions(None, True), workers=2, recycle_after=1_000)
    try:
        assert [slot.left for slot in lookup._slots] == [500, 1_000]
        assert lookup.pools_started == 2
    finally:
        lookup.close()


def test_a_task_that_fails_in_a_worker_fails_its_list_only(resolver: Resolver) -> None:
    lookup = PoolLookup(resolver, LookupOptions(None, True), workers=2, recycle_after=1_000)
    try:
        bad = lookup.submit([123])  # type: ignore[list-item]  # (not a string: the worker's task fails)
        good = lookup.submit(["Kazemi"])
        with pytest.raises(TypeError):
            bad.result()
        assert good.result()["Kazemi"] == (tuple(KAZEMI), "matched")
    finally:
        lookup.close()


def test_answers_that_took_the_whole_way_outlive_a_flood_of_exact_names() -> None:
    from resolver.batch.runner import AnswerCache

    cache = AnswerCache(40)
    searched = (("", "", "", "0.100", "unresolved"), "unresolved")
    cache.put("Some Unheard Name", searched)
    for i in range(100):  # many distinct exact names, each answered the short way
        cache.put(f"exact {i}", ((f"e-{i}", f"Entity {i}", "person", "1.000", "matched"), "matched"))
    assert cache.get("Some Unheard Name") == searched
    assert cache.get("exact 0") is None and cache.get("exact 99") is not None
    assert cache.evictions > 0


def test_answers_naming_no_entity_share_their_cells() -> None:
    from resolver.batch.runner import AnswerCache

    cache = AnswerCache(100)
    for name in ("Nobody Atall", "Pelican Lighthouse"):
        cache.put(name, (("", "", "", "0.100", "unresolved"), "unresolved"))
    cache.put("Kazemi", (("e-1", "Mustafa al-Kadhimi", "person", "0.912", "matched"), "matched"))
    assert cache.get("Nobody Atall") is cache.get("Pelican Lighthouse")
    assert len(cache) == 3 and cache.evictions == 0


def test_the_distributed_parts_keep_answers_as_the_single_process_run_does(tmp_path: Path) -> None:
    # One cache for both batch paths: each Dask worker thread's answers are an AnswerCache of the
    # job's places (exact names and whole-way answers apart), not a plain LRU of values.
    from resolver.batch.partition import Job, _cache
    from resolver.batch.runner import AnswerCache
    from resolver.settings import load_settings

    job = Job(("name",), ("name",), ",", None, True, str(tmp_path / "store.db"), load_settings({}), False, 40)
    cache = _cache(job, 1)
    assert isinstance(cache, AnswerCache) and _cache(job, 1) is cache
    searched = (("", "", "", "0.100", "unresolved"), "unresolved")
    cache.put("Some Unheard Name", searched)
    for i in range(100):
        cache.put(f"exact {i}", ((f"e-{i}", f"Entity {i}", "person", "1.000", "matched"), "matched"))
    assert cache.get("Some Unheard Name") == searched  # the flood of exact names did not push it out
    assert _cache(job, 2) is not cache  # a write to the store: answers start afresh
