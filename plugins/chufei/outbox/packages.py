"""Every package of a reporting year, as the report DAGs build them (one call per DAG run).

``make demo`` runs the DAGs themselves; this is the same work as plain library calls, for tests
and scripts (e.g. checking that a year's outbox is reproducible byte for byte). The reports and
their builders are the registry's (``chufei.outbox.registry``).
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

from chufei.core.settings import DataDir
from chufei.core.periods import Period, half_period, month_period, quarter_period, year_period
from chufei.outbox.registry import REPORTS


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
    return REPORTS[dag_id].build(engine, data, interval)


def build_year_packages(engine: Engine, data: DataDir, year: int) -> list[dict]:
    return [build_package(engine, data, dag_id, interval)
            for dag_id, report in REPORTS.items() for interval in intervals(report.period_kind, year)]
