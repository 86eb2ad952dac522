"""The one obligations source decides what the completeness matrix tracks and when periods are due.

Expected values are read from the reference files with json and csv alone, not through chufei.
"""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest

REFERENCE = Path(__file__).resolve().parents[2] / "include" / "reference"


def _reference():
    plan = json.loads((REFERENCE / "work_plan_tasks.json").read_text(encoding="utf-8"))
    with (REFERENCE / "units.csv").open(encoding="utf-8", newline="") as handle:
        units = list(csv.DictReader(handle))
    return plan, units


def _owed_pairs() -> set[tuple[str, str]]:
    plan, units = _reference()
    pairs = set()
    for task in plan["tasks"]:
        for owed in task["submissions"]:
            for unit in units:
                if unit["kind"] in owed.get("unit_kinds", []) or unit["code"] in owed.get("units", []):
                    pairs.add((unit["code"], owed["dataset"]))
    return pairs


def test_there_is_one_obligations_source():
    assert not (REFERENCE / "obligations.json").exists()


def test_the_matrix_tracks_exactly_the_units_and_kinds_the_source_names():
    from chufei.ops.watch import due_items
    from chufei.kinds.obligations import work_plan

    tracked = {(item.unit_code, item.dataset) for item in due_items(work_plan(), date(2020, 12, 31))}
    assert tracked == _owed_pairs()


def test_the_work_plan_owed_by_the_right_units():
    """行政处置 (task 十五): districts and the bodies with administrative powers, not every department;
    举报奖励 (task 五): districts, 市公安局 and 地方金融局."""
    pairs = _owed_pairs()
    territorial = {"420704", "420703", "420702", "EZGD01", "EZLK01"}
    assert {code for code, kind in pairs if kind == "admin_action"} == territorial | {"D01", "D02", "D10", "D15"}
    assert {code for code, kind in pairs if kind == "report_reward"} == territorial | {"D13", "D15"}


def test_every_owed_kind_is_a_kind_of_that_period():
    from chufei.kinds.registry import KINDS

    plan, _ = _reference()
    for task in plan["tasks"]:
        for owed in task["submissions"]:
            assert KINDS[owed["dataset"]].period_kind == owed["period_kind"], owed


@pytest.mark.parametrize(("kind", "period_start", "due"), [
    ("month", date(2020, 6, 1), date(2020, 7, 5)),  # case ledger, old-case progress: day 5
    ("quarter", date(2020, 4, 1), date(2020, 7, 10)),  # the quarterly kinds: day 10
    ("risk_ledger", date(2020, 1, 1), date(2020, 6, 20)),
    ("risk_ledger", date(2020, 7, 1), date(2020, 12, 10)),
])
def test_period_dags_wait_for_the_due_days_of_the_source(kind, period_start, due):
    from chufei.dagkit.timetables import PeriodTimetable

    plan, _ = _reference()
    owed = [o for task in plan["tasks"] for o in task["submissions"]]
    if kind == "risk_ledger":
        fixed = next(o["due"]["fixed"] for o in owed if o["dataset"] == "risk_ledger")
        assert due == date(2020, *map(int, fixed["H1" if period_start.month == 1 else "H2"].split("-")))
    else:
        assert {o["due"]["day_of_next_month"] for o in owed if o["period_kind"] == kind} == {due.day}
    assert PeriodTimetable(kind, grace=0).window(period_start).due == due


def test_every_task_is_judged_by_figures_or_by_report_and_names_known_units():
    """work_plan_progress.json judges exactly the plan's tasks: 五, 七–十二, 十四, 十五 and 十七–二十二 by
    the warehouse's figures, the others by the units' 工作任务完成情况 reports."""
    plan, units = _reference()
    progress = json.loads((REFERENCE / "work_plan_progress.json").read_text(encoding="utf-8"))
    assert set(progress["tasks"]) == {str(task["no"]) for task in plan["tasks"]}
    by_figures = {no for no, rule in progress["tasks"].items() if rule["evidence"] != "report"}
    assert by_figures == {str(n) for n in (5, 7, 8, 9, 10, 11, 12, 14, 15, *range(17, 23))}
    codes = {unit["code"] for unit in units}
    assert progress["office_unit"] in codes
    for rule in progress["tasks"].values():
        if rule["responsible"] != "obligated":
            assert set(rule["responsible"].get("units", [])) <= codes | {"office"}
            assert set(rule["responsible"].get("unit_kinds", [])) <= {unit["kind"] for unit in units}


def test_a_unit_may_name_a_task_as_the_plan_writes_it_or_by_its_number():
    from chufei.kinds.obligations import task_by_number

    assert {task_by_number(text).cn for text in ("十一", "11", "任务十一", "（十一）", "第十一项", 11.0)} == {"十一"}
    assert task_by_number("二十七") is None
    assert task_by_number("27") is None
