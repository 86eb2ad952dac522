"""What the cell values alone hide, told in the receipt by cell: a formula saved without its
result and a merged cell are named for what they are (not "必填项"), hidden rows and columns are
loaded and pointed out, a cell longer than Excel holds is pointed out (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import random

import openpyxl
from sqlalchemy import text

from chufei.ingest.submissions import ingest_submissions
from chufei.kinds.registry import DATASETS
from chufei.kinds.templates import write_submission

PERIOD = "2020年3月"


def case(number: str, **changes) -> dict:
    row = {"案件编号": number, "案件名称": f"某投资公司非法吸收公众存款案{number}", "立案日期": "2020-03-01",
           "承办单位": "公安", "行业领域": "其他", "涉案金额(万元)": 10, "集资参与人数": 5, "是否跨区域": "否",
           "处置阶段": "侦查", "是否陈案": "否"}
    return {**row, **changes}


def _receipt(data, name: str) -> dict:
    found = (json.loads(p.read_text(encoding="utf-8")) for p in data.receipts.glob("*.json"))
    return next(r for r in found if r["file"] == name)


def _columns(sheet) -> dict[str, str]:
    """Column letter of each header label, found in the sheet as a person would."""
    for row in sheet.iter_rows():
        labels = {str(cell.value).rstrip("*"): cell.column_letter for cell in row if cell.value}
        if "案件编号" in labels:
            return labels | {"_row": row[0].row}
    raise AssertionError("no header row")


def _write_past_excel(path, placeholder: str, value: str) -> None:
    """Put ``value`` in the cell holding ``placeholder``, in the XML itself: openpyxl (like Excel)
    cuts a cell at 32767 characters, other generators do not."""
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename.endswith(".xml"):
                content = content.replace(placeholder.encode(), value.encode())
            target.writestr(info.filename, content)
    path.write_bytes(out.getvalue())


def _loaded(engine) -> list[str]:
    with engine.connect() as connection:
        return sorted(connection.execute(text("SELECT case_no FROM case_ledger_row")).scalars())


def test_a_formula_without_its_result_and_merged_cells_are_named(engine, data):
    path = data.inbox("submissions") / "ledger.xlsx"
    write_submission(path, DATASETS["case_ledger"], "临空经济区", PERIOD,
                     [case("F-1"), case("F-2"), case("F-3"), case("F-4")])
    book = openpyxl.load_workbook(path)
    sheet = book.active
    at = _columns(sheet)
    first = at["_row"] + 1
    amount, unit = at["涉案金额(万元)"], at["承办单位"]
    # F-1's amount is a formula: openpyxl saves no cached result, as many generators do
    sheet[f"{amount}{first}"] = "=5+5"
    # F-2 and F-3 share one merged 承办单位 cell; F-3's part of it is empty in the file
    sheet[f"{unit}{first + 2}"] = None
    sheet.merge_cells(f"{unit}{first + 1}:{unit}{first + 2}")
    book.save(path)

    ingest_submissions(engine, data)

    receipt = _receipt(data, "ledger.xlsx")
    assert (receipt["status"], receipt["counts"]["accepted"], receipt["counts"]["rejected"]) == (
        "partially_accepted", 2, 2)
    by_cell = {error["cell"]: error for error in receipt["errors"]}
    assert set(by_cell) == {f"{amount}{first}", f"{unit}{first + 2}"}, receipt["errors"]
    formula = by_cell[f"{amount}{first}"]
    assert (formula["sheet"], formula["row"], formula["column"]) == ("案件台账", first, "涉案金额(万元)")
    assert "公式" in formula["message"]
    assert "没有保存公式的计算结果" in formula["message"]
    assert "=5+5" in formula["message"]
    merged = by_cell[f"{unit}{first + 2}"]
    assert merged["row"] == first + 2
    assert merged["column"] == "承办单位"
    assert f"合并单元格 {unit}{first + 1}:{unit}{first + 2}" in merged["message"]
    assert all("必填" not in error["message"] for error in receipt["errors"])
    assert _loaded(engine) == ["F-2", "F-4"]  # the merge's first cell holds F-2's value


def test_hidden_rows_are_loaded_and_a_cell_longer_than_excel_holds_is_pointed_out(engine, data):
    path = data.inbox("submissions") / "hidden.xlsx"
    rng = random.Random(18)  # 1 MB of varied text (a megabyte of one character is refused as a zip bomb)
    long_name = "某投资公司非法吸收公众存款案" + "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(350_000))
    write_submission(path, DATASETS["case_ledger"], "临空经济区", PERIOD,
                     [case("H-1"), case("H-2"), case("H-3", 案件名称="LONG-NAME-HERE")])
    book = openpyxl.load_workbook(path)
    sheet = book.active
    at = _columns(sheet)
    first = at["_row"] + 1
    sheet.row_dimensions[first + 1].hidden = True  # H-2
    sheet.column_dimensions[at["承办单位"]].hidden = True
    book.save(path)
    _write_past_excel(path, "LONG-NAME-HERE", long_name)

    ingest_submissions(engine, data)

    receipt = _receipt(data, "hidden.xlsx")
    assert receipt["status"] == "accepted"
    assert _loaded(engine) == ["H-1", "H-2", "H-3"]  # hiding a row does not delete it: the rule is documented
    hidden = [w for w in receipt["warnings"] if "隐藏" in w["message"]]
    assert [(w["sheet"], w["row"], w["column"]) for w in hidden] == [
        ("案件台账", None, "承办单位"), ("案件台账", first + 1, None)]
    assert f"{at['承办单位']} 列（“承办单位”）在表格中被隐藏" in hidden[0]["message"]
    assert "已与其他行一样读取入库" in hidden[1]["message"]
    [long] = [w for w in receipt["warnings"] if "32767" in w["message"]]
    assert (long["row"], long["column"], long["cell"]) == (first + 2, "案件名称", f"{at['案件名称']}{first + 2}")
    assert f"共 {len(long_name)} 个字符" in long["message"]
    with engine.connect() as connection:
        kept = connection.execute(text("SELECT case_name FROM case_ledger_row WHERE case_no = 'H-3'")).scalar_one()
    assert kept == long_name  # kept whole; only an exported form must cut it
    text_receipt = data.receipts.joinpath(receipt["sha256"] + ".txt").read_text(encoding="utf-8")
    assert f"第 {first + 1} 行在表格中被隐藏" in text_receipt
    assert len(text_receipt) < 20_000  # the warning names the cell, it does not repeat a megabyte
