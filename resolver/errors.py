"""The resolver's exceptions: one base class, and a subclass per way a caller can go wrong."""

from __future__ import annotations

__all__ = [
    "AliasConflict",
    "AliasNotFound",
    "EntityNotFound",
    "ImportFailed",
    "InvalidQuery",
    "ResolverError",
    "ReviewItemNotFound",
    "SchemaMismatch",
    "TooMuchWork",
]


class ResolverError(Exception):
    """Base of every error the library raises on purpose; ``code`` is a stable machine name."""

    code = "resolver_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidQuery(ResolverError):
    """A mention or parameter that cannot be looked up (empty, too long, unknown type)."""

    code = "invalid_query"


class EntityNotFound(ResolverError):
    """No entity has that id."""

    code = "entity_not_found"


class AliasNotFound(ResolverError):
    """No alias has that id (or it belongs to another entity)."""

    code = "alias_not_found"


class ReviewItemNotFound(ResolverError):
    """No review queue item has that id."""

    code = "review_item_not_found"


class AliasConflict(ResolverError):
    """A write would break the store's rules: a duplicate id, an alias twice, a self-merge."""

    code = "conflict"


class ImportFailed(ResolverError):
    """A CSV import found a bad row; nothing was written.  ``line`` is 1-based, header = 1."""

    code = "import_failed"

    def __init__(self, message: str, *, source: str = "<input>", line: int | None = None) -> None:
        where = f"{source}:{line}: " if line is not None else f"{source}: "
        super().__init__(where + message)
        self.source = source
        self.line = line


class SchemaMismatch(ResolverError):
    """The store was written by an incompatible version of the resolver."""

    code = "schema_mismatch"


class StoreUnavailable(ResolverError):
    """The store cannot be reached: its database driver is not installed, or the server does not answer."""

    code = "store_unavailable"


class TooMuchWork(ResolverError):
    """A call ran past the time it was given (``deadline``) and was abandoned; nothing was changed."""

    code = "too_much_work"
