"""
### 广告资讯信息排查清理 — ingest advert-screening results

**概要**：接收各单位报送的广告资讯信息排查清理工作簿（`inbox/ad_screening/`）：逐行校验，合格行入库，
不合格行连同原因保留，每个文件都有回执。每30分钟运行一次，重复报送的相同文件不会重复入库。

*English:*

**Consumes** the workbooks units drop into `<data dir>/inbox/ad_screening/` (template
`广告资讯信息排查清理模板.xlsx`, written by `make demo` into `<data dir>/templates/`): a detail sheet
with one row per checked advert or message (排查日期, 填报单位, 载体类型, 媒体或平台名称, 发布主体,
统一社会信用代码, 内容摘要, 命中关键词, 是否持牌, 处置措施, 处置日期) and a summary sheet 排查汇总
(出动人次, 检查户数, 核查条数, 线上监测条次, 清理条数, 移送线索数). The unit (填报单位) and the
month (报告期) come from the workbook. Task 二十二: campaign May–September, plus routine months.

**For each file** it archives the exact bytes (`archive/<sha256>.xlsx`), takes it out of the inbox,
validates every detail row (GX suite `include/expectations/ad_screening.json` plus the
统一社会信用代码 check character, 排查日期 within the month, carrier/measure consistency,
unique rows), loads the valid rows and the summary counts as the new current version for that
unit and month, keeps rejected rows with their reasons, and writes a receipt
`receipts/<sha256>.json|.txt`.

**Produces** the Asset `warehouse.ad_screening`: tables `ad_screening_row` and
`ad_screening_summary`, versioned through `submission` (dataset `ad_screening`).

**Re-run / fix**: a bad file never fails the run; its receipt says what to fix. A corrected
workbook for the same unit and month replaces the earlier version (kept as history); identical
bytes are reported as a duplicate. A failed run (database down) is safe to clear and re-run:
claimed files wait in `work/ad_screening/` and are retried.
"""

from __future__ import annotations

from airflow.sdk import Asset, dag, task

from chufei.dagkit import DEFAULT_ARGS, configured_start_date
from chufei.dagkit.schedules import ChineseCronTimetable

AD_SCREENING = Asset("warehouse.ad_screening")


@dag(
    schedule=ChineseCronTimetable("*/30 * * * *"),
    start_date=configured_start_date(),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["ingest", "ad_screening"],
    doc_md=__doc__,
)
def ingest_ad_screening():
    @task(multiple_outputs=True, outlets=[AD_SCREENING])
    def ingest_inbox() -> dict:
        from chufei.warehouse import runtime
        from chufei.ingest.ad_screening import ingest_ad_screening as ingest

        return ingest(runtime.warehouse_engine(), runtime.data())

    ingest_inbox()


ingest_ad_screening()
