"""What a task needs from its Airflow context, resolved in one place for every DAG."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from chufei.core.settings import DataDir, data_dir, warehouse_url
from chufei.warehouse.schema import engine_for


def warehouse_engine() -> Engine:
    return engine_for(warehouse_url())


def data() -> DataDir:
    return data_dir().ensure()

