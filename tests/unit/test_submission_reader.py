"""The reader recognises kind, unit and period from the workbook and tolerates Excel habits."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from chufei.datasets import DATASETS
from chufei.templates import write_submission
from chufei.workbook import FileRejected, read_workbook


def _book(path: Path, top: list[list], header: list[str], rows: list[list], below: list[list] = (),
          blank_before_header: int = 0, sheet_title: str = "Sheet1", merge_title: bool = False) -> Path:
    """A workbook typed by hand the way people do: free layout above, a header row, rows, notes."""
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title
    for line in top:
        sheet.append(line)
    if merge_title:
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    for _ in range(blank_before_header):
        sheet.append([])
    sheet.append(header)
    for line in rows:
        sheet.append(line)
    for line in below:
        sheet.append(line)
    book.save(path)
    return path


OLD_CASE_HEADER = ["案件编号", "案件名称", "立案日期", "核实未兑付本金(万元)", "累计清退金额(万元)", "累计清退人数",
                   "处置阶段", "是否化解", "化解日期", "进展情况"]


def test_old_case_progress_is_not_taken_for_a_case_ledger(tmp_path):
    # Both kinds share 案件编号, 案件名称, 立案日期, 核实未兑付本金, 处置阶段: the best match wins.
    path = _book(tmp_path / "a.xlsx", [["填报单位", "鄂城区", "报告期", "2020年3月"]], OLD_CASE_HEADER,
                 [["420704-2017-001", "某案", "2017-03-01", 100, 20, 5, "清退", "否", None, "正在清退"]])
    parsed = read_workbook(path)
    assert parsed.dataset.name == "old_case_progress"
    assert (parsed.unit.code, parsed.period.key) == ("420704", "2020-03")


def test_case_ledger_with_every_shared_column_is_still_a_case_ledger(tmp_path):
    labels = [c.label for c in DATASETS["case_ledger"].columns]
    path = _book(tmp_path / "a.xlsx", [["填报单位：华容区"], ["报告期：2020年4月"]], labels, [["X-1"] + [None] * 14])
    assert read_workbook(path).dataset.name == "case_ledger"


def test_each_template_kind_is_recognised_from_its_own_workbook(tmp_path):
    periods = {"month": "2020年6月", "quarter": "2020年第二季度", "half": "2020年上半年"}
    for dataset in DATASETS.values():
        path = write_submission(tmp_path / f"{dataset.name}.xlsx", dataset, "鄂城区", periods[dataset.period_kind])
        parsed = read_workbook(path)
        assert parsed.dataset.name == dataset.name
        assert parsed.rows == []


def test_blank_rows_reordered_columns_merged_title_notes_and_full_width(tmp_path):
    header = ["覆盖人数", "提示标题", "发布日期＊", "发布渠道", "备注"]  # reordered, full-width mark
    rows = [[None] * 5,
            ["１２０００", "警惕养老诈骗", 43936, "微信公众号", None],  # full-width digits, an Excel serial
            [None] * 5, [None] * 5,
            [300, "远离虚拟货币", datetime(2020, 5, 20), "官方网站", None],
            ["合计", None, None, None, None]]
    below = [[], ["注：本表按季度报送。"], ["单位负责人：", "李四", "审核人：", "王五"]]
    path = _book(tmp_path / "b.xlsx", [["风险提示"], ["填报单位：", "鄂州市鄂城区", None, "报告期：", "２０２０年第二季度"]],
                 header, rows, below, blank_before_header=2, merge_title=True)
    parsed = read_workbook(path)
    assert parsed.dataset.name == "risk_warning"
    assert (parsed.unit.code, parsed.period.key) == ("420704", "2020Q2")
    assert [r.row for r in parsed.rows] == [7, 10]  # blank rows, the 合计 row and the notes skipped
    assert parsed.rows[0].values["reach"] == "１２０００"
    assert DATASETS["risk_warning"].column("reach").parse(parsed.rows[0].values["reach"]) == 12000
    assert DATASETS["risk_warning"].column("issued_date").parse(parsed.rows[0].values["issued_date"]) \
        == date(2020, 4, 15)
    assert parsed.column_letters["issued_date"] == "C"


@pytest.mark.parametrize("written, key", [
    ("2020年上半年", "2020H1"), ("2020H2", "2020H2"), ("2020年6月20日", "2020H1"), ("2020-12-10", "2020H2"),
    (datetime(2020, 6, 20), "2020H1"), (44175, "2020H2")])  # 44175 = 2020-12-10 as an Excel serial
def test_risk_ledger_period_may_be_the_snapshot_date(tmp_path, written, key):
    labels = [c.label for c in DATASETS["risk_ledger"].columns]
    path = _book(tmp_path / "r.xlsx", [["填报单位", "人行", "报告期", written]], labels, [])
    assert read_workbook(path).period.key == key


@pytest.mark.parametrize("written, fragment", [
    ("2020年6月20日", "无法识别"),  # a date does not say which quarter a quarterly form covers
    ("2020年6月", "按季度报送"),
    ("二季度", "无法识别")])
def test_quarterly_forms_stay_strict_about_the_period(tmp_path, written, fragment):
    labels = [c.label for c in DATASETS["publicity"].columns]
    path = _book(tmp_path / "p.xlsx", [["填报单位", "宣传部", "报告期", written]], labels, [])
    with pytest.raises(FileRejected) as caught:
        read_workbook(path)
    assert fragment in caught.value.message


def test_blank_unit_is_reported_as_blank_not_as_the_next_label(tmp_path):
    path = write_submission(tmp_path / "t.xlsx", DATASETS["admin_action"])
    with pytest.raises(FileRejected) as caught:
        read_workbook(path)
    assert caught.value.message.startswith("填报单位“（空）”")


def test_missing_required_column_names_it(tmp_path):
    labels = [c.label for c in DATASETS["publicity"].columns if c.label != "参与人数"]
    path = _book(tmp_path / "p.xlsx", [["填报单位", "宣传部", "报告期", "2020Q1"]], labels, [])
    with pytest.raises(FileRejected) as caught:
        read_workbook(path)
    assert caught.value.message == "表头缺少必填列：参与人数"
    assert caught.value.row == 2


def test_formula_like_text_is_read_back_as_text(tmp_path):
    rows = [{"发布日期": "2020-04-01", "提示标题": text, "发布渠道": "其他"} for text in ("=1+1", "+86 123", "-abc", "@SUM(A1)")]
    path = write_submission(tmp_path / "f.xlsx", DATASETS["risk_warning"], "鄂城区", "2020Q2", rows)
    parsed = read_workbook(path)
    assert [r.values["title"] for r in parsed.rows] == ["=1+1", "+86 123", "-abc", "@SUM(A1)"]
