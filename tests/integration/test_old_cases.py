"""Old-case disposal (陈案): stock on 1 January, resolved to date, decline and 清退率, checked
against figures computed directly from the generated facts."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from chufei.outbox.case_reports import case_statistics_forms
from chufei.core.periods import month_period, year_period
from chufei.core.units import units
from tests.statsfacts import generate, load_facts


def pct(part, whole):
    return None if not whole else (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def test_old_case_disposal_figures(engine):
    cases, actions = generate(seed=11)
    load_facts(engine, cases, actions)
    names = {u.code: u.name for u in units()}
    for period in (month_period(2020, 5), month_period(2020, 12), year_period(2020)):
        forms, _ = case_statistics_forms(engine, period)
        summary = {row[1]: row for row in forms["_old_cases"].rows}
        for code, name in [*names.items(), (None, "合计")]:
            mine = [c for c in cases if code is None or c.unit_code == code]
            stock = [c for c in mine if c.filed < date(2020, 1, 1) and (c.closed is None or c.closed >= date(2020, 1, 1))]
            resolved = [c for c in stock if c.closed and c.closed < period.end]
            payouts = [c for c in mine if c.filed < date(2019, 1, 1)]
            unpaid, repaid = sum(c.unpaid_fen for c in payouts), sum(c.repaid_fen for c in payouts)
            decline = pct(len(resolved), len(stock))
            assert summary[name][2:] == [
                len(stock), len(resolved), len(stock) - len(resolved), decline,
                "—" if decline is None else ("达标" if decline >= 50 else "未达标"),
                len(payouts), unpaid, repaid, pct(repaid, unpaid),
                sum(1 for c in payouts if c.repaid_fen >= c.unpaid_fen)], (period.key, name)
        # 本年化解 equals the 本年累计 of 存量(陈案)办结数 on the main form.
        main = forms[""]
        column = next(i for i, c in enumerate(main.columns)
                      if c.group.startswith("存量(陈案)办结数") and c.label == "本年累计")
        assert main.rows[-1][column] == summary["合计"][3]
        if period.kind != "year":
            assert "_old_case_payouts" not in forms  # the case list is annual
            continue
        listing = forms["_old_case_payouts"].rows
        expected = sorted((c.unit_code, c.case_no) for c in cases if c.filed < date(2019, 1, 1))
        assert [row[0] for row in listing[:-1]] == [case_no for _, case_no in expected]
        assert listing[-1][4:7] == [sum(c.unpaid_fen for c in cases if c.filed < date(2019, 1, 1)),
                                   sum(c.repaid_fen for c in cases if c.filed < date(2019, 1, 1)),
                                   summary["合计"][10]]
    quarter_forms, _ = case_statistics_forms(engine, year_period(2020).months()[0])
    assert "_old_cases" in quarter_forms


def test_late_old_case_data_is_not_hidden_by_the_year_cache(engine):
    cases, actions = generate(seed=11)
    load_facts(engine, cases, actions)
    period = month_period(2020, 5)
    before = {row[1]: row for row in case_statistics_forms(engine, period)[0]["_old_cases"].rows}["合计"]
    from tests.statsfacts import Case, case_row, load_submission
    unit = cases[0].unit_code
    late = Case(unit, "LATE-2016", "其他", date(2016, 5, 5), 10_000_000, 20, False, None, 4_000_000, 1_000_000)
    with engine.begin() as connection:
        load_submission(connection, "case_ledger", unit, month_period(2020, 12),
                        [case_row(c) for c in cases if c.unit_code == unit] + [case_row(late)])
    after = {row[1]: row for row in case_statistics_forms(engine, period)[0]["_old_cases"].rows}["合计"]
    assert after[2] == before[2] + 1  # 年初陈案存量
    assert after[7] == before[7] + 1
    assert after[8] == before[8] + 4_000_000
    assert after[9] == before[9] + 1_000_000


def test_the_annual_lists_planner_setting_is_its_own(engine):
    """The annual list's query is planned with PostgreSQL's random_page_cost of a warehouse in
    memory; the statements after it on the same connection are planned as before."""
    from sqlalchemy import text

    from chufei.statistics.old_cases import old_case_facts

    cases, actions = generate(seed=11)
    load_facts(engine, cases, actions)
    with engine.connect() as connection:
        postgresql = connection.dialect.name == "postgresql"
        before = connection.execute(text("SHOW random_page_cost")).scalar() if postgresql else None
        listed = old_case_facts(connection)
        after = connection.execute(text("SHOW random_page_cost")).scalar() if postgresql else None
    assert listed
    assert [(case.unit_code, case.case_no) for case in listed] == sorted(
        (case.unit_code, case.case_no) for case in listed)
    assert after == before
