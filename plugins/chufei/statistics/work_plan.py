"""Work-plan progress: for each of the plan's 26 tasks, a status per responsible unit and city-wide.

How each task is judged is reference data (``include/reference/work_plan_progress.json``, read by
``chufei.kinds.obligations.progress_rules``): the data-backed tasks from the warehouse's figures
against their targets, the others from the units' 工作任务完成情况 reports. Everything is judged
as of ``as_of`` (the run's data interval end, exclusive): rows dated before it, the due days and
时限 that passed before it.

- 已完成: the target is met (a reported task: the unit reported it done);
- 逾期未完成: a 时限 passed with the target not met — for returns, a period's due day passed
  without the return;
- 进行中: not met, nothing overdue yet, and something is on file (a return, a row, a ratio);
- 无数据: not met, nothing overdue yet, and nothing on file to judge by (for the continuous
  inflows, grid clues and advert screening, also when the inflow has no data at all: no data is
  not a miss).

City-wide: 已完成 when every responsible unit has completed, 逾期未完成 when any is overdue,
无数据 when none has data, otherwise 进行中. Definitions: docs/statistics.md.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from sqlalchemy.engine import Engine

from chufei.core.periods import Period, half_period, month_period, quarter_period, year_period
from chufei.core.sql import as_date, fetch_rows
from chufei.core.units import unit_by_code, units
from chufei.kinds.obligations import TaskProgressRule, obligations_of, progress_rules, work_plan

DONE, ONGOING, OVERDUE, NO_DATA = "已完成", "进行中", "逾期未完成", "无数据"
STATUSES = (DONE, ONGOING, OVERDUE, NO_DATA)

# The event lists a ``rows`` measure counts: their query and the date that places a row in the year.
ROW_SOURCES = {"risk_warning": ("risk_warning_rows", "issued_date", "次风险提示"),
               "admin_action": ("admin_action_rows", "action_date", "件行政处置"),
               "publicity": ("publicity_rows", "event_date", "场宣传教育活动")}


@dataclass(frozen=True)
class UnitProgress:
    unit_code: str
    status: str
    evidence: str
    completed_on: date | None = None  # the day the target was met (a report's 完成日期)


@dataclass(frozen=True)
class TaskProgress:
    rule: TaskProgressRule
    units: tuple[UnitProgress, ...]

    @property
    def counts(self) -> Counter:
        return Counter(u.status for u in self.units)

    @property
    def status(self) -> str:
        return city_status([u.status for u in self.units])


def city_status(statuses: list[str]) -> str:
    if statuses and all(s == DONE for s in statuses):
        return DONE
    if OVERDUE in statuses:
        return OVERDUE
    if not statuses or all(s == NO_DATA for s in statuses):
        return NO_DATA
    return ONGOING


def _last_day(as_of: date) -> date:
    return as_of - timedelta(days=1)


def _md(day: date) -> str:
    return f"{day.month}月{day.day}日"


def _judge(met: bool, overdue: bool, on_file: bool) -> str:
    if met:
        return DONE
    if overdue:
        return OVERDUE
    return ONGOING if on_file else NO_DATA


def _periods(kind: str, year: int) -> list[Period]:
    if kind == "month":
        return [month_period(year, m) for m in range(1, 13)]
    if kind == "quarter":
        return [quarter_period(year, q) for q in range(1, 5)]
    if kind == "half":
        return [half_period(year, h) for h in (1, 2)]
    return [year_period(year)]


@dataclass
class _Evidence:
    """What the warehouse holds for the plan year up to ``as_of``, read once for every task."""

    as_of: date
    year_start: date
    submissions: dict[tuple[str, str], dict[str, str]]  # (dataset, unit) → period key → file
    sources: set[str]
    cache: dict

    def rows(self, engine: Engine, dataset: str) -> list[dict]:
        if dataset not in self.cache:
            query = ROW_SOURCES[dataset][0]
            self.cache[dataset] = fetch_rows(engine, query, range_start=self.year_start, range_end=self.as_of)
        return self.cache[dataset]


def _submissions(rule: TaskProgressRule, code: str, spec: dict, ev: _Evidence) -> UnitProgress:
    required, missing_due, missing_later, received = [], [], [], 0
    wanted = set(spec.get("periods", ()))
    for dataset in spec["datasets"]:
        for obligation in obligations_of(dataset):
            if not any(u.code == code and obligation.owed_by(u) for u in units()):
                continue
            for period in _periods(obligation.period_kind, ev.year_start.year):
                if wanted and period.key[4:] not in wanted:
                    continue
                due = obligation.due_date(period)
                if due > rule.deadline:
                    continue
                required.append(period)
                files = ev.submissions.get((dataset, code), {})
                if period.key in files:
                    received += 1
                    ev.sources.add(files[period.key])
                elif due < ev.as_of:
                    missing_due.append(f"{_title(dataset)}{period.label}（{_md(due)}到期）")
                else:
                    missing_later.append(period)
    if not required:
        return UnitProgress(code, NO_DATA, "本单位无此项报送义务")
    text = f"应报 {len(required)} 份，已报 {received} 份"
    if missing_due:
        text += "；逾期未报：" + "、".join(missing_due[:4]) + ("等" if len(missing_due) > 4 else "")
    elif missing_later:
        text += f"；尚有 {len(missing_later)} 份未到期"
    met = not missing_due and not missing_later
    return UnitProgress(code, _judge(met, bool(missing_due), received > 0), text)


def _title(dataset: str) -> str:
    from chufei.kinds.registry import KINDS

    return KINDS[dataset].title


def _rows(engine: Engine, rule: TaskProgressRule, code: str, spec: dict, ev: _Evidence) -> UnitProgress:
    dataset = spec["dataset"]
    _, date_column, noun = ROW_SOURCES[dataset]
    year = ev.year_start.year
    start = date(year, *map(int, spec["from"].split("-"))) if "from" in spec else ev.year_start
    end = date(year, *map(int, spec["to"].split("-"))) + timedelta(days=1) if "to" in spec else date(year + 1, 1, 1)
    forms = set(spec.get("forms", ()))
    mine = sorted((r for r in ev.rows(engine, dataset) if r["unit_code"] == code
                   and start <= as_date(r[date_column]) < end and (not forms or r.get("form") in forms)),
                  key=lambda r: as_date(r[date_column]))
    ev.sources.update(r["file_sha256"] for r in mine)
    returned = [p for (name, unit), periods in ev.submissions.items() if name == dataset and unit == code
                for p in periods]
    target = int(spec["min"])
    what = ("、".join(sorted(forms)) + "类" if forms else "") + noun
    window = f"{_md(start)}至{_md(end - timedelta(days=1))}" if "from" in spec or "to" in spec else "本年"
    text = f"{window}{what} {len(mine)}（目标 ≥{target}）"
    met = len(mine) >= target
    completed = as_date(mine[target - 1][date_column]) if met else None
    if not mine and not returned:
        text = f"未收到{_title(dataset)}报送（目标：{window}{what} ≥{target}）"
    return UnitProgress(code, _judge(met, rule.deadline < ev.as_of, bool(mine or returned)), text, completed)


def _community_coverage(engine: Engine, rule: TaskProgressRule, code: str, spec: dict, ev: _Evidence) -> UnitProgress:
    """The share of the unit's listed communities and villages covered by its activities so far."""
    from chufei.statistics.old_cases import percent
    from chufei.statistics.publicity import activity_of, coverage

    dataset = spec["dataset"]
    rows = [r for r in ev.rows(engine, dataset) if r["unit_code"] == code]
    ev.sources.update(r["file_sha256"] for r in rows)
    returned = any(name == dataset and unit == code and periods for (name, unit), periods in ev.submissions.items())
    figures, uncovered = coverage(unit_by_code(code), [activity_of(r) for r in rows])
    if not figures.listed:
        return UnitProgress(code, NO_DATA, "社区村名录中无本单位的社区村")
    share = Fraction(str(spec["min_share"]))  # exact: 1.0 must mean every place, not 99.99…%
    target = "目标：全覆盖" if share >= 1 else f"目标 ≥{percent(share.numerator, share.denominator)}%"
    if not rows and not returned:
        return UnitProgress(code, OVERDUE if rule.deadline < ev.as_of else NO_DATA,
                            f"未收到{_title(dataset)}报送（名录社区村 {figures.listed} 个，{target}）")
    met = Fraction(figures.covered, figures.listed) >= share
    text = (f"名录社区村 {figures.listed} 个，已覆盖 {figures.covered} 个，"
            f"覆盖率 {percent(figures.covered, figures.listed)}%（{target}）")
    if uncovered:
        text += "；未覆盖：" + "、".join(c.name for c in uncovered[:4]) + ("等" if len(uncovered) > 4 else "")
    return UnitProgress(code, _judge(met, rule.deadline < ev.as_of, True), text,
                        figures.completed_on if figures.covered == figures.listed else None)


def _months(rule: TaskProgressRule, code: str, months_on_file: set[int], first: int, last: int, ev: _Evidence,
            what: str, inflow_empty: bool) -> UnitProgress:
    """Every month from ``first`` to ``last`` (capped at the as-of month) has data."""
    ended = _last_day(ev.as_of)
    upto = last if ended.year > ev.year_start.year else min(last, ended.month)
    missing = [m for m in range(first, upto + 1) if m not in months_on_file]
    covered = [m for m in range(first, upto + 1) if m in months_on_file]
    met = not missing and upto == last
    if inflow_empty:
        return UnitProgress(code, NO_DATA, f"{what}无任何数据")
    text = f"{first}—{upto}月有{what}的月份 {len(covered)} 个" if upto >= first else f"{first}月起统计，尚未开始"
    if missing:
        text += "；缺 " + "、".join(f"{m}月" for m in missing)
    return UnitProgress(code, _judge(met, rule.deadline < ev.as_of, bool(covered)), text)


def _grid(engine: Engine, rule: TaskProgressRule, spec: dict, ev: _Evidence) -> list[UnitProgress]:
    rows = ev.cache.get("grid")
    if rows is None:
        rows = ev.cache["grid"] = fetch_rows(engine, "grid_clue_days_as_of", year_start=ev.year_start, as_of=ev.as_of)
    by_district: dict[str, set[int]] = defaultdict(set)
    any_clue = False
    for row in rows:
        if row["district_code"] is None:  # the last row: whether any clue was reported before as_of
            any_clue = bool(row["clues"])
            continue
        by_district[row["district_code"]].add(as_date(row["day"]).month)
        ev.sources.add(row["load_id"])
    last = rule.deadline.month
    district = {u.code: u.gb2260 or u.code for u in units()}
    return [_months(rule, code, by_district.get(district[code], set()), int(spec.get("from_month", 1)), last, ev,
                    "网格线索上报", not any_clue) for code in rule.responsible]


def _screening(engine: Engine, rule: TaskProgressRule, spec: dict, ev: _Evidence) -> list[UnitProgress]:
    counts = fetch_rows(engine, "ad_screening_counts", range_start=ev.year_start, range_end=ev.as_of)
    months: dict[str, set[int]] = defaultdict(set)
    for row in counts:
        months[row["unit_code"]].add(as_date(row["period_start"]).month)
        ev.sources.add(row["file_sha256"])
    return [_months(rule, code, months.get(code, set()), int(spec["from_month"]), int(spec["to_month"]), ev,
                    "排查汇总报送", not counts) for code in rule.responsible]


def _old_cases(engine: Engine, rule: TaskProgressRule, spec: dict, ev: _Evidence, measure: str) -> list[UnitProgress]:
    from chufei.statistics.old_cases import old_case_summary, percent

    summary = ev.cache.get("old_cases")
    if summary is None:
        span = Period(ev.year_start, ev.as_of, "year")
        summary = ev.cache["old_cases"] = old_case_summary(engine, span)
        for (dataset, _), files in ev.submissions.items():
            if dataset in ("case_ledger", "old_case_progress"):
                ev.sources.update(files.values())
    overdue = rule.deadline < ev.as_of
    result = []
    for code in rule.responsible:
        figures = summary.get(code)
        if figures is None:
            result.append(UnitProgress(code, OVERDUE if overdue else NO_DATA, "案件台账中无本单位的陈案"))
            continue
        if measure == "old_case_decline":
            stock, resolved = figures["stock"], figures["resolved"]
            if not stock:
                result.append(UnitProgress(code, DONE, "年初无陈案存量"))
                continue
            decline = percent(resolved, stock)
            met = decline >= int(spec["min_percent"])
            text = f"年初陈案 {stock} 件，已化解 {resolved} 件，下降 {decline}%（目标 ≥{spec['min_percent']}%）"
            result.append(UnitProgress(code, _judge(met, overdue, True), text))
        else:
            cases, cleared = figures["payout_cases"], figures["cleared"]
            if not cases:
                result.append(UnitProgress(code, DONE, "无2018年底前立案的案件"))
                continue
            text = f"2018年底前案件 {cases} 件，已清退完毕 {cleared} 件（目标：全部清零）"
            result.append(UnitProgress(code, _judge(cleared >= cases, overdue, True), text))
    return result


def _reported(rule: TaskProgressRule, reports: dict[tuple[str, str], dict], ev: _Evidence) -> list[UnitProgress]:
    result = []
    for code in rule.responsible:
        report = reports.get((code, rule.cn))
        if report is None:
            overdue = rule.deadline < ev.as_of
            text = f"时限 {rule.deadline} 已过，未报送完成情况" if overdue else "尚未报送完成情况"
            result.append(UnitProgress(code, OVERDUE if overdue else NO_DATA, text))
            continue
        ev.sources.add(report["file_sha256"])
        done = as_date(report["completed_date"])
        late = "（逾期完成）" if done > rule.deadline else ""
        result.append(UnitProgress(code, DONE, f"{done} 完成{late}：{report['evidence']}", done))
    return result


def work_plan_progress(engine: Engine, as_of: date) -> tuple[list[TaskProgress], list[str]]:
    """Every task's progress as of ``as_of`` (exclusive), and the files and loads it rests on.

    Outside the plan's year there is nothing to judge: no tasks, no sources."""
    from chufei.warehouse.schema import ensure_schema

    year = work_plan().year
    year_start = date(year, 1, 1)
    if not year_start < as_of <= date(year + 1, 1, 1):
        return [], []
    ensure_schema(engine)
    submissions: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for row in fetch_rows(engine, "work_plan_submissions", year_start=year_start, range_end=as_of):
        submissions[(row["dataset"], row["unit_code"])][row["period_key"]] = row["file_sha256"]
    ev = _Evidence(as_of=as_of, year_start=year_start, submissions=dict(submissions), sources=set(), cache={})
    reports: dict[tuple[str, str], dict] = {}
    for row in fetch_rows(engine, "work_task_completions", range_start=year_start, range_end=as_of):
        reports.setdefault((row["unit_code"], row["task_no"]), row)  # the earliest 完成日期 of a task
    progress = []
    for rule in progress_rules():
        spec = rule.evidence
        if rule.reported:
            lines = _reported(rule, reports, ev)
        elif spec["measure"] == "submissions":
            lines = [_submissions(rule, code, spec, ev) for code in rule.responsible]
        elif spec["measure"] == "rows":
            lines = [_rows(engine, rule, code, spec, ev) for code in rule.responsible]
        elif spec["measure"] == "community_coverage":
            lines = [_community_coverage(engine, rule, code, spec, ev) for code in rule.responsible]
        elif spec["measure"] == "grid_months":
            lines = _grid(engine, rule, spec, ev)
        elif spec["measure"] == "screening_months":
            lines = _screening(engine, rule, spec, ev)
        elif spec["measure"] in ("old_case_decline", "old_case_payouts"):
            lines = _old_cases(engine, rule, spec, ev, spec["measure"])
        else:
            raise ValueError(f"task {rule.task_no}: unknown measure {spec['measure']!r} in work_plan_progress.json")
        progress.append(TaskProgress(rule, tuple(lines)))
    return progress, sorted(ev.sources)
