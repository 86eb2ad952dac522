"""Advert-screening workbooks: template round trip, rows and summary counts per unit and month,
bad rows kept with reasons, corrections replace, duplicates recognised — SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date

import openpyxl
from sqlalchemy import text

from chufei.ingest.ad_screening import ingest_ad_screening
from chufei.kinds.ad_screening import AD_SCREENING, SUMMARY_SHEET, write_screening, write_template
from tests.screening import COUNTS, advert

def loaded(engine) -> tuple[list[tuple], list[tuple]]:
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT s.unit_code, s.period_key, s.version, r.row_no, r.carrier, r.licensed, r.action "
            "FROM ad_screening_row r JOIN submission s ON s.id = r.submission_id "
            "WHERE s.is_current = TRUE ORDER BY s.unit_code, r.row_no")).all()
        counts = connection.execute(text(
            "SELECT s.unit_code, s.period_key, m.staff_deployed, m.premises_checked, m.items_verified, "
            "m.online_monitored, m.items_removed, m.clues_transferred FROM ad_screening_summary m "
            "JOIN submission s ON s.id = m.submission_id WHERE s.is_current = TRUE")).all()
    return [tuple(r) for r in rows], [tuple(c) for c in counts]


def receipts(data) -> dict[str, dict]:
    return {(r := json.loads(p.read_text(encoding="utf-8")))["file"]: r for p in data.receipts.glob("*.json")}


def test_template_has_the_detail_columns_and_the_summary_sheet(tmp_path):
    book = openpyxl.load_workbook(write_template(tmp_path))
    detail = book[AD_SCREENING.title]
    headers = [str(c.value).rstrip("*") for c in detail[5] if c.value]
    assert headers == [c.label for c in AD_SCREENING.columns]
    labels = [row[0] for row in book[SUMMARY_SHEET].iter_rows(min_row=3, values_only=True)]
    assert labels == list(COUNTS)


def test_rows_and_counts_load_bad_rows_are_kept_and_a_correction_replaces(engine, data):
    inbox = data.inbox("ad_screening")
    rows = [advert(3), advert(4, carrier="户外", action="立案"), advert(5),
            advert(6, 载体类型="广播"),  # not a carrier
            advert(7, 统一社会信用代码="91420700MA4ABCDE10"),  # bad check character
            advert(8, 排查日期=date(2020, 5, 30)),  # outside June
            advert(9, 处置日期=date(2020, 6, 1)),  # handled before it was found
            advert(3)]  # the same advert twice
    write_screening(inbox / "鄂城区 6月.xlsx", "鄂城区", "2020年6月", rows, COUNTS)
    ingest_ad_screening(engine, data)

    got_rows, got_counts = loaded(engine)
    assert [(r[0], r[1], r[3], r[4], r[6]) for r in got_rows] == [
        ("420704", "2020-06", 6, "微信", "删除"), ("420704", "2020-06", 7, "户外", "立案"),
        ("420704", "2020-06", 8, "微信", "删除")]
    assert got_rows[0][5] is False or got_rows[0][5] == 0
    assert got_counts == [("420704", "2020-06", 12, 40, 55, 1200, 2, 1)]
    receipt = receipts(data)["鄂城区 6月.xlsx"]
    assert receipt["status"] == "partially_accepted"
    assert receipt["counts"] == {"rows": 8, "accepted": 3, "rejected": 5}
    problems = {(e["cell"], e["message"]) for e in receipt["errors"]}
    assert ("C9", "载体类型应为 报刊/广电/户外/传单/短信/网站/微博/微信/APP") in problems
    assert any(cell == "F10" and "校验位" in message for cell, message in problems)
    assert any(cell == "A11" and "不在报告期" in message for cell, message in problems)
    assert ("K12", "处置日期早于排查日期") in problems
    assert any(cell == "A13" and "重复" in message for cell, message in problems)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM rejected_row")).scalar_one() == 5

    # The corrected workbook replaces June; the same bytes again are only a duplicate.
    corrected = inbox / "鄂城区 6月 更正.xlsx"
    write_screening(corrected, "鄂州市鄂城区", "2020-06", rows[:3] + [advert(10)], {**COUNTS, "出动人次": 15})
    copy = corrected.read_bytes()
    ingest_ad_screening(engine, data)
    (inbox / "copy.xlsx").write_bytes(copy)
    ingest_ad_screening(engine, data)
    got_rows, got_counts = loaded(engine)
    assert [(r[2], r[3]) for r in got_rows] == [(2, 6), (2, 7), (2, 8), (2, 9)]
    assert got_counts == [("420704", "2020-06", 15, 40, 55, 1200, 2, 1)]
    assert receipts(data)["鄂城区 6月 更正.xlsx"]["version"] == 2
    assert receipts(data)["copy.xlsx"]["status"] == "duplicate"
    assert list(inbox.iterdir()) == []


def test_a_workbook_without_its_summary_or_unit_is_rejected_with_a_reason(engine, data):
    inbox = data.inbox("ad_screening")
    path = write_screening(inbox / "no summary.xlsx", "鄂城区", "2020年6月", [advert(3)], COUNTS)
    book = openpyxl.load_workbook(path)
    del book[SUMMARY_SHEET]
    book.save(path)
    write_screening(inbox / "no unit.xlsx", "某某局", "2020年6月", [advert(3)], COUNTS)
    (inbox / "notes.xlsx").write_bytes(b"not a workbook")
    summary = ingest_ad_screening(engine, data)
    assert summary["rejected"] == 3
    got = receipts(data)
    assert SUMMARY_SHEET in got["no summary.xlsx"]["message"]
    assert "不在单位名录" in got["no unit.xlsx"]["message"]
    assert "不是有效的 Excel" in got["notes.xlsx"]["message"]
    assert loaded(engine) == ([], [])
