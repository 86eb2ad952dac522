"""The backtest on a small warehouse history, on SQLite and PostgreSQL: a case whose subject was
reported by grid workers before 立案日期 is found by chufei and by the naive baseline, each with
the lead worked out by hand from the clue days and the weekly steps; a decoy is never a case."""

from __future__ import annotations

from datetime import date, datetime

from chufei.core.periods import month_period
from chufei.statistics.backtest import warehouse_backtest
from tests.early_warning_data import grid_clue, load_submission

FILED = date(2020, 4, 20)
CLUES = [(date(2020, 2, 5), "G1"), (date(2020, 2, 19), "G2"), (date(2020, 3, 4), "G2")]  # 鑫源, before filing


def test_a_case_foreseen_by_its_clues_is_found_with_its_lead(engine):
    with engine.begin() as connection:
        for number, (day, grid) in enumerate(CLUES, 1):
            grid_clue(connection, f"WG{number:04d}", datetime.combine(day, datetime.min.time()).replace(hour=9),
                      "420704", grid, "鄂州鑫源投资管理有限公司", signs="承诺高额回报、发展下线", row_no=number)
        for number, day in enumerate((date(2020, 1, 8), date(2020, 1, 15), date(2020, 1, 22)), 10):
            grid_clue(connection, f"WG{number:04d}", datetime.combine(day, datetime.min.time()).replace(hour=9),
                      "420704", "G9", "鄂州恒通商贸有限公司", signs="异常广告宣传", row_no=number)
        load_submission(connection, "case_ledger", "420704", month_period(2020, 4), [{
            "case_no": "C1", "case_name": "鄂城区鑫源投资管理有限公司非法吸收公众存款案", "filed_date": FILED,
            "handling_unit": "公安", "industry": "投资咨询", "amount_fen": 100, "participants": 3,
            "cross_region": False, "stage": "侦查", "recovered_fen": None, "unpaid_principal_fen": None,
            "repaid_fen": None, "repaid_people": None, "is_old_case": False, "closed_date": None}])

    result = warehouse_backtest(engine, start=date(2020, 1, 6), end=date(2020, 4, 27))
    chufei, naive, linear = result.methods
    assert chufei.cases == naive.cases == linear.cases == 1
    assert result.unresolved_cases == 0
    # chufei ranks 鑫源 from the first Monday on or after its first clue (2020-02-10); the naive
    # baseline from the Monday after its third clue (2020-03-09)
    assert (chufei.found, chufei.leads) == (1, ((FILED - date(2020, 2, 10)).days,))
    assert (naive.found, naive.leads) == (1, ((FILED - date(2020, 3, 9)).days,))
    # two entities checked by each; only 鑫源 became a case
    assert (chufei.checked, chufei.checked_confirmed) == (2, 1)
    assert (naive.checked, naive.checked_confirmed) == (2, 1)
