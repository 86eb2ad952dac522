"""陈案处置进展 (old-case disposal progress): cases filed before the year, monthly (tasks 十二, 十四)."""

from __future__ import annotations

from datetime import date

from chufei.core.periods import Period
from chufei.kinds.rules import not_after_period, resolved_needs_date
from chufei.kinds.spec import Column, Dataset, Problems
from chufei.kinds.templates import workbook_kind

OLD_CASE_PROGRESS = Dataset(
    name="old_case_progress",
    title="陈案处置进展",
    period_kind="month",
    key=("case_no",),
    aliases=("非法集资陈案处置进展",),
    columns=(
        Column("case_no", "案件编号", "text", width=18),
        Column("case_name", "案件名称", "text", width=28),
        Column("filed_date", "立案日期", "date", width=12),
        Column("unpaid_principal_fen", "核实未兑付本金(万元)", "amount_wan"),
        Column("repaid_fen", "累计清退金额(万元)", "amount_wan"),
        Column("repaid_people", "累计清退人数", "count", required=False),
        Column("stage", "处置阶段", "choice", choices="处置阶段", width=10),
        Column("resolved", "是否化解", "flag", width=10),
        Column("resolved_date", "化解日期", "date", required=False, width=12),
        Column("progress_note", "进展情况", "text", required=False, width=30),
    ),
)


def old_case_progress_rules(values: dict[str, object], period: Period) -> Problems:
    """陈案处置进展: cases filed before the reporting year, as of the end of the month."""
    problems: Problems = []
    filed = values.get("filed_date")
    if isinstance(filed, date) and filed >= period.year_start:
        problems.append(("filed_date", f"立案日期 {filed} 在 {period.year} 年内：陈案指 {period.year} 年以前立案的案件，"
                                       "本年新立案件请填入案件台账"))
    problems += not_after_period(values, "resolved_date", "化解日期", period)
    problems += resolved_needs_date(values, "resolved", "resolved_date", "化解日期")
    return problems


KIND = workbook_kind(OLD_CASE_PROGRESS, rules=(old_case_progress_rules,))
