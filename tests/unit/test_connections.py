"""The warehouse connection is read by Airflow: URI, JSON and a secrets backend give the same warehouse."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from chufei.core.connections import ConnectionUnreadable
from chufei.core.settings import warehouse_url

VAR = "AIRFLOW_CONN_CHUFEI_WAREHOUSE"
PASSWORD = "s@cret/1"  # characters a URI must escape
# What SQLAlchemy must be given, written out by hand: psycopg 3, the password escaped once.
EXPECTED_PG = "postgresql+psycopg://chufei:s%40cret%2F1@db.example.org:5433/warehouse?sslmode=require"
PG_URI = "postgres://chufei:s%40cret%2F1@db.example.org:5433/warehouse?sslmode=require"
PG_JSON = json.dumps({"conn_type": "postgres", "login": "chufei", "password": PASSWORD, "host": "db.example.org",
                      "port": 5433, "schema": "warehouse", "extra": {"sslmode": "require"}})


@pytest.mark.parametrize("value", [PG_URI, PG_URI.replace("postgres://", "postgresql://"), PG_JSON],
                         ids=["uri-postgres", "uri-postgresql", "json"])
def test_postgres_warehouse_from_uri_or_json(monkeypatch, value):
    monkeypatch.setenv(VAR, value)
    assert warehouse_url() == EXPECTED_PG


@pytest.mark.parametrize("form", ["sqlalchemy-uri", "airflow-uri", "json"])
def test_sqlite_warehouse_from_uri_or_json(monkeypatch, tmp_path, form):
    path = tmp_path / "city warehouse.db"
    value = {"sqlalchemy-uri": f"sqlite:///{path}",
             "airflow-uri": "sqlite://" + str(path).replace("/", "%2F").replace(" ", "%20"),
             "json": json.dumps({"conn_type": "sqlite", "host": str(path)})}[form]
    monkeypatch.setenv(VAR, value)
    assert warehouse_url() == "sqlite:///" + str(path)  # str(path) is absolute: four slashes


def test_without_a_connection_the_warehouse_is_sqlite_in_the_data_directory(monkeypatch, tmp_path):
    monkeypatch.delenv(VAR, raising=False)
    monkeypatch.setenv("CHUFEI_DATA_DIR", str(tmp_path / "data"))
    assert warehouse_url() == f"sqlite:///{tmp_path / 'data' / 'warehouse.db'}"


def test_the_password_is_masked_in_task_logs_in_either_spelling(monkeypatch):
    from airflow.sdk.log import redact

    monkeypatch.setenv(VAR, PG_JSON)
    url = warehouse_url()
    line = redact(f"warehouse {url}; password {PASSWORD}")
    assert "s%40cret%2F1" not in line
    assert PASSWORD not in line
    assert "db.example.org" in line  # only the secret is hidden


def test_a_malformed_variable_is_an_error_that_does_not_repeat_the_secret(monkeypatch):
    monkeypatch.setenv(VAR, PG_JSON[:-5])  # truncated JSON: never silently the SQLite default
    with pytest.raises(ConnectionUnreadable, match=VAR) as raised:
        warehouse_url()
    assert PASSWORD not in str(raised.value)


def test_a_connection_of_another_database_is_refused(monkeypatch):
    monkeypatch.setenv(VAR, "mysql://chufei@db.example.org/warehouse")
    with pytest.raises(ConnectionUnreadable, match="SQLite or PostgreSQL"):
        warehouse_url()


def test_a_secrets_backend_gives_the_same_warehouse(tmp_path):
    """Airflow reads its secrets backend once per process, so this runs in a fresh interpreter."""
    secrets = tmp_path / "connections.json"
    secrets.write_text(json.dumps({"chufei_warehouse": json.loads(PG_JSON)}), encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if key != VAR}
    env.update({"AIRFLOW__SECRETS__BACKEND": "airflow.secrets.local_filesystem.LocalFilesystemBackend",
                "AIRFLOW__SECRETS__BACKEND_KWARGS": json.dumps({"connections_file_path": str(secrets)})})
    plugins = Path(__file__).resolve().parents[2] / "plugins"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(plugins), env.get("PYTHONPATH")]))
    out = subprocess.run([sys.executable, "-c", "from chufei.core.settings import warehouse_url; "
                          "print(warehouse_url())"], env=env, check=True, capture_output=True, text=True)
    assert out.stdout.strip().splitlines()[-1] == EXPECTED_PG
