"""arrived_at on received_file and file_arrival: when a file landed in the inbox.

Beside ``received_at`` (when chufei processed it): its modification time in the inbox, never
later than the processing (``chufei.inbox.arrival``). NULL for files received before it was
recorded. Deadlines, the completeness matrix and the order of corrections are judged by it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("received_file", "file_arrival"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("arrived_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    for table in ("received_file", "file_arrival"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("arrived_at")
