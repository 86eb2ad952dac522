"""The district spike alerts' inputs kept between runs: each district's distinct grid clues per
上报日 (``grid_clue_day``, with the loads' mark it reached, ``grid_clue_day_mark``), an index on
the clues' 上报时间 for the tested periods' clues and the days a load touches, and the baselines
fitted by the last run (``spike_baseline``). A day then reads the counts and the last weeks' clues
instead of every clue version of the history, and refits only the series that changed. Empty
tables: the first run after the upgrade counts the history once.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_grid_clue_version_reported", "grid_clue_version", ["reported_at", "district_code", "clue_no"])
    op.create_table("grid_clue_day",
                    sa.Column("district_code", sa.String(length=12), nullable=False),
                    sa.Column("day", sa.Date(), nullable=False),
                    sa.Column("clues", sa.Integer(), nullable=False),
                    sa.PrimaryKeyConstraint("district_code", "day"))
    op.create_table("grid_clue_day_mark",
                    sa.Column("name", sa.String(length=32), nullable=False),
                    sa.Column("mark", sa.Text(), nullable=False),
                    sa.PrimaryKeyConstraint("name"))
    op.create_table("spike_baseline",
                    sa.Column("key", sa.String(length=64), nullable=False),
                    sa.Column("baseline", sa.Text(), nullable=False),
                    sa.PrimaryKeyConstraint("key"))


def downgrade() -> None:
    op.drop_table("spike_baseline")
    op.drop_table("grid_clue_day_mark")
    op.drop_table("grid_clue_day")
    op.drop_index("ix_grid_clue_version_reported", table_name="grid_clue_version")
