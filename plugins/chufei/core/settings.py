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
from urllib.parse import urlsplit

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


def _sqlalchemy_scheme(scheme: str) -> str:
    scheme = scheme.lower()
    if scheme in {"postgres", "postgresql", "postgresql+psycopg"}:
        return "postgresql+psycopg"
    return scheme


def sqlalchemy_url_from_airflow_uri(uri: str) -> str:
    """Turn an Airflow connection URI (``postgres://…``, ``sqlite:///…``) into a SQLAlchemy URL."""
    parts = urlsplit(uri)
    rest = uri[len(parts.scheme):]
    return _sqlalchemy_scheme(parts.scheme) + rest


def _url_from_airflow_connection() -> str | None:
    try:
        from airflow.sdk import BaseHook
    except ImportError:  # plain Python without Airflow: the default applies
        return None
    try:
        conn = BaseHook.get_connection(WAREHOUSE_CONN_ID)
    except Exception:  # noqa: BLE001 - "not defined" surfaces as several exception types
        return None
    if conn.conn_type == "sqlite":
        return f"sqlite:///{conn.host}"
    return sqlalchemy_url_from_airflow_uri(conn.get_uri())


def warehouse_url() -> str:
    """The warehouse's SQLAlchemy URL: the ``chufei_warehouse`` connection, else SQLite."""
    env_value = os.environ.get("AIRFLOW_CONN_" + WAREHOUSE_CONN_ID.upper())
    if env_value:
        if env_value.lstrip().startswith("{"):
            spec = json.loads(env_value)
            if spec.get("conn_type") == "sqlite":
                return f"sqlite:///{spec['host']}"
            user = spec.get("login") or ""
            password = f":{spec['password']}" if spec.get("password") else ""
            auth = f"{user}{password}@" if user else ""
            port = f":{spec['port']}" if spec.get("port") else ""
            return (f"{_sqlalchemy_scheme(spec['conn_type'])}://{auth}{spec.get('host', '')}"
                    f"{port}/{spec.get('schema', '')}")
        return sqlalchemy_url_from_airflow_uri(env_value)
    return _url_from_airflow_connection() or f"sqlite:///{data_dir().root / 'warehouse.db'}"


@cache
def office() -> dict:
    """The city office's name and the signatories printed on every statistical form."""
    return json.loads((REFERENCE_DIR / "office.json").read_text(encoding="utf-8"))


@cache
def code_lists() -> dict[str, list[str]]:
    """Allowed values of coded columns (行业领域, 处置阶段, …), kept as reference data."""
    return json.loads((REFERENCE_DIR / "code_lists.json").read_text(encoding="utf-8"))


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
