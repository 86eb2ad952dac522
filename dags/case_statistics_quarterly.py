"""
### 非法集资案件统计季报 — quarterly case statistics

**概要**：按季度汇总全市非法集资案件，出具季报表包（xlsx、CSV、manifest），本季、本年累计与上年同期比较。
季度结束次月10日报送截止后运行；手动补算请填报告期，如 2020Q2。

*English:*

**Consumes** the warehouse's current case facts (`warehouse.case_ledger`, loaded by
`ingest_unit_submissions`) and the administrative actions (`admin_action` submissions).

**Produces** `<data dir>/outbox/case_statistics_quarterly/<YYYY>Q<n>/v<n>/` (and a `latest` file
naming the newest version):
- `case_statistics_quarterly_<YYYY>Q<n>.xlsx` — by unit, with a 合计 row: 新发案件数, 涉案金额,
  集资参与人数, 立案数, 行政处置数, 跨区域, 超亿元, 超千人, 存量(陈案)办结数 — each 本期, 本年累计,
  上年同期累计, 同比%;
- `…_by_industry.xlsx` — the same figures by 行业领域;
- a UTF-8-BOM CSV twin of each, and `manifest.json` (files with sha256 and row counts, source
  files, data version; for v2+ what changed). Also updates the Asset
  `outbox.case_statistics_quarterly`.

**Period**: the run's data interval, one calendar quarter in Asia/Shanghai. A manual run takes the
`period` Param (e.g. `2020Q2`). Figures come from the same facts as the
monthly forms: the months of a quarter add up to it exactly.

**Re-run / backfill**: re-running a quarter leaves its package untouched when the figures are the
same; when late data changed them, the new package is written as the next version beside the
issued one. Backfill missed quarters with
`airflow backfill create --dag-id case_statistics_quarterly --from-date 2020-01-01 --to-date 2020-12-31`.
"""

from __future__ import annotations

from airflow.sdk import Asset, dag, task

from chufei.dagkit import period_dag, resolve_period, skip_without_data
from chufei.dagkit.timetables import PeriodTimetable

PACKAGE = Asset("outbox.case_statistics_quarterly")


@dag(schedule=PeriodTimetable("quarter"), **period_dag("quarter"), tags=["statistics", "quarterly"], doc_md=__doc__)
def case_statistics_quarterly():
    @task(multiple_outputs=True, outlets=[PACKAGE])
    @skip_without_data
    def build_package(period_key: str) -> dict:
        from chufei.dagkit import period_run

        return period_run.build_report("case_statistics_quarterly", period_key)

    build_package(resolve_period("quarter"))


case_statistics_quarterly()
