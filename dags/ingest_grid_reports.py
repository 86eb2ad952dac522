"""
### 网格线索上报 — ingest grid-worker clue reports

**概要**：接收网格员上报的线索：从网格平台接口拉取（配置了 `grid_platform` 连接时），并读取 `inbox/grid/` 中的导出文件；
校验、去重后入库，不合格行连同原因保留。每30分钟运行一次。

*English:*

**Consumes**
- the grid platform's HTTP API (`GET /api/v1/clues`, contract in `docs/grid_api.md`) through the
  Airflow connection `grid_platform` (host + token). Without that connection the `pull_api`
  task is *skipped* with a log line saying so; exports are still ingested.
- CSV (UTF-8, UTF-8 with BOM, GBK — detected) and XLSX exports dropped into
  `<data dir>/inbox/grid_reports/`.

**For each API page / export** it archives the exact bytes (`archive/<sha256>.<ext>`), reads it in
bounded-memory chunks, normalises (区县代码 stays text, 估计金额(万元) → integer 分, 风险表现 split),
validates (GX suite `include/expectations/grid_report.json` plus 统一社会信用代码 check
character, 区县代码 in the units registry, code lists, cross-field rules, one row per clue and
version in a file), and loads each clue version exactly once by 线索编号 + 版本. Rejected rows are
kept with their reasons; each export gets a receipt `receipts/<sha256>.json|.txt`.

**Produces** the Asset `warehouse.grid_clues`: `grid_clue_version` (every version, history) and
`grid_clue_current` (the latest version of each clue); the API watermark in `grid_sync_state`.

**Re-run / fix**: safe to clear and re-run at any time. The API pull resumes from the watermark of
the last committed page (a page that failed loaded nothing); identical pages and files are
recorded as duplicates, never loaded twice. A bad export never fails the run — its receipt says
what is wrong; a broken database or platform fails the task, which is retried. To re-read the API
from the start, delete the `grid_api` row of `grid_sync_state` (loading stays idempotent).
"""

from __future__ import annotations

from airflow.sdk import Asset, dag, task

from chufei.dagkit import DEFAULT_ARGS, configured_start_date
from chufei.dagkit.schedules import ChineseCronTimetable

GRID_CLUES = Asset("warehouse.grid_clues")


@dag(
    schedule=ChineseCronTimetable("*/30 * * * *"),
    start_date=configured_start_date(),
    catchup=False,
    max_active_runs=1,
    max_active_tasks=1,
    default_args=DEFAULT_ARGS,
    tags=["ingest", "grid"],
    doc_md=__doc__,
)
def ingest_grid_reports():
    @task(multiple_outputs=True, outlets=[GRID_CLUES])
    def pull_api() -> dict:
        from chufei.ingest import grid_api
        from chufei.warehouse import runtime

        config = grid_api.config_from_airflow()
        if config is None:
            from airflow.sdk.exceptions import AirflowSkipException

            raise AirflowSkipException(f"Airflow connection '{grid_api.CONN_ID}' is not defined: "
                                       "skipping the grid platform API pull (exports are still ingested)")
        return grid_api.sync(runtime.warehouse_engine(), runtime.data(), config)

    @task(multiple_outputs=True, outlets=[GRID_CLUES])
    def ingest_exports() -> dict:
        from chufei.warehouse import runtime
        from chufei.ingest.grid import ingest_grid_files

        return ingest_grid_files(runtime.warehouse_engine(), runtime.data())

    # Independent leaves: a platform outage does not hold back the exports, and either failure
    # fails the run. One task at a time keeps SQLite writers apart.
    pull_api()
    ingest_exports()


ingest_grid_reports()
