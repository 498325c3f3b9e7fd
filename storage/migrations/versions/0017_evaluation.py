"""Evaluating the partnership (storage/evaluation_tables.py): feedback prompts and answers, quarterly
surveys, monthly reports sent, charts drawn today, and how far the feedback prompts have read.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("item", sa.String(16), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("side", sa.String(8), nullable=False),
        sa.Column("partner_id", sa.Integer(), sa.ForeignKey("partner.id"), nullable=False),
        sa.Column("asked_at", UTCDateTime(), nullable=False),
        sa.Column("sent", sa.Boolean(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("answered_at", UTCDateTime(), nullable=True),
        sa.UniqueConstraint("item", "user_id"),
    )
    op.create_index("ix_feedback_partner_id", "feedback", ["partner_id"])
    op.create_index("ix_feedback_answered_at", "feedback", ["answered_at"])
    op.create_table(
        "survey",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("quarter", sa.String(8), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("partner_id", sa.Integer(), sa.ForeignKey("partner.id"), nullable=True),
        sa.Column("asked_at", UTCDateTime(), nullable=False),
        sa.Column("sent", sa.Boolean(), nullable=False),
        sa.Column("working", sa.Integer(), nullable=True),
        sa.Column("responsive", sa.Integer(), nullable=True),
        sa.Column("change", sa.Text(), nullable=True),
        sa.Column("answered_at", UTCDateTime(), nullable=True),
        sa.UniqueConstraint("quarter", "user_id"),
    )
    op.create_index("ix_survey_answered_at", "survey", ["answered_at"])
    op.create_table(
        "report_sent",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("partner_id", sa.Integer(), sa.ForeignKey("partner.id"), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("sent", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("month", "user_id"),
    )
    op.create_table(
        "chart_drawn",
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("file_id", sa.String(32), nullable=False),
        sa.Column("alt_text", sa.Text(), nullable=False),
    )
    op.create_table(
        "feedback_mark",
        sa.Column("name", sa.String(16), primary_key=True),
        sa.Column("last_event_id", sa.Integer(), nullable=False),
    )
    # Referrals closed before this upgrade are not asked about: the prompts start from here.
    op.execute(
        "INSERT INTO feedback_mark (name, last_event_id) "
        "SELECT 'referral', COALESCE(MAX(id), 0) FROM item_event"
    )


def downgrade() -> None:
    for table in ("feedback_mark", "chart_drawn", "report_sent", "survey", "feedback"):
        op.drop_table(table)
