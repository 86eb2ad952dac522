"""
### 宣传教育情况统计季报 — quarterly publicity statistics (tasks 十七–二十一)

**概要**：按季度汇总各单位报送的宣传教育活动：活动场次（按活动形式）、参与人数、发放资料份数，本期与本年累计；
并考核两项目标：各属地在宣传教育月（任务十七，6月底前）开展活动，进社区宣教覆盖率（任务二十一，社区村名录
`include/reference/communities.csv`）。季度结束次月10日报送截止后运行；手动补算请填报告期，如 2020Q2。

*English:*

**Consumes** the current 宣传教育 submissions (`publicity_row`, quarterly, every unit) and the community list
`include/reference/communities.csv` (the office's, per district and 乡镇街道).

**Produces** `<data dir>/outbox/publicity_quarterly/<YYYY>Q<n>/v<n>/` (and a `latest` file naming the newest
version): `publicity_quarterly_<YYYY>Q<n>.xlsx` per unit — 活动场次 by 活动形式, 参与人数, 发放资料份数 — and
`…_year_to_date.xlsx` (本年累计); `…_targets.xlsx` — per territorial unit, the activities of the 宣传教育月 and
the year's 进社区 coverage (listed, covered, uncovered, 覆盖率) with their status; `…_uncovered_communities.xlsx` —
the listed communities and villages with no activity this year; `…_unlisted_communities.xlsx` — 社区/村 names
the list does not know. Each workbook has a UTF-8-BOM CSV twin; `manifest.json` lists the files (sha256, rows),
the source files and the data version. Updates the Asset `outbox.publicity_quarterly`. Definitions:
docs/statistics.md.

**Period**: the run's data interval, one calendar quarter in Asia/Shanghai; the fourth quarter's 本年累计 is the
year. A manual run takes the `period` Param (e.g. `2020Q2`).

**Re-run / backfill**: re-running a period leaves its package untouched when the figures are the
same; when late data changed them, the new package is written as the next version beside the
issued one. Backfill with
`airflow backfill create --dag-id publicity_quarterly --from-date 2020-01-01 --to-date 2020-12-31`.
"""

from __future__ import annotations

from airflow.sdk import Asset, dag, task

from chufei.dagkit import period_dag, resolve_period, skip_without_data
from chufei.dagkit.timetables import PeriodTimetable

PACKAGE = Asset("outbox.publicity_quarterly")


@dag(schedule=PeriodTimetable("quarter"), **period_dag("quarter"), tags=["statistics", "quarterly"], doc_md=__doc__)
def publicity_quarterly():
    @task(multiple_outputs=True, outlets=[PACKAGE])
    @skip_without_data
    def build_package(period_key: str) -> dict:
        from chufei.dagkit import period_run

        return period_run.build_report("publicity_quarterly", period_key)

    build_package(resolve_period("quarter"))


publicity_quarterly()
