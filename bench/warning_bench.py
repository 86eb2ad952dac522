"""Early-warning bench: the register built from a five-year history of grid clues, the daily run
on it, and an incremental day.

A SQLite warehouse with ``--clues`` grid-worker clue versions (default 10 million, generated inside
SQLite by bench/generate_clues.sql, as the five-year statistics bench does) is built once under
bench-out/ and reused by later runs with the same size (``--rebuild`` to build it again). Then,
each step in its own process (so that each peak RSS is its own), on one copy of it:

- ``build`` (once in a warehouse's life): ``update_register`` builds the whole register from the
  history, then ``run_day`` for 2020-12-31 raises the first warnings and writes the first package;
- ``daily``: the daily run as the DAG does it on a register current to the previous day: the
  day's grid file (an average day of the history, ``--clues`` / 1,827 versions, at least 1,000;
  every tenth a new version of a known clue, inserted directly with a later ``loaded_at``, as a
  load would write them), ``update_register`` with it, ``run_day`` for 2021-01-01 (every entity
  scored, warnings raised or updated, the day's package written);
- ``incremental``: the same for 2021-01-02 with a small file (``--new-clues`` versions, default
  1,000), as when the DAG runs after one more ingest.

Targets (here, never in timed tests): the daily run ≤ 60 s, an incremental day ≤ 5 s, peak RSS
≤ 1.5 GiB, and the one-time build ≤ 60 s as well where it can be. Figures and verdicts go under
``early_warning`` in bench-out/results.json.

    PYTHONPATH=plugins .venv/bin/python bench/warning_bench.py [--clues 1000000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "plugins"), str(REPO / "bench")]

OUT = REPO / "bench-out"
BUILD_DAY, DAY, NEXT_DAY = date(2020, 12, 31), date(2021, 1, 1), date(2021, 1, 2)
TARGET_FULL_SECONDS, TARGET_INCREMENTAL_SECONDS, TARGET_RSS_GIB = 60.0, 5.0, 1.5
HISTORY_DAYS = 1827  # the generated history's days (bench/generate_clues.sql)

# A new grid file of a day: every tenth row a new version of a known clue, the rest new clues
# (half of them naming a known subject); ``offset`` keeps two files' clue numbers apart.
NEW_FILE_SQL = """
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count)
INSERT INTO grid_clue_version (
    clue_no, version, updated_at, source, load_id, row_no, loaded_at, reported_at, district_code,
    town, community, grid_code, worker_id, discovery_method, subject_name, credit_code, address,
    industry, risk_signs, people, amount_fen, judgement, transfer_unit, status, closed_date)
SELECT CASE WHEN i % 10 = 0 THEN printf('GC%010d', i + :offset) ELSE printf('GN%010d', i + :offset) END,
       CASE WHEN i % 10 = 0 THEN 2 ELSE 1 END, NULL, 'file', :load_id, i,
       :loaded_at, :reported_at, '4207' || printf('%02d', 2 + i % 3),
       '街道' || (i % 40), NULL, 'G' || printf('%06d', i % 5000), NULL, '走访',
       CASE WHEN i % 2 = 0 THEN '主体' || ((i + :offset) % 200000) ELSE '新主体' || (i + :offset) END, NULL, NULL,
       '其他', CASE WHEN i % 7 = 0 THEN '承诺高额回报，保本保息' ELSE NULL END, i % 300, (i % 1000) * 10000,
       '疑似非法集资', NULL, '处置中', NULL
FROM n
"""


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build_warehouse(path: Path, clues: int) -> None:
    from stats_bench import add_clues

    from chufei.warehouse import schema as warehouse

    path.unlink(missing_ok=True)
    engine = warehouse.engine_for(f"sqlite:///{path}")
    warehouse.ensure_schema(engine)
    add_clues(engine, clues)
    engine.dispose()


def daily_run(engine, as_of: date, scratch: Path) -> dict:  # noqa: ANN001
    from chufei.core.settings import DataDir
    from chufei.outbox.early_warning import run_day
    from chufei.warehouse.entities import update_register

    started, cpu = time.perf_counter(), time.process_time()
    register = update_register(engine)
    registered, register_cpu = time.perf_counter(), time.process_time()
    day = run_day(engine, DataDir(scratch).ensure(), as_of)
    finished, day_cpu = time.perf_counter(), time.process_time()
    # CPU time beside the wall time: on a shared machine it says what the run itself costs (SQLite
    # works in this process)
    return {"seconds": finished - started, "register_seconds": registered - started,
            "day_seconds": finished - registered, "cpu_seconds": day_cpu - cpu,
            "register_cpu_seconds": register_cpu - cpu, "day_cpu_seconds": day_cpu - register_cpu,
            "records": register["records"],
            "new_entities": register["new_entities"], "rebuilt": register["rebuilt"], "warnings": day["warnings"],
            "bands": day["bands"]}


def new_file(engine, count: int, offset: int, day: date) -> None:  # noqa: ANN001
    from sqlalchemy import text

    with engine.begin() as connection:  # the file arrives (untimed: the grid bench times loads)
        connection.execute(text(NEW_FILE_SQL), {
            "count": count, "offset": offset, "load_id": f"bench-{day.isoformat()}",
            "loaded_at": f"{day + timedelta(days=1)} 00:00:00.000000", "reported_at": f"{day} 10:00:00"})


def step(name: str, path: Path, extra: str) -> dict:
    from chufei.warehouse import schema as warehouse

    engine = warehouse.engine_for(f"sqlite:///{path}")
    warehouse.ensure_schema(engine)  # an older bench warehouse gets its upgrades here, untimed
    scratch = Path(tempfile.mkdtemp(prefix="chufei-warning-bench-"))
    try:
        if name == "build":
            return daily_run(engine, BUILD_DAY, scratch)
        count, offset = (int(part) for part in extra.split(":"))
        day = DAY if name == "daily" else NEXT_DAY
        new_file(engine, count, offset, day)
        return {**daily_run(engine, day, scratch), "new_clues": count}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        engine.dispose()


def run_step(name: str, path: Path, extra: str = "") -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO / "plugins"), "GX_ANALYTICS_ENABLED": "False"}
    process = subprocess.run([sys.executable, __file__, name, str(path), extra], capture_output=True, text=True,
                             env=env)
    if process.returncode != 0:
        raise SystemExit(f"bench step {name} failed:\n{process.stderr[-3000:]}")
    return json.loads(process.stdout.strip().splitlines()[-1])


def _line(label: str, run: dict) -> str:
    return (f"  {label}: {run['seconds']:.2f} s, CPU {run['cpu_seconds']:.2f} s (register "
            f"{run['register_seconds']:.2f} s, CPU {run['register_cpu_seconds']:.2f} s, {run['records']:,} records, "
            f"{run['new_entities']:,} new entities; the day {run['day_seconds']:.2f} s, CPU "
            f"{run['day_cpu_seconds']:.2f} s, {run['warnings']:,} warnings), peak RSS {run['rss_mib']:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clues", type=int, default=10_000_000, help="grid clue versions over five years")
    parser.add_argument("--new-clues", type=int, default=1_000, help="clue versions of the incremental day's file")
    parser.add_argument("--rebuild", action="store_true", help="build the warehouse again even if one is there")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    base = OUT / f"warning-warehouse-{args.clues}.db"
    load_start = os.getloadavg()
    print(f"load average at start: {' '.join(f'{v:.1f}' for v in load_start)}", flush=True)
    if args.rebuild or not base.exists():
        print(f"generating a warehouse of {args.clues:,} grid clue versions: {base}", flush=True)
        started = time.perf_counter()
        build_warehouse(base.with_suffix(".tmp"), args.clues)
        base.with_suffix(".tmp").rename(base)
        print(f"  generated in {time.perf_counter() - started:.1f} s", flush=True)
    else:
        print(f"reusing {base}", flush=True)
    work = OUT / f"warning-bench-work-{args.clues}.db"
    shutil.copyfile(base, work)
    daily_clues = max(1_000, args.clues // HISTORY_DAYS)
    try:
        build = run_step("build", work)
        print(_line("register built from the whole history, then its first day", build), flush=True)
        daily = run_step("daily", work, f"{daily_clues}:0")
        print(_line(f"daily run ({daily_clues:,} new clue versions)", daily), flush=True)
        incremental = run_step("incremental", work, f"{args.new_clues}:{daily_clues}")
        print(_line(f"incremental day ({args.new_clues:,} new clue versions)", incremental), flush=True)
    finally:
        work.unlink(missing_ok=True)
    peak = max(run["rss_mib"] for run in (build, daily, incremental)) / 1024
    targets = {"the daily run, register current to the previous day, s": {"value": daily["seconds"],
                                                                          "target": TARGET_FULL_SECONDS},
               "an incremental day, s": {"value": incremental["seconds"], "target": TARGET_INCREMENTAL_SECONDS},
               "peak RSS of any step, GiB": {"value": peak, "target": TARGET_RSS_GIB},
               "the one-time register build from the history, s": {"value": build["register_seconds"],
                                                                    "target": TARGET_FULL_SECONDS}}
    results = {"clues": args.clues, "daily_clues": daily_clues, "new_clues": args.new_clues, "cpus": os.cpu_count(),
               "load_average_at_start": load_start, "load_average_at_end": os.getloadavg(),
               "build": build, "daily": daily, "incremental": incremental, "targets": targets}
    from results import write_results

    written = write_results("early_warning", results)
    print(f"\n=== early-warning bench: {args.clues:,} clue versions, SQLite ===")
    print(f"machine: {os.cpu_count()} CPUs, load average {load_start[0]:.1f} at start, "
          f"{results['load_average_at_end'][0]:.1f} at end")
    for line, figure in targets.items():
        verdict = "met" if figure["value"] <= figure["target"] else "NOT met"
        print(f"{line:56s}: {figure['value']:8.2f} (target <= {figure['target']}) {verdict}")
    print(f"\nresults: {written}")


if __name__ == "__main__":
    if len(sys.argv) == 4:
        outcome = step(sys.argv[1], Path(sys.argv[2]), sys.argv[3])
        outcome["rss_mib"] = peak_rss_mib()
        print(json.dumps(outcome, default=str))
    else:
        main()
