"""What `make demo` does, at library level: generate the demo inbox, ingest it, build every
package of the year. A second run reproduces the outbox byte for byte, and so does a run from
scratch into a fresh data directory and a fresh SQLite warehouse (so PostgreSQL and SQLite
give the same bytes)."""

from __future__ import annotations

from pathlib import Path

from chufei.core.settings import DataDir
from demo.generate import write_demo_inbox
from chufei.ingest.submissions import ingest_submissions
from chufei.outbox.packages import build_year_packages
from chufei.outbox.registry import REPORTS
from chufei.warehouse.schema import engine_for, ensure_schema

UNITS = ["420704", "D13"]


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def demo_year(engine, data: DataDir) -> dict[str, bytes]:
    write_demo_inbox(data, year=2020, unit_codes=UNITS, months=[1, 2, 3], faults=False)
    ingest_submissions(engine, data)
    manifests = build_year_packages(engine, data, 2020)
    assert {m["report"] for m in manifests} == set(REPORTS)
    return tree(data.outbox)


def test_the_year_outbox_is_reproducible(engine, data, tmp_path):
    first = demo_year(engine, data)
    # The slice sends case ledgers only. A ledger is cumulative, so January–March's cover every later
    # month: case statistics 12 + 4 + 1 and the situation analyses 2. Rewards, risk ledgers, warnings
    # and grid monitoring have nobody reporting and write no package. The work-plan progress judges
    # task 五 by the ledgers, so it writes every month of the plan's year.
    written = sorted(name.rsplit("/", 2)[0] for name in first if name.endswith("manifest.json"))
    assert written == sorted([f"case_statistics_monthly/2020-{month:02d}" for month in range(1, 13)]
                             + [f"work_plan_progress/2020-{month:02d}" for month in range(1, 13)]
                             + [f"case_statistics_quarterly/2020Q{quarter}" for quarter in range(1, 5)]
                             + ["case_statistics_annual/2020", "situation_analysis/2020H1", "situation_analysis/2020"])
    assert all(name.split("/")[2] == "v1" for name in first if name.endswith("manifest.json"))
    assert demo_year(engine, data) == first  # the same data directory, run again

    fresh = DataDir(tmp_path / "fresh").ensure()
    other = engine_for(f"sqlite:///{tmp_path / 'fresh.db'}")
    ensure_schema(other)
    try:
        assert demo_year(other, fresh) == first
    finally:
        other.dispose()
