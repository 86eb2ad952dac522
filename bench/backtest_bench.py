"""Backtest bench: the early-warning backtest on the demo history (``make bench`` prints it).

The demo year is written and ingested into a fresh SQLite warehouse (bench/demo_warehouse.py, the
ingest DAGs' own functions, no Airflow), the entity register is built, and the history replayed
step by step (demo/precursors.py documents what the demo plants). The table compares chufei with
the naive and linear baselines; the figures go under ``backtest`` in bench-out/results.json.
They come from synthetic data: they test the machinery, not real-world accuracy.

    PYTHONPATH=plugins .venv/bin/python bench/backtest_bench.py [--data DIR] [--step week|day]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1] / "plugins"), str(Path(__file__).resolve().parents[1]),
                str(Path(__file__).resolve().parent)]

from demo_warehouse import build_demo_warehouse  # noqa: E402
from results import write_results  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, help="build the demo history here (default: a temporary folder)")
    parser.add_argument("--step", choices=("week", "day"))
    args = parser.parse_args()
    from chufei.statistics.backtest import SYNTHETIC_NOTE, as_dict, table, warehouse_backtest

    with tempfile.TemporaryDirectory(prefix="chufei-backtest-") as scratch:
        root = args.data or Path(scratch) / "data"
        started = time.perf_counter()
        engine, _ = build_demo_warehouse(root)
        built = time.perf_counter() - started
        started = time.perf_counter()
        result = warehouse_backtest(engine, step=args.step)
        replayed = time.perf_counter() - started
        print(table(result, SYNTHETIC_NOTE))
        print(f"(demo history built in {built:.0f} s, replayed in {replayed:.1f} s)")
        write_results("backtest", {**as_dict(result), "build_seconds": round(built, 1),
                                   "replay_seconds": round(replayed, 1)})
        engine.dispose()


if __name__ == "__main__":
    main()
