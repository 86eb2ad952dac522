"""举报奖励 (report rewards): reports received and rewards paid, quarterly (tasks 五 and 九).

The reporter's name and ID number are pseudonymised: the warehouse keeps a keyed hash only.
"""

from __future__ import annotations

from datetime import date

from chufei.core.periods import Period
from chufei.kinds.rules import check_id_number, not_after_period
from chufei.kinds.spec import Column, Dataset, Problems
from chufei.kinds.templates import workbook_kind

REPORT_REWARD = Dataset(
    name="report_reward",
    title="举报奖励",
    period_kind="quarter",
    key=("report_no",),
    aliases=("举报奖励统计", "非法集资举报奖励统计"),
    columns=(
        Column("report_no", "举报编号", "text", width=18),
        Column("received_date", "受理日期", "date", width=12),
        Column("channel", "来源渠道", "choice", choices="来源渠道"),
        Column("clue_level", "线索等级", "choice", choices="线索等级"),
        Column("is_valid", "是否有效线索", "flag"),
        Column("reporter_name", "举报人", "text", required=False, personal=True, pseudonymised=True),
        Column("reporter_id_no", "举报人身份证号", "text", required=False, personal=True, pseudonymised=True,
               width=22),
        Column("is_paid", "是否兑现", "flag", width=10),
        Column("reward_people", "奖励人数", "count", required=False),
        Column("reward_fen", "奖励金额(元)", "amount_yuan", required=False),
        Column("paid_date", "兑现日期", "date", required=False, width=12),
        # whom the report names, when the unit records it: the early warning's 举报线索 indicator
        Column("reported_subject", "被举报对象", "text", required=False, width=24),
    ),
)


def report_reward_rules(values: dict[str, object], period: Period) -> Problems:
    """举报奖励: reports received this quarter, plus earlier ones whose reward was paid this quarter."""
    problems = check_id_number(values, "reporter_id_no", "举报人身份证号")
    problems += not_after_period(values, "received_date", "受理日期", period)
    problems += not_after_period(values, "paid_date", "兑现日期", period)
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


KIND = workbook_kind(REPORT_REWARD, rules=(report_reward_rules,))
