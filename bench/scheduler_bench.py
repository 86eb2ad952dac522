"""P5, the scheduler bench: back-fill the twelve months of 2020 of ``case_statistics_monthly``
through Airflow's real scheduler (LocalExecutor, SQLite metadata in WAL mode, api-server for the
Execution API, dag-processor), the way an operator's ``airflow backfill create`` runs them.

Untimed set-up, in a fresh ``bench-out/p5/``: the metadata database (``airflow db migrate``), a
SQLite warehouse loaded with the demo's case ledgers of 2020 (every unit, ``demo.generate``), and
one request to each of the api-server's apps (a production api-server is long warm; a fresh one
spends seconds on its first request). Timed: from the backfill's creation for 2020-01-01 to
2020-12-31 (``POST /api/v2/backfills`` as the UI's Backfill dialog sends it, logged in beforehand;
``--via cli`` for ``airflow backfill create``) until the twelve runs have succeeded (the wall time), and each task's
duration as Airflow records it (``task_instance.duration``: the task process's run, start-up and
imports included). Also shown: how long the command took, when the first run started, when
Airflow marked the backfill complete (its scheduler checks every 30 s), the CPU seconds of each
part of the stack and of the whole machine meanwhile, how long a task's worker stays busy after the
task ended, and how long a DAG file parse takes in a fresh interpreter.

Targets (issue figures from a quiet 2-core machine: 22.4 s, ``build_package`` 3.22 s a task):
the twelve months in 12 s or less, ``build_package`` 1 s or less a task, each the median of
``--repeats`` back-fills (default 3, each on a fresh stack). Every run's figures and the target
lines go under ``scheduler`` in bench-out/results.json.

    PYTHONPATH=plugins:. .venv/bin/python bench/scheduler_bench.py [--max-active-runs 4] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from contextlib import closing
from datetime import datetime, UTC
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "plugins"), str(REPO)]

OUT = REPO / "bench-out" / "p5"
DAG_ID = "case_statistics_monthly"
MONTHS = 12
TARGET_WALL_SECONDS = 12.0
TARGET_BUILD_SECONDS = 1.0


def _query(db: Path, sql: str, *params) -> list[tuple]:
    with closing(sqlite3.connect(db, timeout=30)) as connection:
        connection.execute("PRAGMA query_only=1")
        return connection.execute(sql, params).fetchall()


def _wait(what: str, check, stack, timeout: float, interval: float = 0.2):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        stack.check_alive(f"waiting for {what}")
        try:
            if result := check():
                return result
        except sqlite3.OperationalError:  # locked for a moment, or not there yet: ask again
            pass
        time.sleep(interval)
    raise SystemExit(f"timed out after {timeout:.0f}s waiting for {what}; logs in {OUT / 'airflow' / 'demo-logs'}")


def _prepare(home: Path, data_root: Path, warehouse: str) -> None:
    from chufei.core.settings import DataDir
    from chufei.ingest.submissions import ingest_submissions
    from chufei.warehouse.schema import engine_for
    from demo.generate import write_demo_inbox

    os.environ["AIRFLOW__CHUFEI__INBOX_QUIET_SECONDS"] = "0"  # the files were just written, and are complete
    data = DataDir(data_root).ensure()
    write_demo_inbox(data, year=2020, seed=7, faults=False)
    summary = ingest_submissions(engine_for(warehouse), data)
    if not summary.files:
        raise SystemExit("the demo's case ledgers were not ingested")
    (home / "dags").mkdir(parents=True)
    shutil.copy(REPO / "dags" / f"{DAG_ID}.py", home / "dags")


def _set_paused(db: Path, paused: bool) -> None:
    with closing(sqlite3.connect(db, timeout=60)) as connection, connection:
        connection.execute("UPDATE dag SET is_paused = ? WHERE dag_id = ?", (int(paused), DAG_ID))


def _create_backfill(stack, db: Path, max_active_runs: int) -> int:
    """``airflow backfill create`` for 2020; SQLite may refuse it "database is locked" while the
    scheduler writes (the backfill runbook in docs/operations.md): look whether it was created
    with its runs, else close an empty one and try again."""
    from demo.scheduler import AIRFLOW

    for attempt in range(6):
        result = subprocess.run([*AIRFLOW, "backfill", "create", "--dag-id", DAG_ID, "--from-date", "2020-01-01",
                                 "--to-date", "2020-12-31", "--max-active-runs", str(max_active_runs)],
                                env=stack.env, capture_output=True, text=True)
        created = _query(db, "SELECT id, completed_at FROM backfill ORDER BY id DESC LIMIT 1")
        if result.returncode == 0:
            return created[0][0]
        if "locked" not in result.stdout + result.stderr:
            raise SystemExit(f"backfill create failed: {result.stdout}{result.stderr}")
        if created:
            backfill_id = created[0][0]
            if _query(db, "SELECT COUNT(*) FROM backfill_dag_run WHERE backfill_id = ?", backfill_id)[0][0]:
                return backfill_id
            _wait("the empty backfill to close", lambda b=backfill_id: _query(
                db, "SELECT completed_at FROM backfill WHERE id = ?", b)[0][0], stack, 300, 1)
        print(f"  backfill create refused (database is locked), attempt {attempt + 1}; again", flush=True)
        time.sleep(1 + attempt)
    raise SystemExit("backfill create refused six times: database is locked")


def _api_token(stack, home: Path) -> str:
    """An operator's session with the api-server (SimpleAuthManager's generated admin password): a
    user who opens the UI's Backfill dialog is logged in long before, so this stays off the clock."""
    import json
    from urllib.request import Request, urlopen

    password = json.loads((home / "simple_auth_manager_passwords.json.generated").read_text())["admin"]
    request = Request(f"http://127.0.0.1:{stack.env['AIRFLOW__API__PORT']}/auth/token", method="POST",
                      data=json.dumps({"username": "admin", "password": password}).encode(),
                      headers={"Content-Type": "application/json"})
    with urlopen(request, timeout=60) as response:
        return json.loads(response.read())["access_token"]


def _create_backfill_api(stack, db: Path, token: str, max_active_runs: int) -> int:
    """``POST /api/v2/backfills``, what the UI's Backfill dialog sends. SQLite may refuse it the same
    way as the CLI (HTTP 503 "Database is locked"): then as in ``_create_backfill``."""
    import json
    from urllib.error import HTTPError
    from urllib.request import Request, urlopen

    body = json.dumps({"dag_id": DAG_ID, "from_date": "2020-01-01T00:00:00+08:00",
                       "to_date": "2020-12-31T00:00:00+08:00", "max_active_runs": max_active_runs}).encode()
    for attempt in range(6):
        request = Request(f"http://127.0.0.1:{stack.env['AIRFLOW__API__PORT']}/api/v2/backfills", data=body,
                          method="POST", headers={"Content-Type": "application/json",
                                                  "Authorization": f"Bearer {token}"})
        try:
            with urlopen(request, timeout=120) as response:
                return json.loads(response.read())["id"]
        except HTTPError as error:
            detail = error.read().decode(errors="replace")
            if error.code != 503 or "locked" not in detail.lower():
                raise SystemExit(f"POST /api/v2/backfills failed: {error.code} {detail}") from None
        created = _query(db, "SELECT id FROM backfill ORDER BY id DESC LIMIT 1")
        if created and _query(db, "SELECT COUNT(*) FROM backfill_dag_run WHERE backfill_id = ?", created[0][0])[0][0]:
            return created[0][0]
        print(f"  backfill refused (database is locked), attempt {attempt + 1}; again", flush=True)
        time.sleep(1 + attempt)
    raise SystemExit("POST /api/v2/backfills refused six times: database is locked")


def _parse_seconds(env: dict) -> float:
    """The DAG file parsed as a task process does before it runs: Airflow's task runner already
    imported (the process is forked from a LocalExecutor worker), the file and chufei's part not."""
    code = ("import time, runpy; import airflow.sdk.execution_time.task_runner; t = time.perf_counter(); "
            f"runpy.run_path({str(REPO / 'dags' / (DAG_ID + '.py'))!r}); print(time.perf_counter() - t)")
    return float(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                                check=True).stdout.split()[-1])


def _cpu_seconds(stack) -> dict[str, float]:
    """CPU seconds (user + system) used so far by each part of the stack, from /proc: a process's own
    time plus that of its children it has reaped. A LocalExecutor worker's own time is its task
    supervisor's; its reaped children are the task processes."""
    tick = os.sysconf("SC_CLK_TCK")
    sessions = {process.pid: name for name, process in stack.processes.items()}  # each its own session
    totals: dict[str, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # gone meanwhile
            continue
        component = sessions.get(int(fields[3]))
        if component is None:
            continue
        own, children = (int(fields[11]) + int(fields[12])) / tick, (int(fields[13]) + int(fields[14])) / tick
        if "LocalExecutor" in title:
            parts = {"executor workers (task supervisors)": own, "task processes": children}
        else:
            parts = {component: own + children}
        for part, seconds in parts.items():
            totals[part] = totals.get(part, 0.0) + seconds
    return totals


def _machine_busy_seconds() -> float:
    """CPU seconds the whole machine spent busy so far (every process, this bench's and others')."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _worker_release_seconds(home: Path, db: Path, backfill_id: int) -> list[float]:
    """For each task: from its end (the state it reported) until its LocalExecutor worker is free for
    the next task (the supervisor's "Workload finished" line in the scheduler's log)."""
    import re

    ends = {ti_id.replace("-", ""): datetime.fromisoformat(end).replace(tzinfo=UTC) for ti_id, end in _query(
        db, "SELECT ti.id, ti.end_date FROM task_instance ti JOIN dag_run dr ON dr.run_id = ti.run_id AND "
            "dr.dag_id = ti.dag_id JOIN backfill_dag_run b ON b.dag_run_id = dr.id WHERE b.backfill_id = ?",
        backfill_id)}
    lags = []
    for line in (home / "demo-logs" / "scheduler.log").read_text(errors="replace").splitlines():
        if "Workload finished" in line and (found := re.search(r"workload_id=(\S+)", line)):
            end = ends.get(found.group(1).replace("-", ""))
            if end is not None:
                lags.append((datetime.fromisoformat(line.split()[0].replace("Z", "+00:00")) - end).total_seconds())
    return lags


def _warm_up(stack) -> None:
    """One request to each API app before the clock starts: an api-server in production has answered
    requests long before a backfill, while a fresh one sets up on its first (seconds, here)."""
    from urllib.request import urlopen

    def answers(url: str) -> bool:
        try:
            with urlopen(url, timeout=30) as response:
                return response.status == 200
        except OSError:  # not listening yet
            return False

    base = f"http://127.0.0.1:{stack.env['AIRFLOW__API__PORT']}"
    for path in ("/execution/health", "/api/v2/monitor/health"):
        _wait(f"the api-server ({path})", lambda p=path: answers(base + p), stack, 120, 1)


def _scheduling_gaps(db: Path, backfill_id: int) -> dict:
    """Where a run's time goes besides its tasks: the scheduler loop between one task's end and the
    next one's queueing, the executor between queueing and start, and sensor reschedules."""
    def moment(text: str) -> datetime:
        return datetime.fromisoformat(text)

    spans, in_tasks, queued, started = [], [], [], []
    for run_id, start, end in _query(db, "SELECT dr.run_id, dr.start_date, dr.end_date FROM dag_run dr JOIN "
                                         "backfill_dag_run b ON b.dag_run_id = dr.id WHERE b.backfill_id = ?",
                                     backfill_id):
        tasks = _query(db, "SELECT queued_dttm, start_date, end_date, duration FROM task_instance "
                           "WHERE dag_id = ? AND run_id = ? ORDER BY start_date", DAG_ID, run_id)
        spans.append((moment(end) - moment(start)).total_seconds())
        in_tasks.append(sum(float(t[3] or 0) for t in tasks))
        previous = moment(start)
        for queued_at, task_start, task_end, _ in tasks:
            queued.append((moment(queued_at) - previous).total_seconds())
            started.append((moment(task_start) - moment(queued_at)).total_seconds())
            previous = moment(task_end)
    reschedules = _query(db, "SELECT COUNT(*) FROM task_reschedule")[0][0]  # a fresh database: this bench's
    return {"run_span_median_seconds": statistics.median(spans), "task_seconds_median": statistics.median(in_tasks),
            "upstream_end_to_queued_median_seconds": statistics.median(queued),
            "queued_to_start_median_seconds": statistics.median(started), "sensor_reschedules": reschedules}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-active-runs", type=int, default=4, help="of the backfill (default 4)")
    parser.add_argument("--parallelism", type=int, default=4, help="[core] parallelism (default 4)")
    parser.add_argument("--via", choices=("api", "cli"), default="api",
                        help="create the backfill by POST /api/v2/backfills (the UI's dialog; default) "
                             "or by `airflow backfill create` (the runbook's command)")
    parser.add_argument("--repeats", type=int, default=3,
                        help="back-fills, each on a fresh stack; the targets take the median (default 3)")
    args = parser.parse_args()

    runs = []
    for turn in range(1, args.repeats + 1):
        print(f"\n--- back-fill {turn} of {args.repeats} ---", flush=True)
        runs.append(_run_once(args))
    wall = statistics.median(run["wall_seconds"] for run in runs)
    build = statistics.median(run["tasks"].get("build_package", {}).get("median_seconds", float("inf"))
                              for run in runs)
    figures = {"runs": runs, "repeats": args.repeats, "wall_seconds": wall, "build_package_median_seconds": build}
    figures["targets"] = {
        "P5 twelve months back-filled, wall, s": {"value": wall, "target": TARGET_WALL_SECONDS},
        "P5 build_package, median a task, s": {"value": build, "target": TARGET_BUILD_SECONDS},
    }
    from results import write_results

    written = write_results("scheduler", figures)
    print(f"\n=== P5, median of {len(runs)} back-fills: "
          + ", ".join(f"{run['wall_seconds']:.2f} s" for run in runs) + " ===")
    for line, figure in figures["targets"].items():
        verdict = "met" if figure["value"] <= figure["target"] else "NOT met"
        print(f"{line:48s}: {figure['value']:.2f} (target <= {figure['target']}) {verdict}")
    print(f"\nresults: {written}")


def _run_once(args: argparse.Namespace) -> dict:
    """One back-fill of the twelve months on a fresh metadata database and stack; prints its
    figures and returns them."""
    from demo.scheduler import AIRFLOW, Scheduler, use_wal

    load_at_start = os.getloadavg()
    print(f"load average at start: {' '.join(f'{v:.1f}' for v in load_at_start)}", flush=True)
    shutil.rmtree(OUT, ignore_errors=True)
    home, db = OUT / "airflow", OUT / "airflow" / "airflow.db"
    warehouse = f"sqlite:///{OUT / 'warehouse.db'}"
    _prepare(home, OUT / "data", warehouse)
    env = {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(home / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DEFAULT_TIMEZONE": "Asia/Shanghai",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__CORE__PARALLELISM": str(args.parallelism),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{db}",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        "AIRFLOW_CONN_CHUFEI_WAREHOUSE": warehouse,
        "CHUFEI_DATA_DIR": str(OUT / "data"),
        # 2020 only and no catch-up: the scheduler creates no run of its own, the backfill all twelve
        "AIRFLOW__CHUFEI__CATCHUP": "False",
        "AIRFLOW__CHUFEI__START_DATE": "2020-01-01",
        "AIRFLOW__CHUFEI__END_DATE": "2020-12-31",
        "AIRFLOW__CHUFEI__DEADLINE_HOURS": "6",
    }
    print("migrating a fresh metadata database …", flush=True)
    subprocess.run([*AIRFLOW, "db", "migrate"], env={**os.environ, **env}, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    use_wal(db)
    stack = Scheduler(home, env)
    with stack:
        _wait("the DAG to be parsed", lambda: _query(db, "SELECT 1 FROM serialized_dag WHERE dag_id = ?", DAG_ID),
              stack, 180, 1)
        _warm_up(stack)
        # The DAG is paused while the backfill is created: its queued runs wait, and a creation that
        # SQLite refuses half-way ("database is locked") is cleaned up without the scheduler having
        # started a run it then deletes (which killed the scheduler in at least 4 of 13 runs). Unpaused as
        # soon as the command returns, inside the timed span.
        _set_paused(db, True)
        token = _api_token(stack, home) if args.via == "api" else None
        print("back-filling 2020-01 … 2020-12 …", flush=True)
        cpu_before, busy_before = _cpu_seconds(stack), _machine_busy_seconds()
        started = time.monotonic()
        created_at = datetime.now(UTC)
        cli_before = os.times()
        backfill_id = (_create_backfill_api(stack, db, token, args.max_active_runs) if token
                       else _create_backfill(stack, db, args.max_active_runs))
        cli_after = os.times()
        _set_paused(db, False)
        cli_wall = time.monotonic() - started
        cli_cpu = (cli_after.children_user + cli_after.children_system
                   - cli_before.children_user - cli_before.children_system)

        def done():
            runs = _query(db, "SELECT dr.state FROM dag_run dr JOIN backfill_dag_run b ON b.dag_run_id = dr.id "
                              "WHERE b.backfill_id = ?", backfill_id)
            if any(state == "failed" for (state,) in runs):
                raise SystemExit(f"a backfill run failed; task logs in {home / 'logs'}")
            return len(runs) == MONTHS and all(state == "success" for (state,) in runs)

        _wait("the twelve runs", done, stack, 1800, interval=0.1)
        wall = time.monotonic() - started
        cpu_after, busy = _cpu_seconds(stack), _machine_busy_seconds() - busy_before
        # Airflow's scheduler marks a backfill complete on a fixed 30-second timer
        # (_mark_backfills_complete, not configurable in 3.3): shown, not part of the months' wall.
        _wait("the backfill marked complete", lambda: _query(
            db, "SELECT completed_at FROM backfill WHERE id = ?", backfill_id)[0][0], stack, 120)
        marked = time.monotonic() - started
    cpu = {part: seconds - cpu_before.get(part, 0.0) for part, seconds in sorted(cpu_after.items())}
    if args.via == "cli":
        cpu["backfill create (CLI)"] = cli_cpu
    load_at_end = os.getloadavg()

    tasks: dict[str, list[float]] = {}
    for task_id, duration in _query(
            db, "SELECT ti.task_id, ti.duration FROM task_instance ti JOIN dag_run dr ON dr.run_id = ti.run_id "
                "AND dr.dag_id = ti.dag_id JOIN backfill_dag_run b ON b.dag_run_id = dr.id WHERE b.backfill_id = ?",
            backfill_id):
        tasks.setdefault(task_id, []).append(float(duration or 0))
    spans = _query(db, "SELECT min(dr.start_date), max(dr.end_date) FROM dag_run dr JOIN backfill_dag_run b "
                       "ON b.dag_run_id = dr.id WHERE b.backfill_id = ?", backfill_id)[0]
    # SQLite keeps Airflow's UTC times without their zone
    first_start = (datetime.fromisoformat(spans[0]).replace(tzinfo=UTC) - created_at).total_seconds()
    tries = _query(db, "SELECT ti.task_id, max(ti.try_number) FROM task_instance ti JOIN dag_run dr "
                       "ON dr.run_id = ti.run_id AND dr.dag_id = ti.dag_id JOIN backfill_dag_run b "
                       "ON b.dag_run_id = dr.id WHERE b.backfill_id = ? GROUP BY ti.task_id", backfill_id)
    parse = statistics.median(_parse_seconds({**os.environ, **env}) for _ in range(3))
    gaps = _scheduling_gaps(db, backfill_id)
    release = _worker_release_seconds(home, db, backfill_id)
    gaps["worker_release_median_seconds"] = statistics.median(release) if release else None
    gaps["worker_release_over_1s"] = sum(1 for lag in release if lag > 1)
    gaps["worker_release_seconds_in_all"] = sum(release)
    figures = {
        "load_average_at_start": list(load_at_start), "load_average_at_end": list(load_at_end),
        "cpus": os.cpu_count(), "max_active_runs": args.max_active_runs, "parallelism": args.parallelism,
        "backfill_created_via": args.via,
        "wall_seconds": wall, "backfill_marked_complete_after_seconds": marked,
        "first_run_started_after_seconds": first_start, "backfill_create_command_seconds": cli_wall,
        "tasks": {task_id: {"median_seconds": statistics.median(d), "max_seconds": max(d), "count": len(d),
                            "sum_seconds": sum(d)} for task_id, d in sorted(tasks.items())},
        "max_try_number": dict(tries), "dag_file_parse_seconds": parse, "scheduling": gaps,
        "cpu_seconds_during_backfill": cpu, "machine_busy_cpu_seconds_during_backfill": busy,
    }
    print("\n=== P5: twelve months back-filled through the scheduler ===")
    print(f"machine: {os.cpu_count()} CPUs, load average {load_at_start[0]:.1f} at start, "
          f"{load_at_end[0]:.1f} at end; LocalExecutor, parallelism {args.parallelism}, "
          f"backfill max_active_runs {args.max_active_runs}, SQLite metadata (WAL)")
    how = "POST /api/v2/backfills" if args.via == "api" else "`airflow backfill create`"
    print(f"wall: {wall:.1f} s from {how} until the twelve runs succeeded (creating it took "
          f"{cli_wall:.1f} s, the first run started after {first_start:.1f} s; Airflow marked the backfill "
          f"complete after {marked:.1f} s, on its 30-second timer)")
    print(f"DAG file parse (task runner imported): {parse:.2f} s")
    print(f"a run: {gaps['run_span_median_seconds']:.1f} s from start to end (median), of which "
          f"{gaps['task_seconds_median']:.1f} s in its tasks; between tasks "
          f"{gaps['upstream_end_to_queued_median_seconds']:.2f} s until the scheduler queues the next and "
          f"{gaps['queued_to_start_median_seconds']:.2f} s until it starts (medians); "
          f"{gaps['sensor_reschedules']} sensor reschedules")
    print(f"a task's worker is free again {gaps['worker_release_median_seconds'] or 0:.2f} s after the task ended "
          f"(median; {gaps['worker_release_over_1s']} of {len(release)} tasks over 1 s, "
          f"{gaps['worker_release_seconds_in_all']:.1f} s in all)")
    print(f"CPU during the backfill: {sum(cpu.values()):.1f} s by the stack, of the machine's {busy:.1f} s busy "
          f"({os.cpu_count()} CPUs x {wall:.1f} s = {os.cpu_count() * wall:.1f} s): "
          + ", ".join(f"{part} {seconds:.1f} s" for part, seconds in cpu.items()))
    for task_id, figure in figures["tasks"].items():
        print(f"  {task_id:<22} median {figure['median_seconds']:5.2f} s, max {figure['max_seconds']:5.2f} s, "
              f"{figure['count']} runs, {figure['sum_seconds']:6.1f} s in all")
    return figures


if __name__ == "__main__":
    main()
