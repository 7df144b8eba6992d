"""Entity resolution and alias normalisation for names that reach English through Arabic and Persian."""

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
from resolver.results import AliasRecord, Candidate, EntityRecord, EntityRef, HistoryRecord, MatchStatus, Resolution
from resolver.settings import Settings, load_settings

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
