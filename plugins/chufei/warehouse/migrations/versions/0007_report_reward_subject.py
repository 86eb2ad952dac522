"""reported_subject on report_reward_row: whom a 举报 names (被举报对象).

Optional in the 举报奖励 template; the entity register reads it, so reports count towards the
early warning's 举报线索 indicator of the entity they name. NULL for reports sent before the
column existed, or whose unit left it empty: they are counted in the 举报奖励 forms as before and
name no entity.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("report_reward_row") as batch_op:
        batch_op.add_column(sa.Column("reported_subject", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("report_reward_row") as batch_op:
        batch_op.drop_column("reported_subject")
