"""Each entity's score and band beside its kept indicator values (``entity_score_state``): a day
carried over then reads the values of the entities in a band or with a warning, not of every
entity of the register. The rows kept before have neither: the day's mark is dropped, so the first
run after the upgrade counts everything once and writes them.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("entity_score_state", sa.Column("score", sa.Integer(), nullable=True))
    op.add_column("entity_score_state", sa.Column("band", sa.String(length=4), nullable=True))
    op.execute("DELETE FROM entity_score_mark")


def downgrade() -> None:
    with op.batch_alter_table("entity_score_state") as batch:
        batch.drop_column("band")
        batch.drop_column("score")
