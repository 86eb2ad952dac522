"""The demo history in a warehouse without Airflow: the demo inbox and inflows written, then each
inbox ingested by the same functions the ingest DAGs call. For the backtest bench and its test."""

from __future__ import annotations

import os
from pathlib import Path


def build_demo_warehouse(root: Path, year: int = 2020, seed: int = 2020):
    """Write and ingest the demo year under ``root`` (its data directory); returns (engine, data)."""
    os.environ.setdefault("AIRFLOW__CHUFEI__INBOX_QUIET_SECONDS", "0")  # written whole, then read
    from chufei.core.settings import DataDir
    from chufei.ingest.ad_screening import ingest_ad_screening
    from chufei.ingest.grid import ingest_grid_files
    from chufei.ingest.submissions import ingest_submissions
    from chufei.warehouse.schema import engine_for, ensure_schema
    from demo.generate import write_demo_inbox
    from demo.inflows import write_demo_inflows

    data = DataDir(root).ensure()
    engine = engine_for(f"sqlite:///{root / 'warehouse.db'}")
    ensure_schema(engine)
    write_demo_inbox(data, year=year, seed=seed, other_kinds=True)
    write_demo_inflows(data, year=year, seed=seed)
    ingest_submissions(engine, data)
    ingest_grid_files(engine, data)
    ingest_ad_screening(engine, data)
    return engine, data
