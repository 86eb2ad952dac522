"""
### 风险监测台账汇总 — risk-ledger rollup (6/20 and 12/10 snapshots)

**概要**：汇总各单位风险监测台账（6月20日、12月10日两次报送），列出新增风险主体，出具半年报表包。报送截止、宽限期过后运行；
手动补算请填报告期，如 2020H1。

*English:*

**Consumes** the current 风险监测台账 submissions of the half-year (`risk_ledger_row`, task 十) and the previous half-year's for “new since the last snapshot”.

**Produces** `<data dir>/outbox/risk_ledger_rollup/<YYYY>H<n>/v<n>/` (and a `latest` file naming the newest
version): `risk_ledger_rollup_<YYYY>H<n>.xlsx` per unit and 风险等级 — entries, new since the last snapshot, resolved (销号), still open, past 整改时限 on the snapshot day (6月20日 / 12月10日) — plus `…_missing_units.xlsx` (units that did not submit) and `…_city_ledger.xlsx` (the city-wide ledger for the province, 责任人 masked). Each workbook has a UTF-8-BOM CSV twin; `manifest.json` lists the files
(sha256, rows), the source files and the data version. Updates the Asset `outbox.risk_ledger_rollup`.
Definitions: docs/statistics.md.

**Period**: the run's data interval, one half-year in Asia/Shanghai (H1's snapshot is due 6月20日, H2's 12月10日). A manual run takes the `period` Param (e.g. `2020H1`).

**Re-run / backfill**: re-running a period leaves its package untouched when the figures are the
same; when late data changed them, the new package is written as the next version beside the
issued one. Backfill with
`airflow backfill create --dag-id risk_ledger_rollup --from-date 2020-01-01 --to-date 2020-12-31`.
"""

from __future__ import annotations

from airflow.sdk import Asset, dag, task

from chufei.dagkit import period_dag, resolve_period, skip_without_data
from chufei.dagkit.timetables import PeriodTimetable

PACKAGE = Asset("outbox.risk_ledger_rollup")


@dag(schedule=PeriodTimetable("risk_ledger"), **period_dag("risk_ledger"), tags=["statistics", "risk-ledger"], doc_md=__doc__)
def risk_ledger_rollup():
    @task(multiple_outputs=True, outlets=[PACKAGE])
    @skip_without_data
    def build_package(period_key: str) -> dict:
        from chufei.dagkit import period_run

        return period_run.build_report("risk_ledger_rollup", period_key)

    build_package(resolve_period("half"))


risk_ledger_rollup()
