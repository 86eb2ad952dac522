"""submission_status judged by arrival: first_arrived_at, first_processed_at and zero_return.

The matrix's 按时/逾期 is judged by when a unit's first file for the item landed in the inbox
(``received_file.arrived_at``), no longer by when chufei processed it: ``first_received_at``
becomes ``first_arrived_at`` and the processing time is kept beside it (``first_processed_at``).
``zero_return`` marks an item whose return listed no rows (零报告): it was submitted, not missing.
The table is rewritten by every watch run, so nothing needs converting.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("submission_status") as batch_op:
        batch_op.alter_column("first_received_at", new_column_name="first_arrived_at")
        batch_op.add_column(sa.Column("first_processed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("zero_return", sa.Boolean, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("submission_status") as batch_op:
        batch_op.drop_column("zero_return")
        batch_op.drop_column("first_processed_at")
        batch_op.alter_column("first_arrived_at", new_column_name="first_received_at")
