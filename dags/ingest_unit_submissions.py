"""
### 各地各部门报送 — ingest unit submissions

**概要**：接收各地各部门报送的 Excel 报表（案件台账、风险监测台账、举报奖励、陈案处置进展、风险提示、行政处置、宣传教育）：
原文件按字节存档，逐行校验，合格行入库，不合格行连同原因保留，每个文件写回执。每30分钟运行一次；日志每个文件一行（单位、
报表、报告期、结果、行数）。

*English:*

**Consumes** every file dropped into `<data dir>/inbox/submissions/` (Excel workbooks filled in
from the templates: 案件台账, 风险监测台账, 举报奖励, 陈案处置进展, 风险提示, 行政处置, 宣传教育 —
see docs/datasets.md).

**For each file** it archives the exact bytes as `archive/<sha256>.<ext>`, takes it out of the
inbox, identifies kind, unit (填报单位) and period (报告期) from the workbook, normalises and
validates every row (GX suite `include/expectations/<dataset>.json` plus registry, period,
cross-field and uniqueness rules), loads the valid rows as the new current version for that
unit and period (earlier versions stay as history), keeps rejected rows with their reasons,
and writes a receipt `receipts/<sha256>.json` plus a Chinese `receipts/<sha256>.txt`.

Files that are not usable workbooks (empty, .xls, CSV, truncated, zip or XML bombs …) get a
receipt saying so and are archived too. 举报人 identities are stored only as keyed hashes.

**Produces** the warehouse datasets (Assets) `warehouse.case_ledger`, `warehouse.risk_ledger`,
`warehouse.report_reward`, `warehouse.old_case_progress`, `warehouse.risk_warning`,
`warehouse.admin_action`, `warehouse.publicity` (tables `<dataset>_row` joined with `submission`
where `is_current`; `warehouse.case_ledger` also triggers `submission_watch`),
archive copies in `archive/` and receipts in `receipts/`. The task log shows per file its status
and rows accepted / rejected, and the totals — never row contents.

**Schedule**: every 30 minutes (Asia/Shanghai); failures are reported on the
`[chufei] notify_channel`.

**Re-run / fix**: a bad file never fails the run; its receipt says what to fix. A corrected
file simply goes into the inbox again and replaces the earlier version. Identical bytes are
reported as a duplicate. A failed run (database down) is safe to clear and re-run: claimed
files wait in `work/submissions/` and are retried.

**Concurrency**: two runs may overlap (a manual run while a long scheduled one is busy); each
file is claimed by exactly one run (atomic rename plus a claim lock, see `chufei.inbox.claims`).
"""

from __future__ import annotations

from airflow.sdk import Asset, dag, task

from chufei.dagkit import DEFAULT_ARGS, configured_start_date
from chufei.dagkit.schedules import ChineseCronTimetable
from chufei.kinds.registry import DATASETS

# One Asset per kind units send here, from the kinds' registry (plain modules: cheap to import);
# tests/integration/test_ingest_unit_submissions_dag.py checks the task's outlets against it.
SUBMISSION_ASSETS = [Asset(f"warehouse.{name}") for name in DATASETS]


@dag(
    schedule=ChineseCronTimetable("*/30 * * * *"),
    start_date=configured_start_date(),
    catchup=False,
    max_active_runs=2,
    default_args=DEFAULT_ARGS,
    tags=["ingest", "submissions"],
    doc_md=__doc__,
)
def ingest_unit_submissions():
    @task(multiple_outputs=True, outlets=SUBMISSION_ASSETS)
    def ingest_inbox() -> dict:
        from dataclasses import asdict

        from chufei.warehouse import runtime
        from chufei.ingest.submissions import ingest_submissions

        return asdict(ingest_submissions(runtime.warehouse_engine(), runtime.data()))

    ingest_inbox()


ingest_unit_submissions()
