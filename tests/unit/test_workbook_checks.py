"""What a sheet holds besides its table: two units' tables stacked, a misspelt optional header, a
hidden sheet; and dates people type (20200503 as a number, 2020-05-03 00:00:00 as text)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest

from chufei.core.normalise import parse_date
from chufei.kinds.registry import DATASETS
from chufei.kinds.templates import write_submission
from chufei.read.workbook import FileRejected, read_workbook

ROW = {"案件编号": "XU0001", "案件名称": "某案", "立案日期": "2020-03-01", "承办单位": "公安", "行业领域": "其他",
       "涉案金额(万元)": 10, "集资参与人数": 5, "是否跨区域": "否", "处置阶段": "侦查", "是否陈案": "否",
       "已清退金额(万元)": 3}


def _ledger(path: Path, rows=(ROW,)) -> Path:
    return write_submission(path, DATASETS["case_ledger"], "临空经济区", "2020年3月", list(rows))


def _header_row(sheet) -> int:
    return next(cell.row for row in sheet.iter_rows() for cell in row if str(cell.value).startswith("案件编号"))


def test_a_second_unit_block_below_the_table_refuses_the_sheet(tmp_path: Path):
    path = _ledger(tmp_path / "stacked.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book.active
    header = [cell.value for cell in sheet[_header_row(sheet)]]
    first_row = list(sheet.iter_rows(min_row=_header_row(sheet) + 1, max_row=_header_row(sheet) + 1, values_only=True))[0]
    start = sheet.max_row + 2
    sheet.cell(start, 1, "填报单位：市公安局")
    for column, value in enumerate(header, 1):
        sheet.cell(start + 1, column, value)
    for column, value in enumerate(first_row, 1):
        sheet.cell(start + 2, column, value)
    book.save(path)
    with pytest.raises(FileRejected, match="第二个“填报单位”") as refused:
        read_workbook(path)
    assert refused.value.row == start
    assert "拆分" in refused.value.message


def test_a_table_stacked_after_the_footer_is_refused_too(tmp_path: Path):
    path = _ledger(tmp_path / "after-footer.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book.active
    header = [cell.value for cell in sheet[_header_row(sheet)]]
    start = sheet.max_row + 1
    sheet.cell(start, 1, "填表人：张三")
    for column, value in enumerate(header, 1):
        sheet.cell(start + 2, column, value)
    book.save(path)
    with pytest.raises(FileRejected, match="第二个“表头”"):
        read_workbook(path)


def test_a_misspelt_optional_header_is_pointed_out_with_the_label_meant(tmp_path: Path):
    path = _ledger(tmp_path / "typo.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book.active
    row = _header_row(sheet)
    cell = next(c for c in sheet[row] if c.value and "已清退金额" in str(c.value))
    cell.value = "已清退金额（万圆）"
    sheet.cell(row, sheet.max_column + 1, "备用列")
    book.save(path)
    parsed = read_workbook(path)
    assert len(parsed.rows) == 1
    [typo, other] = parsed.warnings
    assert typo["column"] == "已清退金额（万圆）"
    assert typo["cell"] == f"{cell.column_letter}{row}"
    assert "是否应为“已清退金额(万元)”" in typo["message"]
    assert "未读取" in other["message"]
    assert "是否应为" not in other["message"]


def test_a_workbook_whose_only_sheet_is_hidden_says_so(tmp_path: Path):
    path = _ledger(tmp_path / "hidden.xlsx")
    book = openpyxl.load_workbook(path)
    book.create_sheet("说明")
    book.active.sheet_state = "hidden"
    book.active = 1
    book.save(path)
    with pytest.raises(FileRejected, match="被隐藏") as refused:
        read_workbook(path)
    assert "取消隐藏" in refused.value.message


def test_dates_as_people_type_them():
    assert parse_date(20200503) == date(2020, 5, 3)
    assert parse_date(20200503.0) == date(2020, 5, 3)
    assert parse_date("2020-05-03 00:00:00") == date(2020, 5, 3)
    assert parse_date("2020/5/3 00:00") == date(2020, 5, 3)
    with pytest.raises(ValueError, match="不存在这一天"):
        parse_date(20201345)
