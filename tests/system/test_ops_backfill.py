"""After the demo's runs, an operator's backfills agree with the scheduler.

Starts api-server (Execution API), scheduler and dag-processor (LocalExecutor, SQLite metadata,
temporary AIRFLOW_HOME, free port). The scheduler first catches up on 2020-01..2020-03 the way
``make demo`` has it do for the whole year (``demo.scheduler``). Then a backfill of those months
with the default reprocessing creates no run, and one with "reprocess completed" re-runs exactly
the three months, each over its own data interval, leaving every package at v1 byte for byte and
duplicating nothing, neither runs nor outbox folders nor rows. A run triggered by hand for
2020-02 is named after that period.
"""

from __future__ import annotations

import hashlib
import time
from datetime import datetime

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


def _submit_backfill(stack: AirflowStack, submit) -> int:
    """The id of the backfill ``submit()`` creates; ``submit`` returns None when accepted, else the
    refusal's text. On SQLite metadata a request may be refused "database is locked" when the
    scheduler writes at the same moment: like an operator, look whether it was created, else try
    again (docs/operations.md, backfill runbook)."""
    before = {row[0] for row in stack.query("SELECT id FROM backfill")}
    for attempt in range(6):
        refusal = submit()
        created = {row[0] for row in stack.query("SELECT id FROM backfill")} - before
        assert len(created) <= 1, f"one request created several backfills: {created}"
        if refusal is None:
            (backfill_id,) = created
            return backfill_id
        assert "locked" in refusal, refusal
        if created:  # the lock hit after the backfill row was committed
            backfill_id = created.pop()
            if stack.query("SELECT COUNT(*) FROM backfill_dag_run WHERE backfill_id = ?", backfill_id) != [(0,)]:
                return backfill_id
            # committed before any of its runs: an empty backfill, which the scheduler closes; then
            # submit again
            stack.wait_for(f"the empty backfill {backfill_id} to close", lambda b=backfill_id: stack.query(
                "SELECT completed_at FROM backfill WHERE id = ?", b)[0][0], 300)
            before.add(backfill_id)
        time.sleep(2 + attempt)
    raise AssertionError(f"backfill creation refused six times: {refusal}")


def _create_backfill(stack: AirflowStack, *extra: str) -> int:
    """``airflow backfill create`` for 2020-01..2020-03 (the CLI an operator types)."""
    def submit():
        result = stack.cli("backfill", "create", "--dag-id", DAG_ID, "--from-date", "2020-01-01",
                           "--to-date", "2020-03-31", *extra)
        return None if result.returncode == 0 else result.stdout + result.stderr

    return _submit_backfill(stack, submit)


def _create_backfill_api(stack: AirflowStack) -> int:
    """POST /api/v2/backfills with reprocess=completed (what the UI's Backfill dialog sends)."""
    def submit():
        response = stack.api("POST", "/backfills", json={
            "dag_id": DAG_ID, "from_date": "2020-01-01T00:00:00+08:00", "to_date": "2020-03-31T00:00:00+08:00",
            "reprocess_behavior": "completed", "max_active_runs": 3})
        if response.status_code == 200:
            return None
        assert response.status_code == 503, response.text
        return response.text

    return _submit_backfill(stack, submit)


def _wait_backfill_done(stack: AirflowStack, backfill_id: int, timeout: float) -> list[tuple]:
    def done():
        finished = stack.query("SELECT completed_at FROM backfill WHERE id = ?", backfill_id)
        runs = _backfill_runs(stack, backfill_id)
        states = [state for _, state in runs]
        if "failed" in states:
            raise AssertionError(f"a backfill run failed: {runs}\n" + stack.logs(80))
        return runs if finished and finished[0][0] and len(runs) == 3 and set(states) == {"success"} else None

    return stack.wait_for(f"backfill {backfill_id} to finish", done, timeout)


def _log_text(stack: AirflowStack, run_id: str, task_id: str) -> str:
    folder = stack.home / "logs" / f"dag_id={DAG_ID}" / f"run_id={run_id}" / f"task_id={task_id}"
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in sorted(folder.glob("attempt=*.log")))


def test_backfill_after_the_demo_runs_agrees_with_the_scheduler(airflow_db, tmp_path):
    """The demo's way (catch-up, then paused), then an operator's backfills of 2020-01..2020-03."""
    from chufei.core.settings import DataDir
    from demo.generate import write_demo_inbox
    from demo.scheduler import catchup_env
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
                                    # the demo's settings, on a quarter instead of the year
                                    **catchup_env(2020), "AIRFLOW__CHUFEI__END_DATE": "2020-03-31"})
    started = time.monotonic()
    try:
        stack.start()
        stack.wait_for("the DAG to be parsed and serialized",
                       lambda: stack.query("SELECT 1 FROM serialized_dag WHERE dag_id = ?", DAG_ID), 90)
        stack.wait_http()
        unpause = stack.api("PATCH", f"/dags/{DAG_ID}", json={"is_paused": False}, attempts=5)
        assert unpause.status_code == 200, unpause.text

        def scheduled_done():
            runs = stack.query("SELECT run_id, state, logical_date, data_interval_start, data_interval_end, "
                               "start_date, end_date FROM dag_run WHERE dag_id = ? AND run_type = 'scheduled' "
                               "ORDER BY logical_date", DAG_ID)
            if any(r[1] == "failed" for r in runs):
                raise AssertionError(f"a scheduled run failed: {runs}\n" + stack.logs(80))
            return runs if len(runs) == 3 and all(r[1] == "success" for r in runs) else None

        scheduled = stack.wait_for("the scheduler's catch-up runs", scheduled_done, 900)
        # as the timetable makes them: named by the period, logical date = the month's first day
        # (midnight in Asia/Shanghai, UTC+8), data interval = the month
        assert [r[0] for r in scheduled] == ["scheduled__2020-01", "scheduled__2020-02", "scheduled__2020-03"]
        assert [(r[2][:16], r[3][:16], r[4][:16]) for r in scheduled] == [
            ("2019-12-31 16:00", "2019-12-31 16:00", "2020-01-31 16:00"),
            ("2020-01-31 16:00", "2020-01-31 16:00", "2020-02-29 16:00"),
            ("2020-02-29 16:00", "2020-02-29 16:00", "2020-03-31 16:00")]
        for run in scheduled:  # real durations, not "since the logical date"
            seconds = (datetime.fromisoformat(run[6]) - datetime.fromisoformat(run[5])).total_seconds()
            assert 0 < seconds < 900, run
        # the task logs the UI shows were written, and say what happened in Chinese
        log = _log_text(stack, "scheduled__2020-01", "build_package")
        assert "case_statistics_monthly：2020-01 写入 v1（首次出具）" in log
        outbox = data.outbox / DAG_ID
        assert sorted(p.name for p in outbox.iterdir()) == MONTHS
        packages = _tree(outbox)
        # the demo pauses the DAG when done; an operator unpauses it to backfill
        assert stack.cli("dags", "pause", DAG_ID, attempts=5).returncode == 0
        assert stack.cli("dags", "unpause", DAG_ID, attempts=5).returncode == 0

        # default reprocessing: every month already ran, so nothing is created
        nothing = _create_backfill(stack)
        assert stack.query("SELECT dag_run_id, exception_reason FROM backfill_dag_run WHERE backfill_id = ? "
                           "ORDER BY logical_date", nothing) == [(None, "already exists")] * 3
        assert stack.query("SELECT COUNT(*) FROM dag_run WHERE dag_id = ? AND run_type != 'manual'",
                           DAG_ID) == [(3,)]
        # the scheduler closes it at once (one backfill per DAG at a time)
        stack.wait_for("the empty backfill to complete", lambda: stack.query(
            "SELECT completed_at FROM backfill WHERE id = ?", nothing)[0][0], 120)

        # "reprocess completed" (the REST API the UI's Backfill dialog calls): exactly the three months
        second = _wait_backfill_done(stack, _create_backfill_api(stack), 1500)

        # a run triggered by hand for a period is named after it in the runs list (paused first:
        # it only has to be created, not run)
        assert stack.cli("dags", "pause", DAG_ID, attempts=5).returncode == 0
        manual = stack.api("POST", f"/dags/{DAG_ID}/dagRuns", attempts=5,
                           json={"logical_date": None, "conf": {"period": "2020-02"}})
        assert manual.status_code == 200, manual.text
        assert manual.json()["dag_run_id"].startswith("manual__2020-02_"), manual.json()
        assert manual.json()["note"] == "报告期 2020-02（手动指定）"
        listed = stack.api("GET", f"/dags/{DAG_ID}/dagRuns", params={"run_type": "manual"}).json()["dag_runs"]
        assert manual.json()["dag_run_id"] in {run["dag_run_id"] for run in listed}  # (+ earlier tests' runs)
    finally:
        stack.stop()

    assert [run_id for run_id, _ in second] == ["scheduled__2020-01", "scheduled__2020-02", "scheduled__2020-03"]
    # (the metadata DB is a copy of the session's, which may hold earlier tests' manual runs)
    assert stack.query("SELECT COUNT(*) FROM dag_run WHERE dag_id = ? AND run_type != 'manual'", DAG_ID) == [(3,)]
    intervals = stack.query("SELECT data_interval_start, data_interval_end FROM dag_run "
                            "WHERE dag_id = ? AND run_type != 'manual' ORDER BY logical_date", DAG_ID)
    assert [(start[:16], end[:16]) for start, end in intervals] == [
        ("2019-12-31 16:00", "2020-01-31 16:00"), ("2020-01-31 16:00", "2020-02-29 16:00"),
        ("2020-02-29 16:00", "2020-03-31 16:00")]
    # each month's package stays at v1, byte for byte; nothing duplicated in the warehouse
    assert sorted(p.name for p in outbox.iterdir()) == MONTHS
    for month in MONTHS:
        assert latest_version(outbox / month).name == "v1"
        assert sorted(p.name for p in (outbox / month).iterdir() if p.is_dir()) == ["v1"]
    assert _tree(outbox) == packages
    assert _warehouse_counts(warehouse) == loaded
    assert "2020-01 v1 未变化，未写新版本" in _log_text(stack, "scheduled__2020-01", "build_package")
    assert time.monotonic() - started < 3000
