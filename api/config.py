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
from urllib.parse import urlsplit

__all__ = ["ApiSettings", "check_public_url", "load_api_settings", "parse_tokens"]

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
    #: the URL clients reach the service at (``https://resolver.example.org/api``), used for every
    #: absolute URL the service writes (the reconciliation manifest's identifierSpace, view,
    #: preview...); empty: the URL the request came in on, Host header included
    public_url: str = ""
    #: longest text one ``POST /annotate`` takes, in characters (413 above it)
    max_annotate_chars: int = 200_000
    #: most mentions one ``POST /annotate`` answers with (422 above it: send the text in parts)
    max_annotate_mentions: int = 5_000
    #: seconds one ``POST /annotate`` may work before it is abandoned (422)
    max_annotate_seconds: float = 10.0

    def __post_init__(self) -> None:
        for name in ("max_annotate_chars", "max_annotate_mentions", "max_annotate_seconds"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, not {getattr(self, name)}")
        if self.max_body_bytes < 1024:
            raise ValueError(f"max_body_bytes must be at least 1024, not {self.max_body_bytes}")
        if self.max_batch < 1:
            raise ValueError(f"max_batch must be at least 1, not {self.max_batch}")
        object.__setattr__(self, "public_url", check_public_url(self.public_url))


def check_public_url(url: str) -> str:
    """An absolute http(s) URL without query or fragment, without its trailing slash ("" stays "").

    Raises:
        ValueError: anything else.
    """
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment or any(
            c.isspace() for c in url):
        raise ValueError(f"RESOLVER_API_PUBLIC_URL={url!r} is not an absolute http(s) URL without query or "
                         "fragment, e.g. https://resolver.example.org/api")
    return url.rstrip("/")


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
        if raw and f.type in ("str", str):
            values[f.name] = raw
        elif raw:
            cast = float if f.type in ("float", float) else int
            try:
                values[f.name] = cast(raw)
            except ValueError as exc:
                kind = "a number" if cast is float else "an integer"
                raise ValueError(f"RESOLVER_API_{f.name.upper()}={raw!r} is not {kind}") from exc
    for key, value in overrides.items():
        if key == "tokens":
            values["tokens"] = parse_tokens(",".join(f"{name}:{token}" for name, token in value.items()))
        else:
            values[key] = value
    return replace(ApiSettings(), **values)
