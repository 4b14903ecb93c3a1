"""Initial schema: notes<% if cookiecutter.slack_app %> and processed Slack events<% endif %>.

Revision ID: 0001
Revises:
Create Date: 2026-01-01 00:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# expand, backfill or contract (docs/migrations.md). Only a contract step may drop or narrow
# anything; `make migrations-check` enforces it.
phase = "expand"


def upgrade() -> None:
    op.create_table(
        "notes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("author_id", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notes")),
    )
    op.create_index(
        "ix_notes_team_channel_created", "notes", ["team_id", "channel_id", "created_at"]
    )
<%- if cookiecutter.slack_app %>
    op.create_table(
        "slack_processed_events",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=True),
        sa.Column(
            "received_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_slack_processed_events")),
    )
    op.create_index(
        op.f("ix_slack_processed_events_received_at"), "slack_processed_events", ["received_at"]
    )
<%- endif %>


def downgrade() -> None:
<%- if cookiecutter.slack_app %>
    op.drop_index(
        op.f("ix_slack_processed_events_received_at"), table_name="slack_processed_events"
    )
    op.drop_table("slack_processed_events")
<%- endif %>
    op.drop_index("ix_notes_team_channel_created", table_name="notes")
    op.drop_table("notes")
