"""Entity resolution and alias normalisation for names that reach English through Arabic and Persian."""

from .annotate import Mention
from .batch import normalize_csv
from .batch_report import BatchReport
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
