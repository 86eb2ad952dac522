"""What a task needs from its Airflow context, resolved in one place for every DAG."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from chufei.core.settings import DataDir, data_dir, warehouse_url
from chufei.warehouse.engine import engine_for
from chufei.warehouse.upgrade import ensure_schema


def warehouse_engine() -> Engine:
    """The configured warehouse, upgraded to the newest revision.

    Every task reaches the warehouse through here, so the first task of a run that touches it
    upgrades it (a current warehouse costs one query; see ``chufei.warehouse.upgrade``).
    """
    engine = engine_for(warehouse_url())
    ensure_schema(engine)
    return engine


def data() -> DataDir:
    return data_dir().ensure()
