"""Concurrent runs on one inbox and one warehouse, as several Celery workers produce them.

Ingest: a run claims files by atomic rename and holds a claim lock while it works; a second run
started meanwhile takes only new files and never a live run's claimed ones, while the leftovers of
a run that died are taken over. Statistics: packages for different periods built at the same time
are byte-identical to the ones built one after another, and hold the generated truth.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import select, text

from chufei.warehouse import schema as warehouse
from chufei.outbox.case_reports import build_case_statistics_package
from demo.generate import generate_cases, write_demo_inbox
from chufei.ingest.submissions import claim_files
from chufei.core.periods import month_period
from chufei.statistics.cases import case_statistics
from tests.expected import expected_figures, figures_by_unit

REPO = Path(__file__).resolve().parents[2]
UNITS = ["420704", "EZGD01"]


def _drop(data, *names: str) -> None:
    for name in names:
        (data.inbox("submissions") / name).write_bytes(b"not a workbook")


def test_a_live_runs_claimed_files_stay_with_it(data):
    _drop(data, "a.xlsx", "b.xlsx")
    first = claim_files(data, "submissions")
    assert sorted(f.original_name for f in first) == ["a.xlsx", "b.xlsx"]
    _drop(data, "c.xlsx")
    second = claim_files(data, "submissions")  # concurrent run: only the new file
    assert [f.original_name for f in second] == ["c.xlsx"]
    assert all(f.path.exists() for f in first)
    first.release()  # the first run is gone (its process ended): its files are retried
    second.release()
    third = claim_files(data, "submissions")
    assert sorted(f.original_name for f in third) == ["a.xlsx", "b.xlsx", "c.xlsx"]
    assert sorted(p.name.split("__", 1)[1] for p in data.work("submissions").iterdir()
                  if not p.name.startswith(".")) == ["a.xlsx", "b.xlsx", "c.xlsx"]


def test_leftovers_of_a_crashed_process_and_of_older_versions_are_retried(data):
    _drop(data, "a.xlsx")
    (data.work("submissions") / f"{'0' * 32}__old.xlsx").write_bytes(b"claimed before claim locks")
    code = ("import os; from chufei.core.settings import data_dir; from chufei.ingest.submissions import claim_files; "
            "claimed = claim_files(data_dir(), 'submissions'); print(len(claimed), flush=True); os._exit(9)")
    crashed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert crashed.returncode == 9
    assert crashed.stdout.strip() == "2"
    assert list(data.inbox("submissions").iterdir()) == []
    retried = claim_files(data, "submissions")
    assert sorted(f.original_name for f in retried) == ["a.xlsx", "old.xlsx"]
    del retried  # a finished run drops its claim, and its lock with it
    assert [p.name for p in data.work("submissions").iterdir() if p.name.startswith(".claim-")] == []


def _ingest_process(data, url: str) -> subprocess.Popen:
    code = ("import json; from dataclasses import asdict; from chufei.core.settings import data_dir; "
            "from chufei.ingest.submissions import ingest_submissions; from chufei.warehouse.schema import engine_for; "
            f"print(json.dumps(asdict(ingest_submissions(engine_for({url!r}), data_dir()))))")
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_two_ingest_runs_on_one_inbox_then_statistics_in_parallel(data, engine, warehouse_url, tmp_path):
    url = engine.url.render_as_string(hide_password=False)
    first_batch = write_demo_inbox(data, unit_codes=UNITS, months=[1, 2, 3])
    first = _ingest_process(data, url)
    deadline = time.monotonic() + 60
    while not any(p.name.endswith(".xlsx") for p in data.work("submissions").iterdir()):
        assert first.poll() is None, first.communicate()
        assert time.monotonic() < deadline, first.communicate()
        time.sleep(0.05)
    # Run 1 is working through its claim; more files arrive and run 2 starts next to it.
    second_batch = write_demo_inbox(data, unit_codes=UNITS, months=[4, 5], faults=False)
    second = _ingest_process(data, url)
    assert first.poll() is None, "run 1 finished before run 2 started: nothing overlapped"
    summaries = []
    for process in (first, second):
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err[-3000:]
        summaries.append(json.loads(out.strip().splitlines()[-1]))
    assert summaries[0]["files"] > 0, summaries
    assert summaries[1]["files"] > 0, summaries  # both really worked

    names = sorted(p.name for p in first_batch.files + second_batch.files)
    with engine.connect() as connection:
        arrivals = connection.execute(select(warehouse.file_arrival.c.original_name)).scalars().all()
        outcomes = connection.execute(select(warehouse.file_arrival.c.outcome)).scalars().all()
    assert sorted(arrivals) == names, "a file was processed twice or not at all"
    assert sum(s["files"] for s in summaries) == len(names)
    # Only genuine repeats are duplicates: the re-sent file and December's ledgers sent again.
    assert outcomes.count("duplicate") == 1 + len(UNITS)
    assert sorted(p.name for p in data.receipts.glob("*.json")).__len__() == len(names)
    assert [p.name for p in data.work("submissions").iterdir()] == []

    cases = generate_cases(2020, 2020, UNITS)
    periods = [month_period(2020, month) for month in range(1, 6)]
    with ThreadPoolExecutor(max_workers=len(periods)) as pool:
        parallel = list(pool.map(lambda p: build_case_statistics_package(engine, data, p, "parallel"), periods))
    serial_data = type(data)(tmp_path / "serial").ensure()
    for period, package in zip(periods, parallel, strict=False):
        serial = build_case_statistics_package(engine, serial_data, period, "parallel")
        assert [f["sha256"] for f in package["files"]] == [f["sha256"] for f in serial["files"]], period.key
        with engine.connect() as connection:
            figures = case_statistics(connection, period)
        assert figures_by_unit(figures.current) == expected_figures(cases, period.start, period.end), period.key


def test_first_runs_racing_on_a_fresh_postgresql_warehouse_create_one_schema(pg_database):
    """Several tasks starting at once on a new warehouse (e.g. right after `docker compose up`)."""
    from chufei.warehouse.schema import engine_for, ensure_schema
    from chufei.warehouse.upgrade import head_revision

    engine = engine_for(pg_database)
    with ThreadPoolExecutor(max_workers=4) as pool:
        revisions = list(pool.map(lambda _: ensure_schema(engine), range(4)))
    assert revisions == [head_revision()] * 4
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT version_num FROM chufei_alembic_version")).scalars().all()
    assert rows == [head_revision()]
    engine.dispose()


def test_two_runs_of_the_same_month_at_once_publish_one_consistent_package(data, engine):
    """With several statistics runs allowed at once, a manual re-run may meet the scheduled one."""
    write_demo_inbox(data, unit_codes=UNITS[:1], months=[1], faults=False)
    from chufei.ingest.submissions import ingest_submissions

    ingest_submissions(engine, data)
    period = month_period(2020, 1)
    with ThreadPoolExecutor(max_workers=4) as pool:
        packages = list(pool.map(lambda _: build_case_statistics_package(engine, data, period, "same"), range(4)))
    assert len({json.dumps(p["files"], sort_keys=True) for p in packages}) == 1
    folder = Path(packages[0]["folder"])
    assert sorted(p.name for p in folder.iterdir()) == sorted([f["name"] for f in packages[0]["files"]]
                                                              + ["manifest.json"])
