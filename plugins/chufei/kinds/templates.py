"""The submission templates units fill in, generated from the kinds' column specs.

``write_submission`` also writes filled workbooks (the demo and the tests use it), so a
template and a submission have exactly the same shape.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from collections.abc import Iterable, Mapping

from chufei.core.settings import code_lists
from chufei.kinds.spec import Dataset, Kind, Rule
from chufei.core.xlsx import put, save_reproducibly

HEADER_ROW = 5
CODES_SHEET = "代码表"


def write_submission(path: Path, dataset: Dataset, unit_name: str = "", period_label: str = "",
                     rows: Iterable[Mapping[str, object]] = (), filled_by: str = "",
                     phone: str = "", filled_on: str = "") -> Path:
    """Write the template of ``dataset``; ``rows`` map column labels to cell values."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = dataset.title
    width = len(dataset.columns)
    last = get_column_letter(width)
    put(sheet, 1, 1, dataset.title).font = Font(size=16, bold=True)
    sheet.merge_cells(f"A1:{last}1")
    sheet["A1"].alignment = Alignment(horizontal="center")
    for row, pairs in ((2, (("填报单位：", unit_name), ("报告期：", period_label))),
                       (3, (("填表人：", filled_by), ("联系电话：", phone), ("填报日期：", filled_on)))):
        for index, (label, value) in enumerate(pairs):
            put(sheet, row, 1 + 4 * index, label).font = Font(bold=True)
            put(sheet, row, 2 + 4 * index, value)
    note = put(sheet, 4, 1, template_note(dataset))
    note.alignment = Alignment(wrap_text=True, vertical="top")
    total_width = sum(column.width for column in dataset.columns)
    if width > 1:
        sheet.merge_cells(f"A4:{last}4")
    sheet.row_dimensions[4].height = 15 * _lines(note.value, total_width) + 4
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    header_lines = 1
    for position, column in enumerate(dataset.columns, 1):
        cell = put(sheet, HEADER_ROW, position, column.label + ("*" if column.required else ""))
        cell.font, cell.fill = Font(bold=True), header_fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(position)].width = column.width
        header_lines = max(header_lines, _lines(cell.value, column.width))
    sheet.row_dimensions[HEADER_ROW].height = 15 * header_lines + 6
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    _page_setup(sheet)

    codes = book.create_sheet(CODES_SHEET)
    codes.sheet_state = "hidden"
    lists = code_lists()
    for position, (name, values) in enumerate(lists.items(), 1):
        put(codes, 1, position, name)
        for offset, value in enumerate(values, 2):
            put(codes, offset, position, value)
    list_column = {name: get_column_letter(position) for position, name in enumerate(lists, 1)}
    for position, column in enumerate(dataset.columns, 1):
        source = column.choices or ("是否" if column.kind == "flag" else None)
        if not source:
            continue
        letter = list_column[source]
        validation = DataValidation(type="list", allow_blank=not column.required,
                                    formula1=f"'{CODES_SHEET}'!${letter}$2:${letter}${len(lists[source]) + 1}",
                                    showErrorMessage=True, errorTitle="无效值",
                                    error=f"请从下拉列表选择{column.label}")
        target = get_column_letter(position)
        validation.add(f"{target}{HEADER_ROW + 1}:{target}{HEADER_ROW + 1000}")
        sheet.add_data_validation(validation)

    for offset, values in enumerate(rows, HEADER_ROW + 1):
        for position, column in enumerate(dataset.columns, 1):
            value = values.get(column.label)
            if value is not None:
                put(sheet, offset, position, value)
    save_reproducibly(book, path)
    return path


def _lines(text: str, width: float) -> int:
    """Lines ``text`` wraps to in a cell ``width`` units wide (a CJK character is about 2 units)."""
    import math
    import unicodedata

    units = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return max(1, math.ceil(units / max(width - 1, 1)))


def _page_setup(sheet) -> None:
    """A4 landscape, the columns fit to the page's width, so the title, the header fields and the
    instructions print on the first page with the column headers (repeated on every page)."""
    from openpyxl.worksheet.page import PageMargins

    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6, header=0.3, footer=0.3)
    sheet.print_options.horizontalCentered = True
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"


def template_note(dataset: Dataset) -> str:
    """The instruction line under the header fields; names the amount units the kind really uses."""
    units = [f"{c.label}单位为{'元' if c.kind == 'amount_yuan' else '万元'}"
             for c in dataset.columns if c.kind in ("amount_wan", "amount_yuan")]
    kinds = {c.kind for c in dataset.columns}
    if units and "amount_yuan" not in kinds:
        units = ["金额单位为万元"]
    return "说明：" + "；".join(units + ["日期填写如 2020-06-03", "带 * 的列为必填", "编码类列请从下拉列表选择"]) + "。"


def blank_template(folder: Path, dataset: Dataset) -> Path:
    """The blank template of a one-table kind, named after its title."""
    return write_submission(folder / f"{dataset.title}模板.xlsx", dataset)


def workbook_kind(dataset: Dataset, rules: tuple[Rule, ...] = (), inbox: str = "submissions") -> Kind:
    """A kind units send as this module's one-table workbook: its template, the suite of its name."""
    return Kind(name=dataset.name, title=dataset.title, inbox=inbox, period_kind=dataset.period_kind,
                suite=f"{dataset.name}.json", dataset=dataset, rules=rules,
                template=partial(blank_template, dataset=dataset))
