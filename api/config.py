"""The HTTP layer's own settings (tokens and request limits), read from ``RESOLVER_API_*`` variables.

The resolver's settings (thresholds, mention length, the store) stay in :mod:`resolver.settings`;
these are only what the web service adds on top.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

__all__ = ["ApiSettings", "load_api_settings", "parse_tokens"]

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")


@dataclass(frozen=True, slots=True)
class ApiSettings:
    """Limits and credentials of the web service.

    Build it with :func:`load_api_settings`; ``create_app`` does so from the environment and its
    ``overrides``.  With no tokens, every write is refused (403) and reads stay open.
    """

    #: token -> name of its holder; the name is the actor recorded in the history
    tokens: Mapping[str, str] = field(default_factory=dict)
    #: largest request body accepted, in bytes (413 above it)
    max_body_bytes: int = 4 * 1024 * 1024
    #: most mentions in one ``POST /resolve`` and queries in one reconciliation batch (413 above it)
    max_batch: int = 1000

    def __post_init__(self) -> None:
        if self.max_body_bytes < 1024:
            raise ValueError(f"max_body_bytes must be at least 1024, not {self.max_body_bytes}")
        if self.max_batch < 1:
            raise ValueError(f"max_batch must be at least 1, not {self.max_batch}")


def parse_tokens(spec: str) -> dict[str, str]:
    """Read ``"alice:token1,bob:token2"`` into ``{"token1": "alice", "token2": "bob"}``.

    Raises:
        ValueError: an entry is not ``name:token``, a name is odd, or a token is used twice.
    """
    tokens: dict[str, str] = {}
    for entry in spec.split(","):
        if not entry.strip():
            continue
        name, sep, token = entry.strip().partition(":")
        if not sep or not token:
            raise ValueError("RESOLVER_API_TOKENS entries must look like name:token, separated by commas")
        if not _NAME_RE.match(name):
            raise ValueError(f"token name {name!r}: letters, digits and . _ @ - only, at most 64")
        if token in tokens:
            raise ValueError(f"RESOLVER_API_TOKENS gives the same token to {tokens[token]!r} and {name!r}")
        tokens[token] = name
    return tokens


def load_api_settings(environ: Mapping[str, str] | None = None, **overrides: Any) -> ApiSettings:
    """Build :class:`ApiSettings` from ``RESOLVER_API_*`` variables, then ``overrides``.

    ``tokens`` may be overridden with a mapping of name to token, as the environment spells it.

    Raises:
        ValueError: a variable or override holds a value of the wrong type.
    """
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    raw_tokens = env.get("RESOLVER_API_TOKENS", "")
    if raw_tokens:
        values["tokens"] = parse_tokens(raw_tokens)
    for f in fields(ApiSettings):
        if f.name == "tokens":
            continue
        raw = env.get(f"RESOLVER_API_{f.name.upper()}")
        if raw:
            try:
                values[f.name] = int(raw)
            except ValueError as exc:
                raise ValueError(f"RESOLVER_API_{f.name.upper()}={raw!r} is not an integer") from exc
    for key, value in overrides.items():
        if key == "tokens":
            values["tokens"] = parse_tokens(",".join(f"{name}:{token}" for name, token in value.items()))
        else:
            values[key] = value
    return replace(ApiSettings(), **values)
