"""
### 形势分析 — half-year and annual situation analysis

**概要**：形势分析：上半年与全年的案件走势、分地区分行业情况，并附文字摘要（含风险提示、广告排查的防范工作情况，以及网格监测和宣传教育情况）。半年结束次月15日后运行；
手动补算请填报告期，2020H1 为上半年，2020 为全年。

*English:*

**Consumes** the warehouse's current case facts and administrative actions (the same facts as
the case-statistics forms), and for the summary's prevention paragraph the current 风险提示 and
advert-screening (排查汇总) submissions; for its grid and publicity paragraph the grid-worker clues
(with the grid register) and the current 宣传教育 submissions (with the community list).

**Produces** `<data dir>/outbox/situation_analysis/<YYYYH1 | YYYY>/v<n>/` (and `latest`):
- `…_by_month.xlsx` — monthly trend (新发案件数 and 涉案金额 against the same month a year
  earlier, 集资参与人数, 行政处置数, 存量办结数) with a line chart;
- `…_by_district.xlsx`, `…_by_industry.xlsx` — 本期, 上年同期, 同比% by territorial unit and
  by 行业领域, with bar charts;
- `…_old_cases.xlsx` — the 陈案 stock and its resolution, the figures the summary quotes;
- `…_grid_monitoring.xlsx`, `…_publicity.xlsx`, `…_publicity_targets.xlsx` — the 网格监测 and 宣传教育
  forms over the span, the figures of the summary's 网格监测和宣传教育 paragraph;
- `…_通报.docx` — the bulletin as a Word document in the official-document layout (GB/T 9704-2012):
  the summary, the district and 行业领域 tables and the trend charts, dated with the 报出日期;
- `…_summary.txt` — a short generated Chinese summary with the key figures and their 同比 for
  the bulletin (通报), the period's risk warnings and advert-screening work, grid monitoring and publicity;
- CSV twins and `manifest.json`. Updates the Asset `outbox.situation_analysis`.

**Period**: the run's data interval is a half-year in Asia/Shanghai. The first half-year's run
writes the half-year analysis (`2020H1`); the second half-year's run writes the annual
analysis (`2020`). A manual run takes the `period` Param: `2020H1` or `2020`.

**Re-run / backfill**: re-running leaves the package untouched when the figures are the same;
changed data makes the next version beside the issued one. Backfill with
`airflow backfill create --dag-id situation_analysis --from-date 2020-01-01 --to-date 2020-12-31`.
"""

from __future__ import annotations

from airflow.sdk import Asset, Param, dag, task

from chufei.core.periods import ANALYSIS_FORM
from chufei.dagkit import period_dag, skip_without_data
from chufei.dagkit.timetables import PeriodTimetable

PACKAGE = Asset("outbox.situation_analysis")


# Its period Param differs from the others': H1 is the half-year analysis, a year the annual one.
ANALYSIS_PERIOD = Param(None, type=["null", "string"], pattern=ANALYSIS_FORM[0], title="报告期 period",
                        examples=["2020H1", "2020"],
                        description=f"{ANALYSIS_FORM[2]}。留空则按本次运行的数据区间分析（上半年区间 → 上半年，"
                                    "下半年区间 → 全年）。Leave empty to analyse the run's data interval.")


@dag(schedule=PeriodTimetable("half"), **(period_dag("half") | {"params": {"period": ANALYSIS_PERIOD}}), tags=["statistics", "analysis"],
     doc_md=__doc__)
def situation_analysis():
    @task
    def resolve_period() -> str:
        from airflow.sdk import get_current_context

        from chufei.dagkit import run_period
        from chufei.core.periods import parse_period
        from chufei.outbox.situation import analysis_period

        context = get_current_context()
        if (context.get("params") or {}).get("period"):
            return parse_period(context["params"]["period"]).key
        return analysis_period(run_period("half", context)).key

    @task(multiple_outputs=True, outlets=[PACKAGE])
    @skip_without_data
    def build_package(period_key: str) -> dict:
        from chufei.dagkit import period_run

        return period_run.build_report("situation_analysis", period_key)

    build_package(resolve_period())


situation_analysis()
