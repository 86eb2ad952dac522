"""案件台账 (case ledger): every unit's criminal cases, monthly (work plan task 五).

The case statistics forms are computed from it (``chufei.statistics.cases``).
"""

from __future__ import annotations

from datetime import date

from chufei.core.periods import Period
from chufei.kinds.spec import Column, Dataset, Problems
from chufei.kinds.templates import workbook_kind

CASE_LEDGER = Dataset(
    name="case_ledger",
    title="案件台账",
    period_kind="month",
    key=("case_no",),
    aliases=("非法集资案件台账", "案件统计台账"),
    columns=(
        Column("case_no", "案件编号", "text", width=18),
        Column("case_name", "案件名称", "text", width=28),
        Column("filed_date", "立案日期", "date", width=12),
        Column("handling_unit", "承办单位", "text", width=18),
        Column("industry", "行业领域", "choice", choices="行业领域"),
        Column("amount_fen", "涉案金额(万元)", "amount_wan"),
        Column("participants", "集资参与人数", "count"),
        Column("cross_region", "是否跨区域", "flag", width=10),
        Column("stage", "处置阶段", "choice", choices="处置阶段", width=10),
        Column("recovered_fen", "已追缴资产(万元)", "amount_wan", required=False),
        Column("unpaid_principal_fen", "核实未兑付本金(万元)", "amount_wan", required=False),
        Column("repaid_fen", "已清退金额(万元)", "amount_wan", required=False),
        Column("repaid_people", "已清退人数", "count", required=False),
        Column("is_old_case", "是否陈案", "flag", width=10),
        Column("closed_date", "结案日期", "date", required=False, width=12),
    ),
)


def case_ledger_rules(values: dict[str, object], period: Period) -> Problems:
    problems: Problems = []
    filed, closed = values.get("filed_date"), values.get("closed_date")
    if isinstance(filed, date) and filed >= period.end:
        problems.append(("filed_date", f"立案日期 {filed} 晚于报告期末（{period.label}）"))
    if isinstance(closed, date) and closed >= period.end:
        problems.append(("closed_date", f"结案日期 {closed} 晚于报告期末（{period.label}）"))
    if isinstance(filed, date) and values.get("is_old_case") is not None:
        expected_old = filed < period.year_start
        if values["is_old_case"] != expected_old:
            problems.append(("is_old_case", f"立案日期为 {filed}，“是否陈案”应为“{'是' if expected_old else '否'}”"
                                            f"（陈案指 {period.year} 年以前立案的案件）"))
    stage = values.get("stage")
    if stage == "结案" and closed is None:
        problems.append(("closed_date", "处置阶段为“结案”时必须填写结案日期"))
    if stage is not None and stage != "结案" and closed is not None:
        problems.append(("stage", f"已填写结案日期，处置阶段应为“结案”而非“{stage}”"))
    return problems


KIND = workbook_kind(CASE_LEDGER, rules=(case_ledger_rules,))
