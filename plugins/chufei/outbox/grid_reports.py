"""网格监测 (work-plan task 七): the grid-worker clues per district and 乡镇街道, month and year to date.

Every figure reads each clue in the version it had at the month's end (as
``grid_clue_year_counts`` defines it: the highest 版本 known by then, known from its 更新时间, or
for an export without one, not before its 办结日期). A version that arrives later and changes a
figure makes the package's next version. The database does the counting: ``grid_clue_year_counts``
reads the year's clues only and hands back their counts, ``grid_clue_grids_as_of`` one row per
(区县, 网格, 乡镇街道) of the whole history and the loads; no clue becomes a Python object.

- 上报线索数 by 发现方式 and 研判结果 count the clues whose 上报时间 falls in the period (本月, or
  本年累计 from January); 处置状态 is their state at the month's end; 办结率 = 已办结 ÷ 上报线索数;
  办结用时中位数 is the median of 办结日期 − 上报日期 (days) over the period's clues already 办结.
- The known grids are the grid register's (``include/reference/grids.csv``, per 乡镇街道) and any
  other grid a clue of its district reported before the month's end names (in the 乡镇街道 of its
  latest clue); a known grid with no clue reported in the period is 无上报网格, a monitoring gap,
  listed by name for the month — a registered grid that never reported among them.
- 移交 by 移交单位, and every 风险表现 and 行业领域 ranked by the month's clues.

Definitions: docs/statistics.md. Subjects, addresses and grid workers are never read.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.engine import Engine

from chufei.core import places
from chufei.core.periods import Period
from chufei.core.sql import as_date, fetch_rows
from chufei.core.units import units
from chufei.statistics.forms import FormColumn, FormPart, StatForm
from chufei.statistics.old_cases import percent

METHODS = ("巡查", "走访", "群众反映")
JUDGEMENTS = ("疑似", "排除", "移交")
STATUSES = ("待核查", "核查中", "已移交", "已办结")
NO_TRANSFER_UNIT = "未填写移交单位"


@dataclass
class Tally:
    """The counts of a set of clues: by 发现方式, 研判结果 and 处置状态, and the days from 上报 to
    办结 of the 已办结 ones with a 办结日期 (days → clues)."""

    clues: int = 0
    methods: Counter = field(default_factory=Counter)
    judgements: Counter = field(default_factory=Counter)
    statuses: Counter = field(default_factory=Counter)
    days: Counter = field(default_factory=Counter)


@dataclass(frozen=True)
class YearClues:
    """The year-to-date clues at the period's end, counted in SQL (``grid_clue_year_counts``):
    each part's rows as (in_period, its keys…, clues), ``in_period`` for 上报时间 in the period."""

    grids: list[tuple[bool, str, str, str, str, str, str, int]]  # 区县, 乡镇街道, 网格, 发现方式, 研判结果, 处置状态
    days: list[tuple[bool, str, str, int, int]]  # 区县, 乡镇街道, days from 上报 to 办结
    transfers: list[tuple[bool, str, str, int]]  # 区县, 移交单位 (or NO_TRANSFER_UNIT)
    risk_signs: list[tuple[bool, tuple[str, ...], int]]
    industries: list[tuple[bool, str, int]]


@dataclass(frozen=True)
class GridHistory:
    """What the forms need of every clue reported before the period's end (``grid_clue_grids_as_of``):
    (区县, 网格) → (the day, 乡镇街道) of its latest clue (the greatest pair), the 乡镇街道 clues name
    per 区县, and the loads the clues came in."""

    last: dict[tuple[str, str], tuple[date, str]]
    towns: dict[str, set[str]]
    load_ids: list[str]


def _day(value: object) -> date:
    """上报时间's day: PostgreSQL hands back a datetime, SQLite its text."""
    return value.date() if isinstance(value, datetime) else as_date(value)


def year_clues(engine: Engine, period: Period) -> YearClues:
    parts: dict[str, list] = {"grid": [], "days": [], "transfer": [], "risk": [], "industry": []}
    for r in fetch_rows(engine, "grid_clue_year_counts", year_start=period.year_start, period_start=period.start,
                        as_of=period.end):
        now, n = bool(r["in_period"]), int(r["clues"])
        match r["part"]:
            case "grid":
                row = (now, r["district_code"], r["town"], r["grid_code"], r["discovery_method"], r["judgement"],
                       r["status"], n)
            case "days":
                row = (now, r["district_code"], r["town"],
                       (as_date(r["closed_date"]) - as_date(r["reported_day"])).days, n)
            case "transfer":
                row = (now, r["district_code"], r["label"] or NO_TRANSFER_UNIT, n)
            case "risk":
                row = (now, tuple(s for s in (r["label"] or "").split("、") if s), n)
            case _:
                row = (now, r["label"], n)
        parts[r["part"]].append(row)
    return YearClues(parts["grid"], parts["days"], parts["transfer"], parts["risk"], parts["industry"])


def grid_history(engine: Engine, period: Period) -> GridHistory:
    last: dict[tuple[str, str], tuple[date, str]] = {}
    towns: dict[str, set[str]] = {}
    load_ids = []
    for r in fetch_rows(engine, "grid_clue_grids_as_of", as_of=period.end):
        if r["district_code"] is None:
            load_ids.append(r["load_id"])
            continue
        key, latest = (r["district_code"], r["grid_code"]), (_day(r["last_reported"]), r["town"])
        last[key] = max(last.get(key, latest), latest)
        towns.setdefault(r["district_code"], set()).add(r["town"])
    return GridHistory(last, towns, sorted(load_ids))


def median_days(days: Counter) -> Decimal | None:
    """Median days from 上报 to 办结 of the closed ones (days → clues); None when none is closed."""
    count = sum(days.values())
    if not count:
        return None

    def nth(index: int) -> int:
        for value in sorted(days):
            index -= days[value]
            if index < 0:
                return value
        raise IndexError(index)

    middle = count // 2
    return Decimal(nth(middle)) if count % 2 else Decimal(nth(middle - 1) + nth(middle)) / 2


def _tallies(year: YearClues, whole_year: bool) -> dict[tuple[str, str] | str | None, Tally]:
    """The Tally of the span's clues (the period, or the whole year to date) per (区县, 乡镇街道),
    per 区县 (its code) and in all (None)."""
    tallies: dict[tuple[str, str] | str | None, Tally] = defaultdict(Tally)
    for now, district, town, _grid, method, judgement, status, n in year.grids:
        if now or whole_year:
            for key in ((district, town), district, None):
                tally = tallies[key]
                tally.clues += n
                tally.methods[method] += n
                tally.judgements[judgement] += n
                tally.statuses[status] += n
    for now, district, town, days, n in year.days:
        if now or whole_year:
            for key in ((district, town), district, None):
                tallies[key].days[days] += n
    return tallies


def _cells(tally: Tally, grids: set[tuple[str, str]], reported: set[tuple[str, str]]) -> list[object]:
    """A row's figures; ``grids`` are the (district, 网格编码) known in the row's area, ``reported``
    every grid with a clue in the span (wherever its clue placed it)."""
    closed = tally.statuses["已办结"]
    silent = len(grids - reported)
    return [tally.clues, *[tally.methods[m] for m in METHODS], *[tally.judgements[j] for j in JUDGEMENTS],
            len(grids), silent, *[tally.statuses[s] for s in STATUSES], closed, percent(closed, tally.clues),
            median_days(tally.days)]


def main_columns() -> list[FormColumn]:
    return [FormColumn("代码", "代码", "text"), FormColumn("单位", "单位", "text"),
            FormColumn("上报线索数(条)", "合计", "count"),
            *[FormColumn("上报线索数(条)", m, "count") for m in METHODS],
            *[FormColumn("研判结果(条)", j, "count") for j in JUDGEMENTS],
            FormColumn("网格(个)", "已知网格", "count"), FormColumn("网格(个)", "无上报网格", "count"),
            *[FormColumn("月末处置状态(条)", s, "count") for s in STATUSES],
            FormColumn("办结数(条)", "办结数(条)", "count"), FormColumn("办结率(%)", "办结率(%)", "pct"),
            FormColumn("办结用时中位数(天)", "办结用时中位数(天)", "pct")]


PARTS = (FormPart("一", "上报与研判", tuple(range(2, 11))), FormPart("二", "处置与办结", tuple(range(11, 18))))
_RATE_COLUMNS = (16, 17)  # 办结率, 办结用时中位数: no base, no figure


def _districts(history: GridHistory) -> list[tuple[str, str]]:
    """(code, name) of the territorial units, then any other district a clue names."""
    known = [(u.code, u.name) for u in units() if u.kind == "territorial"]
    codes = {code for code, _ in known}
    return known + [(code, code) for code in sorted(set(history.towns) - codes)]


def known_grids(history: GridHistory) -> dict[tuple[str, str], str]:
    """(district, 网格编码) → its 乡镇街道: the register's grids in its order, then the grids only
    clues name, in the 乡镇街道 of their latest clue."""
    known = {(g.district, g.code): g.town for g in places.grids()}
    return known | {grid: town for grid, (_, town) in sorted(history.last.items()) if grid not in known}


def _towns(code: str, history: GridHistory, known: dict[tuple[str, str], str]) -> list[str]:
    """A district's 乡镇街道: the register's in its order, then the others clues name, sorted."""
    registered = list(dict.fromkeys(g.town for g in places.grids() if g.district == code))
    others = history.towns.get(code, set()) | {t for (d, _), t in known.items() if d == code}
    return registered + sorted(others - set(registered))


def _reported(year: YearClues, whole_year: bool) -> set[tuple[str, str]]:
    """The (district, 网格编码) with a clue in the span."""
    return {(district, grid) for now, district, _town, grid, *_ in year.grids if now or whole_year}


def main_form(year: YearClues, history: GridHistory, whole_year: bool, label: str) -> StatForm:
    tallies = _tallies(year, whole_year)
    known = known_grids(history)
    reported = _reported(year, whole_year)
    body: list[list[object]] = []
    for code, name in _districts(history):
        body.append([code, name, *_cells(tallies.get(code, Tally()), {g for g in known if g[0] == code}, reported)])
        for town in _towns(code, history, known):
            body.append([code, f"{name}{town}", *_cells(tallies.get((code, town), Tally()),
                                                         {g for g, t in known.items() if g[0] == code and t == town},
                                                         reported)])
    body.append(["", "合计", *_cells(tallies.get(None, Tally()), set(known), reported)])
    no_data = frozenset((r, c) for r, values in enumerate(body) for c in _RATE_COLUMNS if values[c] is None)
    return StatForm(
        title="网格化监测非法集资线索情况统计表", form_no="鄂处非统9表", period_label=label,
        unit_of_measure="条、个、%、天", columns=main_columns(), rows=body, sheet="网格监测", parts=PARTS,
        no_data=no_data,
        notes=["注：1.各区县先列小计行，再列所辖乡镇街道；按上报时间统计报告期内上报的线索，处置状态为月末状态，"
               "每条线索取月末前已知的最高版本（有更新时间的按更新时间，否则办结版本不早于办结日期）。",
               "2.已知网格指网格名录（include/reference/grids.csv）中的网格，及名录外月末前有线索上报过的网格；"
               "无上报网格指报告期内没有上报线索的已知网格。",
               "3.办结率 = 办结数 ÷ 上报线索数；办结用时中位数为已办结线索办结日期与上报日期相差天数的中位数；"
               "无上报线索或无办结线索时记“—”。"])


def transfer_form(year: YearClues, history: GridHistory, whole_year: bool, label: str) -> StatForm:
    receivers = sorted({unit for _, _, unit, _ in year.transfers})
    counts: dict[str | None, Counter] = defaultdict(Counter)
    for now, district, unit, n in year.transfers:
        if now or whole_year:
            counts[district][unit] += n
            counts[None][unit] += n

    def cells(selected: Counter) -> list[int]:
        return [sum(selected.values()), *[selected[r] for r in receivers]]

    body: list[list[object]] = [[code, name, *cells(counts.get(code, Counter()))]
                                for code, name in _districts(history)]
    body.append(["", "合计", *cells(counts.get(None, Counter()))])
    return StatForm(
        title="网格线索移交情况统计表", form_no="鄂处非统9表附1", period_label=label, unit_of_measure="条",
        sheet="移交单位", rows=body,
        columns=[FormColumn("代码", "代码", "text"), FormColumn("单位", "单位", "text"),
                 FormColumn("移交线索数", "移交线索数", "count"), *[FormColumn("按移交单位", r, "count") for r in receivers]],
        notes=["注：研判结果为“移交”的线索，按上报时间统计，移交单位取月末前已知的最高版本。"])


def silent_grid_form(year: YearClues, history: GridHistory, period: Period) -> StatForm:
    reported = _reported(year, False)
    known = known_grids(history)
    names = dict(_districts(history))
    order = {code: index for index, (code, _) in enumerate(_districts(history))}
    towns = {code: _towns(code, history, known) for code in names}
    silent = sorted((key for key in known if key not in reported),
                    key=lambda k: (order[k[0]], towns[k[0]].index(known[k]), k[1]))
    body: list[list[object]] = [[d, names[d], known[(d, g)], g,
                                 history.last[(d, g)][0].isoformat() if (d, g) in history.last else "从未上报"]
                                for d, g in silent]
    body.append(["", "合计", "", f"{len(silent)}个", ""])
    return StatForm(
        title="本月无上报网格清单", form_no="鄂处非统9表附2", period_label=period.label, unit_of_measure="个",
        sheet="无上报网格", rows=body,
        columns=[FormColumn("代码", "代码", "text"), FormColumn("单位", "单位", "text"),
                 FormColumn("乡镇街道", "乡镇街道", "text"), FormColumn("网格编码", "网格编码", "text"),
                 FormColumn("最近上报日期", "最近上报日期", "text")],
        notes=["注：已知网格指网格名录中的网格（乡镇街道按名录），及名录外月末前有线索上报过的网格（乡镇街道取其最近一条线索）；"
               "本月没有上报线索的列入本表，“从未上报”指名录中的网格至今没有任何线索。"])


def ranking_form(year: YearClues, period: Period, by: str, title: str, form_no: str) -> StatForm:
    """Every 风险表现 (``by`` "risk_signs": a clue may show several) or 行业领域 ("industry")."""
    now, ytd = Counter(), Counter()
    month_clues = year_clues_ = 0
    for in_period, values, n in (year.risk_signs if by == "risk_signs"
                                 else [(p, (v,), n) for p, v, n in year.industries]):
        for value in values:
            ytd[value] += n
            if in_period:
                now[value] += n
    for in_period, *_, n in year.grids:
        year_clues_ += n
        month_clues += n if in_period else 0
    ranked = sorted(set(now) | set(ytd), key=lambda v: (-now[v], -ytd[v], v))
    body: list[list[object]] = [[str(rank), value, now[value], percent(now[value], month_clues), ytd[value],
                                 percent(ytd[value], year_clues_)] for rank, value in enumerate(ranked, 1)]
    body.append(["", "上报线索数", month_clues, None, year_clues_, None])
    name = "风险表现" if by == "risk_signs" else "行业领域"
    return StatForm(
        title=title, form_no=form_no, period_label=period.label, unit_of_measure="条、%", sheet=name, rows=body,
        no_data=frozenset((r, c) for r, values_ in enumerate(body) for c in (3, 5) if values_[c] is None),
        columns=[FormColumn("排名", "排名", "text"), FormColumn(name, name, "text"),
                 FormColumn("本月", "线索数", "count"), FormColumn("本月", "占比(%)", "pct"),
                 FormColumn("本年累计", "线索数", "count"), FormColumn("本年累计", "占比(%)", "pct")],
        notes=["注：按本月线索数排名（相同者按本年累计）；占比 = 线索数 ÷ 上报线索数"
               + ("，一条线索可有多项风险表现，各项之和可大于上报线索数。" if by == "risk_signs" else "。")])


def grid_monitoring_forms(engine: Engine, period: Period) -> tuple[dict[str, StatForm], list[str]]:
    year, history = year_clues(engine, period), grid_history(engine, period)
    ytd_label = f"{period.label}（本年累计）"
    forms = {
        "": main_form(year, history, False, period.label),
        "_year_to_date": main_form(year, history, True, ytd_label),
        "_transfers": transfer_form(year, history, False, period.label),
        "_transfers_year_to_date": transfer_form(year, history, True, ytd_label),
        "_silent_grids": silent_grid_form(year, history, period),
        "_risk_signs": ranking_form(year, period, "risk_signs", "网格线索风险表现排名表", "鄂处非统9表附3"),
        "_industries": ranking_form(year, period, "industry", "网格线索行业领域排名表", "鄂处非统9表附4"),
    }
    return forms, history.load_ids
