"""Statistics bench: one-, two- and five-year case warehouses (~200k cases, admin actions), timed
on SQLite and on PostgreSQL side by side in one run.

Reports, for each database:
- one month's full statistics (every form of the monthly package, computed) and the month's
  package (forms, xlsx and CSV files, manifest) at one, two and five years of history: the median
  of many runs taken in turns on the three warehouses, so that a busy machine's noise falls on all
  of them alike; the target is five years ÷ two years ≤ 1.1 (both have a previous year, so both
  compute 上年同期; the one-year warehouse has none, so its month does less work and is shown
  only for reference);
- the whole year's packages (every report DAG's work for the year, written) on the five-year
  warehouse, median of ``--repeats`` (default 3); target 5 s.

Every PostgreSQL warehouse is a new database, created and dropped (``bench/pg.py``). The
five-year warehouse also holds --clues grid-worker clue versions (default 10 million,
generated inside the database by bench/generate_clues.sql, on PostgreSQL generate_clues_pg.sql,
the same rows): the case statistics do not read them, and they are there to show that a month's
statistics do not pay for them (make bench-grid measures their load).
The figures and the target lines go under ``statistics`` in bench-out/results.json.

    PYTHONPATH=plugins .venv/bin/python bench/stats_bench.py [--cases 200000] [--databases sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import os
import random
import shutil
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import date, timedelta
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1] / "plugins"), str(Path(__file__).resolve().parent)]

from sqlalchemy import insert  # noqa: E402

from chufei.warehouse import schema as warehouse  # noqa: E402
from chufei.core.settings import DataDir, code_lists  # noqa: E402
from chufei.core.periods import month_period  # noqa: E402
from chufei.core.units import units  # noqa: E402


def populate(engine, years: list[int], cases_per_year: int, seed: int = 5) -> None:
    rng = random.Random(seed)
    industries, types = code_lists()["行业领域"], code_lists()["处置方式"]
    codes = [u.code for u in units()]
    with engine.begin() as connection:
        for year in years:
            for code in codes:
                sha = hashlib.sha256(f"bench-{year}-{code}".encode()).hexdigest()
                connection.execute(insert(warehouse.received_file), {
                    "sha256": sha, "source": "submissions", "original_name": "bench.xlsx", "size_bytes": 1,
                    "archive_path": "bench", "received_at": warehouse.now_utc(), "status": "accepted"})
                period = month_period(year, 12)
                submission_id = connection.execute(insert(warehouse.submission).returning(warehouse.submission.c.id), {
                    "dataset": "case_ledger", "unit_code": code, "period_key": period.key,
                    "period_start": period.start, "period_end": period.end, "file_sha256": sha, "version": 1,
                    "is_current": True, "rows_accepted": 0, "received_at": warehouse.now_utc()}).scalar_one()
                action_submission = connection.execute(
                    insert(warehouse.submission).returning(warehouse.submission.c.id), {
                        "dataset": "admin_action", "unit_code": code, "period_key": f"{year}",
                        "period_start": date(year, 1, 1), "period_end": date(year + 1, 1, 1), "file_sha256": sha,
                        "version": 1, "is_current": True, "rows_accepted": 0,
                        "received_at": warehouse.now_utc()}).scalar_one()
                count = cases_per_year // len(codes)
                batch = []
                for number in range(count):
                    filed = date(year, 1, 1) + timedelta(days=rng.randint(0, 364))
                    closed = filed + timedelta(days=rng.randint(30, 900)) if rng.random() < 0.6 else None
                    batch.append({"unit_code": code, "case_no": f"{code}-{year}-{number:06d}",
                                  "submission_id": submission_id, "period_start": period.start,
                                  "case_name": f"案{number}", "filed_date": filed, "handling_unit": "公安",
                                  "industry": rng.choice(industries), "amount_fen": rng.randint(1, 10**10),
                                  "participants": rng.randint(1, 3000), "cross_region": rng.random() < 0.2,
                                  "stage": "结案" if closed else "侦查", "recovered_fen": 0,
                                  "unpaid_principal_fen": rng.randint(0, 10**9), "repaid_fen": rng.randint(0, 10**9),
                                  "repaid_people": 0, "is_old_case": False, "closed_date": closed})
                connection.execute(insert(warehouse.case_current), batch)
                connection.execute(insert(warehouse.row_table(warehouse.DATASETS["admin_action"])), [
                    {"submission_id": action_submission, "row_no": i, "unit_code": code,
                     "period_start": date(year, 1, 1), "action_date": date(year, 1, 1) + timedelta(days=rng.randint(0, 364)),
                     "subject_name": f"主体{i}", "action_type": rng.choice(types), "industry": rng.choice(industries)}
                    for i in range(1, count // 10 + 2)])
        warehouse.refresh_case_facts(connection)  # case_current and the actions were written directly:
        warehouse.refresh_action_facts(connection)  # sum their months as a submission's load does


REPEATS = 21


def add_clues(engine, count: int) -> None:
    from sqlalchemy import text

    name = "generate_clues_pg.sql" if engine.dialect.name == "postgresql" else "generate_clues.sql"
    statement = text((Path(__file__).parent / name).read_text(encoding="utf-8"))
    with engine.begin() as connection:
        connection.execute(statement, {"clue_count": count})


def seconds(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def timed(label: str, function) -> float:
    elapsed = seconds(function)
    print(f"  {label:<44} {elapsed:7.2f} s", flush=True)
    return elapsed


def month_statistics(engine):
    from chufei.outbox.case_reports import case_statistics_forms

    return lambda: case_statistics_forms(engine, month_period(2020, 6))


def month_package(engine, scratch: Path):
    """The monthly DAG's whole work for 2020-06 — forms, xlsx and CSV files, manifest — written
    into a fresh data directory each time (a rebuild of an unchanged period would be shorter)."""
    from chufei.outbox.case_reports import build_case_statistics_package

    def build():
        data = DataDir(Path(tempfile.mkdtemp(dir=scratch))).ensure()
        build_case_statistics_package(engine, data, month_period(2020, 6), "case_statistics_monthly")

    return build


# The reports the year's-packages target was set for: 12 monthly, 4 quarterly and 1 annual case
# statistics, 4 report-reward, 2 risk-ledger, 4 warnings/actions and 2 situation analyses (29).
# Reports the registry gained since (grid monitoring, work-plan progress, publicity) are timed
# and printed apart, so that the target keeps measuring the same work.
TARGET_REPORTS = ("case_statistics_monthly", "case_statistics_quarterly", "case_statistics_annual",
                  "report_reward_quarterly", "risk_ledger_rollup", "warnings_actions_quarterly", "situation_analysis")


def year_packages(engine, data) -> dict[str, float]:
    """Every package of 2020 as build_year_packages builds them, timed one by one."""
    from chufei.outbox.packages import build_package, intervals
    from chufei.outbox.registry import REPORTS

    times = {}
    for dag_id, report in REPORTS.items():
        for interval in intervals(report.period_kind, 2020):
            start = time.perf_counter()
            build_package(engine, data, dag_id, interval)
            times[f"{dag_id} {interval.key}"] = time.perf_counter() - start
    return times


WAREHOUSES = (("one year", [2020]), ("two years", [2019, 2020]), ("five years", [2016, 2017, 2018, 2019, 2020]))
TEN_YEARS = ("ten years", list(range(2011, 2021)))  # with --years 10: 400,000 cases, twice the clues


def warehouses(args) -> tuple[tuple[str, list[int]], ...]:
    return (*WAREHOUSES, TEN_YEARS) if args.years == 10 else WAREHOUSES


def clues_in(label: str, args) -> int:
    """Grid clue versions generated into a warehouse: --clues in the five-year one, twice
    that (20 million by default) in the ten-year one."""
    return {"five years": args.clues, "ten years": 2 * args.clues}.get(label, 0)


# The month's SQL as the forms run it for 2020-06: the case and action figures of each span
# (the month, the year to date, last year's year to date, the previous month), read from the
# monthly facts. The DuckDB reference runs the same statements over the same facts, copied.
MONTH_SPANS = ((date(2020, 6, 1), date(2020, 7, 1)), (date(2020, 1, 1), date(2020, 7, 1)),
               (date(2019, 1, 1), date(2019, 7, 1)), (date(2020, 5, 1), date(2020, 6, 1)))
MONTH_SQL = ("case_month_figures", "admin_action_month_figures")
FACT_TABLES = ("case_month_fact", "admin_action_month_fact")
DATABASES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
OUT = Path(__file__).resolve().parents[1] / "bench-out"
TARGET_RATIO, TARGET_TEN_YEAR_RATIO, TARGET_YEAR_SECONDS = 1.1, 1.2, 5.0


def month_sql(engine):
    """The month's SQL on the warehouse itself, every row fetched."""
    from chufei.core.sql import run_sql

    def run():
        with engine.connect() as connection:
            for start, end in MONTH_SPANS:
                for name in MONTH_SQL:
                    run_sql(connection, name, range_start=start, range_end=end).all()

    return run


def duckdb_month_sql(engine):
    """The month's SQL in DuckDB (in memory) over the warehouse's monthly facts, copied through
    Arrow (no SQLite extension offline): the statements' text as chufei runs it, :name → $name."""
    import re

    import duckdb
    import pyarrow as pa
    from chufei.core.sql import SQL_DIR
    from sqlalchemy import text

    database = duckdb.connect()
    with engine.connect() as connection:
        for table in FACT_TABLES:
            rows = connection.execute(text(f"SELECT * FROM {table}")).mappings().all()
            columns = {key: [row[key] for row in rows] for key in (rows[0].keys() if rows else [])}
            arrow = pa.table(columns)  # noqa: F841 - read by name below
            database.execute(f"CREATE TABLE {table} AS SELECT * REPLACE (CAST(month_start AS DATE) AS month_start) "
                             "FROM arrow")
    statements = {name: re.sub(r":(\w+)", r"$\1", (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8"))
                  for name in MONTH_SQL}

    def run():
        for start, end in MONTH_SPANS:
            for name in MONTH_SQL:
                database.execute(statements[name], {"range_start": start, "range_end": end}).fetchall()

    return run


def _interleaved_medians(engines: dict, make, repeats: int) -> dict[str, float]:
    """The median seconds of ``make(engine)()`` per warehouse, the runs taken in turns."""
    runs = {label: [] for label in engines}
    for _ in range(repeats):
        for label, engine in engines.items():
            runs[label].append(seconds(make(engine)))
    return {label: statistics.median(times) for label, times in runs.items()}


def bench_database(database: str, args, stack: ExitStack, tmp: Path) -> dict:
    """Every figure of one database: the three warehouses built, then timed."""
    per_year = args.cases // 5
    engines = {}
    for label, years in warehouses(args):
        if database == "sqlite":
            url = f"sqlite:///{tmp / (label.replace(' ', '_') + '.db')}"
        else:
            from pg import fresh_database

            url = stack.enter_context(fresh_database("stats_bench"))
        engine = engines[label] = warehouse.engine_for(url)
        stack.callback(engine.dispose)
        warehouse.ensure_schema(engine)
        print(f"{DATABASES[database]}, {label}: loading {per_year * len(years):,} cases …", flush=True)
        populate(engine, years, per_year)
        if clues_in(label, args):
            count = clues_in(label, args)
            timed(f"generating {count:,} grid clues", lambda: add_clues(engine, count))  # noqa: B023 - used at once, inside the loop
        month_statistics(engine)()  # warm caches (and the year's old-case aggregate)
    forms = _interleaved_medians(engines, month_statistics, REPEATS)
    sql = _interleaved_medians({"five years": engines["five years"]}, month_sql, REPEATS)["five years"]
    duck = None
    if database == "sqlite":  # the same facts on either database: one DuckDB copy is enough
        duck = _interleaved_medians({"five years": duckdb_month_sql(engines["five years"])}, lambda run: run,
                                    REPEATS)["five years"]
    scratch = tmp / f"month-packages-{database}"
    scratch.mkdir()
    month_packages = _interleaved_medians(engines, lambda engine: month_package(engine, scratch), REPEATS)
    year_runs = []
    for run in range(args.repeats):
        data = DataDir(tmp / f"data-{database}-{run}").ensure()
        year_runs.append(year_packages(engines["five years"], data))
        print(f"  {DATABASES[database]}: the whole year's packages (five years), run {run + 1}: "
              f"{sum(year_runs[-1].values()):.2f} s", flush=True)
    def targeted(name: str) -> bool:
        return name.split(" ")[0] in TARGET_REPORTS

    totals = [sum(t for name, t in times.items() if targeted(name)) for times in year_runs]
    others = [sum(t for name, t in times.items() if not targeted(name)) for times in year_runs]
    median_run = year_runs[totals.index(sorted(totals)[(len(totals) - 1) // 2])]
    return {"month_forms_seconds": forms, "month_package_seconds": month_packages,
            "month_sql_seconds_five_years": sql, "duckdb_month_sql_seconds_five_years": duck,
            "year_packages_seconds": statistics.median(totals), "year_packages_runs": totals,
            "year_packages": sum(1 for name in median_run if targeted(name)),
            "other_year_packages": sum(1 for name in median_run if not targeted(name)),
            "other_year_packages_seconds": statistics.median(others),
            "year_package_seconds": median_run,
            "clues": {label: clues_in(label, args) for label, _ in warehouses(args)}}



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=200_000, help="cases over five years")
    parser.add_argument("--clues", type=int, default=10_000_000,
                        help="grid clues in the five-year warehouse (0: none)")
    parser.add_argument("--repeats", type=int, default=3, help="runs of the year's packages (the median counts)")
    parser.add_argument("--databases", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--years", type=int, choices=(5, 10), default=5,
                        help="10: add a ten-year warehouse (400,000 cases, 2 × --clues clues)")
    args = parser.parse_args()
    databases = [name.strip() for name in args.databases.split(",") if name.strip()]
    results = {"cases": args.cases, "load_average_at_start": os.getloadavg(), "cpus": os.cpu_count()}
    print(f"load average at start: {' '.join(f'{v:.1f}' for v in os.getloadavg())}", flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="chufei-bench-"))
    try:
        for database in databases:
            with ExitStack() as stack:  # the database's warehouses disposed (PostgreSQL ones dropped) after it
                results[database] = bench_database(database, args, stack, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    results["load_average_at_end"] = os.getloadavg()
    targets = {}
    for database in databases:
        figures, label = results[database], DATABASES[database]
        forms = figures["month_forms_seconds"]
        targets[f"a month's forms, five years ÷ two years, {label}"] = {
            "value": forms["five years"] / forms["two years"], "target": TARGET_RATIO}
        if "ten years" in forms:
            targets[f"a month's forms, ten years ÷ two years, {label}"] = {
                "value": forms["ten years"] / forms["two years"], "target": TARGET_TEN_YEAR_RATIO}
        targets[f"the year's {figures['year_packages']} packages, five-year warehouse, {label}, s"] = {
            "value": figures["year_packages_seconds"], "target": TARGET_YEAR_SECONDS}
    results["targets"] = targets
    from results import write_results

    written = write_results("statistics", results)

    print("\n=== statistics bench ===")
    print(f"machine: {os.cpu_count()} CPUs, load average {results['load_average_at_start'][0]:.1f} at start, "
          f"{results['load_average_at_end'][0]:.1f} at end")
    for database in databases:
        figures, label = results[database], DATABASES[database]
        clues = ", ".join(f"{count:,} clues in the {name} one" for name, count in figures["clues"].items() if count)
        print(f"{label}{f' (+ {clues})' if clues else ''}, median of {REPEATS}:")
        for name, _ in warehouses(args):
            print(f"  one month, {name:<10}: forms {figures['month_forms_seconds'][name] * 1000:7.1f} ms, "
                  f"package {figures['month_package_seconds'][name] * 1000:7.1f} ms")
        forms, package = figures["month_forms_seconds"], figures["month_package_seconds"]
        print(f"  five ÷ one year (no 上年同期 in the one-year warehouse, for reference): forms "
              f"{forms['five years'] / forms['one year']:.2f}, package "
              f"{package['five years'] / package['one year']:.2f}")
        print(f"  package five ÷ two years: {package['five years'] / package['two years']:.2f}")
        duck = figures["duckdb_month_sql_seconds_five_years"]
        print(f"  the month's SQL alone (8 statements, five years): {figures['month_sql_seconds_five_years'] * 1000:.1f} ms"
              + (f"; DuckDB over the same facts (reference): {duck * 1000:.1f} ms" if duck is not None else ""))
        times = figures["year_package_seconds"]
        slowest = sorted(((t, name) for name, t in times.items() if name.split(" ")[0] in TARGET_REPORTS),
                         reverse=True)[:3]
        print(f"  the year's packages, median of {len(figures['year_packages_runs'])}: "
              f"{figures['year_packages_seconds']:.2f} s; slowest: "
              + ", ".join(f"{name} {t:.2f} s" for t, name in slowest))
        print(f"  the {figures['other_year_packages']} packages of the reports added since (grid monitoring, "
              f"work plan, publicity), median: {figures['other_year_packages_seconds']:.2f} s (no target)")
    print()
    for line, figure in targets.items():
        verdict = "met" if figure["value"] <= figure["target"] else "NOT met"
        print(f"{line:64s}: {figure['value']:.2f} (target <= {figure['target']}) {verdict}")
    if args.years != 10:
        print("a month's forms, ten years ÷ two years                          : not measured (run with --years 10)")
    print(f"\nresults: {written}")


if __name__ == "__main__":
    main()
