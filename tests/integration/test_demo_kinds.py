"""The demo's submissions of every kind load as intended: exactly the planted faulty rows are rejected."""

from __future__ import annotations

import json
from collections import Counter

from stdnum.cn import uscc

from chufei.kinds.registry import DATASETS
from demo.generate import write_demo_inbox
from chufei.ingest.submissions import ingest_submissions, sha256_of
from chufei.kinds.obligations import obligated_units


def test_obligations_follow_the_documented_assumptions():
    names = {name: {u.name for u in obligated_units(name)} for name in DATASETS}
    territorial = {"鄂城区", "华容区", "梁子湖区", "葛店开发区", "临空经济区"}
    assert names["risk_warning"] == territorial == names["old_case_progress"]
    assert len(names["risk_ledger"]) == len(names["publicity"]) == len(names["case_ledger"]) == 20
    assert names["report_reward"] == territorial | {"市公安局", "地方金融局"}
    assert names["admin_action"] == territorial | {"人行", "银保监分局", "市场监管局", "地方金融局"}


def test_demo_other_kinds_load_with_exactly_the_planted_faults(engine, data):
    demo = write_demo_inbox(data, unit_codes=["420704", "D15"], months=[1, 5, 7, 10], other_kinds=True)
    kinds = Counter(f.dataset for f in demo.other_kinds)
    # 420704 owes every kind; 地方金融局 (D15) owes risk ledger, report reward, admin action, publicity
    # months 1, 5, 7, 10 touch every quarter and both halves
    assert kinds == {"old_case_progress": 4, "risk_ledger": 2 * 2, "report_reward": 2 * 4, "risk_warning": 4,
                     "admin_action": 2 * 4, "publicity": 2 * 4}
    faulty = {(f.dataset, f.period_key): reason for f in demo.other_kinds for reason in f.faulty.values()}
    assert sorted(faulty) == [("admin_action", "2020Q1"), ("old_case_progress", "2020-05"),
                              ("publicity", "2020Q4"), ("report_reward", "2020Q2"),
                              ("risk_ledger", "2020H1"), ("risk_warning", "2020Q3")]
    for kind_file in demo.other_kinds:
        for row in kind_file.rows:
            code = row.get("统一社会信用代码")
            if code and kind_file.faulty.get(kind_file.rows.index(row)) is None:
                assert uscc.is_valid(code)
    digests = {kind_file.path: sha256_of(kind_file.path) for kind_file in demo.other_kinds}
    ingest_submissions(engine, data)
    for kind_file in demo.other_kinds:
        receipt = json.loads((data.receipts / f"{digests[kind_file.path]}.json").read_text(encoding="utf-8"))
        assert receipt["dataset"] == kind_file.dataset
        assert receipt["period"] == kind_file.period_key
        rejected_rows = sorted({e["row"] for e in receipt["errors"]})
        assert rejected_rows == [6 + index for index in sorted(kind_file.faulty)], \
            (kind_file.path.name, receipt["errors"])
        assert receipt["counts"]["accepted"] == len(kind_file.rows) - len(kind_file.faulty), kind_file.path.name
