"""Warehouses as chufei left them before Alembic, for the upgrade tests.

The baseline revision is a frozen copy of the pre-Alembic schema (``ensure_schema``'s version 2;
checked against the old code's DDL when it was written), so a legacy warehouse is built from it:
upgrade an empty database to the baseline, fill it, then turn it into what the hand-written
upgrades left behind — ``chufei_schema_version`` instead of ``chufei_alembic_version`` and, for version 1,
none of the monthly facts, the old-case year cache or the date indexes.
"""

from __future__ import annotations

from datetime import datetime, UTC

from alembic import command
from sqlalchemy import Column, DateTime, Integer, MetaData, Table, inspect, text

from chufei.warehouse.upgrade import alembic_config

BASELINE = "0001"
LEGACY_VERSION = Table("chufei_schema_version", MetaData(),
                       Column("version", Integer, primary_key=True),
                       Column("applied_at", DateTime(timezone=True), nullable=False))
# What version 1 lacked: tables of version 2 (and the year cache), indexes declared later.
VERSION_2_TABLES = ("case_month_fact", "admin_action_month_fact", "month_source", "old_case_year")
VERSION_2_INDEXES = {"ix_case_current_filed", "ix_case_current_closed", "ix_admin_action_row_date",
                     "ix_risk_warning_row_date", "ix_report_reward_row_received", "ix_report_reward_row_paid"}


def baseline_warehouse(engine) -> None:
    """Create the pre-Alembic schema (the baseline revision) in an empty database."""
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), BASELINE)


def make_legacy(engine, version: int) -> None:
    """Turn a baseline warehouse into one the hand-written upgrades left at ``version`` (1 or 2)."""
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE chufei_alembic_version"))
        LEGACY_VERSION.create(connection)
        connection.execute(LEGACY_VERSION.insert(), [
            {"version": v, "applied_at": datetime(2020, 1, v, tzinfo=UTC)} for v in range(1, version + 1)])
        if version == 1:
            inspector = inspect(connection)
            for table in inspector.get_table_names():
                for index in inspector.get_indexes(table):
                    if index["name"] in VERSION_2_INDEXES:
                        connection.execute(text(f"DROP INDEX {index['name']}"))
            for table in VERSION_2_TABLES:
                connection.execute(text(f"DROP TABLE {table}"))
