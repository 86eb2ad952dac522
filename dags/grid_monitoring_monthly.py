"""
### 网格监测月报 — grid monitoring of illegal fundraising clues (task 七)

每月按区县和乡镇街道统计网格员上报的涉非线索：上报线索数（按发现方式）、研判结果、移交单位、月末处置状态、
办结数、办结率、办结用时中位数、无上报网格，以及风险表现和行业领域排名；本月与本年累计，每条线索取月末已知的最新版本。

**Consumes** the grid-worker clues in the warehouse (`grid_clue_version`, loaded by `ingest_grid_reports`
from the platform's exports and API), each clue in the version it had at the month's end: the highest
版本 known by then (from its 更新时间; an export version without one is not known before its 办结日期).

**Produces** `<data dir>/outbox/grid_monitoring_monthly/<YYYY-MM>/v<n>/` (and a `latest` file naming the
newest version): `grid_monitoring_monthly_<YYYY-MM>.xlsx` — per district (小计) and 乡镇街道, with a 合计 row:
上报线索数 by 发现方式 (巡查, 走访, 群众反映), 研判结果 (疑似, 排除, 移交), known grids (the register `include/reference/grids.csv`, and any other grid a clue names) and grids with no
report, 处置状态 at the month's end, 办结数, 办结率 and the median days from 上报 to 办结 — and
`…_year_to_date.xlsx`, the same from January; `…_transfers(_year_to_date).xlsx` — 移交 by 移交单位;
`…_silent_grids.xlsx` — the grids with no report in the month; `…_risk_signs.xlsx` and `…_industries.xlsx` —
every 风险表现 and 行业领域 ranked by the month's clues. Each workbook has a UTF-8-BOM CSV twin;
`manifest.json` lists the files (sha256, rows), the grid files and API pages the clues came in (sources) and
the data version. Updates the Asset `outbox.grid_monitoring_monthly`. Definitions: docs/statistics.md.

**Period**: the run's data interval, one calendar month in Asia/Shanghai. A manual run takes the `period`
Param (e.g. `2020-06`).

**Re-run / backfill**: re-running a month leaves its package untouched when the figures are the same;
when late clue versions changed them, the new package is written as the next version beside the issued
one. Backfill with
`airflow backfill create --dag-id grid_monitoring_monthly --from-date 2020-01-01 --to-date 2020-12-31`.
"""

from __future__ import annotations

from airflow.sdk import Asset, dag, task

from chufei.dagkit import period_dag, resolve_period
from chufei.dagkit.timetables import PeriodTimetable

PACKAGE = Asset("outbox.grid_monitoring_monthly")


@dag(schedule=PeriodTimetable("month"), **period_dag("month"), tags=["statistics", "monthly"], doc_md=__doc__)
def grid_monitoring_monthly():
    @task(multiple_outputs=True, outlets=[PACKAGE])
    def build_package(period_key: str) -> dict:
        from chufei.dagkit import period_run

        return period_run.build_report("grid_monitoring_monthly", period_key)

    build_package(resolve_period("month"))


grid_monitoring_monthly()
