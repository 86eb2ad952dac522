"""The early-warning backtest (预警回测): would the warnings have named the office's cases before
they were filed, within a budget an office can check?

The history is replayed in steps (weekly by default, or daily): on each step day ``as_of`` every
method scores the entities from what was known before that day. The office checks, per district
and calendar month, at most ``budget`` entities (default 10) it has not checked before, taking each
step's ranking from its top while the month's budget lasts (chufei ranks every entity with a score
above zero, whether banded or not: the budget, not the band, decides what is checked). For every case in the
案件台账 filed in the replay window whose subject resolves to an entity, the backtest reports:

- the first day a method warned the entity before 立案日期 (any warning) and the first day it came
  within the budget (within ``horizon_days`` before filing: a check two years earlier is no lead);
- recall at the budget: the share of those cases whose entity was checked before filing;
- lead time: 立案日期 minus the day it was checked, median and quartiles in days;
- the share of checked entities (and, for chufei, of 红/橙 warnings) that became a case or a new
  risk-ledger entry within 12 months (up to the end of the history for late warnings).

Three methods side by side: chufei's scorer; a naive baseline (an entity with at least
``naive_min_clues`` grid clues in the past year, ordered by their count); and a 冒烟指数-style
linear index (the scorer's configured indicators, standardised across the entities of the day
and added with equal weights, as Beijing's index publishes no weights; above the day's average
is a warning).

The harness knows nothing of how chufei scores: a ``Scorer`` is any callable from a day to a frame
of ``entity_id, district, score, band`` and, optionally, numeric indicator columns. Settings live in
``include/reference/early_warning.json`` under ``backtest``. On the demo history the figures test the
machinery, not real-world accuracy (README).
"""

from __future__ import annotations

import json
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from chufei.core.settings import REFERENCE_DIR

WARNING_BANDS = ("红", "橙", "黄", "蓝")
SEVERE_BANDS = ("红", "橙")
RESERVED_COLUMNS = {"entity_id", "district", "score", "band", "warned"}

Scorer = Callable[[date], "object"]  # day → pandas.DataFrame (entity_id, district, score, band, indicators…)


@dataclass(frozen=True)
class BacktestSettings:
    budget: int
    horizon_days: int
    outcome_days: int
    naive_min_clues: int
    naive_window_days: int
    step: str  # week | day


def backtest_settings(reference: dict | None = None) -> BacktestSettings:
    if reference is None:
        reference = json.loads((REFERENCE_DIR / "early_warning.json").read_text(encoding="utf-8"))
    spec = reference["backtest"]
    return BacktestSettings(int(spec["budget_per_district_month"]), int(spec["horizon_days"]),
                            int(spec["outcome_days"]), int(spec["naive_min_clues"]),
                            int(spec["naive_window_days"]), spec["step"])


@dataclass(frozen=True)
class Case:
    case_no: str
    district: str
    filed: date
    entity_id: str | None  # None: the subject resolves to no entity; such cases are counted apart


@dataclass
class History:
    """What the replay compares warnings with, all resolved to entity ids."""

    cases: list[Case]
    ledger_found: dict[str, list[date]] = field(default_factory=dict)  # entity → 发现日期 of its ledger entries
    clue_days: dict[str, list[tuple[date, str]]] = field(default_factory=dict)  # entity → (上报日, 区县) per clue


@dataclass(frozen=True)
class Ranked:
    entity_id: str
    district: str
    score: float
    warned: bool  # a warning by the method's own rule (chufei: a band), not merely ranked
    severe: bool = False  # 红/橙


Method = Callable[[date], list[Ranked]]  # the day's ranking, best first: the office checks from its top


# ---------------------------------------------------------------- the three methods

def _frame_records(frame) -> list[dict]:
    return frame.to_dict("records") if hasattr(frame, "to_dict") else list(frame)


def chufei_method(score: Scorer) -> Method:
    """Entities with a score above zero, highest first; a warning is a band (红/橙/黄/蓝)."""
    def ranked(as_of: date) -> list[Ranked]:
        rows = [r for r in _frame_records(score(as_of)) if float(r["score"]) > 0]
        rows.sort(key=lambda r: (-float(r["score"]), str(r["entity_id"])))
        return [Ranked(str(r["entity_id"]), str(r["district"]), float(r["score"]), r.get("band") in WARNING_BANDS,
                       r.get("band") in SEVERE_BANDS) for r in rows]
    return ranked


def naive_method(history: History, settings: BacktestSettings) -> Method:
    """Entities with at least ``naive_min_clues`` grid clues in the past ``naive_window_days``."""
    def ranked(as_of: date) -> list[Ranked]:
        since = as_of - timedelta(days=settings.naive_window_days)
        found = []
        for entity, clues in history.clue_days.items():
            recent = [(day, district) for day, district in clues if since <= day < as_of]
            if len(recent) >= settings.naive_min_clues:
                districts = defaultdict(int)
                for _, district in recent:
                    districts[district] += 1
                home = min(districts, key=lambda d: (-districts[d], d))
                found.append(Ranked(entity, home, float(len(recent)), True))
        found.sort(key=lambda w: (-w.score, w.entity_id))
        return found
    return ranked


def linear_index_method(score: Scorer) -> Method:
    """冒烟指数-style: the scorer's indicators, z-scored across the day's entities, summed with equal
    weights; the entities above the day's average (index > 0) are warned, highest first."""
    def ranked(as_of: date) -> list[Ranked]:
        rows = _frame_records(score(as_of))
        if not rows:
            return []
        indicators = sorted({k for r in rows for k, v in r.items() if k not in RESERVED_COLUMNS
                             and isinstance(v, (int, float)) and not isinstance(v, bool)})
        spread = {}
        for name in indicators:
            values = [float(r.get(name) or 0) for r in rows]
            mean = sum(values) / len(values)
            deviation = statistics.pstdev(values)
            spread[name] = (mean, deviation)
        found = []
        for r in rows:
            values = {name: float(r.get(name) or 0) for name in indicators}
            index = sum((values[n] - spread[n][0]) / spread[n][1] for n in indicators if spread[n][1] > 0)
            if index <= 0:
                continue
            found.append(Ranked(str(r["entity_id"]), str(r["district"]), index, True))
        found.sort(key=lambda w: (-w.score, w.entity_id))
        return found
    return ranked


# ---------------------------------------------------------------- replay and figures

def step_days(start: date, end: date, step: str) -> list[date]:
    """The replay's as_of days in [start, end]: every day, or every Monday."""
    day = start if step == "day" else start + timedelta(days=(7 - start.weekday()) % 7)
    days = []
    while day <= end:
        days.append(day)
        day += timedelta(days=1 if step == "day" else 7)
    return days


@dataclass
class Replay:
    first_warned: dict[str, date] = field(default_factory=dict)
    checked: dict[str, date] = field(default_factory=dict)  # within the budget
    first_severe: dict[str, date] = field(default_factory=dict)


def replay(methods: dict[str, Method], days: Iterable[date], budget: int) -> dict[str, Replay]:
    """One pass over the days for every method (methods may share a day's scores)."""
    results = {name: Replay() for name in methods}
    used: dict[tuple[str, str, int, int], int] = defaultdict(int)
    for as_of in days:
        for name, method in methods.items():
            result = results[name]
            for warning in method(as_of):
                entity = warning.entity_id
                if warning.warned:
                    result.first_warned.setdefault(entity, as_of)
                if warning.severe:
                    result.first_severe.setdefault(entity, as_of)
                month = (name, warning.district, as_of.year, as_of.month)
                if entity not in result.checked and used[month] < budget:
                    used[month] += 1
                    result.checked[entity] = as_of
    return results


def _quartiles(values: list[int]) -> tuple[float, float, float] | None:
    if not values:
        return None
    if len(values) == 1:
        return (float(values[0]),) * 3
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return (q1, median, q3)


@dataclass(frozen=True)
class MethodFigures:
    name: str
    cases: int  # resolved cases filed in the window
    warned_before: int  # with any warning before 立案日期
    found: int  # checked within the budget before 立案日期 (within the horizon)
    leads: tuple[int, ...]  # days, one per found case
    checked: int  # entities checked within the budget
    checked_confirmed: int  # of them, a case or a new ledger entry within the outcome window
    severe: int | None = None  # chufei only: entities warned 红/橙
    severe_confirmed: int | None = None

    @property
    def recall(self) -> float | None:
        return self.found / self.cases if self.cases else None

    @property
    def lead_quartiles(self) -> tuple[float, float, float] | None:
        return _quartiles(list(self.leads))


@dataclass
class Backtest:
    start: date
    end: date
    step: str
    settings: BacktestSettings
    methods: list[MethodFigures]
    unresolved_cases: int
    first_warnings: dict[str, dict[str, date | None]]  # case_no → method → first warning before filing


def _confirmed(entity: str, day: date, history: History, outcome_days: int, cases_by_entity) -> bool:
    until = day + timedelta(days=outcome_days)
    return (any(day < filed <= until for filed in cases_by_entity.get(entity, ()))
            or any(day < found <= until for found in history.ledger_found.get(entity, ())))


def evaluate(name: str, run: Replay, history: History, start: date, end: date,
             settings: BacktestSettings, severe: bool = False) -> tuple[MethodFigures, dict[str, date | None]]:
    in_window = [c for c in history.cases if c.entity_id is not None and start < c.filed <= end]
    cases_by_entity: dict[str, list[date]] = defaultdict(list)
    for case in history.cases:
        if case.entity_id is not None:
            cases_by_entity[case.entity_id].append(case.filed)
    warned_before = found = 0
    leads, first = [], {}
    for case in in_window:
        warned = run.first_warned.get(case.entity_id)
        first[case.case_no] = warned if warned is not None and warned < case.filed else None
        warned_before += first[case.case_no] is not None
        checked = run.checked.get(case.entity_id)
        if checked is not None and case.filed - timedelta(days=settings.horizon_days) <= checked < case.filed:
            found += 1
            leads.append((case.filed - checked).days)
    confirmed = sum(_confirmed(e, d, history, settings.outcome_days, cases_by_entity) for e, d in run.checked.items())
    figures = MethodFigures(name, len(in_window), warned_before, found, tuple(sorted(leads)), len(run.checked),
                            confirmed)
    if severe:
        figures = replace(figures, severe=len(run.first_severe),
                          severe_confirmed=sum(_confirmed(e, d, history, settings.outcome_days, cases_by_entity)
                                               for e, d in run.first_severe.items()))
    return figures, first


def run_backtest(score: Scorer, history: History, start: date, end: date,
                 settings: BacktestSettings | None = None, step: str | None = None) -> Backtest:
    """Replay [start, end] with chufei's ``score`` and both baselines."""
    settings = settings or backtest_settings()
    step = step or settings.step
    days = step_days(start, end, step)
    cache: dict[date, object] = {}

    def scored(as_of: date):  # chufei and the linear index read the same scores
        if as_of not in cache:
            cache.clear()
            cache[as_of] = score(as_of)
        return cache[as_of]

    runs = replay({"chufei": chufei_method(scored), "naive": naive_method(history, settings),
                   "linear": linear_index_method(scored)}, days, settings.budget)
    methods, first_warnings = [], defaultdict(dict)
    for name in ("chufei", "naive", "linear"):
        figures, first = evaluate(name, runs[name], history, start, end, settings, severe=name == "chufei")
        methods.append(figures)
        for case_no, day in first.items():
            first_warnings[case_no][name] = day
    unresolved = sum(1 for c in history.cases if c.entity_id is None and start < c.filed <= end)
    return Backtest(start, end, step, settings, methods, unresolved, dict(first_warnings))


# ---------------------------------------------------------------- the printed table

_TITLES = {"chufei": "chufei 预警", "naive": "朴素基线(≥{n}条线索)", "linear": "线性指数(冒烟指数式)"}


def _share(part: int | None, whole: int | None) -> str:
    if part is None or not whole:
        return "—"
    return f"{part / whole:.1%}（{part}/{whole}）"


SYNTHETIC_NOTE = "注：演示数据为合成数据，这些数字检验的是回测机制，不代表真实预警效果。"


def table(result: Backtest, note: str | None = None) -> str:
    """The side-by-side table ``make backtest`` prints; ``note`` ends it (the bench's: synthetic data)."""
    s = result.settings
    names = [_TITLES[m.name].format(n=s.naive_min_clues) for m in result.methods]
    lines = [f"预警回测 {result.start.isoformat()} — {result.end.isoformat()}（步长：{'日' if result.step == 'day' else '周'}；"
             f"核查预算：每区每月 {s.budget} 个主体；提前期上限 {s.horizon_days} 天）",
             f"纳入案件：立案日期在回测期内、主体可归并到主体库的案件 {result.methods[0].cases} 件"
             f"（另有 {result.unresolved_cases} 件主体未能归并，不计入）"]
    rows = [("立案前有预警", [_share(m.warned_before, m.cases) for m in result.methods]),
            (f"预算内召回率(每区每月前{s.budget})", [_share(m.found, m.cases) for m in result.methods])]
    for label, index in (("提前期中位数(天)", 1), ("提前期下四分位(天)", 0), ("提前期上四分位(天)", 2)):
        rows.append((label, [("—" if m.lead_quartiles is None else f"{m.lead_quartiles[index]:.0f}")
                             for m in result.methods]))
    rows.append((f"核查主体 {s.outcome_days} 天内立案或入台账", [_share(m.checked_confirmed, m.checked)
                                                      for m in result.methods]))
    rows.append((f"红/橙预警 {s.outcome_days} 天内立案或入台账", [_share(m.severe_confirmed, m.severe)
                                                       for m in result.methods]))
    width = max(len(label) for label, _ in rows) + 2
    lines.append("指标".ljust(width) + " | " + " | ".join(names))
    for label, cells in rows:
        lines.append(label.ljust(width) + " | " + " | ".join(cells))
    if note:
        lines.append(note)
    return "\n".join(lines)


def as_dict(result: Backtest) -> dict:
    """The figures for bench results (JSON)."""
    return {"start": result.start.isoformat(), "end": result.end.isoformat(), "step": result.step,
            "budget_per_district_month": result.settings.budget, "unresolved_cases": result.unresolved_cases,
            "methods": {m.name: {"cases": m.cases, "warned_before": m.warned_before, "found": m.found,
                                 "recall": m.recall, "lead_quartiles_days": m.lead_quartiles,
                                 "checked": m.checked, "checked_confirmed": m.checked_confirmed,
                                 "severe": m.severe, "severe_confirmed": m.severe_confirmed}
                        for m in result.methods}}


# ---------------------------------------------------------------- from the warehouse

_LEVELS = {"高": 3, "中": 2, "低": 1}  # 风险等级 as a number, for the linear index


def _day(value) -> date:
    """A DATE column's day (SQLite hands back text, PostgreSQL a date)."""
    from chufei.core.sql import as_date

    return value.date() if isinstance(value, datetime) else as_date(value)


def register_history(engine) -> History:
    """Cases, grid clues and ledger entries as the entity register (主体库) resolved them: each
    case is an entity's 案件台账 event, dated by its 立案日期."""
    from chufei.core.sql import fetch_rows

    cases, clue_days, ledger = [], defaultdict(list), defaultdict(list)
    for r in fetch_rows(engine, "backtest_register_events"):
        day, entity = _day(r["event_date"]), r["entity_id"]
        if r["source"] == "case_ledger":
            cases.append(Case(r["source_key"], r["district_code"] or "", day, entity))
        elif r["source"] == "grid":
            clue_days[entity].append((day, r["district_code"] or ""))
        elif r["source"] == "risk_ledger":
            ledger[entity].append(day)
    return History(cases=cases, ledger_found=dict(ledger), clue_days=dict(clue_days))


def chufei_scorer(engine) -> Scorer:
    """chufei's warnings of a day (``score_entities``) with the raw indicator values beside them."""
    from chufei.statistics.early_warning import config, score_entities

    def score(as_of: date) -> list[dict]:
        scores = score_entities(engine, as_of, explain_banded=False)  # the replay shows no reasons
        values = scores.attrs.get("indicator_values")
        if values is None:  # no entity known yet that day
            return []
        indicators = [i["key"] for i in config()["indicators"] if i["key"] in values.columns]
        rows = []
        for record in scores.to_dict("records"):
            district = record["district_code"]
            row = {"entity_id": record["entity_id"], "district": "" if district is None or district != district else district,
                   "score": float(record["score"]), "band": record["band"]}
            if record["entity_id"] in values.index:
                for key, value in values.loc[record["entity_id"], indicators].items():
                    number = _LEVELS.get(value, value) if isinstance(value, str) else value
                    row[key] = 0.0 if number is None or number != number else float(number)
            rows.append(row)
        return rows
    return score


def warehouse_backtest(engine, start: date | None = None, end: date | None = None,
                       step: str | None = None) -> Backtest | None:
    """The backtest over what the warehouse holds: by default from its first event other than a
    case (before it nothing could warn) to its last event. None when the register has none."""
    from chufei.core.sql import fetch_rows
    from chufei.warehouse.entities import update_register

    update_register(engine)
    events = fetch_rows(engine, "backtest_register_events")
    inflows = [_day(r["event_date"]) for r in events if r["source"] != "case_ledger"]
    if not inflows:
        return None
    last = max(_day(r["event_date"]) for r in events)
    return run_backtest(chufei_scorer(engine), register_history(engine), start or min(inflows), end or last,
                        step=step)


def main(argv: list[str] | None = None) -> None:
    """``make backtest``: the configured warehouse's history replayed and printed."""
    import argparse

    from chufei.core.settings import warehouse_url
    from chufei.warehouse.schema import engine_for

    parser = argparse.ArgumentParser(description="预警回测：在仓库已有的历史上回放预警并与两个基线对比")
    parser.add_argument("--start", type=date.fromisoformat, help="回放起始日（默认：最早事件）")
    parser.add_argument("--end", type=date.fromisoformat, help="回放截止日（默认：最晚事件）")
    parser.add_argument("--step", choices=("week", "day"), help="步长（默认见 early_warning.json）")
    args = parser.parse_args(argv)
    result = warehouse_backtest(engine_for(warehouse_url()), args.start, args.end, args.step)
    print("仓库中尚无主体事件，无法回测" if result is None else table(result))


if __name__ == "__main__":
    main()
