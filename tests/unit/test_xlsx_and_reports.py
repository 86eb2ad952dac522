"""Written files: text never becomes a formula, same content gives the same bytes, 合计 adds up."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import openpyxl

from chufei.reports import FormColumn, StatForm, wan, write_csv, write_package, write_xlsx
from chufei.xlsx import csv_safe

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
    assert csv_safe("=1") == "'=1" and csv_safe("正常") == "正常" and csv_safe(5) == 5


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
    assert str(wan(1_234_567)) == "1.234567" and str(wan(1_230_000)) == "1.23"


def test_print_setup_and_frozen_header(tmp_path: Path):
    path = tmp_path / "f.xlsx"
    write_xlsx(_form(), path)
    sheet = openpyxl.load_workbook(path).active
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.freeze_panes == "C7"
