"""The warehouse schema and the writes that keep it consistent, on SQLite and PostgreSQL.

Amounts are integers of 分 (fen), never floats. The tables are declared here (and in
``inflow_schema`` and ``watch_tables``, on the same ``metadata``); the database is created and
upgraded by the Alembic revisions in ``chufei/warehouse/migrations`` (``ensure_schema``, see
``chufei.warehouse.upgrade``). A change to a table here needs a new revision there.
"""

from __future__ import annotations

from datetime import datetime, UTC
from collections.abc import Iterable

from sqlalchemy import (BigInteger, Boolean, Column, Date, DateTime, ForeignKey, Index, Integer,
                        String, Table, Text, UniqueConstraint, insert, select, update)
from sqlalchemy.engine import Connection

from chufei.kinds.registry import DATASETS
from chufei.kinds.spec import Dataset
from chufei.core.sql import run_sql
from chufei.warehouse import bulk
from chufei.warehouse import entity_schema, inflow_schema, watch_tables  # noqa: F401 - their tables register on the same metadata
from chufei.warehouse.engine import engine_for  # noqa: F401 - callers reach the engine through the schema
from chufei.warehouse.metadata import metadata
from chufei.warehouse.upgrade import ensure_schema  # noqa: F401 - every caller upgrades through the schema

_SQL_TYPES = {"text": Text, "choice": Text, "date": Date, "fen": BigInteger, "count": Integer,
              "flag": Boolean}

received_file = Table(
    "received_file", metadata,
    Column("sha256", String(64), primary_key=True),
    Column("source", String(32), nullable=False),
    Column("original_name", Text, nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
    Column("archive_path", Text, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),  # processed by chufei
    Column("arrived_at", DateTime(timezone=True)),  # landed in the inbox (its mtime, never after received_at)
    Column("status", String(32), nullable=False),
    Column("dataset", String(64)),
    Column("unit_code", String(16)),
    Column("period_key", String(16)),
    Column("rows_total", Integer, nullable=False, default=0),
    Column("rows_accepted", Integer, nullable=False, default=0),
    Column("rows_rejected", Integer, nullable=False, default=0),
    Column("message", Text))

# Every arrival of a file, duplicates included: what arrived is never forgotten.
file_arrival = Table(
    "file_arrival", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sha256", String(64), ForeignKey("received_file.sha256"), nullable=False, index=True),
    Column("original_name", Text, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("arrived_at", DateTime(timezone=True)),
    Column("outcome", String(32), nullable=False))

submission = Table(
    "submission", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("dataset", String(64), nullable=False),
    Column("unit_code", String(16), nullable=False),
    Column("period_key", String(16), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("file_sha256", String(64), ForeignKey("received_file.sha256"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("is_current", Boolean, nullable=False),
    Column("rows_accepted", Integer, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("filled_by", Text),
    Column("phone", Text),
    Column("filled_on", Text),
    UniqueConstraint("dataset", "unit_code", "period_key", "version"),
    Index("ix_submission_current", "dataset", "unit_code", "is_current", "period_start"))

rejected_row = Table(
    "rejected_row", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("file_sha256", String(64), ForeignKey("received_file.sha256"), nullable=False, index=True),
    Column("dataset", String(64), nullable=False),
    Column("sheet", Text, nullable=False),
    Column("row_no", Integer, nullable=False),
    Column("raw_json", Text, nullable=False),
    Column("reasons_json", Text, nullable=False))


def _dataset_columns(dataset: Dataset) -> list[Column]:
    return [Column(c.name, _SQL_TYPES[c.sql_kind]) for c in dataset.columns]


def row_table(dataset: Dataset) -> Table:
    """Every accepted row of every version of ``dataset`` (history included)."""
    return metadata.tables[f"{dataset.name}_row"]


for _dataset in DATASETS.values():
    Table(f"{_dataset.name}_row", metadata,
          Column("submission_id", Integer, ForeignKey("submission.id"), primary_key=True),
          Column("row_no", Integer, primary_key=True),
          Column("unit_code", String(16), nullable=False),
          Column("period_start", Date, nullable=False),
          *_dataset_columns(_dataset))

# The latest known version of each case (across a unit's current ledgers): what statistics read.
case_current = Table(
    "case_current", metadata,
    Column("unit_code", String(16), primary_key=True),
    Column("case_no", Text, primary_key=True),
    Column("submission_id", Integer, nullable=False),
    Column("period_start", Date, nullable=False),
    *[c for c in _dataset_columns(DATASETS["case_ledger"]) if c.name != "case_no"],
    Index("ix_case_current_filed", "filed_date"),
    Index("ix_case_current_closed", "closed_date"))


def now_utc() -> datetime:
    """Wall-clock time for audit columns only; reports never contain it."""
    return datetime.now(UTC)


def file_known(connection: Connection, sha256: str) -> dict | None:
    row = connection.execute(select(received_file).where(received_file.c.sha256 == sha256)).mappings().first()
    return dict(row) if row else None


def record_arrival(connection: Connection, sha256: str, original_name: str, outcome: str,
                   arrived_at: datetime | None = None) -> None:
    connection.execute(insert(file_arrival), {"sha256": sha256, "original_name": original_name,
                                              "received_at": now_utc(), "arrived_at": arrived_at,
                                              "outcome": outcome})


def not_yet_rejected(connection: Connection, source: str, rows: list[dict]) -> list[dict]:
    """The ``rejected_row`` rows (dicts with ``dataset`` and ``raw_json``) that no earlier load of
    ``source`` recorded, each content once.

    A source that re-reads what it read before (the grid API's overlap window, a record stamped
    in the future that every sync meets again) would otherwise pile up one rejected row per read:
    the same record (线索编号, 版本 and every other field, all in ``raw_json``) is recorded once,
    with the reasons it got the first time.
    """
    fresh: dict[tuple[str, str], dict] = {}
    for row in rows:
        fresh.setdefault((row["dataset"], row["raw_json"]), row)
    keys = list(fresh)
    for start in range(0, len(keys), _REJECTED_LOOKUP_BATCH):
        chunk = keys[start:start + _REJECTED_LOOKUP_BATCH]
        known = connection.execute(
            select(rejected_row.c.dataset, rejected_row.c.raw_json)
            .join(received_file, received_file.c.sha256 == rejected_row.c.file_sha256)
            .where(received_file.c.source == source,
                   rejected_row.c.dataset.in_({dataset for dataset, _ in chunk}),
                   rejected_row.c.raw_json.in_([raw for _, raw in chunk])))
        for dataset, raw in known:
            fresh.pop((dataset, raw), None)
    return list(fresh.values())


_REJECTED_LOOKUP_BATCH = 400  # bound values per lookup, well inside SQLite's limit


def replace_submission(connection: Connection, dataset: Dataset, unit_code: str, period_key: str,
                       period_start, period_end, file_sha256: str, header: dict,
                       rows: Iterable[tuple[int, dict]]) -> tuple[int, int, str | None]:
    """Load a submission as the current version for (dataset, unit, period); keep older ones as history.

    Returns (submission id, version, sha256 of the version it replaced, None when an earlier
    current version stays current: see ``chufei.warehouse.versions``).
    """
    previous = connection.execute(
        select(submission.c.id, submission.c.version, submission.c.file_sha256)
        .where(submission.c.dataset == dataset.name, submission.c.unit_code == unit_code,
               submission.c.period_key == period_key)
        .order_by(submission.c.version.desc()).limit(1)).first()
    previous_current = connection.execute(select(submission.c.file_sha256).where(
        submission.c.dataset == dataset.name, submission.c.unit_code == unit_code,
        submission.c.period_key == period_key, submission.c.is_current.is_(True))).scalar()
    connection.execute(update(submission).where(
        submission.c.dataset == dataset.name, submission.c.unit_code == unit_code,
        submission.c.period_key == period_key, submission.c.is_current.is_(True)).values(is_current=False))
    rows = list(rows)
    version = (previous.version + 1) if previous else 1
    submission_id = connection.execute(insert(submission).returning(submission.c.id), {
        "dataset": dataset.name, "unit_code": unit_code, "period_key": period_key,
        "period_start": period_start, "period_end": period_end, "file_sha256": file_sha256,
        "version": version, "is_current": True, "rows_accepted": len(rows), "received_at": now_utc(),
        "filled_by": _text(header.get("填表人")), "phone": _text(header.get("联系电话")),
        "filled_on": _text(header.get("填报日期"))}).scalar_one()
    bulk.insert_rows(connection, row_table(dataset), [
        {"submission_id": submission_id, "row_no": row_no, "unit_code": unit_code,
         "period_start": period_start, **values} for row_no, values in rows])
    from chufei.warehouse.versions import choose_current

    current = choose_current(connection, dataset.name, unit_code, period_key)  # by arrival, not processing
    refresh_current(connection, dataset, unit_code)
    if current != submission_id:
        return submission_id, version, None
    return submission_id, version, previous_current if previous else None


def refresh_current(connection: Connection, dataset: Dataset, unit_code: str) -> None:
    """Rebuild a unit's slice of the dataset's current-state table (and its monthly facts), if it has one."""
    if dataset.name == "case_ledger":
        connection.execute(case_current.delete().where(case_current.c.unit_code == unit_code))
        run_sql(connection, "refresh_case_current", unit_code=unit_code)
        refresh_case_facts(connection, unit_code)
    elif dataset.name == "admin_action":
        refresh_action_facts(connection, unit_code)


def refresh_case_facts(connection: Connection, unit_code: str | None = None) -> None:
    """Rebuild ``case_month_fact`` and the case rows of ``month_source`` from ``case_current``
    for one unit (None: every unit).

    Whatever writes ``case_current`` calls this in the same transaction (``refresh_current``
    does), so the monthly facts never disagree with the cases they sum.
    """
    from chufei.warehouse.case_duplicates import forget_found
    from chufei.warehouse.facts import case_month_facts

    forget_found()  # the duplicates kept for the cases as they were
    for code in _clear_facts(connection, case_month_fact, "case_ledger", unit_code, case_current.c.unit_code):
        facts, sources = case_month_facts(code, run_sql(connection, "case_facts_of_unit", unit_code=code).mappings())
        _insert(connection, case_month_fact, facts)
        _insert(connection, month_source, sources)


def refresh_action_facts(connection: Connection, unit_code: str | None = None) -> None:
    """Rebuild ``admin_action_month_fact`` and the action rows of ``month_source`` from the
    current admin-action rows of one unit (None: every unit)."""
    from chufei.warehouse.facts import action_month_facts

    units_column = row_table(DATASETS["admin_action"]).c.unit_code
    for code in _clear_facts(connection, admin_action_month_fact, "admin_action", unit_code, units_column):
        facts, sources = action_month_facts(code, run_sql(connection, "admin_actions_of_unit", unit_code=code).mappings(),
                                            run_sql(connection, "admin_action_dates_of_unit", unit_code=code).mappings())
        _insert(connection, admin_action_month_fact, facts)
        _insert(connection, month_source, sources)


def _clear_facts(connection: Connection, facts: Table, dataset: str, unit_code: str | None, units_column) -> list[str]:
    """Delete one unit's (or every unit's) facts and sources; returns the units to rebuild."""
    sources = month_source.delete().where(month_source.c.dataset == dataset)
    if unit_code is None:
        connection.execute(facts.delete())
        connection.execute(sources)
        return list(connection.execute(select(units_column).distinct()).scalars().all())
    connection.execute(facts.delete().where(facts.c.unit_code == unit_code))
    connection.execute(sources.where(month_source.c.unit_code == unit_code))
    return [unit_code]


def _insert(connection: Connection, table: Table, rows: list[dict]) -> None:
    if rows:
        connection.execute(insert(table), rows)


def _text(value: object) -> str | None:
    return None if value is None else str(value)



# Statistics read the event-like rows by date range: index those dates, so a period reads its
# own rows rather than the whole history.
Index("ix_admin_action_row_date", metadata.tables["admin_action_row"].c.action_date)
Index("ix_risk_warning_row_date", metadata.tables["risk_warning_row"].c.issued_date)
Index("ix_report_reward_row_received", metadata.tables["report_reward_row"].c.received_date)
Index("ix_report_reward_row_paid", metadata.tables["report_reward_row"].c.paid_date)

# Every delivery attempt of a package to the province (portal) or the staff (email): a version
# the portal accepted (or that was emailed) is not sent again.
package_delivery = Table(
    "package_delivery", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("report", String(64), nullable=False),
    Column("period_key", String(16), nullable=False),
    Column("version", String(16), nullable=False),
    Column("channel", String(16), nullable=False),  # portal | email
    Column("idempotency_key", String(160), nullable=False),
    Column("status", String(16), nullable=False),  # accepted | sent | failed
    Column("attempts", Integer, nullable=False),
    Column("http_status", Integer),
    Column("package_sha256", String(64), nullable=False),
    Column("detail", Text),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Index("ix_package_delivery_key", "channel", "idempotency_key", "status"))

# Year-level old-case aggregates (stock on 1 January, pre-2019 payouts) per unit, pre-computed
# once per year and data mark so a month's statistics do not re-read the whole history.
old_case_year = Table(
    "old_case_year", metadata,
    Column("year", Integer, primary_key=True),
    Column("unit_code", String(16), primary_key=True),
    Column("data_mark", Integer, nullable=False),
    Column("stock", Integer, nullable=False),
    Column("payout_cases", Integer, nullable=False),
    Column("unpaid_fen", BigInteger, nullable=False),
    Column("repaid_fen", BigInteger, nullable=False),
    Column("cleared", Integer, nullable=False))

# Case figures per unit, 行业领域 and calendar month, summed from ``case_current``
# (chufei.statistics.cases.case_month_facts): a period's statistics read units × 行业领域 × months rows
# instead of its cases, so a month costs the same after one year or five. New-case
# figures sit in the month of 立案日期; old_cases_closed (filed before 1 January of the closing
# year) and closed_cases in the month of 结案日期.
case_month_fact = Table(
    "case_month_fact", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("unit_code", String(16), nullable=False),
    Column("industry", Text),
    Column("month_start", Date, nullable=False),
    Column("new_cases", Integer, nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("participants", BigInteger, nullable=False),
    Column("cross_region_cases", Integer, nullable=False),
    Column("over_100m_cases", Integer, nullable=False),
    Column("over_1000_cases", Integer, nullable=False),
    Column("old_cases_closed", Integer, nullable=False),
    Column("closed_cases", Integer, nullable=False),
    Index("ix_case_month_fact_month", "month_start", "unit_code"),
    Index("ix_case_month_fact_unit", "unit_code"))

# Administrative actions per unit, 行业领域 and calendar month of 处置日期, one per action as
# admin_action_figures.sql counts them (chufei.statistics.cases.action_month_facts); rebuilt with each
# admin-action submission of the unit.
admin_action_month_fact = Table(
    "admin_action_month_fact", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("unit_code", String(16), nullable=False),
    Column("industry", Text),
    Column("month_start", Date, nullable=False),
    Column("filed_cases", Integer, nullable=False),
    Column("admin_actions", Integer, nullable=False),
    Index("ix_admin_action_month_fact_month", "month_start", "unit_code"),
    Index("ix_admin_action_month_fact_unit", "unit_code"))

# Which submissions' rows fall in each month (the 来源 of a package's manifest), per dataset and
# unit: cases filed or closed in the month, every current admin-action row dated in it.
month_source = Table(
    "month_source", metadata,
    Column("dataset", String(64), primary_key=True),
    Column("unit_code", String(16), primary_key=True),
    Column("month_start", Date, primary_key=True),
    Column("submission_id", Integer, primary_key=True),
    Index("ix_month_source_month", "dataset", "month_start"))
