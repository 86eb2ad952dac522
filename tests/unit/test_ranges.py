"""One range per measure: the suites' bounds, the rules and the messages agree (0–1000 亿元 means
1000 亿元 in every kind), whatever kind a figure arrives in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chufei.core.settings import EXPECTATIONS_DIR
from chufei.kinds.registry import DATASETS
from chufei.kinds.ranges import RANGES
from chufei.kinds.templates import write_submission
from chufei.read.workbook import read_workbook
from chufei.validate.validation import load_suite_spec, validate

YI_FEN = 10 ** 8 * 100  # 1 亿元 in 分


def test_every_range_in_every_suite_comes_from_the_one_definition():
    for path in sorted(EXPECTATIONS_DIR.glob("*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))["expectations"]
        for expectation in raw:
            message = (expectation.get("meta") or {}).get("message") or ""
            assert "超出合理范围" not in message, f"{path.name}: a range spelt out instead of named: {message}"
        for expectation in load_suite_spec(path.stem)["expectations"]:
            if "range" in expectation["meta"]:
                bounds = RANGES[expectation["meta"]["range"]]
                assert (expectation["kwargs"]["min_value"], expectation["kwargs"]["max_value"]) == \
                    (bounds.minimum, bounds.maximum)
                assert bounds.text() in expectation["meta"]["message"]


def test_the_amount_range_reads_as_it_is():
    assert RANGES["amount_wan"].maximum == 1000 * YI_FEN
    assert RANGES["amount_wan"].text() == "0–1000 亿元"
    assert RANGES["people"].text() == "0–1000 万人"
    assert RANGES["reward_yuan"].text() == "0–100 万元"


def _amounts(name: str, column: str) -> list[tuple[str, int]]:
    suite = load_suite_spec(name)["expectations"]
    return [(e["kwargs"]["column"], e["kwargs"]["max_value"]) for e in suite
            if e["kwargs"].get("column") == column and "range" in e["meta"]]


@pytest.mark.parametrize(("name", "column"), [("case_ledger", "amount_fen"), ("grid_report", "amount_fen"),
                                              ("risk_ledger", "amount_fen"), ("old_case_progress", "unpaid_principal_fen"),
                                              ("admin_action", "penalty_fen")])
def test_every_kind_caps_amounts_at_1000_yi(name, column):
    assert _amounts(name, column) == [(column, 1000 * YI_FEN)]


RISK = {"主体名称": "某主体", "主体类型": "自然人", "行业领域": "养老服务", "线索来源": "群众举报", "发现日期": "2020-04-02",
        "风险表现": "预售床位", "风险等级": "中", "责任单位": "人行", "责任人": "李建国", "是否化解": "否"}


def test_a_risk_ledger_amount_of_500_yi_is_accepted_and_1001_yi_refused_with_the_same_bound(tmp_path: Path):
    path = write_submission(tmp_path / "r.xlsx", DATASETS["risk_ledger"], "人行", "2020年6月20日", [
        dict(RISK, 主体名称="甲", **{"涉及金额(万元)": "500亿"}), dict(RISK, 主体名称="乙", **{"涉及金额(万元)": "1001亿"})])
    result = validate(read_workbook(path))
    assert [o.row for o in result.valid] == [6]
    [issue] = result.rejected[0].issues
    assert issue.message == "涉及金额超出合理范围（0–1000 亿元），请核实单位是否为万元"
