"""``make demo``: generate the demo year, run the DAGs on it, show the outputs.

The inflows are ingested with ``dag.test()``; every period run of the report DAGs is created and
run by Airflow's scheduler (``demo.scheduler``), as it would be in production, so a later backfill
finds them and the UI shows their real durations and logs.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys

from chufei.core.settings import REPO_ROOT, data_dir


def run_dag(dag_id: str, **kwargs) -> None:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(REPO_ROOT / "dags" / f"{dag_id}.py"))
    if bag.import_errors:
        raise SystemExit(f"DAG import errors: {bag.import_errors}")
    run = bag.dags[dag_id].test(**kwargs)
    if str(run.state) != "success":
        raise SystemExit(f"{dag_id} {kwargs} ended {run.state}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--year", type=int, default=2020)
    parser.add_argument("--seed", type=int, default=2020)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    os.environ.setdefault("AIRFLOW__CHUFEI__DEADLINE_HOURS", "0")  # dag.test() and DeadlineAlert, see dagkit
    os.environ.setdefault("AIRFLOW__CHUFEI__INBOX_QUIET_SECONDS", "0")  # the demo's inbox is written whole, then read

    from demo.generate import write_demo_inbox
    from chufei.kinds.registry import write_templates

    data = data_dir().ensure()
    templates = write_templates(data.root / "templates")
    demo = write_demo_inbox(data, year=args.year, seed=args.seed, other_kinds=True, unreported=True)
    print(f"demo: {len(demo.files)} files from every unit in {data.inbox('submissions')}", flush=True)
    subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], check=True, stdout=subprocess.DEVNULL)
    run_dag("ingest_unit_submissions")
    from demo.inflows import write_demo_inflows  # grid clues and advert screening

    print(write_demo_inflows(data, year=args.year, seed=args.seed), flush=True)
    run_dag("ingest_grid_reports")  # without a grid_platform connection the API pull is skipped
    run_dag("ingest_ad_screening")
    from chufei.outbox.packages import intervals
    from chufei.outbox.registry import REPORTS

    from demo.scheduler import run_periods

    print("period runs through the scheduler (logs in the Airflow UI) ...", flush=True)
    run_periods({dag_id: len(intervals(report.period_kind, args.year)) for dag_id, report in REPORTS.items()}, args.year)
    manifests = [data.outbox / "case_statistics_monthly" / f"{args.year}-{month:02d}" / "manifest.json"
                 for month in range(1, 13)]
    packages = sorted(_issued(p) for dag_id in REPORTS if dag_id != "case_statistics_monthly"
                      for p in (data.outbox / dag_id).iterdir() if p.is_dir())

    # The completeness matrix of the demo year (units x due submissions, received / late / missing).
    run_dag("submission_watch", run_conf={"as_of": f"{args.year}-12-31"})
    matrix = _issued(data.outbox / "submission_watch" / f"{args.year}-12-31") / f"submission_matrix_{args.year}-12-31.xlsx"
    # The entity register, the year-end warning list with its reasons, and the spike alerts.
    run_dag("early_warning", run_conf={"as_of": f"{args.year}-12-31"})
    warnings = _issued(data.outbox / "early_warning" / f"{args.year}-12-31")

    receipts = sorted(p for p in data.receipts.glob("*.json") if ".duplicate-" not in p.name)
    statuses: dict[str, int] = {}
    for path in receipts:
        status = json.loads(path.read_text(encoding="utf-8"))["status"]
        statuses[status] = statuses.get(status, 0) + 1
    print("\n=== chufei demo finished ===")
    print(f"data directory : {data.root}")
    print(f"templates      : {', '.join(str(p) for p in templates)}")
    print(f"archive        : {data.archive}  ({len(list(data.archive.iterdir()))} files, named by sha256)")
    print(f"receipts       : {data.receipts}  (files: {', '.join(f'{k} {v}' for k, v in sorted(statuses.items()))};"
          f" re-sent identical files get <sha256>.duplicate-<n>.json)")
    print("monthly case statistics (workbook, CSV twin, manifest):")
    for manifest in manifests:
        folder = _issued(manifest.parent)
        for entry in json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["files"]:
            if entry["name"].endswith(".xlsx"):
                print(f"  {folder / entry['name']}")
    print(f"manifests      : {data.outbox / 'case_statistics_monthly' / '<YYYY-MM>' / 'v<n>' / 'manifest.json'}"
          " (latest version named by <YYYY-MM>/latest)")
    print("other packages (each folder holds xlsx + CSV twins + manifest.json):")
    for folder in packages:
        print(f"  {folder}")
    print(f"warehouse      : {data.root / 'warehouse.db'} (unless the chufei_warehouse connection says otherwise)")
    print(f"completeness   : {matrix} (submission_watch as of {args.year}-12-31)")
    print(f"early warning  : {warnings} (warning list, reasons, spike alerts as of {args.year}-12-31)")


def _issued(period_folder):
    """The version folder a package's ``latest`` pointer names."""
    from chufei.outbox.reports import latest_version

    return latest_version(period_folder) or period_folder


if __name__ == "__main__":
    main()
