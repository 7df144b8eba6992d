"""CSV import and export of a store in the ``entity_id,canonical_name,type,alias`` format.

Import is all or nothing: every row is checked before anything is written, the first bad row
aborts with its file and line, and the rows go in inside one transaction.  An import adds; it
never silently rewrites what the store holds: a row that gives an existing entity another name or
type is refused with its line, unless the caller asks for updates (``update=True``, the CLI's
``--update``), and then the report counts the entities updated.  Functions take open handles; the
CLI deals with paths.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import Session

from resolver.errors import ImportFailed, InvalidQuery
from resolver.store.models import EntityRow
from resolver.store.store import AliasStore, check_id, check_type
from resolver.store.text_rules import check_text

__all__ = ["HEADER", "ImportReport", "ImportRows", "export_csv", "import_csv", "import_rows", "read_rows"]

HEADER = ("entity_id", "canonical_name", "type", "alias")


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did: rows read, entities and aliases created (0 and 0 on a re-import), entities updated."""

    rows: int
    entities_created: int
    aliases_created: int
    #: existing entities given a new name or type (only with ``update=True``)
    entities_updated: int = 0

    def to_dict(self) -> dict[str, int]:
        return {"rows": self.rows, "entities_created": self.entities_created, "aliases_created": self.aliases_created,
                "entities_updated": self.entities_updated}


class ImportRows(list[tuple[str, str, str, str]]):
    """The checked rows of an import file, with the line where each entity first appears (for errors)."""

    def __init__(self, rows: Iterable[tuple[str, str, str, str]] = (), lines: dict[str, int] | None = None) -> None:
        super().__init__(rows)
        self.lines: dict[str, int] = lines if lines is not None else {}


def _lines(handle: IO[bytes], source: str) -> Iterator[str]:
    """Decode bytes line by line so an invalid byte is reported with its line number."""
    for number, raw in enumerate(handle, start=1):
        try:
            line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            message = f"not valid UTF-8 (byte {exc.start + 1} of the line)"
            raise ImportFailed(message, source=source, line=number) from exc
        yield line


def read_rows(handle: IO[bytes], source: str = "<input>") -> ImportRows:
    """Parse and check every row of an import file.

    Raises:
        ImportFailed: a bad header, a missing field, an unknown type, an invalid id, a name
            that disagrees with an earlier row of the same entity, or bytes that are not UTF-8.
    """
    reader = csv.reader(_lines(handle, source))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise ImportFailed(str(exc), source=source, line=1) from exc
    if header is None:
        raise ImportFailed("the file is empty; expected the header " + ",".join(HEADER), source=source, line=1)
    if tuple(h.strip() for h in header) != HEADER:
        raise ImportFailed(f"bad header {','.join(header)!r}; expected {','.join(HEADER)}", source=source, line=1)
    rows = ImportRows()
    names: dict[str, tuple[str, str, int]] = {}
    try:
        while True:
            line = reader.line_num + 1  # where this record starts (a quoted field may span lines)
            record = next(reader, None)
            if record is None:
                break
            if not any(field.strip() for field in record):
                continue
            if len(record) != len(HEADER):
                raise ImportFailed(f"expected {len(HEADER)} fields, found {len(record)}", source=source, line=line)
            entity_id, name, type, alias = (field.strip() for field in record)
            for label, value in (("entity_id", entity_id), ("canonical_name", name), ("type", type), ("alias", alias)):
                if not value:
                    raise ImportFailed(f"missing {label}", source=source, line=line)
            try:
                check_id(entity_id)
                check_type(type)
                check_text(name, "canonical_name")
                check_text(alias, "alias")
            except InvalidQuery as exc:
                raise ImportFailed(exc.message, source=source, line=line) from exc
            seen = names.setdefault(entity_id, (name, type, line))
            if seen[:2] != (name, type):
                raise ImportFailed(
                    f"entity {entity_id!r} is {seen[0]!r} ({seen[1]}) on line {seen[2]} but {name!r} ({type}) here",
                    source=source, line=line,
                )
            rows.append((entity_id, name, type, alias))
    except csv.Error as exc:
        raise ImportFailed(str(exc), source=source, line=reader.line_num) from exc
    rows.lines = {entity_id: line for entity_id, (_, _, line) in names.items()}
    return rows


def import_csv(store: AliasStore, handle: IO[bytes], *, source: str = "<input>", actor: str = "import",
               update: bool = False) -> ImportReport:
    """Load an import file into the store, all or nothing; importing it again changes nothing.

    Args:
        handle: the file opened in binary mode (UTF-8, with or without a BOM).
        source: the name used in error messages and recorded as each alias's provenance.
        update: let the file change the name or type of entities the store already has.
    """
    return import_rows(store, read_rows(handle, source), source=source, actor=actor, update=update)


def import_rows(
    store: AliasStore, rows: list[tuple[str, str, str, str]], *, source: str = "<input>", actor: str = "import",
    update: bool = False,
) -> ImportReport:
    """Load rows already checked by :func:`read_rows`, in one transaction.

    Raises:
        ImportFailed: a row names an entity that was merged into another, or (without ``update``)
            gives an existing entity another name or type; nothing is written.
    """
    lines = rows.lines if isinstance(rows, ImportRows) else {}
    wanted = {e: (n, t) for e, n, t, _ in reversed(rows)}  # reversed: each entity's first row wins
    with store.transaction() as session:
        changed = _conflicts(session, wanted, lines, source, update)
        created = store.bulk_load(
            session, ((e, n, t, a, "name", source, "") for e, n, t, a in rows), actor=actor
        )
    return ImportReport(len(rows), *created, entities_updated=changed)


def _conflicts(session: Session, wanted: dict[str, tuple[str, str]], lines: dict[str, int], source: str,
               update: bool) -> int:
    """Check the file against the store: the number of entities it would change (refused unless ``update``)."""
    changed = 0
    stored = session.execute(select(EntityRow.id, EntityRow.name, EntityRow.type, EntityRow.redirect_to))
    for entity_id, name, type, redirect_to in stored:
        if entity_id not in wanted:
            continue
        line = lines.get(entity_id)
        if redirect_to is not None:
            raise ImportFailed(f"entity {entity_id!r} was merged into {redirect_to!r}; import its rows under "
                               f"{redirect_to!r}", source=source, line=line)
        if wanted[entity_id] == (name, type):
            continue
        if not update:
            new_name, new_type = wanted[entity_id]
            raise ImportFailed(
                f"entity {entity_id!r} is {name!r} ({type}) in the store but {new_name!r} ({new_type}) here; "
                "nothing was imported (use --update to change existing entities)", source=source, line=line)
        changed += 1
    return changed


def export_csv(store: AliasStore, handle: IO[str]) -> int:
    """Write every alias of the store as import rows; returns the number of rows written."""
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(HEADER)
    count = 0
    for row in store.export_rows():
        writer.writerow(row)
        count += 1
    return count
