"""Case statistics: the figures of a period, its year to date, the same span a year earlier and
(monthly forms) the period before.

Everything is computed from ``case_current`` and the current administrative-action rows
(include/sql/admin_action_figures.sql), grouped by unit and 行业领域, with integer arithmetic;
percentages are exact Decimals rounded half-up to two places. Month, quarter and year forms come
from the same grouped facts, so they reconcile exactly.

Figures of whole calendar months (every period is) are summed from ``case_month_fact`` and
``admin_action_month_fact``, the per-month sums that ``case_month_facts`` and
``action_month_facts`` compute whenever a unit's cases or actions change
(include/sql/case_month_figures.sql, admin_action_month_figures.sql); any other range is read
from the rows themselves (case_figures_by_unit.sql, admin_action_figures.sql). Both give the
same figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from collections.abc import Callable

from sqlalchemy.engine import Connection, CursorResult

from chufei.core.settings import code_lists
from chufei.core.periods import Period
from chufei.core.units import units
from chufei.core.sql import driver_rows, run_sql
from chufei.warehouse.case_duplicates import DuplicateCase, duplicate_cases
from chufei.warehouse.facts import (  # noqa: F401 - the definitions the forms share
    _ACTION_KEYS, _CASE_KEYS, OVER_AMOUNT_FEN, OVER_PEOPLE, PENALTY_ACTION, action_month_facts, case_contribution,
    case_month_facts)

@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    unit: str  # 件 | 万元 | 人
    money: bool = False
    dataset: str = "case_ledger"  # the submissions it is counted from


CASE_FIGURES = (
    Figure("new_cases", "新发案件数", "件"),
    Figure("amount_fen", "涉案金额", "万元", money=True),
    Figure("participants", "集资参与人数", "人"),
    Figure("filed_cases", "立案数", "件", dataset="admin_action"),
    Figure("admin_actions", "行政处置数", "件", dataset="admin_action"),
    Figure("cross_region_cases", "跨区域案件数", "件"),
    Figure("over_100m_cases", "超亿元案件数", "件"),
    Figure("over_1000_cases", "超千人案件数", "件"),
    Figure("old_cases_closed", "存量(陈案)办结数", "件"),
)
SPANS = ("本期", "本年累计", "上年同期累计", "同比%")
MONTHLY_SPANS = SPANS + ("环比%",)
ANNUAL_SPANS = SPANS[1:]  # a year's 本期 is its 本年累计: printed once

Key = tuple[str, str]  # (unit code, 行业领域)
Figures = dict[Key, dict[str, int]]

# The group (REPEATED, 行业领域) holds, negated, what the copies of cases that several units report
# add beyond the lead copy (chufei.warehouse.case_duplicates): every unit's own group keeps its
# copy, and any sum over all groups, or over a 行业领域, counts each case once.
REPEATED = "重复上报"


def spans_for(kind: str) -> tuple[str, ...]:
    return {"month": MONTHLY_SPANS, "year": ANNUAL_SPANS}.get(kind, SPANS)


def whole_months(start: date, end: date, year_start: date) -> bool:
    """[start, end) is whole calendar months within ``year_start``'s year: readable from the monthly facts."""
    return (start.day == 1 and end.day == 1 and start < end and year_start == date(start.year, 1, 1)
            and end <= date(start.year + 1, 1, 1))


def case_figures(connection: Connection, start: date, end: date, year_start: date,
                 duplicates: list[DuplicateCase] | None = None) -> Figures:
    """Every figure for [start, end), per (unit, 行业领域), and (REPEATED, 行业领域): less what
    the cases ``duplicates`` lists (default: all of them now) would otherwise count twice."""
    result: Figures = {}

    def slot(unit: str, industry: str) -> dict[str, int]:
        return result.setdefault((unit, industry), {f.key: 0 for f in CASE_FIGURES})

    def add(rows: CursorResult, keys: tuple[str, ...]) -> None:  # the driver's tuples: no row objects made
        names = list(rows.keys())
        unit, industry = names.index("unit_code"), names.index("industry")
        columns = [(key, names.index(key)) for key in keys]
        for row in driver_rows(rows):
            slot(row[unit], row[industry]).update({key: int(row[index] or 0) for key, index in columns})

    if whole_months(start, end, year_start):
        add(run_sql(connection, "case_month_figures", range_start=start, range_end=end), _CASE_KEYS)
        add(run_sql(connection, "admin_action_month_figures", range_start=start, range_end=end), _ACTION_KEYS)
    else:
        add(run_sql(connection, "case_figures_by_unit", range_start=start, range_end=end, year_start=year_start,
                    over_amount_fen=OVER_AMOUNT_FEN, over_people=OVER_PEOPLE), _CASE_KEYS)
        add(run_sql(connection, "admin_action_figures", range_start=start, range_end=end,
                    penalty_type=PENALTY_ACTION), _ACTION_KEYS)
    for duplicate in duplicate_cases(connection) if duplicates is None else duplicates:
        for copy in duplicate.repeats:
            counted = case_contribution(copy, start, end, year_start)
            if any(counted.values()):
                target = slot(REPEATED, copy.industry)
                for key, value in counted.items():
                    target[key] -= value
    return result


def repeats_counted(figures: Figures) -> bool:
    """Whether a copy of a case several units report falls in these figures (so 合计 < Σ units)."""
    return any(value for (unit, _), values in figures.items() if unit == REPEATED for value in values.values())


def growth_percent(current: int, previous: int) -> Decimal | None:
    """同比/环比 %: (current − previous) ÷ previous × 100; None when there is nothing to compare."""
    if previous == 0:
        return None
    return (Decimal(current - previous) * 100 / Decimal(previous)).quantize(Decimal("0.01"), ROUND_HALF_UP)


Selector = Callable[[Key], bool]


@dataclass
class SpanFigures:
    """Per (unit, 行业领域) and figure: the period, year to date, last year's year to date and,
    for months, the previous period."""

    period: Period
    current: Figures
    year_to_date: Figures
    last_year_to_date: Figures
    previous: Figures | None = None

    @staticmethod
    def value(span: Figures, selector: Selector, key: str) -> int:
        return sum(figures.get(key, 0) for group, figures in span.items() if selector(group))

    def row(self, selector: Selector) -> list[int | Decimal | None]:
        """The span cells of every figure for the groups ``selector`` picks."""
        return self._cells(lambda span, key: self.value(span, selector, key))

    def row_of(self, group: Key) -> list[int | Decimal | None]:
        """The span cells of one group: a lookup, not a scan (rows of collapsed figures)."""
        return self._cells(lambda span, key: span.get(group, {}).get(key, 0))

    def _cells(self, value: Callable[[Figures, str], int]) -> list[int | Decimal | None]:
        cells: list[int | Decimal | None] = []
        for figure in CASE_FIGURES:
            current = value(self.current, figure.key)
            ytd = value(self.year_to_date, figure.key)
            last = value(self.last_year_to_date, figure.key)
            cells += [ytd, last, growth_percent(ytd, last)] if self.period.kind == "year" else \
                [current, ytd, last, growth_percent(ytd, last)]
            if self.previous is not None:
                cells.append(growth_percent(current, value(self.previous, figure.key)))
        return cells

    def collapsed(self, position: int) -> SpanFigures:
        """The same figures summed to one dimension (0 = unit, 1 = 行业领域): fewer groups to scan."""
        def collapse(span: Figures | None) -> Figures | None:
            if span is None:
                return None
            out: Figures = {}
            for group, values in span.items():
                key = (group[position], group[position]) if position else (group[0], "")
                target = out.setdefault(key, {})
                for name, value in values.items():
                    target[name] = target.get(name, 0) + value
            return out

        return SpanFigures(self.period, collapse(self.current), collapse(self.year_to_date),
                           collapse(self.last_year_to_date), collapse(self.previous))

    def repeats_counted(self) -> bool:
        """Whether 合计 leaves out copies of cases several units report (then 合计 < Σ units)."""
        spans = [self.current, self.year_to_date, self.last_year_to_date, self.previous or {}]
        return any(repeats_counted(span) for span in spans)

    def groups(self) -> set[Key]:
        spans = [self.current, self.year_to_date, self.last_year_to_date, self.previous or {}]
        return set().union(*spans)


def case_statistics(connection: Connection, period: Period,
                    duplicates: list[DuplicateCase] | None = None) -> SpanFigures:
    """The period's figures in every span; ``duplicates`` as for ``case_figures``."""
    last_year = period.shift_years(-1)
    previous = None
    duplicates = duplicate_cases(connection) if duplicates is None else duplicates
    if period.kind == "month":
        before = period.previous()
        previous = case_figures(connection, before.start, before.end, before.year_start, duplicates)
    return SpanFigures(
        period=period,
        current=case_figures(connection, period.start, period.end, period.year_start, duplicates),
        year_to_date=case_figures(connection, period.year_start, period.end, period.year_start, duplicates),
        last_year_to_date=case_figures(connection, last_year.year_start, last_year.end, last_year.year_start,
                                       duplicates),
        previous=previous)


def case_sources(connection: Connection, period: Period) -> list[str]:
    """sha256 of every submitted file whose rows fed this period's figures (any of its spans)."""
    last_year = period.shift_years(-1)
    ranges = [(period.year_start, period.end), (last_year.year_start, last_year.end)]
    if period.kind == "month":
        ranges.append((period.previous().start, period.previous().end))
    shas: set[str] = set()
    for start, end in ranges:
        if whole_months(start, end, date(start.year, 1, 1)):
            for dataset in ("case_ledger", "admin_action"):
                shas.update(row[0] for row in run_sql(connection, "month_sources", dataset=dataset,
                                                      range_start=start, range_end=end))
            continue
        for name in ("case_sources", "admin_action_sources"):
            shas.update(row[0] for row in run_sql(connection, name, range_start=start, range_end=end))
    return sorted(shas)


CUMULATIVE = {"case_ledger"}  # a unit's ledger lists every case so far, not the month's events


def reporting_units(connection: Connection, dataset: str, start: date, end: date) -> set[str]:
    """The units whose submissions of ``dataset`` cover [start, end) (include/sql/units_reporting.sql)."""
    return {row[0] for row in run_sql(connection, "units_reporting", dataset=dataset, range_start=start,
                                      range_end=end, cumulative=1 if dataset in CUMULATIVE else 0)}


def base_reported(connection: Connection, period: Period) -> dict[str, set[str]]:
    """Per dataset, the units that reported the 上年同期累计 span: where none did, that base is
    "no data", not 0."""
    last = period.shift_years(-1)
    return {dataset: reporting_units(connection, dataset, last.year_start, last.end)
            for dataset in sorted({f.dataset for f in CASE_FIGURES})}


def unit_rows(figures: SpanFigures) -> list[tuple[str, str, list]]:
    """(code, name, cells) for every registered unit in registry order, then the 合计 row: each
    unit's row shows every case it reports, 合计 counts a case several units report once."""
    figures = figures.collapsed(0)
    rows = [(unit.code, unit.name, figures.row_of((unit.code, ""))) for unit in units()]
    unknown = sorted({group[0] for group in figures.groups()} - {unit.code for unit in units()} - {REPEATED})
    if unknown:
        raise ValueError(f"warehouse holds cases of units not in the registry: {', '.join(unknown)}")
    rows.append(("", "合计", figures.row(lambda group: True)))
    return rows


def industry_rows(figures: SpanFigures) -> list[tuple[str, str, list]]:
    """(code, 行业领域, cells) for every 行业领域 of the code list in order, then the 合计 row."""
    industries = code_lists()["行业领域"]
    figures = figures.collapsed(1)
    rows = [(f"{index:02d}", name, figures.row_of((name, name))) for index, name in enumerate(industries, 1)]
    unknown = sorted({str(group[1]) for group in figures.groups()} - set(industries))
    if unknown:
        raise ValueError(f"warehouse holds cases of 行业领域 not in the code list: {', '.join(unknown)}")
    rows.append(("", "合计", figures.row(lambda group: True)))
    return rows
