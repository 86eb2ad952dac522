"""community on publicity_row: the 社区/村 a publicity activity was held in.

The 进社区 coverage (work-plan task 二十一) counts the communities and villages of a district's
community list (``include/reference/communities.csv``) with at least one activity in the year.
NULL for activities sent before the column existed, or whose unit left it empty: they count as
activities but cover no community.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("publicity_row") as batch_op:
        batch_op.add_column(sa.Column("community", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("publicity_row") as batch_op:
        batch_op.drop_column("community")
