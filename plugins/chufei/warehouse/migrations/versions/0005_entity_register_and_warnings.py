"""The entity register (主体库), its warnings and the 预警核查反馈 kind's rows.

``entity``, ``entity_event`` (each row that named an entity, with its file and row),
``entity_source_mark`` (each inflow's high-water mark), ``entity_warning``, ``warning_notice``
and ``warning_feedback_row``: new tables, empty until the early-warning DAG first runs.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('entity',
    sa.Column('entity_id', sa.String(length=16), nullable=False),
    sa.Column('district_code', sa.String(length=16), nullable=True),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('name_key', sa.Text(), nullable=False),
    sa.Column('credit_code', sa.String(length=18), nullable=True),
    sa.Column('natural_person', sa.Boolean(), nullable=False),
    sa.Column('first_date', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('entity_id')
    )
    with op.batch_alter_table('entity', schema=None) as batch_op:
        batch_op.create_index('ix_entity_code', ['credit_code'], unique=False)
        batch_op.create_index('ix_entity_name', ['district_code', 'name_key'], unique=False)

    op.create_table('entity_source_mark',
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('mark', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('source')
    )
    op.create_table('warning_notice',
    sa.Column('entity_id', sa.String(length=16), nullable=False),
    sa.Column('band', sa.String(length=4), nullable=False),
    sa.Column('warning_id', sa.String(length=32), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('entity_id', 'band')
    )
    op.create_table('entity_event',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('entity_id', sa.String(length=16), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('source_key', sa.Text(), nullable=False),
    sa.Column('event_date', sa.Date(), nullable=False),
    sa.Column('district_code', sa.String(length=16), nullable=True),
    sa.Column('subject_name', sa.Text(), nullable=False),
    sa.Column('credit_code', sa.String(length=18), nullable=True),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('row_no', sa.Integer(), nullable=False),
    sa.Column('grid_code', sa.String(length=40), nullable=True),
    sa.Column('signs', sa.Text(), nullable=True),
    sa.Column('advert_hits', sa.Text(), nullable=True),
    sa.Column('licensed', sa.Boolean(), nullable=True),
    sa.Column('risk_level', sa.String(length=8), nullable=True),
    sa.Column('action_type', sa.Text(), nullable=True),
    sa.Column('amount_fen', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.entity_id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source', 'source_key', name='uq_entity_event_source')
    )
    with op.batch_alter_table('entity_event', schema=None) as batch_op:
        batch_op.create_index('ix_entity_event_date', ['event_date'], unique=False)
        batch_op.create_index('ix_entity_event_entity', ['entity_id', 'event_date'], unique=False)

    op.create_table('entity_warning',
    sa.Column('warning_id', sa.String(length=32), nullable=False),
    sa.Column('entity_id', sa.String(length=16), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('raised_on', sa.Date(), nullable=False),
    sa.Column('scored_on', sa.Date(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('band', sa.String(length=4), nullable=True),
    sa.Column('config_version', sa.String(length=32), nullable=False),
    sa.Column('evidence_count', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('checked_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.entity_id'], ),
    sa.PrimaryKeyConstraint('warning_id'),
    sa.UniqueConstraint('entity_id', 'seq', name='uq_entity_warning_seq')
    )
    with op.batch_alter_table('entity_warning', schema=None) as batch_op:
        batch_op.create_index('ix_entity_warning_entity', ['entity_id'], unique=False)

    op.create_table('warning_feedback_row',
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('row_no', sa.Integer(), nullable=False),
    sa.Column('unit_code', sa.String(length=16), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('warning_id', sa.Text(), nullable=True),
    sa.Column('result', sa.Text(), nullable=True),
    sa.Column('checked_date', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], ),
    sa.PrimaryKeyConstraint('submission_id', 'row_no')
    )


def downgrade() -> None:
    op.drop_table('warning_feedback_row')
    with op.batch_alter_table('entity_warning', schema=None) as batch_op:
        batch_op.drop_index('ix_entity_warning_entity')

    op.drop_table('entity_warning')
    with op.batch_alter_table('entity_event', schema=None) as batch_op:
        batch_op.drop_index('ix_entity_event_entity')
        batch_op.drop_index('ix_entity_event_date')

    op.drop_table('entity_event')
    op.drop_table('warning_notice')
    op.drop_table('entity_source_mark')
    with op.batch_alter_table('entity', schema=None) as batch_op:
        batch_op.drop_index('ix_entity_name')
        batch_op.drop_index('ix_entity_code')

    op.drop_table('entity')
