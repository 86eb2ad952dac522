"""An index on entity_event (file_sha256, event_date): the early-warning package lists the files
behind its day's events, which without it is a scan of every event of the history each day; with
it, one look-up per distinct file (include/sql/entity_files_as_of.sql).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_entity_event_file", "entity_event", ["file_sha256", "event_date"])


def downgrade() -> None:
    op.drop_index("ix_entity_event_file", table_name="entity_event")
