"""Cutting CSV files into byte ranges on record boundaries (resolver.batch.split): no cluster needed."""

from __future__ import annotations

import csv
import io
import itertools
from pathlib import Path

import pytest

from resolver.batch.source import BatchError, UndecodableInput
from resolver.batch.split import Misaligned, RangeSource, boundaries, scan_block, splittable


class LocalFs:
    def open(self, path: str, mode: str = "rb") -> io.BufferedReader:
        return open(path, mode)


def record_starts(data: bytes) -> set[int]:
    """Byte offsets where the csv module starts a record, read sequentially (the truth)."""
    starts, offset = {0}, 0
    lines = io.StringIO(data.decode("utf-8"), newline="").readlines()
    reader = csv.reader(iter(lines))
    consumed = 0
    for _ in reader:
        while consumed < reader.line_num:
            offset += len(lines[consumed].encode("utf-8"))
            consumed += 1
        starts.add(offset)
    return starts


def cut(path: Path, blocksize: int) -> list[int]:
    size = path.stat().st_size
    scans = [scan_block(LocalFs(), str(path), s, min(s + blocksize, size)) for s in range(0, size, blocksize)]
    return boundaries(size, scans)


def test_cuts_fall_on_record_starts_even_inside_multiline_cells(tmp_path: Path) -> None:
    rows = []
    for i in range(300):
        note = f'"line one of {i}\nline ""two"", with a comma,\n\nand four"' if i % 3 == 0 else f"plain {i}"
        rows.append(f"{i},Kazemi,{note}\n")
    data = ("id,name,note\n" + "".join(rows)).encode()
    path = tmp_path / "in.csv"
    path.write_bytes(data)
    truth = record_starts(data)
    for blocksize in (7, 64, 100, 1000):
        cuts = cut(path, blocksize)
        assert cuts[0] == 0 and cuts[-1] == len(data)
        assert set(cuts[:-1]) <= truth
        assert cuts == sorted(set(cuts))
    # with small blocks some block starts lie inside a quoted cell right before one of its newlines,
    # so a cut at the first newline would be wrong: the scan must skip those
    inside = [s for s in range(0, len(data), 64) if data.index(b"\n", s) + 1 not in truth]
    assert inside
    assert len(cut(path, 64)) > len(data) // 128


def test_a_stray_quote_misplaces_a_cut_and_the_sentinel_catches_it(tmp_path: Path) -> None:
    # '5" screen' is a literal quote in an unquoted field: the parity rule then puts cuts inside quoted cells
    data = ('id,item,note\n1,5" screen,x\n' + "".join(f'{i},thing,"a\nb"\n' for i in range(2, 60))).encode()
    path = tmp_path / "in.csv"
    path.write_bytes(data)
    truth = record_starts(data)
    cuts = cut(path, 32)
    wrong = [c for c in cuts[:-1] if c not in truth]
    assert wrong
    first_wrong = cuts.index(wrong[0])
    with path.open("rb") as handle:
        # the range before the first wrong cut starts on a record and fails its check
        reader = RangeSource(handle, cuts[first_wrong - 1], wrong[0], encoding="utf-8", delimiter=",",
                             header=cuts[first_wrong - 1] == 0, sentinel=True, columns=("item",), source="in.csv")
        with pytest.raises(Misaligned):
            list(reader)
        # every range before it passes its check
        for start, end in itertools.pairwise(cuts[:first_wrong]):
            reader = RangeSource(handle, start, end, encoding="utf-8", delimiter=",", header=start == 0,
                                 sentinel=True, columns=("item",), source="in.csv")
            list(reader)


def test_range_reads_rows_and_counts_its_lines(tmp_path: Path) -> None:
    data = 'name,note\nKazemi,"a\r\nb"\r\nAAH,x\r\n\ufeffQuds,y\r\n'.encode()
    path = tmp_path / "in.csv"
    path.write_bytes(data)
    start = data.index(b"AAH")
    with path.open("rb") as handle:
        reader = RangeSource(handle, start, len(data), encoding="utf-8-sig", delimiter=",", header=False,
                             sentinel=False, source="in.csv")
        # mid-file, U+FEFF is data: it is not stripped as a byte-order mark
        assert list(reader) == [["AAH", "x"], ["\ufeffQuds", "y"]]
        assert reader.lines_in_range == 2
        reader = RangeSource(handle, 0, start, encoding="utf-8-sig", delimiter=",", header=True, sentinel=True,
                             columns=("name",), source="in.csv")
        assert reader.header == ("name", "note")
        assert list(reader) == [["Kazemi", "a\r\nb"]]
        assert reader.lines_in_range == 3


def test_errors_in_a_range_name_its_own_lines(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(b"name\nA\nB\nC\nKaz\xe9mi\n")
    with path.open("rb") as handle:
        reader = RangeSource(handle, 7, path.stat().st_size, encoding="utf-8", delimiter=",", header=False,
                             sentinel=False, source="in.csv")
        with pytest.raises(UndecodableInput) as caught:
            list(reader)
    assert caught.value.line == 3 and "byte 0xe9 at character 4" in caught.value.message
    assert isinstance(caught.value, BatchError)


@pytest.mark.parametrize(("encoding", "expected"), [
    ("utf-8", True), ("utf-8-sig", True), ("cp1256", True), ("latin-1", True), ("iso8859-6", True),
    ("ascii", True), ("utf-16", False), ("utf-32", False), ("shift_jis", False), ("cp037", False),
    ("iso2022_jp", False), ("utf-7", False),
])
def test_only_encodings_whose_quote_and_newline_bytes_are_unambiguous_are_cut(encoding: str, expected: bool) -> None:
    assert splittable(encoding) is expected
