"""Row validation names sheet, row, column and cell for every problem, and keeps good rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from chufei.kinds.case_ledger import CASE_LEDGER
from chufei.kinds.templates import write_submission
from chufei.validate.validation import validate
from chufei.read.workbook import read_workbook

GOOD = {"案件编号": "EC-1", "案件名称": "甲案", "立案日期": "2020-06-03", "承办单位": "鄂城区公安分局",
        "行业领域": "养老服务", "涉案金额(万元)": "12.5", "集资参与人数": 30, "是否跨区域": "否",
        "处置阶段": "侦查", "是否陈案": "否"}


def _validate(tmp_path: Path, rows: list[dict], period: str = "2020年6月"):
    path = write_submission(tmp_path / "a.xlsx", CASE_LEDGER, "鄂城区", period, rows)
    return validate(read_workbook(path))


def test_good_rows_pass_typed(tmp_path: Path):
    result = _validate(tmp_path, [GOOD])
    assert result.rejected == []
    assert result.valid[0].values["amount_fen"] == 12_500_000
    assert result.valid[0].values["cross_region"] is False


@pytest.mark.parametrize(("change", "column", "cell", "message"), [
    ({"案件编号": None}, "案件编号", "A6", "必填"),
    ({"涉案金额(万元)": "很多"}, "涉案金额(万元)", "F6", "金额"),
    ({"行业领域": "火星"}, "行业领域", "E6", "可选值"),
    ({"立案日期": "2020-07-02"}, "立案日期", "C6", "晚于报告期末"),
    ({"处置阶段": "结案", "结案日期": "2020-05-01"}, "结案日期", "O6", "早于立案日期"),
    ({"处置阶段": "结案"}, "结案日期", "O6", "必须填写结案日期"),
    ({"是否陈案": "是"}, "是否陈案", "N6", "应为“否”"),
    ({"集资参与人数": 20000000}, "集资参与人数", "G6", "合理范围"),
    ({"已清退人数": 31}, "已清退人数", "M6", "多于集资参与人数"),
    ({"案件编号": "EC 1;"}, "案件编号", "A6", "案件编号应为"),
])
def test_each_rule_names_the_cell(tmp_path: Path, change, column, cell, message):
    result = _validate(tmp_path, [{**GOOD, **change}])
    assert result.valid == []
    issues = result.issues
    assert any(i.column == column and i.cell == cell and message in i.message and i.row == 6
               and i.sheet == "案件台账" for i in issues), issues


def test_duplicate_case_numbers_reject_the_later_row_only(tmp_path: Path):
    result = _validate(tmp_path, [GOOD, {**GOOD, "案件名称": "乙案"}, {**GOOD, "案件编号": "EC-2"}])
    assert [o.row for o in result.valid] == [6, 8]
    assert [i.message for i in result.issues] == ["案件编号与第 6 行重复"]


def test_all_reasons_of_a_row_are_kept(tmp_path: Path):
    result = _validate(tmp_path, [{**GOOD, "涉案金额(万元)": "x", "行业领域": "y", "是否跨区域": "也许"}])
    assert {i.column for i in result.rejected[0].issues} == {"涉案金额(万元)", "行业领域", "是否跨区域"}
