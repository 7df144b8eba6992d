"""Cutting a CSV file into byte ranges that start and end on record boundaries, for parallel reading.

A quoted field may hold newlines, so a newline is a record boundary only outside quotes.  Under
RFC 4180 every quote in a file opens, closes or doubles inside a quoted field, so a newline ends
a record exactly when the number of quotes before it is even.  The file is cut in two passes:

1. :func:`scan_block` reads each block of ``blocksize`` bytes (in parallel) and returns the parity
   of its quotes and its first newline after an even and after an odd number of its own quotes;
2. :func:`boundaries` adds the parities up in file order and picks in each block the first
   newline at an even number of quotes since the start of the file.

A file that breaks the rule (a stray quote inside an unquoted field, ``5" screen``) can put a
cut inside a quoted field.  That is caught where it matters: each range but a file's last is
read with a sentinel line after it (:data:`SENTINEL`), which the csv module returns as a row of
its own only when the range ended outside quotes.  The first range starts at the start of the
file, so by induction every range that passes starts and ends on a real boundary; at the first
that fails, the rest of the file is read as one range (see :mod:`resolver.batch.distributed`).

Only encodings in which the bytes of ``"`` and ``\\n`` never occur inside another character can
be cut this way: UTF-8 and the single-byte code pages that extend ASCII.  Other files (UTF-16,
Shift JIS...) are read whole, one range per file.
"""

from __future__ import annotations

import codecs
import csv
import encodings
import importlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Protocol

from resolver.batch.source import CsvSource

__all__ = ["SENTINEL", "BlockScan", "FileSystem", "RangeSource", "boundaries", "scan_block", "splittable"]

#: a line the csv module reads as the one-cell row ``[SENTINEL_CELL]`` only at a record boundary
SENTINEL_CELL = "\ue000resolver-range-end\ue000"
SENTINEL = SENTINEL_CELL + "\n"
_PIECE = 1 << 22  # bytes read at a time while scanning


class FileSystem(Protocol):
    """The part of an fsspec file system used here (local, s3://, gs://, hdfs://...)."""

    def open(self, path: str, mode: str = "rb") -> IO[bytes]: ...


def splittable(encoding: str) -> bool:
    """Whether a file in this (Python codec) encoding can be cut at newline bytes outside quotes."""
    name = codecs.lookup(encoding).name
    if name in ("utf-8", "utf-8-sig", "ascii", "latin-1", "iso8859-1"):
        return True
    # the code pages (cp1256, iso8859-6, koi8-r...) are charmap codecs: one byte, one character
    module_name = encodings.normalize_encoding(name).replace("-", "_")
    try:
        module = importlib.import_module(f"encodings.{module_name}")
    except ImportError:
        return False
    table = getattr(module, "decoding_table", None)
    return isinstance(table, str) and len(table) == 256 and table[:128] == "".join(map(chr, range(128)))


@dataclass(frozen=True, slots=True)
class BlockScan:
    """What a block tells about the cuts: its quotes' parity, and where a record may start in it.

    ``after_even``/``after_odd``: the offset just past the block's first newline preceded by an even
    (odd) number of the block's own quotes, or None.
    """

    odd_quotes: bool
    after_even: int | None
    after_odd: int | None


def _first_newlines(piece: bytes, base: int, parity: int, found: list[int | None]) -> None:
    """Fill ``found[p]`` with the offset past the first newline at local quote parity ``p`` in ``piece``."""
    i = 0
    while found[0] is None or found[1] is None:
        newline = piece.find(b"\n", i)
        if newline < 0:
            return
        quote = piece.find(b'"', i, newline)
        if quote >= 0:
            parity ^= 1
            i = quote + 1
            continue
        if found[parity] is None:
            found[parity] = base + newline + 1
        # every newline up to the next quote has this same parity
        i = piece.find(b'"', newline + 1)
        if i < 0:
            return


def scan_block(fs: FileSystem, path: str, start: int, end: int) -> BlockScan:
    """Scan bytes ``[start, end)`` of a file for :func:`boundaries`."""
    found: list[int | None] = [None, None]
    parity = 0
    with fs.open(path, "rb") as handle:
        handle.seek(start)
        position = start
        while position < end:
            piece = handle.read(min(_PIECE, end - position))
            if not piece:
                break
            if found[0] is None or found[1] is None:
                _first_newlines(piece, position, parity, found)
            parity ^= piece.count(b'"') & 1
            position += len(piece)
    return BlockScan(bool(parity), found[0], found[1])


def boundaries(size: int, scans: Sequence[BlockScan]) -> list[int]:
    """The cuts of a file of ``size`` bytes from its blocks' scans, in order: 0, ..., size."""
    cuts = [0]
    parity = False
    for i, scan in enumerate(scans):
        if i > 0:
            cut = scan.after_odd if parity else scan.after_even
            if cut is not None and cuts[-1] < cut < size:
                cuts.append(cut)
        parity ^= scan.odd_quotes
    cuts.append(size)
    return cuts


class _Range:
    """Bytes ``[start, end)`` of an open file, read through ``read(n)`` as CsvSource does."""

    def __init__(self, handle: IO[bytes], start: int, end: int) -> None:
        handle.seek(start)
        self._handle = handle
        self._left = end - start

    def read(self, size: int = -1) -> bytes:
        size = self._left if size < 0 else min(size, self._left)
        data = self._handle.read(size) if size > 0 else b""
        self._left -= len(data)
        return data


class RangeSource(CsvSource):
    """The rows of one byte range of a CSV, line numbers counted from the range's first line.

    The range holding the header (``header=True``) reads it as :class:`CsvSource` does; any other
    range starts on a data row, in the encoding the header's range chose (UTF-8 without removing a
    byte-order mark: in mid-file, U+FEFF is data).  With ``sentinel=True`` iterating raises
    :class:`Misaligned` unless the range ended on a record boundary.
    """

    def __init__(self, handle: IO[bytes], start: int, end: int, *, encoding: str, delimiter: str, header: bool,
                 sentinel: bool, columns: Sequence[str] = (), source: str = "<input>") -> None:
        self._sentinel = sentinel
        self.lines_in_range = 0
        window = _Range(handle, start, end)
        if header:
            super().__init__(window, columns=columns, encoding=encoding, delimiter=delimiter,  # type: ignore[arg-type]
                             source=source)
            return
        self.source = source
        self.bytes_read = 0
        self._handle = window  # type: ignore[assignment]
        self._lines_read = 0
        self.encoding = "utf-8" if codecs.lookup(encoding).name == "utf-8-sig" else encoding
        self.bom = False
        self.delimiter = delimiter
        self.header = ()
        self._reader = csv.reader(self._lines(window.read(1 << 16)), delimiter=delimiter)

    def _lines(self, head: bytes) -> Iterator[str]:
        yield from super()._lines(head)
        if self._sentinel:
            yield SENTINEL

    def __iter__(self) -> Iterator[list[str]]:
        rows = super().__iter__()
        if not self._sentinel:
            yield from rows
            self.lines_in_range = self.line
            return
        last = next(rows, None)
        for row in rows:
            yield last  # type: ignore[misc]
            last = row
        if last != [SENTINEL_CELL]:
            raise Misaligned(self.source)
        self.lines_in_range = self.line - 1


class Misaligned(Exception):
    """A range did not end on a record boundary (a quote outside RFC 4180's rules before it)."""
