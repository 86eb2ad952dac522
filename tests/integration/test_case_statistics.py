"""Case statistics for month, quarter and year: right figures, and they reconcile exactly."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest

from chufei.outbox.case_reports import case_statistics_forms
from chufei.core.settings import code_lists
from chufei.core.periods import month_period, quarter_period, year_period
from chufei.core.units import units
from tests.forms import FIGURES, as_number, cells, expected_figures
from tests.statsfacts import generate, load_facts

def pct(now, before) -> Decimal | None:
    if not before:
        return None
    return (Decimal(now - before) * 100 / Decimal(before)).quantize(Decimal("0.01"), ROUND_HALF_UP)


@pytest.fixture
def facts(engine):
    cases, actions = generate()
    load_facts(engine, cases, actions)
    return cases, actions


def test_figures_match_independent_computation_and_reconcile(engine, facts):
    cases, actions = facts
    periods = ([month_period(2020, m) for m in range(1, 13)] + [quarter_period(2020, q) for q in range(1, 5)]
               + [year_period(2020)])
    forms = {p.key: case_statistics_forms(engine, p)[0] for p in periods}
    selectors = {u.name: (lambda code: lambda unit, industry: unit == code)(u.code) for u in units()}
    selectors.update({name: (lambda n: lambda unit, industry: industry == n)(name)
                      for name in code_lists()["行业领域"]})
    selectors["合计"] = lambda unit, industry: True
    for period in periods:
        for suffix in ("", "_by_industry"):
            got = cells(forms[period.key][suffix], period.kind)
            names = {row[1] for row in forms[period.key][suffix].rows}
            for name in names:
                select = selectors[name]
                current = expected_figures(cases, actions, period.start, period.end, select)
                ytd = expected_figures(cases, actions, period.year_start, period.end, select)
                last = period.shift_years(-1)
                last_ytd = expected_figures(cases, actions, last.year_start, last.end, select)
                for figure in FIGURES:
                    assert as_number(got[(name, figure, "本期")]) == current[figure], (period.key, name, figure)
                    assert as_number(got[(name, figure, "本年累计")]) == ytd[figure], (period.key, name, figure)
                    assert as_number(got[(name, figure, "上年同期累计")]) == last_ytd[figure]
                    growth = got[(name, figure, "同比%")]
                    assert growth == pct(ytd[figure], last_ytd[figure]), (period.key, name, figure)
                    if period.kind == "month":
                        before = period.previous()
                        previous = expected_figures(cases, actions, before.start, before.end, select)[figure]
                        ring = got[(name, figure, "环比%")]
                        assert ring == pct(current[figure], previous), (period.key, name, figure)
    # Σ months = quarter = year, for every row of both forms and every figure.
    for suffix in ("", "_by_industry"):
        year = cells(forms["2020"][suffix], "year")
        for name in {row[1] for row in forms["2020"][suffix].rows}:
            for figure in FIGURES:
                months = sum(as_number(cells(forms[f"2020-{m:02d}"][suffix], "month")[(name, figure, "本期")])
                             for m in range(1, 13))
                quarters = sum(as_number(cells(forms[f"2020Q{q}"][suffix], "quarter")[(name, figure, "本期")])
                               for q in range(1, 5))
                assert months == quarters == as_number(year[(name, figure, "本期")]), (suffix, name, figure)
                december = cells(forms["2020-12"][suffix], "month")[(name, figure, "本年累计")]
                assert as_number(december) == as_number(year[(name, figure, "本期")])
    assert sum(as_number(cells(forms["2020"][""], "year")[("合计", f, "本期")]) for f in FIGURES) > 0
