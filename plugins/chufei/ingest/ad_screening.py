"""Advert / information screening results (广告资讯信息排查清理), task 二十二 (May–Sept campaign).

A unit sends one workbook per month: a detail sheet (one row per checked advert or message) and a
summary sheet (排查汇总: 出动人次, 检查户数, 核查条数, 线上监测条次, 清理条数, 移送线索数). Unit and
period come from the workbook (填报单位, 报告期), as for unit submissions, and so do the rules:
archive byte-for-byte, receipt, rejected rows kept with reasons, and a corrected workbook for the
same unit and month replaces the earlier version (kept as history in ``submission``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.engine import Engine

from chufei.core import normalise

from chufei.warehouse import schema as warehouse
from chufei.core.settings import DataDir
from chufei.kinds.datasets import Column, Dataset
from chufei.ingest.submissions import IngestSummary, process_inbox, receive, record_submission
from chufei.warehouse.inflow_schema import ad_screening_summary
from chufei.inbox.receipts import Receipt
from chufei.validate.validation import RowValidator
from chufei.read.workbook import FileRejected, ParsedWorkbook, _find_header, _read_sheet, label_key, open_workbook

SOURCE = "ad_screening"
SUMMARY_SHEET = "排查汇总"

AD_SCREENING = Dataset(
    name="ad_screening",
    title="广告资讯信息排查清理",
    period_kind="month",
    key=("screened_date", "platform", "publisher", "summary"),
    aliases=("广告资讯排查清理", "涉非广告资讯排查"),
    columns=(
        Column("screened_date", "排查日期", "date", width=12),
        Column("reporting_unit", "填报单位", "text", required=False, width=16),
        Column("carrier", "载体类型", "text", width=10),
        Column("platform", "媒体或平台名称", "text", width=20),
        Column("publisher", "发布主体", "text", width=24),
        Column("credit_code", "统一社会信用代码", "text", required=False, width=22),
        Column("summary", "内容摘要", "text", width=36),
        Column("keywords", "命中关键词", "text", required=False, width=16),
        Column("licensed", "是否持牌", "flag", width=10),
        Column("action", "处置措施", "text", width=12),
        Column("action_date", "处置日期", "date", required=False, width=12),
    ),
)
CARRIERS = ("报刊", "广电", "户外", "传单", "短信", "网站", "微博", "微信", "APP")
ACTIONS = ("责令整改", "删除", "立案", "移送公安")


@dataclass(frozen=True)
class Count:
    name: str
    label: str


SUMMARY_COUNTS = (Count("staff_deployed", "出动人次"), Count("premises_checked", "检查户数"),
                  Count("items_verified", "核查条数"), Count("online_monitored", "线上监测条次"),
                  Count("items_removed", "清理条数"), Count("clues_transferred", "移送线索数"))


# --- Reading ---------------------------------------------------------------------------------

@dataclass
class ParsedScreening:
    detail: ParsedWorkbook
    counts: dict[str, int | None]
    summary_issues: list[dict] = field(default_factory=list)


def read_screening(path: Path) -> ParsedScreening:
    """Identify the detail sheet (header row), unit and period; read the summary counts."""
    with open_workbook(path) as book:
        detail = summary = None
        for sheet in book.worksheets:
            if getattr(sheet, "sheet_state", "visible") != "visible":
                continue
            top = [tuple(row) for row in sheet.iter_rows(max_row=30, values_only=True)]
            found = _find_header(top, AD_SCREENING)
            if found and detail is None:
                detail = _read_sheet(sheet, AD_SCREENING, top, *found)
            elif summary is None and _label_cells(top):
                summary = sheet
        if detail is None:
            raise FileRejected("未识别出广告资讯排查明细表：没有找到表头行（排查日期、载体类型、媒体或平台名称…），"
                               "请使用处非办下发的模板")
        if summary is None:
            raise FileRejected(f"缺少“{SUMMARY_SHEET}”工作表（出动人次、检查户数、核查条数…），请使用处非办下发的模板")
        counts, issues = _read_counts(summary)
        return ParsedScreening(detail, counts, issues)


def _label_cells(rows: list[tuple]) -> dict[str, tuple[int, int]]:
    wanted = {label_key(c.label): c.name for c in SUMMARY_COUNTS}
    found = {}
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            if label_key(cell) in wanted:
                found[wanted[label_key(cell)]] = (r, c)
    return found


def _read_counts(sheet) -> tuple[dict[str, int | None], list[dict]]:
    from openpyxl.utils import get_column_letter

    rows = [tuple(row) for row in sheet.iter_rows(max_row=60, values_only=True)]
    cells = _label_cells(rows)
    counts: dict[str, int | None] = {}
    issues = []
    for count in SUMMARY_COUNTS:
        if count.name not in cells:
            counts[count.name] = None
            issues.append({"sheet": sheet.title, "row": None, "column": count.label, "cell": None, "value": None,
                           "message": f"汇总表缺少“{count.label}”"})
            continue
        r, c = cells[count.name]
        following = [(offset, v) for offset, v in enumerate(rows[r][c + 1:], c + 1) if v not in (None, "")]
        offset, raw = following[0] if following else (c + 1, None)
        where = f"{get_column_letter(offset + 1)}{r + 1}"
        try:
            counts[count.name] = normalise.parse_count(raw)
        except ValueError as error:
            counts[count.name] = None
            issues.append({"sheet": sheet.title, "row": r + 1, "column": count.label, "cell": where,
                           "value": raw, "message": str(error)})
            continue
        if counts[count.name] is None:
            issues.append({"sheet": sheet.title, "row": r + 1, "column": count.label, "cell": where,
                           "value": None, "message": f"“{count.label}”未填写（没有请填 0）"})
    return counts, issues


# --- Ingest ----------------------------------------------------------------------------------

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
    result = RowValidator(detail).run()
    receipt.unit = {"code": detail.unit.code, "name": detail.unit.name}
    receipt.period, receipt.period_label = detail.period.key, detail.period.label
    receipt.counts = {"rows": len(detail.rows), "accepted": len(result.valid), "rejected": len(result.rejected)}
    receipt.errors = [issue.as_dict() for issue in result.issues] + parsed.summary_issues
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


# --- Template ----------------------------------------------------------------------------------

def write_screening(path: Path, unit_name: str = "", period_label: str = "", rows=(),
                    counts: dict[str, object] | None = None, filled_by: str = "", phone: str = "",
                    filled_on: str = "") -> Path:
    """The template (no rows) or a filled workbook: detail sheet plus the 排查汇总 sheet."""
    from openpyxl import load_workbook
    from openpyxl.styles import Font

    from chufei.kinds.templates import write_submission
    from chufei.core.xlsx import put, save_reproducibly

    write_submission(path, AD_SCREENING, unit_name, period_label, rows, filled_by, phone, filled_on)
    book = load_workbook(path)
    detail = book[AD_SCREENING.title]
    put(detail, 4, 1, f"说明：载体类型填 {'/'.join(CARRIERS)}；处置措施填 {'/'.join(ACTIONS)}；"
                      "日期填写如 2020-06-03；带 * 的列为必填。")
    sheet = book.create_sheet(SUMMARY_SHEET, 1)
    put(sheet, 1, 1, f"{AD_SCREENING.title}汇总").font = Font(size=14, bold=True)
    put(sheet, 2, 1, "项目").font = Font(bold=True)
    put(sheet, 2, 2, "数量").font = Font(bold=True)
    for offset, count in enumerate(SUMMARY_COUNTS, 3):
        put(sheet, offset, 1, count.label)
        value = (counts or {}).get(count.label)
        if value is not None:
            put(sheet, offset, 2, value)
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 12
    save_reproducibly(book, path)
    return path


def write_template(folder: Path) -> Path:
    """The blank workbook units fill in: ``<folder>/广告资讯信息排查清理模板.xlsx``."""
    return write_screening(folder / f"{AD_SCREENING.title}模板.xlsx")
