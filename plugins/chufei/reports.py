"""Statistical forms (统计报表) as xlsx with a UTF-8-BOM CSV twin, packaged with a manifest.

Form conventions (domain.md): a header block (表号, 制定机关, 报告期, 填报单位, 计量单位), a
coded body ending in a 合计 row, a footer block (单位负责人, 审核人, 填表人, 联系电话, 报出日期).
Figures are written as values, never formulas; text is always text. Same figures, same bytes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from chufei.config import office
from chufei.normalise import FEN_PER_WAN
from chufei.xlsx import csv_safe, put, save_reproducibly

FOOTER_FIELDS = ("单位负责人", "审核人", "填表人", "联系电话", "报出日期")
NUMBER_FORMATS = {"count": "#,##0", "wan": "#,##0.00####", "pct": "0.00", "text": "@"}


@dataclass(frozen=True)
class FormColumn:
    group: str  # upper header row (merged over its columns); equal to label for single columns
    label: str  # lower header row
    kind: str  # text | count | wan (value in 分, shown in 万元) | pct


@dataclass
class StatForm:
    title: str
    form_no: str
    period_label: str
    unit_of_measure: str
    columns: list[FormColumn]
    rows: list[list[object]]  # the last row is the 合计 row
    sheet: str = "统计表"
    notes: list[str] = field(default_factory=list)


def wan(fen: int) -> Decimal:
    """分 → 万元, exact: never rounded, so rows always add up to the 合计 row."""
    value = Decimal(fen) / FEN_PER_WAN
    return value.quantize(Decimal("0.01")) if value == value.quantize(Decimal("0.01")) else value.normalize()


def _cell(kind: str, value: object) -> object:
    if value is None:
        return None
    return wan(int(value)) if kind == "wan" else value


def _headers(form: StatForm) -> tuple[list[str], list[str]]:
    return [c.group for c in form.columns], [c.label for c in form.columns]


def write_xlsx(form: StatForm, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = form.sheet
    width = len(form.columns)
    last = get_column_letter(width)
    put(sheet, 1, 1, form.title).font = Font(size=16, bold=True)
    sheet.merge_cells(f"A1:{last}1")
    sheet["A1"].alignment = Alignment(horizontal="center")
    info = [("表号", form.form_no), ("制定机关", office()["office_name"]), ("报告期", form.period_label),
            ("填报单位", office()["office_name"]), ("计量单位", form.unit_of_measure)]
    for index, (label, value) in enumerate(info):
        put(sheet, 2 + index // 3, 1 + (index % 3) * max(1, width // 3), f"{label}：{value}")
    groups, labels = _headers(form)
    top = 5
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    position = 1
    while position <= width:
        group = groups[position - 1]
        span = 1
        while position + span <= width and groups[position + span - 1] == group and group != labels[position - 1]:
            span += 1
        put(sheet, top, position, group)
        if group == labels[position - 1] and span == 1:
            sheet.merge_cells(start_row=top, start_column=position, end_row=top + 1, end_column=position)
        else:
            if span > 1:
                sheet.merge_cells(start_row=top, start_column=position, end_row=top, end_column=position + span - 1)
            for offset in range(span):
                put(sheet, top + 1, position + offset, labels[position + offset - 1])
        position += span
    for row in (top, top + 1):
        for column in range(1, width + 1):
            cell = sheet.cell(row=row, column=column)
            cell.font, cell.border = Font(bold=True), border
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for offset, values in enumerate(form.rows, top + 2):
        is_total = offset == top + 1 + len(form.rows)
        for column_index, (column, value) in enumerate(zip(form.columns, values), 1):
            cell = put(sheet, offset, column_index, _cell(column.kind, value))
            cell.number_format = NUMBER_FORMATS[column.kind]
            cell.border = border
            if is_total:
                cell.font = Font(bold=True)
    footer_row = top + 2 + len(form.rows) + 1
    signatories = office().get("signatories", {})
    for index, label in enumerate(FOOTER_FIELDS):
        put(sheet, footer_row, 1 + index * max(1, width // len(FOOTER_FIELDS)),
            f"{label}：{signatories.get(label, '')}")
    for index, note in enumerate(form.notes, footer_row + 2):
        put(sheet, index, 1, note)
    for column_index, column in enumerate(form.columns, 1):
        sheet.column_dimensions[get_column_letter(column_index)].width = 16 if column.kind == "text" else 11
    sheet.freeze_panes = sheet.cell(row=top + 2, column=3 if width > 2 else 1)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{top}:{top + 1}"
    save_reproducibly(book, path)


def write_csv(form: StatForm, path: Path) -> None:
    """The CSV twin: one header line (group·label), the same rows, UTF-8 with BOM for Excel."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.label if c.group == c.label else f"{c.group}·{c.label}" for c in form.columns])
    for values in form.rows:
        writer.writerow(["" if v is None else csv_safe(_cell(c.kind, v)) for c, v in zip(form.columns, values)])
    path.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))


def sha256_bytes(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_package(folder: Path, report: str, period_key: str, forms: dict[str, StatForm],
                  sources: list[str]) -> dict:
    """Write each form as xlsx + csv into ``folder`` with a manifest; returns the manifest.

    ``forms`` maps a file stem to its form. The manifest lists every file with its sha256 and row
    count, the sha256 of every submitted file the figures came from, and a data version (a hash
    of those sources) so two packages of the same period can be told apart.
    """
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for stem, form in sorted(forms.items()):
        for suffix, writer in ((".xlsx", write_xlsx), (".csv", write_csv)):
            path = folder / f"{stem}{suffix}"
            writer(form, path)
            files.append({"name": path.name, "sha256": sha256_bytes(path), "bytes": path.stat().st_size,
                          "rows": len(form.rows)})
    manifest = {
        "report": report,
        "period": period_key,
        "data_version": hashlib.sha256("\n".join(sources).encode()).hexdigest()[:16],
        "sources": sources,
        "files": files,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                          encoding="utf-8")
    return manifest
