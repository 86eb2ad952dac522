"""风险监测台账 (risk-monitoring ledger): cumulative snapshots due 6月20日 and 12月10日 (task 十)."""

from __future__ import annotations

from chufei.core.periods import Period
from chufei.kinds.rules import check_credit_code, not_after_period, resolved_needs_date
from chufei.kinds.spec import Column, Dataset, Problems
from chufei.kinds.templates import workbook_kind

RISK_LEDGER = Dataset(
    name="risk_ledger",
    title="风险监测台账",
    period_kind="half",  # snapshots due 6月20日 (H1) and 12月10日 (H2)
    key=("subject_name",),
    aliases=("非法集资风险监测台账",),
    columns=(
        Column("subject_name", "主体名称", "text", width=26),
        Column("credit_code", "统一社会信用代码", "text", required=False, width=22),
        Column("subject_type", "主体类型", "choice", choices="主体类型"),
        Column("industry", "行业领域", "choice", choices="行业领域"),
        Column("clue_source", "线索来源", "choice", choices="线索来源"),
        Column("found_date", "发现日期", "date", width=12),
        Column("risk_signs", "风险表现", "text", width=24),
        Column("people", "涉及人数", "count", required=False),
        Column("amount_fen", "涉及金额(万元)", "amount_wan", required=False),
        Column("risk_level", "风险等级", "choice", choices="风险等级", width=10),
        Column("monitoring", "监测措施", "text", required=False, width=20),
        Column("responsible_unit", "责任单位", "text"),
        Column("responsible_person", "责任人", "text", personal=True),
        Column("rectification", "整改措施", "text", required=False, width=20),
        Column("rectify_deadline", "整改时限", "date", required=False, width=12),
        Column("progress", "处置进展", "text", required=False, width=20),
        Column("resolved", "是否化解", "flag", width=10),
        Column("resolved_date", "化解/销号日期", "date", required=False, width=12),
    ),
)


def risk_ledger_rules(values: dict[str, object], period: Period) -> Problems:
    """风险监测台账: a cumulative ledger as of the snapshot (6/20 for H1, 12/10 for H2)."""
    problems = check_credit_code(values)
    problems += not_after_period(values, "found_date", "发现日期", period)
    problems += not_after_period(values, "resolved_date", "化解/销号日期", period)
    problems += resolved_needs_date(values, "resolved", "resolved_date", "化解/销号日期")
    if values.get("subject_type") in {"企业", "个体工商户", "农民专业合作社", "社会组织"} and \
            values.get("credit_code") is None:
        problems.append(("credit_code", f"主体类型为“{values['subject_type']}”时必须填写统一社会信用代码"))
    return problems


KIND = workbook_kind(RISK_LEDGER, rules=(risk_ledger_rules,))
