"""Reading a CSV for batch normalisation: bytes in any encoding to rows, each error named by its line.

The file is decoded in blocks by an incremental decoder, so memory stays flat and a bad byte is
reported with the physical line it sits on.  Lines are split exactly as ``open(newline="")``
splits them (the way the csv module expects), so quoted fields keep their embedded newlines.
The encoding comes from a byte-order mark or the caller, the delimiter from the header line.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator, Sequence
from typing import IO

from resolver.errors import ResolverError

__all__ = ["BatchError", "CsvSource", "UndecodableInput", "sniff_delimiter"]

_BLOCK = 1 << 16
#: delimiters the sniffer tries; on a tie the earlier one wins, so a one-column file reads as CSV
DELIMITERS = (",", "\t", ";", "|")


class BatchError(ResolverError):
    """A CSV the batch normaliser cannot process; the message names the file and, when known, the line."""

    code = "batch_failed"

    def __init__(self, message: str, *, source: str = "<input>", line: int | None = None) -> None:
        where = f"{source}:{line}: " if line is not None else f"{source}: "
        super().__init__(where + message)
        self.source = source
        self.line = line


class UndecodableInput(BatchError):
    """The bytes are not valid in the file's encoding (UTF-8 unless one was named)."""

    code = "undecodable_input"


def _choose_encoding(head: bytes, encoding: str | None, source: str) -> tuple[str, bool]:
    """The codec to decode with, and whether the file starts with a UTF-8 byte-order mark."""
    if encoding is None:
        if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
            return "utf-32", False
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16", False
        encoding = "utf-8"
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise BatchError(f"unknown encoding {encoding!r}", source=source) from None
    if name in ("utf-8", "utf-8-sig"):
        # "utf-8-sig" reads files with and without the mark alike
        return "utf-8-sig", head.startswith(codecs.BOM_UTF8)
    return name, False


def sniff_delimiter(header_text: str, columns: Sequence[str]) -> str:
    """Pick the delimiter from the header line: the one that yields the requested columns, then the most fields.

    Only the header is used: it has to name the columns anyway, and data rows (names with commas
    in them, empty cells) mislead frequency-based sniffers such as ``csv.Sniffer``.
    """
    best: tuple[tuple[bool, int], str] | None = None
    for delimiter in DELIMITERS:
        fields = next(csv.reader(io.StringIO(header_text, newline=""), delimiter=delimiter), [])
        score = (all(c in fields for c in columns), len(fields))
        if best is None or score > best[0]:
            best = (score, delimiter)
    assert best is not None
    return best[1]


class CsvSource:
    """A CSV opened for batch normalisation: encoding, delimiter and header first, then the data rows.

    Reach for it to read a file of unknown origin row by row in flat memory.  Iterating yields the
    rows after the header as lists of strings; ``bytes_read`` tells how far into the file it got.

    Raises (from the constructor or while iterating):
        UndecodableInput: bytes invalid in the encoding, with the line they are on.
        BatchError: an empty file, an unknown encoding or a CSV syntax error, with the line.
    """

    def __init__(self, handle: IO[bytes], *, columns: Sequence[str] = (), encoding: str | None = None,
                 delimiter: str | None = None, source: str = "<input>") -> None:
        self.source = source
        self.bytes_read = 0
        self._handle = handle
        self._lines_read = 0
        head = handle.read(_BLOCK)
        self.encoding, self.bom = _choose_encoding(head, encoding, source)
        if delimiter is None:
            # a lenient decode of the first block is enough to see the header; errors are
            # reported with their line when the rows are read
            probe = codecs.getincrementaldecoder(self.encoding)("replace")
            delimiter = sniff_delimiter(probe.decode(head), columns)
        if len(delimiter) != 1 or delimiter in "\r\n\"":
            raise BatchError(f"the delimiter must be one character other than a quote or newline, not {delimiter!r}",
                             source=source)
        self.delimiter = delimiter
        self._reader = csv.reader(self._lines(head), delimiter=delimiter)
        header = self._next()
        if header is None:
            raise BatchError("the file is empty; expected a header line naming the columns", source=source, line=1)
        self.header: tuple[str, ...] = tuple(header)

    @property
    def line(self) -> int:
        """The physical line (1-based) the reader has reached."""
        return self._reader.line_num

    def _next(self) -> list[str] | None:
        try:
            return next(self._reader, None)
        except csv.Error as exc:
            raise self._csv_error(exc) from None

    def __iter__(self) -> Iterator[list[str]]:
        reader = self._reader
        try:
            yield from reader
        except csv.Error as exc:
            raise self._csv_error(exc) from None

    def _csv_error(self, exc: csv.Error) -> BatchError:
        message = str(exc)
        if "field larger than field limit" in message:
            message += " (an unbalanced quote?)"
        return BatchError(message, source=self.source, line=self._reader.line_num)

    def _lines(self, head: bytes) -> Iterator[str]:
        decoder = codecs.getincrementaldecoder(self.encoding)("strict")
        pending = ""
        block = head
        while block:
            self.bytes_read += len(block)
            state = decoder.getstate()
            try:
                text = decoder.decode(block)
            except UnicodeDecodeError as exc:
                raise self._decode_error(exc, state, block, pending) from None
            lines = io.StringIO(pending + text, newline="").readlines()
            # keep an unfinished line, and one ending in "\r" whose "\n" may start the next block
            pending = lines.pop() if lines and not lines[-1].endswith("\n") else ""
            self._lines_read += len(lines)
            yield from lines
            block = self._handle.read(_BLOCK)
        try:
            pending += decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            raise self._decode_error(exc, (b"", 0), b"", pending) from None
        if pending:
            yield from io.StringIO(pending, newline="").readlines()

    def _decode_error(self, exc: UnicodeDecodeError, state: tuple[bytes, int], block: bytes,
                      pending: str) -> UndecodableInput:
        # The bytes before the bad one decode cleanly: count the lines they complete.
        probe = codecs.getincrementaldecoder(self.encoding)("replace")
        probe.setstate((b"", state[1]))
        good = pending + probe.decode((state[0] + block)[: exc.start])
        before = io.StringIO(good, newline="").readlines()
        partial = bool(before) and not before[-1].endswith(("\n", "\r"))
        line = self._lines_read + len(before) + (0 if partial else 1)
        column = len(before[-1]) + 1 if partial else 1
        bad = " ".join(f"0x{b:02x}" for b in exc.object[exc.start : exc.end])
        return UndecodableInput(f"invalid {self.encoding.removesuffix('-sig')} (byte {bad} at character {column})",
                                source=self.source, line=line)
