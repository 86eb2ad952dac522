"""The 处非统计 page's content: matrix, figures against targets, quality, packages — or 'no data'."""

from __future__ import annotations

import json
from datetime import date, datetime, UTC

from sqlalchemy import insert

from chufei.warehouse.schema import case_current, received_file, refresh_case_facts, rejected_row, submission

UTC = UTC


def test_empty_warehouse_says_no_data_everywhere(engine, data):
    from chufei.ops.dashboard import build
    from chufei.ops.ui import render

    dash = build(engine, data.outbox)
    assert [t.met for t in dash.targets] == [None, None, None]
    html = render(dash)
    assert html.count("暂无数据") == 6  # matrix, figures, work-plan progress, warnings, quality, packages
    assert html.count("无数据 no data") == 3  # each target


def _seed(engine):
    with engine.begin() as c:
        c.execute(insert(received_file), {
            "sha256": "a" * 64, "source": "submissions", "original_name": "鄂城区案件台账13912345678.xlsx",
            "size_bytes": 1, "archive_path": "archive/a", "received_at": datetime(2020, 4, 3, tzinfo=UTC),
            "status": "loaded", "dataset": "case_ledger", "unit_code": "420704", "period_key": "2020-03",
            "rows_total": 4, "rows_accepted": 3, "rows_rejected": 1})
        sub = c.execute(insert(submission).returning(submission.c.id), {
            "dataset": "case_ledger", "unit_code": "420704", "period_key": "2020-03",
            "period_start": date(2020, 3, 1), "period_end": date(2020, 4, 1), "file_sha256": "a" * 64,
            "version": 1, "is_current": True, "rows_accepted": 3,
            "received_at": datetime(2020, 4, 3, tzinfo=UTC)}).scalar_one()
        c.execute(insert(rejected_row), {
            "file_sha256": "a" * 64, "dataset": "case_ledger", "sheet": "案件台账", "row_no": 7,
            "raw_json": json.dumps({"联系电话": "13912345678"}),
            "reasons_json": json.dumps([{"sheet": "案件台账", "row": 7, "column": "立案日期", "cell": "C7",
                                         "value": "13912345678", "message": "不是日期：13912345678"}],
                                       ensure_ascii=False)})
        base = {"unit_code": "420704", "submission_id": sub, "period_start": date(2020, 3, 1), "case_name": "x",
                "handling_unit": "x", "industry": "其他", "participants": 10, "cross_region": False,
                "stage": "侦查", "is_old_case": True}
        # old-case stock at 1 Jan 2020: 4 cases (C1..C4), 2 closed in 2020 -> 50% (target met)
        # filed before 2019: C1, C2 with 200万 unpaid principal, 150万 repaid -> 75%, not cleared
        cases = [("C1", date(2017, 5, 1), date(2020, 2, 1), 100, 100), ("C2", date(2018, 6, 1), None, 100, 50),
                 ("C3", date(2019, 3, 1), date(2020, 3, 2), 0, 0), ("C4", date(2019, 8, 1), None, 0, 0),
                 ("C5", date(2019, 9, 1), date(2019, 12, 1), 0, 0),  # closed before 2020: not in the stock
                 ("N1", date(2020, 3, 5), None, 0, 0)]
        for no, filed, closed, unpaid_wan, repaid_wan in cases:
            c.execute(insert(case_current), {**base, "case_no": no, "filed_date": filed, "closed_date": closed,
                                             "amount_fen": 5_000_000, "unpaid_principal_fen": unpaid_wan * 1_000_000,
                                             "repaid_fen": repaid_wan * 1_000_000})
        refresh_case_facts(c)  # case_current written directly: its monthly facts too


def test_the_page_shows_the_work_plan_progress_at_the_latest_month(engine, data):
    """鄂城区's March ledger only, as of 2020-03-31: no 时限 has passed yet; its January and February
    ledgers were due on 2/5 and 3/5, and every other unit owes two months too (task 五: all 20 overdue); its old-case stock of 4 has 2 resolved (task
    十二: 50 %, done); of its 2 cases filed before 2019 one is cleared (task 十四 under way)."""
    from chufei.ops.dashboard import build
    from chufei.ops.ui import render

    _seed(engine)
    dash = build(engine, data.outbox)
    assert dash.progress_as_of == date(2020, 3, 31)
    rows = {p["no"]: p for p in dash.progress}
    assert len(rows) == 26
    assert (rows["五"]["status"], rows["五"]["counts"]) == ("逾期未完成", [0, 0, 20, 0])
    assert (rows["十二"]["status"], rows["十二"]["counts"]) == ("进行中", [1, 0, 0, 4])
    assert (rows["十四"]["status"], rows["十四"]["counts"]) == ("进行中", [0, 1, 0, 4])
    assert (rows["一"]["status"], rows["一"]["basis"]) == ("无数据", "单位报送")
    html = render(dash)
    assert '<table id="progress">' in html
    assert "调整补充领导小组成员" in html
    assert 'class="miss">逾期未完成</td>' in html


def test_figures_targets_quality_and_packages(engine, data):
    from chufei.ops.dashboard import build
    from chufei.ops.ui import render
    from chufei.ops.watch import run_watch

    _seed(engine)
    run_watch(engine, data.outbox, date(2020, 4, 10))
    folder = data.outbox / "case_statistics_monthly" / "2020-03"
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text("{}", encoding="utf-8")

    dash = build(engine, data.outbox)
    assert dash.month.key == "2020-03"
    assert [f["label"] for f in dash.figures] == ["2020年3月", "2020年第一季度", "2020年（截至2020年3月）"]
    assert dash.figures[0]["values"]["新发案件数"] == "1 件"
    old, warnings, payouts = dash.targets
    assert (old.value, old.met) == ("50.0%", True)
    assert (warnings.value, warnings.met) == (None, None)  # no risk warnings loaded: no data
    assert (payouts.value, payouts.met) == ("75.0%", False)
    assert dash.quality == [{"unit": "鄂城区", "dataset": "案件台账", "files": 1, "rows_total": 4,
                             "rows_accepted": 3, "rows_rejected": 1, "pass_rate": dash.quality[0]["pass_rate"]}]
    assert str(dash.quality[0]["pass_rate"]) == "75.0"
    html = render(dash)
    assert "13912345678" not in html  # personal data never shown
    assert "139****5678" in html
    assert "立案日期 不是日期" in html
    assert "/chufei/download/case_statistics_monthly/2020-03/manifest.json" in html
    assert ">非法集资案件统计月报</td>" in html  # the report's title, from the report registry
    assert dash.status_counts["received"] == 1  # 鄂城区's March ledger, on time by 5 April


def test_download_stays_inside_the_outbox(data):
    from chufei.ops.dashboard import package_file

    folder = data.outbox / "r" / "2020-01"
    folder.mkdir(parents=True)
    (folder / "f.csv").write_text("x", encoding="utf-8")
    assert package_file(data.outbox, "r", "2020-01", "f.csv") == (folder / "f.csv").resolve()
    assert package_file(data.outbox, "r", "..", "warehouse.db") is None
    assert package_file(data.outbox, "..", "..", "etc") is None
    assert package_file(data.outbox, "r", "2020-01", "missing.csv") is None


def test_page_escapes_what_it_shows():
    from chufei.ops.dashboard import Dashboard
    from chufei.ops.ui import render

    dash = Dashboard(packages=[{"report": "r", "period": "2020-01", "version": "",
                                "files": ["<script>alert(1)</script>.xlsx"]}])
    html = render(dash)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;.xlsx" in html
    assert "/chufei/download/r/2020-01/%3Cscript%3Ealert%281%29%3C/script%3E.xlsx" in html


def test_trend_charts_show_months_reported_and_leave_gaps_for_the_rest(engine, data):
    from decimal import Decimal

    from chufei.ops.dashboard import build
    from chufei.ops.ui import render

    _seed(engine)
    dash = build(engine, data.outbox)
    new_cases, amount, warnings = dash.charts
    # only March 2020's ledger has arrived: one new case (N1, filed 5 March, 5万元); every other month
    # of 2020 and all of 2019 is "no data", drawn as a gap rather than a zero
    assert new_cases.series[0].label == "2020年"
    assert new_cases.series[0].values == [None, None, 1] + [None] * 9
    assert new_cases.series[1].values == [None] * 12
    assert amount.series[0].values[2] == Decimal("5.00")
    assert not warnings.has_data  # no 风险提示 loaded
    html = render(dash)
    assert html.count("<figure class=\"chart\"") == 3
    assert html.count("<svg") == 2
    assert "新发案件数（件）：2020年与2019年逐月对比" in html
    assert "2020年 3月：1" in html  # the point's tooltip
    assert "http" not in html.split("<svg", 1)[1].split("</svg>")[0].replace("http://www.w3.org/2000/svg", "")


def test_warnings_chart_marks_districts_below_the_target():
    from chufei.ops.charts import Chart, Series, layout

    chart = layout(Chart("w", "风险提示", "次", ["鄂城区", "华容区", "梁子湖区"],
                         [Series("风险提示", [4, 1, 0], "this")], kind="bar", target=3))
    assert [(b["label"], b["short"]) for b in chart.bars] == [("4", False), ("1", True), ("0", True)]
    # a 0–5 axis (the next round number above 4) over a plot 176 px high from y=28: the target
    # line at 3/5 of the way up, bars 4/5, 1/5 and 0 of it
    assert chart.target_y == 98.4
    assert [b["h"] for b in chart.bars] == [140.8, 35.2, 0.0]


def test_rejection_reasons_name_each_column_once():
    from chufei.ops.dashboard import reason_text

    assert reason_text([{"column": "排查日期", "message": "排查日期 不是日期：2020-13-01"},
                        {"column": "载体类型", "message": "不在可选值中：报纸杂志"},
                        {"column": "排查日期", "message": "排查日期 不是日期：2020-13-01"},
                        {"column": None, "message": "整行为空"}]) == \
        "排查日期 不是日期：2020-13-01；载体类型 不在可选值中：报纸杂志；整行为空"


def test_whole_package_zip_holds_the_latest_version_and_its_manifest(data):
    import io
    import zipfile

    from chufei.ops.dashboard import package_zip
    from chufei.outbox.reports import write_package
    from chufei.statistics.forms import FormColumn, StatForm

    form = StatForm(title="测试表", form_no="T1", period_label="2020年3月", unit_of_measure="件",
                    columns=[FormColumn("单位", "单位", "text"), FormColumn("件数", "本期", "count")],
                    rows=[["鄂城区", 2], ["合计", 2]])
    root = data.outbox / "case_statistics_monthly" / "2020-03"
    write_package(root, "case_statistics_monthly", "2020-03", {"r_2020-03": form}, ["a"])
    name, content = package_zip(data.outbox, "case_statistics_monthly", "2020-03")
    assert name == "case_statistics_monthly_2020-03_v1.zip"
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = sorted(archive.namelist())
        manifest = archive.read("case_statistics_monthly_2020-03_v1/manifest.json")
        assert manifest == (root / "v1" / "manifest.json").read_bytes()
    assert names == ["case_statistics_monthly_2020-03_v1/manifest.json",
                     "case_statistics_monthly_2020-03_v1/r_2020-03.csv",
                     "case_statistics_monthly_2020-03_v1/r_2020-03.xlsx"]
    assert package_zip(data.outbox, "case_statistics_monthly", "2020-03")[1] == content  # same bytes each time
    assert package_zip(data.outbox, "..", "..") is None
    assert package_zip(data.outbox, "case_statistics_monthly", "2020-04") is None


def test_matrix_for_a_chosen_day(engine, data):
    from chufei.ops.dashboard import build
    from chufei.ops.ui import render
    from chufei.ops.watch import run_watch

    _seed(engine)
    run_watch(engine, data.outbox, date(2026, 12, 1))  # submission_watch ran "today"
    back = build(engine, data.outbox, as_of=date(2020, 4, 10))
    assert back.as_of == date(2020, 4, 10)
    # on 10 April 2020 only March's and earlier items were due; 鄂城区's March ledger was on time
    assert all(due <= "2020-04-10" for _, _, due in back.matrix_columns)
    assert back.status_counts["received"] == 1
    html = render(back)
    assert 'name="as_of" value="2020-04-10"' in html
    assert "截至 <b>2020-04-10</b>" in html
    today = build(engine, data.outbox)
    assert today.as_of == date(2026, 12, 1)
