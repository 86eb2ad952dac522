"""
### 非法集资案件统计月报 — monthly case statistics

**Consumes** the warehouse's current case facts (`warehouse.case_ledger`, loaded by
`ingest_unit_submissions`).

**Produces** `<data dir>/outbox/case_statistics_monthly/<YYYY-MM>/`: the statistical form
`case_statistics_monthly_<YYYY-MM>.xlsx` (by unit, with a 合计 row: 新发案件数, 涉案金额,
集资参与人数, 跨区域, 超亿元, 超千人, 存量(陈案)办结数 — each 本期, 本年累计, 上年同期累计, 同比%),
its UTF-8-BOM CSV twin, and `manifest.json` (files with sha256 and row counts, source files).

**Period**: the run's data interval, one calendar month in Asia/Shanghai. A manual run takes the
`period` Param (e.g. `2020-06`).

**Re-run / backfill**: re-running a month replaces its package with identical bytes unless the
data changed. Backfill missed months with
`airflow backfill create --dag-id case_statistics_monthly --from-date 2020-01-01 --to-date 2020-12-31`.
"""

from __future__ import annotations

from airflow.sdk import dag, task

from chufei.dagkit import period_dag


@dag(**period_dag("month"), tags=["statistics", "delivery", "monthly"], doc_md=__doc__)
def case_statistics_monthly():
    @task
    def resolve_period() -> str:
        from airflow.sdk import get_current_context

        from chufei.dagkit import run_period

        return run_period("month", get_current_context()).key

    @task
    def build_package(period_key: str) -> dict:
        from chufei import runtime
        from chufei.case_reports import build_case_statistics_package
        from chufei.periods import parse_period

        return build_case_statistics_package(runtime.warehouse_engine(), runtime.data(),
                                             parse_period(period_key), "case_statistics_monthly")

    build_package(resolve_period())


case_statistics_monthly()
