"""An index on grid_clue_version.loaded_at: the entity register reads the clue versions loaded
since its mark, which without it is a scan of the whole five-year history every run.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_grid_clue_version_loaded", "grid_clue_version", ["loaded_at"])


def downgrade() -> None:
    op.drop_index("ix_grid_clue_version_loaded", table_name="grid_clue_version")
