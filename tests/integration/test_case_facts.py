"""The monthly case facts (case_month_fact) and the schema upgrade that adds them, on SQLite and
PostgreSQL: the facts equal sums computed in plain Python from the generated cases, a reload
replaces them, and an old-shape warehouse gets its missing indexes and facts from
``ensure_schema`` with every figure unchanged."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date

from sqlalchemy import delete, func, inspect, select

from chufei import warehouse
from chufei.case_reports import case_statistics_forms
from chufei.periods import month_period, quarter_period, year_period
from tests.integration.test_case_statistics import FIGURES, as_number, cells, expected_figures
from tests.statsfacts import case_row, generate, load_facts, load_submission

FACT_COLUMNS = ("new_cases", "amount_fen", "participants", "cross_region_cases", "over_100m_cases",
                "over_1000_cases", "old_cases_closed", "closed_cases")


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


def stored_facts(engine) -> dict[tuple, dict[str, int]]:
    """The same sums from case_month_fact (over its source submissions)."""
    table = warehouse.case_month_fact
    out: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(FACT_COLUMNS, 0))
    with engine.connect() as connection:
        for row in connection.execute(select(table)).mappings():
            target = out[(row["unit_code"], row["industry"], row["month_start"])]
            for name in FACT_COLUMNS:
                target[name] += row[name]
    return dict(out)


def test_monthly_facts_equal_the_cases_and_follow_a_reload(engine):
    cases, actions = generate(seed=23)
    load_facts(engine, cases, actions)
    assert stored_facts(engine) == expected_facts(cases)

    # A unit's corrected ledger replaces its facts: one case gone, one amount changed.
    unit = cases[0].unit_code
    mine = [c for c in cases if c.unit_code == unit]
    changed = replace(mine[1], amount_fen=mine[1].amount_fen + 123)
    kept = [c for c in cases if c.unit_code != unit] + [changed] + mine[2:]
    with engine.begin() as connection:
        load_submission(connection, "case_ledger", unit, month_period(2020, 12),
                        [case_row(c) for c in [changed] + mine[2:]])
    assert stored_facts(engine) == expected_facts(kept)


OLD_INDEXES = {  # indexes a warehouse created before they were declared does not have
    "case_current": {"ix_case_current_filed", "ix_case_current_closed"},
    "admin_action_row": {"ix_admin_action_row_date"},
    "risk_warning_row": {"ix_risk_warning_row_date"},
    "report_reward_row": {"ix_report_reward_row_received", "ix_report_reward_row_paid"},
}
PERIODS = [month_period(2020, 1), month_period(2020, 7), quarter_period(2020, 3), year_period(2020)]


def _index_names(connection, table: str) -> set[str]:
    return {index["name"] for index in inspect(connection).get_indexes(table)}


def test_ensure_schema_upgrades_an_old_warehouse_without_changing_a_figure(engine):
    cases, actions = generate(seed=29)
    load_facts(engine, cases, actions)
    before = {p.key: case_statistics_forms(engine, p)[0] for p in PERIODS}

    # Make it the shape of a version-1 warehouse: no monthly facts, no year cache, no date indexes.
    with engine.begin() as connection:
        for table, names in OLD_INDEXES.items():
            for index in warehouse.metadata.tables[table].indexes:
                if index.name in names:
                    index.drop(connection)
        warehouse.case_month_fact.drop(connection)
        warehouse.old_case_year.drop(connection)
        connection.execute(delete(warehouse.schema_version).where(warehouse.schema_version.c.version > 1))
    with engine.connect() as connection:
        assert not inspect(connection).has_table("case_month_fact")
        for table, names in OLD_INDEXES.items():
            assert not names & _index_names(connection, table)

    assert warehouse.ensure_schema(engine) == warehouse.SCHEMA_VERSION == 2
    with engine.connect() as connection:
        for table, names in OLD_INDEXES.items():
            assert names <= _index_names(connection, table), table
        assert {"ix_case_month_fact_month", "ix_case_month_fact_unit"} <= _index_names(connection, "case_month_fact")
        assert connection.execute(select(func.max(warehouse.schema_version.c.version))).scalar() == 2
    assert stored_facts(engine) == expected_facts(cases)

    after = {p.key: case_statistics_forms(engine, p)[0] for p in PERIODS}
    for period in PERIODS:
        assert set(after[period.key]) == set(before[period.key])
        for suffix, form in after[period.key].items():
            assert form.rows == before[period.key][suffix].rows, (period.key, suffix)
        total = cells(after[period.key][""], period.kind)
        expected = expected_figures(cases, actions, period.start, period.end, lambda unit, industry: True)
        for figure in FIGURES:
            assert as_number(total[("合计", figure, "本期")]) == expected[figure], (period.key, figure)

    # Once upgraded, calling it again (as every task does) changes nothing.
    assert warehouse.ensure_schema(engine) == 2
    assert stored_facts(engine) == expected_facts(cases)
