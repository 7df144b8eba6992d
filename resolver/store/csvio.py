"""CSV import and export of a store in the ``entity_id,canonical_name,type,alias`` format.

Import is all or nothing: the rows go in inside one transaction, read, checked and written a
batch at a time (a file of millions of rows is never held whole), and the first bad row aborts
with its file and line, rolling back every row before it.  An import adds; it
never silently rewrites what the store holds: a row that gives an existing entity another name or
type is refused with its line, unless the caller asks for updates (``update=True``, the CLI's
``--update``), and then the report counts the entities updated.  Functions take open handles; the
CLI deals with paths.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import IO, Protocol

from resolver.errors import ImportFailed, InvalidQuery
from resolver.results import EntityType, Shape
from resolver.store.store import AliasStore, check_id, check_type
from resolver.store.text_rules import check_text

__all__ = [
    "HEADER", "ImportReport", "ImportRows", "RowReader", "check_file", "export_csv", "import_csv", "import_rows",
    "read_rows",
]

HEADER = ("entity_id", "canonical_name", "type", "alias")
#: the entity types, each as one shared string (an import keeps one per entity)
_TYPES = {t.value: t.value for t in EntityType}


@dataclass(frozen=True, slots=True)
class ImportReport(Shape):
    """What an import did: rows read, entities and aliases created (0 and 0 on a re-import), entities updated."""

    rows: int
    entities_created: int
    aliases_created: int
    #: existing entities given a new name or type (only with ``update=True``)
    entities_updated: int = 0


class ImportRows(list[tuple[str, str, str, str]]):
    """The checked rows of an import file, with the line where each entity first appears (for errors)."""

    def __init__(self, rows: Iterable[tuple[str, str, str, str]] = (), lines: dict[str, int] | None = None) -> None:
        super().__init__(rows)
        self.lines: dict[str, int] = lines if lines is not None else {}

    def line(self, entity_id: str) -> int | None:
        return self.lines.get(entity_id)


def _lines(handle: IO[bytes], source: str) -> Iterator[str]:
    """Decode bytes line by line so an invalid byte is reported with its line number."""
    for number, raw in enumerate(handle, start=1):
        try:
            line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            message = f"not valid UTF-8 (byte {exc.start + 1} of the line)"
            raise ImportFailed(message, source=source, line=number) from exc
        yield line


class RowReader:
    """The rows of an import file, parsed and checked one at a time as they are iterated.

    What it keeps is one (name, type, line) per entity, to check that every row of an entity
    agrees with its first and to name the line in errors; the rows themselves pass through.

    Raises (while iterating):
        ImportFailed: a bad header, a missing field, an unknown type, an invalid id, a name
            that disagrees with an earlier row of the same entity, or bytes that are not UTF-8.
    """

    def __init__(self, handle: IO[bytes], source: str = "<input>") -> None:
        self._handle = handle
        self.source = source
        self._names: dict[str, tuple[str, str, int]] = {}

    def line(self, entity_id: str) -> int | None:
        """The line where the entity first appeared (None before it did)."""
        seen = self._names.get(entity_id)
        return seen[2] if seen else None

    def __iter__(self) -> Iterator[tuple[str, str, str, str]]:
        source = self.source
        reader = csv.reader(_lines(self._handle, source))
        try:
            header = next(reader, None)
        except csv.Error as exc:
            raise ImportFailed(str(exc), source=source, line=1) from exc
        if header is None:
            raise ImportFailed("the file is empty; expected the header " + ",".join(HEADER), source=source, line=1)
        if tuple(h.strip() for h in header) != HEADER:
            raise ImportFailed(f"bad header {','.join(header)!r}; expected {','.join(HEADER)}", source=source,
                               line=1)
        names = self._names
        try:
            while True:
                line = reader.line_num + 1  # where this record starts (a quoted field may span lines)
                record = next(reader, None)
                if record is None:
                    break
                if not any(field.strip() for field in record):
                    continue
                if len(record) != len(HEADER):
                    raise ImportFailed(f"expected {len(HEADER)} fields, found {len(record)}", source=source,
                                       line=line)
                entity_id, name, type, alias = (field.strip() for field in record)
                for label, value in (("entity_id", entity_id), ("canonical_name", name), ("type", type),
                                     ("alias", alias)):
                    if not value:
                        raise ImportFailed(f"missing {label}", source=source, line=line)
                seen = names.get(entity_id)
                if seen is None:
                    try:
                        check_id(entity_id)
                        check_type(type)
                        check_text(name, "canonical_name")
                    except InvalidQuery as exc:
                        raise ImportFailed(exc.message, source=source, line=line) from exc
                    seen = names[entity_id] = (name, _TYPES[type], line)
                elif seen[:2] != (name, type):
                    raise ImportFailed(f"entity {entity_id!r} is {seen[0]!r} ({seen[1]}) on line {seen[2]} but "
                                       f"{name!r} ({type}) here", source=source, line=line)
                try:
                    check_text(alias, "alias")
                except InvalidQuery as exc:
                    raise ImportFailed(exc.message, source=source, line=line) from exc
                yield entity_id, seen[0], seen[1], alias
        except csv.Error as exc:
            raise ImportFailed(str(exc), source=source, line=reader.line_num) from exc


def read_rows(handle: IO[bytes], source: str = "<input>") -> ImportRows:
    """Parse and check every row of an import file (held in memory: :func:`import_csv` streams instead).

    Raises:
        ImportFailed: see :class:`RowReader`.
    """
    reader = RowReader(handle, source)
    rows = ImportRows()
    for entity_id, name, type, alias in reader:
        rows.lines.setdefault(entity_id, reader.line(entity_id) or 0)
        rows.append((entity_id, name, type, alias))
    return rows


def check_file(handle: IO[bytes], source: str = "<input>") -> int:
    """Check every row of an import file without keeping them; the number of rows.

    Raises:
        ImportFailed: see :class:`RowReader`.
    """
    return sum(1 for _ in RowReader(handle, source))


def import_csv(store: AliasStore, handle: IO[bytes], *, source: str = "<input>", actor: str = "import",
               update: bool = False, workers: int = 0) -> ImportReport:
    """Load an import file into the store, all or nothing; importing it again changes nothing.

    The file is read and written a batch of rows at a time, in one transaction: a bad row
    anywhere rolls back everything before it.

    Args:
        handle: the file opened in binary mode (UTF-8, with or without a BOM).
        source: the name used in error messages and recorded as each alias's provenance.
        update: let the file change the name or type of entities the store already has.
        workers: processes that compute the matching keys ahead of the writes (0: none).
    """
    return import_rows(store, RowReader(handle, source), source=source, actor=actor, update=update, workers=workers)


class _Lines(Protocol):
    def line(self, entity_id: str) -> int | None: ...


def import_rows(
    store: AliasStore, rows: Iterable[tuple[str, str, str, str]], *, source: str = "<input>", actor: str = "import",
    update: bool = False, workers: int = 0,
) -> ImportReport:
    """Load rows checked by :class:`RowReader` (or :func:`read_rows`), in one transaction.

    Raises:
        ImportFailed: a row names an entity that was merged into another, or (without ``update``)
            gives an existing entity another name or type; nothing is written.
    """
    lines: _Lines | None = rows if isinstance(rows, (ImportRows, RowReader)) else None

    def check(entity_id: str, stored: tuple[str, str, str | None], wanted: tuple[str, str]) -> bool:
        line = lines.line(entity_id) if lines is not None else None
        name, type, redirect_to = stored
        if redirect_to is not None:
            raise ImportFailed(f"entity {entity_id!r} was merged into {redirect_to!r}; import its rows under "
                               f"{redirect_to!r}", source=source, line=line)
        if not update:
            raise ImportFailed(
                f"entity {entity_id!r} is {name!r} ({type}) in the store but {wanted[0]!r} ({wanted[1]}) here; "
                "nothing was imported (use --update to change existing entities)", source=source, line=line)
        return True

    count = 0

    def counted() -> Iterator[tuple[str, str, str, str, str, str, str]]:
        nonlocal count
        for entity_id, name, type, alias in rows:
            count += 1
            yield entity_id, name, type, alias, "name", source, ""

    try:
        with store.transaction() as session:
            totals = store.bulk_load(session, counted(), actor=actor, check=check, workers=workers)
    except BrokenProcessPool as exc:
        raise ImportFailed(f"a worker process stopped unexpectedly ({exc}); nothing was imported",
                           source=source) from None
    return ImportReport(count, totals.entities_created, totals.aliases_created, totals.entities_updated)


def export_csv(store: AliasStore, handle: IO[str]) -> int:
    """Write every alias of the store as import rows; returns the number of rows written."""
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(HEADER)
    count = 0
    for row in store.export_rows():
        writer.writerow(row)
        count += 1
    return count
