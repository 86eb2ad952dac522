"""
### 报送时限监控 — submission_watch (daily, and after each ingest)

**概要**：报送时限监控：按工作方案的时限，逐单位逐事项核对按时、逾期、未报，写出完成情况矩阵（xlsx），并提醒逾期、未报的单位。
每天9点运行，收到新报送后也运行；要看某一天的情况请填截至日期，如 2020-12-31。

*English:*

**Consumes** the work plan's deadlines (`include/reference/work_plan_tasks.json`: the 26 tasks, which
unit kinds owe which submission for which period, and when), the unit registry
(`include/reference/units.csv`) and the warehouse's `submission` table (what arrived, when).

**Produces**
- warehouse table `submission_status`: units × due submissions, each `received` (on time), `late` or
  `missing` as of the end of the run's day, judged by when each unit's first file *arrived* in the
  inbox (not when it was processed; both are kept), a zero-row return (零报告) counted as submitted
  (replaced by every run);
- the package `<data dir>/outbox/submission_watch/<YYYY-MM-DD>/v<n>/`: `submission_matrix_<day>.xlsx`
  (表一 汇总 with 合计 per unit, then a part per group of kinds with a column per period — kind, period,
  时限 — and a 合计 row; A4 landscape), `submission_detail_<day>.xlsx` (one line per item with its arrival),
  their CSV twins and `manifest.json`; the same day and arrivals give the same bytes;
- reminders for missing items on the `[chufei] notify_channel` (log, webhook or email), each item at
  most once per day — recorded in the warehouse table `reminder_log`.

**Schedule**: every day at 09:00 Asia/Shanghai, and whenever `ingest_unit_submissions` updates the
Asset `warehouse.case_ledger`. **Day**: the run's date in Asia/Shanghai; a manual run takes the
`as_of` Param (e.g. `2020-12-31`).

**Re-run**: re-running a day replaces its matrix and xlsx; reminders already sent that day are not
sent again. To see the demo year: trigger with `as_of` = `2020-12-31`.
"""

from __future__ import annotations

from airflow.sdk import Asset, Param, dag, task

from chufei.dagkit import DEFAULT_ARGS, TIMEZONE, configured_start_date
from chufei.dagkit.schedules import ChineseAssetOrTimeSchedule, ChineseCronTimetable

# Updated by ingest_unit_submissions: a new submission refreshes the matrix without waiting a day.
CASE_LEDGER = Asset("warehouse.case_ledger")


@dag(
    schedule=ChineseAssetOrTimeSchedule(timetable=ChineseCronTimetable("0 9 * * *", timezone=TIMEZONE.key),
                                        assets=[CASE_LEDGER], about="案件台账"),
    start_date=configured_start_date(),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    params={"as_of": Param(None, type=["null", "string"], format="date", title="截至日期 as_of",
                           examples=["2020-12-31"],
                           description="截至日期应为 YYYY-MM-DD，如 2020-12-31（演示年份）；留空则为本次运行当天。"
                                       "Leave empty for the run's day.")},
    tags=["watch"],
    doc_md=__doc__,
)
def submission_watch():
    @task(multiple_outputs=True)
    def completeness_matrix() -> dict:
        from airflow.sdk import get_current_context

        from chufei.warehouse import runtime

        from chufei.ops import watch

        as_of = watch.as_of_from_context(get_current_context())
        return watch.run_watch(runtime.warehouse_engine(), runtime.data().outbox, as_of)

    @task(multiple_outputs=True)
    def remind_missing(summary: dict) -> dict:
        from datetime import date

        from chufei.warehouse import runtime

        from chufei.ops import watch

        return watch.remind(runtime.warehouse_engine(), date.fromisoformat(summary["as_of"]))

    remind_missing(completeness_matrix())


submission_watch()
