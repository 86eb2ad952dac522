"""Row rules GX cannot express, for every submission kind except the case ledger's own.

Each rule takes one row's typed values and the submission's period and returns
``(column name, message)`` pairs; an empty list means the row passes. Identifier rules use
python-stdnum (GB 32100 统一社会信用代码 mod-31, GB 11643 身份证号 mod-11) and store the valid
code in its canonical form (upper case, no spaces). docs/datasets.md lists every rule.
"""

from __future__ import annotations

from datetime import date, timedelta
from collections.abc import Callable

from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric, uscc

from chufei.core.periods import Period

Problems = list[tuple[str, str]]


def _last_day(period: Period) -> date:
    return period.end - timedelta(days=1)


def check_credit_code(values: dict[str, object], column: str = "credit_code", label: str = "统一社会信用代码"
                      ) -> Problems:
    code = values.get(column)
    if code is None:
        return []
    try:
        values[column] = uscc.validate(str(code))
    except stdnum_errors.InvalidChecksum:
        return [(column, f"{label}校验位错误（GB 32100-2015），请核对每一位")]
    except stdnum_errors.InvalidLength:
        return [(column, f"{label}应为 18 位")]
    except stdnum_errors.ValidationError:
        return [(column, f"{label}格式不正确（18 位数字或大写字母，不含 I、O、Z、S、V）")]
    return []


def check_id_number(values: dict[str, object], column: str, label: str) -> Problems:
    """GB 11643: 18 characters, mod-11 check character, a real birth date.

    ``ric.validate`` also looks the first six digits up in stdnum's list of birth places, which
    lacks current codes such as 420704 (鄂城区): real local ID numbers would be refused. So the
    checks are composed from stdnum's parts, without the place lookup.
    """
    number = values.get(column)
    if number is None:
        return []
    compact = ric.compact(str(number))
    if len(compact) != 18:
        return [(column, f"{label}应为 18 位")]
    if not compact[:-1].isdigit() or compact[-1] not in "0123456789X":
        return [(column, f"{label}格式不正确（17 位数字加一位数字或 X）")]
    if compact[-1] != ric.calc_check_digit(compact):
        return [(column, f"{label}校验位错误（GB 11643），请核对每一位")]
    try:
        ric.get_birth_date(compact)
    except stdnum_errors.ValidationError:
        return [(column, f"{label}中的出生日期无效")]
    values[column] = compact
    return []


def _not_after_period(values: dict, column: str, label: str, period: Period) -> Problems:
    day = values.get(column)
    if isinstance(day, date) and day >= period.end:
        return [(column, f"{label} {day} 晚于报告期末（{period.label}，截至 {_last_day(period)}）")]
    return []


def _inside_period(values: dict, column: str, label: str, period: Period) -> Problems:
    day = values.get(column)
    if isinstance(day, date) and not period.contains(day):
        return [(column, f"{label} {day} 不在报告期（{period.label}：{period.start} 至 {_last_day(period)}）内")]
    return []


def _resolved_needs_date(values: dict, flag: str, day: str, what: str) -> Problems:
    if values.get(flag) is True and values.get(day) is None:
        return [(day, f"“是否化解”为“是”时必须填写{what}")]
    if values.get(flag) is False and values.get(day) is not None:
        return [(flag, f"已填写{what}，“是否化解”应为“是”")]
    return []


def risk_ledger_rules(values: dict[str, object], period: Period) -> Problems:
    """风险监测台账: a cumulative ledger as of the snapshot (6/20 for H1, 12/10 for H2)."""
    problems = check_credit_code(values)
    problems += _not_after_period(values, "found_date", "发现日期", period)
    problems += _not_after_period(values, "resolved_date", "化解/销号日期", period)
    problems += _resolved_needs_date(values, "resolved", "resolved_date", "化解/销号日期")
    if values.get("subject_type") in {"企业", "个体工商户", "农民专业合作社", "社会组织"} and \
            values.get("credit_code") is None:
        problems.append(("credit_code", f"主体类型为“{values['subject_type']}”时必须填写统一社会信用代码"))
    return problems


def report_reward_rules(values: dict[str, object], period: Period) -> Problems:
    """举报奖励: reports received this quarter, plus earlier ones whose reward was paid this quarter."""
    problems = check_id_number(values, "reporter_id_no", "举报人身份证号")
    problems += _not_after_period(values, "received_date", "受理日期", period)
    problems += _not_after_period(values, "paid_date", "兑现日期", period)
    received, paid = values.get("received_date"), values.get("paid_date")
    if isinstance(received, date) and received < period.start and not (isinstance(paid, date) and period.contains(paid)):
        problems.append(("received_date", f"受理日期 {received} 早于本季度，且奖励未在本季度兑现：该举报应在受理当季报送"))
    if values.get("is_paid") is True:
        if values.get("reward_fen") in (None, 0):
            problems.append(("reward_fen", "“是否兑现”为“是”时必须填写奖励金额（元）"))
        if not values.get("reward_people"):
            problems.append(("reward_people", "“是否兑现”为“是”时奖励人数至少为 1"))
        if paid is None:
            problems.append(("paid_date", "“是否兑现”为“是”时必须填写兑现日期"))
        if values.get("is_valid") is False:
            problems.append(("is_paid", "无效线索不予奖励：“是否有效线索”为“否”时“是否兑现”应为“否”"))
    elif values.get("is_paid") is False:
        for column, label in (("reward_fen", "奖励金额"), ("paid_date", "兑现日期"), ("reward_people", "奖励人数")):
            if values.get(column):
                problems.append((column, f"“是否兑现”为“否”，不应填写{label}"))
    return problems


def old_case_progress_rules(values: dict[str, object], period: Period) -> Problems:
    """陈案处置进展: cases filed before the reporting year, as of the end of the month."""
    problems: Problems = []
    filed = values.get("filed_date")
    if isinstance(filed, date) and filed >= period.year_start:
        problems.append(("filed_date", f"立案日期 {filed} 在 {period.year} 年内：陈案指 {period.year} 年以前立案的案件，"
                                       "本年新立案件请填入案件台账"))
    problems += _not_after_period(values, "resolved_date", "化解日期", period)
    problems += _resolved_needs_date(values, "resolved", "resolved_date", "化解日期")
    return problems


def risk_warning_rules(values: dict[str, object], period: Period) -> Problems:
    return _inside_period(values, "issued_date", "发布日期", period)


def admin_action_rules(values: dict[str, object], period: Period) -> Problems:
    problems = check_credit_code(values)
    problems += _inside_period(values, "action_date", "处置日期", period)
    if values.get("penalty_fen") and values.get("action_type") not in (None, "行政处罚"):
        problems.append(("penalty_fen", f"处置方式为“{values['action_type']}”，不应填写罚没金额（仅行政处罚有罚没金额）"))
    return problems


def publicity_rules(values: dict[str, object], period: Period) -> Problems:
    problems = _inside_period(values, "event_date", "活动日期", period)
    if values.get("form") == "发放资料" and not values.get("materials"):
        problems.append(("materials", "活动形式为“发放资料”时必须填写发放资料份数"))
    return problems


INTEGER_MAX = 2_147_483_647  # warehouse Integer (counts)
BIGINT_MAX = 9_223_372_036_854_775_807  # warehouse BigInteger (amounts in 分)


def storage_problem(column, value: object) -> str | None:
    """A number the warehouse column cannot hold, as a cell error (checked right after parsing).

    Without it, a hostile or mistyped 1E+25 would overflow the typed frame GX checks, or make
    PostgreSQL refuse the whole insert: the task would fail and retry the same file for ever.
    """
    if column.sql_kind not in ("count", "fen") or not isinstance(value, int) or isinstance(value, bool):
        return None
    if value > (INTEGER_MAX if column.sql_kind == "count" else BIGINT_MAX):
        return f"{column.label}数值过大（超出可存储范围），请核实单位和数值"
    return None


def ad_screening_rules(values: dict, period: Period) -> Problems:
    """广告资讯排查: 排查日期 in the reported month, the credit code's check character, and 删除
    only for carriers that can be deleted (online and SMS)."""
    problems = _inside_period(values, "screened_date", "排查日期", period) + check_credit_code(values)
    if values.get("action") == "删除" and values.get("carrier") in ("报刊", "户外", "传单"):
        problems.append(("action", f"“删除”适用于网络和短信载体；{values.get('carrier')}广告请填写责令整改、立案或移送公安"))
    return problems


DATASET_RULES: dict[str, list[Callable[[dict[str, object], Period], Problems]]] = {
    "risk_ledger": [risk_ledger_rules],
    "report_reward": [report_reward_rules],
    "old_case_progress": [old_case_progress_rules],
    "risk_warning": [risk_warning_rules],
    "admin_action": [admin_action_rules],
    "publicity": [publicity_rules],
    "ad_screening": [ad_screening_rules],
}
