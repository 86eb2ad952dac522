"""预警核查反馈 (feedback on early warnings): what the unit that checked a warning found.

One row per checked warning, by its 预警编号 (the ``YJ-…`` of the warning list): 属实, 不属实 or
处置中, the date of the check and a note. The early-warning run applies the latest feedback on
each warning (``chufei.statistics.early_warning``): a checked warning leaves the list of warnings
to check, and the same entity is warned again only when new evidence arrives after the check.
"""

from __future__ import annotations

import re

from chufei.core.periods import Period
from chufei.kinds.rules import not_after_period
from chufei.kinds.spec import Column, Dataset, Problems
from chufei.kinds.templates import workbook_kind

WARNING_ID = re.compile(r"^YJ-ZT[0-9A-F]{10}-[1-9][0-9]*$")

WARNING_FEEDBACK = Dataset(
    name="warning_feedback",
    title="预警核查反馈",
    period_kind="month",
    key=("warning_id",),
    aliases=("预警核查情况", "监测预警核查反馈"),
    columns=(
        Column("warning_id", "预警编号", "text", width=22),
        Column("result", "核查结论", "choice", choices="核查结论", width=12),
        Column("checked_date", "核查日期", "date", width=12),
        Column("note", "核查说明", "text", required=False, width=36),
    ),
)


def warning_feedback_rules(values: dict[str, object], period: Period) -> Problems:
    problems = not_after_period(values, "checked_date", "核查日期", period)
    warning_id = values.get("warning_id")
    if isinstance(warning_id, str):
        values["warning_id"] = warning_id = warning_id.strip().upper()
        if not WARNING_ID.match(warning_id):
            problems.append(("warning_id", f"预警编号“{warning_id}”格式不正确：请照抄预警名单中的编号，如 YJ-ZT0123456789-1"))
    return problems


KIND = workbook_kind(WARNING_FEEDBACK, rules=(warning_feedback_rules,))
