"""Written files: text never becomes a formula, same content gives the same bytes, 合计 adds up."""

from __future__ import annotations

import csv
import io
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils.exceptions import IllegalCharacterError

from chufei.statistics.forms import ChartSpec, FormColumn, StatForm, wan

from chufei.outbox.reports import write_csv, write_package, write_xlsx
from chufei.core.xlsx import csv_safe

HOSTILE = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "=HYPERLINK(\"http://x\")"]


def _form() -> StatForm:
    columns = [FormColumn("单位", "单位", "text"), FormColumn("金额", "本期", "wan"), FormColumn("件数", "本期", "count")]
    rows = [[name, 1_234_567, 2] for name in HOSTILE] + [["合计", 1_234_567 * len(HOSTILE), 2 * len(HOSTILE)]]
    return StatForm(title="测试表", form_no="T1", period_label="2020年6月", unit_of_measure="万元", columns=columns,
                    rows=rows)


def test_text_starting_like_a_formula_stays_text(tmp_path: Path):
    path = tmp_path / "f.xlsx"
    write_xlsx(_form(), path)
    with zipfile.ZipFile(path) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml, "no cell may carry a formula"
    values = [c.value for row in openpyxl.load_workbook(path).active.iter_rows() for c in row]
    for text in HOSTILE:
        assert text in values


def test_csv_twin_neutralises_formulas_and_has_a_bom(tmp_path: Path):
    path = tmp_path / "f.csv"
    write_csv(_form(), path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw[3:].decode("utf-8"))))
    assert all(not row[0].startswith(("=", "+", "-", "@")) for row in rows)
    assert csv_safe("=1") == "'=1"
    assert csv_safe("正常") == "正常"
    assert csv_safe(5) == 5


def test_same_content_same_bytes(tmp_path: Path):
    first = write_package(tmp_path / "a", "r", "2020-06", {"r_2020-06": _form()}, ["s1"])
    second = write_package(tmp_path / "b", "r", "2020-06", {"r_2020-06": _form()}, ["s1"])
    assert [f["sha256"] for f in first["files"]] == [f["sha256"] for f in second["files"]]
    first_manifest, second_manifest = (Path(m["folder"]) / "manifest.json" for m in (first, second))
    assert first_manifest.read_bytes() == second_manifest.read_bytes()


def test_amounts_are_exact_and_total_row_adds_up(tmp_path: Path):
    path = tmp_path / "f.xlsx"
    write_xlsx(_form(), path)
    sheet = openpyxl.load_workbook(path).active
    amounts = [row[1].value for row in sheet.iter_rows(min_row=7) if row[0].value in HOSTILE]
    total = next(row[1].value for row in sheet.iter_rows(min_row=7) if row[0].value == "合计")
    assert len(amounts) == len(HOSTILE)
    assert round(sum(amounts), 6) == round(total, 6)
    assert str(wan(1_234_567)) == "1.234567"
    assert str(wan(1_230_000)) == "1.23"


def test_print_setup_and_frozen_header(tmp_path: Path):
    path = tmp_path / "f.xlsx"
    write_xlsx(_form(), path)
    sheet = openpyxl.load_workbook(path).active
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.freeze_panes == "C7"


def _long_form() -> StatForm:
    tricky = ["A&B <公司> \"引号\" 'x'", "  前后空格 ", "制表\t符", "=1+1", "", "#N/A", "-5", "身份证110101199003074514",
              "电话13912345678", "\t制表", "普通文本"]
    rows = []
    for n in range(60):
        rows.append([f"C{n:04d}", tricky[n % len(tricky)], None if n % 7 == 0 else n * 1_234_567 - 50_000_000,
                     Decimal(n) / 7 if n % 5 else None, -n, 10 ** 15 + n])
    for fen in (1, 10_000, 999_999, -1, 10 ** 18 + 7, 2 ** 63 - 1, 123_456_789_012):  # 万元 at the edges
        rows.append(["EDGE", "金额", fen, Decimal("33.33"), fen, fen])
    rows.append(["", "合计", 12345, Decimal("1.5"), 0, None])
    return StatForm(title="长表", form_no="X附", period_label="2020年", unit_of_measure="万元",
                    columns=[FormColumn("编号", "编号", "text"), FormColumn("名称", "名称", "text"),
                             FormColumn("金额", "金额(万元)", "wan"), FormColumn("金额", "比率%", "pct"),
                             FormColumn("件数", "件数", "count"), FormColumn("元", "元", "yuan")],
                    rows=rows, notes=["注：测试。"])


def test_long_bodies_are_streamed_to_exactly_the_bytes_openpyxl_writes(tmp_path, monkeypatch):
    """The annual 清退 list has one row per case: its body is written as XML directly, and the
    file is byte for byte the one openpyxl writes cell by cell (so values, styles and masking too)."""
    from chufei.outbox import reports

    form = _long_form()
    form.no_data = frozenset({(3, 2), (4, 3)})  # "—" among the amounts and ratios
    write_xlsx(form, tmp_path / "cells.xlsx")  # 68 rows: below the threshold, openpyxl writes every cell
    write_csv(form, tmp_path / "rows.csv")  # and the CSV row by row
    monkeypatch.setattr(reports, "STREAM_ROWS", 5)
    monkeypatch.setattr(reports, "CHUNK_ROWS", 7)  # several chunks, deflated while the next is made
    assert reports._streamable(form)
    write_xlsx(form, tmp_path / "streamed.xlsx")
    assert (tmp_path / "streamed.xlsx").read_bytes() == (tmp_path / "cells.xlsx").read_bytes()
    write_csv(form, tmp_path / "streamed.csv")  # its rows made once for both files, column by column
    assert (tmp_path / "streamed.csv").read_bytes() == (tmp_path / "rows.csv").read_bytes()
    form.no_data = frozenset()
    sheet = openpyxl.load_workbook(tmp_path / "streamed.xlsx").active
    values = [row for row in sheet.iter_rows(min_row=7, max_row=73, max_col=2, values_only=True)]
    assert values[2] == ("C0002", "制表\t符")
    assert values[3][1] == "=1+1"
    assert all("110101199003074514" not in str(v) and "13912345678" not in str(v) for row in values for v in row)

    several_lines = _long_form()  # text of several lines wraps in a taller row: written cell by cell
    several_lines.rows[10][1] = "换行\n第二行"
    assert not reports._streamable(several_lines)

    bad = _long_form()
    bad.rows[10][1] = "控制字符\x01"
    with pytest.raises(IllegalCharacterError):
        write_xlsx(bad, tmp_path / "bad.xlsx")


def _width(text: str) -> float:
    """A text's width in column units, counted by hand: a Chinese character or full-width mark 1.9, the rest 1."""
    return sum(1.9 if "\u4e00" <= ch <= "\u9fff" or "\uff01" <= ch <= "\uff60" else 1.0 for ch in text)


EVIDENCE = "网格线索 WG202000000137 13e0744a76a9 第138行；风险监测台账 9b8e77a01c2d 第15行；"
REASONS = ("网格线索数 5（+15分）；上报网格数（首个网格之外） 2（+5分）；风险表现（高额回报/保本保息/拉人头） 3（+21分）；"
           "涉非广告关键词 3（+9分）；广告发布主体未持牌 1（+6分）；风险监测台账等级 高（+10分）")


def _warning_list(reasons: list[str]) -> StatForm:
    columns = [FormColumn("预警编号", "预警编号", "text"), FormColumn("主体", "主体名称", "text"),
               FormColumn("分值", "分值", "count"), FormColumn("预警依据", "预警依据", "text")]
    rows = [[f"YJ-{n}", "鄂州华晟顺发生物科技有限公司", 70, text] for n, text in enumerate(reasons)]
    return StatForm(title="监测预警名单", form_no="预1", period_label="截至2020-12-31", unit_of_measure="分",
                    columns=columns, rows=[*rows, ["合计", f"{len(rows)}条", 70 * len(rows), ""]])


def test_a_text_wider_than_its_column_wraps_inside_its_cell_in_a_row_tall_enough(tmp_path):
    """A warning's 预警依据 runs over several lines inside its cell (never past its border), its
    row as tall as those lines; a text that fits stays on one line in a row of the usual height."""
    import math

    from chufei.outbox import layout

    write_xlsx(_warning_list([REASONS, "网格线索数 1（+10分）"]), tmp_path / "w.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "w.xlsx").active
    width = sheet.column_dimensions["D"].width
    assert width == layout.MAX_TEXT_WIDTH  # the column is capped, the text wraps
    lines = math.ceil(_width(REASONS) / (width - 1))  # a unit of the cell's width is its padding
    assert lines >= 3
    assert sheet["D7"].alignment.wrap_text
    assert sheet["D7"].value == REASONS
    assert lines * layout.LINE_PT <= sheet.row_dimensions[7].height <= (lines + 1) * layout.LINE_PT
    assert not sheet["B7"].alignment.wrap_text  # the name fits its column
    assert not sheet["D8"].alignment.wrap_text
    assert sheet.row_dimensions[8].height is None
    assert int(sheet.page_setup.scale) >= layout.MIN_SCALE
    assert sheet.page_setup.fitToWidth == 1


def test_long_texts_keep_the_form_on_the_pages_width_and_their_rows_within_a_page(tmp_path):
    """A form too wide for A4 at 80 % narrows its long-text column (its texts wrap) rather than print
    smaller; a text that would need a row taller than Excel draws (the evidence of a warning found in
    dozens of clues) widens its column as far as the page allows."""
    from chufei.outbox import layout

    columns = [FormColumn("件数", f"第{n}项", "count") for n in range(18)] + [FormColumn("说明", "说明", "text")]
    wide = StatForm(title="宽表", form_no="K", period_label="2020年", unit_of_measure="件", columns=columns,
                    rows=[[*range(18), REASONS], [*range(18), ""]])
    write_xlsx(wide, tmp_path / "wide.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "wide.xlsx").active
    assert int(sheet.page_setup.scale) >= layout.MIN_SCALE
    assert layout.NARROWEST_WRAPPING <= sheet.column_dimensions["S"].width < layout.MAX_TEXT_WIDTH
    assert sheet["S7"].alignment.wrap_text
    assert sheet.row_dimensions[7].height >= _width(REASONS) / sheet.column_dimensions["S"].width * layout.LINE_PT

    evidence = EVIDENCE * 24
    write_xlsx(_warning_list([evidence, REASONS]), tmp_path / "evidence.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "evidence.xlsx").active
    width = sheet.column_dimensions["D"].width
    assert _width(evidence) / (layout.MAX_TEXT_WIDTH - 1) * layout.LINE_PT > layout.MAX_ROW_PT  # too tall at the cap
    assert width > layout.MAX_TEXT_WIDTH
    assert int(sheet.page_setup.scale) >= layout.MIN_SCALE
    assert _width(evidence) / (width - 1) * layout.LINE_PT <= sheet.row_dimensions[7].height <= layout.MAX_ROW_PT
    assert sheet["D7"].alignment.wrap_text
    assert sheet["D8"].alignment.wrap_text


def test_long_texts_of_a_streamed_list_wrap_in_rows_tall_enough_written_as_openpyxl_writes_them(tmp_path,
                                                                                               monkeypatch):
    """A long list's text wider than its column wraps inside its cell, its row tall enough for its
    lines, whether the list is streamed or not: the streamed file is the one openpyxl's own writer
    saves cell by cell, the wrapped rows (the first two, one in the middle, the last before 合计)
    with their own style and row height among the streamed ones."""
    import math

    from chufei.outbox import layout, reports

    evidence = EVIDENCE
    form = _long_form()
    wrapped = (0, 1, 30, 66)
    for number in wrapped:
        form.rows[number][1] = evidence * 2 + str(number)

    def cells() -> bytes:
        write_xlsx(form, tmp_path / "cells.xlsx")  # 68 rows: openpyxl writes every cell
        return (tmp_path / "cells.xlsx").read_bytes()

    by_openpyxl = _with_openpyxls_own_writer(monkeypatch, cells)
    monkeypatch.setattr(reports, "STREAM_ROWS", 5)
    monkeypatch.setattr(reports, "CHUNK_ROWS", 7)
    assert reports._streamable(form)
    write_xlsx(form, tmp_path / "streamed.xlsx")
    assert (tmp_path / "streamed.xlsx").read_bytes() == by_openpyxl
    write_csv(form, tmp_path / "streamed.csv")
    assert sum(evidence * 2 in line for line in (tmp_path / "streamed.csv").read_text("utf-8-sig").splitlines()) == 4

    sheet = openpyxl.load_workbook(tmp_path / "streamed.xlsx").active
    width = sheet.column_dimensions["B"].width
    assert width <= layout.MAX_TEXT_WIDTH < _width(evidence * 2)
    for number in range(len(form.rows) - 1):
        cell, height = sheet.cell(row=7 + number, column=2), sheet.row_dimensions[7 + number].height
        if number in wrapped:
            lines = math.ceil(_width(cell.value) / (width - 1))  # a unit of the cell's width is its padding
            assert lines >= 3
            assert cell.alignment.wrap_text, number
            assert lines * layout.LINE_PT <= height <= (lines + 1) * layout.LINE_PT, (number, height)
            assert not sheet.cell(row=7 + number, column=1).alignment.wrap_text  # C0001 fits its column
        else:
            assert not cell.alignment.wrap_text, number
            assert height is None, number
        assert cell.border.left.style == "thin"
        assert cell.alignment.horizontal == "left"

    # two text columns wrapping in different rows, one row with both: each streamed cell takes its
    # column's wrapping style or not, and no row is without a wrapping cell from row 2 to 5
    mixed = _long_form()
    for number in (2, 3, 40):
        mixed.rows[number][1] = evidence * 2
    for number in (3, 4, 5, 50):
        mixed.rows[number][0] = "编号" * 40
    monkeypatch.setattr(reports, "STREAM_ROWS", 500)

    def mixed_cells() -> bytes:
        write_xlsx(mixed, tmp_path / "mixed-cells.xlsx")
        return (tmp_path / "mixed-cells.xlsx").read_bytes()

    mixed_by_openpyxl = _with_openpyxls_own_writer(monkeypatch, mixed_cells)
    monkeypatch.setattr(reports, "STREAM_ROWS", 5)
    write_xlsx(mixed, tmp_path / "mixed.xlsx")
    assert (tmp_path / "mixed.xlsx").read_bytes() == mixed_by_openpyxl
    sheet = openpyxl.load_workbook(tmp_path / "mixed.xlsx").active
    assert [sheet.cell(row=7 + 50, column=c).alignment.wrap_text for c in (1, 2)] == [True, None]
    assert sheet.row_dimensions[7 + 50].height > layout.LINE_PT * 2

    everywhere = _long_form()  # every body row wraps
    for row in everywhere.rows[:-1]:
        row[1] = evidence * 2
    write_xlsx(everywhere, tmp_path / "all.xlsx")
    assert openpyxl.load_workbook(tmp_path / "all.xlsx").active.cell(row=40, column=2).alignment.wrap_text
    monkeypatch.setattr(reports, "STREAM_ROWS", 500)
    write_xlsx(everywhere, tmp_path / "all-cells.xlsx")
    assert (tmp_path / "all.xlsx").read_bytes() == (tmp_path / "all-cells.xlsx").read_bytes()


def test_a_part_given_in_chunks_is_zipped_to_the_same_bytes(tmp_path):
    """A long sheet is deflated chunk by chunk in a helper thread while the next chunk is made:
    the file is the one its whole part gives; a chunk that cannot be made fails the file."""
    import random

    from chufei.core.xlsx import fixed_zip

    rng = random.Random(4)
    sheet = "".join(f'<row r="{n}"><c r="A{n}" t="n"><v>{rng.randint(0, 10**9)}</v></c></row>'
                    for n in range(200_000)).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as source:
        source.writestr("docProps/core.xml", b"<x/>")
        source.writestr("xl/worksheets/sheet1.xml", sheet)
    cuts = sorted(rng.sample(range(1, len(sheet)), 40))

    def chunks(part: bytes):
        return (part[a:b] for a, b in zip([0, *cuts], [*cuts, len(part)], strict=True))

    whole = fixed_zip(buffer.getvalue(), patches={"xl/worksheets/sheet1.xml": lambda part: part})
    assert fixed_zip(buffer.getvalue(), patches={"xl/worksheets/sheet1.xml": chunks}) == whole

    def broken(part: bytes):
        yield part[:1000]
        raise IllegalCharacterError("控制字符")

    with pytest.raises(IllegalCharacterError):
        fixed_zip(buffer.getvalue(), patches={"xl/worksheets/sheet1.xml": broken})


def _with_openpyxls_own_writer(monkeypatch, write) -> bytes:  # noqa: ANN001
    """What ``write()`` saves when openpyxl's own ExcelWriter writes the sheets (temporary files,
    an ElementTree element per cell), read back."""
    from openpyxl.writer.excel import ExcelWriter

    from chufei.core import xlsx

    with monkeypatch.context() as patch:
        patch.setattr(xlsx, "_book_writer", lambda: ExcelWriter)
        return write()


def _every_kind_of_cell() -> openpyxl.Workbook:
    """Two sheets with every cell save_reproducibly's sheet writer writes itself, and the cells it
    hands to openpyxl's (comments, links, formulas, dates, booleans), in one row or a row apart."""
    from datetime import date, datetime

    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    from chufei.core.xlsx import put
    from chufei.outbox.layout import merge

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "各种"
    thin = Side(style="thin")
    texts = ["A&B <公司> \"引号\" 'x'", "  前后空格 ", "\u3000全角空格", "   ", "", "=1+1", "制表\t符", "回车\r换行\n",
             "]]>", "普通文本", "\t"]
    numbers = [0, -0.0, 1, -17, 2 ** 63 - 1, 10 ** 30, 1.5, 1 / 3, 1e-300, float("nan"), float("inf"),
               Decimal("33.33"), Decimal("-0.00"), Decimal("1E+2"), Decimal("NaN"), True]
    for index, value in enumerate(texts + numbers, 1):
        cell = put(sheet, index, 1, value)
        cell.font = Font(name="宋体", bold=index % 2 == 0)
        put(sheet, index, 2, value).number_format = "#,##0.00"
        put(sheet, index, 4, None).border = Border(left=thin) if index % 3 else Border()
        sheet.cell(row=index, column=5, value=None)  # an unstyled empty cell: not written
    for row in range(3, 9):
        sheet.row_dimensions[row].height = 15 + row
    sheet.row_dimensions[40].height = 30  # a row of no cells
    sheet.row_dimensions[41].fill = PatternFill("solid", fgColor="FFFF00")  # a styled row of no cells
    sheet.column_dimensions["B"].width = 20
    put(sheet, 30, 1, "合并").alignment = Alignment(horizontal="center", wrap_text=True)
    merge(sheet, 30, 1, 31, 3)
    sheet.cell(row=32, column=2, value="批注").comment = Comment("说明", "作者")
    sheet.cell(row=33, column=1, value="链接").hyperlink = "https://example.org/a?b=1&c=2"
    sheet.cell(row=34, column=1, value="=SUM(B1:B3)")
    sheet.cell(row=35, column=1, value=date(2020, 6, 30))
    sheet.cell(row=35, column=2, value=datetime(2020, 6, 30, 8, 15))
    sheet.cell(row=36, column=3, value="同一行的普通文本")
    sheet.cell(row=36, column=4, value="=A1")
    other = book.create_sheet("第二张")
    for row in range(1, 30):
        for column in range(1, 8):
            put(other, row, column, f"{row}-{column}" if column % 2 else row * column * 1_000_003)
    return book


def test_sheets_are_written_to_the_bytes_openpyxls_own_writer_writes(tmp_path, monkeypatch):
    """save_reproducibly writes the rows of plain cells as strings, in memory, and leaves the rest
    to openpyxl: every file is byte for byte the one openpyxl's own writer saves (values, style
    ids, row heights, merged cells, comments, links, charts)."""
    from openpyxl.styles import Font

    from chufei.core.xlsx import save_reproducibly

    def book_bytes(name: str) -> bytes:
        save_reproducibly(_every_kind_of_cell(), tmp_path / name)
        return (tmp_path / name).read_bytes()

    assert book_bytes("own.xlsx") == _with_openpyxls_own_writer(monkeypatch, lambda: book_bytes("openpyxl.xlsx"))

    columns = [FormColumn("代码", "代码", "text"), FormColumn("月份", "月份", "text"),
               FormColumn("新发案件数(件)", "本年", "count"), FormColumn("涉案金额", "本年(万元)", "wan"),
               FormColumn("同比", "同比%", "pct")]
    rows = [[f"2020-{m:02d}", f"{m}月", m, m * 1_234_567, Decimal(m) / 3] for m in range(1, 13)]
    charted = StatForm(title="趋势", form_no="析1", period_label="2020年", unit_of_measure="件", columns=columns,
                       rows=[*rows, ["", "合计", 78, 78 * 1_234_567, None]],
                       charts=(ChartSpec("line", "新发", "件", 1, (2, 3)),))
    from tests.unit.test_form_layout import case_form

    for number, form in enumerate([_form(), _long_form(), charted, case_form("month"), case_form("year")]):
        def form_bytes(name: str, form: StatForm = form) -> bytes:
            write_xlsx(form, tmp_path / name, "2021-01-05")
            return (tmp_path / name).read_bytes()

        assert form_bytes(f"own{number}.xlsx") == _with_openpyxls_own_writer(
            monkeypatch, lambda: form_bytes(f"openpyxl{number}.xlsx")), form.title  # noqa: B023 - called at once

    def styled_rows(name: str) -> bytes:  # a style first met on a row's dimension takes the next id
        book = openpyxl.Workbook()
        book.active.row_dimensions[2].font = Font(bold=True)
        book.active.cell(row=2, column=1, value="粗体行").font = Font(italic=True)
        book.active.cell(row=1, column=1, value=1).font = Font(name="黑体")
        save_reproducibly(book, tmp_path / name)
        return (tmp_path / name).read_bytes()

    assert styled_rows("rows-own.xlsx") == _with_openpyxls_own_writer(monkeypatch, lambda: styled_rows("rows.xlsx"))
