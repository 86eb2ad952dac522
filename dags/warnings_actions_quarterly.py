"""
### 风险提示、行政处置与广告资讯排查统计 — risk warnings, administrative actions, advert screening

**概要**：按季度汇总风险提示、行政处置和广告资讯排查情况，出具季报表包（xlsx、CSV、manifest）。季度结束次月10日报送截止后运行；
手动补算请填报告期，如 2020Q2。

*English:*

**Consumes** the current 风险提示 (`risk_warning_row`, task 十一) and 行政处置 (`admin_action_row`, task 十五) submissions
and the advert-screening workbooks (`ad_screening_row`, `ad_screening_summary`, task 二十二) loaded by `ingest_ad_screening`.

**Produces** `<data dir>/outbox/warnings_actions_quarterly/<YYYY>Q<n>/v<n>/` (and a `latest` file naming the newest
version): `…_risk_warnings.xlsx` — warnings per territorial unit, 本期 and 本年累计, against the target of ≥3 a year — and `…_admin_actions.xlsx` — actions by type (约谈劝导, 函告提示, 责令停止, 行政处罚), 本期 and 本年累计, with 罚没金额; `…_ad_screening.xlsx` — the units' 排查汇总 counts (出动人次, 检查户数, 核查条数,
线上监测条次, 清理条数, 移送线索数), 本期 and 本年累计 — and `…_ad_screening_detail.xlsx` — the checked adverts of the quarter by
载体类型 and 处置措施. Each workbook has a UTF-8-BOM CSV twin; `manifest.json` lists the files
(sha256, rows), the source files and the data version. Updates the Asset `outbox.warnings_actions_quarterly`.
Definitions: docs/statistics.md.

**Period**: the run's data interval, one calendar quarter in Asia/Shanghai; the fourth quarter's 本年累计 is the year. A manual run takes the `period` Param (e.g. `2020Q3`).

**Re-run / backfill**: re-running a period leaves its package untouched when the figures are the
same; when late data changed them, the new package is written as the next version beside the
issued one. Backfill with
`airflow backfill create --dag-id warnings_actions_quarterly --from-date 2020-01-01 --to-date 2020-12-31`.
"""

from __future__ import annotations

from airflow.sdk import Asset, dag, task

from chufei.dagkit import period_dag, resolve_period, skip_without_data
from chufei.dagkit.timetables import PeriodTimetable

PACKAGE = Asset("outbox.warnings_actions_quarterly")


@dag(schedule=PeriodTimetable("quarter"), **period_dag("quarter"), tags=["statistics", "quarterly"], doc_md=__doc__)
def warnings_actions_quarterly():
    @task(multiple_outputs=True, outlets=[PACKAGE])
    @skip_without_data
    def build_package(period_key: str) -> dict:
        from chufei.dagkit import period_run

        return period_run.build_report("warnings_actions_quarterly", period_key)

    build_package(resolve_period("quarter"))


warnings_actions_quarterly()
