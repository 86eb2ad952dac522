"""Where things live: the repository's reference files, the data directory, the warehouse.

The data directory comes from ``CHUFEI_DATA_DIR`` (default ``<repo>/data``). The warehouse is
the Airflow connection ``chufei_warehouse``; without one it is SQLite inside the data directory.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
INCLUDE_DIR = REPO_ROOT / "include"
SQL_DIR = INCLUDE_DIR / "sql"
EXPECTATIONS_DIR = INCLUDE_DIR / "expectations"
REFERENCE_DIR = INCLUDE_DIR / "reference"

WAREHOUSE_CONN_ID = "chufei_warehouse"
SOURCES = ("submissions", "grid_reports", "ad_screening")


@dataclass(frozen=True)
class DataDir:
    """The on-disk layout every DAG shares; see README "Data directory"."""

    root: Path

    def inbox(self, source: str) -> Path:
        return self.root / "inbox" / source

    @property
    def archive(self) -> Path:
        return self.root / "archive"

    @property
    def receipts(self) -> Path:
        return self.root / "receipts"

    @property
    def outbox(self) -> Path:
        return self.root / "outbox"

    def work(self, source: str) -> Path:
        """Files claimed by a running ingest; left-overs of a failed attempt are retried."""
        return self.root / "work" / source

    def ensure(self) -> DataDir:
        for path in [*(self.inbox(s) for s in SOURCES), *(self.work(s) for s in SOURCES),
                     self.archive, self.receipts, self.outbox]:
            path.mkdir(parents=True, exist_ok=True)
        return self


def data_dir() -> DataDir:
    return DataDir(Path(os.environ.get("CHUFEI_DATA_DIR") or REPO_ROOT / "data").resolve())


def warehouse_url() -> str:
    """The warehouse's SQLAlchemy URL: the ``chufei_warehouse`` connection, else SQLite in the data directory.

    The connection is read by Airflow (any form: URI or JSON in ``AIRFLOW_CONN_CHUFEI_WAREHOUSE``,
    the metadata database, a secrets backend); ``postgres://`` becomes ``postgresql+psycopg://``.
    """
    from chufei.core.connections import optional, sqlalchemy_url

    conn = optional(WAREHOUSE_CONN_ID)
    if conn is None:
        return f"sqlite:///{data_dir().root / 'warehouse.db'}"
    return sqlalchemy_url(conn)


@cache
def office() -> dict:
    """The city office's name and the signatories printed on every statistical form."""
    return json.loads((REFERENCE_DIR / "office.json").read_text(encoding="utf-8"))


@cache
def code_lists() -> dict[str, list[str]]:
    """Allowed values of coded columns (行业领域, 处置阶段, …), kept as reference data."""
    return json.loads((REFERENCE_DIR / "code_lists.json").read_text(encoding="utf-8"))


@cache
def early_warning_config() -> dict:
    """The early warning's reference data: matching thresholds, indicators, points, bands, version."""
    return json.loads((REFERENCE_DIR / "early_warning.json").read_text(encoding="utf-8"))


def chufei_option(name: str, default: str) -> str:
    """``[chufei] <name>`` from the environment (AIRFLOW__CHUFEI__<NAME>) or airflow.cfg."""
    import os

    value = os.environ.get(f"AIRFLOW__CHUFEI__{name.upper()}")
    if value is None:
        try:
            from airflow.configuration import conf

            value = conf.get("chufei", name, fallback=None)
        except Exception:  # noqa: BLE001 - outside Airflow: the default applies
            value = None
    return default if value in (None, "") else value
