"""行政处置 (administrative actions): 约谈劝导, 函告提示, 责令停止, 行政处罚, quarterly (task 十五)."""

from __future__ import annotations

from chufei.core.periods import Period
from chufei.kinds.rules import check_credit_code, inside_period
from chufei.kinds.spec import Column, Dataset, Problems
from chufei.kinds.templates import workbook_kind

ADMIN_ACTION = Dataset(
    name="admin_action",
    title="行政处置",
    period_kind="quarter",
    key=("action_date", "subject_name", "action_type"),
    aliases=("行政处置情况",),
    columns=(
        Column("action_date", "处置日期", "date", width=12),
        Column("subject_name", "处置对象", "text", width=26),
        Column("credit_code", "统一社会信用代码", "text", required=False, width=22),
        Column("action_type", "处置方式", "choice", choices="处置方式"),
        Column("industry", "行业领域", "choice", choices="行业领域"),
        Column("result", "处置结果", "text", required=False, width=20),
        Column("penalty_fen", "罚没金额(万元)", "amount_wan", required=False),
    ),
)


def admin_action_rules(values: dict[str, object], period: Period) -> Problems:
    problems = check_credit_code(values)
    problems += inside_period(values, "action_date", "处置日期", period)
    if values.get("penalty_fen") and values.get("action_type") not in (None, "行政处罚"):
        problems.append(("penalty_fen", f"处置方式为“{values['action_type']}”，不应填写罚没金额（仅行政处罚有罚没金额）"))
    return problems


KIND = workbook_kind(ADMIN_ACTION, rules=(admin_action_rules,))
