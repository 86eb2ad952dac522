"""The backtest's figures on a hand-made history: which case was found within the budget, with
which lead, and what the baselines do with the same days."""

from __future__ import annotations

from datetime import date, timedelta

from chufei.statistics.backtest import (SYNTHETIC_NOTE, Case, History, backtest_settings, chufei_method, replay,
                                        run_backtest, step_days, table)

SETTINGS = backtest_settings()
START, END = date(2020, 1, 6), date(2020, 12, 28)


class Scores:
    """A scorer: entity → (district, first day warned, band, score, indicator); nothing before that day."""

    def __init__(self, warnings):
        self.warnings = warnings
        self.days = []

    def __call__(self, as_of):
        self.days.append(as_of)
        return [{"entity_id": e, "district": d, "score": s if as_of >= since else 0, "band": b if as_of >= since else None,
                 "clues": c if as_of >= since else 0}
                for e, (d, since, b, s, c) in self.warnings.items()]


def test_recall_counts_a_case_only_when_its_entity_was_checked_before_filing():
    warnings = {
        "A": ("420704", date(2020, 3, 2), "红", 90.0, 4),  # checked 3-02, filed 5-01: lead 60
        "B": ("420704", date(2020, 6, 1), "橙", 70.0, 3),  # warned after filing 5-15: not found
        "C": ("420703", date(2020, 2, 3), "黄", 50.0, 2),  # checked 2-03, filed 2-24: lead 21
        "D": ("420703", date(2020, 2, 3), "蓝", 20.0, 1),  # no case, but a ledger entry in July
    }
    history = History(cases=[Case("K1", "420704", date(2020, 5, 1), "A"), Case("K2", "420704", date(2020, 5, 15), "B"),
                             Case("K3", "420703", date(2020, 2, 24), "C"), Case("K4", "420702", date(2020, 8, 1), None)],
                      ledger_found={"D": [date(2020, 7, 1)]},
                      clue_days={"A": [(date(2020, 1, 10) + timedelta(days=k), "420704") for k in range(3)],
                                 "C": [(date(2020, 1, 10), "420703")]})
    scorer = Scores(warnings)
    result = run_backtest(scorer, history, START, END)
    chufei, naive, linear = result.methods
    assert scorer.days == step_days(START, END, "week")  # one score per step: the index reuses it
    assert (chufei.cases, chufei.found, chufei.leads) == (3, 2, (21, 60))
    assert chufei.warned_before == 2
    assert result.unresolved_cases == 1
    assert chufei.lead_quartiles[1] == 40.5
    assert (chufei.checked, chufei.checked_confirmed) == (4, 3)  # A and C by their cases, D by its ledger entry; B was filed before
    assert (chufei.severe, chufei.severe_confirmed) == (2, 1)  # A filed after its 红; B's 橙 came after filing
    # the naive baseline warns A alone (three clues in the past year), from the first Monday after them
    assert (naive.found, naive.leads) == (1, ((date(2020, 5, 1) - date(2020, 1, 13)).days,))
    assert result.first_warnings["K1"] == {"chufei": date(2020, 3, 2), "naive": date(2020, 1, 13),
                                           "linear": date(2020, 3, 2)}
    printed = table(result)
    assert "预算内召回率" in printed
    assert "66.7%（2/3）" in printed
    assert "合成数据" not in printed  # a real history's table does not call itself synthetic
    assert table(result, SYNTHETIC_NOTE).endswith(SYNTHETIC_NOTE)


def test_an_unbanded_entity_is_checked_when_the_budget_has_room():
    history = History(cases=[Case("K1", "420704", date(2020, 3, 1), "A")])
    result = run_backtest(Scores({"A": ("420704", date(2020, 1, 6), None, 12.0, 1)}), history, START, END)
    chufei = result.methods[0]
    assert (chufei.warned_before, chufei.found, chufei.leads) == (0, 1, ((date(2020, 3, 1) - date(2020, 1, 6)).days,))


def test_the_budget_caps_new_checks_per_district_and_month():
    many = {f"E{n:02d}": ("420704", date(2020, 1, 6), "红", 100.0 - n, 1) for n in range(25)}
    days = step_days(date(2020, 1, 1), date(2020, 3, 31), "week")
    (run,) = replay({"chufei": chufei_method(Scores(many))}, days, budget=10).values()
    by_month = {}
    for entity, day in run.checked.items():
        by_month.setdefault(day.month, []).append(entity)
    # highest scores first, ten a month, nobody checked twice
    assert by_month == {1: [f"E{n:02d}" for n in range(10)], 2: [f"E{n:02d}" for n in range(10, 20)],
                        3: [f"E{n:02d}" for n in range(20, 25)]}
