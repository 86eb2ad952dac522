"""``make bench``: the grid-report ingest at scale, against pyarrow alone and the naive script.

Generates a grid export of ``BENCH_ROWS`` rows (default 1,000,000; the domain columns with realistic
content, about 280 bytes a row in UTF-8, most of it Chinese text at three bytes a character; 0.1 %
faulty rows) under ``bench-out/`` and measures, each in a fresh process so peak RSS is its own:

* ``pyarrow``  — ``pyarrow.csv.read_csv`` of the file, nothing else (the floor);
* ``parse`` / ``validate`` — the streaming reader alone, then reader + normalise + validation;
* ``sqlite`` / ``postgresql`` — the real ingest (``chufei.ingest.grid.ingest_grid_file``: sha256,
  archive, parse, validate, load into a fresh warehouse, commit, receipt) with seconds per stage,
  into a new SQLite file and into a new PostgreSQL database (created and dropped, ``bench/pg.py``);
* ``naive``    — pandas ``read_csv`` + GX validation of the same suite + ``to_sql`` into SQLite;
* DAG parse time of every file in ``dags/`` next to an empty TaskFlow DAG (fastest of 7 runs).

Every step but the naive one runs ``BENCH_REPEATS`` times (default 3), the steps taken in turns so
that a busy machine's noise falls on all of them alike, and the median counts. Prints the figures
and the target lines of that one run and writes them under ``grid`` in ``bench-out/results.json``.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "bench-out"
ROWS = int(os.environ.get("BENCH_ROWS", "1000000"))
REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))
DAG_REPEATS = int(os.environ.get("BENCH_DAG_REPEATS", "7"))
EMPTY_DAG = '''
from airflow.sdk import dag, task


@dag(schedule=None)
def empty_taskflow():
    @task
    def nothing():
        return None

    nothing()


empty_taskflow()
'''


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def export_path() -> Path:
    return OUT / f"grid_export_{ROWS}.csv"


def generate() -> Path:
    path = export_path()
    if path.exists():
        return path
    sys.path[:0] = [str(REPO / "plugins"), str(REPO)]  # the generator is the demo's (demo/, not shipped)
    from demo.inflows import grid_rows, write_grid_csv

    started = time.perf_counter()
    tmp = path.with_suffix(".tmp")
    write_grid_csv(tmp, grid_rows(ROWS, seed=42, fault_every=1000), "utf-8")
    tmp.replace(path)
    print(f"generated {path.name}: {ROWS:,} rows, {path.stat().st_size / 1e6:.0f} MB "
          f"in {time.perf_counter() - started:.1f} s", flush=True)
    return path


# --- the measured steps, each run in its own process ---------------------------------------------

def step_pyarrow(path: Path) -> dict:
    import pyarrow.csv as pacsv

    started = time.perf_counter()
    table = pacsv.read_csv(path)
    return {"seconds": time.perf_counter() - started, "rows": table.num_rows}


def step_parse(path: Path) -> dict:
    from chufei.read.grid_export import read_batches

    started, rows = time.perf_counter(), 0
    for batch in read_batches(path, path.name):
        rows += batch.table.num_rows
    return {"seconds": time.perf_counter() - started, "rows": rows}


def step_validate(path: Path) -> dict:
    from chufei.read.grid_export import read_batches
    from chufei.validate.grid_normalise import normalise
    from chufei.validate.grid_rules import validate

    started, rows, rejected, seen = time.perf_counter(), 0, 0, {}
    for batch in read_batches(path, path.name):
        numbers = list(range(batch.first_row, batch.first_row + batch.table.num_rows))
        typed, checks = normalise(batch.table)
        _, bad = validate(batch.table, typed, checks, numbers, batch.sheet, seen)
        rows, rejected = rows + batch.table.num_rows, rejected + len(bad)
    return {"seconds": time.perf_counter() - started, "rows": rows, "rejected": rejected}


def _pipeline(path: Path, root: Path, url: str) -> dict:
    from chufei.core.settings import DataDir
    from chufei.ingest.grid import ingest_grid_file
    from chufei.inbox.receipts import write_receipt
    from chufei.warehouse.schema import engine_for, ensure_schema

    data = DataDir(root / "data").ensure()
    engine = engine_for(url)
    try:
        ensure_schema(engine)
        timings: dict[str, float] = {}
        started = time.perf_counter()
        receipt = ingest_grid_file(engine, data, path, path.name, timings=timings)
        write_receipt(receipt, data.receipts)
        total = time.perf_counter() - started
        with engine.connect() as connection:
            from sqlalchemy import text

            current = connection.execute(text("SELECT count(*) FROM grid_clue_current")).scalar_one()
    finally:
        engine.dispose()
    return {"seconds": total, "stages": timings, "rows": receipt.counts["rows"], "status": receipt.status,
            "accepted": receipt.counts["accepted"], "rejected": receipt.counts["rejected"], "current": current}


def step_sqlite(path: Path) -> dict:
    root = OUT / "pipeline-sqlite"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    return _pipeline(path, root, f"sqlite:///{root / 'warehouse.db'}")


def step_postgresql(path: Path) -> dict:
    sys.path.insert(0, str(Path(__file__).parent))
    from pg import fresh_database

    root = OUT / "pipeline-postgresql"
    shutil.rmtree(root, ignore_errors=True)
    with fresh_database("grid_bench") as url:
        return _pipeline(path, root, url)


def step_naive(path: Path) -> dict:
    """What a user would write without the project: pandas, GX on the whole frame, to_sql."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx
    import pandas as pd
    from sqlalchemy import create_engine

    from chufei.kinds.grid_report import FIELDS

    started = time.perf_counter()
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    frame = frame.rename(columns={f.label: f.name for f in FIELDS})
    frame["reported_at"] = pd.to_datetime(frame["reported_at"], errors="coerce", format="mixed")
    frame["reported_date"] = frame["reported_at"].dt.normalize()
    frame["closed_date"] = pd.to_datetime(frame["closed_date"], errors="coerce")
    frame["people"] = pd.to_numeric(frame["people"], errors="coerce").astype("Int64")
    frame["amount_fen"] = (pd.to_numeric(frame["amount_fen"], errors="coerce") * 1_000_000).round().astype("Int64")
    context = gx.get_context(mode="ephemeral")
    batch = (context.data_sources.add_pandas("naive").add_dataframe_asset("grid")
             .add_batch_definition_whole_dataframe("all").get_batch(batch_parameters={"dataframe": frame}))
    from chufei.validate.validation import load_suite_spec

    spec = load_suite_spec("grid_report")  # named ranges filled in, as the real ingest does
    suite = gx.ExpectationSuite(name="grid_report", expectations=[
        gx.expectations.registry.get_expectation_impl(e["type"])(**e["kwargs"]) for e in spec["expectations"]])
    result = batch.validate(suite, result_format="SUMMARY")
    database = OUT / "naive.db"
    database.unlink(missing_ok=True)
    frame.to_sql("grid_clues", create_engine(f"sqlite:///{database}"), index=False, chunksize=50_000)
    return {"seconds": time.perf_counter() - started, "rows": len(frame), "gx_success": bool(result.success)}


STEPS = {"pyarrow": step_pyarrow, "parse": step_parse, "validate": step_validate, "sqlite": step_sqlite,
         "postgresql": step_postgresql, "naive": step_naive}
REPEATED = ("pyarrow", "parse", "validate", "sqlite", "postgresql")  # the naive script runs once
DATABASES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
TARGETS = {"sqlite": 3.5, "postgresql": 5.0}  # parse + validate + load ÷ pyarrow alone
RSS_TARGET_GIB = 1.5


def run_step(name: str, path: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO / "plugins"), "GX_ANALYTICS_ENABLED": "False"}
    process = subprocess.run([sys.executable, __file__, name, str(path)], capture_output=True, text=True, env=env)
    if process.returncode != 0:
        raise SystemExit(f"bench step {name} failed:\n{process.stderr[-3000:]}")
    return json.loads(process.stdout.strip().splitlines()[-1])


def dag_parse_times(repeats: int = DAG_REPEATS) -> dict[str, float]:
    """Fastest of ``repeats`` interleaved runs of ``runpy.run_path`` per DAG file (each run a fresh
    process): the minimum is the least disturbed by other load. The probe first imports what a
    dag-processor has loaded before it parses a file (its own module, and with it Airflow's
    serialization and timetables); with ``airflow.sdk`` alone, a DAG using one of Airflow's cron or
    asset timetables would be charged for importing Airflow's core, which no real parse pays."""
    empty = OUT / "empty_taskflow_dag.py"
    empty.write_text(EMPTY_DAG, encoding="utf-8")
    probe = ("import runpy, sys, time\nimport airflow.sdk, airflow.dag_processing.processor\nstarted = time.perf_counter()\n"
             "runpy.run_path(sys.argv[1])\nprint(time.perf_counter() - started)\n")
    env = {**os.environ, "PYTHONPATH": str(REPO / "plugins")}
    paths = [empty, *sorted((REPO / "dags").glob("*.py"))]
    samples: dict[str, list[float]] = {path.stem: [] for path in paths}
    for _ in range(repeats):
        for path in paths:
            out = subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True, text=True,
                                 env=env, check=True)
            samples[path.stem].append(float(out.stdout.strip().splitlines()[-1]))
    return {name: min(values) for name, values in samples.items()}


def _median_run(runs: list[dict], key=lambda run: run["seconds"]) -> dict:
    """The run whose time is the median (the middle of an odd count; the lower middle otherwise)."""
    ordered = sorted(runs, key=key)
    return {**ordered[(len(ordered) - 1) // 2], "runs_seconds": [round(key(run), 3) for run in runs]}



def main() -> None:
    OUT.mkdir(exist_ok=True)
    path = generate()
    size_mb = path.stat().st_size / 1e6
    print(f"bench on {path.name} ({ROWS:,} rows, {size_mb:.0f} MB), {os.cpu_count()} CPUs, "
          f"median of {REPEATS}", flush=True)
    results = {"rows": ROWS, "size_mb": round(size_mb, 1), "cpus": os.cpu_count(), "repeats": REPEATS,
               "load_average_at_start": os.getloadavg()}
    runs: dict[str, list[dict]] = {name: [] for name in STEPS}
    for turn in range(REPEATS):
        for name in (*REPEATED, *(("naive",) if turn == 0 else ())):
            runs[name].append(run_step(name, path))
            print(f"  {name:10s} run {turn + 1}: {runs[name][-1]['seconds']:7.1f} s   "
                  f"peak RSS {runs[name][-1]['rss_mib']:7.0f} MiB", flush=True)
    for name in STEPS:  # the pipelines by their parse + validate + load wall time, the ratio's numerator
        results[name] = _median_run(runs[name], (lambda run: run["stages"]["wall"]) if name in DATABASES else
                                    (lambda run: run["seconds"]))
    results["dag_parse_seconds"] = dag_parse_times()
    results["load_average_at_end"] = os.getloadavg()

    arrow, naive = results["pyarrow"], results["naive"]
    rss = {"parse": results["parse"]["rss_mib"], "validate": results["validate"]["rss_mib"]}
    results["ratios"] = {
        **{f"parse_validate_load_over_pyarrow_{db}": results[db]["stages"]["wall"] / arrow["seconds"]
           for db in DATABASES},
        "naive_over_parse_validate_load_sqlite": naive["seconds"] / results["sqlite"]["stages"]["wall"],
        **{f"dag_{k}_over_empty": v / results["dag_parse_seconds"]["empty_taskflow_dag"]
           for k, v in results["dag_parse_seconds"].items() if k != "empty_taskflow_dag"},
    }
    peak = max(max(run["rss_mib"] for run in runs[db]) for db in DATABASES) / 1024
    results["targets"] = {
        **{f"grid p+v+l ÷ pyarrow, {label}": {"value": results["ratios"][f"parse_validate_load_over_pyarrow_{db}"],
                                             "target": TARGETS[db]} for db, label in DATABASES.items()},
        "peak RSS of either ingest, GiB": {"value": peak, "target": RSS_TARGET_GIB}}
    from results import write_results

    written = write_results("grid", results)

    print(f"\n=== grid report ingest, median of {REPEATS} ===")
    print(f"machine: {os.cpu_count()} CPUs, load average {results['load_average_at_start'][0]:.1f} at start, "
          f"{results['load_average_at_end'][0]:.1f} at end (other work on the machine slows every step)")
    sqlite = results["sqlite"]
    print(f"file: {ROWS:,} rows, {size_mb:.0f} MB; accepted {sqlite['accepted']:,}, rejected {sqlite['rejected']:,}, "
          f"current clues {sqlite['current']:,}")
    print(f"{'stage':22s} {'seconds':>8s} {'rows/s':>12s} {'peak RSS MiB':>13s}")
    rows = sqlite["rows"]
    for stage in ("parse", "validate"):
        print(f"{stage:22s} {results[stage]['seconds']:8.1f} {rows / results[stage]['seconds']:12,.0f} {rss[stage]:13.0f}"
              "   (alone)")
    for db, label in DATABASES.items():
        stages = results[db]["stages"]
        for stage in ("parse", "validate", "load"):
            print(f"{label + ' ' + stage:22s} {stages[stage]:8.1f} {rows / stages[stage]:12,.0f}")
        print(f"{label + ' p+v+l':22s} {stages['wall']:8.1f} {rows / stages['wall']:12,.0f} "
              f"{results[db]['rss_mib']:13.0f}   (wall; the stages overlap)")
        print(f"{label + ' whole':22s} {results[db]['seconds']:8.1f} {rows / results[db]['seconds']:12,.0f}"
              "   (sha256, archive, receipt too)")
    print(f"{'pyarrow':22s} {arrow['seconds']:8.1f} {rows / arrow['seconds']:12,.0f} {arrow['rss_mib']:13.0f}")
    print(f"{'naive (one run)':22s} {naive['seconds']:8.1f} {rows / naive['seconds']:12,.0f} {naive['rss_mib']:13.0f}")
    print()
    for line, figure in results["targets"].items():
        verdict = "met" if figure["value"] <= figure["target"] else "NOT met"
        unit = "" if "GiB" in line else "x"
        print(f"{line:36s}: {figure['value']:.2f}{unit} (target <= {figure['target']}) {verdict}")
    print(f"{'naive ÷ p+v+l, SQLite':36s}: {results['ratios']['naive_over_parse_validate_load_sqlite']:.2f}x")
    print(f"\nDAG file parse time (fastest of {DAG_REPEATS}, dag-processor modules imported) vs an empty TaskFlow DAG:")
    empty = results["dag_parse_seconds"]["empty_taskflow_dag"]
    for name, seconds in results["dag_parse_seconds"].items():
        print(f"  {name:28s} {seconds * 1000:7.1f} ms  {seconds / empty:5.2f}x (target <= 1.5)")
    print(f"\nresults: {written}")


if __name__ == "__main__":
    if len(sys.argv) == 3:
        outcome = STEPS[sys.argv[1]](Path(sys.argv[2]))
        outcome["rss_mib"] = peak_rss_mib()
        print(json.dumps(outcome, default=str))
    else:
        main()
