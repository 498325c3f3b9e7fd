"""Joint training (storage/training.py): sessions, who may attend, their announcement cards, each
person's answer, check-in and feedback, and what was sent to whom (once each).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "training",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("place", sa.Text(), nullable=False),
        sa.Column("audience", sa.String(16), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("presenters", sa.JSON(), nullable=False),
        sa.Column("cle_hours", sa.Float(), nullable=False),
        sa.Column("cle_category", sa.String(32), nullable=False),
        sa.Column("course_number", sa.String(64), nullable=True),
        sa.Column("cle_state", sa.String(8), nullable=True),
        sa.Column("materials", sa.JSON(), nullable=False),
        sa.Column("code", sa.String(16), nullable=True),
        sa.Column("organizer_id", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_training_organizer_id", "training", ["organizer_id"])
    op.create_index("ix_training_status_starts_at", "training", ["status", "starts_at"])
    op.create_table(
        "training_reader",
        sa.Column("training_id", sa.Integer(), sa.ForeignKey("training.id"), primary_key=True),
        sa.Column("partner_id", sa.Integer(), sa.ForeignKey("partner.id"), primary_key=True),
    )
    op.create_table(
        "training_post",
        sa.Column("training_id", sa.Integer(), sa.ForeignKey("training.id"), primary_key=True),
        sa.Column("channel_id", sa.String(32), primary_key=True),
        sa.Column("ts", sa.String(32), nullable=False),
    )
    op.create_table(
        "rsvp",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("training_id", sa.Integer(), sa.ForeignKey("training.id"), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("org", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("answer", sa.String(8), nullable=False),
        sa.Column("waitlisted_at", UTCDateTime(), nullable=True),
        sa.Column("checked_in_at", UTCDateTime(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("training_id", "user_id"),
    )
    op.create_index("ix_rsvp_training_id", "rsvp", ["training_id"])
    op.create_table(
        "training_sent",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("training_id", sa.Integer(), sa.ForeignKey("training.id"), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("what", sa.String(16), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("training_id", "user_id", "what"),
    )
    op.create_index("ix_training_sent_training_id", "training_sent", ["training_id"])


def downgrade() -> None:
    for table in ("training_sent", "rsvp", "training_post", "training_reader", "training"):
        op.drop_table(table)
