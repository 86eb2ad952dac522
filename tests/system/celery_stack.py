"""The compose stack's roles as real local processes: api-server, scheduler, dag-processor, Celery workers.

Airflow runs with the CeleryExecutor, its metadata in a fresh PostgreSQL database, Redis as the
broker (a dedicated db number and a queue of its own, so nothing else on the server is touched),
a temporary AIRFLOW_HOME and free ports. Everything is stopped and the databases dropped by
``close()``. Used by tests/system/test_celery_stack.py.
"""

from __future__ import annotations

import json
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import requests
import contextlib

REPO = Path(__file__).resolve().parents[2]
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
TERMINAL = {"success", "failed"}


class StackError(AssertionError):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_client(db: int = 0):
    import redis

    return redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=db, socket_connect_timeout=3)


def pick_redis_db() -> int:
    """A Redis db number nobody uses right now (1–15, never 0, the default everyone shares)."""
    numbers = list(range(1, 16))
    random.shuffle(numbers)
    for number in numbers:
        if redis_client(number).dbsize() == 0:
            return number
    return numbers[0]  # all busy: the queue of our own still keeps tasks apart


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log: Path

    def tail(self, lines: int = 60) -> str:
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace").splitlines()
        except FileNotFoundError:
            return ""
        return "\n".join(text[-lines:])


@dataclass
class CeleryStack:
    root: Path
    pg_admin: object  # psycopg connection to the admin database, autocommit
    pg_user: str
    processes: list[Process] = field(default_factory=list)

    def __post_init__(self) -> None:
        token = uuid.uuid4().hex[:10]
        self.metadata_db = f"chufei_af_{token}"
        self.warehouse_db = f"chufei_wh_{token}"
        for name in (self.metadata_db, self.warehouse_db):
            self.pg_admin.execute(f'CREATE DATABASE "{name}"')
        self.redis_db = pick_redis_db()
        self.queue = f"chufei_{token}"
        self.port = free_port()
        self.home = self.root / "airflow"
        self.data_dir = self.root / "data"
        self.home.mkdir(parents=True)
        from cryptography.fernet import Fernet

        pg = f"{self.pg_user}@127.0.0.1:5432"
        self.metadata_url = f"postgresql+psycopg://{pg}/{self.metadata_db}"
        self.warehouse_url = f"postgresql+psycopg://{pg}/{self.warehouse_db}"
        inherited = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "CHUFEI_"))}
        self.env = inherited | {
            "AIRFLOW_HOME": str(self.home),
            "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
            "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
            "AIRFLOW__CORE__DEFAULT_TIMEZONE": "Asia/Shanghai",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "AIRFLOW__CORE__PARALLELISM": "8",
            # Period DAGs run one period at a time by default; the concurrency test lets four overlap.
            "AIRFLOW__CHUFEI__MAX_ACTIVE_RUNS": "4",
            # The tests write each inbox file whole before they trigger: no upload quiet period to wait out.
            "AIRFLOW__CHUFEI__INBOX_QUIET_SECONDS": "0",
            "AIRFLOW__CORE__FERNET_KEY": Fernet.generate_key().decode(),
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{self.port}/execution/",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": self.metadata_url,
            # psycopg 3 serves the async engine too (Airflow would otherwise want asyncpg).
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC": self.metadata_url,
            "AIRFLOW__CELERY__BROKER_URL": f"redis://{REDIS_HOST}:{REDIS_PORT}/{self.redis_db}",
            "AIRFLOW__CELERY__RESULT_BACKEND": f"db+postgresql+psycopg://{pg}/{self.metadata_db}",
            "AIRFLOW__CELERY__WORKER_CONCURRENCY": "2",
            "AIRFLOW__OPERATORS__DEFAULT_QUEUE": self.queue,
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(self.port),
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(24),
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(24),
            "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            "CHUFEI_DATA_DIR": str(self.data_dir),
            "AIRFLOW_CONN_CHUFEI_WAREHOUSE": self.warehouse_url.replace("postgresql+psycopg://", "postgresql://"),
            "GX_ANALYTICS_ENABLED": "False",
            "PYTHONPATH": os.pathsep.join([str(REPO / "plugins"), str(REPO)]),
        }

    # ---- processes -------------------------------------------------------------------------
    def airflow(self, *args: str, timeout: float = 180) -> str:
        done = subprocess.run([sys.executable, "-m", "airflow", *args], env=self.env, cwd=self.root,
                              capture_output=True, text=True, timeout=timeout)
        if done.returncode:
            raise StackError(f"airflow {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        return done.stdout

    def start(self, name: str, *args: str) -> Process:
        log = self.root / f"{name}.log"
        handle = log.open("wb")
        popen = subprocess.Popen([sys.executable, "-m", "airflow", *args], env=self.env, cwd=self.root,
                                 stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)
        handle.close()
        process = Process(name, popen, log)
        self.processes.append(process)
        return process

    def start_worker(self, name: str) -> Process:
        return self.start(name, "celery", "worker", "--queues", self.queue, "--concurrency", "2",
                          "--celery-hostname", f"{name}@%h", "--skip-serve-logs", "--without-mingle",
                          "--without-gossip")

    def up(self, workers: int = 1, timeout: float = 240) -> None:
        """Migrate the metadata DB, then start the roles and wait until they answer."""
        deadline = time.monotonic() + timeout
        self.airflow("db", "migrate", timeout=timeout)
        # As in docker-compose.yaml: workers start once the Execution API answers (else the first
        # tasks fail to reach it and wait minutes for their retry).
        self.start("api-server", "api-server", "--host", "127.0.0.1", "--port", str(self.port))
        self.wait(lambda: self._api_up(), deadline, "the api-server to answer")
        for number in range(1, workers + 1):
            self.start_worker(f"worker{number}")
        self.wait(lambda: self.workers_ready() >= workers, deadline, f"{workers} Celery worker(s) to be ready")
        self.start("dag-processor", "dag-processor")
        self.start("scheduler", "scheduler")

    def _api_up(self) -> bool:
        try:
            return requests.get(f"http://127.0.0.1:{self.port}/api/v2/version", timeout=2).status_code < 500
        except requests.RequestException:
            return False

    def workers_ready(self) -> int:
        return sum("ready." in p.tail(400) for p in self.processes if p.name.startswith("worker"))

    def check_alive(self) -> None:
        for process in self.processes:
            if process.popen.poll() is not None:
                raise StackError(f"{process.name} exited with {process.popen.returncode}:\n{process.tail()}")

    def wait(self, condition, deadline: float, what: str, every: float = 1.0):
        while time.monotonic() < deadline:
            self.check_alive()
            value = condition()
            if value:
                return value
            time.sleep(every)
        raise StackError(f"timed out waiting for {what}\n" + self.logs())

    def logs(self, lines: int = 40) -> str:
        return "\n".join(f"----- {p.name} -----\n{p.tail(lines)}" for p in self.processes)

    # ---- metadata database -----------------------------------------------------------------
    def query(self, sql: str, *params) -> list[tuple]:
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=5432, user=self.pg_user, dbname=self.metadata_db) as conn:
            return conn.execute(sql, params).fetchall()

    def wait_for_dags(self, dag_ids: list[str], deadline: float) -> None:
        def parsed() -> bool:
            try:
                rows = self.query("SELECT d.dag_id FROM dag d JOIN serialized_dag s ON s.dag_id = d.dag_id "
                                  "WHERE d.dag_id = ANY(%s) AND NOT d.is_paused AND NOT d.is_stale", dag_ids)
            except Exception:  # noqa: BLE001 - tables appear with the first parse
                return False
            return {row[0] for row in rows} == set(dag_ids)

        self.wait(parsed, deadline, f"the dag-processor to parse {dag_ids}")

    def trigger(self, dag_id: str, run_id: str, conf: dict | None = None) -> None:
        """Create a run through the REST API, as an operator's script would: at once, where the CLI
        takes seconds to import Airflow (long enough for a short run to have ended meanwhile)."""
        base = f"http://127.0.0.1:{self.port}"
        token = requests.get(f"{base}/auth/token", timeout=30).json()["access_token"]  # all-admins mode
        answer = requests.post(f"{base}/api/v2/dags/{dag_id}/dagRuns", timeout=60,
                               headers={"Authorization": f"Bearer {token}"},
                               json={"dag_run_id": run_id, "logical_date": None, "conf": conf or {}})
        if answer.status_code >= 300:
            raise StackError(f"triggering {dag_id}/{run_id} failed: {answer.status_code} {answer.text[:2000]}")

    def trigger_many(self, runs: list[tuple[str, str, dict | None]]) -> None:
        """Trigger several runs so that the scheduler finds them queued together.

        Each CLI trigger takes seconds to start; unpaused, the first runs could finish before the
        last one exists. So the DAGs are paused while the runs are created and unpaused after.
        """
        dag_ids = sorted({dag_id for dag_id, _, _ in runs})
        for dag_id in dag_ids:
            self.airflow("dags", "pause", dag_id)
        try:
            self._trigger_together(runs)
        finally:
            for dag_id in dag_ids:
                self.airflow("dags", "unpause", dag_id)

    def _trigger_together(self, runs: list[tuple[str, str, dict | None]]) -> None:
        pending = []
        for dag_id, run_id, conf in runs:
            args = [sys.executable, "-m", "airflow", "dags", "trigger", dag_id, "--run-id", run_id]
            if conf:
                args += ["--conf", json.dumps(conf)]
            pending.append(subprocess.Popen(args, env=self.env, cwd=self.root, stdout=subprocess.PIPE,
                                            stderr=subprocess.STDOUT, text=True))
        for process in pending:
            out, _ = process.communicate(timeout=180)
            if process.returncode:
                raise StackError(f"trigger failed: {process.args}\n{out[-3000:]}")

    def spans(self, runs: list[tuple[str, str]]) -> list[tuple]:
        """(start, end) of every task of these runs, to see which of them overlapped."""
        spans = []
        for dag_id, run_id in runs:
            spans += self.query("SELECT start_date, end_date FROM task_instance WHERE dag_id = %s AND run_id = %s",
                                dag_id, run_id)
        return spans

    def task_instances(self, dag_id: str, run_id: str) -> list[dict]:
        rows = self.query("SELECT task_id, state, try_number, queue, external_executor_id, hostname "
                          "FROM task_instance WHERE dag_id = %s AND run_id = %s ORDER BY task_id", dag_id, run_id)
        keys = ("task_id", "state", "try_number", "queue", "external_executor_id", "hostname")
        return [dict(zip(keys, row, strict=False)) for row in rows]

    def wait_for_runs(self, runs: list[tuple[str, str]], deadline: float) -> dict[tuple[str, str], str]:
        """Wait until every (dag_id, run_id) ends; a task failing or retrying fails at once with its log."""
        def finished():
            self.check_no_failed_tasks()
            states = {}
            for dag_id, run_id in runs:
                rows = self.query("SELECT state FROM dag_run WHERE dag_id = %s AND run_id = %s", dag_id, run_id)
                if not rows or rows[0][0] not in TERMINAL:
                    return None
                states[(dag_id, run_id)] = rows[0][0]
            return states

        return self.wait(finished, deadline, f"runs {runs} to finish", every=2.0)

    def check_no_failed_tasks(self) -> None:
        """Fail at once, with the task's log, when any task of any run fails or waits for a retry."""
        for dag_id, run_id, task_id, state in self.query(
                "SELECT dag_id, run_id, task_id, state FROM task_instance "
                "WHERE state IN ('failed', 'up_for_retry', 'upstream_failed')"):
            raise StackError(f"{dag_id}/{run_id}/{task_id} {state}:\n{self.task_log(dag_id, run_id, task_id)}\n"
                             f"{self.logs()}")

    def wait_for_all_runs(self, dag_id: str, deadline: float) -> None:
        """Wait until no run of ``dag_id`` (scheduled ones included) is still queued or running."""
        def idle() -> bool:
            self.check_no_failed_tasks()
            return not self.query("SELECT 1 FROM dag_run WHERE dag_id = %s AND state NOT IN ('success', 'failed')",
                                  dag_id)

        self.wait(idle, deadline, f"every run of {dag_id}", every=2.0)

    def task_log(self, dag_id: str, run_id: str, task_id: str) -> str:
        folder = self.home / "logs" / f"dag_id={dag_id}" / f"run_id={run_id}" / f"task_id={task_id}"
        return "\n".join(path.read_text(encoding="utf-8", errors="replace")[-4000:]
                         for path in sorted(folder.rglob("*.log")))

    def worker_that_ran(self, celery_task_id: str) -> str | None:
        """The name of the worker process whose log shows it received this Celery task."""
        for process in self.processes:
            if process.name.startswith("worker"):
                text = process.log.read_text(encoding="utf-8", errors="replace")
                if any(celery_task_id in line and "received" in line for line in text.splitlines()):
                    return process.name
        return None

    # ---- teardown --------------------------------------------------------------------------
    def stop(self, process: Process, timeout: float = 30) -> None:
        if process.popen.poll() is None:
            try:
                os.killpg(process.popen.pid, signal.SIGTERM)
                process.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.popen.pid, signal.SIGKILL)
                process.popen.wait(10)
            except ProcessLookupError:
                pass
        # Children the role started in its own process group (task runners) go with it.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.popen.pid, signal.SIGKILL)

    def close(self) -> None:
        for process in self.processes:  # all at once: warm shutdowns run in parallel
            if process.popen.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.popen.pid, signal.SIGTERM)
        for process in reversed(self.processes):
            self.stop(process, timeout=15)
        try:
            client = redis_client(self.redis_db)
            for key in client.scan_iter(match="*"):
                name = key.decode(errors="replace")
                if self.queue in name:
                    client.delete(key)
                elif name.startswith("_kombu.binding."):
                    for member in client.smembers(key):
                        if self.queue.encode() in member:
                            client.srem(key, member)
        except Exception:  # noqa: BLE001 - best effort: the queue name is unique anyway
            pass
        for name in (self.metadata_db, self.warehouse_db):
            self.pg_admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
