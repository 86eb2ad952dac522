"""Grid-monitoring bench: what the packages that read grid clues cost on the five-year warehouse.

The warehouse is stats_bench's five-year one (200,000 cases, 2016–2020) with --clues grid clue
versions (bench/generate_clues.sql, on PostgreSQL generate_clues_pg.sql). It is built once per
database and size and kept — bench-out/grid_monitoring_<clues>.db on SQLite, the PostgreSQL
database chufei_grid_monitoring_<clues> — because ten million clue versions take minutes to
generate; --rebuild builds it again. Each run first upgrades the kept warehouse
(``ensure_schema``), so a warehouse built by an older chufei is timed after its migration.

Timed, each the median of --repeats runs: a month's 网格监测 package (2020-06), the half-year and
the annual 形势分析 (which carry the 网格监测 forms of their span) and a month's 工作要点任务进展
(2020-06: its 网格线索上报 task reads the clues too). Wall time, and CPU time: this process's, plus
on PostgreSQL the server backend's (read from /proc, the server runs on this machine).

    PYTHONPATH=plugins .venv/bin/python bench/grid_monitoring_bench.py [--clues 10000000] [--databases sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1] / "plugins"), str(Path(__file__).resolve().parent)]

from sqlalchemy import text  # noqa: E402

from chufei.core.periods import half_period, month_period  # noqa: E402
from chufei.core.settings import DataDir  # noqa: E402
from chufei.warehouse import schema as warehouse  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "bench-out"
YEARS = [2016, 2017, 2018, 2019, 2020]
RUNS = (("grid_monitoring_monthly", month_period(2020, 6), "网格监测 2020-06"),
        ("situation_analysis", half_period(2020, 1), "形势分析 2020 上半年"),
        ("situation_analysis", half_period(2020, 2), "形势分析 2020 全年"),
        ("work_plan_progress", month_period(2020, 6), "工作要点任务进展 2020-06"))


def _pg_admin():
    from pg import _admin

    return _admin()


def warehouse_url(database: str, clues: int, rebuild: bool) -> tuple[str, bool]:
    """The kept warehouse's URL, and whether it must be built."""
    if database == "sqlite":
        OUT.mkdir(exist_ok=True)
        path = OUT / f"grid_monitoring_{clues}.db"
        if rebuild:
            path.unlink(missing_ok=True)
        return f"sqlite:///{path}", not path.exists()
    from pg import HOST, PORT

    admin, user = _pg_admin()
    name = f"chufei_grid_monitoring_{clues}"
    try:
        if rebuild:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        admin.close()
    return f"postgresql+psycopg://{user}@{HOST}:{PORT}/{name}", not exists


def build(engine, clues: int) -> None:
    from stats_bench import add_clues, populate

    start = time.perf_counter()
    warehouse.ensure_schema(engine)
    populate(engine, YEARS, 200_000 // 5)
    add_clues(engine, clues)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    else:
        with engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
            connection.commit()
    print(f"  built in {time.perf_counter() - start:.0f} s", flush=True)


def _backend_cpu(engine) -> float | None:
    """Seconds of CPU the PostgreSQL backends of ``engine``'s pool used so far (None on SQLite)."""
    if engine.dialect.name != "postgresql":
        return None
    tick = os.sysconf("SC_CLK_TCK")
    with engine.connect() as connection:
        name = connection.execute(text("SELECT current_database()")).scalar_one()
        pids = connection.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = :name"),
                                  {"name": name}).scalars().all()
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def time_runs(engine, repeats: int, scratch: Path) -> dict[str, dict[str, float]]:
    from chufei.outbox.packages import build_package

    figures = {}
    for dag_id, period, label in RUNS:
        walls, cpus = [], []
        for run in range(repeats + 1):  # the first run warms the caches and is not counted
            data = DataDir(Path(tempfile.mkdtemp(dir=scratch))).ensure()
            server, cpu, wall = _backend_cpu(engine), time.process_time(), time.perf_counter()
            build_package(engine, data, dag_id, period)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            if server is not None:
                cpu += _backend_cpu(engine) - server
            if run:
                walls.append(wall)
                cpus.append(cpu)
        figures[label] = {"wall": statistics.median(walls), "cpu": statistics.median(cpus)}
        print(f"  {label:<28} wall {figures[label]['wall']:7.2f} s   CPU {figures[label]['cpu']:7.2f} s", flush=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clues", type=int, default=10_000_000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rebuild", action="store_true", help="build the kept warehouse again")
    parser.add_argument("--build-only", action="store_true", help="build (or upgrade) the warehouse, time nothing")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    print(f"load average at start: {' '.join(f'{v:.1f}' for v in os.getloadavg())}", flush=True)
    results = {}
    for database in [name.strip() for name in args.databases.split(",") if name.strip()]:
        url, empty = warehouse_url(database, args.clues, args.rebuild)
        engine = warehouse.engine_for(url)
        print(f"{database}, {args.clues:,} clue versions{' (building)' if empty else ''}:", flush=True)
        if empty:
            build(engine, args.clues)
        start = time.perf_counter()
        warehouse.ensure_schema(engine)
        print(f"  ensure_schema {time.perf_counter() - start:.1f} s", flush=True)
        if not args.build_only:
            scratch = Path(tempfile.mkdtemp(prefix="chufei-grid-bench-"))
            try:
                results[database] = time_runs(engine, args.repeats, scratch)
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
        engine.dispose()
    print(f"load average at end: {' '.join(f'{v:.1f}' for v in os.getloadavg())}", flush=True)


if __name__ == "__main__":
    main()
