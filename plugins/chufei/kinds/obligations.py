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
