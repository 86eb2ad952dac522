"""The daily early-warning run's state: the last day's indicator values per entity (and the
evidence it showed), that day, and the entities the register touched since. A day then re-counts
the touched entities and those whose dated windows moved, instead of every event of the history.
Empty tables: the first run after the upgrade counts everything once.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_COUNTS = ["evidence_count", "grid_clues", "reporting_grids", "risk_signs", "advert_phrases", "unlicensed",
           "admin_actions"]


def upgrade() -> None:
    op.create_table("entity_touched",
                    sa.Column("entity_id", sa.String(length=16), nullable=False),
                    sa.Column("stamp", sa.Integer(), nullable=False),
                    sa.PrimaryKeyConstraint("entity_id"))
    op.create_table("entity_score_state",
                    sa.Column("entity_id", sa.String(length=16), nullable=False),
                    *(sa.Column(c, sa.Integer(), nullable=False) for c in _COUNTS),
                    sa.Column("risk_ledger_level", sa.String(length=8), nullable=True),
                    *(sa.Column(c, sa.Integer(), nullable=False)
                      for c in ["report_clues", "districts", "growth_90d", "growth_previous"]),
                    sa.Column("evidence", sa.Text(), nullable=True),
                    sa.PrimaryKeyConstraint("entity_id"))
    op.create_table("entity_score_mark",
                    sa.Column("name", sa.String(length=32), nullable=False),
                    sa.Column("mark", sa.Text(), nullable=False),
                    sa.PrimaryKeyConstraint("name"))


def downgrade() -> None:
    op.drop_table("entity_score_mark")
    op.drop_table("entity_score_state")
    op.drop_table("entity_touched")
