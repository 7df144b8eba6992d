"""SQLAlchemy tables of the store: entities, aliases, history, the review queue and a key/value meta table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = ["AliasRow", "Base", "EntityRow", "HistoryRow", "MetaRow", "ReviewRow"]


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
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    entity_id: Mapped[str] = mapped_column(ForeignKey("entity.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    normalized: Mapped[str] = mapped_column(Text)
    #: fine skeleton of each token, space separated: the matching keys computed at write time
    keys: Mapped[str] = mapped_column(Text)
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


class ReviewRow(Base):
    """A value the service could not link, counted each time it is seen: the curators' queue.

    Written by :mod:`resolver.store.review` (schema version 2 onwards).
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
