"""Situation analysis: month trend, district and industry figures, charts, and the summary."""

from __future__ import annotations

import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

from chufei.core.periods import half_period, year_period
from chufei.outbox.situation import analysis_period, build_situation_package, situation_forms
from tests.forms import check_csv, check_workbook
from tests.statsfacts import generate, load_facts


def test_situation_analysis_package(engine, data):
    cases, actions = generate(seed=3)
    load_facts(engine, cases, actions)
    assert analysis_period(half_period(2020, 2)) == year_period(2020)
    assert analysis_period(half_period(2020, 1)) == half_period(2020, 1)
    period = half_period(2020, 1)
    forms, text, _ = situation_forms(engine, period)
    trend = forms["_by_month"].rows
    for month in range(1, 7):
        row = trend[month - 1]
        assert row[2] == sum(1 for c in cases if c.filed.year == 2020 and c.filed.month == month)
        assert row[3] == sum(1 for c in cases if c.filed.year == 2019 and c.filed.month == month)
        assert row[4] == sum(c.amount_fen for c in cases if c.filed.year == 2020 and c.filed.month == month)
    new_h1 = [c for c in cases if date(2020, 1, 1) <= c.filed < date(2020, 7, 1)]
    new_h1_last = [c for c in cases if date(2019, 1, 1) <= c.filed < date(2019, 7, 1)]
    assert trend[-1][2] == len(new_h1)
    total = forms["_by_district"].rows[-1]
    assert total[2:4] == [len(new_h1), len(new_h1_last)]
    assert forms["_by_industry"].rows[-1][2:] == total[2:]
    assert f"新发非法集资案件{len(new_h1)}件" in text
    assert f"上年同期{len(new_h1_last)}件" in text
    if new_h1_last:
        growth = (Decimal(len(new_h1) - len(new_h1_last)) * 100 / len(new_h1_last)).quantize(Decimal("0.01"))
        word = "增长" if growth > 0 else ("下降" if growth < 0 else "持平")
        assert f"同比{word}" in text
        assert (growth == 0 or f"{abs(growth)}%" in text)

    manifest = build_situation_package(engine, data, year_period(2020))
    folder = Path(manifest["folder"])
    names = {f["name"] for f in manifest["files"]}
    assert "situation_analysis_2020_summary.txt" in names
    for name in names:
        path = folder / name
        if path.suffix == ".xlsx":
            check_workbook(path)
            charted = any(n.startswith("xl/charts/chart") for n in zipfile.ZipFile(path).namelist())
            tables = ("_old_cases.xlsx", "_grid_monitoring.xlsx", "_publicity.xlsx", "_publicity_targets.xlsx")
            assert charted == (not name.endswith(tables)), name  # the 陈案, 网格 and 宣传 figures have no chart
        elif path.suffix == ".csv":
            check_csv(path)
    summary = (folder / "situation_analysis_2020_summary.txt").read_text(encoding="utf-8")
    assert summary.startswith("2020年全市非法集资形势分析")
    assert build_situation_package(engine, data, year_period(2020))["version"] == "v1"


def test_the_bulletin_reports_the_prevention_work_of_the_period(engine, data):
    """风险提示 and the advert screening reach the summary; figures counted from what was sent."""
    from chufei.ingest.ad_screening import ingest_ad_screening
    from chufei.kinds.ad_screening import write_screening
    from tests.screening import advert
    from tests.statsfacts import load_submission
    from chufei.core.periods import parse_period

    def warning(day, title):
        return {"issued_date": day, "title": title, "channel": "微信公众号", "reach": 10, "note": None}

    with engine.begin() as connection:
        load_submission(connection, "risk_warning", "420704", parse_period("2020Q2"),
                        [warning(date(2020, 4, 1), "一"), warning(date(2020, 6, 9), "二")])
        load_submission(connection, "risk_warning", "420703", parse_period("2020Q3"), [warning(date(2020, 8, 1), "三")])
    counts = {"出动人次": 12, "检查户数": 40, "核查条数": 55, "线上监测条次": 1200, "清理条数": 2, "移送线索数": 1}
    write_screening(data.inbox("ad_screening") / "6月.xlsx", "鄂城区", "2020年6月", [advert(3)], counts)
    write_screening(data.inbox("ad_screening") / "8月.xlsx", "鄂城区", "2020年8月",
                    [{**advert(3), "排查日期": date(2020, 8, 3), "处置日期": date(2020, 8, 4)}],
                    {**counts, "出动人次": 5, "清理条数": 3})
    ingest_ad_screening(engine, data)

    _, first_half, sources = situation_forms(engine, half_period(2020, 1))
    assert "提示风险2次" in first_half
    assert "出动12人次，清理涉非广告资讯2条，移送线索1条" in first_half
    _, year, year_sources = situation_forms(engine, year_period(2020))
    assert "提示风险3次" in year
    assert "出动17人次，清理涉非广告资讯5条，移送线索2条" in year
    assert len(year_sources) == len(sources) + 2  # the third warning's and August's workbooks


def test_the_bulletin_is_an_official_document_whose_numbers_are_the_forms_figures(engine, data):
    """…_通报.docx: A4 with GB/T 9704 margins, title 2号 bold, body 3号 仿宋, dated with the
    package's 报出日期; every number in it is a figure of the package's forms (or of the period,
    the date and the numbering of its tables and charts)."""
    import csv
    import io
    import re

    from docx import Document
    from docx.shared import Mm, Pt

    from chufei.outbox.office_reports import warning_forms

    cases, actions = generate(seed=3)
    load_facts(engine, cases, actions)
    period = half_period(2020, 1)
    manifest = build_situation_package(engine, data, period)
    folder = Path(manifest["folder"])
    name = "situation_analysis_2020H1_通报.docx"
    assert name in {f["name"] for f in manifest["files"]}
    doc = Document(str(folder / name))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert (round(section.top_margin.mm), round(section.left_margin.mm)) == (37, 28)
    assert round((section.page_width - section.left_margin - section.right_margin) / Mm(1)) == 156
    assert round((section.page_height - section.top_margin - section.bottom_margin) / Mm(1)) == 225
    title = doc.paragraphs[0].runs[0]
    assert title.font.size == Pt(22)
    assert title.font.bold
    summary = [p for p in doc.paragraphs if p.paragraph_format.first_line_indent]  # the body's paragraphs
    assert summary[0].text.startswith("一、总体情况。")
    assert {(run.font.name, run.font.size) for p in summary for run in p.runs} == {("仿宋", Pt(16)), ("黑体", Pt(16))}
    year, month, day = manifest["issued"].split("-")
    assert doc.paragraphs[-1].text == f"{int(year)}年{int(month)}月{int(day)}日"
    assert "PAGE" in section.footer._element.xml
    assert "— " in section.footer.paragraphs[0].text
    assert Mm(150) >= doc.inline_shapes[0].width

    def numbers(text: str) -> set[Decimal]:
        return {Decimal(n.replace(",", "")) for n in re.findall(r"\d[\d,]*(?:\.\d+)?", text)}

    allowed: set[Decimal] = set()
    others, _ = warning_forms(engine, period)  # 防范宣传: the risk-warning and advert-screening forms
    csvs = [(folder / f["name"]).read_bytes().decode("utf-8-sig") for f in manifest["files"] if f["name"].endswith(".csv")]
    for text in csvs:
        for row in csv.reader(io.StringIO(text)):
            for cell in row:
                allowed |= numbers(cell)
    for form in others.values():
        allowed |= {Decimal(v) for row in form.rows for v in row if isinstance(v, int)}
    allowed |= {value.quantize(Decimal("0.01")) for value in allowed}  # 万元 in the text: two places
    allowed |= numbers(period.label) | numbers(manifest["issued"]) | {Decimal(n) for n in range(1, 4)}  # 表1 图3
    text = "\n".join([p.text for p in doc.paragraphs]
                     + [cell.text for table in doc.tables for row in table.rows for cell in row.cells])
    stray = sorted(numbers(text) - allowed)
    assert not stray, f"numbers in the bulletin that no form holds: {stray}"
    again = build_situation_package(engine, data, period)
    assert again["version"] == manifest["version"]  # a rebuild: the same bytes, docx included


def test_the_bulletin_reports_grid_monitoring_and_publicity_from_their_forms(engine, data):
    """六、 of the first half-year: the grid clues of tests/integration/test_grid_monitoring.py
    against the grid register, and three publicity activities against the community list — each
    figure counted here by hand, and every number of the paragraph one of the package's CSVs'."""
    import csv
    import io
    import re

    from chufei.core.periods import quarter_period
    from tests.conftest import REPO
    from tests.integration.test_grid_monitoring import load_all
    from tests.statsfacts import load_submission

    load_all(engine, data)

    def listed(name: str) -> list[dict]:
        with (REPO / "include" / "reference" / name).open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))

    echeng = [c["community"] for c in listed("communities.csv") if c["district_code"] == "420704"]
    huarong = [c["community"] for c in listed("communities.csv") if c["district_code"] == "420703"]

    def event(day, title, community, audience, materials=None):
        return {"event_date": day, "title": title, "form": "宣讲", "location": None, "community": community,
                "audience": audience, "materials": materials}

    with engine.begin() as connection:
        load_submission(connection, "publicity", "420704", quarter_period(2020, 2),
                        [event(date(2020, 6, 2), "宣传月启动", echeng[0], 300, 1200),
                         event(date(2020, 6, 9), "进社区宣讲", echeng[1], 80)])
        load_submission(connection, "publicity", "420703", quarter_period(2020, 1),
                        [event(date(2020, 3, 5), "老年人防骗讲座", huarong[0], 45, 100)])
    manifest = build_situation_package(engine, data, half_period(2020, 1))
    folder = Path(manifest["folder"])
    text = (folder / "situation_analysis_2020H1_summary.txt").read_text(encoding="utf-8")
    paragraph = next(line for line in text.splitlines() if line.startswith("六、"))
    # H1's clues: A B C D E F I (G is July's, H of 2019). 移交: C D I (A's 移交 version came in July);
    # 办结 by 30 June: C D E I. Silent: every registered grid (none is named by these clues) and H2.
    silent = len(listed("grids.csv")) + 1
    assert paragraph.startswith(f"六、网格监测和宣传教育。全市网格员上报涉非线索7条，研判后移交3条，办结4条，办结率57.14%；"
                                f"{silent}个网格本期无上报")
    total = len(listed("communities.csv"))
    rate = (Decimal(3 * 100) / total).quantize(Decimal("0.01"))
    # 华容区 sent no second quarter, the other three units nothing: only 鄂城区 held the 宣传月.
    assert (f"开展防范非法集资宣传教育活动3场，参与425人次，发放资料1300份；宣传教育月（6月）5个属地中1个开展了活动；"
            f"进社区宣教覆盖社区村3个，覆盖率{rate}%（名录{total}个）。") in paragraph

    allowed = set()
    for entry in manifest["files"]:
        if entry["name"].endswith(".csv"):
            for row in csv.reader(io.StringIO((folder / entry["name"]).read_bytes().decode("utf-8-sig"))):
                allowed |= {n for cell in row for n in re.findall(r"\d+(?:\.\d+)?", cell)}
    assert set(re.findall(r"\d+(?:\.\d+)?", paragraph)) <= allowed
    assert len(manifest["sources"]) == 2 + 2  # the two grid exports June's versions came in, two returns


def test_a_base_never_reported_is_shown_as_no_data_not_zero(engine, data):
    """上年同期 with no case ledger behind it: "—" in the forms and the bulletin's tables, 同比
    empty, a note why, and "上年同期无数据" in the summary instead of "为0". (A case ledger lists
    every case so far: a unit's 2020 ledger reports its 2019 too.)"""
    from docx import Document

    from chufei.core.periods import month_period
    from chufei.outbox.reports import displayed_rows
    from tests.statsfacts import Case, case_row, load_submission

    period = half_period(2020, 1)
    forms, text, _ = situation_forms(engine, period)  # nobody ever sent a ledger
    months = {row[1]: row[2:8] for row in displayed_rows(forms["_by_month"])}
    assert months["3月"] == [0, "—", 0, "—", 0, "—"]
    assert months["合计"][:2] == [0, "—"]
    assert "新发非法集资案件0件（上年同期无数据）" in text
    assert "上年同期为0" not in text

    case = Case("420704", "420704-2020-001", "网络借贷", date(2020, 3, 2), 1_000_000, 12, False, None, 0, 0)
    with engine.begin() as connection:
        load_submission(connection, "case_ledger", "420704", month_period(2020, 6), [case_row(case)])
    forms, text, _ = situation_forms(engine, period)
    districts = {row[1]: row[2:5] for row in displayed_rows(forms["_by_district"])}
    assert districts["鄂城区"] == [1, 0, None]  # reported, and no case a year before: a real 0
    assert districts["梁子湖区"] == [0, "—", None]  # never reported: no base, 同比 empty
    assert districts["市直部门"] == [0, "—", None]
    assert districts["合计"] == [1, 0, None]
    assert any("“—”表示比较基期无数据" in note for note in forms["_by_district"].notes)
    assert not forms["_by_industry"].no_data  # every 行业领域 row sums all units: someone reported
    assert {row[1]: row[3] for row in displayed_rows(forms["_by_month"])}["3月"] == 0
    assert "上年同期为0" in text
    folder = Path(build_situation_package(engine, data, period)["folder"])
    doc = Document(str(folder / "situation_analysis_2020H1_通报.docx"))
    cells = [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    assert "—" in cells  # the district table's 梁子湖区
    assert any("比较基期无数据" in p.text for p in doc.paragraphs)
