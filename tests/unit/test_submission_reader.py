"""The reader recognises kind, unit and period from the workbook and tolerates Excel habits."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from chufei.kinds.registry import DATASETS
from chufei.kinds.templates import write_submission
from chufei.read.workbook import FileRejected, read_workbook


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


RW_TOP = [["风险提示"], ["填报单位：", "鄂州市鄂城区", None, "报告期：", "2020年第二季度"]]
RW_HEADER = ["发布日期", "提示标题", "发布渠道", "覆盖人数", "备注"]
RW_ROW = ["2020-04-15", "警惕养老诈骗", "微信公众号", 12000, None]


def _rw(tmp_path, **kwargs) -> object:
    arguments = dict(top=RW_TOP, header=RW_HEADER, rows=[RW_ROW]) | kwargs
    parsed = read_workbook(_book(tmp_path / "rw.xlsx", **arguments))
    assert parsed.dataset.name == "risk_warning"
    assert (parsed.unit.code, parsed.period.key) == ("420704", "2020Q2")
    return parsed


def test_extra_blank_rows_above_inside_and_below_the_table(tmp_path):
    parsed = _rw(tmp_path, rows=[[None] * 5, RW_ROW, [None] * 5, [None] * 5, RW_ROW, [None] * 5],
                 blank_before_header=3)
    assert [r.row for r in parsed.rows] == [8, 11]


def test_reordered_and_extra_columns(tmp_path):
    header = ["覆盖人数", "自编序号", "提示标题", "发布日期", "发布渠道"]
    parsed = _rw(tmp_path, header=header, rows=[[12000, 1, "警惕养老诈骗", "2020-04-15", "微信公众号"]])
    assert parsed.column_letters == {"reach": "A", "title": "C", "issued_date": "D", "channel": "E"}
    assert parsed.rows[0].values == {"reach": 12000, "title": "警惕养老诈骗", "issued_date": "2020-04-15",
                                     "channel": "微信公众号"}


def test_merged_title_row(tmp_path):
    assert len(_rw(tmp_path, merge_title=True).rows) == 1


def test_notes_signature_block_and_total_row_under_the_table(tmp_path):
    below = [["合计", None, None, 12000, None], [], ["注：本表按季度报送。"], ["单位负责人：", "李四", "审核人：", "王五"],
             ["2020-05-01", "注释行之后的内容不再读取", "其他", None, None]]
    parsed = _rw(tmp_path, below=below)
    assert [r.row for r in parsed.rows] == [4]


def test_full_width_characters_in_labels_header_fields_and_cells(tmp_path):
    top = [["风险提示"], ["填报单位：", "鄂州市鄂城区", None, "报告期：", "２０２０年第二季度"]]
    header = ["发布日期＊", "提示标题　", "发布渠道：", "覆盖人数", "备注"]
    parsed = _rw(tmp_path, top=top, header=header, rows=[["２０２０－０４－１５", "警惕", "微信公众号", "１２，０００", None]])
    values = parsed.rows[0].values
    assert DATASETS["risk_warning"].column("reach").parse(values["reach"]) == 12000
    assert DATASETS["risk_warning"].column("issued_date").parse(values["issued_date"]) == date(2020, 4, 15)


def test_excel_date_serials_and_real_dates(tmp_path):
    parsed = _rw(tmp_path, rows=[[43936] + RW_ROW[1:], [datetime(2020, 5, 20)] + RW_ROW[1:], ["43937"] + RW_ROW[1:]])
    column = DATASETS["risk_warning"].column("issued_date")
    assert [column.parse(r.values["issued_date"]) for r in parsed.rows] == \
        [date(2020, 4, 15), date(2020, 5, 20), date(2020, 4, 16)]


def test_two_data_sheets_are_refused_naming_both(tmp_path):
    path = write_submission(tmp_path / "two.xlsx", DATASETS["risk_warning"], "鄂城区", "2020Q2")
    from openpyxl import load_workbook

    book = load_workbook(path)
    book.copy_worksheet(book["风险提示"]).title = "风险提示(2)"
    book.save(path)
    with pytest.raises(FileRejected) as caught:
        read_workbook(path)
    assert caught.value.message.startswith("工作簿中有 2 张数据表：“风险提示”（风险提示）、“风险提示(2)”（风险提示）")


@pytest.mark.parametrize(("written", "key"), [
    ("2020年上半年", "2020H1"), ("2020H2", "2020H2"), ("2020年6月20日", "2020H1"), ("2020-12-10", "2020H2"),
    (datetime(2020, 6, 20), "2020H1"), (44175, "2020H2")])  # 44175 = 2020-12-10 as an Excel serial
def test_risk_ledger_period_may_be_the_snapshot_date(tmp_path, written, key):
    labels = [c.label for c in DATASETS["risk_ledger"].columns]
    path = _book(tmp_path / "r.xlsx", [["填报单位", "人行", "报告期", written]], labels, [])
    assert read_workbook(path).period.key == key


@pytest.mark.parametrize(("written", "fragment"), [
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


def test_a_file_refused_at_identification_still_names_what_could_be_read_and_the_cell(tmp_path):
    from chufei.inbox.receipts import Receipt, render_text
    from chufei.kinds.registry import DATASETS
    from chufei.kinds.templates import write_submission
    from chufei.read.workbook import FileRejected, read_workbook

    ledger = DATASETS["case_ledger"]
    path = write_submission(tmp_path / "a.xlsx", ledger, "某某局", "2020年3月")
    with pytest.raises(FileRejected) as refused:
        read_workbook(path)
    assert refused.value.cell == "B2"  # the 填报单位 value, beside its label in A2
    assert refused.value.identified == {"dataset": "case_ledger", "dataset_title": ledger.title,
                                        "period": "2020-03", "period_label": "2020年3月"}
    receipt = Receipt(file="a.xlsx", sha256="0" * 64, source="submissions", status="rejected",
                      received_at="2020-04-01T01:00:00+00:00", message=refused.value.message,
                      errors=[refused.value.as_error()], **refused.value.identified)
    text = render_text(receipt)
    assert f"报表种类：{ledger.title}" in text
    assert "报告期：2020年3月" in text
    assert "单元格 B2" in text

    path = write_submission(tmp_path / "b.xlsx", ledger, "鄂城区", "2020年第一季度")
    with pytest.raises(FileRejected) as refused:
        read_workbook(path)
    assert refused.value.cell == "F2"
    assert refused.value.identified["unit"] == {"code": "420704", "name": "鄂城区"}
    assert refused.value.identified["dataset_title"] == ledger.title
