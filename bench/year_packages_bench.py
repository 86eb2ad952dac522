"""The year's 29 target packages on a kept five-year warehouse: wall and CPU, for quick A/B.

stats_bench.py times the same 29 packages (``TARGET_REPORTS``) after building its warehouses from
scratch, which takes minutes. This bench builds stats_bench's five-year warehouse (200,000 cases,
2016–2020, no grid clues) once per database and keeps it, as grid_monitoring_bench.py does with
``--clues 0`` (bench-out/grid_monitoring_0.db, the PostgreSQL database chufei_grid_monitoring_0),
then builds the 29 packages of 2020 --repeats times after a warm-up month, each run into a fresh
data directory, and prints each run's wall time, this process's CPU time (all threads) and its
main thread's CPU time, and the slowest groups. ``--hashes FILE`` writes the sha256 of every
file the last run wrote, so that a change that must keep the bytes can be checked by ``diff``.

    PYTHONPATH=plugins .venv/bin/python bench/year_packages_bench.py [--databases sqlite,postgresql] [--repeats 3]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1] / "plugins"), str(Path(__file__).resolve().parent)]

from grid_monitoring_bench import build, warehouse_url  # noqa: E402
from stats_bench import TARGET_REPORTS  # noqa: E402

from chufei.core.periods import month_period  # noqa: E402
from chufei.core.settings import DataDir  # noqa: E402
from chufei.warehouse import schema as warehouse  # noqa: E402


def target_packages(engine, data: DataDir) -> dict[str, float]:
    """The 29 packages of 2020, each built as its DAG builds it, timed by report (wall)."""
    from chufei.outbox.packages import build_package, intervals
    from chufei.outbox.registry import REPORTS

    times: dict[str, float] = {}
    for dag_id in TARGET_REPORTS:
        for interval in intervals(REPORTS[dag_id].period_kind, 2020):
            start = time.perf_counter()
            build_package(engine, data, dag_id, interval)
            times[dag_id] = times.get(dag_id, 0.0) + time.perf_counter() - start
    return times


def file_hashes(root: Path) -> list[str]:
    """``sha256  path`` of every file under ``root``, by path."""
    return [f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.relative_to(root)}"
            for path in sorted(root.rglob("*")) if path.is_file()]


def time_runs(engine, scratch: Path, repeats: int, hashes: Path | None) -> None:
    """The 29 packages ``repeats`` times after a warm-up month, each run into a new data directory."""
    from chufei.outbox.packages import build_package

    build_package(engine, DataDir(scratch / "warm-up").ensure(), "case_statistics_monthly", month_period(2020, 6))
    walls, cpus = [], []
    for run in range(repeats):
        data = DataDir(scratch / f"run-{run}").ensure()
        wall, cpu, main_cpu = time.perf_counter(), time.process_time(), time.thread_time()
        times = target_packages(engine, data)
        wall, cpu, main_cpu = (time.perf_counter() - wall, time.process_time() - cpu,
                               time.thread_time() - main_cpu)
        walls.append(wall)
        cpus.append(cpu)
        slowest = sorted(times.items(), key=lambda item: -item[1])[:3]
        print(f"  run {run + 1}: wall {wall:5.2f} s  CPU {cpu:5.2f} s  main thread {main_cpu:5.2f} s  "
              f"load {os.getloadavg()[0]:.1f}  ({', '.join(f'{name} {t:.2f}' for name, t in slowest)})", flush=True)
    print(f"  median: wall {statistics.median(walls):.2f} s  CPU {statistics.median(cpus):.2f} s", flush=True)
    if hashes:
        lines = file_hashes(data.root / "outbox")
        hashes.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"  {len(lines)} files' sha256 in {hashes}", flush=True)


def load_average() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--hashes", type=Path, help="write the sha256 of every file of the last run here "
                                                    "(<name>.<database> per database)")
    args = parser.parse_args()
    print(f"load average at start: {load_average()}", flush=True)
    for database in [name.strip() for name in args.databases.split(",") if name.strip()]:
        url, empty = warehouse_url(database, 0, rebuild=False)
        engine = warehouse.engine_for(url)
        print(f"{database}{' (building the five-year warehouse)' if empty else ''}:", flush=True)
        if empty:
            build(engine, 0)
        warehouse.ensure_schema(engine)
        with tempfile.TemporaryDirectory(prefix="chufei-year-bench-") as scratch:
            time_runs(engine, Path(scratch), args.repeats, args.hashes and args.hashes.with_name(
                f"{args.hashes.name}.{database}"))
        engine.dispose()
    print(f"load average at end: {load_average()}", flush=True)


if __name__ == "__main__":
    main()
