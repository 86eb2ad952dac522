"""宣传教育 (work-plan tasks 十七–二十一): the units' publicity activities per quarter and year to
date, and the two targets the plan sets.

- Per unit: 活动场次 by 活动形式, 参与人数 and 发放资料份数 of the activities whose 活动日期 falls in the
  period (本期, or 本年累计 from January). A unit with no current submission for the span has no
  figures ("—"), not zeros.
- 宣传教育月 (task 十七, 时限 6月底): every territorial unit holds activities in the month of the
  task's deadline; 6月活动场次 counts them.
- 进社区 coverage (task 二十一, 社区宣教全覆盖, 时限 11月底): of a territorial unit's communities and
  villages in the community list, the share named as 社区/村 by at least one of its activities this
  year (``chufei.statistics.publicity.coverage``, which the work-plan progress judges task 二十一 by).

Definitions: docs/statistics.md.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy.engine import Engine

from chufei.core import places
from chufei.core.periods import Period, quarter_period
from chufei.core.settings import code_lists
from chufei.core.sql import fetch_rows
from chufei.core.units import units
from chufei.kinds.obligations import progress_rules
from chufei.statistics.forms import FormColumn, StatForm
from chufei.statistics.old_cases import percent
from chufei.statistics.publicity import Activity, activity_of, coverage

MONTH_TASK, COMMUNITY_TASK = 17, 21  # 宣传教育月; 公益宣讲进社区, 社区宣教全覆盖


def task_deadline(task_no: int, year: int) -> date:
    """The task's (last) 时限 in ``year``, from the work plan."""
    return next(rule for rule in progress_rules() if rule.task_no == task_no).deadline.replace(year=year)


def forms_of_activity() -> list[str]:
    return code_lists()["活动形式"]


def activity_cells(activities: list[Activity]) -> list[int]:
    return [len(activities), *[sum(1 for a in activities if a.form == f) for f in forms_of_activity()],
            sum(a.audience for a in activities), sum(a.materials for a in activities)]


def activity_form(activities: list[Activity], reporting: set[str], label: str) -> StatForm:
    """Per unit, activities of the span; ``reporting`` are the units with a submission for it."""
    body = [[u.code, u.name, *activity_cells([a for a in activities if a.unit == u.code])] for u in units()]
    body.append(["", "合计", *activity_cells(activities)])
    width = len(body[0])
    silent = frozenset((r, c) for r, u in enumerate(units()) if u.code not in reporting for c in range(2, width))
    return StatForm(
        title="防范非法集资宣传教育活动情况统计表", form_no="鄂处非统10表", period_label=label,
        unit_of_measure="场、人次、份", sheet="宣传教育", rows=body, no_data=silent,
        columns=[FormColumn("代码", "代码", "text"), FormColumn("单位", "单位", "text"),
                 FormColumn("活动场次(场)", "合计", "count"),
                 *[FormColumn("活动场次(场)", f, "count") for f in forms_of_activity()],
                 FormColumn("参与人数(人次)", "参与人数(人次)", "count"),
                 FormColumn("发放资料(份)", "发放资料(份)", "count")],
        notes=["注：按活动日期统计报告期内的活动，同一单位同日同名的活动只计一次（以最新报送为准）；"
               "“—”为该单位本期未报送宣传教育情况（零报告计为0）。"])


def targets_form(year_activities: list[Activity], period: Period, reporting_year: set[str],
                 reporting_month: set[str]) -> StatForm:
    month_deadline, community_deadline = task_deadline(MONTH_TASK, period.year), task_deadline(COMMUNITY_TASK, period.year)
    month = month_deadline.month
    body: list[list[object]] = []
    no_data: set[tuple[int, int]] = set()
    territorial = [u for u in units() if u.kind == "territorial"]
    held = listed_total = covered_total = unlisted_total = 0
    for index, unit in enumerate(territorial):
        in_month = sum(1 for a in year_activities if a.unit == unit.code and a.day.month == month)
        if month_deadline >= period.end and not in_month:
            month_state = "未到时限"
        elif unit.code not in reporting_month:
            month_state = "未报送"
            no_data.add((index, 2))
        else:
            month_state = "已开展" if in_month else "未开展"
        held += month_state == "已开展"
        figures, _ = coverage(unit, year_activities)
        rate = percent(figures.covered, figures.listed)
        if not figures.listed:
            state = "无名录"
            no_data.update({(index, 4), (index, 5), (index, 6), (index, 7)})
        elif unit.code not in reporting_year:
            state = "未报送"  # its listed places are all uncovered as far as anyone knows; 已覆盖 is unknown
            no_data.update({(index, 5), (index, 7)})
        elif figures.covered == figures.listed:
            state = "已全覆盖"
        else:
            state = "未达标" if community_deadline < period.end else "推进中"
        listed_total += figures.listed
        covered_total += figures.covered
        unlisted_total += figures.unlisted
        body.append([unit.code, unit.name, in_month, month_state, figures.listed, figures.covered,
                     figures.listed - figures.covered, rate, state, figures.unlisted])
    if any(r[8] == "无名录" for r in body):
        no_data.add((len(body), 7))  # a rate over part of the units would pass for the city's
    body.append(["", "合计", sum(r[2] for r in body), f"{held}/{len(territorial)}个属地已开展", listed_total,
                 covered_total, listed_total - covered_total, percent(covered_total, listed_total),
                 f"{sum(1 for r in body if r[8] == '已全覆盖')}/{len(territorial)}个属地全覆盖", unlisted_total])
    no_data.update((r, 7) for r, values in enumerate(body) if values[7] is None)
    return StatForm(
        title="防范非法集资宣传教育目标完成情况表", form_no="鄂处非统10表附1", period_label=f"{period.label}（本年累计）",
        unit_of_measure="场、个、%", sheet="目标完成", rows=body, no_data=frozenset(no_data),
        columns=[FormColumn("代码", "代码", "text"), FormColumn("单位", "单位", "text"),
                 FormColumn(f"宣传教育月（任务十七，{month}月）", f"{month}月活动场次", "count"),
                 FormColumn(f"宣传教育月（任务十七，{month}月）", "完成情况", "text"),
                 FormColumn("进社区覆盖（任务二十一）", "名录社区村(个)", "count"),
                 FormColumn("进社区覆盖（任务二十一）", "已覆盖(个)", "count"),
                 FormColumn("进社区覆盖（任务二十一）", "未覆盖(个)", "count"),
                 FormColumn("进社区覆盖（任务二十一）", "覆盖率(%)", "pct"),
                 FormColumn("进社区覆盖（任务二十一）", "完成情况", "text"),
                 FormColumn("名录外社区村活动(场)", "名录外社区村活动(场)", "count")],
        notes=[f"注：1.宣传教育月按{month}月统计，每个属地单位应于{month_deadline.month}月{month_deadline.day}日前开展活动；"
               f"{month}月所在季度未报送的记“未报送”。",
               f"2.覆盖率 = 本年至少开展一场活动的社区村数 ÷ 社区村名录数（include/reference/communities.csv，"
               f"市处非办维护），按活动填报的“社区/村”与名录比对；目标为{community_deadline.month}月"
               f"{community_deadline.day}日前全覆盖，时限前未全覆盖记“推进中”，时限后记“未达标”。",
               "3.名录外社区村活动指填报的社区/村不在本单位名录内的活动，见名录外清单；市直部门的活动不计入属地覆盖。"
               "“—”为未报送或无名录，无从计算。"])


def uncovered_form(year_activities: list[Activity], period: Period) -> StatForm:
    body: list[list[object]] = []
    for unit in (u for u in units() if u.kind == "territorial"):
        _, uncovered = coverage(unit, year_activities)
        body += [[unit.code, unit.name, c.town, c.name, c.type] for c in uncovered]
    body.append(["", "合计", "", f"{len(body)}个", ""])
    return StatForm(
        title="本年未开展宣传教育的社区村清单", form_no="鄂处非统10表附2", period_label=f"{period.label}（本年累计）",
        unit_of_measure="个", sheet="未覆盖社区村", rows=body,
        columns=[FormColumn("代码", "代码", "text"), FormColumn("单位", "单位", "text"),
                 FormColumn("乡镇街道", "乡镇街道", "text"), FormColumn("社区/村", "社区/村", "text"),
                 FormColumn("类型", "类型", "text")],
        notes=["注：社区村名录中本年尚无任何宣传教育活动填报在该社区村的，按名录顺序列出。"])


def unlisted_form(year_activities: list[Activity], period: Period) -> StatForm:
    listed = {(c.district, places.place_key(c.name)) for c in places.communities()}
    territorial = [u for u in units() if u.kind == "territorial"]
    counted = Counter((a.unit, a.community) for a in year_activities
                      if a.community and a.unit in {u.code for u in territorial}
                      and (a.unit, places.place_key(a.community)) not in listed)
    body: list[list[object]] = [[u.code, u.name, name, counted[(u.code, name)]]
                                for u in territorial for code, name in sorted(counted) if code == u.code]
    body.append(["", "合计", f"{len(body)}个", sum(counted.values())])
    return StatForm(
        title="填报社区村不在名录内的宣传教育活动", form_no="鄂处非统10表附3", period_label=f"{period.label}（本年累计）",
        unit_of_measure="场", sheet="名录外社区村", rows=body,
        columns=[FormColumn("代码", "代码", "text"), FormColumn("单位", "单位", "text"),
                 FormColumn("填报的社区/村", "填报的社区/村", "text"), FormColumn("活动场次", "活动场次", "count")],
        notes=["注：这些活动计入活动场次，但不计入进社区覆盖；名称有误的请报送单位更正，名录缺漏的请更新社区村名录。"])


def _quarters_through(period: Period) -> list[Period]:
    """The year's quarters up to the one ``period`` ends in."""
    return [q for q in (quarter_period(period.year, n) for n in range(1, 5)) if q.start < period.end]


def publicity_forms(engine: Engine, period: Period) -> tuple[dict[str, StatForm], list[str]]:
    rows = fetch_rows(engine, "publicity_rows", range_start=period.year_start, range_end=period.end)
    activities = [activity_of(r) for r in rows]
    # who sent a current return of each quarter (a 零报告 too): without one a unit has no figures
    returns = {q.key: fetch_rows(engine, "units_submitted", dataset="publicity", period_key=q.key)
               for q in _quarters_through(period)}

    def reporting(*quarters: Period) -> set[str]:
        return {r["unit_code"] for q in quarters for r in returns.get(q.key, [])}

    month_quarter = quarter_period(period.year, (task_deadline(MONTH_TASK, period.year).month - 1) // 3 + 1)
    reporting_year = reporting(*_quarters_through(period))
    forms = {
        "": activity_form([a for a in activities if period.contains(a.day)],
                          reporting(*[q for q in _quarters_through(period) if q.start >= period.start]), period.label),
        "_year_to_date": activity_form(activities, reporting_year, f"{period.label}（本年累计）"),
        "_targets": targets_form(activities, period, reporting_year, reporting(month_quarter)),
        "_uncovered_communities": uncovered_form(activities, period),
        "_unlisted_communities": unlisted_form(activities, period),
    }
    return forms, sorted({r["file_sha256"] for r in rows}
                         | {r["file_sha256"] for quarter in returns.values() for r in quarter})
