"""举报奖励, 风险监测台账汇总, 风险提示 and 行政处置 from rows loaded with replace_submission;
expected values are counted by hand from the rows below."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import text

from chufei.outbox.office_reports import reward_forms, risk_rollup_forms, warning_forms
from chufei.outbox.registry import REPORTS
from chufei.core.periods import half_period, parse_period, quarter_period
from chufei.core.units import units
from tests.forms import check_csv, check_workbook
from tests.statsfacts import load_submission

REPORTER = "王小明"
REPORTER_ID = "420704199001011234"


def reward(no, received, channel, level, valid, paid=False, people=None, fen=None, paid_date=None):
    return {"report_no": no, "received_date": received, "channel": channel, "clue_level": level,
            "is_valid": valid, "reporter_name": REPORTER, "reporter_id_no": REPORTER_ID, "is_paid": paid,
            "reward_people": people, "reward_fen": fen, "paid_date": paid_date}


def test_report_reward_counts_without_reporter_identity(engine, data):
    q2 = quarter_period(2020, 2)
    with engine.begin() as connection:
        load_submission(connection, "report_reward", "420704", q2, [
            reward("R1", date(2020, 4, 3), "12345", "一级", True, True, 2, 150000, date(2020, 6, 1)),
            reward("R2", date(2020, 5, 9), "110", "二级", False),
            reward("R3", date(2020, 6, 30), "平台", "一级", True, True, 1, 50050, date(2020, 7, 2)),
            reward("R0", date(2020, 3, 20), "信访", "三级", True, True, 1, 20000, date(2020, 4, 10)),
        ])
        load_submission(connection, "report_reward", "D13", q2, [
            reward("P1", date(2020, 4, 1), "12345", "三级", True),
        ])
        load_submission(connection, "report_reward", "D13", quarter_period(2020, 1), [
            reward("P0", date(2020, 2, 1), "110", "三级", True, True, 3, 90000, date(2020, 3, 1)),
        ])
    forms, sources = reward_forms(engine, q2)
    rows = {row[1]: row[2:] for row in forms[""].rows}
    # 受理, 有效, 一级/二级/三级, 12345/110/平台/信访, 兑现件数, 奖励人数, 奖励金额(分)
    assert rows["鄂城区"] == [3, 2, 2, 1, 0, 1, 1, 1, 0, 2, 3, 170000]
    assert rows["市公安局"] == [1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0]
    assert rows["合计"] == [4, 3, 2, 1, 1, 2, 1, 1, 0, 2, 3, 170000]
    ytd = {row[1]: row[2:] for row in forms["_year_to_date"].rows}
    assert ytd["合计"] == [6, 5, 2, 1, 3, 2, 2, 1, 1, 3, 6, 260000]
    assert len(sources) == 3
    manifest = REPORTS["report_reward_quarterly"].build(engine, data, q2)
    folder = Path(manifest["folder"])
    for entry in manifest["files"]:
        path = folder / entry["name"]
        check_workbook(path) if path.suffix == ".xlsx" else check_csv(path)
        text = path.read_bytes()
        if path.suffix == ".csv":
            assert b"1,700.00" not in text
            assert "1700.00" in text.decode("utf-8-sig")
        for secret in (REPORTER, REPORTER_ID):
            assert secret.encode() not in text
    from openpyxl import load_workbook
    for path in folder.glob("*.xlsx"):
        for sheet in load_workbook(path).worksheets:
            for row in sheet.iter_rows(values_only=True):
                assert not any(isinstance(v, str) and (REPORTER in v or REPORTER_ID in v) for v in row)


def ledger(name, level, resolved=False, deadline=None, person="李四"):
    return {"subject_name": name, "credit_code": None, "subject_type": "企业", "industry": "网络借贷",
            "clue_source": "网格排查", "found_date": date(2019, 11, 1), "risk_signs": "承诺高息",
            "people": 10, "amount_fen": 1_000_000, "risk_level": level, "monitoring": None,
            "responsible_unit": "鄂城区处非办", "responsible_person": person, "rectification": None,
            "rectify_deadline": deadline, "progress": None, "resolved": resolved,
            "resolved_date": date(2020, 5, 1) if resolved else None}


def test_risk_ledger_rollup(engine, data):
    from chufei.outbox.reports import displayed_rows

    h1, last = half_period(2020, 1), half_period(2019, 2)
    with engine.begin() as connection:
        load_submission(connection, "risk_ledger", "420704", last, [ledger("甲公司", "高"), ledger("乙公司", "中")])
        load_submission(connection, "risk_ledger", "420704", h1, [
            ledger("甲公司", "高", resolved=True),
            ledger("乙公司", "中", deadline=date(2020, 6, 19), person="张伟强"),
            ledger("丙公司", "中", deadline=date(2020, 6, 20)),
            ledger("丁公司", "低", deadline=date(2020, 1, 1), resolved=True),
        ])
        load_submission(connection, "risk_ledger", "D01", h1, [ledger("戊公司", "高", deadline=date(2020, 3, 1))])
    forms, sources = risk_rollup_forms(engine, h1)
    rows = {(row[1], row[2]): row[3:] for row in forms[""].rows}
    # 台账户数, 较上期新增, 已化解销号, 尚未化解, 逾期未整改 (as of 6月20日)
    assert rows[("鄂城区", "高")] == [1, 0, 1, 0, 0]
    assert rows[("鄂城区", "中")] == [2, 1, 0, 2, 1]
    assert rows[("鄂城区", "低")] == [1, 1, 1, 0, 0]
    assert rows[("人行", "高")] == [1, 1, 0, 1, 1]
    # 人行 sent no 2019H2 ledger: its 较上期新增 has no base ("—") and the 合计 counts 鄂城区's new only
    assert rows[("合计", "")] == [5, 2, 2, 3, 2]
    shown = {(row[1], row[2]): row[3:] for row in displayed_rows(forms[""])}
    assert shown[("人行", "高")][:2] == [1, "—"]
    assert shown[("鄂城区", "中")][:2] == [2, 1]
    assert len(forms[""].rows) == 2 * 3 + 1
    missing = [row[1] for row in forms["_missing_units"].rows[:-1]]
    assert missing == [u.name for u in units() if u.code not in ("420704", "D01")]
    assert forms["_missing_units"].rows[-1][3] == len(units()) - 2
    city = forms["_city_ledger"].rows
    assert len(city) == 6
    assert city[-1][0] == "合计"
    person_column = 1 + [c.label for c in forms["_city_ledger"].columns[1:]].index("责任人")
    assert {row[person_column] for row in city[:-1]} == {"李*", "张**"}  # surnames only
    assert len(sources) == 3
    manifest = REPORTS["risk_ledger_rollup"].build(engine, data, h1)
    folder = Path(manifest["folder"])
    for entry in manifest["files"]:
        path = folder / entry["name"]
        check_workbook(path) if path.suffix == ".xlsx" else check_csv(path)
        assert "张伟强".encode() not in path.read_bytes()


def test_risk_warnings_and_admin_actions(engine, data):
    q3 = quarter_period(2020, 3)

    def warning(day, title):
        return {"issued_date": day, "title": title, "channel": "微信公众号", "reach": 100, "note": None}

    def action(day, subject, kind, fen=None):
        return {"action_date": day, "subject_name": subject, "credit_code": None, "action_type": kind,
                "industry": "养老服务", "result": None, "penalty_fen": fen}

    with engine.begin() as connection:
        load_submission(connection, "risk_warning", "420704", parse_period("2020Q1"),
                        [warning(date(2020, 2, 1), "一"), warning(date(2020, 3, 1), "二")])
        load_submission(connection, "risk_warning", "420704", q3,
                        [warning(date(2020, 8, 1), "三"), warning(date(2020, 3, 1), "二")])  # repeated: once
        load_submission(connection, "risk_warning", "420703", q3, [warning(date(2020, 9, 9), "一")])
        load_submission(connection, "risk_warning", "D14", q3, [warning(date(2020, 7, 7), "宣传")])
        load_submission(connection, "risk_warning", "420702", parse_period("2019Q4"),
                        [warning(date(2019, 12, 1), "去年")])
        load_submission(connection, "admin_action", "420704", q3, [
            action(date(2020, 7, 1), "甲", "约谈劝导"), action(date(2020, 8, 1), "乙", "行政处罚", 5_000_000)])
        load_submission(connection, "admin_action", "D10", parse_period("2020Q2"), [
            action(date(2020, 5, 1), "丙", "行政处罚", 2_000_000), action(date(2020, 5, 2), "丁", "函告提示")])
    forms, sources = warning_forms(engine, q3)
    rows = {row[1]: row[2:] for row in forms["_risk_warnings"].rows}
    assert rows["鄂城区"] == [1, 3, 3, 0, "达标", 300]
    assert rows["华容区"] == [1, 1, 3, 2, "未达标", 100]
    assert rows["梁子湖区"] == [0, 0, 3, 3, "未达标", 0]
    assert rows["市直部门"] == [1, 1, None, None, None, 100]
    assert rows["合计"] == [3, 5, 15, 11, "1/5个属地达标", 500]
    actions = {row[1]: row[2:] for row in forms["_admin_actions"].rows}
    # 本期 by type (约谈劝导, 函告提示, 责令停止, 行政处罚) + 合计, 本年累计 by type + 合计, 罚没(分)
    assert actions["鄂城区"] == [1, 0, 0, 1, 2, 1, 0, 0, 1, 2, 5_000_000]
    assert actions["市场监管局"] == [0, 0, 0, 0, 0, 0, 1, 0, 1, 2, 2_000_000]
    assert actions["合计"] == [1, 0, 0, 1, 2, 1, 1, 0, 2, 4, 7_000_000]
    assert len(sources) == 6
    manifest = REPORTS["warnings_actions_quarterly"].build(engine, data, q3)
    folder = Path(manifest["folder"])
    for entry in manifest["files"]:
        path = folder / entry["name"]
        check_workbook(path) if path.suffix == ".xlsx" else check_csv(path)


def test_advert_screening_campaign_figures(engine, data):
    """Workbooks go through the real ingest; the expected figures are counted from the rows sent."""
    from chufei.ingest.ad_screening import ingest_ad_screening
    from chufei.kinds.ad_screening import ACTIONS, CARRIERS, write_screening
    from tests.screening import advert

    def counts(staff, removed):
        return {"出动人次": staff, "检查户数": 10, "核查条数": 20, "线上监测条次": 300, "清理条数": removed,
                "移送线索数": 1}

    def month(rows, month_no):
        return [{**row, "排查日期": row["排查日期"].replace(month=month_no),
                 "处置日期": row["处置日期"].replace(month=month_no)} for row in rows]

    june = [advert(3), advert(4, carrier="户外", action="立案"), advert(5, 是否持牌="是")]
    august = month([advert(10, carrier="短信"), advert(11, carrier="网站", action="移送公安")], 8)
    august_fixed = august + month([advert(12, carrier="APP")], 8)  # the correction replaces the first one
    inbox = data.inbox("ad_screening")
    write_screening(inbox / "鄂城区6月.xlsx", "鄂城区", "2020年6月", june, counts(12, 2))
    write_screening(inbox / "鄂城区8月.xlsx", "鄂城区", "2020年8月", august, counts(5, 1))
    ingest_ad_screening(engine, data)
    write_screening(inbox / "鄂城区8月更正.xlsx", "鄂城区", "2020年8月", august_fixed, counts(7, 2))
    write_screening(inbox / "华容区9月.xlsx", "华容区", "2020年9月",
                    month([advert(20, 填报单位="华容区", carrier="微博")], 9), counts(3, 1))
    write_screening(inbox / "华容区4月.xlsx", "华容区", "2020年4月",  # an earlier quarter: 本年累计 only
                    month([advert(2, 填报单位="华容区")], 4), counts(4, 0))
    ingest_ad_screening(engine, data)

    forms, sources = warning_forms(engine, quarter_period(2020, 3))
    summary = {row[1]: row[2:] for row in forms["_ad_screening"].rows}
    # 本期 (出动人次, 检查户数, 核查条数, 线上监测条次, 清理条数, 移送线索数), 本年累计 (same), 本年报送(月)
    assert summary["鄂城区"] == [7, 10, 20, 300, 2, 1, 19, 20, 40, 600, 4, 2, 2]
    assert summary["华容区"] == [3, 10, 20, 300, 1, 1, 7, 20, 40, 600, 1, 2, 2]
    assert summary["梁子湖区"] == [0] * 13
    assert summary["合计"] == [10, 20, 40, 600, 3, 2, 26, 40, 80, 1200, 5, 4, 4]

    detail = {row[1]: row[2:] for row in forms["_ad_screening_detail"].rows}
    quarter = {"鄂城区": august_fixed, "华容区": [{"载体类型": "微博", "处置措施": "删除", "是否持牌": "否"}]}
    year = {"鄂城区": len(june) + len(august_fixed), "华容区": 2}
    for name, rows in quarter.items():
        expected = [len(rows), sum(r["是否持牌"] == "否" for r in rows),
                    *[sum(r["载体类型"] == c for r in rows) for c in CARRIERS],
                    *[sum(r["处置措施"] == a for r in rows) for a in ACTIONS], year[name]]
        assert detail[name] == expected, name
    assert detail["合计"][0] == 4
    assert detail["合计"][-1] == 8
    assert sum(detail["合计"][2:2 + len(CARRIERS)]) == sum(detail["合计"][2 + len(CARRIERS):-1]) == 4

    with engine.connect() as connection:
        shas = {row[0] for row in connection.execute(text(
            "SELECT file_sha256 FROM submission WHERE dataset = 'ad_screening' AND is_current = TRUE"))}
    assert shas <= set(sources)
    assert len(shas) == 4

    manifest = REPORTS["warnings_actions_quarterly"].build(engine, data, quarter_period(2020, 3))
    folder = Path(manifest["folder"])
    names = {entry["name"] for entry in manifest["files"]}
    assert {"warnings_actions_quarterly_2020Q3_ad_screening.xlsx",
            "warnings_actions_quarterly_2020Q3_ad_screening_detail.csv"} <= names
    for entry in manifest["files"]:
        path = folder / entry["name"]
        check_workbook(path) if path.suffix == ".xlsx" else check_csv(path)


def test_a_zero_row_risk_ledger_is_a_return_and_a_new_unit_has_no_base(engine, data):
    """零报告: a unit whose ledger lists nobody submitted; 较上期新增 without a last snapshot is "—"."""
    from chufei.outbox.reports import displayed_rows

    h1, last = half_period(2020, 1), half_period(2019, 2)
    with engine.begin() as connection:
        load_submission(connection, "risk_ledger", "420704", h1, [ledger("甲公司", "高"), ledger("乙公司", "高")])
        load_submission(connection, "risk_ledger", "420703", h1, [])  # 零报告
        load_submission(connection, "risk_ledger", "D01", h1, [ledger("戊公司", "中")])
    forms, _ = risk_rollup_forms(engine, h1)
    shown = {(row[1], row[2]): row[3:] for row in displayed_rows(forms[""])}
    assert shown[("华容区", "零报告")] == [0, "—", 0, 0, 0]
    assert shown[("鄂城区", "高")][:2] == [2, "—"]  # no 2019H2 ledger at all: nothing to compare with
    assert shown[("合计", "")][:2] == [3, "—"]
    with engine.begin() as connection:
        load_submission(connection, "risk_ledger", "420704", last, [ledger("甲公司", "高")])
    forms, _ = risk_rollup_forms(engine, h1)
    shown = {(row[1], row[2]): row[3:] for row in displayed_rows(forms[""])}
    assert shown[("鄂城区", "高")][:2] == [2, 1]
    # units that sent no 2019H2 ledger have no base of their own: "—", and the 合计 counts 鄂城区's only
    assert shown[("华容区", "零报告")] == [0, "—", 0, 0, 0]
    assert shown[("人行", "中")][:2] == [1, "—"]
    assert shown[("合计", "")][:2] == [3, 1]
    assert any("未报送台账" in note and "不能视为0" in note for note in forms[""].notes)
    missing = {row[1] for row in forms["_missing_units"].rows[:-1]}
    assert not missing & {"鄂城区", "华容区", "人行"}
    assert len(missing) == len(units()) - 3


def test_the_city_ledger_prints_as_three_forms_and_names_a_person_by_surname(engine, data):
    """The 全市台账's 19 columns as 表一–表三 at 80 % or more; a natural person who is a subject
    is shown by the surname only, in the workbook and its CSV twin."""
    from openpyxl import load_workbook

    from chufei.outbox.layout import MIN_SCALE
    from chufei.outbox.office_reports import build_office_package

    h1 = half_period(2020, 1)
    person = dict(ledger("王小明", "高"), subject_type="自然人")
    with engine.begin() as connection:
        load_submission(connection, "risk_ledger", "420704", h1, [ledger("甲公司", "中"), person])
    manifest = build_office_package(engine, data, h1, "risk_ledger_rollup", risk_rollup_forms)
    folder = Path(manifest["folder"])
    book = load_workbook(folder / "risk_ledger_rollup_2020H1_city_ledger.xlsx")
    assert book.sheetnames == ["表一", "表二", "表三"]
    for sheet in book.worksheets:
        assert sheet.page_setup.scale >= MIN_SCALE, sheet.title
        assert sheet["B6"].value == "主体名称" or sheet["B5"].value == "主体名称"
    texts = [c.value for sheet in book.worksheets for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert "王**" in texts
    assert "甲公司" in texts
    for path in folder.iterdir():
        if path.suffix in (".csv", ".xlsx"):
            assert "王小明" not in (path.read_bytes().decode("utf-8-sig") if path.suffix == ".csv"
                                 else " ".join(str(v) for sheet in load_workbook(path).worksheets for v in sheet.values))
