"""SQLAlchemy tables of the store: entities, aliases, history, the review queue and a key/value meta table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "AliasRow", "Base", "EntityRow", "HistoryRow", "MergeProposalRow", "MetaRow", "NearRow", "PostingRow", "ReviewRow",
    "SourceAliasRow",
    "SourceRecordRow", "SourceRow", "TokenRow",
]


class Base(DeclarativeBase):
    pass


class EntityRow(Base):
    __tablename__ = "entity"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    type: Mapped[str] = mapped_column(String(20), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    external_ids: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: set when this entity was merged into another: the id then redirects there forever
    redirect_to: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()


class AliasRow(Base):
    __tablename__ = "alias"
    __table_args__ = (
        UniqueConstraint("entity_id", "text", name="uq_alias_entity_text"),
        Index("ix_alias_normalized", "normalized"),
        Index("ix_alias_flat", "flat"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    entity_id: Mapped[str] = mapped_column(ForeignKey("entity.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    normalized: Mapped[str] = mapped_column(Text)
    #: fine skeleton of each token, space separated: the matching keys computed at write time
    keys: Mapped[str] = mapped_column(Text)
    #: the coarse skeletons of the tokens with the spaces removed ("Gholamreza" = "Gholam Reza")
    flat: Mapped[str] = mapped_column(Text, default="")
    acronym: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    script: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()


class HistoryRow(Base):
    __tablename__ = "history"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column()
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(200), index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class MetaRow(Base):
    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


# --- the candidate index: derived from the aliases, written in the same transaction ----------


class TokenRow(Base):
    """One token key of the vocabulary (a coarse skeleton) with its document frequencies."""

    __tablename__ = "ix_token"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(Text, unique=True)
    #: the looser skeleton the near-key neighbourhood is built from
    loose: Mapped[str] = mapped_column(Text)
    #: how many entities have an alias holding the key (what the IDF weight is computed from)
    df: Mapped[int] = mapped_column(Integer, default=0)
    #: how many aliases hold the key (the length of its postings list)
    n: Mapped[int] = mapped_column(Integer, default=0)
    #: how many of the ``df`` entities are people ("Kata'ib" is an organisation's word, "Hassan" a person's)
    people: Mapped[int] = mapped_column(Integer, default=0)


class PostingRow(Base):
    """An alias that holds a token; ordered by the alias's length, so a common token's shortest aliases come first."""

    __tablename__ = "ix_posting"
    __table_args__ = ({"sqlite_with_rowid": False},)

    token_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    #: how many tokens the alias has: the fewer, the larger the token's share of it
    size: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    alias_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)


class NearRow(Base):
    """The deletion neighbourhood of a token's loose skeleton: typo'd and OCR-mangled keys find it."""

    __tablename__ = "ix_near"
    __table_args__ = ({"sqlite_with_rowid": False},)

    variant: Mapped[str] = mapped_column(Text, primary_key=True)
    token_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)


# --- external lists (sources): which record wrote which entity and alias -----------------------


class SourceRow(Base):
    """A named external list (an OFAC SDN export, an OpenSanctions dataset) and its last import."""

    __tablename__ = "source"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    format: Mapped[str] = mapped_column(String(20))
    #: what the last import said about itself: file, dataset names, export date, counts
    info: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: bumped by every sync (what the sync did not read is found through a temporary table, not this)
    generation: Mapped[int] = mapped_column(default=0)
    imported_at: Mapped[datetime] = mapped_column()


class SourceRecordRow(Base):
    """One record of a source, the entity it became and a hash of what the source said about it."""

    __tablename__ = "source_record"
    __table_args__ = (Index("ix_source_record_entity", "entity_id"),)

    source: Mapped[str] = mapped_column(ForeignKey("source.name"), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(200))
    #: hash of the mapped record; "" once the source dropped it (the entity lives on with curated aliases)
    digest: Mapped[str] = mapped_column(String(40))
    #: the mapped record as last imported (name, type, aliases, ids): what the next sync diffs against
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    #: the sync that last wrote the record (an unchanged record is not rewritten)
    generation: Mapped[int] = mapped_column()


class SourceAliasRow(Base):
    """Which source record put an alias in the store: only those aliases does a sync ever remove."""

    __tablename__ = "source_alias"
    __table_args__ = (Index("ix_source_alias_record", "source", "record_id"),)

    alias_id: Mapped[int] = mapped_column(ForeignKey("alias.id", ondelete="CASCADE"), primary_key=True)
    source: Mapped[str] = mapped_column(String(50))
    record_id: Mapped[str] = mapped_column(String(200))


class ReviewRow(Base):
    """A value the service could not link, counted each time it is seen: the curators' queue.

    Written by :mod:`resolver.store.review` (schema version 4 onwards).
    """

    __tablename__ = "review_item"
    __table_args__ = (
        UniqueConstraint("value", name="uq_review_value"),
        Index("ix_review_state_count", "state", "count"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    value: Mapped[str] = mapped_column(Text)
    #: the last outcome seen: unresolved or ambiguous
    status: Mapped[str] = mapped_column(String(20))
    count: Mapped[int] = mapped_column()
    #: where it was seen, a bit per origin (see resolver.store.review.ORIGINS)
    origins: Mapped[int] = mapped_column()
    first_seen: Mapped[datetime] = mapped_column()
    last_seen: Mapped[datetime] = mapped_column()
    #: open, linked, created or dismissed
    state: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(nullable=True)


class MergeProposalRow(Base):
    """Two entities ``resolver xref --queue`` proposes to merge, for a curator to accept or reject.

    The pair is stored once, its two ids in sorted order; a later run updates an open proposal and
    leaves a decided one alone (schema version 6 onwards, see :mod:`resolver.sources.merge_queue`).
    """

    __tablename__ = "merge_proposal"
    __table_args__ = (
        UniqueConstraint("left_id", "right_id", name="uq_merge_proposal_pair"),
        Index("ix_merge_proposal_state_score", "state", "score"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    left_id: Mapped[str] = mapped_column(String(200))
    right_id: Mapped[str] = mapped_column(String(200))
    score: Mapped[float] = mapped_column()
    #: match (the score clears the type's matching threshold) or possible
    decision: Mapped[str] = mapped_column(String(20))
    #: the names that met, the rule that scored them, the sources and the identifiers both carry
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    first_proposed: Mapped[datetime] = mapped_column()
    last_proposed: Mapped[datetime] = mapped_column()
    #: open, merged, rejected or withdrawn (one of the two is gone)
    state: Mapped[str] = mapped_column(String(20))
    survivor_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(nullable=True)
