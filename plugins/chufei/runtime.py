"""What a task needs from its Airflow context, resolved in one place for every DAG."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from chufei.config import DataDir, data_dir, warehouse_url
from chufei.periods import Period, resolve_run_period
from chufei.warehouse import engine_for


def warehouse_engine() -> Engine:
    return engine_for(warehouse_url())


def data() -> DataDir:
    return data_dir().ensure()


def run_period(kind: str, context: dict) -> Period:
    """The period of the running DAG run: the ``period`` Param if set, else the data interval."""
    params = context.get("params") or {}
    return resolve_run_period(kind, params.get("period"), context.get("data_interval_start"),
                              context.get("data_interval_end"))
