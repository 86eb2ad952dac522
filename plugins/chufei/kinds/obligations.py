"""Who owes which submission kind, for which period, by when: the work plan's obligations.

The one source is ``include/reference/work_plan_tasks.json``: the work plan's 26 tasks, their
时限, and for the tasks that need submissions, which unit kinds (and further units) owe which
kind, of which period, due on which day. The completeness matrix and the period DAGs' sensors
(``chufei.ops.watch``), the timetables' due days (``chufei.dagkit.timetables``), the risk-ledger
rollup's snapshot days and the demo all read it here. Only the standard library: the timetables
read it when a DAG file is parsed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from chufei.core.periods import Period
from chufei.core.settings import REFERENCE_DIR
from chufei.core.units import Unit, units

SOURCE = REFERENCE_DIR / "work_plan_tasks.json"


@dataclass(frozen=True)
class Obligation:
    task_no: int
    dataset: str  # the kind (chufei.kinds.registry)
    period_kind: str
    unit_kinds: tuple[str, ...]
    due: dict
    unit_codes: tuple[str, ...] = ()  # further units that owe it besides the unit kinds

    def owed_by(self, unit: Unit) -> bool:
        return unit.kind in self.unit_kinds or unit.code in self.unit_codes

    def due_date(self, period: Period) -> date:
        if "day_of_next_month" in self.due:
            return period.end.replace(day=int(self.due["day_of_next_month"]))
        month, day = (int(x) for x in self.due["fixed"][period.key[4:]].split("-"))
        return date(period.year, month, day)


@dataclass(frozen=True)
class WorkPlan:
    year: int
    tasks: tuple[dict, ...]
    obligations: tuple[Obligation, ...]


def load_work_plan(path: Path | None = None) -> WorkPlan:
    raw = json.loads((path or SOURCE).read_text(encoding="utf-8"))
    obligations = tuple(
        Obligation(task_no=task["no"], dataset=s["dataset"], period_kind=s["period_kind"],
                   unit_kinds=tuple(s.get("unit_kinds", ())), due=s["due"], unit_codes=tuple(s.get("units", ())))
        for task in raw["tasks"] for s in task["submissions"])
    return WorkPlan(year=raw["year"], tasks=tuple(raw["tasks"]), obligations=obligations)


@cache
def work_plan() -> WorkPlan:
    return load_work_plan()


def obligations_of(dataset_name: str) -> tuple[Obligation, ...]:
    return tuple(o for o in work_plan().obligations if o.dataset == dataset_name)


def obligated_units(dataset_name: str) -> list[Unit]:
    """The units that owe ``dataset_name``, in registry order."""
    rules = obligations_of(dataset_name)
    return [unit for unit in units() if any(rule.owed_by(unit) for rule in rules)]


def due_day_of_next_month(period_kind: str) -> int | None:
    """The day of the following month the submissions of ``period_kind`` periods are due, when the
    plan sets one (month: the 5th, quarter: the 10th); the period DAGs' timetables wait for it."""
    days = {int(o.due["day_of_next_month"]) for o in work_plan().obligations
            if o.period_kind == period_kind and "day_of_next_month" in o.due}
    if len(days) > 1:
        raise ValueError(f"{SOURCE.name}: {period_kind} submissions are due on different days {sorted(days)}; "
                         "a period DAG waits for one due day")
    return days.pop() if days else None


def fixed_due_dates(dataset_name: str) -> dict[str, tuple[int, int]]:
    """Period half/quarter → (month, day) for a kind due on fixed days (the risk ledger's 6/20, 12/10)."""
    for obligation in obligations_of(dataset_name):
        if "fixed" in obligation.due:
            return {part: tuple(int(x) for x in day.split("-")) for part, day in obligation.due["fixed"].items()}
    raise ValueError(f"{SOURCE.name} gives {dataset_name} no fixed due dates")


# ---------------------------------------------------------------- how each task's progress is judged

PROGRESS_SOURCE = REFERENCE_DIR / "work_plan_progress.json"
REPORTED = "report"  # the evidence of a task judged from 工作任务完成情况 submissions


@dataclass(frozen=True)
class TaskProgressRule:
    """One task of the plan with who answers for it and what shows it done (work_plan_progress.json)."""

    task_no: int
    cn: str  # the task's number as the plan writes it: 十一
    title: str
    deadlines: tuple[date, ...]  # its 时限, in order; the last is when it must be done
    responsible: tuple[str, ...]  # unit codes, in registry order
    evidence: str | dict  # REPORTED, or a measure over the warehouse's figures

    @property
    def reported(self) -> bool:
        return self.evidence == REPORTED

    @property
    def deadline(self) -> date:
        return self.deadlines[-1]


def _responsible(spec: str | dict, task: dict, office_unit: str) -> tuple[str, ...]:
    if spec == "obligated":
        rules = [o for o in work_plan().obligations if o.task_no == task["no"]]
        return tuple(u.code for u in units() if any(rule.owed_by(u) for rule in rules))
    codes = {office_unit if code == "office" else code for code in spec.get("units", ())}
    known = {u.code for u in units()}
    if codes - known:
        raise ValueError(f"{PROGRESS_SOURCE.name}: task {task['no']} names units not in units.csv: {sorted(codes - known)}")
    return tuple(u.code for u in units() if u.kind in spec.get("unit_kinds", ()) or u.code in codes)


def load_progress_rules(path: Path | None = None, plan: WorkPlan | None = None) -> tuple[TaskProgressRule, ...]:
    plan = plan or work_plan()
    raw = json.loads((path or PROGRESS_SOURCE).read_text(encoding="utf-8"))
    tasks = raw["tasks"]
    if set(tasks) != {str(task["no"]) for task in plan.tasks}:
        raise ValueError(f"{PROGRESS_SOURCE.name} must judge exactly the plan's tasks")
    return tuple(
        TaskProgressRule(task_no=task["no"], cn=task["cn"], title=task["title"],
                         deadlines=tuple(date(plan.year, *(int(x) for x in d.split("-"))) for d in task["deadlines"]),
                         responsible=_responsible(tasks[str(task["no"])]["responsible"], task, raw["office_unit"]),
                         evidence=tasks[str(task["no"])]["evidence"])
        for task in plan.tasks)


@cache
def progress_rules() -> tuple[TaskProgressRule, ...]:
    return load_progress_rules()


def task_by_number(text: object) -> TaskProgressRule | None:
    """The task a cell names: 十一, 11, 任务十一, （十一）, 第十一项 …; None when the plan has no such task."""
    import re
    import unicodedata

    if text is None:
        return None
    key = re.sub(r"^(任务|第)|[()（）、项\s]", "", unicodedata.normalize("NFKC", str(text)))
    key = re.sub(r"^(\d+)\.0*$", r"\1", key)  # a number cell read as 11.0
    for rule in progress_rules():
        if key in (rule.cn, str(rule.task_no)):
            return rule
    return None
