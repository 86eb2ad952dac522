"""The statistics SQL against an independent Python count, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import insert

from chufei.warehouse import schema as warehouse
from chufei.core.periods import month_period
from chufei.statistics.cases import OVER_AMOUNT_FEN, case_statistics, growth_percent, unit_rows


def _random_cases(seed: int) -> list[dict]:
    rng = random.Random(seed)
    cases = []
    for n in range(400):
        filed = date(2017, 1, 1) + timedelta(days=rng.randint(0, 4 * 365))
        closed = filed + timedelta(days=rng.randint(10, 700)) if rng.random() < 0.5 else None
        cases.append({
            "unit_code": rng.choice(["420704", "420703", "D13"]), "case_no": f"C{n}", "submission_id": 1,
            "period_start": date(2020, 12, 1), "case_name": "案", "filed_date": filed, "handling_unit": "x",
            "industry": "其他", "amount_fen": rng.choice([rng.randint(0, 10**9), OVER_AMOUNT_FEN, OVER_AMOUNT_FEN - 1]),
            "participants": rng.choice([rng.randint(1, 3000), 1000, 999]), "cross_region": rng.random() < 0.3,
            "stage": "结案" if closed else "侦查", "is_old_case": filed.year < 2020, "closed_date": closed})
    return cases


def _expected(cases, unit, start, end, year_start):
    mine = [c for c in cases if c["unit_code"] == unit]
    new = [c for c in mine if start <= c["filed_date"] < end]
    return {
        "new_cases": len(new),
        "amount_fen": sum(c["amount_fen"] for c in new),
        "participants": sum(c["participants"] for c in new),
        "cross_region_cases": sum(c["cross_region"] for c in new),
        "over_100m_cases": sum(c["amount_fen"] >= 100_000_000 * 100 for c in new),
        "over_1000_cases": sum(c["participants"] >= 1000 for c in new),
        "old_cases_closed": sum(1 for c in mine if c["filed_date"] < year_start and c["closed_date"]
                                and start <= c["closed_date"] < end),
    }


def test_case_figures_match_an_independent_count(engine):
    cases = _random_cases(7)
    with engine.begin() as connection:
        connection.execute(insert(warehouse.case_current), cases)
        warehouse.refresh_case_facts(connection)  # written directly, so its monthly facts too
    period = month_period(2020, 6)
    with engine.connect() as connection:
        figures = case_statistics(connection, period)
    by_unit = figures.collapsed(0)

    def actual(span, unit, expected):
        return {key: span.get((unit, ""), {}).get(key, 0) for key in expected}

    for unit in ("420704", "420703", "D13"):
        for span, (start, end, year_start) in (
                (by_unit.current, (period.start, period.end, period.year_start)),
                (by_unit.year_to_date, (date(2020, 1, 1), period.end, date(2020, 1, 1))),
                (by_unit.last_year_to_date, (date(2019, 1, 1), date(2019, 7, 1), date(2019, 1, 1)))):
            expected = _expected(cases, unit, start, end, year_start)
            assert actual(span, unit, expected) == expected
    rows = unit_rows(figures)
    total = rows[-1]
    assert total[1] == "合计"
    for column in range(len(total[2])):
        if column % 5 < 3:  # 本期, 本年累计, 上年同期累计 are additive; 同比% and 环比% are not
            assert total[2][column] == sum(row[2][column] for row in rows[:-1])


def test_growth_percent():
    assert growth_percent(12, 10) == Decimal("20.00")
    assert growth_percent(1, 3) == Decimal("-66.67")
    assert growth_percent(5, 0) is None
