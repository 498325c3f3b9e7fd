"""The shared case-resource library (storage/library.py) and its full-text index: on SQLite an FTS5 table
kept in step by triggers, on PostgreSQL a generated tsvector column with a GIN index
(storage/library_search.py reads both).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

# The columns search reads, most telling first (storage/library.searched_text lists the same).
_SQLITE = [
    """CREATE VIRTUAL TABLE resource_fts USING fts5(
        title, summary, topics, jurisdiction, expertise,
        content='resource', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER resource_fts_insert AFTER INSERT ON resource BEGIN
        INSERT INTO resource_fts(rowid, title, summary, topics, jurisdiction, expertise)
        VALUES (new.id, new.title, new.summary, new.topics, new.jurisdiction, new.expertise);
    END""",
    """CREATE TRIGGER resource_fts_delete AFTER DELETE ON resource BEGIN
        INSERT INTO resource_fts(resource_fts, rowid, title, summary, topics, jurisdiction, expertise)
        VALUES ('delete', old.id, old.title, old.summary, old.topics, old.jurisdiction, old.expertise);
    END""",
    """CREATE TRIGGER resource_fts_update AFTER UPDATE OF title, summary, topics, jurisdiction, expertise
    ON resource BEGIN
        INSERT INTO resource_fts(resource_fts, rowid, title, summary, topics, jurisdiction, expertise)
        VALUES ('delete', old.id, old.title, old.summary, old.topics, old.jurisdiction, old.expertise);
        INSERT INTO resource_fts(rowid, title, summary, topics, jurisdiction, expertise)
        VALUES (new.id, new.title, new.summary, new.topics, new.jurisdiction, new.expertise);
    END""",
]
_POSTGRES = [
    """ALTER TABLE resource ADD COLUMN search tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', coalesce(title, '')), 'A')
        || setweight(to_tsvector('english', coalesce(topics::text, '')), 'A')
        || setweight(to_tsvector('english', coalesce(expertise, '')), 'A')
        || setweight(to_tsvector('english', coalesce(jurisdiction, '')), 'B')
        || setweight(to_tsvector('english', coalesce(summary, '')), 'C')
    ) STORED""",
    # Only what searches may find (withdrawn, declined and suggested entries never are): smaller, and
    # the planner need not combine it with the status index.
    "CREATE INDEX ix_resource_search ON resource USING gin (search) "
    "WHERE status IN ('current', 'needs-review')",
]


def upgrade() -> None:
    op.create_table(
        "resource",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("link", sa.String(2000), nullable=True),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("jurisdiction", sa.String(80), nullable=True),
        sa.Column("court_level", sa.String(16), nullable=False),
        sa.Column("author_id", sa.String(32), nullable=False),
        sa.Column("author_org", sa.String(64), nullable=False),
        sa.Column("owner_id", sa.String(32), nullable=False),
        sa.Column("audience", sa.String(16), nullable=False),
        sa.Column("last_verified", sa.Date(), nullable=False),
        sa.Column("review_months", sa.Integer(), nullable=False),
        sa.Column("review_due", sa.Date(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("expertise", sa.Text(), nullable=True),
        sa.Column("contact", sa.Text(), nullable=True),
        sa.Column("testimony", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_resource_author_id", "resource", ["author_id"])
    op.create_index("ix_resource_owner_id", "resource", ["owner_id"])
    op.create_index("ix_resource_kind", "resource", ["kind"])
    op.create_index("ix_resource_status_review_due", "resource", ["status", "review_due"])
    op.create_table(
        "resource_reader",
        sa.Column("resource_id", sa.Integer(), sa.ForeignKey("resource.id"), primary_key=True),
        sa.Column("partner_id", sa.Integer(), sa.ForeignKey("partner.id"), primary_key=True),
    )
    op.create_index("ix_resource_reader_partner_id", "resource_reader", ["partner_id"])
    op.create_table(
        "resource_use",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("resource_id", sa.Integer(), sa.ForeignKey("resource.id"), nullable=False),
        sa.Column("use", sa.String(16), nullable=False),
        sa.Column("org", sa.String(64), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_resource_use_resource_id", "resource_use", ["resource_id"])
    op.create_table("library_word", sa.Column("word", sa.String(40), primary_key=True))
    for statement in _POSTGRES if op.get_bind().dialect.name == "postgresql" else _SQLITE:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("resource_fts_insert", "resource_fts_delete", "resource_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS resource_fts")
    op.drop_table("library_word")
    op.drop_table("resource_use")
    op.drop_table("resource_reader")
    op.drop_table("resource")
