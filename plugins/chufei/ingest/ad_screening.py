"""Advert / information screening results (广告资讯信息排查清理): from the inbox to the warehouse.

Unit and period come from the workbook (填报单位, 报告期), as for unit submissions, and so do the
rules: archive byte-for-byte, receipt, rejected rows kept with reasons, a month that had not
ended when the file arrived refused and dates after the arrival row errors, and a corrected
workbook for the same unit and month replaces the earlier version (kept as history in ``submission``).
The kind itself (columns, template) is ``chufei.kinds.ad_screening``; reading it,
``chufei.read.ad_screening``.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.engine import Engine

from chufei.core.settings import DataDir
from chufei.inbox.receipts import Receipt
from chufei.ingest.submissions import (IngestSummary, process_inbox, receive, record_submission,
                                      refuse_unfinished_period)
from chufei.kinds.ad_screening import AD_SCREENING, SOURCE
from chufei.read.ad_screening import ParsedScreening, read_screening
from chufei.read.workbook import FileRejected
from chufei.validate.validation import RowValidator
from chufei.warehouse import schema as warehouse
from chufei.warehouse.inflow_schema import ad_screening_summary


def ingest_ad_screening(engine: Engine, data: DataDir) -> dict:
    """Process every workbook in inbox/ad_screening; returns counts for the task log and XCom."""
    warehouse.ensure_schema(engine)
    return asdict(process_inbox(data, SOURCE, lambda path, name: ingest_screening_file(engine, data, path, name),
                                IngestSummary()))


def ingest_screening_file(engine: Engine, data: DataDir, path: Path, original_name: str) -> Receipt:
    receipt, archived = receive(engine, data, path, original_name, SOURCE, AD_SCREENING.name, AD_SCREENING.title)
    if archived is None:
        return receipt
    try:
        parsed = read_screening(path)
    except FileRejected as rejection:
        receipt.message, receipt.errors = rejection.message, [rejection.as_error()]
        return _record(engine, receipt, archived, path)
    detail = parsed.detail
    receipt.unit = {"code": detail.unit.code, "name": detail.unit.name}
    receipt.period, receipt.period_label = detail.period.key, detail.period.label
    arrived_on, too_early = refuse_unfinished_period(receipt, detail)
    if too_early:
        return _record(engine, receipt, archived, path)
    result = RowValidator(detail, arrived_on).run()
    receipt.counts = {"rows": len(detail.rows), "accepted": len(result.valid), "rejected": len(result.rejected)}
    receipt.errors = [issue.as_dict() for issue in result.issues] + parsed.summary_issues
    receipt.warnings = detail.warnings
    if result.rejected or parsed.summary_issues:
        receipt.status = "partially_accepted"
    else:
        receipt.status = "accepted"
    if result.rejected and not result.valid and detail.rows:
        receipt.message = "明细表所有数据行均未通过校验；汇总数已接收"
    return _record(engine, receipt, archived, path, parsed, result)


def _record(engine: Engine, receipt: Receipt, archived: Path, path: Path, parsed: ParsedScreening | None = None,
            result=None) -> Receipt:
    """As every submission (``ingest.record_submission``), plus the 排查汇总 counts beside the version."""
    if parsed is None:
        return record_submission(engine, receipt, archived, path)

    def summary_counts(connection, submission_id: int) -> None:
        connection.execute(insert(ad_screening_summary), {
            "submission_id": submission_id, "unit_code": parsed.detail.unit.code,
            "period_start": parsed.detail.period.start, **parsed.counts})

    return record_submission(engine, receipt, archived, path, parsed.detail, result, with_version=summary_counts)
