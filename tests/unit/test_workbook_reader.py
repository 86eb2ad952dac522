"""The reader identifies kind, unit and period, tolerates Excel habits, and refuses the unreadable."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from chufei.kinds.case_ledger import CASE_LEDGER
from chufei.kinds.templates import write_submission
from chufei.read.workbook import FileRejected, read_workbook

ROW = {"案件编号": "EC-1", "案件名称": "甲案", "立案日期": "2020-06-03", "承办单位": "鄂城区公安分局",
       "行业领域": "养老服务", "涉案金额(万元)": 12.5, "集资参与人数": 30, "是否跨区域": "否",
       "处置阶段": "侦查", "是否陈案": "否"}


def test_template_round_trip(tmp_path: Path):
    path = write_submission(tmp_path / "a.xlsx", CASE_LEDGER, "鄂城区", "2020年6月", [ROW])
    parsed = read_workbook(path)
    assert (parsed.dataset.name, parsed.unit.code, parsed.period.key) == ("case_ledger", "420704", "2020-06")
    assert [r.row for r in parsed.rows] == [6]
    assert parsed.rows[0].values["case_no"] == "EC-1"


def _hand_made(tmp_path: Path, header: list[str], rows: list[list], top: list[list]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    for line in top:
        sheet.append(line)
    sheet.append(header)
    for line in rows:
        sheet.append(line)
    path = tmp_path / "hand.xlsx"
    book.save(path)
    return path


def test_tolerates_reordered_columns_blank_rows_merged_title_notes_and_full_width(tmp_path: Path):
    labels = [c.label for c in CASE_LEDGER.columns][::-1]  # reversed order
    labels = [label.replace("(", "（").replace(")", "）") for label in labels]  # full-width brackets
    values = {**ROW, "涉案金额(万元)": "１２．５"}
    line = [values.get(c.label) for c in CASE_LEDGER.columns][::-1]
    top = [["非法集资案件台账（2020年）"], ["填报单位：  华容区", None, None, "报告期", "２０２０年６月"], []]
    path = _hand_made(tmp_path, labels, [[], line, [None] * len(labels), ["注：本表由承办单位填写"], line],
                      top)
    book = openpyxl.load_workbook(path)
    book.active.merge_cells("A1:F1")
    book.save(path)
    parsed = read_workbook(path)
    assert parsed.unit.name == "华容区"
    assert parsed.period.key == "2020-06"
    assert len(parsed.rows) == 1, "blank rows are skipped and reading stops at the note"
    assert parsed.rows[0].values["amount_fen"] == "１２．５"
    assert parsed.column_letters["case_no"] == openpyxl.utils.get_column_letter(len(labels))


@pytest.mark.parametrize(("unit", "period", "message"), [
    ("某某局", "2020年6月", "不在单位名录"),
    ("鄂城区", "", "报告期"),
    ("鄂城区", "2020年第二季度", "按月报送"),
])
def test_unidentifiable_files_are_rejected_with_the_reason(tmp_path: Path, unit, period, message):
    path = write_submission(tmp_path / "a.xlsx", CASE_LEDGER, unit, period, [ROW])
    with pytest.raises(FileRejected, match=message):
        read_workbook(path)


def test_missing_required_column_is_named(tmp_path: Path):
    labels = [c.label for c in CASE_LEDGER.columns if c.label != "立案日期"]
    path = _hand_made(tmp_path, labels, [], [["填报单位", "鄂城区", "报告期", "2020-06"]])
    with pytest.raises(FileRejected, match="立案日期"):
        read_workbook(path)


def test_not_a_workbook_empty_xls_and_zip_bomb(tmp_path: Path):
    cases = {
        "empty.xlsx": (b"", "为空"),
        "text.xlsx": ("不是表格".encode(), "不是有效的 Excel"),
        "old.xlsx": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, ".xls"),
    }
    for name, (content, message) in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(FileRejected, match=message):
            read_workbook(path)
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (120 * 1024 * 1024))
    assert bomb.stat().st_size < 1024 * 1024
    with pytest.raises(FileRejected, match="压缩炸弹"):
        read_workbook(bomb)


def test_no_template_header_means_unknown_kind(tmp_path: Path):
    path = _hand_made(tmp_path, ["姓名", "年龄"], [["甲", 1]], [])
    with pytest.raises(FileRejected, match="未识别出报表种类"):
        read_workbook(path)


def test_excel_dates_come_through_as_dates(tmp_path: Path):
    path = write_submission(tmp_path / "a.xlsx", CASE_LEDGER, "鄂城区", "2020-06", [{**ROW, "立案日期": date(2020, 6, 3)}])
    value = read_workbook(path).rows[0].values["filed_date"]
    assert value.date() == date(2020, 6, 3)
