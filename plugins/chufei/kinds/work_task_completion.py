"""工作任务完成情况 (work-task completion): a unit reports a task of the work plan as done.

One row per task: its number as the plan writes it (十一, or 11, 任务十一), the day it was done and a
short description of the 佐证材料 (the document, meeting or notice that shows it). The tasks whose
progress is judged from the warehouse's figures (work_plan_progress.json) are not reported here.
Monthly: a unit sends what it finished in or before the month; a correction for the month replaces
its earlier file. The work-plan progress (``work_plan_progress``) reads the current rows.
"""

from __future__ import annotations

from datetime import date

from chufei.core.periods import Period
from chufei.kinds.obligations import task_by_number, work_plan
from chufei.kinds.rules import not_after_period
from chufei.kinds.spec import Column, Dataset, Problems
from chufei.kinds.templates import workbook_kind

WORK_TASK_COMPLETION = Dataset(
    name="work_task_completion",
    title="工作任务完成情况",
    period_kind="month",
    key=("task_no",),
    aliases=("工作要点任务完成情况", "重点工作任务完成情况"),
    columns=(
        Column("task_no", "任务序号", "text", width=10),
        Column("completed_date", "完成日期", "date", width=12),
        Column("evidence", "佐证材料", "text", width=44),
        Column("note", "备注", "text", required=False, width=20),
    ),
)


def work_task_completion_rules(values: dict[str, object], period: Period) -> Problems:
    problems: Problems = []
    written = values.get("task_no")
    if written is not None:
        task = task_by_number(written)
        if task is None:
            problems.append(("task_no", f"任务序号“{written}”不是工作要点中的任务（一至二十六，可填“十一”或“11”）"))
        elif not task.reported:
            problems.append(("task_no", f"任务{task.cn}的进展由报送的统计数据自动判定，无需在本表填报"))
        else:
            values["task_no"] = task.cn
    problems += not_after_period(values, "completed_date", "完成日期", period)
    day = values.get("completed_date")
    year = work_plan().year
    if isinstance(day, date) and day < date(year, 1, 1):
        problems.append(("completed_date", f"完成日期 {day} 早于工作要点年度（{year}年）"))
    return problems


KIND = workbook_kind(WORK_TASK_COMPLETION, rules=(work_task_completion_rules,))
