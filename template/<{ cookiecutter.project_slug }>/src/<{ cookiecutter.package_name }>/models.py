"""The service's tables. Alembic revisions in migrations/versions/ create and change them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import <% if cookiecutter.slack_app %>BigInteger, <% endif %>DateTime, Index, MetaData, String, Text, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Deterministic constraint names, so that migrations can refer to (and drop) them by name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

NOTE_MAX_LENGTH = 2000
NOTE_ID_MAX = 2**31 - 1  # notes.id is a 32-bit INTEGER in PostgreSQL (and fits SQLite's)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Note(Base):
    """A note saved in one channel of one workspace."""

    __tablename__ = "notes"
    __table_args__ = (
        Index("ix_notes_team_channel_created", "team_id", "channel_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    author_id: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.current_timestamp()
    )
<%- if cookiecutter.slack_app %>


class ProcessedEvent(Base):
    """A Slack event already handled: Slack retries an event with the same ``event_id``."""

    __tablename__ = "slack_processed_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    team_id: Mapped[str | None] = mapped_column(String(32))
    received_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.current_timestamp(), index=True
    )
<%- endif %>
<%- if cookiecutter.slack_app %>


class SeenRequest(Base):
    """A signed Slack request already received, by its timestamp and signature (replay guard)."""

    __tablename__ = "slack_seen_requests"

    request_ts: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    signature: Mapped[str] = mapped_column(String(80), primary_key=True)
<%- endif %>
