"""工作要点任务进展 (``work_plan_progress``): the 26 tasks' status as of the month's end.

Two forms: per task city-wide (its 时限, how it is judged, how many responsible units stand at
each status, the city-wide status and what it rests on), and per task and responsible unit (the
unit's status, the day the target was met, the evidence). This is what the office keeps for the
综治考评 (task 六). The statuses are computed in ``chufei.statistics.work_plan``.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine

from chufei.core.periods import Period
from chufei.core.units import units
from chufei.statistics.forms import FormColumn, StatForm
from chufei.statistics.work_plan import DONE, NO_DATA, OVERDUE, STATUSES, TaskProgress, work_plan_progress


def basis(progress: TaskProgress) -> str:
    """How a task is judged, in a word or two."""
    return "单位报送" if progress.rule.reported else "统计数据"


def deadlines(progress: TaskProgress) -> str:
    return "\n".join(f"{d.month}月{d.day}日" for d in progress.rule.deadlines)  # one a line: a narrow column


def city_evidence(progress: TaskProgress) -> str:
    """What the city-wide status rests on: the units still overdue or without data, by name."""
    names = {u.code: u.name for u in units()}
    lines = progress.units
    if len(lines) == 1:
        return lines[0].evidence
    counts = progress.counts
    parts = [f"{counts.get(DONE, 0)}/{len(lines)} 个单位已完成"]
    for status in (OVERDUE, NO_DATA):
        late = [names[u.unit_code] for u in lines if u.status == status]
        if late:
            parts.append(f"{status}：" + "、".join(late))
    return "；".join(parts)


def work_plan_progress_forms(engine: Engine, period: Period) -> tuple[dict[str, StatForm], list[str]]:
    progress, sources = work_plan_progress(engine, period.end)
    last_day = period.end - timedelta(days=1)
    label = f"{period.label}（截至{last_day.isoformat()}）"
    names = {u.code: u.name for u in units()}
    body = [[p.rule.cn, p.rule.title, deadlines(p), basis(p), len(p.units),
             *[p.counts.get(status, 0) for status in STATUSES], p.status, city_evidence(p)] for p in progress]
    tasks_at = {status: sum(1 for p in progress if p.status == status) for status in STATUSES}
    body.append(["", "合计", "", "", sum(len(p.units) for p in progress),
                 *[sum(p.counts.get(status, 0) for p in progress) for status in STATUSES],
                 f"{tasks_at[DONE]}/{len(progress)}项已完成",
                 "全市状态：" + "，".join(f"{status} {tasks_at[status]} 项" for status in STATUSES)])
    notes = ["注：已完成 = 达到目标（报送类任务：责任单位报送了完成情况）；逾期未完成 = 时限（报送类数据为各期报送时限）已过仍未达到；"
             "进行中 = 未达到、未逾期、已有相关数据；无数据 = 未达到、未逾期、尚无可据以判断的数据。",
             "全市状态：全部责任单位已完成为已完成，任一单位逾期为逾期未完成，均无数据为无数据，其余为进行中。"
             "判定依据：统计数据 = 按报送的统计数据对照目标判定，单位报送 = 按各单位报送的工作任务完成情况判定；"
             "各任务的责任单位与目标见 include/reference/work_plan_progress.json。"]
    city = StatForm(
        title="防范和处置非法集资工作要点任务进展情况表", form_no="鄂处非统11表", period_label=label,
        unit_of_measure="个", sheet="任务进展", rows=body, notes=notes,
        columns=[FormColumn("序号", "序号", "text"), FormColumn("工作任务", "工作任务", "text"),
                 FormColumn("时限", "时限", "text"), FormColumn("判定依据", "判定依据", "text"),
                 FormColumn("责任单位数", "责任单位数", "count"),
                 *[FormColumn("按单位状态(个)", status, "count") for status in STATUSES],
                 FormColumn("全市状态", "全市状态", "text"), FormColumn("说明", "说明", "text")])
    unit_body = [[p.rule.cn, p.rule.title, names[u.unit_code], deadlines(p), u.status,
                  u.completed_on.isoformat() if u.completed_on else None, u.evidence]
                 for p in progress for u in p.units]
    unit_body.append(["", "合计", f"{len(unit_body)}项次", "", "", None, "，".join(
        f"{status} {sum(1 for row in unit_body if row[4] == status)} 项次" for status in STATUSES)])
    by_unit = StatForm(
        title="防范和处置非法集资工作要点任务进展情况（分单位）", form_no="鄂处非统11表附1", period_label=label,
        unit_of_measure="项", sheet="分单位", rows=unit_body, notes=notes[:1],
        columns=[FormColumn("序号", "序号", "text"), FormColumn("工作任务", "工作任务", "text"),
                 FormColumn("责任单位", "责任单位", "text"), FormColumn("时限", "时限", "text"),
                 FormColumn("状态", "状态", "text"), FormColumn("完成日期", "完成日期", "text"),
                 FormColumn("依据", "依据", "text")])
    return {"": city, "_by_unit": by_unit}, sources
