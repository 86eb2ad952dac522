"""Every GX suite runs (no expectation errors out silently) and its date bounds really bite."""

from __future__ import annotations

from chufei.validate.validation import load_suite_spec

from datetime import date

import pytest

from chufei.kinds.registry import DATASETS
from chufei.validate.validation import RowOutcome, run_suite

SAMPLE = {"text": "鄂州某某有限公司", "choice": None, "date": date(2020, 5, 1), "amount_wan": 1_000_000,
          "amount_yuan": 100_000, "count": 3, "flag": True}


def _row(dataset, **overrides) -> dict:
    values = {c.name: SAMPLE[c.kind] for c in dataset.columns}
    values.update({c.name: "其他" if "其他" in _codes(c) else _codes(c)[0] for c in dataset.columns if c.choices})
    values.update(overrides)
    return values


def _codes(column) -> list[str]:
    from chufei.core.settings import code_lists

    return code_lists()[column.choices]


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_suite_covers_required_columns_and_runs_cleanly(name):
    dataset = DATASETS[name]
    spec = load_suite_spec(name)  # named ranges filled in (chufei.kinds.ranges)
    assert spec["name"] == name
    not_null = {e["kwargs"]["column"] for e in spec["expectations"] if e["type"] == "expect_column_values_to_not_be_null"}
    assert not_null == {c.name for c in dataset.columns if c.required}
    assert all(e["meta"]["message"] for e in spec["expectations"])
    blank = {c.name: None for c in dataset.columns}
    # run_suite raises when an expectation cannot run; a blank row fails exactly the required columns
    failures = run_suite(dataset, [RowOutcome(6, {}, _row(dataset)), RowOutcome(7, {}, blank)])
    assert {column for row, column, _ in failures if row == 7} == not_null
    assert [f for f in failures if f[0] == 6] == []


@pytest.mark.parametrize(("name", "column", "early"), [("case_ledger", "filed_date", date(1989, 12, 31)),
                                                  ("old_case_progress", "filed_date", date(1989, 12, 31)),
                                                  ("risk_ledger", "found_date", date(1999, 12, 31)),
                                                  ("report_reward", "received_date", date(1999, 12, 31))])
def test_date_lower_bounds_reject_implausible_dates(name, column, early):
    dataset = DATASETS[name]
    failures = run_suite(dataset, [RowOutcome(6, {}, _row(dataset, **{column: early}))])
    assert [(row, col) for row, col, _ in failures] == [(6, column)]
