"""Entity resolution and alias normalisation for names that reach English through Arabic and Persian."""

from .errors import (
    AliasConflict,
    AliasNotFound,
    EntityNotFound,
    ImportFailed,
    InvalidQuery,
    ResolverError,
    SchemaMismatch,
)
from .normalize import analyze, normalize_name
from .resolve import Resolver
from .results import AliasRecord, Candidate, EntityRecord, EntityRef, HistoryRecord, MatchStatus, Resolution
from .settings import Settings, load_settings

__all__ = [
    "AliasConflict",
    "AliasNotFound",
    "AliasRecord",
    "Candidate",
    "EntityNotFound",
    "EntityRecord",
    "EntityRef",
    "HistoryRecord",
    "ImportFailed",
    "InvalidQuery",
    "MatchStatus",
    "Resolution",
    "Resolver",
    "ResolverError",
    "SchemaMismatch",
    "Settings",
    "analyze",
    "load_settings",
    "normalize_name",
]
