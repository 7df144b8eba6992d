"""Typed configuration, read from ``RESOLVER_*`` environment variables when a call asks for it."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

__all__ = ["Settings", "default_db_path", "load_settings"]


def default_db_path() -> Path:
    """The bundled store: ``aliases.db`` at the top of the checkout when the package runs from one (an
    editable install, or the source tree on the path); an installed package has no checkout around
    it, so there it is ``aliases.db`` in the working directory (the checkout's top, when a user
    installed it from there as the README says)."""
    top = Path(__file__).resolve().parent.parent
    if (top / "pyproject.toml").is_file():  # (as resolver.compiled.stale_modules tells a checkout)
        return top / "aliases.db"
    return Path.cwd() / "aliases.db"


@dataclass(frozen=True, slots=True)
class Settings:
    """Every tunable of the resolver in one place.

    Build it with :func:`load_settings`, which reads ``RESOLVER_<FIELD>`` variables (for example
    ``RESOLVER_DB`` and ``RESOLVER_MATCH_THRESHOLD``); pass it to :meth:`Resolver.open`.
    """

    db: str = ""
    #: probability (from the trained model, resolver/data/matcher.json) a single best organisation,
    #: place, outlet or other entity needs to be "matched"; chosen on the development part of the
    #: public SDN benchmark for a false-positive rate of at most 0.03 on names of absent entities
    match_threshold: float = 0.55
    #: the same for a person
    person_match_threshold: float = 0.55
    #: probability from which an entity is plausible (and can make a result ambiguous)
    candidate_threshold: float = 0.15
    #: how far the best entity's probability must lead the runner-up's to be "matched", not "ambiguous"
    margin: float = 0.06
    #: lowest probability at which an entity is still listed among the candidates
    list_threshold: float = 0.01
    #: the most a pair can score when the name rules say "another entity" (another country,
    #: another first name or surname, an extra word in an organisation's name): listed, never
    #: matched nor plausible
    veto_ceiling: float = 0.1
    #: the model's probability from which a pair the name structure vetoes (another first name or
    #: surname, an extra word in an organisation's name) is judged by the model after all: a
    #: surname one letter off is still the surname; chosen on the development part (1.0: never)
    veto_override: float = 0.97
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
