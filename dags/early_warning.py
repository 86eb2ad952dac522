"""
### 监测预警 — early_warning (daily, and after each ingest)

**概要**：监测预警：把网格线索、广告排查、风险监测台账、行政处置、案件台账中的主体归并为主体库，
按参考数据中的指标与分值给每个主体打分，列出红、橙、黄、蓝预警及其依据，连同区域异常升高预警写成当天的预警包；
新的红色预警通过通知渠道发出（每个主体每个等级只发一次）。每天8点运行，收到新的线索或报送后也运行；
要看某一天的情况请填截至日期，如 2020-12-31。

*English:*

**Consumes** the warehouse: grid clue versions, advert-screening rows, 风险监测台账, 行政处置 and
案件台账 rows, 预警核查反馈 rows; `include/reference/early_warning.json` (matching thresholds,
indicators, points, bands, spike settings, with a version) and `include/reference/entity_overrides.csv`
(officers' merges and splits). See `docs/early_warning.md`.

**Does and produces**
1. `update_register`: resolves the subjects of the rows that arrived since each inflow's high-water
   mark into the entity register (`entity`, `entity_event`); a change of the overrides or of the
   matching settings rebuilds it from the whole history.
2. `build_warnings`: applies the latest 预警核查反馈 on each warning, raises or updates warnings
   (`entity_warning`), and writes `<data dir>/outbox/early_warning/<YYYY-MM-DD>/v<n>/`: `warnings`
   (预警名单) and `warning_reasons` (each indicator's value, points and evidence rows), the day's
   `spike_alerts` and `spike_tests`, each as xlsx + CSV, `early_warning_summary.json` (version, bands,
   share of 属实 among checked warnings) and `manifest.json`. Names of natural persons are masked.
3. `notify_red`: new 红 warnings on the `[chufei] notify_channel`, once per entity and band
   (`warning_notice`).

**Schedule**: every day at 08:00 Asia/Shanghai, and whenever an ingest updates one of the Assets
`warehouse.grid_clues`, `warehouse.ad_screening`, `warehouse.risk_ledger`, `warehouse.admin_action`,
`warehouse.case_ledger`, `warehouse.warning_feedback`. **Day**: the run's date in Asia/Shanghai; a
manual run takes the `as_of` Param (e.g. `2020-12-31`).

**Re-run**: safe at any time. The register reads only what is new; a day's package with the same
data is not rewritten (same bytes), new data gives the day a new version; a notice already sent is
not sent again.
"""

from __future__ import annotations

from airflow.sdk import Asset, Param, dag, task

from chufei.dagkit import DEFAULT_ARGS, TIMEZONE, configured_start_date
from chufei.dagkit.schedules import ChineseAssetOrTimeSchedule, ChineseCronTimetable

# What the ingest DAGs update: a new clue, advert, ledger, action, case or feedback triggers a run.
INFLOWS = [Asset(name) for name in ("warehouse.grid_clues", "warehouse.ad_screening", "warehouse.risk_ledger",
                                    "warehouse.admin_action", "warehouse.case_ledger", "warehouse.warning_feedback")]


@dag(
    schedule=ChineseAssetOrTimeSchedule(timetable=ChineseCronTimetable("0 8 * * *", timezone=TIMEZONE.key),
                                        assets=INFLOWS, about="网格线索、广告排查或相关报送"),
    start_date=configured_start_date(),
    catchup=False,
    max_active_runs=1,
    max_active_tasks=1,
    default_args=DEFAULT_ARGS,
    params={"as_of": Param(None, type=["null", "string"], format="date", title="截至日期 as_of",
                           examples=["2020-12-31"],
                           description="截至日期应为 YYYY-MM-DD，如 2020-12-31（演示年份）；留空则为本次运行当天。"
                                       "Leave empty for the run's day.")},
    tags=["watch", "early_warning"],
    doc_md=__doc__,
)
def early_warning():
    @task(multiple_outputs=True)
    def update_register() -> dict:
        from chufei.warehouse import runtime
        from chufei.warehouse.entities import update_register

        return update_register(runtime.warehouse_engine())

    @task(multiple_outputs=True)
    def build_warnings(register: dict) -> dict:  # noqa: ARG001 - runs after the register's update
        from airflow.sdk import get_current_context

        from chufei.ops.watch import as_of_from_context
        from chufei.outbox.early_warning import run_day
        from chufei.warehouse import runtime

        return run_day(runtime.warehouse_engine(), runtime.data(), as_of_from_context(get_current_context()))

    @task(multiple_outputs=True)
    def notify_red(summary: dict) -> dict:
        from datetime import date

        from chufei.ops.notify import notify_red_warnings
        from chufei.warehouse import runtime

        return notify_red_warnings(runtime.warehouse_engine(), date.fromisoformat(summary["as_of"]))

    notify_red(build_warnings(update_register()))


early_warning()
