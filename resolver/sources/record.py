"""The shape every source reader yields, and the byte stream readers share (gzip, progress)."""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from resolver.errors import InvalidQuery

__all__ = ["SOURCE_NAME_PATTERN", "SourceRecord", "check_source_name", "entity_id_for", "open_bytes"]

#: what a source name may be: lower-case letters, digits, - and _, at most 50
SOURCE_NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,49}$"
_SOURCE_RE = re.compile(SOURCE_NAME_PATTERN)
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9._:-]+")


def check_source_name(name: str) -> str:
    if not _SOURCE_RE.fullmatch(name):
        raise InvalidQuery(f"invalid source name {name!r}: lower-case letters, digits, - and _ only, at most 50")
    return name


def entity_id_for(source: str, record_id: str) -> str:
    """The stable entity id of a source record: ``source:record`` (unsafe characters replaced and a
    short hash added, so two record ids never share an entity id)."""
    candidate = f"{source}:{record_id}"
    if len(candidate) <= 200 and not _ID_UNSAFE.search(record_id):
        return candidate
    digest = hashlib.sha1(record_id.encode("utf-8")).hexdigest()[:12]
    safe = _ID_UNSAFE.sub("-", record_id).strip("-")[:120]
    return f"{source}:{safe}-{digest}" if safe else f"{source}:{digest}"


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """One named entity as a source states it, already mapped onto the store's terms.

    ``aliases`` are (text, kind) pairs, the canonical name first; ``number`` is the record's
    position in its file (a line for JSON lines and CSV), for error messages.
    """

    record_id: str
    type: str
    name: str
    aliases: tuple[tuple[str, str], ...]
    description: str = ""
    external_ids: dict[str, str] = field(default_factory=dict)
    number: int = 0

    def data(self) -> dict[str, Any]:
        """What the store keeps of the record, and what the next sync compares against."""
        return {"name": self.name, "type": self.type, "aliases": [list(a) for a in self.aliases],
                "description": self.description, "external_ids": dict(sorted(self.external_ids.items()))}

    def digest(self) -> str:
        blob = json.dumps(self.data(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha1(blob.encode("utf-8")).hexdigest()


class _Counting(io.RawIOBase):
    """A raw stream that reports each chunk of bytes read (for a progress bar over the file)."""

    def __init__(self, raw: IO[bytes], report: Callable[[int], object]) -> None:
        self._raw = raw
        self._report = report

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        if n:
            self._report(n)
        return n

    def close(self) -> None:
        self._raw.close()
        super().close()


@contextlib.contextmanager
def open_bytes(path: Path, progress: Callable[[int], object] | None = None) -> Iterator[IO[bytes]]:
    """Open a file for reading bytes, gunzipped when it starts with the gzip magic; ``progress``
    is told how many bytes of the file (compressed or not) each read consumed."""
    with path.open("rb") as raw:
        gz = raw.read(2) == b"\x1f\x8b"
        raw.seek(0)
        stream: IO[bytes] = raw
        if progress is not None:
            stream = io.BufferedReader(_Counting(raw, progress), buffer_size=1 << 20)
        if gz:
            with gzip.GzipFile(fileobj=stream, mode="rb") as unzipped:
                yield unzipped  # type: ignore[misc]
        else:
            yield stream
