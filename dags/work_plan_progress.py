"""
### 工作要点任务进展 — the progress of the work plan's 26 tasks, month by month

每月末按工作要点的 26 项任务，逐项给出各责任单位和全市的进展状态（已完成、进行中、逾期未完成、无数据）及其依据：
有统计数据的任务（五、七、八、九、十、十一、十二、十四、十五、十七至二十二）按仓库中的数据对照目标判定，其余任务按各单位报送的
“工作任务完成情况”（完成日期和佐证材料）判定。这是综治考评（任务六）所需的任务台账。

**Consumes** the warehouse as of the month's end: the units' current returns (案件台账, 举报奖励, 风险监测台账, 陈案处置进展,
风险提示, 行政处置, 宣传教育), the grid clues, the advert-screening summary counts, the old-case figures of the case ledger and
the 工作任务完成情况 rows. How each task is judged, its responsible units and its target are reference data:
`include/reference/work_plan_progress.json` beside the plan's tasks and 时限 in `include/reference/work_plan_tasks.json`.

**Produces** `<data dir>/outbox/work_plan_progress/<YYYY-MM>/v<n>/` (and a `latest` file naming the newest version):
`work_plan_progress_<YYYY-MM>.xlsx` — per task its 时限, 判定依据, how many responsible units stand at each status,
the city-wide status and what it rests on — and `…_by_unit.xlsx`, per task and responsible unit its status, 完成日期 and
evidence. Each workbook has a UTF-8-BOM CSV twin; `manifest.json` lists the files and the submissions and grid loads
they rest on. Updates the Asset `outbox.work_plan_progress`. Definitions: docs/statistics.md.

**Period**: the run's data interval, one calendar month in Asia/Shanghai; statuses are as of its last day. A manual
run takes the `period` Param (e.g. `2020-06`). Months outside the plan's year write no package.

**Re-run / backfill**: re-running a month leaves its package untouched when nothing changed; a late return or
completion report that changes a status makes the next version beside the issued one. Backfill with
`airflow backfill create --dag-id work_plan_progress --from-date 2020-01-01 --to-date 2020-12-31`.
"""

from __future__ import annotations

from airflow.sdk import Asset, dag, task

from chufei.dagkit import period_dag, resolve_period
from chufei.dagkit.timetables import PeriodTimetable

PACKAGE = Asset("outbox.work_plan_progress")


@dag(schedule=PeriodTimetable("month"), **period_dag("month"), tags=["statistics", "monthly", "work_plan"],
     doc_md=__doc__)
def work_plan_progress():
    @task(multiple_outputs=True, outlets=[PACKAGE])
    def build_package(period_key: str) -> dict:
        from chufei.dagkit import period_run

        return period_run.build_report("work_plan_progress", period_key)

    build_package(resolve_period("month"))


work_plan_progress()
