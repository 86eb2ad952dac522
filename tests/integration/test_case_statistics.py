"""Case statistics for month, quarter and year: right figures, and they reconcile exactly."""

from __future__ import annotations

from datetime import date
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


def test_a_base_never_reported_is_no_data_not_zero(engine, tmp_path):
    """上年同期累计 of 立案数 shows "—" (and no 同比) where the unit sent no 2019 admin-action
    return; a unit that sent one, even with no rows (零报告), shows its 0."""
    from chufei.core.periods import parse_period
    from chufei.outbox.reports import write_csv
    from tests.statsfacts import load_submission

    action = {"action_date": date(2020, 2, 3), "subject_name": "某某公司", "credit_code": None,
              "action_type": "行政处罚", "industry": code_lists()["行业领域"][0], "result": None, "penalty_fen": None}
    with engine.begin() as connection:
        load_submission(connection, "admin_action", "420704", parse_period("2020Q1"), [action])
        load_submission(connection, "admin_action", "420703", parse_period("2020Q1"), [action])
        load_submission(connection, "admin_action", "420703", parse_period("2019Q1"), [])  # 零报告
    forms, _ = case_statistics_forms(engine, quarter_period(2020, 1))
    form = forms[""]
    write_csv(form, tmp_path / "f.csv")
    import csv
    import io
    table = list(csv.reader(io.StringIO((tmp_path / "f.csv").read_bytes().decode("utf-8-sig"))))
    rows = {row[1]: dict(zip(table[0], row, strict=False)) for row in table[1:]}
    assert rows["鄂城区"]["立案数(件)·本年累计"] == "1"
    assert rows["鄂城区"]["立案数(件)·上年同期累计"] == "—"
    assert rows["鄂城区"]["立案数(件)·同比%"] == ""
    assert rows["华容区"]["立案数(件)·上年同期累计"] == "0"
    assert rows["合计"]["立案数(件)·上年同期累计"] == "0"  # one unit reported: a total of what was reported
    assert any("“—”表示比较基期无数据" in note for note in form.notes)
