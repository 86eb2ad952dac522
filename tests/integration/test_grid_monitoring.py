"""网格监测月报 from grid exports loaded through the real grid ingest: every figure of June 2020
checked against values worked out by hand from the rows below — each clue in its version at the
month's end (a late version ignored), two districts, a grid that reported nothing in June."""

from __future__ import annotations

import csv
import hashlib
import io
import random
from pathlib import Path

import openpyxl
import pytest

from demo.inflows import GRID_LABELS, uscc_for
from chufei.core.periods import month_period
from chufei.ingest.grid import ingest_grid_files
from chufei.core import places
from chufei.outbox import layout
from chufei.outbox.registry import REPORTS
from chufei.outbox.reports import read_manifest

REPORT = "grid_monitoring_monthly"
JUNE = month_period(2020, 6)
LABELS = (*GRID_LABELS, "更新时间")

# 线索编号 → the first version's fields. Grids: 鄂城区 G1, G3 in 凤凰街道, G2 in 古楼街道; 华容区 H1, H2.
FIRST = {
    "A": dict(district="420704", town="凤凰街道", grid="G1", at="2020-06-03 14:22:00", method="巡查", judgement="疑似",
              status="待核查", signs="承诺高额回报、发展下线", industry="投资咨询", updated="2020-06-03 14:22:00"),
    "B": dict(district="420704", town="凤凰街道", grid="G1", at="2020-06-05 09:00:00", method="走访", judgement="排除",
              status="核查中", signs="承诺高额回报", industry="养老服务"),
    "C": dict(district="420704", town="古楼街道", grid="G2", at="2020-06-08 10:00:00", method="群众反映",
              judgement="移交", transfer="市场监管局", status="已办结", closed="2020-06-18", signs="虚构项目",
              industry="投资咨询"),
    "D": dict(district="420704", town="古楼街道", grid="G2", at="2020-06-20 16:00:00", method="巡查", judgement="移交",
              transfer="市公安局", status="已移交", signs="发展下线", industry="网络借贷", updated="2020-06-20 16:00:00"),
    "E": dict(district="420704", town="凤凰街道", grid="G3", at="2020-03-15 11:00:00", method="巡查", judgement="排除",
              status="已办结", closed="2020-03-20", signs="承诺高额回报", industry="投资咨询"),
    "F": dict(district="420703", town="葛店镇", grid="H1", at="2020-06-30 23:00:00", method="走访", judgement="疑似",
              status="待核查", signs="以养老为名", industry="养老服务"),
    "G": dict(district="420703", town="葛店镇", grid="H1", at="2020-07-01 09:00:00", method="巡查", judgement="疑似",
              status="待核查", signs="虚构项目", industry="房地产"),  # reported after June: not in June's forms
    "H": dict(district="420703", town="葛店镇", grid="H2", at="2019-11-02 08:30:00", method="巡查", judgement="疑似",
              status="已办结", closed="2019-12-01", signs="发展下线", industry="其他"),  # last year: H2 known, silent
    "I": dict(district="420704", town="古楼街道", grid="G2", at="2020-02-10 15:00:00", method="群众反映",
              judgement="移交", transfer="市场监管局", status="已办结", closed="2020-02-17", signs="虚构项目",
              industry="商贸零售"),
}
# Later versions (a later export of the same clue): the changed fields.
SECOND = {
    "A": dict(status="核查中", updated="2020-06-10 08:00:00"),  # v2: known in June
    "B": dict(status="已办结", closed="2020-07-02"),  # v2, no 更新时间: not known before its 办结日期, July
    "D": dict(status="已办结", closed="2020-06-24", updated="2020-06-24 17:00:00"),  # v2: known in June
}
LATE = {"A": dict(judgement="移交", transfer="市公安局", status="已移交", updated="2020-07-03 09:00:00")}  # v3, July


# The grid register these tests run against: the grids the clues name, and G4 of 古楼街道, which
# never reported anything (silent every month, with no last report).
REGISTER = (("420704", "凤凰街道", "G1"), ("420704", "凤凰街道", "G3"), ("420704", "古楼街道", "G2"),
            ("420704", "古楼街道", "G4"), ("420703", "葛店镇", "H1"), ("420703", "葛店镇", "H2"))


@pytest.fixture(autouse=True)
def register(monkeypatch):
    grids = tuple(places.Grid(district, town, f"{district}{grid}") for district, town, grid in REGISTER)
    monkeypatch.setattr(places, "grids", lambda: grids)


def export_row(clue: str, fields: dict) -> dict[str, str]:
    district = fields["district"]
    return {label: "" for label in LABELS} | {
        "线索编号": f"WG2020{clue}", "上报时间": fields["at"], "区县代码": district, "乡镇街道": fields["town"],
        "社区村": "滨湖社区", "网格编码": f"{district}{fields['grid']}", "网格员工号": "GW0041",
        "发现方式": fields["method"], "主体名称": f"鄂州{clue}商贸有限公司",
        "统一社会信用代码": uscc_for(random.Random(clue)), "地址": "鄂州市滨湖路 1 号",
        "行业领域": fields["industry"], "风险表现": fields["signs"], "估计涉及人数": "10", "估计金额(万元)": "5",
        "研判结果": fields["judgement"], "移交单位": fields.get("transfer", ""), "处置状态": fields["status"],
        "办结日期": fields.get("closed", ""), "更新时间": fields.get("updated", "")}


def deliver(engine, data, name: str, rows: dict[str, dict]) -> str:
    """Drop an export in the inbox and ingest it; returns the file's sha256."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=LABELS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(export_row(clue, fields) for clue, fields in rows.items())
    content = buffer.getvalue().encode("utf-8")
    (data.inbox("grid_reports") / name).write_bytes(content)
    summary = ingest_grid_files(engine, data)
    assert summary["rows_rejected"] == 0, summary
    return hashlib.sha256(content).hexdigest()


def load_all(engine, data) -> list[str]:
    return [deliver(engine, data, "1.csv", FIRST),
            deliver(engine, data, "2.csv", {c: FIRST[c] | SECOND[c] for c in SECOND}),
            deliver(engine, data, "3.csv", {c: FIRST[c] | SECOND[c] | LATE[c] for c in LATE})]


def table(folder, suffix: str = "") -> dict[str, list[str]]:
    """A form's CSV twin as {row label (second column): the cells after it}, plus its header."""
    text = (folder / f"{REPORT}_{JUNE.key}{suffix}.csv").read_bytes().decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    return {"header": lines[0][2:], **{line[1]: line[2:] for line in lines[1:]}}


def build(engine, data) -> dict:
    return REPORTS[REPORT].build(engine, data, JUNE)


def figures(*values) -> list[str]:
    return [str(v) for v in values]


NONE = "—"
EMPTY = figures(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, NONE, NONE)  # a district without a clue or grid


def test_june_forms_count_each_clue_in_its_version_at_the_months_end(engine, data):
    files = load_all(engine, data)
    manifest = build(engine, data)
    folder = data.outbox / REPORT / JUNE.key / manifest["version"]

    month = table(folder)
    assert month["header"] == ["上报线索数(条)·合计", "上报线索数(条)·巡查", "上报线索数(条)·走访", "上报线索数(条)·群众反映",
                               "研判结果(条)·疑似", "研判结果(条)·排除", "研判结果(条)·移交", "网格(个)·已知网格",
                               "网格(个)·无上报网格", "月末处置状态(条)·待核查", "月末处置状态(条)·核查中",
                               "月末处置状态(条)·已移交", "月末处置状态(条)·已办结", "办结数(条)", "办结率(%)",
                               "办结用时中位数(天)"]
    # June's clues: A B (凤凰街道), C D (古楼街道), F (葛店镇); G was reported in July. A is 核查中 (its
    # 移交 version came in July), B 核查中 (closed only on 2 July), C closed in 10 days, D in 4.
    # Known grids: 鄂城区 G1 G3 (凤凰街道), G2 G4 (古楼街道); 华容区 H1 H2. Silent in June: G3, G4, H2.
    assert month["鄂城区"] == figures(4, 2, 1, 1, 1, 1, 2, 4, 2, 0, 2, 0, 2, 2, "50.00", 7)
    assert month["鄂城区凤凰街道"] == figures(2, 1, 1, 0, 1, 1, 0, 2, 1, 0, 2, 0, 0, 0, "0.00", NONE)
    assert month["鄂城区古楼街道"] == figures(2, 1, 0, 1, 0, 0, 2, 2, 1, 0, 0, 0, 2, 2, "100.00", 7)
    assert month["华容区"] == figures(1, 0, 1, 0, 1, 0, 0, 2, 1, 1, 0, 0, 0, 0, "0.00", NONE)
    assert month["华容区葛店镇"] == month["华容区"]
    assert month["梁子湖区"] == EMPTY
    assert month["合计"] == figures(5, 2, 2, 1, 2, 1, 2, 6, 3, 1, 2, 0, 2, 2, "40.00", 7)

    # From January: E (March, 凤凰街道, closed in 5 days) and I (February, 古楼街道, 7 days) join;
    # H is of 2019. Closing days 10, 4, 5, 7: median 6.
    year = table(folder, "_year_to_date")
    assert year["鄂城区"] == figures(6, 3, 1, 2, 1, 2, 3, 4, 1, 0, 2, 0, 4, 4, "66.67", 6)
    assert year["鄂城区凤凰街道"] == figures(3, 2, 1, 0, 1, 2, 0, 2, 0, 0, 2, 0, 1, 1, "33.33", 5)
    assert year["合计"] == figures(7, 3, 2, 2, 2, 2, 3, 6, 2, 1, 2, 0, 4, 4, "57.14", 6)

    transfers = table(folder, "_transfers")
    assert transfers["header"] == ["移交线索数", *[f"按移交单位·{u}" for u in sorted(["市公安局", "市场监管局"])]]
    by_unit = dict(zip(transfers["header"], transfers["鄂城区"], strict=True))
    assert by_unit == {"移交线索数": "2", "按移交单位·市公安局": "1", "按移交单位·市场监管局": "1"}
    assert transfers["华容区"] == ["0", "0", "0"]
    assert transfers["合计"] == transfers["鄂城区"]
    year_transfers = dict(zip(transfers["header"], table(folder, "_transfers_year_to_date")["合计"], strict=True))
    assert year_transfers == {"移交线索数": "3", "按移交单位·市公安局": "1", "按移交单位·市场监管局": "2"}

    silent = (folder / f"{REPORT}_{JUNE.key}_silent_grids.csv").read_bytes().decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(silent)))[1:] == [
        ["420704", "鄂城区", "凤凰街道", "420704G3", "2020-03-15"],
        ["420704", "鄂城区", "古楼街道", "420704G4", "从未上报"],
        ["420703", "华容区", "葛店镇", "420703H2", "2019-11-02"],
        ["", "合计", "", "3个", ""]]

    # 排名, name → 本月 线索数, 占比, 本年累计 线索数, 占比 (of 5 clues in June, 7 this year)
    signs = table(folder, "_risk_signs")
    assert list(signs)[1:] == ["承诺高额回报", "发展下线", "虚构项目", "以养老为名", "上报线索数"]
    assert signs["承诺高额回报"] == ["2", "40.00", "3", "42.86"]
    assert signs["发展下线"] == ["2", "40.00", "2", "28.57"]
    assert signs["虚构项目"] == ["1", "20.00", "2", "28.57"]
    assert signs["以养老为名"] == ["1", "20.00", "1", "14.29"]
    assert signs["上报线索数"] == ["5", NONE, "7", NONE]
    industries = table(folder, "_industries")
    assert list(industries)[1:] == ["投资咨询", "养老服务", "网络借贷", "商贸零售", "上报线索数"]
    assert industries["投资咨询"] == ["2", "40.00", "3", "42.86"]
    assert industries["商贸零售"] == ["0", "0.00", "1", "14.29"]

    # The manifest names the grid exports the counted versions came in: not 3.csv (July's version).
    assert read_manifest(folder)["sources"] == sorted(files[:2])
    for workbook in sorted(folder.glob("*.xlsx")):  # every form prints on A4 landscape at 80 % or more
        for sheet in openpyxl.load_workbook(workbook).worksheets:
            assert int(sheet.page_setup.scale) >= layout.MIN_SCALE, (workbook.name, sheet.title)


def test_a_version_known_in_june_but_delivered_later_makes_a_new_version(engine, data):
    load_all(engine, data)
    first = build(engine, data)
    assert build(engine, data)["version"] == first["version"] == "v1"  # same figures: untouched
    # F was closed on 30 June; the platform's export saying so arrives in July.
    deliver(engine, data, "4.csv", {"F": FIRST["F"] | dict(status="已办结", closed="2020-06-30",
                                                            updated="2020-06-30 23:30:00")})
    second = build(engine, data)
    assert second["version"] == "v2"
    folder = data.outbox / REPORT / JUNE.key / "v2"
    # F: reported 30 June 23:00, closed the same day → 0 days; 鄂城区's 10 and 4 with it: median 4.
    assert table(folder)["华容区"] == figures(1, 0, 1, 0, 1, 0, 0, 2, 1, 0, 0, 0, 1, 1, "100.00", 0)
    assert table(folder)["合计"][-3:] == ["3", "60.00", "4"]
    assert second["changes"]["figures_changed"]


def test_the_monthly_dag_run_for_june_writes_the_package(airflow_env, warehouse_url):
    from airflow.dag_processing.dagbag import DagBag

    from chufei.core.periods import local_midnight
    from chufei.warehouse.schema import engine_for, ensure_schema

    engine = engine_for(warehouse_url)
    ensure_schema(engine)
    try:
        files = load_all(engine, airflow_env)
    finally:
        engine.dispose()
    bag = DagBag(dag_folder=str(Path(__file__).resolve().parents[2] / "dags" / f"{REPORT}.py"))
    assert not bag.import_errors, bag.import_errors
    run = bag.get_dag(REPORT).test(logical_date=local_midnight(JUNE.end))  # the run after June: June
    assert str(run.state) == "success"
    root = airflow_env.outbox / REPORT / JUNE.key
    assert (root / "latest").read_text().strip() == "v1"
    assert read_manifest(root / "v1")["sources"] == sorted(files[:2])
    assert table(root / "v1")["合计"] == figures(5, 2, 2, 1, 2, 1, 2, 6, 3, 1, 2, 0, 2, 2, "40.00", 7)
