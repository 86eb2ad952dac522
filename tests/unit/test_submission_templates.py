"""Every kind's template: title, header fields, labels, drop-downs from the code lists, no formulas."""

from __future__ import annotations

import zipfile

from openpyxl import load_workbook

from chufei.core.settings import code_lists
from chufei.kinds.registry import DATASETS, KINDS, write_templates
from chufei.kinds.templates import CODES_SHEET, HEADER_ROW, write_submission


def test_one_template_per_kind_with_labels_and_drop_downs(tmp_path):
    paths = write_templates(tmp_path)
    # every workbook kind, the advert screening's too; grid exports come from the platform
    workbooks = [*DATASETS.values(), KINDS["ad_screening"].dataset]
    assert sorted(p.name for p in paths) == sorted(f"{d.title}模板.xlsx" for d in workbooks)
    lists = code_lists()
    for dataset in workbooks:
        path = tmp_path / f"{dataset.title}模板.xlsx"
        book = load_workbook(path)
        sheet = book[dataset.title]
        assert sheet["A1"].value == dataset.title
        assert [sheet.cell(HEADER_ROW, i + 1).value for i in range(len(dataset.columns))] == \
            [c.label + ("*" if c.required else "") for c in dataset.columns]
        codes = book[CODES_SHEET]
        assert codes.sheet_state == "hidden"
        by_column = {}
        for validation in sheet.data_validations.dataValidation:
            letter = str(validation.sqref).split(":")[0].rstrip("0123456789")
            by_column[letter] = validation.formula1
        for position, column in enumerate(dataset.columns, 1):
            letter = sheet.cell(HEADER_ROW, position).column_letter
            source = column.choices or ("是否" if column.kind == "flag" else None)
            if source is None:
                assert letter not in by_column, (dataset.name, column.label)
                continue
            formula = by_column[letter]
            list_letter = formula.split("!$")[1].split("$")[0]
            values = [c.value for c in codes[list_letter]][1:]
            assert codes[f"{list_letter}1"].value == source
            assert [v for v in values if v is not None] == lists[source], (dataset.name, column.label)
            assert formula.endswith(f"${len(lists[source]) + 1}")


def test_amount_unit_note_matches_the_kind(tmp_path):
    reward = load_workbook(write_submission(tmp_path / "r.xlsx", DATASETS["report_reward"]))["举报奖励"]
    ledger = load_workbook(write_submission(tmp_path / "c.xlsx", DATASETS["case_ledger"]))["案件台账"]
    assert "奖励金额(元)单位为元" in reward["A4"].value
    assert "万元" in ledger["A4"].value


def test_text_that_looks_like_a_formula_stays_text_in_written_workbooks(tmp_path):
    rows = [{"发布日期": "2020-04-01", "提示标题": t, "发布渠道": "其他", "备注": t} for t in ("=cmd|' /C calc'!A0", "@SUM(1)")]
    path = write_submission(tmp_path / "f.xlsx", DATASETS["risk_warning"], "=鄂城区", "+2020Q2", rows,
                            filled_by="-张三", phone="+8613800000000")
    with zipfile.ZipFile(path) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml
    assert "<f " not in sheet_xml
    sheet = load_workbook(path)["风险提示"]
    assert sheet["B2"].value == "=鄂城区"
    assert sheet["B2"].data_type == "s"


def test_templates_print_on_a4_landscape_with_title_header_and_instructions_on_page_one(tmp_path):
    import openpyxl

    for path in write_templates(tmp_path):
        sheet = openpyxl.load_workbook(path).worksheets[0]
        assert sheet.page_setup.orientation == "landscape"
        assert int(sheet.page_setup.paperSize) == 9
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.page_setup.fitToWidth == 1
        assert sheet.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
        merged = {str(r) for r in sheet.merged_cells.ranges}
        assert any(r.startswith("A1:") for r in merged), path.name
        assert any(r.startswith("A4:") for r in merged), path.name
        assert sheet["A4"].alignment.wrap_text
        assert sheet.row_dimensions[4].height >= 19
