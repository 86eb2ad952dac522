"""
### 举报奖励情况统计季报 — quarterly report-reward statistics

**概要**：按季度汇总各单位报送的举报奖励情况，出具季报表包（xlsx、CSV、manifest）。季度结束次月10日报送截止后运行；
手动补算请填报告期，如 2020Q2。

*English:*

**Consumes** the current 举报奖励 submissions (`report_reward_row`, quarterly, task 五/九).

**Produces** `<data dir>/outbox/report_reward_quarterly/<YYYY>Q<n>/v<n>/` (and a `latest` file naming the newest
version): `report_reward_quarterly_<YYYY>Q<n>.xlsx` per unit — 受理件数, 有效线索数, by 线索等级 and 来源渠道, 兑现件数, 奖励人数, 奖励金额(元) — and `…_year_to_date.xlsx` (本年累计). No reporter identity is read or written. Each workbook has a UTF-8-BOM CSV twin; `manifest.json` lists the files
(sha256, rows), the source files and the data version. Updates the Asset `outbox.report_reward_quarterly`.
Definitions: docs/statistics.md.

**Period**: the run's data interval, one calendar quarter in Asia/Shanghai. A manual run takes the `period` Param (e.g. `2020Q2`).

**Re-run / backfill**: re-running a period leaves its package untouched when the figures are the
same; when late data changed them, the new package is written as the next version beside the
issued one. Backfill with
`airflow backfill create --dag-id report_reward_quarterly --from-date 2020-01-01 --to-date 2020-12-31`.
"""

from __future__ import annotations

from airflow.sdk import Asset, dag, task

from chufei.dagkit import period_dag, resolve_period, skip_without_data
from chufei.dagkit.timetables import PeriodTimetable

PACKAGE = Asset("outbox.report_reward_quarterly")


@dag(schedule=PeriodTimetable("quarter"), **period_dag("quarter"), tags=["statistics", "quarterly"], doc_md=__doc__)
def report_reward_quarterly():
    @task(multiple_outputs=True, outlets=[PACKAGE])
    @skip_without_data
    def build_package(period_key: str) -> dict:
        from chufei.dagkit import period_run

        return period_run.build_report("report_reward_quarterly", period_key)

    build_package(resolve_period("quarter"))


report_reward_quarterly()
