"""Entity resolution and alias normalisation for names that reach English through Arabic and Persian.

The public names below are imported on first use (PEP 562), so that importing the package, or a
light module of it such as the ``resolver`` command's entry point, costs almost nothing: the
command can take charge of Ctrl-C before the heavy imports start.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from resolver.annotate.annotator import Mention
    from resolver.batch.report import BatchReport
    from resolver.batch.runner import normalize_csv
    from resolver.errors import (
        AliasConflict,
        AliasNotFound,
        EntityNotFound,
        ImportFailed,
        InvalidQuery,
        ResolverError,
        SchemaMismatch,
    )
    from resolver.matching.normalize import analyze, normalize_name
    from resolver.resolve import Resolver
    from resolver.results import (
        AliasRecord,
        Candidate,
        EntityRecord,
        EntityRef,
        HistoryRecord,
        MatchStatus,
        Resolution,
    )
    from resolver.settings import Settings, load_settings

#: where each public name lives
_HOMES = {
    "Mention": "resolver.annotate.annotator",
    "BatchReport": "resolver.batch.report",
    "normalize_csv": "resolver.batch.runner",
    **dict.fromkeys(
        ("AliasConflict", "AliasNotFound", "EntityNotFound", "ImportFailed", "InvalidQuery", "ResolverError",
         "SchemaMismatch"),
        "resolver.errors",
    ),
    "analyze": "resolver.matching.normalize",
    "normalize_name": "resolver.matching.normalize",
    "Resolver": "resolver.resolve",
    **dict.fromkeys(
        ("AliasRecord", "Candidate", "EntityRecord", "EntityRef", "HistoryRecord", "MatchStatus", "Resolution"),
        "resolver.results",
    ),
    "Settings": "resolver.settings",
    "load_settings": "resolver.settings",
}

__all__ = [
    "AliasConflict",
    "AliasNotFound",
    "AliasRecord",
    "BatchReport",
    "Candidate",
    "EntityNotFound",
    "EntityRecord",
    "EntityRef",
    "HistoryRecord",
    "ImportFailed",
    "InvalidQuery",
    "MatchStatus",
    "Mention",
    "Resolution",
    "Resolver",
    "ResolverError",
    "SchemaMismatch",
    "Settings",
    "analyze",
    "load_settings",
    "normalize_csv",
    "normalize_name",
]

if not TYPE_CHECKING:  # for mypy the names are the imports above; a typo stays an error

    def __getattr__(name: str) -> Any:
        home = _HOMES.get(name)
        if home is None:
            raise AttributeError(f"module 'resolver' has no attribute {name!r}")
        value = getattr(importlib.import_module(home), name)
        globals()[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*globals(), *_HOMES})
