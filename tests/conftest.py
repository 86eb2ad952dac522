"""Shared fixtures: one Airflow metadata DB per session, warehouses on SQLite and PostgreSQL.

Airflow reads its configuration when first imported, so the environment is set here, before
any test module imports it. PostgreSQL tests use a database created for this run and dropped
afterwards; under CI=true a missing server is an error, elsewhere a clear skip.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
_SESSION_HOME = Path(tempfile.mkdtemp(prefix="chufei-airflow-"))
os.environ.update({
    "AIRFLOW_HOME": str(_SESSION_HOME),
    "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
    "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{_SESSION_HOME / 'airflow.db'}",
    "GX_ANALYTICS_ENABLED": "False",
    "OPENPYXL_LXML": "False",  # see chufei/__init__.py: test modules import openpyxl before chufei
    "CHUFEI_DATA_DIR": str(_SESSION_HOME / "data"),
})
# dag.test() cannot finish a run of a DAG with a DeadlineAlert in Airflow 3.3.2 (see chufei.dagkit).
os.environ.setdefault("AIRFLOW__CHUFEI__DEADLINE_HOURS", "0")
# Tests write whole files and ingest them at once; the quiet period has tests of its own.
os.environ.setdefault("AIRFLOW__CHUFEI__INBOX_QUIET_SECONDS", "0")
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "plugins"), os.environ.get("PYTHONPATH")]))

PG_HOST, PG_PORT, PG_ADMIN_DB = "127.0.0.1", 5432, "test"
ON_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def airflow_db() -> Path:
    """Airflow's metadata database, migrated once for the whole session."""
    subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], check=True, env=os.environ.copy(),
                   stdout=subprocess.DEVNULL)
    return _SESSION_HOME


@pytest.fixture(scope="session")
def dagbag():
    """Every DAG in dags/, parsed once as the dag-processor does; parsing needs no metadata DB."""
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(REPO / "dags"))


def _pg_admin():
    import psycopg

    for user in ("postgres", "root"):
        try:
            return psycopg.connect(host=PG_HOST, port=PG_PORT, dbname=PG_ADMIN_DB, user=user,
                                   autocommit=True, connect_timeout=3), user
        except psycopg.OperationalError as error:
            last = error
    raise last


@pytest.fixture(scope="session")
def pg_server():
    """(admin connection, user) for the local PostgreSQL server; skip off CI when it is absent."""
    try:
        admin, user = _pg_admin()
    except Exception as error:  # noqa: BLE001
        if ON_CI:
            pytest.fail(f"PostgreSQL at {PG_HOST}:{PG_PORT} is required under CI=true: {error}")
        pytest.skip(f"PostgreSQL at {PG_HOST}:{PG_PORT} is not reachable ({error}); these tests run on CI")
    yield admin, user
    admin.close()


def _fresh_pg_database(pg_server):
    admin, user = pg_server
    name = f"chufei_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    yield f"postgresql+psycopg://{user}@{PG_HOST}:{PG_PORT}/{name}"
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_database(pg_server):
    """A fresh, uniquely named PostgreSQL database for one test; dropped afterwards."""
    yield from _fresh_pg_database(pg_server)


@pytest.fixture
def pg_other_database(pg_server):
    """A second fresh database for one test (two warehouses compared); dropped afterwards."""
    yield from _fresh_pg_database(pg_server)


@pytest.fixture(scope="module")
def pg_module_database(pg_server):
    """The same, shared by the tests of one module."""
    yield from _fresh_pg_database(pg_server)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def warehouse_url(request, tmp_path) -> str:
    """The warehouse under test: SQLite in a temp dir, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'warehouse.db'}"
    return request.getfixturevalue("pg_database")


@pytest.fixture
def engine(warehouse_url):
    from chufei.warehouse.schema import engine_for, ensure_schema

    engine = engine_for(warehouse_url)
    ensure_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def data(tmp_path, monkeypatch):
    """A fresh data directory, also exported as CHUFEI_DATA_DIR for code that reads the env."""
    from chufei.core.settings import DataDir

    root = tmp_path / "data"
    monkeypatch.setenv("CHUFEI_DATA_DIR", str(root))
    return DataDir(root).ensure()


@pytest.fixture
def airflow_env(airflow_db, data, warehouse_url, monkeypatch):
    """Airflow configured for a DAG run against this test's data directory and warehouse."""
    airflow_uri = warehouse_url.replace("postgresql+psycopg://", "postgresql://")
    monkeypatch.setenv("AIRFLOW_CONN_CHUFEI_WAREHOUSE", airflow_uri)
    return data
