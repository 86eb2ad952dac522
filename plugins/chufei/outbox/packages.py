"""Every package of a reporting year, as the report DAGs build them (one call per DAG run).

``make demo`` runs the DAGs themselves; this is the same work as plain library calls, for tests
and scripts (e.g. checking that a year's outbox is reproducible byte for byte).
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

from chufei.core.settings import DataDir
from chufei.core.periods import Period, half_period, month_period, quarter_period, year_period

# dag_id → the kind of period its data interval covers (the DAG's timetable)
REPORT_DAGS = {
    "case_statistics_monthly": "month",
    "case_statistics_quarterly": "quarter",
    "case_statistics_annual": "year",
    "report_reward_quarterly": "quarter",
    "risk_ledger_rollup": "half",
    "warnings_actions_quarterly": "quarter",
    "situation_analysis": "half",
    "grid_monitoring_monthly": "month",
}


def intervals(kind: str, year: int) -> list[Period]:
    """The data intervals of ``kind`` in ``year``: the periods a DAG runs for."""
    if kind == "month":
        return [month_period(year, m) for m in range(1, 13)]
    if kind == "quarter":
        return [quarter_period(year, q) for q in range(1, 5)]
    if kind == "half":
        return [half_period(year, 1), half_period(year, 2)]
    return [year_period(year)]


def build_package(engine: Engine, data: DataDir, dag_id: str, interval: Period) -> dict:
    """What ``dag_id``'s build task does for the run whose data interval is ``interval``."""
    if dag_id.startswith("case_statistics_"):
        from chufei.outbox.case_reports import build_case_statistics_package

        return build_case_statistics_package(engine, data, interval, dag_id)
    if dag_id == "situation_analysis":
        from chufei.outbox.situation import analysis_period, build_situation_package

        return build_situation_package(engine, data, analysis_period(interval))
    from chufei.outbox.office_reports import build_office_package

    return build_office_package(engine, data, interval, dag_id)


def build_year_packages(engine: Engine, data: DataDir, year: int) -> list[dict]:
    return [build_package(engine, data, dag_id, interval)
            for dag_id, kind in REPORT_DAGS.items() for interval in intervals(kind, year)]
