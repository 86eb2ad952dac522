"""A real, throw-away Airflow for integration tests: api-server, scheduler, dag-processor.

LocalExecutor, SQLite metadata (a copy of the session's migrated database), a temporary
AIRFLOW_HOME, free ports, a DAGs folder holding only the DAGs under test, logs kept for the
failure message. Every process is started in its own process group and stopped by its id.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

from demo.scheduler import use_wal

REPO = Path(__file__).resolve().parents[2]
AIRFLOW = [sys.executable, "-m", "airflow"]
# [database] sql_alchemy_connect_args for the stack: SQLite waits for a lock instead of failing.
SQLITE_CONNECT_ARGS = {"timeout": 60, "check_same_thread": False}


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class AirflowStack:
    def __init__(self, home: Path, session_db: Path, dag_ids: list[str], data_dir: Path,
                 extra_env: dict[str, str] | None = None) -> None:
        self.home = home
        self.dags = home / "dags"
        self.dags.mkdir(parents=True, exist_ok=True)
        for dag_id in dag_ids:
            shutil.copy(REPO / "dags" / f"{dag_id}.py", self.dags / f"{dag_id}.py")
        self.db = home / "airflow.db"
        shutil.copy(session_db, self.db)
        use_wal(self.db)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(self.dags),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__PARALLELISM": "2",
            "AIRFLOW__CORE__DEFAULT_TIMEZONE": "Asia/Shanghai",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.url}/execution/",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{self.db}",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONNECT_ARGS": "tests.system.ops_stack.SQLITE_CONNECT_ARGS",
            "AIRFLOW__API__PORT": str(self.port),
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__BASE_URL": self.url,
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__API_AUTH__JWT_SECRET": "chufei-integration-test-secret-0123456789",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(home / "passwords.json"),
            "AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME": "0.5",
            "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "True",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "30",
            "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
            "CHUFEI_DATA_DIR": str(data_dir),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO / "plugins"), str(REPO),
                                                        os.environ.get("PYTHONPATH")])),
            **(extra_env or {}),
        }
        (home / "passwords.json").write_text('{"admin": "admin"}', encoding="utf-8")
        self.processes: dict[str, subprocess.Popen] = {}

    def start(self, *components: str) -> AirflowStack:
        for name in components or ("api-server", "scheduler", "dag-processor"):
            log = (self.home / f"{name}.log").open("wb")
            self.processes[name] = subprocess.Popen([*AIRFLOW, name], env=self.env, cwd=self.home,
                                                    stdout=log, stderr=subprocess.STDOUT,
                                                    start_new_session=True)
        return self

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

    def logs(self, lines: int = 40) -> str:
        parts = []
        for name in self.processes:
            text = (self.home / f"{name}.log").read_text(encoding="utf-8", errors="replace").splitlines()
            parts.append(f"--- {name} (last {lines} lines) ---\n" + "\n".join(text[-lines:]))
        return "\n".join(parts)

    def cli(self, *args: str, timeout: float = 120, attempts: int = 1) -> subprocess.CompletedProcess:
        """Run an ``airflow`` command; idempotent ones may retry while SQLite says "database is locked"."""
        for attempt in range(attempts):
            result = subprocess.run([*AIRFLOW, *args], env=self.env, cwd=self.home, capture_output=True,
                                    text=True, timeout=timeout)
            if result.returncode == 0 or "database is locked" not in result.stderr + result.stdout:
                return result
            time.sleep(2 + attempt)
        return result

    def query(self, sql: str, *params) -> list[tuple]:
        # read-write open (a read-only one cannot always map a WAL database's index), reading only
        with closing(sqlite3.connect(self.db, timeout=30)) as connection:
            connection.execute("PRAGMA query_only=1")
            return connection.execute(sql, params).fetchall()

    def wait_for(self, what: str, check, timeout: float) -> object:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise AssertionError(f"{name} exited with {process.returncode} while waiting for {what}\n"
                                         + self.logs())
            try:
                result = check()
            except sqlite3.OperationalError:  # locked or not migrated yet: ask again
                result = None
            if result:
                return result
            time.sleep(1)
        raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}\n" + self.logs())

    def wait_http(self, path: str = "/api/v2/monitor/health", timeout: float = 90) -> None:
        import requests

        def up():
            try:
                return requests.get(self.url + path, timeout=3).status_code < 500
            except requests.RequestException:
                return False

        self.wait_for(f"the api-server at {self.url}", up, timeout)

    def token(self) -> str:
        """A JWT for the REST API, from the simple auth manager's admin login."""
        import requests

        response = requests.post(f"{self.url}/auth/token", json={"username": "admin", "password": "admin"},
                                 timeout=30)
        response.raise_for_status()
        return response.json()["access_token"]

    def api(self, method: str, path: str, attempts: int = 1, **kwargs):
        """A REST call; idempotent ones may retry while SQLite makes the api-server answer 503 "locked"."""
        import requests

        for attempt in range(attempts):
            headers = {"Authorization": f"Bearer {self.token()}"}
            response = requests.request(method, f"{self.url}/api/v2{path}", headers=headers, timeout=120,
                                        **kwargs)
            if response.status_code != 503 or "locked" not in response.text:
                return response
            time.sleep(2 + attempt)
        return response
