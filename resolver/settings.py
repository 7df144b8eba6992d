"""Typed configuration, read from ``RESOLVER_*`` environment variables when a call asks for it."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

__all__ = ["Settings", "default_db_path", "load_settings"]


def default_db_path() -> Path:
    """The bundled store, ``aliases.db`` at the top of the checkout."""
    return Path(__file__).resolve().parent.parent / "aliases.db"


@dataclass(frozen=True, slots=True)
class Settings:
    """Every tunable of the resolver in one place.

    Build it with :func:`load_settings`, which reads ``RESOLVER_<FIELD>`` variables (for example
    ``RESOLVER_DB`` and ``RESOLVER_MATCH_THRESHOLD``); pass it to :meth:`Resolver.open`.
    """

    db: str = ""
    #: score a single best organisation, place, outlet or other entity needs to be "matched"
    match_threshold: float = 0.78
    #: the same for a person: partial names (a surname alone) earn credit, so the bar is higher
    person_match_threshold: float = 0.84
    #: score from which an entity is listed as a plausible candidate (and can make a result ambiguous)
    candidate_threshold: float = 0.72
    #: how far the best entity must lead the runner-up to be "matched" rather than "ambiguous"
    margin: float = 0.06
    #: longest mention accepted, in characters
    max_mention_length: int = 512
    #: seconds between checks for writes by other processes (0: check on every lookup)
    refresh_interval: float = 0.0
    #: most values the review queue keeps (the least frequent go first); 0 collects nothing
    review_max: int = 10_000
    #: seconds a server buffers the values it could not link before writing them to the queue
    review_flush_interval: float = 2.0

    def threshold_for(self, entity_type: str) -> float:
        """The score an entity of this type needs to be "matched"."""
        return self.person_match_threshold if entity_type == "person" else self.match_threshold

    def db_url(self) -> str:
        """The SQLAlchemy URL of the store: a URL as given, a path made into ``sqlite:///``."""
        target = self.db or str(default_db_path())
        if "://" in target:
            return target
        return f"sqlite:///{Path(target).expanduser().resolve()}"


_CASTS: dict[str, type] = {"str": str, "float": float, "int": int}


def load_settings(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Build :class:`Settings` from an environment mapping (``os.environ`` by default) and overrides.

    Raises:
        ValueError: a variable holds a value of the wrong type.
    """
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for f in fields(Settings):
        raw = env.get(f"RESOLVER_{f.name.upper()}")
        if raw is None or raw == "":
            continue
        cast = _CASTS[f.type if isinstance(f.type, str) else f.type.__name__]
        try:
            values[f.name] = cast(raw)
        except ValueError as exc:
            raise ValueError(f"RESOLVER_{f.name.upper()}={raw!r} is not a valid {cast.__name__}") from exc
    values.update({k: v for k, v in overrides.items() if v is not None})
    return replace(Settings(), **values)
