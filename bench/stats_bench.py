"""Statistics bench: a five-year case warehouse (~200k cases, admin actions), timed.

Reports, from one run, on SQLite:
- one month's full statistics (every form of the monthly package, computed) at one, two and five
  years of history, and the ratios (target: five years ≤ 1.2× one year; one month within 3 s);
- the whole year's packages (every report DAG's work for the year, written; target 10 s), with
  the annual case-statistics package (its 清退 list has a row per pre-2019 case) apart.

The five-year warehouse also holds --clues grid-worker clue versions (default 10 million,
generated inside SQLite by bench/generate_clues.sql): no statistic reads them, and they are
there to show that a month's statistics do not pay for them (make bench-grid measures their load).

    PYTHONPATH=plugins .venv/bin/python bench/stats_bench.py [--cases 200000]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plugins"))

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

    statement = text((Path(__file__).parent / "generate_clues.sql").read_text(encoding="utf-8"))
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
        build_case_statistics_package(engine, data, month_period(2020, 6))

    return build


def year_packages(engine, data) -> dict[str, float]:
    """Every package of 2020 as build_year_packages builds them, timed one by one."""
    from chufei.outbox.packages import REPORT_DAGS, build_package, intervals

    times = {}
    for dag_id, kind in REPORT_DAGS.items():
        for interval in intervals(kind, 2020):
            start = time.perf_counter()
            build_package(engine, data, dag_id, interval)
            times[f"{dag_id} {interval.key}"] = time.perf_counter() - start
    return times


WAREHOUSES = (("one year", [2020]), ("two years", [2019, 2020]), ("five years", [2016, 2017, 2018, 2019, 2020]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=200_000, help="cases over five years")
    parser.add_argument("--clues", type=int, default=10_000_000, help="grid clues in the five-year warehouse (0: none)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="chufei-bench-"))
    per_year = args.cases // 5
    results, packages, month_packages = {}, {}, {}
    print(f"load average at start: {' '.join(f'{v:.1f}' for v in os.getloadavg())}", flush=True)
    engines = {}
    try:
        for label, years in WAREHOUSES:
            engine = engines[label] = warehouse.engine_for(f"sqlite:///{tmp / (label.replace(' ', '_') + '.db')}")
            warehouse.ensure_schema(engine)
            print(f"{label}: loading {per_year * len(years):,} cases …", flush=True)
            populate(engine, years, per_year)
            if label == "five years" and args.clues:
                timed(f"generating {args.clues:,} grid clues", lambda: add_clues(engine, args.clues))  # noqa: B023 - used at once, inside the loop
            month_statistics(engine)()  # warm caches (and the year's old-case aggregate)
        # A month takes tens of milliseconds: the fastest of many runs, taken in turns on the
        # three warehouses, so that a busy machine's noise falls on all of them alike.
        runs = {label: [] for label in engines}
        for _ in range(REPEATS):
            for label, engine in engines.items():
                runs[label].append(seconds(month_statistics(engine)))
        for label, times in runs.items():
            times.sort()
            results[label] = times[0]
            print(f"  one month's statistics ({label}): fastest of {REPEATS} {times[0] * 1000:.1f} ms, "
                  f"median {times[REPEATS // 2] * 1000:.1f} ms", flush=True)
        scratch = tmp / "month-packages"
        scratch.mkdir()
        package_runs = {label: [] for label in engines}
        for _ in range(REPEATS):
            for label, engine in engines.items():
                package_runs[label].append(seconds(month_package(engine, scratch)))
        for label, times in package_runs.items():
            times.sort()
            month_packages[label] = times[0]
            print(f"  one month's package ({label}): fastest of {REPEATS} {times[0] * 1000:.1f} ms, "
                  f"median {times[REPEATS // 2] * 1000:.1f} ms", flush=True)
        data = DataDir(tmp / "data").ensure()
        packages = year_packages(engines["five years"], data)
        print(f"  {'the whole year’s packages (five years)':<44} {sum(packages.values()):7.2f} s", flush=True)
    finally:
        for engine in engines.values():
            engine.dispose()
        shutil.rmtree(tmp, ignore_errors=True)
    annual = packages["case_statistics_annual 2020"]
    total = sum(packages.values())
    print("\n=== statistics bench ===")
    print(f"load average at end            : {' '.join(f'{v:.1f}' for v in os.getloadavg())}")
    for label, _ in WAREHOUSES:
        clues = f" + {args.clues:,} clues" if label == "five years" and args.clues else ""
        print(f"one month, {label:<19} : {results[label] * 1000:6.1f} ms (target ≤ 3 s){clues}")
    print(f"five-year / one-year ratio     : {results['five years'] / results['one year']:.2f} (target ≤ 1.2)")
    print(f"five-year / two-year ratio     : {results['five years'] / results['two years']:.2f} "
          "(both have last year's 上年同期 data)")
    for label, _ in WAREHOUSES:
        print(f"one month's package, {label:<10}: {month_packages[label] * 1000:6.1f} ms "
              "(forms, xlsx + CSV files, manifest)")
    print(f"package five-year / one-year   : {month_packages['five years'] / month_packages['one year']:.2f} "
          "(target ≤ 1.2)")
    print(f"whole year's packages          : {total:.2f} s for {len(packages)} packages (target ≤ 10 s)")
    print(f"  of which case_statistics_annual (清退 list of every pre-2019 case): {annual:.2f} s")
    others = sorted(((t, name) for name, t in packages.items() if name != "case_statistics_annual 2020"), reverse=True)
    print(f"  the other {len(others)} packages: {total - annual:.2f} s; slowest: "
          + ", ".join(f"{name} {t:.2f} s" for t, name in others[:3]))


if __name__ == "__main__":
    main()
