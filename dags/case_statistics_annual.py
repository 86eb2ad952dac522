"""
### 非法集资案件统计年报 — annual case statistics

**概要**：按年汇总全市非法集资案件：各地各部门的新发案件数、涉案金额、集资参与人数、立案与行政处置、陈案办结等，与上年同期比较，
出具年报表包（xlsx、CSV、manifest）。数据区间为一个公历年（北京时间），次年1月20日报送截止后运行；
手动补算请填报告期，如 2020。

*English:*

**Consumes** the warehouse's current case facts (`warehouse.case_ledger`, loaded by
`ingest_unit_submissions`) and the administrative actions (`admin_action` submissions).

**Produces** `<data dir>/outbox/case_statistics_annual/<YYYY>/v<n>/` (and a `latest` file
naming the newest version):
- `case_statistics_annual_<YYYY>.xlsx` — by unit, with a 合计 row: 新发案件数, 涉案金额,
  集资参与人数, 立案数, 行政处置数, 跨区域, 超亿元, 超千人, 存量(陈案)办结数 — each 本年累计
  (the year's own figure, so no separate 本期), 上年同期累计, 同比% ("—" where the base was never
  reported); printed as three numbered forms 表一–表三 (sheets), see docs/statistics.md;
- `…_by_industry.xlsx` — the same figures by 行业领域;
- `…_old_cases.xlsx` — old-case disposal (陈案) per unit against the −50 % and 清退 targets, and
  `…_old_case_payouts.xlsx` — every case filed before 2019 with its 清退率 (formulas in
  docs/statistics.md);
- `…_old_case_check.xlsx` — sheet 核对: the units' December 陈案处置进展 against their ledgers;
- a UTF-8-BOM CSV twin of each, and `manifest.json` (files with sha256 and row counts, source
  files, data version; for v2+ what changed). Also updates the Asset
  `outbox.case_statistics_annual`.

**Period**: the run's data interval, one calendar year in Asia/Shanghai. A manual run takes the
`period` Param (e.g. `2020`). Figures come from the same facts as the
monthly forms: the months of a year add up to it exactly.

**Re-run / backfill**: re-running a year leaves its package untouched when the figures are the
same; when late data changed them, the new package is written as the next version beside the
issued one. Backfill missed years with
`airflow backfill create --dag-id case_statistics_annual --from-date 2020-01-01 --to-date 2020-12-31`.
"""

from __future__ import annotations

from airflow.sdk import Asset, dag, task

from chufei.dagkit import period_dag, resolve_period, skip_without_data
from chufei.dagkit.timetables import PeriodTimetable

PACKAGE = Asset("outbox.case_statistics_annual")


@dag(schedule=PeriodTimetable("year"), **period_dag("year"), tags=["statistics", "annual"], doc_md=__doc__)
def case_statistics_annual():
    @task(multiple_outputs=True, outlets=[PACKAGE])
    @skip_without_data
    def build_package(period_key: str) -> dict:
        from chufei.dagkit import period_run

        return period_run.build_report("case_statistics_annual", period_key)

    build_package(resolve_period("year"))


case_statistics_annual()
