"""The demo's period runs, created by Airflow's own scheduler exactly as in production.

The period DAGs are parsed with catch-up on from ``[chufei] start_date`` to the end of the demo
year; once unpaused, the scheduler creates one run per period through ``PeriodTimetable`` —
logical date at the period's start, data interval = the period, run id ``scheduled__2020-06`` —
and LocalExecutor runs the tasks, so durations are real and every task log is in the log folder
the UI reads. When all runs have finished the DAGs are paused again: a later ``make airflow``
(which parses them without catch-up) starts nothing until an operator unpauses a DAG.

The api-server (Execution API for the tasks), scheduler and dag-processor run on the demo's
``AIRFLOW_HOME`` and metadata database, on free local ports, each in its own process group.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

from chufei.core.settings import REPO_ROOT

AIRFLOW = [sys.executable, "-m", "airflow"]
# [database] sql_alchemy_connect_args: on SQLite a process waits for a lock instead of failing.
SQLITE_CONNECT_ARGS = {"timeout": 60, "check_same_thread": False}
FINISHED = {"success", "failed"}


def _free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def use_wal(database: Path) -> None:
    """Put an SQLite metadata database in WAL mode (kept in the file): readers no longer block the
    scheduler's and the api-server's writes, which in the default rollback journal made a busy
    moment answer "database is locked"."""
    import sqlite3

    with closing(sqlite3.connect(database, timeout=60)) as connection:
        connection.execute("PRAGMA journal_mode=WAL")


def catchup_env(year: int) -> dict[str, str]:
    """The settings under which the period DAGs catch up on every period of ``year`` (and no later)."""
    return {"AIRFLOW__CHUFEI__CATCHUP": "True", "AIRFLOW__CHUFEI__START_DATE": f"{year}-01-01",
            "AIRFLOW__CHUFEI__END_DATE": f"{year}-12-31", "AIRFLOW__CHUFEI__MAX_ACTIVE_RUNS": "3"}


class Scheduler:
    """api-server + scheduler + dag-processor for the demo, stopped by their process ids."""

    def __init__(self, home: Path, extra_env: dict[str, str]) -> None:
        port = _free_port()
        self.home = home
        self.env = {
            **os.environ,
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__PARALLELISM": "4",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONNECT_ARGS": "demo.scheduler.SQLITE_CONNECT_ARGS",
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(port),
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
            "AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME": "0.5",
            # A task's supervisor that sees the task's sockets close before it can reap the process
            # sleeps until its next heartbeat check before it frees the worker: up to 5 s (the default)
            # after about a third of the tasks here. 1 s bounds that, for a heartbeat a second per
            # running task. (docs/benchmarks.md, P5)
            "AIRFLOW__WORKERS__MIN_HEARTBEAT_INTERVAL": "1",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(_free_port()),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(_free_port()),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT / "plugins"), str(REPO_ROOT),
                                                        os.environ.get("PYTHONPATH")])),
            **extra_env,
        }
        self.processes: dict[str, subprocess.Popen] = {}

    def __enter__(self) -> Scheduler:
        (self.home / "demo-logs").mkdir(parents=True, exist_ok=True)
        for name in ("api-server", "scheduler", "dag-processor"):
            log = (self.home / "demo-logs" / f"{name}.log").open("wb")
            self.processes[name] = subprocess.Popen([*AIRFLOW, name], env=self.env, cwd=self.home, stdout=log,
                                                    stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def __exit__(self, *exc) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

    def check_alive(self, what: str) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise SystemExit(f"airflow {name} exited with {process.returncode} while {what}; "
                                 f"see {self.home / 'demo-logs' / (name + '.log')}")


def _query(sql: str, **params) -> list:
    from sqlalchemy import text

    from airflow.utils.session import create_session

    with create_session() as session:
        return session.execute(text(sql), params).all()


def _set_paused(dag_ids: list[str], paused: bool) -> None:
    from sqlalchemy import bindparam, text

    from airflow.utils.session import create_session

    with create_session() as session:
        session.execute(text("UPDATE dag SET is_paused = :paused WHERE dag_id IN :ids").bindparams(
            bindparam("ids", expanding=True)), {"paused": paused, "ids": dag_ids})


def run_periods(expected: dict[str, int], year: int, timeout: float = 1800) -> dict[str, list[tuple]]:
    """Let the scheduler run every period of ``year`` of each DAG in ``expected`` (dag_id → number of
    periods); returns each DAG's runs (run_id, logical_date, state), or exits naming what failed."""
    from airflow.configuration import AIRFLOW_HOME

    from airflow.configuration import conf

    home = Path(AIRFLOW_HOME)
    dag_ids = sorted(expected)
    url = conf.get("database", "sql_alchemy_conn")
    if url.startswith("sqlite:///"):
        use_wal(Path(url.removeprefix("sqlite:///")))
    stack = Scheduler(home, catchup_env(year))
    # Serialize the DAGs with catch-up before the scheduler sees them (a metadata DB from an earlier
    # ``make airflow`` holds them without), so unpausing starts the demo year and nothing later.
    subprocess.run([*AIRFLOW, "dags", "reserialize"], env=stack.env, check=True, stdout=subprocess.DEVNULL)
    with stack:
        end = time.monotonic() + timeout
        _set_paused(dag_ids, False)
        try:
            shown = -1
            while True:
                stack.check_alive("running the period DAGs")
                runs = {d: [] for d in dag_ids}
                for dag_id, run_id, logical_date, state in _query(
                        "SELECT dag_id, run_id, logical_date, state FROM dag_run WHERE run_type = 'scheduled' "
                        "ORDER BY logical_date"):
                    if dag_id in runs:
                        runs[dag_id].append((run_id, logical_date, state))
                failed = [(d, r) for d, rs in runs.items() for r, _, s in rs if s == "failed"]
                if failed:
                    raise SystemExit(f"period runs failed: {failed}; task logs in {home / 'logs'}")
                done = sum(1 for rs in runs.values() for _, _, s in rs if s in FINISHED)
                if done != shown:
                    print(f"  scheduler: {done}/{sum(expected.values())} period runs finished", flush=True)
                    shown = done
                if all(len(runs[d]) >= n and all(s in FINISHED for _, _, s in runs[d]) for d, n in expected.items()):
                    return runs
                if time.monotonic() > end:
                    raise SystemExit(f"the period runs did not finish in {timeout:.0f}s: {runs}")
                time.sleep(2)
        finally:
            _set_paused(dag_ids, True)
