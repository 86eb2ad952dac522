"""An operator backfills three missed months with the real scheduler — twice — and gets three packages.

Starts api-server (Execution API), scheduler and dag-processor (LocalExecutor, SQLite metadata,
temporary AIRFLOW_HOME, free port), creates the backfill through ``airflow backfill create`` and
waits for the runs. The second backfill (``--reprocess-behavior completed``) must replace the
packages with identical bytes and duplicate nothing, neither runs nor outbox folders nor rows.
"""

from __future__ import annotations

import hashlib
import json
import time

import pytest

from chufei.outbox.reports import latest_version
from tests.system.ops_stack import AirflowStack

pytestmark = pytest.mark.slow
DAG_ID = "case_statistics_monthly"
MONTHS = ["2020-01", "2020-02", "2020-03"]


def _tree(folder):
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _warehouse_counts(url: str) -> dict[str, int]:
    from sqlalchemy import text

    from chufei.warehouse.schema import engine_for

    with engine_for(url).connect() as connection:
        return {table: connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
                for table in ("received_file", "submission", "case_ledger_row", "case_current")}


def _backfill_runs(stack: AirflowStack, backfill_id: int) -> list[tuple]:
    return stack.query(
        "SELECT dr.run_id, dr.state FROM dag_run dr JOIN backfill_dag_run b ON b.dag_run_id = dr.id "
        "WHERE b.backfill_id = ? ORDER BY dr.logical_date", backfill_id)


def _create_backfill(stack: AirflowStack, *extra: str) -> int:
    before = {row[0] for row in stack.query("SELECT id FROM backfill")}
    result = stack.cli("backfill", "create", "--dag-id", DAG_ID, "--from-date", "2020-01-01",
                       "--to-date", "2020-03-31", *extra)
    assert result.returncode == 0, result.stdout + result.stderr
    (backfill_id,) = {row[0] for row in stack.query("SELECT id FROM backfill")} - before
    return backfill_id


def _create_backfill_api(stack: AirflowStack) -> int:
    """POST /api/v2/backfills with reprocess=completed. On SQLite metadata Airflow answers 503
    "Database is locked" when the scheduler writes at the same moment: like an operator, try again."""
    before = {row[0] for row in stack.query("SELECT id FROM backfill")}
    for attempt in range(6):
        response = stack.api("POST", "/backfills", json={
            "dag_id": DAG_ID, "from_date": "2020-01-01T00:00:00+08:00", "to_date": "2020-03-31T00:00:00+08:00",
            "reprocess_behavior": "completed", "max_active_runs": 3})
        if response.status_code == 200:
            return response.json()["id"]
        assert response.status_code == 503, response.text
        assert "locked" in response.text, response.text
        # The lock can hit after the backfill row was committed: like an operator, look before retrying.
        created = {row[0] for row in stack.query("SELECT id FROM backfill")} - before
        if created:
            assert len(created) == 1, f"one request created several backfills: {created}"
            return created.pop()
        time.sleep(2 + attempt)
    raise AssertionError(f"backfill creation refused six times: {response.text}")


def _wait_backfill_done(stack: AirflowStack, backfill_id: int, timeout: float) -> list[tuple]:
    def done():
        finished = stack.query("SELECT completed_at FROM backfill WHERE id = ?", backfill_id)
        runs = _backfill_runs(stack, backfill_id)
        states = [state for _, state in runs]
        if "failed" in states:
            raise AssertionError(f"a backfill run failed: {runs}\n" + stack.logs(80))
        return runs if finished and finished[0][0] and len(runs) == 3 and set(states) == {"success"} else None

    return stack.wait_for(f"backfill {backfill_id} to finish", done, timeout)


def test_backfill_three_months_twice_gives_three_packages_and_no_duplicates(airflow_db, tmp_path):
    from chufei.core.settings import DataDir
    from demo.generate import write_demo_inbox
    from chufei.ingest.submissions import ingest_submissions
    from chufei.warehouse.schema import engine_for

    data = DataDir(tmp_path / "data").ensure()
    warehouse = f"sqlite:///{tmp_path / 'warehouse.db'}"
    write_demo_inbox(data, year=2020, seed=7, unit_codes=["420704"], months=[1, 2, 3], faults=False)
    ingest_submissions(engine_for(warehouse), data)
    loaded = _warehouse_counts(warehouse)
    assert loaded["case_current"] > 0

    stack = AirflowStack(tmp_path / "airflow", airflow_db / "airflow.db", [DAG_ID], data.root,
                         extra_env={"AIRFLOW_CONN_CHUFEI_WAREHOUSE": warehouse,
                                    "AIRFLOW__CHUFEI__DEADLINE_HOURS": "6",
                                    # no scheduled run for the current month next to the backfill
                                    "AIRFLOW__CHUFEI__END_DATE": "2020-12-31"})
    started = time.monotonic()
    try:
        stack.start()
        stack.wait_for("the DAG to be parsed and serialized",
                       lambda: stack.query("SELECT 1 FROM serialized_dag WHERE dag_id = ?", DAG_ID), 90)
        # backfill runs of a paused DAG wait in the queue: the runbook says unpause first
        stack.wait_http()
        unpause = stack.api("PATCH", f"/dags/{DAG_ID}", json={"is_paused": False})
        assert unpause.status_code == 200, unpause.text

        first = _wait_backfill_done(stack, _create_backfill(stack, "--max-active-runs", "3"), 150)
        outbox = data.outbox / DAG_ID
        assert sorted(p.name for p in outbox.iterdir()) == MONTHS
        for month in MONTHS:
            manifest = json.loads((latest_version(outbox / month) / "manifest.json").read_text(encoding="utf-8"))
            assert f"{DAG_ID}_{month}.xlsx" in {entry["name"] for entry in manifest["files"]}
        packages = _tree(outbox)

        # the second one through the REST API (what the UI's Backfill dialog calls), re-running completed runs
        second = _wait_backfill_done(stack, _create_backfill_api(stack), 150)
    finally:
        stack.stop()

    # the same three runs were re-run, not new ones added
    assert [run_id for run_id, _ in second] == [run_id for run_id, _ in first]
    # (the metadata DB is a copy of the session's, which may hold earlier tests' manual runs)
    assert stack.query("SELECT COUNT(*) FROM dag_run WHERE dag_id = ? AND run_type != 'manual'", DAG_ID) == [(3,)]
    intervals = stack.query("SELECT data_interval_start, data_interval_end FROM dag_run "
                            "WHERE dag_id = ? AND run_type != 'manual' ORDER BY logical_date", DAG_ID)
    # each run's data interval is exactly its month, midnight to midnight in Asia/Shanghai (UTC+8)
    assert [(start[:16], end[:16]) for start, end in intervals] == [
        ("2019-12-31 16:00", "2020-01-31 16:00"), ("2020-01-31 16:00", "2020-02-29 16:00"),
        ("2020-02-29 16:00", "2020-03-31 16:00")]
    assert sorted(p.name for p in outbox.iterdir()) == MONTHS
    assert _tree(outbox) == packages  # replaced with identical bytes
    assert _warehouse_counts(warehouse) == loaded
    assert time.monotonic() - started < 300
