"""No export contains an unmasked ID or mobile number, and no written cell is a formula."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from pathlib import Path

from chufei.outbox.case_reports import build_case_statistics_package
from chufei.outbox.registry import REPORTS
from chufei.core.periods import half_period, month_period, quarter_period, year_period
from chufei.outbox.situation import build_situation_package
from tests.statsfacts import Case, case_row, generate, load_facts, load_submission

ID_NUMBER = "42070419900101123X"
MOBILE = "13912345678"
PATTERNS = [re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])"),
            re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")]
FORMULAS = ("=HYPERLINK(\"http://evil.example\",\"点我\")", "+1+2", "@SUM(A1:A2)", "-2+3", "=cmd|' /C calc'!A0")


def _assert_clean(text: str, where: str) -> None:
    for pattern in PATTERNS:
        found = pattern.search(text)
        assert not found, f"{where}: unmasked personal number {found.group(0)}"


def _strings_of_json(value):
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in ("sha256", "sources", "data_version", "sources_added", "sources_removed"):
                yield from _strings_of_json(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings_of_json(item)
    elif isinstance(value, str):
        yield value


def scan(outbox: Path) -> int:
    from openpyxl import load_workbook

    checked = 0
    for path in sorted(outbox.rglob("*")):
        if not path.is_file() or path.name == "latest":
            continue
        checked += 1
        if path.suffix == ".xlsx":
            book = load_workbook(path)
            for sheet in book.worksheets:
                for row in sheet.iter_rows():
                    for cell in row:
                        assert cell.data_type != "f", f"{path.name}!{cell.coordinate} is a formula"
                        if isinstance(cell.value, str):
                            _assert_clean(cell.value, f"{path.name}!{cell.coordinate}")
        elif path.suffix == ".csv":
            text = path.read_bytes().decode("utf-8-sig")
            _assert_clean(text, path.name)
            for row in csv.reader(io.StringIO(text)):
                for value in row:
                    dangerous = value[:1] in ("=", "+", "@", "\t", "\r") or (
                        value[:1] == "-" and not re.fullmatch(r"-\d+(\.\d+)?", value))
                    assert not dangerous, f"{path.name}: cell {value!r} would be evaluated"
        elif path.suffix == ".json":
            for text in _strings_of_json(json.loads(path.read_text(encoding="utf-8"))):
                _assert_clean(text, path.name)
        elif path.suffix == ".docx":  # the bulletin: every text run of every part
            import docx

            document = docx.Document(str(path))
            texts = [paragraph.text for paragraph in document.paragraphs]
            texts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
            _assert_clean("\n".join(texts), path.name)
        elif path.suffix == ".png":
            continue  # the bulletin's chart pictures carry no text
        else:
            _assert_clean(path.read_text(encoding="utf-8"), path.name)
    return checked


def test_no_export_leaks_personal_numbers_or_formulas(engine, data):
    cases, actions = generate()
    load_facts(engine, cases, actions)
    unit = "420704"
    nasty = [Case(unit, f"OLD-{i}", "其他", date(2017, 3, 1 + i), 5_000_000, 10, False, None, 1_000_000, 0)
             for i in range(len(FORMULAS))]
    with engine.begin() as connection:
        rows = [case_row(c) for c in cases if c.unit_code == unit]
        rows += [case_row(c, case_name=f"{formula} 联系人{MOBILE} 身份证{ID_NUMBER}")
                 for c, formula in zip(nasty, FORMULAS, strict=False)]
        load_submission(connection, "case_ledger", unit, month_period(2020, 12), rows)
        load_submission(connection, "risk_ledger", unit, half_period(2020, 1), [{
            "subject_name": FORMULAS[0], "credit_code": None, "subject_type": "企业", "industry": "网络借贷",
            "clue_source": "网格排查", "found_date": date(2020, 1, 2), "risk_signs": f"法人手机{MOBILE}",
            "people": 3, "amount_fen": 100, "risk_level": "高", "monitoring": FORMULAS[1],
            "responsible_unit": "鄂城区", "responsible_person": ID_NUMBER, "rectification": f"身份证{ID_NUMBER}",
            "rectify_deadline": None, "progress": FORMULAS[4], "resolved": False, "resolved_date": None}])
        load_submission(connection, "report_reward", unit, quarter_period(2020, 2), [{
            "report_no": "R1", "received_date": date(2020, 4, 1), "channel": "12345", "clue_level": "一级",
            "is_valid": True, "reporter_name": "赵六", "reporter_id_no": ID_NUMBER, "is_paid": False,
            "reward_people": None, "reward_fen": None, "paid_date": None}])
        load_submission(connection, "risk_warning", unit, quarter_period(2020, 2), [{
            "issued_date": date(2020, 5, 1), "title": FORMULAS[2], "channel": "短信", "reach": 5,
            "note": MOBILE}])
    build_case_statistics_package(engine, data, month_period(2020, 12), "case_statistics_monthly")
    build_case_statistics_package(engine, data, year_period(2020), "case_statistics_annual")
    build_case_statistics_package(engine, data, quarter_period(2020, 4), "case_statistics_quarterly")
    REPORTS["report_reward_quarterly"].build(engine, data, quarter_period(2020, 2))
    REPORTS["risk_ledger_rollup"].build(engine, data, half_period(2020, 1))
    REPORTS["warnings_actions_quarterly"].build(engine, data, quarter_period(2020, 2))
    build_situation_package(engine, data, year_period(2020))
    ledger = data.outbox / "risk_ledger_rollup" / "2020H1" / "v1" / "risk_ledger_rollup_2020H1_city_ledger.csv"
    text = ledger.read_bytes().decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert "139****5678" in text
    payouts = (data.outbox / "case_statistics_annual" / "2020" / "v1"
               / "case_statistics_annual_2020_old_case_payouts.xlsx")
    from openpyxl import load_workbook
    values = [c.value for row in load_workbook(payouts).active.iter_rows() for c in row]
    assert any(isinstance(v, str) and v.startswith("=HYPERLINK") for v in values)  # text, not a formula
    assert scan(data.outbox) > 30


def test_the_risk_ledger_rollup_masks_every_form_of_number_and_the_names_before_them(engine, data):
    import unicodedata

    unit = "420704"
    with engine.begin() as connection:
        load_submission(connection, "risk_ledger", unit, half_period(2020, 2), [{
            "subject_name": "某某商贸", "credit_code": None, "subject_type": "自然人", "industry": "网络借贷",
            "clue_source": "网格排查", "found_date": date(2020, 8, 2), "risk_signs": "法人手机+8613971234567",
            "people": 3, "amount_fen": 100, "risk_level": "高", "monitoring": "联系 139-7123-4567",
            "responsible_unit": "鄂城区", "responsible_person": "孙悟能13307112345",
            "rectification": "身份证 420703 19851120 4569", "rectify_deadline": None, "progress": "电话 139 7123 4567",
            "resolved": False, "resolved_date": None}, {
            "subject_name": "另一主体", "credit_code": None, "subject_type": "自然人", "industry": "网络借贷",
            "clue_source": "网格排查", "found_date": date(2020, 8, 3), "risk_signs": "无", "people": 1,
            "amount_fen": 100, "risk_level": "低", "monitoring": None, "responsible_unit": "鄂城区",
            "responsible_person": "王五", "rectification": None, "rectify_deadline": None, "progress": None,
            "resolved": False, "resolved_date": None}])
    REPORTS["risk_ledger_rollup"].build(engine, data, half_period(2020, 2))
    ledger = data.outbox / "risk_ledger_rollup" / "2020H2" / "v1" / "risk_ledger_rollup_2020H2_city_ledger.csv"
    text = ledger.read_bytes().decode("utf-8-sig")
    digits = "".join(c for c in unicodedata.normalize("NFKC", text) if c.isdigit())
    assert "71234567" not in digits
    assert "19851120" not in digits
    assert "07112345" not in digits
    assert "悟能" not in text
    assert "孙**" in text
    assert "王*" in text
    assert "王五" not in text
    assert text.count("139****4567") == 3
