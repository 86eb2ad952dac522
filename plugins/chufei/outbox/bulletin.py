"""The situation analysis as a Word bulletin (通报), laid out as GB/T 9704-2012 asks.

A4; 天头 37 mm and 订口 28 mm, so the type area is 156 × 225 mm; 22 lines of 3号 type a page.
Title 2号 in a bold Song face (宋体 bold, the standard's fallback for 小标宋); body 3号 仿宋 with
a two-character indent; first-level headings (一、) in 黑体, tables and charts numbered 表1 / 图1
with their titles; the closing block (发文机关, then 成文日期 in Arabic numerals, right-aligned);
page numbers "— 1 —" in 4号 宋体 at the bottom. Its text is the generated summary and its
tables are rows of the package's own forms, so every figure in it is one of theirs.
Same content, same bytes (fixed zip times and document properties).
"""

from __future__ import annotations

import io
from datetime import datetime

from chufei.core.settings import office
from chufei.outbox.layout import _cell, displayed_rows, issued_label
from chufei.outbox.png import chart_png
from chufei.statistics.forms import StatForm

TITLE_FONT, BODY_FONT, HEADING_FONT = "宋体", "仿宋", "黑体"
TITLE_PT, BODY_PT, PAGE_NO_PT, TABLE_PT = 22, 16, 14, 10.5
LINE_PT = 28.95  # 225 mm ÷ 22 lines
FIXED_TIME = datetime(2000, 1, 1)


def _font(run, name: str, size: float, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name, run.font.size, run.font.bold = name, Pt(size), bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _paragraph(doc, text: str = "", font: str = BODY_FONT, size: float = BODY_PT, bold: bool = False,
               align=None, indent: bool = True):
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt

    paragraph = doc.add_paragraph()
    style = paragraph.paragraph_format
    style.line_spacing_rule, style.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(LINE_PT)
    style.space_before = style.space_after = Pt(0)
    if indent:
        style.first_line_indent = Pt(size * 2)
    if align is not None:
        paragraph.alignment = align
    if text:
        _font(paragraph.add_run(text), font, size, bold)
    return paragraph


def _page_numbers(section) -> None:
    """"— n —" centred in the footer: a PAGE field between two dashes."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(paragraph.add_run("— "), TITLE_FONT, PAGE_NO_PT)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = paragraph.add_run("1")
    _font(run, TITLE_FONT, PAGE_NO_PT)
    field.append(run._element)
    paragraph._p.append(field)
    _font(paragraph.add_run(" —"), TITLE_FONT, PAGE_NO_PT)


TEXT_WIDTH_MM = 156  # the type area's width (GB/T 9704)
HALF_EM_MM = TABLE_PT / 2 * 25.4 / 72  # a digit or Latin letter of the tables' font
CELL_MARGINS_MM = 4
NAME_COLUMN_MM, MIN_COLUMN_MM = 24, 15
BOLD_FACTOR = 1.25  # digits are wider than half an em, and the 合计 row's are bold


def _fit_columns(table, rows: list[list[str]]) -> None:  # noqa: ANN001
    """Column widths from what the cells hold, so that a figure (139,352.72) never breaks over two
    lines: each column as wide as its widest value, scaled to fill the type area; headers wrap."""
    import unicodedata

    from docx.shared import Mm

    def width(text: str) -> float:
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text) * HALF_EM_MM + CELL_MARGINS_MM

    def need(index: int) -> float:
        values = [row[index] for row in rows]
        if any(unicodedata.east_asian_width(ch) in "WF" for text in values for ch in text):
            return min(max(map(width, values)), NAME_COLUMN_MM)  # names wrap; figures must not
        return max([width(text) * BOLD_FACTOR for text in values] + [MIN_COLUMN_MM])

    needs = [need(index) for index in range(len(table.columns))]
    factor = TEXT_WIDTH_MM / sum(needs)
    table.autofit = False
    widths = [Mm(round(need * factor, 1)) for need in needs]
    for grid_column, column_width in zip(table._tbl.tblGrid.gridCol_lst, widths, strict=True):
        grid_column.w = column_width  # LibreOffice lays a table out by its grid, Word by its cells
    for column, column_width in zip(table.columns, widths, strict=True):
        for cell in column.cells:
            cell.width = column_width


def _table(doc, form: StatForm, columns: list[int], caption: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    _paragraph(doc, caption, HEADING_FONT, BODY_PT, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    table = doc.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    for cell, index in zip(table.rows[0].cells, columns, strict=True):
        column = form.columns[index]
        label = column.label if column.group == column.label else f"{column.group}\n{column.label}"
        _font(cell.paragraphs[0].add_run(label), HEADING_FONT, TABLE_PT)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    texts: list[list[str]] = [[]]  # the header row's labels wrap: only the values size the columns
    for values in displayed_rows(form):  # a base never reported is "—", as on the form
        cells = table.add_row().cells
        texts.append([])
        for cell, index in zip(cells, columns, strict=True):
            value = _cell(form.columns[index].kind, values[index])
            text = "" if value is None else (f"{value:,}" if not isinstance(value, str) else value)
            texts[-1].append(text)
            _font(cell.paragraphs[0].add_run(text), BODY_FONT, TABLE_PT, bold=values[1] == "合计")
            if not isinstance(value, str):
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _fit_columns(table, texts[1:])
    if any(column in columns for _, column in form.no_data):
        for note in (n for n in form.notes if "“—”" in n):
            _paragraph(doc, note, BODY_FONT, TABLE_PT, indent=False)


def _figure(doc, kind: str, series: list[list[float]], caption: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    paragraph = _paragraph(doc, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    paragraph.paragraph_format.line_spacing = None  # a picture needs its own height
    paragraph.add_run().add_picture(io.BytesIO(chart_png(kind, series)), width=Mm(150))
    _paragraph(doc, caption, BODY_FONT, TABLE_PT + 1.5, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)


def bulletin_docx(summary: str, forms: dict[str, StatForm], issued: str | None) -> bytes:
    """The bulletin: ``summary`` (its first line the title), the district and 行业领域 tables,
    the monthly and district charts; dated ``issued`` (the package's 报出日期)."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    from chufei.core.xlsx import fixed_zip

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(297 - 37 - 225)
    section.left_margin, section.right_margin = Mm(28), Mm(210 - 28 - 156)
    section.footer_distance = Mm(20)
    _page_numbers(section)
    lines = summary.rstrip("\n").split("\n")
    _paragraph(doc, lines[0], TITLE_FONT, TITLE_PT, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _paragraph(doc, indent=False)
    for line in lines[1:]:
        if not line:
            continue
        head, _, rest = line.partition("。")
        paragraph = _paragraph(doc)
        if rest and head[:2].endswith("、") and len(head) <= 12:  # "一、总体情况。": the heading in 黑体
            _font(paragraph.add_run(head + "。"), HEADING_FONT, BODY_PT)
            _font(paragraph.add_run(rest), BODY_FONT, BODY_PT)
        else:
            _font(paragraph.add_run(line), BODY_FONT, BODY_PT)
    district, industry, months = forms["_by_district"], forms["_by_industry"], forms["_by_month"]
    _table(doc, district, [1, 2, 3, 4, 5, 6, 7], "表1　分地区非法集资案件情况")
    _table(doc, industry, [1, 2, 3, 4, 5, 6, 7], "表2　分行业非法集资案件情况")
    body = months.rows[:-1]
    _figure(doc, "line", [[row[2] for row in body], [row[3] for row in body]],
            "图1　新发案件数月度趋势（件；蓝线为本年，红线为上年同月，自左至右为报告期各月）")
    _figure(doc, "line", [[row[4] / 1_000_000 for row in body], [row[5] / 1_000_000 for row in body]],
            "图2　涉案金额月度趋势（万元；蓝线为本年，红线为上年同月）")
    districts = district.rows[:-1]
    _figure(doc, "bar", [[row[2] for row in districts], [row[3] for row in districts]],
            "图3　分地区新发案件数（件；蓝为本期，红为上年同期，地区顺序同表1）")
    _paragraph(doc, indent=False)
    for text in (office()["office_name"], issued_label(issued)):
        _paragraph(doc, text, BODY_FONT, BODY_PT, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    properties = doc.core_properties
    properties.author = properties.last_modified_by = office()["short_name"]
    properties.title, properties.revision = lines[0], 1
    properties.created = properties.modified = properties.last_printed = FIXED_TIME
    buffer = io.BytesIO()
    doc.save(buffer)
    return fixed_zip(buffer.getvalue())
