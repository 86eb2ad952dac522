"""
### 非法集资案件统计月报 — monthly case statistics

**概要**：按月汇总全市非法集资案件台账，出具月报表包（按单位、按行业、陈案处置三张表及陈案处置进展与台账的核对表，各附 CSV 与 manifest）。
每月一期：次月5日报送截止、宽限期过后运行。两个任务：`wait_for_submissions` 先等各单位台账到齐（最迟到宽限期），
结束时把仍缺报的单位记入 `period_missing`，并写在本任务日志和 XCom `missing_units` 里；`build_package` 随后出表。
手动补算请填报告期，如 2020-06；重跑同一月份数字不变则不写新版本，有变化则写入下一版本。

*English:*

**Consumes** the warehouse's current case facts (`warehouse.case_ledger`, loaded by
`ingest_unit_submissions`), the administrative actions (`admin_action` submissions) and the
units' 陈案处置进展 (`old_case_progress`, reconciled with the ledgers).

**Produces** `<data dir>/outbox/case_statistics_monthly/<YYYY-MM>/v<n>/` (and a `latest` file
naming the newest version):
- `case_statistics_monthly_<YYYY-MM>.xlsx` — by unit, with a 合计 row: 新发案件数, 涉案金额,
  集资参与人数, 立案数, 行政处置数, 跨区域, 超亿元, 超千人, 存量(陈案)办结数 — each 本期, 本年累计,
  上年同期累计, 同比%, 环比%;
- `…_by_industry.xlsx` — the same figures by 行业领域;
- `…_old_cases.xlsx` — old-case disposal (陈案) per unit against the −50 % and 清退 targets
  (formulas in docs/statistics.md);
- `…_old_case_check.xlsx` — sheet 核对: each unit's 陈案处置进展 against its 案件台账 of the month,
  every disagreement per case and field with both values and receipts;
- a UTF-8-BOM CSV twin of each, and `manifest.json` (files with sha256 and row counts, source
  files, data version; for v2+ what changed). Also updates the Asset
  `outbox.case_statistics_monthly`.

**Period**: the run's data interval, one calendar month in Asia/Shanghai (`PeriodTimetable`:
the run is created after the month's due date, the 5th of the next month, plus `[chufei] grace_days`).
A manual run takes the `period` Param (e.g. `2020-06`); without it, it reports the last whole month.

**Waits** (`wait_for_submissions`, reschedule mode: no worker slot held; it first resolves the
run's month, its XCom) until every unit's case ledger for the month has arrived or the grace deadline
has passed. Its last poke records the units still missing in the warehouse table `period_missing`
(in its log, and as its XCom `missing_units`), and the run goes ahead instead of failing.

**Re-run / backfill**: re-running a month (clear the run, or trigger with `period`) leaves its
package untouched when the figures are the same; when late data changed them, the new package is
written as the next version beside the issued one. Backfill missed months (unpause the DAG first)
with `airflow backfill create --dag-id case_statistics_monthly --from-date 2020-01-01 --to-date 2020-12-31`
or the UI's Backfill button — see the runbook in docs/operations.md. Months are independent (each writes its own
folder, the warehouse is only read): `[chufei] max_active_runs` lets a Celery deployment run several
at once.
"""

from __future__ import annotations

from airflow.sdk import Asset, dag, task

from chufei.dagkit import period_dag, skip_without_data, wait_for_submissions
from chufei.dagkit.timetables import PeriodTimetable

PACKAGE = Asset("outbox.case_statistics_monthly")


@dag(schedule=PeriodTimetable("month"), **period_dag("month"), tags=["statistics", "delivery", "monthly"], doc_md=__doc__)
def case_statistics_monthly():
    # One XCom, the summary (not one per key, which the dict return annotation would otherwise
    # imply): nothing downstream reads its parts, and each key is an Execution API call of its own.
    @task(outlets=[PACKAGE], multiple_outputs=False)
    @skip_without_data
    def build_package(period_key: str) -> dict:
        from chufei.dagkit import period_run

        return period_run.build_report("case_statistics_monthly", period_key)

    # the run's period, once its units reported (who had not is recorded at the sensor's last poke)
    build_package(wait_for_submissions("case_statistics_monthly", "month"))


case_statistics_monthly()
