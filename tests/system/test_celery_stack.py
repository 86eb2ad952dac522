"""The scale-out stack for real: CeleryExecutor, PostgreSQL metadata and warehouse, Redis broker.

The same roles as docker-compose.yaml run as local processes (tests/system/celery_stack.py):
an api-server (the Execution API the workers talk to), a scheduler, a dag-processor and Celery
workers. The DAGs are triggered on generated workbooks; the figures in the PostgreSQL warehouse
and in the published forms are checked against the generated truth, computed independently.
Under CI=true these tests run; elsewhere they skip when PostgreSQL or Redis is absent.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select

from tests.system.celery_stack import REDIS_HOST, REDIS_PORT, CeleryStack, redis_client
from tests.expected import expected_figures, figures_by_unit

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
ON_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}  # as tests/conftest.py decides
UNITS = ["420704", "EZGD01", "D01"]
INGEST, STATISTICS = "ingest_unit_submissions", "case_statistics_monthly"


@pytest.fixture(scope="module")
def redis_server():
    try:
        redis_client().ping()
    except Exception as error:  # noqa: BLE001
        if ON_CI:
            pytest.fail(f"Redis at {REDIS_HOST}:{REDIS_PORT} is required under CI=true: {error}")
        pytest.skip(f"Redis at {REDIS_HOST}:{REDIS_PORT} is not reachable ({error}); these tests run on CI")


@pytest.fixture(scope="module")
def stack(pg_server, redis_server, tmp_path_factory):
    admin, user = pg_server
    stack = CeleryStack(tmp_path_factory.mktemp("celery-stack"), admin, user)
    try:
        yield stack
    finally:
        stack.close()


def _truth_and_inbox(stack, months, faults=True, data_dir=None):
    """Write the units' ledgers into the stack's inbox, or into the inbox of another ``data_dir`` to
    be moved in later (in a child process: no Airflow config here)."""
    code = (
        "import json, sys; from chufei.core.settings import data_dir; from demo.generate import write_demo_inbox; "
        f"d = write_demo_inbox(data_dir(), unit_codes={UNITS!r}, months={months!r}, faults={faults!r}); "
        "print(json.dumps([p.name for p in d.files]))")
    env = stack.env | ({"CHUFEI_DATA_DIR": str(data_dir)} if data_dir else {})
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    from demo.generate import generate_cases

    return generate_cases(2020, 2020, UNITS), json.loads(done.stdout.strip().splitlines()[-1])


def _warehouse(stack):
    from chufei.warehouse.schema import engine_for

    return engine_for(stack.warehouse_url)


def _assert_warehouse_figures(stack, cases, months):
    from chufei.core.periods import month_period
    from chufei.statistics.cases import case_statistics

    with _warehouse(stack).connect() as connection:
        for month in months:
            period = month_period(2020, month)
            figures = case_statistics(connection, period)
            assert figures_by_unit(figures.current) == expected_figures(cases, period.start, period.end), period.key
            assert figures_by_unit(figures.year_to_date) == expected_figures(cases, period.year_start, period.end)


def _csv_total(stack, month) -> dict[str, str]:
    from chufei.outbox.reports import latest_version

    folder = latest_version(stack.data_dir / "outbox" / STATISTICS / f"2020-{month:02d}")
    text = (folder / f"{STATISTICS}_2020-{month:02d}.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    total = next(row for row in rows if "合计" in row)
    return dict(zip(rows[0], total, strict=False))


def _assert_package(stack, cases, month):
    from chufei.core.periods import month_period

    period = month_period(2020, month)
    current = expected_figures(cases, period.start, period.end).values()
    ytd = expected_figures(cases, period.year_start, period.end).values()
    total = _csv_total(stack, month)
    assert int(total["新发案件数(件)·本期"]) == sum(f["new_cases"] for f in current)
    assert int(total["新发案件数(件)·本年累计"]) == sum(f["new_cases"] for f in ytd)
    assert int(total["集资参与人数(人)·本年累计"]) == sum(f["participants"] for f in ytd)
    assert int(total["存量(陈案)办结数(件)·本年累计"]) == sum(f["old_cases_closed"] for f in ytd)


def _assert_ran_on_workers(stack, runs) -> set[str]:
    workers = set()
    for dag_id, run_id in runs:
        tis = stack.task_instances(dag_id, run_id)
        assert tis, tis
        assert all(ti["state"] == "success" for ti in tis), tis
        for ti in tis:
            assert ti["queue"] == stack.queue, ti
            assert ti["external_executor_id"], ti
            worker = stack.worker_that_ran(ti["external_executor_id"])
            assert worker, f"no Celery worker log shows {dag_id}/{run_id}/{ti['task_id']}"
            workers.add(worker)
    return workers


def _assert_each_file_once(stack, files):
    from chufei.warehouse import schema as warehouse

    with _warehouse(stack).connect() as connection:
        arrivals = connection.execute(select(warehouse.file_arrival.c.original_name)).scalars().all()
        received = connection.execute(select(func.count()).select_from(warehouse.received_file)).scalar_one()
        outcomes = connection.execute(select(warehouse.file_arrival.c.outcome)).scalars().all()
    assert sorted(arrivals) == sorted(files), "a file was processed twice or not at all"
    distinct = {hashlib.sha256((stack.data_dir / "archive").joinpath(p.name).read_bytes()).hexdigest()
                for p in (stack.data_dir / "archive").iterdir()}
    assert received == len(distinct)
    assert outcomes.count("duplicate") == len(files) - received
    assert list((stack.data_dir / "inbox" / "submissions").iterdir()) == []
    assert [p.name for p in (stack.data_dir / "work" / "submissions").iterdir()] == []


def test_ingest_and_statistics_run_on_a_celery_worker(stack):
    cases, files = _truth_and_inbox(stack, months=[1, 2, 3])
    deadline = time.monotonic() + 420
    stack.up(workers=1)
    stack.wait_for_dags([INGEST, STATISTICS], deadline)

    stack.trigger(INGEST, "ingest_1")
    stack.wait_for_runs([(INGEST, "ingest_1")], deadline)
    # Unpaused DAGs also get their scheduled run: wait for every ingest run before counting files.
    stack.wait_for_all_runs(INGEST, deadline)
    _assert_each_file_once(stack, files)
    _assert_warehouse_figures(stack, cases, months=[1, 2, 3])

    stack.trigger(STATISTICS, "statistics_2020-03", {"period": "2020-03"})
    stack.wait_for_runs([(STATISTICS, "statistics_2020-03")], deadline)
    assert _assert_ran_on_workers(stack, [(INGEST, "ingest_1"), (STATISTICS, "statistics_2020-03")]) == {"worker1"}
    _assert_package(stack, cases, 3)


def _overlapping(spans) -> bool:
    return any(a[0] < b[1] and b[0] < a[1] for i, a in enumerate(spans) for b in spans[i + 1:])


def test_two_workers_run_concurrent_ingests_and_statistics(stack):
    """Two Celery workers, parallelism 8: overlapping ingest runs on one inbox, statistics in parallel."""
    deadline = time.monotonic() + 420
    alone = not stack.processes  # run on its own: bring the stack up and load January–March too
    if alone:
        stack.up(workers=1)
        stack.wait_for_dags([INGEST, STATISTICS], deadline)
    stack.start_worker("worker2")
    stack.wait(lambda: stack.workers_ready() >= 2, deadline, "the second Celery worker")
    before = _arrivals(stack)

    # The later ledgers are written beforehand, outside the inbox: generating them takes longer than
    # ingest_2 needs for its claim, and they must arrive while it works.
    later = stack.root / "later"
    _, second_files = _truth_and_inbox(stack, months=[8, 9], faults=False, data_dir=later)
    cases, first_files = _truth_and_inbox(stack, months=list(range(1 if alone else 4, 8)), faults=False)
    stack.trigger(INGEST, "ingest_2")
    work, inbox = stack.data_dir / "work" / "submissions", stack.data_dir / "inbox" / "submissions"
    stack.wait(lambda: not any(inbox.iterdir()) and any(p.name.endswith(".xlsx") for p in work.iterdir()),
               deadline, "ingest_2 to claim the inbox", every=0.1)
    # While ingest_2 works through its claim, more ledgers arrive and a second ingest run starts.
    for path in sorted((later / "inbox" / "submissions").iterdir()):
        path.replace(inbox / path.name)  # a rename keeps the file's arrival (its modification time)
    stack.trigger(INGEST, "ingest_3")
    ingests = [(INGEST, "ingest_2"), (INGEST, "ingest_3")]
    stack.wait_for_runs(ingests, deadline)
    stack.wait_for_all_runs(INGEST, deadline)
    assert _overlapping(stack.spans(ingests)), "the two ingest runs did not overlap"
    _assert_each_file_once(stack, before + first_files + second_files)
    _assert_warehouse_figures(stack, cases, months=range(1, 10))

    months = [4, 6, 8, 9]
    statistics = [(STATISTICS, f"statistics_2020-{m:02d}") for m in months]
    stack.trigger_many([(dag_id, run_id, {"period": run_id.split("_")[1]}) for dag_id, run_id in statistics])
    stack.wait_for_runs(statistics, deadline)
    assert _overlapping(stack.spans(statistics)), "the statistics runs did not overlap"
    for month in months:
        _assert_package(stack, cases, month)
    assert _assert_ran_on_workers(stack, ingests + statistics) == {"worker1", "worker2"}


def _arrivals(stack) -> list[str]:
    """Names of the files the warehouse has seen so far (none when the first test did not run)."""
    from sqlalchemy import inspect

    from chufei.warehouse import schema as warehouse

    engine = _warehouse(stack)
    if "file_arrival" not in inspect(engine).get_table_names():
        return []
    with engine.connect() as connection:
        return list(connection.execute(select(warehouse.file_arrival.c.original_name)).scalars())
