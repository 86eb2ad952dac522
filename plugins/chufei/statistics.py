"""Case statistics: the figures of a period, its year to date and the same span a year earlier.

Everything is computed from ``case_current`` by include/sql/case_figures_by_unit.sql with
integer arithmetic; percentages are exact Decimals rounded half-up to two places.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.engine import Connection

from chufei.periods import Period
from chufei.registry import units
from chufei.sql import run_sql

OVER_AMOUNT_FEN = 100_000_000 * 100  # 1 亿元 in 分
OVER_PEOPLE = 1000


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    unit: str  # 件 | 万元 | 人
    money: bool = False


CASE_FIGURES = (
    Figure("new_cases", "新发案件数", "件"),
    Figure("amount_fen", "涉案金额", "万元", money=True),
    Figure("participants", "集资参与人数", "人"),
    Figure("cross_region_cases", "跨区域案件数", "件"),
    Figure("over_100m_cases", "超亿元案件数", "件"),
    Figure("over_1000_cases", "超千人案件数", "件"),
    Figure("old_cases_closed", "存量(陈案)办结数", "件"),
)
SPANS = ("本期", "本年累计", "上年同期累计", "同比%")

Figures = dict[str, dict[str, int]]  # unit code → figure key → value


def case_figures(connection: Connection, start: date, end: date, year_start: date) -> Figures:
    result: Figures = {}
    for row in run_sql(connection, "case_figures_by_unit", range_start=start, range_end=end,
                       year_start=year_start, over_amount_fen=OVER_AMOUNT_FEN, over_people=OVER_PEOPLE).mappings():
        result[row["unit_code"]] = {figure.key: int(row[figure.key] or 0) for figure in CASE_FIGURES}
    return result


def growth_percent(current: int, previous: int) -> Decimal | None:
    """同比/环比 %: (current − previous) ÷ previous × 100; None when there is nothing to compare."""
    if previous == 0:
        return None
    return (Decimal(current - previous) * 100 / Decimal(previous)).quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass
class SpanFigures:
    """Per unit and figure: the period, year to date, last year's year to date."""

    period: Period
    current: Figures
    year_to_date: Figures
    last_year_to_date: Figures

    def value(self, span: Figures, unit_code: str | None, key: str) -> int:
        if unit_code is None:
            return sum(figures.get(key, 0) for figures in span.values())
        return span.get(unit_code, {}).get(key, 0)

    def row(self, unit_code: str | None) -> list[int | Decimal | None]:
        """The 4 × figures cells of one unit (None = the 合计 row)."""
        cells: list[int | Decimal | None] = []
        for figure in CASE_FIGURES:
            current = self.value(self.current, unit_code, figure.key)
            ytd = self.value(self.year_to_date, unit_code, figure.key)
            last = self.value(self.last_year_to_date, unit_code, figure.key)
            cells += [current, ytd, last, growth_percent(ytd, last)]
        return cells


def case_statistics(connection: Connection, period: Period) -> SpanFigures:
    last_year = period.shift_years(-1)
    return SpanFigures(
        period=period,
        current=case_figures(connection, period.start, period.end, period.year_start),
        year_to_date=case_figures(connection, period.year_start, period.end, period.year_start),
        last_year_to_date=case_figures(connection, last_year.year_start, last_year.end, last_year.year_start))


def case_sources(connection: Connection, period: Period) -> list[str]:
    """sha256 of every submitted file whose rows fed this period's figures (any of its spans)."""
    last_year = period.shift_years(-1)
    shas: set[str] = set()
    for start, end in ((period.year_start, period.end), (last_year.year_start, last_year.end)):
        shas.update(row[0] for row in run_sql(connection, "case_sources", range_start=start, range_end=end))
    return sorted(shas)


def unit_rows(figures: SpanFigures) -> list[tuple[str, str, list]]:
    """(code, name, cells) for every registered unit in registry order, then the 合计 row."""
    rows = [(unit.code, unit.name, figures.row(unit.code)) for unit in units()]
    seen = set(figures.current) | set(figures.year_to_date) | set(figures.last_year_to_date)
    unknown = sorted(seen - {unit.code for unit in units()})
    if unknown:
        raise ValueError(f"warehouse holds cases of units not in the registry: {', '.join(unknown)}")
    rows.append(("", "合计", figures.row(None)))
    return rows
