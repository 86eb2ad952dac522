"""The two inflow DAGs run for real (``dag.test()``) on SQLite and PostgreSQL."""

from __future__ import annotations

import json

from sqlalchemy import text

from chufei.kinds.ad_screening import write_screening
from demo.inflows import grid_rows, write_grid_csv
from chufei.warehouse.schema import engine_for
from tests.conftest import REPO
from tests.grid_platform import TOKEN, FakeGridPlatform, server_records
from tests.screening import COUNTS, advert


def _run(dag_id: str):
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(REPO / "dags" / f"{dag_id}.py"))
    run = bag.dags[dag_id].test()
    assert str(run.state) == "success", f"{dag_id} ended {run.state}"
    return {ti.task_id: str(ti.state) for ti in run.get_task_instances()}


def test_ingest_grid_reports_pulls_the_api_and_takes_exports(airflow_env, warehouse_url, monkeypatch):
    data = airflow_env
    write_grid_csv(data.inbox("grid_reports") / "export.csv", grid_rows(40, seed=7, prefix="EX"), "gbk")
    records = server_records()
    with FakeGridPlatform(records) as platform:
        host, port = platform.url.rsplit(":", 1)
        monkeypatch.setenv("AIRFLOW_CONN_GRID_PLATFORM", json.dumps({
            "conn_type": "http", "host": host, "port": int(port), "password": TOKEN,
            "extra": {"page_size": 10, "backoff_factor": 0.01}}))
        states = _run("ingest_grid_reports")
    assert states == {"pull_api": "success", "ingest_exports": "success"}
    engine = engine_for(warehouse_url)
    with engine.connect() as connection:
        from_api = connection.execute(text("SELECT count(*) FROM grid_clue_version WHERE source = 'api'")).scalar_one()
        from_file = connection.execute(text("SELECT count(*) FROM grid_clue_current WHERE clue_no LIKE 'EX%'")).scalar_one()
    assert from_api == len(records) - 1  # all but the one with a bad credit code
    assert from_file == 40
    engine.dispose()


def test_without_the_connection_the_api_pull_is_skipped(airflow_env, monkeypatch):
    monkeypatch.delenv("AIRFLOW_CONN_GRID_PLATFORM", raising=False)
    states = _run("ingest_grid_reports")
    assert states == {"pull_api": "skipped", "ingest_exports": "success"}


def test_ingest_ad_screening_loads_a_workbook(airflow_env, warehouse_url):
    data = airflow_env
    write_screening(data.inbox("ad_screening") / "华容区6月.xlsx", "华容区", "2020年6月", [advert(3), advert(4)], COUNTS)
    _run("ingest_ad_screening")
    engine = engine_for(warehouse_url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT count(*) FROM ad_screening_row")).scalar_one()
        staff = connection.execute(text("SELECT staff_deployed FROM ad_screening_summary")).scalar_one()
    assert (rows, staff) == (2, 12)
    engine.dispose()
