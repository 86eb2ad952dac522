"""Generated warehouse facts for the statistics tests, loaded with ``warehouse.replace_submission``.

The facts are plain Python objects, so tests compute the expected figures from them directly,
independently of the SQL and the report code under test.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import insert

from chufei.warehouse import schema as warehouse
from chufei.core.settings import code_lists
from chufei.kinds.registry import DATASETS
from chufei.core.periods import Period, month_period, parse_period
from chufei.core.units import units


@dataclass(frozen=True)
class Case:
    unit_code: str
    case_no: str
    industry: str
    filed: date
    amount_fen: int
    participants: int
    cross_region: bool
    closed: date | None
    unpaid_fen: int
    repaid_fen: int


@dataclass(frozen=True)
class Action:
    unit_code: str
    day: date
    subject: str
    action_type: str
    industry: str


def _day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, (last - first).days))


def generate(seed: int = 7, year: int = 2020) -> tuple[list[Case], list[Action]]:
    rng = random.Random(seed)
    industries = code_lists()["行业领域"]
    unit_codes = [u.code for u in units()][:7]
    cases, actions = [], []
    for unit_code in unit_codes:
        for number in range(rng.randint(4, 9)):
            filed = _day(rng, date(year - 4, 1, 1), date(year, 12, 31))
            closed = None
            if rng.random() < 0.5:
                closed = filed + timedelta(days=rng.randint(10, 700))
                if closed > date(year, 12, 31):
                    closed = None
            big = rng.random() < 0.15
            amount = (rng.randint(10_000, 30_000) if big else rng.randint(1, 5_000)) * 1_000_000 + rng.randint(0, 99)
            unpaid = amount * rng.randint(30, 90) // 100
            cases.append(Case(unit_code, f"{unit_code}-{filed.year}-{number:03d}", rng.choice(industries), filed,
                              amount, rng.choice([rng.randint(3, 400), rng.randint(1000, 3000)]),
                              rng.random() < 0.3, closed, unpaid,
                              rng.choice([0, unpaid // 3, unpaid])))
        for number in range(rng.randint(0, 6)):
            actions.append(Action(unit_code, _day(rng, date(year - 1, 1, 1), date(year, 12, 31)),
                                  f"某某公司{unit_code}{number}", rng.choice(code_lists()["处置方式"]),
                                  rng.choice(industries)))
    return cases, actions


def _file(connection, label: str) -> str:
    sha = hashlib.sha256(label.encode()).hexdigest()
    connection.execute(insert(warehouse.received_file), {
        "sha256": sha, "source": "submissions", "original_name": f"{label}.xlsx", "size_bytes": 1,
        "archive_path": f"{sha}.xlsx", "received_at": warehouse.now_utc(), "status": "accepted"})
    return sha


def load_submission(connection, dataset: str, unit_code: str, period: Period, rows: list[dict],
                    label: str | None = None) -> str:
    """Load ``rows`` (warehouse column names) as the current submission; returns the file sha."""
    digest = hashlib.sha256(repr(rows).encode()).hexdigest()[:12]
    sha = _file(connection, label or f"{dataset}-{unit_code}-{period.key}-{digest}")
    warehouse.replace_submission(connection, DATASETS[dataset], unit_code, period.key, period.start, period.end,
                                 sha, {}, list(enumerate(rows, 1)))
    return sha


def case_row(case: Case, **changes) -> dict:
    row = {"case_no": case.case_no, "case_name": f"{case.case_no}案", "filed_date": case.filed,
           "handling_unit": "公安", "industry": case.industry, "amount_fen": case.amount_fen,
           "participants": case.participants, "cross_region": case.cross_region,
           "stage": "结案" if case.closed else "侦查", "recovered_fen": None,
           "unpaid_principal_fen": case.unpaid_fen, "repaid_fen": case.repaid_fen, "repaid_people": None,
           "is_old_case": case.filed.year < 2020, "closed_date": case.closed}
    return {**row, **changes}


def load_facts(engine, cases: list[Case], actions: list[Action], year: int = 2020) -> None:
    """One cumulative December ledger per unit, and one admin-action list per unit and quarter."""
    with engine.begin() as connection:
        for unit_code in sorted({c.unit_code for c in cases}):
            load_submission(connection, "case_ledger", unit_code, month_period(year, 12),
                            [case_row(c) for c in cases if c.unit_code == unit_code])
        by_quarter: dict[tuple[str, str], list[Action]] = {}
        for action in actions:
            key = f"{action.day.year}Q{(action.day.month - 1) // 3 + 1}"
            by_quarter.setdefault((action.unit_code, key), []).append(action)
        for (unit_code, key), items in sorted(by_quarter.items()):
            load_submission(connection, "admin_action", unit_code, parse_period(key), [
                {"action_date": a.day, "subject_name": a.subject, "credit_code": None, "action_type": a.action_type,
                 "industry": a.industry, "result": None, "penalty_fen": None} for a in items])
