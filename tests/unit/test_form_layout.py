"""Forms a clerk can print: A4 landscape at 80 % or more, one CJK font at 9 pt or more, nothing
cut, the nine case figures as three numbered forms, charts that do not mislead."""

from __future__ import annotations

import json
import math
import unicodedata
import zipfile
from fractions import Fraction
from pathlib import Path

import openpyxl
from hypothesis import given, settings
from hypothesis import strategies as st

from chufei.core.units import units
from chufei.outbox import layout
from chufei.outbox.case_reports import _parts, case_columns, notes
from chufei.outbox.reports import write_package, write_xlsx
from chufei.statistics.forms import ChartSpec, FormColumn, StatForm

BIG = {"count": 123_456, "wan": 12_345_678_901_234, "pct": None, "text": "x"}


def case_form(kind: str) -> StatForm:
    """A by-unit case form with every registered unit and large figures in every cell."""
    columns = case_columns(kind)
    rows = [[u.code, u.name, *[BIG[c.kind] for c in columns[2:]]] for u in units()]
    rows.append(["", "合计", *[BIG[c.kind] for c in columns[2:]]])
    return StatForm(title="非法集资案件统计月报表（按单位）", form_no="鄂处非统1表", period_label="2020年3月",
                    unit_of_measure="件、万元、人", columns=columns, rows=rows, notes=notes(kind), parts=_parts(kind))


def sheets(path: Path):
    return openpyxl.load_workbook(path).worksheets


def test_case_forms_are_three_numbered_forms_each_fitting_a4_landscape_at_80_percent(tmp_path):
    for kind in ("month", "quarter", "year"):
        path = tmp_path / f"{kind}.xlsx"
        write_xlsx(case_form(kind), path, "2020-04-01")
        book = sheets(path)
        assert [s.title for s in book] == ["表一", "表二", "表三"]
        for sheet in book:
            assert sheet.page_setup.orientation == "landscape"
            assert int(sheet.page_setup.paperSize) == 9
            widths = [sheet.column_dimensions[letter].width for letter in
                      [openpyxl.utils.get_column_letter(i) for i in range(1, sheet.max_column + 1)]]
            assert layout.print_scale(widths) >= layout.MIN_SCALE, (kind, sheet.title, widths)
            assert int(sheet.page_setup.scale) >= layout.MIN_SCALE
            assert sheet.print_title_rows == "$5:$6"  # the two header rows repeat on every page
            fonts = {(c.font.name, c.font.sz) for row in sheet.iter_rows() for c in row if c.value is not None}
            assert {name for name, _ in fonts} == {layout.FONT}
            assert min(size for _, size in fonts) >= 9
        texts = [c.value for row in book[0].iter_rows() for c in row if isinstance(c.value, str)]
        assert any("报出日期：2020年4月1日" in t for t in texts)
        assert any(t.startswith("制定机关：") for t in texts)
        assert any(t.startswith("填报单位：") for t in texts)
        footnote = next(t for t in texts if t.startswith("注：1."))
        assert ("环比" in footnote) == (kind == "month")  # only the monthly forms have a 环比 column
        headers = {c.value for row in book[0].iter_rows(min_row=6, max_row=6) for c in row}
        assert ("本期" in headers) == (kind != "year")  # a year's 本期 would repeat its 本年累计


def test_identifiers_and_names_are_never_cut(tmp_path):
    code = "91420700MA4ABCDE1X"  # an 18-character 统一社会信用代码
    name = "鄂州市某某网络科技有限公司鄂城区分公司"
    form = StatForm(title="台账", form_no="T", period_label="2020年", unit_of_measure="户",
                    columns=[FormColumn("主体名称", "主体名称", "text"), FormColumn("统一社会信用代码", "统一社会信用代码", "text"),
                             FormColumn("户数", "户数", "count")],
                    rows=[[name, code, 1], ["合计", "", 1]])
    write_xlsx(form, tmp_path / "f.xlsx")
    sheet = sheets(tmp_path / "f.xlsx")[0]
    assert sheet.column_dimensions["A"].width >= layout.text_width(name)
    assert sheet.column_dimensions["B"].width >= layout.text_width(code)
    header = sheet.row_dimensions[5].height + sheet.row_dimensions[6].height
    assert header >= 2 * layout.LINE_PT  # room for the header text, never spilling into the body


def test_issue_date_is_the_first_issue_of_the_version(tmp_path):
    form = case_form("quarter")
    first = write_package(tmp_path, "r", "2020Q1", {"r_2020Q1": form}, ["s1"], issued="2020-04-01")
    again = write_package(tmp_path, "r", "2020Q1", {"r_2020Q1": form}, ["s1"], issued="2020-06-30")
    assert (first["version"], again["version"]) == ("v1", "v1")  # a rebuild keeps the version and its date
    assert json.loads((tmp_path / "v1" / "manifest.json").read_text(encoding="utf-8"))["issued"] == "2020-04-01"
    form.rows[0][2] += 1
    second = write_package(tmp_path, "r", "2020Q1", {"r_2020Q1": form}, ["s1", "s2"], issued="2020-06-30")
    assert (second["version"], second["issued"]) == ("v2", "2020-06-30")
    texts = [c.value for row in sheets(tmp_path / "v2" / "r_2020Q1.xlsx")[0].iter_rows() for c in row
             if isinstance(c.value, str)]
    assert any("报出日期：2020年6月30日" in t for t in texts)


def test_charts_are_straight_readable_and_each_on_a_page_of_its_own(tmp_path):
    columns = [FormColumn("代码", "代码", "text"), FormColumn("月份", "月份", "text"),
               FormColumn("新发案件数(件)", "本年", "count"), FormColumn("新发案件数(件)", "上年同月", "count")]
    rows = [[f"2020-{m:02d}", f"{m}月", m, -m] for m in range(1, 13)] + [["", "合计", 78, -78]]
    form = StatForm(title="趋势", form_no="析1", period_label="2020年", unit_of_measure="件", columns=columns,
                    rows=rows, charts=(ChartSpec("line", "新发", "件", 1, (2, 3)),
                                       ChartSpec("bar", "分行业", "件", 1, (2, 3), rotate_labels=True)))
    write_xlsx(form, tmp_path / "c.xlsx")
    with zipfile.ZipFile(tmp_path / "c.xlsx") as archive:
        line, bar = (archive.read(f"xl/charts/chart{n}.xml").decode() for n in (1, 2))
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert '<smooth val="1"' not in line
    assert line.count('<smooth val="0"') == 2
    for chart in (line, bar):
        assert '<delete val="1"' not in chart
        assert '<tickLblPos val="low"' in chart
        assert "<f>'统计表'!$B$7:$B$18</f>" in chart  # the months, not the 合计 row
    assert 'rot="-2700000"' in bar
    assert sheet_xml.count("<brk ") == 2  # a page break before each chart


def test_merging_without_openpyxls_border_pass_saves_the_same_bytes(tmp_path):
    """layout.merge skips openpyxl's border pass for cells without borders (a third of a
    package's render time): the saved file must not change by a byte, and a bordered cell still
    gets openpyxl's own merge."""
    from openpyxl.styles import Alignment, Border, Font, Side

    from chufei.core.xlsx import save_reproducibly

    def sheet_bytes(merge, name: str) -> bytes:
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.cell(row=1, column=1, value="标题").font = Font(name="SimSun", size=16, bold=True)
        sheet.cell(row=1, column=1).alignment = Alignment(horizontal="center", wrap_text=True)
        merge(sheet, 1, 1, 1, 6)
        sheet.cell(row=3, column=1, value="表头")
        merge(sheet, 3, 1, 4, 1)
        thin = Side(style="thin")
        sheet.cell(row=6, column=2, value="框").border = Border(left=thin, right=thin, top=thin, bottom=thin)
        merge(sheet, 6, 2, 7, 4)
        save_reproducibly(workbook, tmp_path / name)
        return (tmp_path / name).read_bytes()

    def openpyxls(sheet, *corners):
        sheet.merge_cells(start_row=corners[0], start_column=corners[1], end_row=corners[2], end_column=corners[3])

    assert sheet_bytes(layout.merge, "layout.xlsx") == sheet_bytes(openpyxls, "openpyxl.xlsx")


def test_a_texts_width_counts_wide_characters_as_1_9_and_the_others_as_1():
    import pytest

    assert layout.text_width("1,234,567.89") == 12.0
    assert type(layout.text_width("12")) is float
    assert layout.text_width("") == 0.0
    assert layout.text_width("ab\n\nabc") == 3.0
    assert layout.text_width("合计") == pytest.approx(3.8)
    assert layout.text_width("鄂州市 2020年\n1月", size=16) == pytest.approx((1.9 * 4 + 5) * 1.6)
    assert layout.text_width("Ａ\u3000\t-") == pytest.approx(5.8)  # a full-width letter and space


def _filled_word_by_word(line: str, usable: Fraction) -> int:
    """Lines of ``line`` filled piece by piece into ``usable`` units, in exact arithmetic: a piece
    that does not fit starts the next line (a space ends the line and takes no room there), one
    wider than a line is broken where the line is full."""
    lines, filled = 1, Fraction(0)
    for piece in layout._UNBREAKABLE.findall(line):
        width = sum((Fraction(19, 10) if unicodedata.east_asian_width(c) in "WF" else Fraction(1) for c in piece),
                    Fraction(0))
        if filled + width <= usable:
            filled += width
        elif piece.isspace():
            lines, filled = lines + 1, Fraction(0)
        elif width <= usable:
            lines, filled = lines + 1, width
        else:
            broken = math.ceil((filled + width) / usable) - 1
            lines, filled = lines + broken, filled + width - broken * usable
    return lines


@settings(max_examples=400, deadline=None)
@given(pieces=st.lists(st.one_of(st.sampled_from(["网格线索", "第", "行；", "，", " ", "\u3000", "）", "(", "f"]),
                                 st.from_regex(r"[A-Z]{0,2}[0-9a-f]{1,14}", fullmatch=True)), max_size=120),
       tenths=st.integers(min_value=30, max_value=600))
def test_an_evidence_text_wraps_to_as_many_lines_as_filling_it_word_by_word_takes(pieces, tenths):
    """The lines a wrapping text is given (its row's height) are those of filling its column piece by
    piece, breaking after a space or before a number that does not fit, counted exactly."""
    line = "".join(pieces)
    usable = Fraction(tenths, 10)
    assert layout._wrapped_lines(line, float(usable), layout.SIZE) == _filled_word_by_word(line, usable)
