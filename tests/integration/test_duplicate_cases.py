"""A case two units both report (重复上报) is counted once in the city's totals, under the lead
unit, while each unit's own row still shows it; both units are warned in their receipts, and the
case package lists every copy in a 重复上报 sheet (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import os
from datetime import datetime
from decimal import Decimal

from chufei.core.periods import TZ, month_period
from chufei.ingest.submissions import ingest_submissions
from chufei.kinds.registry import DATASETS
from chufei.kinds.templates import write_submission
from chufei.outbox.case_reports import case_statistics_forms
from tests.forms import cells

PERIOD = "2020年6月"


def case(number: str, name: str, filed: str, wan: int, people: int, industry: str = "私募股权投资") -> dict:
    return {"案件编号": number, "案件名称": name, "立案日期": filed, "承办单位": "公安", "行业领域": industry,
            "涉案金额(万元)": wan, "集资参与人数": people, "是否跨区域": "否", "处置阶段": "侦查", "是否陈案": "否"}


# What each unit's ledger lists. XU0001 and LK-1 carry the same number in two ledgers; LK-2 and
# GA-9 are one case under two numbers (same name up to a space and full-width brackets, date, amount).
LEDGERS = {
    "临空经济区": [case("XU0001", "鄂州某投资公司非法吸收公众存款案", "2020-06-10", 20000, 1500),
                 case("LK-1", "临空某农业合作社集资诈骗案", "2020-06-12", 300, 40, "农民专业合作社"),
                 case("LK-2", "鄂州（某）养老院非法集资案", "2020-06-15", 800, 60, "养老服务")],
    "市公安局": [case("XU0001", "鄂州某投资公司非法吸收公众存款案", "2020-06-10", 20000, 1500),
             case("GA-9", "鄂州(某)养老院 非法集资案", "2020-06-15", 800, 60, "养老服务"),
             case("GA-1", "某网贷平台集资诈骗案", "2020-06-20", 50, 10, "网络借贷")],
    "鄂城区": [case("LK-1", "临空某农业合作社集资诈骗案", "2020-06-12", 300, 40, "农民专业合作社")],
}
ARRIVALS = {"临空经济区": 1, "市公安局": 2, "鄂城区": 3}  # 7月 day: 临空 first, 鄂城区 last


def _receipts(data) -> dict[str, dict]:
    found = (json.loads(p.read_text(encoding="utf-8")) for p in data.receipts.glob("*.json"))
    return {r["file"]: r for r in found}


def _send(data, unit: str) -> None:
    path = data.inbox("submissions") / f"{unit}.xlsx"
    write_submission(path, DATASETS["case_ledger"], unit, PERIOD, LEDGERS[unit])
    moment = datetime(2020, 7, ARRIVALS[unit], 9, tzinfo=TZ).timestamp()
    os.utime(path, (moment, moment))


def test_a_case_from_two_units_counts_once_in_the_city_totals(engine, data):
    for unit in LEDGERS:
        _send(data, unit)
        ingest_submissions(engine, data)  # one by one: 临空 arrives first, 鄂城区 last

    forms, _ = case_statistics_forms(engine, month_period(2020, 6))
    by_unit, by_industry = cells(forms[""], "month"), cells(forms["_by_industry"], "month")

    # Every unit's row shows every case it reports.
    for unit, rows in LEDGERS.items():
        assert by_unit[(unit, "新发案件数(件)", "本期")] == len(rows), unit
        assert by_unit[(unit, "涉案金额(万元)", "本期")] == Decimal(sum(r["涉案金额(万元)"] for r in rows)), unit
    # The city counts the four distinct cases once: XU0001, LK-1, LK-2 = GA-9, GA-1.
    distinct = [LEDGERS["市公安局"][0], LEDGERS["临空经济区"][1], LEDGERS["市公安局"][1], LEDGERS["市公安局"][2]]
    expected = {"新发案件数(件)": len(distinct),
                "涉案金额(万元)": Decimal(sum(r["涉案金额(万元)"] for r in distinct)),
                "集资参与人数(人)": sum(r["集资参与人数"] for r in distinct),
                "超亿元案件数(件)": sum(1 for r in distinct if r["涉案金额(万元)"] >= 10000),
                "超千人案件数(件)": sum(1 for r in distinct if r["集资参与人数"] >= 1000)}
    assert expected == {"新发案件数(件)": 4, "涉案金额(万元)": Decimal(21150), "集资参与人数(人)": 1610,
                        "超亿元案件数(件)": 1, "超千人案件数(件)": 1}
    for figure, value in expected.items():
        assert by_unit[("合计", figure, "本期")] == value, figure
        assert by_unit[("合计", figure, "本年累计")] == value, figure
        assert by_industry[("合计", figure, "本期")] == value, figure
    # 行业领域 rows are city-wide: the case of two units is in its industry once.
    assert by_industry[("养老服务", "新发案件数(件)", "本期")] == 1
    assert by_industry[("农民专业合作社", "集资参与人数(人)", "本期")] == 40
    assert any("合计行只计一次" in note for note in forms[""].notes)
    assert any("只计一次" in note for note in forms["_by_industry"].notes)

    repeated = forms["_repeated"]
    assert repeated.sheet == "重复上报"
    listed = [(row[0], row[1], row[2], row[9]) for row in repeated.rows[:-1]]
    assert listed == [  # by 立案日期; the lead first: 市公安局 (the lead unit), else the first to arrive
        ("001", "市公安局", "XU0001", "计入合计（牵头单位）"), ("001", "临空经济区", "XU0001", "不重复计入合计"),
        ("002", "临空经济区", "LK-1", "计入合计（牵头单位）"), ("002", "鄂城区", "LK-1", "不重复计入合计"),
        ("003", "市公安局", "GA-9", "计入合计（牵头单位）"), ("003", "临空经济区", "LK-2", "不重复计入合计")]
    assert repeated.rows[2][7] == "2020-06 第 7 行"  # 临空's LK-1: the second data row under the header

    receipts = _receipts(data)
    police = receipts["市公安局.xlsx"]["warnings"]
    assert {(w["row"], w["value"]) for w in police} == {(6, "XU0001"), (7, "GA-9")}
    assert all(w["sheet"] and w["cell"] == f"A{w['row']}" for w in police)
    assert "临空经济区报送的案件台账" in next(w["message"] for w in police if w["value"] == "GA-9")
    assert "第 8 行" in next(w["message"] for w in police if w["value"] == "GA-9")  # 临空's LK-2
    # The unit that sent first hears it too, in its own receipt, once per case, naming the other unit.
    airport = receipts["临空经济区.xlsx"]["warnings"]
    assert sorted(w["value"] for w in airport) == ["LK-1", "LK-2", "XU0001"]
    xu = next(w for w in airport if w["value"] == "XU0001")
    assert "市公安局" in xu["message"]
    assert "计入市公安局" in xu["message"]
    assert xu["row"] == 6
    assert "鄂城区" in next(w["message"] for w in airport if w["value"] == "LK-1")
    assert data.receipts.joinpath(receipts["临空经济区.xlsx"]["sha256"] + ".txt").read_text(
        encoding="utf-8").count("重复上报") == 3
    ecd = receipts["鄂城区.xlsx"]["warnings"]
    assert len(ecd) == 1
    assert "临空经济区" in ecd[0]["message"]

    # The half-year analysis reads the same figures: June's city total and the text count once.
    from chufei.core.periods import parse_period
    from chufei.outbox.situation import situation_forms

    analysis, text, _ = situation_forms(engine, parse_period("2020H1"))
    june = next(row for row in analysis["_by_month"].rows if row[0] == "2020-06")
    assert june[2] == 4
    assert analysis["_by_month"].rows[-1][2] == 4
    assert analysis["_by_district"].rows[-1][2] == 4
    assert "4件" in text or "4 件" in text


def test_without_duplicates_the_package_has_no_repeated_sheet(engine, data):
    _send(data, "鄂城区")
    ingest_submissions(engine, data)
    forms, _ = case_statistics_forms(engine, month_period(2020, 6))
    assert "_repeated" not in forms
    assert not any("只计一次" in note for note in forms[""].notes)
    assert not _receipts(data)["鄂城区.xlsx"]["warnings"]


def test_one_units_two_numbers_under_one_name_are_two_cases(engine, data):
    """A unit listing two numbers with the same name, date and amount says they are two cases:
    another unit's case of that name is then matched to neither (only a shared number would)."""
    same = ("某投资公司非法吸收公众存款案", "2020-06-10", 100, 20)
    for unit, rows in (("华容区", [case("HR-1", *same), case("HR-2", *same)]), ("梁子湖区", [case("LZ-1", *same)])):
        path = data.inbox("submissions") / f"{unit}.xlsx"
        write_submission(path, DATASETS["case_ledger"], unit, PERIOD, rows)
    ingest_submissions(engine, data)
    forms, _ = case_statistics_forms(engine, month_period(2020, 6))
    assert "_repeated" not in forms
    assert cells(forms[""], "month")[("合计", "新发案件数(件)", "本期")] == 3
    assert not any(r["warnings"] for r in _receipts(data).values())


def old(number: str, name: str, unpaid: int, repaid: int, closed: str | None = None) -> dict:
    row = case(number, name, "2018-05-01", 500, 30)
    row.update({"是否陈案": "是", "核实未兑付本金(万元)": unpaid, "已清退金额(万元)": repaid,
                "处置阶段": "结案" if closed else "清退", "结案日期": closed})
    return row


def test_an_old_case_from_two_units_counts_once_in_the_old_case_totals(engine, data, tmp_path):
    from chufei.core.periods import year_period
    from chufei.ops.dashboard import build

    shared = old("XU0009", "鄂州某理财公司非法吸收公众存款案", 400, 100, "2020-06-05")
    ledgers = {"临空经济区": [shared, old("LK-8", "临空某合作社集资案", 200, 200)],
               "市公安局": [shared, old("GA-8", "某网贷平台集资诈骗案", 100, 0)]}
    for unit, rows in ledgers.items():
        path = data.inbox("submissions") / f"{unit}.xlsx"
        write_submission(path, DATASETS["case_ledger"], unit, PERIOD, rows)
        moment = datetime(2020, 7, ARRIVALS[unit], 9, tzinfo=TZ).timestamp()
        os.utime(path, (moment, moment))
    ingest_submissions(engine, data)

    # three distinct old cases: XU0009 (closed this year), LK-8, GA-8; each unit's row shows its two
    distinct = [shared, ledgers["临空经济区"][1], ledgers["市公安局"][1]]
    forms, _ = case_statistics_forms(engine, month_period(2020, 6))
    rows = {row[1]: row for row in forms["_old_cases"].rows}
    assert rows["临空经济区"][2:4] == [2, 1]
    assert rows["市公安局"][2:4] == [2, 1]
    assert rows["合计"][2:4] == [len(distinct), sum(1 for r in distinct if r["结案日期"])]  # 3 in stock, 1 resolved
    assert rows["合计"][7:9] == [len(distinct), sum(r["核实未兑付本金(万元)"] for r in distinct) * 1_000_000]
    assert any("合计只计一次" in note for note in forms["_old_cases"].notes)

    annual, _ = case_statistics_forms(engine, year_period(2020))
    payouts = annual["_old_case_payouts"].rows
    assert [r[0] for r in payouts[:-1]].count("XU0009") == 2  # listed under each unit
    total = payouts[-1]
    assert total[2] == f"{len(distinct)}件"
    assert total[4:6] == [sum(r["核实未兑付本金(万元)"] for r in distinct) * 1_000_000,
                          sum(r["已清退金额(万元)"] for r in distinct) * 1_000_000]
    assert total[7] == f"已清退完毕{sum(1 for r in distinct if r['已清退金额(万元)'] >= r['核实未兑付本金(万元)'])}件"

    page = {t.title: t for t in build(engine, tmp_path / "outbox").targets}
    assert "年初陈案存量 3 件" in page["陈案处置下降50%"].detail
    assert "化解 1 件" in page["陈案处置下降50%"].detail
    assert page["2018年底前陈案兑付清零"].detail.startswith("3 件案件")


def test_a_case_written_directly_is_seen_by_the_next_look_up(engine, data):
    """The duplicates are kept per state of the data; a write that adds no submission (a test or
    bench filling case_current itself, then its facts) still shows in the next look-up."""
    from sqlalchemy import insert, select

    from chufei.warehouse import schema as warehouse
    from chufei.warehouse.case_duplicates import duplicate_cases

    _send(data, "鄂城区")
    ingest_submissions(engine, data)
    with engine.connect() as connection:
        assert duplicate_cases(connection) == []  # one unit: nothing reported twice
    with engine.begin() as connection:
        row = dict(connection.execute(select(warehouse.case_current)).mappings().one())
        connection.execute(insert(warehouse.case_current), {**row, "unit_code": "420703"})  # 华容区, same case
        warehouse.refresh_case_facts(connection)
    with engine.connect() as connection:
        found = duplicate_cases(connection)
    assert [sorted(copy.unit_code for copy in duplicate.copies) for duplicate in found] == [["420703", "420704"]]
