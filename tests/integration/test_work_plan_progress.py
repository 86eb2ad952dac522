"""Work-plan progress on a small hand-made case, on SQLite and PostgreSQL: a few units' returns and
completion reports go through the inbox, and each task's status per unit and city-wide is the one
worked out by hand below from the plan's 时限 and the targets of work_plan_progress.json."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import select

from chufei.core.periods import month_period
from chufei.ingest.submissions import ingest_submissions
from chufei.kinds.registry import DATASETS, KINDS
from chufei.kinds.templates import HEADER_ROW, write_submission
from chufei.warehouse.schema import row_table

COMPLETION = DATASETS["work_task_completion"]
PHONE = "13912345678"  # a unit's contact typed into its 佐证: never printed in clear
TERRITORIAL = ["鄂城区", "华容区", "梁子湖区", "葛店开发区", "临空经济区"]


def _send(data, name: str, kind: str, unit: str, period: str, rows: list[dict]) -> None:
    write_submission(data.inbox("submissions") / f"{name}.xlsx", DATASETS[kind], unit, period, rows, "王丽", "0711-3200000")


def test_a_completion_report_from_template_to_warehouse_with_a_receipt_naming_the_bad_cell(engine, data, tmp_path):
    template = KINDS["work_task_completion"].template(tmp_path)
    assert template.name == "工作任务完成情况模板.xlsx"
    headers = [c.value for c in load_workbook(template)[COMPLETION.title][HEADER_ROW] if c.value]
    assert headers == ["任务序号*", "完成日期*", "佐证材料*", "备注"]

    _send(data, "report", "work_task_completion", "市地方金融局", "2020年4月", [
        {"任务序号": "任务一", "完成日期": "2020-04-20", "佐证材料": "印发《领导小组成员单位责任清单》（鄂处非办〔2020〕3号）"},
        {"任务序号": "七", "完成日期": "2020-04-22", "佐证材料": "网格员培训会议纪要"},
        {"任务序号": 13, "完成日期": "2020-05-06", "佐证材料": "一季度案件处置协调会会议纪要"},
    ])
    summary = ingest_submissions(engine, data)
    assert (summary.rows_accepted, summary.rows_rejected) == (1, 2)
    receipt = json.loads(next(data.receipts.glob("*.json")).read_text(encoding="utf-8"))
    assert receipt["dataset"] == "work_task_completion"
    errors = {(e["row"], e["column"]): e for e in receipt["errors"]}
    assert set(errors) == {(7, "任务序号"), (8, "完成日期")}
    task_seven = errors[(7, "任务序号")]
    assert (task_seven["sheet"], task_seven["cell"]) == ("工作任务完成情况", "A7")
    assert "任务七" in task_seven["message"]
    assert "自动判定" in task_seven["message"]
    assert errors[(8, "完成日期")]["cell"] == "B8"
    assert "晚于报告期末" in errors[(8, "完成日期")]["message"]
    text = next(data.receipts.glob("*.txt")).read_text(encoding="utf-8")
    assert "A7" in text
    assert "任务七的进展由报送的统计数据自动判定" in text
    with engine.connect() as connection:
        stored = connection.execute(select(row_table(COMPLETION))).mappings().all()
    assert [(r["unit_code"], r["task_no"], r["completed_date"] if isinstance(r["completed_date"], date)
             else date.fromisoformat(r["completed_date"])) for r in stored] == [("D15", "一", date(2020, 4, 20))]


def _hand_made_case(data) -> None:
    # Reported tasks: 一 (office, 市处非办 files as 地方金融局, 时限 4/30) done on time; 二 (districts, 4/30)
    # done by 鄂城区 only; 二十六 (法院, 检察院, 公安, 12/31) done by 市法院 only.
    _send(data, "d15", "work_task_completion", "地方金融局", "2020年4月",
          [{"任务序号": "一", "完成日期": "2020-04-20", "佐证材料": "印发成员单位责任清单"}])
    _send(data, "e-ch", "work_task_completion", "鄂城区", "2020年4月",
          [{"任务序号": "2", "完成日期": "2020-04-28", "佐证材料": "区处非办专职人员任命文件"}])
    _send(data, "court", "work_task_completion", "市法院", "2020年6月",
          [{"任务序号": "（二十六）", "完成日期": "2020-06-10", "佐证材料": f"追赃挽损专题研讨会纪要（联系人 {PHONE}）"}])
    # 十一 (≥ 3 风险提示 a year, districts): 鄂城区 3 in the first half, 华容区 1.
    _send(data, "w1", "risk_warning", "鄂城区", "2020年第一季度", [
        {"发布日期": "2020-02-10", "提示标题": "警惕以养老为名的非法集资", "发布渠道": "微信公众号"},
        {"发布日期": "2020-03-10", "提示标题": "远离虚拟货币投资陷阱", "发布渠道": "官方网站"}])
    _send(data, "w2", "risk_warning", "鄂城区", "2020年第二季度",
          [{"发布日期": "2020-05-10", "提示标题": "警惕高额回报的投资陷阱", "发布渠道": "官方网站"}])
    _send(data, "w3", "risk_warning", "华容区", "2020年第二季度",
          [{"发布日期": "2020-04-10", "提示标题": "警惕高额回报的投资陷阱", "发布渠道": "官方网站"}])
    # 十七 (宣传教育月: an event in June, districts, 时限 6/30): 梁子湖区 in June, 鄂城区 only in May.
    _send(data, "p1", "publicity", "梁子湖区", "2020年第二季度",
          [{"活动日期": "2020-06-15", "活动名称": "宣传教育月启动仪式", "活动形式": "宣讲", "参与人数": 300}])
    _send(data, "p2", "publicity", "鄂城区", "2020年第二季度",
          [{"活动日期": "2020-05-15", "活动名称": "进社区宣讲", "活动形式": "宣讲", "参与人数": 80}])
    # 八 (the first-half 风险监测台账, due 6/20): only 人行, a 零报告.
    _send(data, "r1", "risk_ledger", "人行", "2020年6月20日", [])


def _csv(path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))


def test_statuses_per_unit_and_city_wide_as_of_the_month_end(engine, data):
    from chufei.outbox.registry import REPORTS
    from chufei.statistics.work_plan import work_plan_progress

    _hand_made_case(data)
    ingest_submissions(engine, data)
    june = month_period(2020, 6)  # as of 2020-06-30: 4/30, 5/31, 6/20 and 6/30 have passed
    progress, sources = work_plan_progress(engine, june.end)
    by_task = {p.rule.cn: p for p in progress}
    assert len(progress) == 26
    assert len(sources) == 9  # every file of the case

    def statuses(cn: str) -> dict[str, str]:
        from chufei.core.units import unit_by_code

        return {unit_by_code(u.unit_code).name: u.status for u in by_task[cn].units}

    others = {name: "逾期未完成" for name in TERRITORIAL}
    assert statuses("一") == {"地方金融局": "已完成"}
    assert by_task["一"].units[0].completed_on == date(2020, 4, 20)
    assert statuses("二") == others | {"鄂城区": "已完成"}
    assert by_task["二"].status == "逾期未完成"
    assert statuses("二十六") == {"市法院": "已完成", "市检察院": "无数据", "市公安局": "无数据"}
    assert by_task["二十六"].status == "进行中"
    assert statuses("六") == {"地方金融局": "无数据"}
    assert by_task["六"].status == "无数据"
    assert set(statuses("四").values()) == {"逾期未完成"}  # 6/30 passed, nobody reported
    assert statuses("十一") == {name: "无数据" for name in TERRITORIAL} | {"鄂城区": "已完成", "华容区": "进行中"}
    assert by_task["十一"].units[0].completed_on == date(2020, 5, 10)  # the third warning
    assert by_task["十一"].status == "进行中"
    assert statuses("十七") == others | {"梁子湖区": "已完成"}
    assert by_task["十七"].status == "逾期未完成"
    eight = statuses("八")
    assert eight["人行"] == "已完成"
    assert {s for n, s in eight.items() if n != "人行"} == {"逾期未完成"}
    assert len(eight) == 20
    assert by_task["七"].status == "无数据"  # no grid clue at all: not a miss

    manifest = REPORTS["work_plan_progress"].build(engine, data, june)
    folder = data.outbox / "work_plan_progress" / "2020-06" / "v1"
    assert manifest["folder"] == str(folder)
    city = _csv(folder / "work_plan_progress_2020-06.csv")
    row = {r["序号"]: r for r in city}
    assert len(city) == 27
    assert city[-1]["工作任务"] == "合计"
    assert (row["十一"]["全市状态"], row["十一"]["按单位状态(个)·已完成"], row["十一"]["按单位状态(个)·无数据"]) == \
        ("进行中", "1", "3")
    assert "逾期未完成：华容区、梁子湖区、葛店开发区、临空经济区" in row["二"]["说明"]
    units = _csv(folder / "work_plan_progress_2020-06_by_unit.csv")
    mine = [r for r in units if r["序号"] == "一"]
    assert [(r["责任单位"], r["状态"], r["完成日期"]) for r in mine] == [("地方金融局", "已完成", "2020-04-20")]
    assert "印发成员单位责任清单" in mine[0]["依据"]
    for name in ("work_plan_progress_2020-06.xlsx", "work_plan_progress_2020-06_by_unit.xlsx"):
        sheet = load_workbook(folder / name).active
        assert sheet.page_setup.orientation == "landscape"
        assert int(sheet.page_setup.scale) >= 80
        assert sheet["A1"].value.startswith("防范和处置非法集资工作要点任务进展")
    court = next(r for r in units if r["序号"] == "二十六" and r["责任单位"] == "市法院")
    assert "追赃挽损专题研讨会纪要" in court["依据"]
    assert PHONE not in court["依据"]
    for path in folder.iterdir():
        shown = path.read_text(encoding="utf-8-sig") if path.suffix != ".xlsx" else " ".join(
            str(cell.value) for sheet in load_workbook(path) for row in sheet.iter_rows() for cell in row)
        assert PHONE not in shown, path.name
    # re-running the month with nothing new writes nothing
    assert REPORTS["work_plan_progress"].build(engine, data, june)["version"] == "v1"


def test_months_outside_the_plan_year_write_no_package(engine, data):
    from chufei.outbox.registry import REPORTS

    _hand_made_case(data)
    ingest_submissions(engine, data)
    manifest = REPORTS["work_plan_progress"].build(engine, data, month_period(2021, 1))
    assert manifest["version"] is None
    assert not (data.outbox / "work_plan_progress" / "2021-01" / "v1").exists()



def test_the_demo_reports_tasks_done_on_time_late_and_not_at_all(engine, data):
    """The demo's completion reports load with exactly the planted row rejected, and the reported
    tasks' statuses at the end of June are the ones the written rows give, every status among them."""
    import os

    from chufei.core.periods import local_midnight
    from chufei.ingest.submissions import sha256_of
    from chufei.kinds.obligations import progress_rules
    from chufei.statistics.work_plan import work_plan_progress
    from demo.task_reports import write_task_reports

    def emit(path, period):
        moment = local_midnight(period.end).timestamp() + 2 * 86400
        os.utime(path, (moment, moment))
        return path

    written = write_task_reports(data.inbox("submissions"), 2020, 2020, ["D15", "420704", "D11"], None, True, emit)
    assert [f.faulty for f in written if f.faulty] == [{len(written[0].rows) - 1: "任务七由网格线索自动判定，无需报送"}]
    digests = {f.path: sha256_of(f.path) for f in written}
    ingest_submissions(engine, data)
    for kind_file in written:
        receipt = json.loads((data.receipts / f"{digests[kind_file.path]}.json").read_text(encoding="utf-8"))
        assert [(e["row"], e["column"]) for e in receipt["errors"]] == \
            [(6 + index, "任务序号") for index in sorted(kind_file.faulty)]

    as_of = date(2020, 7, 1)
    reported_done = {}
    for kind_file in written:
        for index, row in enumerate(kind_file.rows):
            if index not in kind_file.faulty and row["完成日期"] < as_of:
                reported_done.setdefault((kind_file.unit_code, row["任务序号"]), row["完成日期"])
    expected = {}
    for rule in progress_rules():
        if rule.reported:
            for code in set(rule.responsible) & {"D15", "420704", "D11"}:
                expected[(rule.cn, code)] = ("已完成" if (code, rule.cn) in reported_done
                                             else "逾期未完成" if rule.deadline < as_of else "无数据")
    progress, _ = work_plan_progress(engine, as_of)
    found = {(p.rule.cn, u.unit_code): u.status for p in progress if p.rule.reported for u in p.units
             if u.unit_code in {"D15", "420704", "D11"}}
    assert found == expected
    assert set(found.values()) == {"已完成", "逾期未完成", "无数据"}


def test_community_coverage_needs_every_listed_community_and_village_of_a_district(engine, data):
    """任务二十一 (社区宣教全覆盖, 时限 11月30日) by the community list: 葛店开发区 holds events in all four
    of its listed places (创业社区, 研发社区, 吴楚社区, 玉山村; the last on 9月10日), 临空经济区 in one of
    its nine (燕矶社区; 幸福社区 is not on its list and covers nothing) though it held a 宣讲 — which
    alone used to count as done —, and the other districts send no 宣传教育 return at all."""
    from chufei.core.units import unit_by_code
    from chufei.statistics.work_plan import work_plan_progress

    def event(day: str, title: str, community: str) -> dict:
        return {"活动日期": day, "活动名称": title, "活动形式": "宣讲", "参与人数": 50, "社区/村": community}

    _send(data, "gd2", "publicity", "葛店开发区", "2020年第二季度",
          [event("2020-04-10", "创业社区宣讲", "创业社区"), event("2020-05-10", "研发社区宣讲", "研发社区")])
    _send(data, "gd3", "publicity", "葛店开发区", "2020年第三季度",
          [event("2020-07-10", "吴楚社区宣讲", "吴楚社区"), event("2020-09-10", "玉山村宣讲", "玉山村")])
    _send(data, "lk2", "publicity", "临空经济区", "2020年第二季度",
          [event("2020-06-10", "燕矶社区宣讲", "燕矶社区"), event("2020-06-20", "幸福社区宣讲", "幸福社区")])
    ingest_submissions(engine, data)

    def task(as_of: date):
        progress, _ = work_plan_progress(engine, as_of)
        return next(p for p in progress if p.rule.cn == "二十一")

    before = task(date(2020, 10, 1))
    by_name = {unit_by_code(u.unit_code).name: u for u in before.units}
    assert {n: u.status for n, u in by_name.items()} == {
        "葛店开发区": "已完成", "临空经济区": "进行中", "鄂城区": "无数据", "华容区": "无数据", "梁子湖区": "无数据"}
    assert by_name["葛店开发区"].completed_on == date(2020, 9, 10)
    assert by_name["临空经济区"].completed_on is None
    assert "已覆盖 1 个" in by_name["临空经济区"].evidence
    assert "名录社区村 9 个" in by_name["临空经济区"].evidence
    assert before.status == "进行中"

    after = task(date(2021, 1, 1))  # 11月30日 has passed
    assert {unit_by_code(u.unit_code).name: u.status for u in after.units} == {
        "葛店开发区": "已完成", "临空经济区": "逾期未完成", "鄂城区": "逾期未完成", "华容区": "逾期未完成",
        "梁子湖区": "逾期未完成"}
    assert after.status == "逾期未完成"
