"""Reading an advert screening workbook: its detail table and its 排查汇总 counts.

The detail sheet is read like any submission (``chufei.read.workbook.read_table``: unit and period
from the sheet's header fields); the summary sheet is found by its labels, wherever they stand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from chufei.core import normalise
from chufei.kinds.ad_screening import AD_SCREENING, SUMMARY_COUNTS, SUMMARY_SHEET
from chufei.read.workbook import FileRejected, ParsedWorkbook, header_rows, label_key, open_workbook, read_table


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
            top = header_rows(sheet)
            table = read_table(sheet, AD_SCREENING, top) if detail is None else None
            if table is not None:
                detail = table
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
