"""Monthly facts: the per-month sums a period's statistics add up, computed from the rows.

The warehouse rebuilds them whenever a unit's cases or administrative actions change, so they
never disagree with the rows they sum; ``chufei.statistics.cases`` reads them.
"""

from __future__ import annotations

from datetime import date
from collections.abc import Iterable, Mapping

from chufei.core.sql import as_date

OVER_AMOUNT_FEN = 100_000_000 * 100  # 1 亿元 in 分
OVER_PEOPLE = 1000
PENALTY_ACTION = "行政处罚"  # the 处置方式 that files an administrative case (立案数)
_CASE_KEYS = ("new_cases", "amount_fen", "participants", "cross_region_cases", "over_100m_cases",
              "over_1000_cases", "old_cases_closed")
_ACTION_KEYS = ("filed_cases", "admin_actions")


def case_month_facts(unit_code: str, cases: Iterable[Mapping]) -> tuple[list[dict], list[dict]]:
    """One unit's ``case_month_fact`` rows and ``month_source`` rows from its current cases
    (include/sql/case_facts_of_unit.sql).

    Facts, per (行业领域, calendar month): the new-case figures of the cases filed in the month,
    and of the cases closed in the month how many were filed before 1 January of that year
    (存量(陈案)办结) and how many in all. Each figure has the definition of
    case_figures_by_unit.sql, so summing whole months of one year gives that query's result.
    Sources: the submissions whose cases were filed or closed in each month (case_sources.sql).
    """
    facts: dict[tuple, dict] = {}
    sources: set[tuple] = set()

    for case in cases:
        filed, closed = as_date(case["filed_date"]), as_date(case["closed_date"])
        for day in sorted({day.replace(day=1) for day in (filed, closed) if day is not None}):
            month, following = day, date(day.year + day.month // 12, day.month % 12 + 1, 1)
            sources.add((month, case["submission_id"]))
            key = (case["industry"], month)
            if key not in facts:
                facts[key] = {"unit_code": unit_code, "industry": key[0], "month_start": month,
                              **{name: 0 for name in (*_CASE_KEYS, "closed_cases")}}
            target = facts[key]
            for name, value in case_contribution(case, month, following, date(month.year, 1, 1)).items():
                target[name] += value
            target["closed_cases"] += 1 if closed is not None and closed.replace(day=1) == month else 0
    return ([facts[key] for key in sorted(facts, key=lambda key: (key[0] or "", key[1]))],
            _source_rows("case_ledger", unit_code, sources))


def case_contribution(case: Mapping, start: date, end: date, year_start: date) -> dict[str, int]:
    """What one case adds to each case figure over [start, end) whose year begins ``year_start``:
    the definitions of case_figures_by_unit.sql, case by case (the monthly facts are built from
    it, and so is what a case reported by two units must not add twice)."""
    filed, closed = as_date(case["filed_date"]), as_date(case["closed_date"])
    amount, people = case["amount_fen"], case["participants"]
    new = filed is not None and start <= filed < end
    return {"new_cases": int(new), "amount_fen": int(amount or 0) if new else 0,
            "participants": int(people or 0) if new else 0,
            "cross_region_cases": int(new and bool(case["cross_region"])),
            "over_100m_cases": int(new and amount is not None and amount >= OVER_AMOUNT_FEN),
            "over_1000_cases": int(new and people is not None and people >= OVER_PEOPLE),
            "old_cases_closed": int(filed is not None and filed < year_start and closed is not None
                                    and start <= closed < end)}


def _source_rows(dataset: str, unit_code: str, sources: set[tuple]) -> list[dict]:
    return [{"dataset": dataset, "unit_code": unit_code, "month_start": month, "submission_id": submission_id}
            for month, submission_id in sorted(sources)]


def action_month_facts(unit_code: str, actions: Iterable[Mapping], listed: Iterable[Mapping]) -> tuple[list[dict], list[dict]]:
    """One unit's ``admin_action_month_fact`` and ``month_source`` rows.

    ``actions``: its current, de-duplicated actions (include/sql/admin_actions_of_unit.sql); facts
    per (行业领域, calendar month of 处置日期): 立案数 (处置方式 行政处罚) and 行政处置数, as
    admin_action_figures.sql counts them. ``listed``: (submission_id, action_date) of every
    current row (admin_action_dates_of_unit.sql): the sources, as admin_action_sources.sql finds them.
    """
    facts: dict[tuple, dict] = {}
    for action in actions:
        day = as_date(action["action_date"])
        if day is None:
            continue
        key = (action["industry"], day.replace(day=1))
        target = facts.setdefault(key, {"unit_code": unit_code, "industry": key[0], "month_start": key[1],
                                        "filed_cases": 0, "admin_actions": 0})
        target["admin_actions"] += 1
        target["filed_cases"] += 1 if action["action_type"] == PENALTY_ACTION else 0
    sources = {(as_date(row["action_date"]).replace(day=1), row["submission_id"])
               for row in listed if row["action_date"] is not None}
    return ([facts[key] for key in sorted(facts, key=lambda key: (key[0] or "", key[1]))],
            _source_rows("admin_action", unit_code, sources))
