"""The OFAC SDN list as ``sdn.xml`` (the legacy XML export: ``sdnList`` of ``sdnEntry``).

The same list as the CSV pair (:mod:`resolver.sources.ofac`), with the same record ids (``uid`` =
``ent_num``) and the same rules, so a source first loaded from CSV can be synced from XML:
an individual's ``lastName``/``firstName`` give the name in reading order ("Qays AL-KHAZALI") and
the listed ``AL-KHAZALI, Qays``; ``a.k.a.`` becomes ``alias`` (``weak_alias`` when its category
is weak, which only the XML says), ``f.k.a.`` ``former_name`` and ``n.k.a.`` ``name``.  What the
XML adds is structured: identity documents (``idList``) become external identifiers by type,
birth dates and places, nationalities and vessel details go in the description, and the
publication date is the import's date.

The file streams through expat a block at a time (flat memory); an error names the line.  The
"advanced" SDN XML (``SDN_ADVANCED.XML``, a different schema) is not read.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from xml.parsers import expat

from resolver.errors import ImportFailed
from resolver.sources.ofac import reading_order
from resolver.sources.record import SourceRecord, open_bytes

__all__ = ["AKA_KINDS", "OfacXmlReader", "is_sdn_xml"]

#: alias kind of each aka type
AKA_KINDS = {"a.k.a.": "alias", "f.k.a.": "former_name", "n.k.a.": "name"}
_TYPES = {"individual": "person", "entity": "organization", "vessel": "other", "aircraft": "other"}
_BLOCK = 1 << 16
_SLUG = re.compile(r"[^a-z0-9]+")


def is_sdn_xml(path: Path) -> bool:
    """Whether ``path`` is a file that starts like XML (rather than an sdn.csv or a directory)."""
    if not path.is_file():
        return False
    with open_bytes(path) as handle:
        return handle.read(256).lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def _text(element: ET.Element | None, tag: str) -> str:
    found = element.find(tag) if element is not None else None
    return (found.text or "").strip() if found is not None else ""


def _listed(entry: ET.Element) -> str:
    """The name as the list writes it: ``LAST, First`` for a person, the whole name otherwise."""
    last, first = _text(entry, "lastName"), _text(entry, "firstName")
    return f"{last}, {first}" if last and first else last or first


class OfacXmlReader:
    """Iterate the parties of an SDN ``sdn.xml``."""

    format = "ofac"

    def __init__(self, path: Path, progress: Callable[[int], object] | None = None) -> None:
        self.path = path
        self.progress = progress
        self.skipped: Counter[str] = Counter()
        self.read = 0
        self.published: str | None = None

    def _entries(self) -> Iterator[tuple[int, ET.Element]]:
        """(line, element) of each ``sdnEntry``, namespaces dropped, as the file is read."""
        parser = expat.ParserCreate(namespace_separator="}")
        done: list[tuple[int, ET.Element]] = []
        builder: ET.TreeBuilder | None = None
        line = 0
        top: list[str] = []
        text: list[str] = []

        def start(name: str, _attrs: dict[str, str]) -> None:
            nonlocal builder, line
            local = name.rsplit("}", 1)[-1]
            if builder is None and local == "sdnEntry":
                builder, line = ET.TreeBuilder(), parser.CurrentLineNumber
            if builder is not None:
                builder.start(local, {})
            else:
                top.append(local)
                text.clear()

        def end(name: str) -> None:
            nonlocal builder
            local = name.rsplit("}", 1)[-1]
            if builder is None:
                if local == "Publish_Date":
                    self.published = "".join(text).strip() or None
                top.pop()
                return
            builder.end(local)
            if local == "sdnEntry":
                done.append((line, builder.close()))
                builder = None

        def data(chunk: str) -> None:
            if builder is not None:
                builder.data(chunk)
            else:
                text.append(chunk)

        parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, data
        with open_bytes(self.path, self.progress) as handle:
            try:
                while block := handle.read(_BLOCK):
                    parser.Parse(block, False)
                    yield from done
                    done.clear()
                parser.Parse(b"", True)
            except expat.ExpatError as exc:
                raise ImportFailed(f"not well-formed XML: {expat.errors.messages.get(exc.code, exc)}",
                                   source=self.path.name, line=exc.lineno) from exc
        yield from done

    def __iter__(self) -> Iterator[SourceRecord]:
        for line, entry in self._entries():
            yield self._record(line, entry)

    def _record(self, line: int, entry: ET.Element) -> SourceRecord:
        uid, listed, sdn_type = _text(entry, "uid"), _listed(entry), _text(entry, "sdnType")
        if not uid.isdigit():
            raise ImportFailed(f"sdnEntry uid {uid!r} is not a number", source=self.path.name, line=line)
        if not listed:
            raise ImportFailed(f"sdnEntry {uid} has no lastName", source=self.path.name, line=line)
        type = _TYPES.get(sdn_type.lower())
        if type is None:
            raise ImportFailed(f"unknown sdnType {sdn_type!r} of sdnEntry {uid}", source=self.path.name, line=line)
        self.read += 1
        person = type == "person"
        canonical = reading_order(listed) if person else listed
        aliases = {canonical: "name"}
        aliases.setdefault(listed, "name")
        for aka in entry.iterfind("akaList/aka"):
            kind = AKA_KINDS.get(_text(aka, "type").lower())
            name = _listed(aka)
            if kind is None or not name:
                raise ImportFailed(f"sdnEntry {uid}: an aka needs a lastName and a type of a.k.a., f.k.a. or n.k.a.",
                                   source=self.path.name, line=line)
            if kind == "alias" and _text(aka, "category").lower() == "weak":
                kind = "weak_alias"
            aliases.setdefault(reading_order(name) if person else name, kind)
            aliases.setdefault(name, kind)
        return SourceRecord(uid, type, canonical, tuple(aliases.items()), self._description(uid, sdn_type, entry),
                            self._ids(uid, entry), line)

    @staticmethod
    def _ids(uid: str, entry: ET.Element) -> dict[str, str]:
        ids: dict[str, list[str]] = {"ofac_ent_num": [uid]}
        call_sign = _text(entry.find("vesselInfo"), "callSign")
        if call_sign:
            ids["call_sign"] = [call_sign]
        for doc in entry.iterfind("idList/id"):
            scheme, number = _SLUG.sub("_", _text(doc, "idType").lower()).strip("_"), _text(doc, "idNumber")
            if scheme and number and number not in ids.setdefault(scheme, []):
                ids[scheme].append(number)
        return {k: "; ".join(v) for k, v in ids.items() if v}

    @staticmethod
    def _description(uid: str, sdn_type: str, entry: ET.Element) -> str:
        parts = [f"SDN {uid}", sdn_type]
        programs = [p.text.strip() for p in entry.iterfind("programList/program") if p.text and p.text.strip()]
        if programs:
            parts.append("program: " + ", ".join(programs))
        vessel = entry.find("vesselInfo")
        for label, value in (("title", _text(entry, "title")), ("vessel type", _text(vessel, "vesselType")),
                             ("tonnage", _text(vessel, "tonnage")), ("GRT", _text(vessel, "grossRegisteredTonnage")),
                             ("flag", _text(vessel, "vesselFlag")), ("owner", _text(vessel, "vesselOwner"))):
            if value:
                parts.append(f"{label}: {value}")
        for label, path, tag in (("DOB", "dateOfBirthList/dateOfBirthItem", "dateOfBirth"),
                                 ("POB", "placeOfBirthList/placeOfBirthItem", "placeOfBirth"),
                                 ("nationality", "nationalityList/nationality", "country"),
                                 ("citizen", "citizenshipList/citizenship", "country")):
            values = [_text(item, tag) for item in entry.iterfind(path) if _text(item, tag)]
            if values:
                parts.append(f"{label} {', '.join(values)}")
        remarks = _text(entry, "remarks")
        if remarks:
            parts.append(remarks)
        return "; ".join(parts)

    def info(self) -> dict[str, Any]:
        """The file, how many entries were read and the list's publication date (ISO when it is MM/DD/YYYY)."""
        date = self.published
        if date and (m := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", date)):
            date = f"{m[3]}-{int(m[1]):02d}-{int(m[2]):02d}"
        return {"file": self.path.name, "records_read": self.read, "date": date}
