"""风险提示 (public risk warnings): quarterly event lists, ≥ 3 a year per district (task 十一)."""

from __future__ import annotations

from chufei.core.periods import Period
from chufei.kinds.rules import inside_period
from chufei.kinds.spec import Column, Dataset, Problems
from chufei.kinds.templates import workbook_kind

RISK_WARNING = Dataset(
    name="risk_warning",
    title="风险提示",
    period_kind="quarter",
    key=("issued_date", "title"),
    aliases=("风险提示情况", "向社会提示风险"),
    columns=(
        Column("issued_date", "发布日期", "date", width=12),
        Column("title", "提示标题", "text", width=30),
        Column("channel", "发布渠道", "choice", choices="提示渠道"),
        Column("reach", "覆盖人数", "count", required=False),
        Column("note", "备注", "text", required=False, width=20),
    ),
)


def risk_warning_rules(values: dict[str, object], period: Period) -> Problems:
    return inside_period(values, "issued_date", "发布日期", period)


KIND = workbook_kind(RISK_WARNING, rules=(risk_warning_rules,))
