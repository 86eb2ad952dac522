"""Warehouse tables of the submission watch (``chufei.ops.watch``): the completeness matrix, the
reminders sent and the units a period run went ahead without.

Registered on ``chufei.warehouse.metadata.metadata`` (imported by ``chufei.warehouse.schema``) so
that the migrations own them like every other warehouse table.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, DateTime, Integer, String, Table, UniqueConstraint

from chufei.warehouse.metadata import metadata

submission_status = Table(
    "submission_status", metadata,
    Column("dataset", String(64), primary_key=True),
    Column("unit_code", String(16), primary_key=True),
    Column("period_key", String(16), primary_key=True),
    Column("task_no", Integer, nullable=False),
    Column("due_date", Date, nullable=False),
    Column("status", String(16), nullable=False),
    Column("first_arrived_at", DateTime(timezone=True)),  # the first file's arrival in the inbox
    Column("first_processed_at", DateTime(timezone=True)),  # when chufei processed that file
    Column("zero_return", Boolean),  # the return listed no rows (零报告): submitted, not missing
    Column("as_of", Date, nullable=False))

reminder_log = Table(
    "reminder_log", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("dataset", String(64), nullable=False),
    Column("unit_code", String(16), nullable=False),
    Column("period_key", String(16), nullable=False),
    Column("reminded_on", Date, nullable=False),
    Column("channel", String(16), nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("dataset", "unit_code", "period_key", "reminded_on"))

# Which units a period run found missing when it went ahead without them.
period_missing = Table(
    "period_missing", metadata,
    Column("report", String(64), primary_key=True),
    Column("period_key", String(16), primary_key=True),
    Column("dataset", String(64), primary_key=True),
    Column("unit_code", String(16), primary_key=True),
    Column("recorded_at", DateTime(timezone=True), nullable=False))
