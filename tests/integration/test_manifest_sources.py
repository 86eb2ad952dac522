"""Every inflow feeds an output: for each kind in the kinds registry, a file of that kind sent in
June 2020 is named among the sources of some report's manifest for a period that covers June (the
registry's reports, and the daily early-warning package of 30 June, which is not a period report).

A kind whose rows no report reads is validated, loaded and receipted for nothing; this fails the
day a new kind is registered without a report that counts it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import text

from chufei.core.periods import half_period, month_period, quarter_period, year_period
from chufei.kinds.obligations import progress_rules
from chufei.kinds.registry import DATASETS, KINDS
from chufei.kinds.templates import write_submission
from chufei.outbox.registry import REPORTS
from demo.generate import write_demo_inbox
from tests.screening import COUNTS, advert

JUNE = {"month": month_period(2020, 6), "quarter": quarter_period(2020, 2), "half": half_period(2020, 1),
        "year": year_period(2020)}


def send_one_of_each(engine, data) -> None:
    from chufei.ingest.ad_screening import ingest_ad_screening
    from chufei.ingest.submissions import ingest_submissions
    from chufei.kinds.ad_screening import write_screening
    from tests.integration.test_grid_monitoring import deliver, FIRST

    # Every workbook kind the units owe, as the demo sends them (a territorial unit and a department).
    write_demo_inbox(data, unit_codes=["420704", "D13"], months=[6], faults=False, other_kinds=True)
    # 工作任务完成情况 is owed by no obligation: a unit reports a task it answers for when it is done.
    task = next(rule for rule in progress_rules() if rule.reported and "420704" in rule.responsible)
    write_submission(data.inbox("submissions") / "鄂城区_2020-06_工作任务完成情况.xlsx", DATASETS["work_task_completion"],
                     "鄂城区", "2020年6月", [{"任务序号": task.cn, "完成日期": date(2020, 6, 12), "佐证材料": "印发工作方案"}])
    write_submission(data.inbox("submissions") / "鄂城区_2020-06_预警核查反馈.xlsx", DATASETS["warning_feedback"],
                     "鄂城区", "2020年6月", [{"预警编号": "YJ-ZT0123456789-1", "核查结论": "不属实",
                                             "核查日期": date(2020, 6, 20), "核查说明": "经走访核实"}])
    ingest_submissions(engine, data)
    write_screening(data.inbox("ad_screening") / "6月.xlsx", "鄂城区", "2020年6月", [advert(3)], COUNTS)
    ingest_ad_screening(engine, data)
    deliver(engine, data, "grid.csv", {"C": FIRST["C"]})


def test_every_kind_reaches_the_sources_of_some_manifest(engine, data):
    send_one_of_each(engine, data)
    with engine.connect() as connection:
        kind_of = {sha: kind for sha, kind in connection.execute(
            text("SELECT sha256, dataset FROM received_file WHERE dataset IS NOT NULL"))}
    assert set(kind_of.values()) == set(KINDS), "the input must hold a file of every kind"
    reached: dict[str, set[str]] = {}
    for report in REPORTS.values():
        manifest = report.build(engine, data, JUNE[report.period_kind])
        for source in manifest.get("sources", []):
            if source in kind_of:
                reached.setdefault(kind_of[source], set()).add(report.dag_id)
    from chufei.outbox.early_warning import run_day
    from chufei.outbox.reports import read_manifest
    from chufei.warehouse.entities import update_register

    update_register(engine)
    folder = run_day(engine, data, date(2020, 6, 30))["folder"]
    for source in read_manifest(Path(folder))["sources"] if folder else []:
        if source in kind_of:
            reached.setdefault(kind_of[source], set()).add("early_warning")
    unread = sorted(set(KINDS) - set(reached))
    assert unread == [], f"kinds no report's manifest names as a source: {unread}; read by: {reached}"
