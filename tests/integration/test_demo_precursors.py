"""The demo's planted precursors: the documented share of cases, every clue before its case's
立案日期, decoys that are never a case, and every planted clue accepted by the real grid ingest."""

from __future__ import annotations

from datetime import date

from chufei.core.units import unit_by_code
from chufei.ingest.grid import ingest_grid_files
from demo.generate import generate_cases
from demo.inflows import write_grid_csv
from demo.precursors import (DECOYS_PER_DISTRICT, PLANTED_FROM, PLANTED_SHARE, case_subject, decoys,
                             planted_precursors, precursor_clue_rows)

CASES = generate_cases(2020, 2020)


def test_the_planted_share_of_eligible_cases_gets_clues_before_filing():
    eligible = [c for c in CASES if unit_by_code(c.unit_code).kind == "territorial"
                and date(2020, *PLANTED_FROM) <= c.filed <= date(2020, 12, 31)]
    planted = planted_precursors(CASES, 2020, 2020)
    assert planted == planted_precursors(CASES, 2020, 2020)  # seeded: the same on every run
    assert abs(len(planted) / len(eligible) - PLANTED_SHARE) < 0.15
    by_case = {c.case_no: c for c in CASES}
    for plant in planted:
        case = by_case[plant.case_no]
        assert plant.subject == case_subject(case.name)
        assert plant.district == case.unit_code
        assert len(plant.clue_days) >= 3
        assert all(date(2020, 1, 1) <= d < case.filed for d in plant.clue_days)
        assert plant.ledger_found is None or plant.ledger_found < case.filed
        assert plant.advert_day is None or (plant.advert_day < case.filed and 5 <= plant.advert_day.month <= 9)
    subjects = {case_subject(c.name) for c in CASES}
    fakes = decoys(CASES, 2020, 2020)
    assert len(fakes) == 5 * DECOYS_PER_DISTRICT
    assert not {d.subject for d in fakes} & subjects


def test_every_planted_clue_is_accepted_by_the_grid_ingest(engine, data):
    rows = precursor_clue_rows(CASES, 2020, 2020)
    write_grid_csv(data.inbox("grid_reports") / "重点主体.csv", rows, "utf-8-sig")
    summary = ingest_grid_files(engine, data)
    assert summary["rows_rejected"] == 0
    assert summary["new_versions"] == len(rows)
