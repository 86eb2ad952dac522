"""work_task_completion_row: the rows of the 工作任务完成情况 submissions.

A unit reports a work-plan task as done (任务序号, 完成日期, 佐证材料); the work-plan progress
reads the current rows. Keyed like every submission's row table.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "work_task_completion_row",
        sa.Column("submission_id", sa.Integer, nullable=False),
        sa.Column("row_no", sa.Integer, nullable=False),
        sa.Column("unit_code", sa.String(16), nullable=False),
        sa.Column("period_start", sa.Date, nullable=False),
        sa.Column("task_no", sa.Text),
        sa.Column("completed_date", sa.Date),
        sa.Column("evidence", sa.Text),
        sa.Column("note", sa.Text),
        sa.ForeignKeyConstraint(["submission_id"], ["submission.id"]),
        sa.PrimaryKeyConstraint("submission_id", "row_no"))


def downgrade() -> None:
    op.drop_table("work_task_completion_row")
