"""The OFAC SDN list in its legacy CSV form: ``sdn.csv`` (one row per listed party) and
``alt.csv`` (its other names), both without a header, ``-0-`` for an empty field.

Individuals are listed as ``SURNAME, Given``: each such name becomes the name in reading order
("Qays AL-KHAZALI"), with the original spelling kept as another alias.  ``aka`` names become
``alias``, ``fka`` ``former_name`` and ``nka`` (now known as) ``name``.  The files are UTF-8;
older exports are Windows-1252, so a line that is not UTF-8 is read as Windows-1252.

alt.csv is read into memory first (about 20,000 short rows for the whole list); sdn.csv streams.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from resolver.errors import ImportFailed
from resolver.sources.record import SourceRecord, open_bytes

__all__ = ["ALT_KINDS", "OfacReader", "reading_order"]

SDN_FIELDS = ("ent_num", "SDN_Name", "SDN_Type", "Program", "Title", "Call_Sign", "Vess_type", "Tonnage", "GRT",
              "Vess_flag", "Vess_owner", "Remarks")
ALT_FIELDS = ("ent_num", "alt_num", "alt_type", "alt_name", "alt_remarks")
#: alias kind of each alt_type
ALT_KINDS = {"aka": "alias", "fka": "former_name", "nka": "name"}
_TYPES = {"individual": "person", "vessel": "other", "aircraft": "other", "": "organization"}


def reading_order(name: str) -> str:
    """``SURNAME, Given`` -> ``Given SURNAME`` (a third part, such as a suffix, follows)."""
    parts = [p.strip() for p in name.split(",")]
    if len(parts) < 2 or not parts[0] or not parts[1]:
        return name.strip()
    return " ".join([*parts[1:], parts[0]]).strip()


def _field(value: str) -> str:
    value = value.strip()
    return "" if value == "-0-" else value


def _rows(path: Path, fields: tuple[str, ...],
          progress: Callable[[int], object] | None) -> Iterator[tuple[int, list[str]]]:
    source = path.name

    def lines() -> Iterator[str]:
        with open_bytes(path, progress) as handle:
            for raw in handle:
                try:
                    yield raw.decode("utf-8-sig")
                except UnicodeDecodeError:
                    yield raw.decode("cp1252", errors="replace")

    reader = csv.reader(lines())
    try:
        while True:
            number = reader.line_num + 1
            row = next(reader, None)
            if row is None:
                return
            if not any(f.strip() for f in row) or (len(row) == 1 and row[0].strip() == "\x1a"):
                continue  # blank lines and the DOS end-of-file mark the legacy files end with
            if len(row) != len(fields):
                raise ImportFailed(f"expected {len(fields)} fields ({', '.join(fields)}), found {len(row)}",
                                   source=source, line=number)
            if not row[0].strip().isdigit():
                raise ImportFailed(f"ent_num {row[0]!r} is not a number", source=source, line=number)
            yield number, [_field(f) for f in row]
    except csv.Error as exc:
        raise ImportFailed(str(exc), source=source, line=reader.line_num) from exc


class OfacReader:
    """Iterate the parties of an SDN legacy CSV pair; ``alt`` defaults to ``alt.csv`` beside ``sdn``."""

    format = "ofac"

    def __init__(self, sdn: Path, alt: Path | None = None, progress: Callable[[int], object] | None = None) -> None:
        if sdn.is_dir():
            sdn = sdn / "sdn.csv"
        self.sdn = sdn
        self.alt = alt if alt is not None else sdn.with_name("alt.csv")
        self.progress = progress
        self.skipped: Counter[str] = Counter()
        self.read = 0

    def _alt_names(self) -> dict[str, list[tuple[str, str, str, int]]]:
        if not self.alt.exists():
            raise ImportFailed(f"no alt.csv beside {self.sdn.name} (give it with --alt)", source=str(self.alt))
        names: dict[str, list[tuple[str, str, str, int]]] = defaultdict(list)
        for number, (ent_num, _alt_num, alt_type, alt_name, remarks) in _rows(self.alt, ALT_FIELDS, None):
            kind = ALT_KINDS.get(alt_type.lower())
            if kind is None:
                raise ImportFailed(f"unknown alt_type {alt_type!r}; expected aka, fka or nka",
                                   source=self.alt.name, line=number)
            if not alt_name:
                raise ImportFailed("missing alt_name", source=self.alt.name, line=number)
            names[ent_num.strip()].append((alt_name, kind, remarks, number))
        return names

    def __iter__(self) -> Iterator[SourceRecord]:
        alts = self._alt_names()
        seen: set[str] = set()
        for number, row in _rows(self.sdn, SDN_FIELDS, self.progress):
            ent_num, name, sdn_type, program, title, call_sign, vess_type, tonnage, grt, flag, owner, remarks = row
            if not name:
                raise ImportFailed("missing SDN_Name", source=self.sdn.name, line=number)
            type = _TYPES.get(sdn_type.lower())
            if type is None:
                raise ImportFailed(f"unknown SDN_Type {sdn_type!r}", source=self.sdn.name, line=number)
            self.read += 1
            seen.add(ent_num)
            person = type == "person"
            aliases: dict[str, str] = {}
            canonical = reading_order(name) if person else name
            aliases[canonical] = "name"
            aliases.setdefault(name, "name")  # the list's own spelling, kept
            for alt_name, kind, _remarks, _n in alts.get(ent_num, ()):
                aliases.setdefault(reading_order(alt_name) if person else alt_name, kind)
                aliases.setdefault(alt_name, kind)
            ids = {"ofac_ent_num": ent_num}
            if call_sign:
                ids["call_sign"] = call_sign
            parts = [f"SDN {ent_num}", sdn_type or "entity"]
            if program:
                parts.append("program: " + program.strip("[] ").replace("] [", ", "))
            for label, value in (("title", title), ("vessel type", vess_type), ("tonnage", tonnage), ("GRT", grt),
                                 ("flag", flag), ("owner", owner)):
                if value:
                    parts.append(f"{label}: {value}")
            if remarks:
                parts.append(remarks)
            yield SourceRecord(ent_num, type, canonical, tuple(aliases.items()), "; ".join(parts), ids, number)
        orphans = sum(len(v) for k, v in alts.items() if k not in seen)
        if orphans:
            self.skipped["alt.csv names of no sdn.csv entry"] = orphans

    def info(self) -> dict[str, Any]:
        return {"file": self.sdn.name, "alt_file": self.alt.name, "records_read": self.read, "date": None}
