"""The monthly case and action facts (case_month_fact, admin_action_month_fact), on SQLite and
PostgreSQL: the facts equal sums computed in plain Python from the generated cases and actions,
and a reload replaces them. (A warehouse from before the facts gets them when it is upgraded:
tests/integration/test_warehouse_migrations.py.)"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from chufei.warehouse import schema as warehouse
from chufei.core.periods import month_period, parse_period, quarter_period, year_period
from chufei.statistics.cases import case_sources
from tests.forms import FIGURES, expected_figures
from tests.statsfacts import case_row, generate, load_facts, load_submission

FACT_COLUMNS = ("new_cases", "amount_fen", "participants", "cross_region_cases", "over_100m_cases",
                "over_1000_cases", "old_cases_closed", "closed_cases")
ACTION_COLUMNS = ("filed_cases", "admin_actions")


def expected_facts(cases) -> dict[tuple, dict[str, int]]:
    """(unit, 行业领域, first day of month) → the month's sums, straight from the generated cases."""
    out: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(FACT_COLUMNS, 0))
    for c in cases:
        filed = out[(c.unit_code, c.industry, date(c.filed.year, c.filed.month, 1))]
        filed["new_cases"] += 1
        filed["amount_fen"] += c.amount_fen
        filed["participants"] += c.participants
        filed["cross_region_cases"] += c.cross_region
        filed["over_100m_cases"] += c.amount_fen >= 10_000_000_000
        filed["over_1000_cases"] += c.participants >= 1000
        if c.closed:
            closed = out[(c.unit_code, c.industry, date(c.closed.year, c.closed.month, 1))]
            closed["closed_cases"] += 1
            closed["old_cases_closed"] += c.filed.year < c.closed.year
    return dict(out)


def expected_action_facts(actions) -> dict[tuple, dict[str, int]]:
    """(unit, 行业领域, first day of month) → 立案数 and 行政处置数, one per (unit, day, subject, type)."""
    out: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(ACTION_COLUMNS, 0))
    for a in {(a.unit_code, a.day, a.subject, a.action_type): a for a in actions}.values():
        target = out[(a.unit_code, a.industry, date(a.day.year, a.day.month, 1))]
        target["admin_actions"] += 1
        target["filed_cases"] += a.action_type == "行政处罚"
    return dict(out)


def stored_facts(engine, table=None, columns=FACT_COLUMNS) -> dict[tuple, dict[str, int]]:
    """The same sums from case_month_fact (over its source submissions) or another fact table."""
    table = warehouse.case_month_fact if table is None else table
    out: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(columns, 0))
    with engine.connect() as connection:
        for row in connection.execute(select(table)).mappings():
            target = out[(row["unit_code"], row["industry"], row["month_start"])]
            for name in columns:
                target[name] += row[name]
    return dict(out)


def stored_action_facts(engine) -> dict[tuple, dict[str, int]]:
    return stored_facts(engine, warehouse.admin_action_month_fact, ACTION_COLUMNS)


def test_monthly_facts_equal_the_cases_and_follow_a_reload(engine):
    cases, actions = generate(seed=23)
    load_facts(engine, cases, actions)
    assert stored_facts(engine) == expected_facts(cases)
    assert stored_action_facts(engine) == expected_action_facts(actions)

    # A unit's corrected ledger replaces its facts: one case gone, one amount changed.
    unit = cases[0].unit_code
    mine = [c for c in cases if c.unit_code == unit]
    changed = replace(mine[1], amount_fen=mine[1].amount_fen + 123)
    kept = [c for c in cases if c.unit_code != unit] + [changed] + mine[2:]
    with engine.begin() as connection:
        load_submission(connection, "case_ledger", unit, month_period(2020, 12),
                        [case_row(c) for c in [changed] + mine[2:]])
    assert stored_facts(engine) == expected_facts(kept)

    # A unit's corrected action list for a quarter replaces that quarter's actions in its facts.
    first = actions[0]
    quarter = f"{first.day.year}Q{(first.day.month - 1) // 3 + 1}"
    same_quarter = [a for a in actions if a.unit_code == first.unit_code
                    and f"{a.day.year}Q{(a.day.month - 1) // 3 + 1}" == quarter]
    extra = replace(first, subject="追加处置对象", action_type="行政处罚")
    with engine.begin() as connection:
        load_submission(connection, "admin_action", first.unit_code, parse_period(quarter), [
            {"action_date": a.day, "subject_name": a.subject, "credit_code": None, "action_type": a.action_type,
             "industry": a.industry, "result": None, "penalty_fen": None} for a in same_quarter[1:] + [extra]])
    remaining = [a for a in actions if a is not same_quarter[0]] + [extra]
    assert stored_action_facts(engine) == expected_action_facts(remaining)


PERIODS = [month_period(2020, 1), month_period(2020, 7), quarter_period(2020, 3), year_period(2020)]


def test_package_sources_are_the_files_whose_rows_fall_in_the_periods(engine):
    cases, actions = generate(seed=31)
    load_facts(engine, cases, actions)
    with engine.connect() as connection:
        files = {(row.dataset, row.unit_code, row.period_key): row.file_sha256 for row in connection.execute(
            select(warehouse.submission).where(warehouse.submission.c.is_current.is_(True)))}
    for period in PERIODS + [month_period(2020, 12)]:
        last = period.shift_years(-1)
        ranges = [(period.year_start, period.end), (last.year_start, last.end)]
        if period.kind == "month":
            ranges.append((period.previous().start, period.previous().end))

        def within(day) -> bool:
            return day is not None and any(start <= day < end for start, end in ranges)  # noqa: B023 - used at once, inside the loop

        expected = {files[("case_ledger", c.unit_code, "2020-12")] for c in cases if within(c.filed) or within(c.closed)}
        expected |= {files[("admin_action", a.unit_code, f"{a.day.year}Q{(a.day.month - 1) // 3 + 1}")]
                     for a in actions if within(a.day)}
        with engine.connect() as connection:
            assert case_sources(connection, period) == sorted(expected), period.key


def test_ranges_that_are_not_whole_months_are_read_from_the_rows(engine):
    """Every period is whole months (the facts); any other range still gets the same definitions."""
    from chufei.statistics.cases import case_figures, whole_months

    cases, actions = generate(seed=37)
    load_facts(engine, cases, actions)
    for start, end in ((date(2020, 3, 15), date(2020, 4, 10)), (date(2019, 2, 1), date(2019, 2, 20)),
                       (date(2020, 1, 1), date(2020, 12, 31))):
        year_start = date(start.year, 1, 1)
        assert not whole_months(start, end, year_start)
        with engine.connect() as connection:
            got = case_figures(connection, start, end, year_start)
        for unit in {c.unit_code for c in cases}:
            for industry in {c.industry for c in cases} | {a.industry for a in actions}:
                expected = expected_figures(cases, actions, start, end,
                                            lambda u, i, unit=unit, industry=industry: (u, i) == (unit, industry))
                values = got.get((unit, industry), {})
                for figure, key in zip(FIGURES, ("new_cases", "amount_fen", "participants", "filed_cases",
                                                 "admin_actions", "cross_region_cases", "over_100m_cases",
                                                 "over_1000_cases", "old_cases_closed"), strict=False):
                    value = values.get(key, 0)
                    if key == "amount_fen":
                        value = Decimal(value) / 1_000_000
                    assert value == expected[figure], (start, end, unit, industry, figure)
