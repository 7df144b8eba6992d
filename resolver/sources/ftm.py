"""FollowTheMoney (FtM) entities, one JSON object per line, as OpenSanctions publishes them.

The mapping (schemata to types, name properties to alias kinds, identifier properties) lives in
``resolver/data/ftm.toml``.  The ``followthemoney`` library is not used: since 4.0 it needs PyICU,
which has no wheels and compiles against libicu, plus rdflib, networkx, openpyxl and phonenumbers,
all to answer questions this reader answers from a 40-line table (an entity's schema is written
out on every line, so no inheritance has to be resolved).
"""

from __future__ import annotations

import functools
import json
import tomllib
from collections import Counter
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

from resolver.errors import ImportFailed
from resolver.sources.record import SourceRecord, open_bytes

__all__ = ["FtmReader", "FtmTables", "map_entity", "tables"]


class FtmTables:
    """The mapping tables of ``ftm.toml``."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.types: dict[str, str] = dict(raw["types"])
        self.names: dict[str, str] = dict(raw["names"])
        self.identifiers: tuple[str, ...] = tuple(raw["identifiers"]["properties"])
        self.described: tuple[str, ...] = tuple(raw["description"]["properties"])


@functools.cache
def tables() -> FtmTables:
    text = resources.files("resolver").joinpath("data/ftm.toml").read_text(encoding="utf-8")
    return FtmTables(tomllib.loads(text))


def _values(props: dict[str, Any], key: str, where: str) -> list[str]:
    raw = props.get(key, [])
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
        raise ValueError(f"property {key!r} of {where} must be a list of strings")
    return [v.strip() for v in raw if v.strip()]


def map_entity(obj: Any, number: int = 0) -> SourceRecord | str:
    """Map one decoded FtM entity onto a :class:`SourceRecord`, or say why it is skipped
    (the schema name, or ``"<Schema> without a name"``).

    Raises:
        ValueError: the object is not an FtM entity (no id, no schema, malformed properties).
    """
    if not isinstance(obj, dict):
        what = "a JSON array" if isinstance(obj, list) else f"a JSON {obj.__class__.__name__}"
        raise ValueError(f"{what}; expected one FtM entity (a JSON object) per line")
    record_id, schema, props = obj.get("id"), obj.get("schema"), obj.get("properties", {})
    if not isinstance(record_id, str) or not record_id.strip():
        raise ValueError("the entity has no \"id\"")
    if not isinstance(schema, str) or not schema:
        raise ValueError(f"entity {record_id!r} has no \"schema\"")
    if not isinstance(props, dict):
        raise ValueError(f"the \"properties\" of entity {record_id!r} must be an object")
    t = tables()
    type = t.types.get(schema)
    if type is None:
        return schema
    where = f"entity {record_id!r}"
    aliases: dict[str, str] = {}
    for prop, kind in t.names.items():
        for value in _values(props, prop, where) if prop in props else ():
            aliases.setdefault(value, kind)
    caption = obj.get("caption")
    names = [a for a, k in aliases.items() if k == "name"]
    if isinstance(caption, str) and caption.strip() in names:
        name = caption.strip()
    elif names:
        name = names[0]
    else:
        return f"{schema} without a name"
    ordered = ((name, "name"), *((a, k) for a, k in aliases.items() if a != name))
    ids = {p: "; ".join(vs) for p in t.identifiers if p in props and (vs := _values(props, p, where))}
    parts = [schema]
    for prop in t.described:
        if prop in props and (vs := _values(props, prop, where)):
            parts.append(f"{prop}: {', '.join(vs)}")
    datasets = obj.get("datasets")
    if isinstance(datasets, list) and datasets:
        parts.append("datasets: " + ", ".join(str(d) for d in datasets))
    return SourceRecord(record_id.strip(), type, name, tuple(ordered), "; ".join(parts), ids, number)


class FtmReader:
    """Iterate the named entities of an FtM JSON-lines file (gzipped or not), streaming.

    After iteration ``skipped`` counts entities left out by schema, and ``info()`` tells the
    datasets seen and the latest ``last_change`` (the export's date when no other is given).
    """

    format = "ftm"

    def __init__(self, path: Path, progress: Callable[[int], object] | None = None) -> None:
        self.path = path
        self.progress = progress
        self.skipped: Counter[str] = Counter()
        self.datasets: Counter[str] = Counter()
        self.latest = ""
        self.read = 0

    def __iter__(self) -> Iterator[SourceRecord]:
        source = self.path.name
        with open_bytes(self.path, self.progress) as handle:
            for number, raw in enumerate(handle, start=1):
                if not raw.strip():
                    continue
                try:
                    obj = json.loads(raw)
                except UnicodeDecodeError as exc:
                    raise ImportFailed("not valid UTF-8", source=source, line=number) from exc
                except json.JSONDecodeError as exc:
                    hint = " (expected one FtM entity, a JSON object, per line)" if raw.lstrip()[:1] == b"[" else ""
                    raise ImportFailed(f"not a JSON object: {exc.msg}{hint}", source=source, line=number) from exc
                try:
                    mapped = map_entity(obj, number)
                except ValueError as exc:
                    raise ImportFailed(str(exc), source=source, line=number) from exc
                self.read += 1
                for d in obj.get("datasets") or ():
                    self.datasets[str(d)] += 1
                changed = obj.get("last_change")
                if isinstance(changed, str) and changed > self.latest:
                    self.latest = changed
                if isinstance(mapped, str):
                    self.skipped[mapped] += 1
                    continue
                yield mapped

    def info(self) -> dict[str, Any]:
        return {"file": self.path.name, "records_read": self.read, "datasets": dict(self.datasets.most_common(20)),
                "date": self.latest[:10] or None}
