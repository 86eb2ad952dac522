"""The rules GX cannot express, one kind at a time (no GX, no database: fast)."""

from __future__ import annotations

from datetime import date

import pytest
from stdnum.cn import ric, uscc

from chufei.core.periods import half_period, month_period, quarter_period
from chufei.kinds.admin_action import admin_action_rules
from chufei.kinds.old_case_progress import old_case_progress_rules
from chufei.kinds.publicity import publicity_rules
from chufei.kinds.report_reward import report_reward_rules
from chufei.kinds.risk_ledger import risk_ledger_rules
from chufei.kinds.risk_warning import risk_warning_rules
from chufei.kinds.rules import check_credit_code, check_id_number

GOOD_USCC = "91420700" + "MA4F0XK2" + "1"
GOOD_USCC += uscc.calc_check_digit(GOOD_USCC)
GOOD_RIC = "42070419850312001"
GOOD_RIC += ric.calc_check_digit(GOOD_RIC + "0")  # it expects a placeholder check digit


def _wrong_last(code: str, alphabet: str) -> str:
    return code[:-1] + next(c for c in alphabet if c != code[-1])


def test_credit_code_check_character():
    assert check_credit_code({"credit_code": GOOD_USCC}) == []
    values = {"credit_code": GOOD_USCC.lower()}
    assert check_credit_code(values) == []
    assert values["credit_code"] == GOOD_USCC
    assert check_credit_code({"credit_code": _wrong_last(GOOD_USCC, "0123456789")}) == \
        [("credit_code", "统一社会信用代码校验位错误（GB 32100-2015），请核对每一位")]
    assert check_credit_code({"credit_code": GOOD_USCC[:-1]}) == [("credit_code", "统一社会信用代码应为 18 位")]
    assert check_credit_code({"credit_code": None}) == []


def test_id_number_check_character():
    assert check_id_number({"id": GOOD_RIC}, "id", "举报人身份证号") == []
    assert check_id_number({"id": _wrong_last(GOOD_RIC, "0123456789X")}, "id", "举报人身份证号") == \
        [("id", "举报人身份证号校验位错误（GB 11643），请核对每一位")]
    bad_birth = "42070419851332001"
    bad_birth += ric.calc_check_digit(bad_birth + "0")
    assert check_id_number({"id": bad_birth}, "id", "举报人身份证号") == [("id", "举报人身份证号中的出生日期无效")]


H1 = half_period(2020, 1)
Q2 = quarter_period(2020, 2)


def test_risk_ledger_dates_and_resolution():
    base = {"subject_type": "自然人", "found_date": date(2020, 3, 1), "resolved": False, "resolved_date": None}
    assert risk_ledger_rules(dict(base), H1) == []
    assert [c for c, _ in risk_ledger_rules(dict(base, found_date=date(2020, 7, 1)), H1)] == ["found_date"]
    assert risk_ledger_rules(dict(base, resolved=True), H1) == \
        [("resolved_date", "“是否化解”为“是”时必须填写化解/销号日期")]
    assert [c for c, _ in risk_ledger_rules(dict(base, resolved_date=date(2020, 5, 1)), H1)] == ["resolved"]
    assert [c for c, _ in risk_ledger_rules(dict(base, subject_type="企业"), H1)] == ["credit_code"]


def test_report_reward_payment_rules():
    paid = {"received_date": date(2020, 4, 2), "is_valid": True, "is_paid": True, "reward_people": 1,
            "reward_fen": 50000, "paid_date": date(2020, 5, 2), "reporter_id_no": GOOD_RIC}
    assert report_reward_rules(dict(paid), Q2) == []
    assert {c for c, _ in report_reward_rules(dict(paid, reward_fen=None, paid_date=None), Q2)} == \
        {"reward_fen", "paid_date"}
    assert [c for c, _ in report_reward_rules(dict(paid, is_valid=False), Q2)] == ["is_paid"]
    unpaid = dict(paid, is_paid=False, reward_fen=None, reward_people=None, paid_date=None)
    assert report_reward_rules(dict(unpaid), Q2) == []
    assert [c for c, _ in report_reward_rules(dict(unpaid, reward_fen=100), Q2)] == ["reward_fen"]
    # an earlier report belongs here only when its reward was paid this quarter
    assert report_reward_rules(dict(paid, received_date=date(2020, 2, 1)), Q2) == []
    assert [c for c, _ in report_reward_rules(dict(unpaid, received_date=date(2020, 2, 1)), Q2)] == ["received_date"]
    assert [c for c, _ in report_reward_rules(dict(paid, paid_date=date(2020, 7, 1)), Q2)] == ["paid_date"]


def test_old_case_progress_only_holds_cases_filed_before_the_year():
    row = {"filed_date": date(2018, 5, 1), "resolved": True, "resolved_date": date(2020, 3, 9)}
    assert old_case_progress_rules(dict(row), month_period(2020, 3)) == []
    assert [c for c, _ in old_case_progress_rules(dict(row, filed_date=date(2020, 1, 5)), month_period(2020, 3))] \
        == ["filed_date"]
    assert [c for c, _ in old_case_progress_rules(dict(row), month_period(2020, 2))] == ["resolved_date"]


@pytest.mark.parametrize(("day", "ok"), [(date(2020, 4, 1), True), (date(2020, 6, 30), True),
                                     (date(2020, 3, 31), False), (date(2020, 7, 1), False)])
def test_event_lists_must_fall_inside_the_quarter(day, ok):
    assert (risk_warning_rules({"issued_date": day}, Q2) == []) is ok
    assert (publicity_rules({"event_date": day, "form": "宣讲"}, Q2) == []) is ok
    assert (admin_action_rules({"action_date": day, "action_type": "约谈劝导"}, Q2) == []) is ok


def test_penalty_only_for_administrative_penalties_and_leaflets_need_a_count():
    day = date(2020, 5, 5)
    assert admin_action_rules({"action_date": day, "action_type": "行政处罚", "penalty_fen": 10}, Q2) == []
    assert [c for c, _ in admin_action_rules({"action_date": day, "action_type": "约谈劝导", "penalty_fen": 10}, Q2)] \
        == ["penalty_fen"]
    assert [c for c, _ in publicity_rules({"event_date": day, "form": "发放资料", "materials": None}, Q2)] == ["materials"]
