"""网格监测 (work-plan task 七): the grid-worker clues per district and 乡镇街道, month and year to date.

Every figure reads each clue in the version it had at the month's end (``grid_clues_as_of``: the
highest 版本 known by then, known from its 更新时间, or for an export without one, not before its
办结日期). A version that arrives later and changes a figure makes the package's next version.

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

from collections import Counter
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Clue:
    district: str
    town: str
    grid: str
    reported: date
    method: str
    judgement: str
    transfer_unit: str | None
    status: str
    closed: date | None
    industry: str
    risk_signs: tuple[str, ...]


def _day(value: object) -> date:
    """上报时间's day: PostgreSQL hands back a datetime, SQLite its text."""
    return value.date() if isinstance(value, datetime) else as_date(value)


def _clue(row: dict) -> Clue:
    signs = tuple(s for s in (row["risk_signs"] or "").split("、") if s)
    return Clue(row["district_code"], row["town"], row["grid_code"], _day(row["reported_at"]),
                row["discovery_method"], row["judgement"], row["transfer_unit"] or None, row["status"],
                as_date(row["closed_date"]), row["industry"], signs)


def median_days(clues: list[Clue]) -> Decimal | None:
    """Median days from 上报 to 办结 of the closed ones; None when none is closed."""
    days = sorted((c.closed - c.reported).days for c in clues if c.status == "已办结" and c.closed is not None)
    if not days:
        return None
    middle = len(days) // 2
    return Decimal(days[middle]) if len(days) % 2 else Decimal(days[middle - 1] + days[middle]) / 2


def _cells(clues: list[Clue], grids: set[tuple[str, str]], reported: set[tuple[str, str]]) -> list[object]:
    """A row's figures; ``grids`` are the (district, 网格编码) known in the row's area, ``reported``
    every grid with a clue in the span (wherever its clue placed it)."""
    closed = sum(1 for c in clues if c.status == "已办结")
    silent = len(grids - reported)
    return [len(clues), *[sum(1 for c in clues if c.method == m) for m in METHODS],
            *[sum(1 for c in clues if c.judgement == j) for j in JUDGEMENTS], len(grids), silent,
            *[sum(1 for c in clues if c.status == s) for s in STATUSES], closed,
            percent(closed, len(clues)), median_days(clues)]


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


def _districts(clues: list[Clue]) -> list[tuple[str, str]]:
    """(code, name) of the territorial units, then any other district a clue names."""
    known = [(u.code, u.name) for u in units() if u.kind == "territorial"]
    codes = {code for code, _ in known}
    return known + [(code, code) for code in sorted({c.district for c in clues} - codes)]


def known_grids(universe: list[Clue]) -> dict[tuple[str, str], str]:
    """(district, 网格编码) → its 乡镇街道: the register's grids in its order, then the grids only
    clues name, in the 乡镇街道 of their latest clue."""
    known = {(g.district, g.code): g.town for g in places.grids()}
    seen: dict[tuple[str, str], str] = {}
    for c in sorted(universe, key=lambda c: (c.reported, c.town)):
        seen[(c.district, c.grid)] = c.town
    return known | {grid: town for grid, town in sorted(seen.items()) if grid not in known}


def _towns(code: str, universe: list[Clue], known: dict[tuple[str, str], str]) -> list[str]:
    """A district's 乡镇街道: the register's in its order, then the others clues name, sorted."""
    registered = list(dict.fromkeys(g.town for g in places.grids() if g.district == code))
    others = {c.town for c in universe if c.district == code} | {t for (d, _), t in known.items() if d == code}
    return registered + sorted(others - set(registered))


def main_form(clues: list[Clue], universe: list[Clue], period: Period, start: date, label: str) -> StatForm:
    chosen = [c for c in clues if start <= c.reported < period.end]
    known = known_grids(universe)
    reported = {(c.district, c.grid) for c in chosen}
    body: list[list[object]] = []
    for code, name in _districts(universe):
        mine = [c for c in chosen if c.district == code]
        body.append([code, name, *_cells(mine, {g for g in known if g[0] == code}, reported)])
        for town in _towns(code, universe, known):
            body.append([code, f"{name}{town}", *_cells([c for c in mine if c.town == town],
                                                         {g for g, t in known.items() if g[0] == code and t == town},
                                                         reported)])
    body.append(["", "合计", *_cells(chosen, set(known), reported)])
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


def transfer_form(clues: list[Clue], universe: list[Clue], period: Period, start: date, label: str) -> StatForm:
    chosen = [c for c in clues if start <= c.reported < period.end and c.judgement == "移交"]
    receivers = sorted({c.transfer_unit or NO_TRANSFER_UNIT
                        for c in universe if c.judgement == "移交" and c.reported >= period.year_start})

    def cells(selected: list[Clue]) -> list[int]:
        return [len(selected), *[sum(1 for c in selected if (c.transfer_unit or NO_TRANSFER_UNIT) == r)
                                 for r in receivers]]

    body: list[list[object]] = [[code, name, *cells([c for c in chosen if c.district == code])]
                                for code, name in _districts(universe)]
    body.append(["", "合计", *cells(chosen)])
    return StatForm(
        title="网格线索移交情况统计表", form_no="鄂处非统9表附1", period_label=label, unit_of_measure="条",
        sheet="移交单位", rows=body,
        columns=[FormColumn("代码", "代码", "text"), FormColumn("单位", "单位", "text"),
                 FormColumn("移交线索数", "移交线索数", "count"), *[FormColumn("按移交单位", r, "count") for r in receivers]],
        notes=["注：研判结果为“移交”的线索，按上报时间统计，移交单位取月末前已知的最高版本。"])


def silent_grid_form(clues: list[Clue], universe: list[Clue], period: Period) -> StatForm:
    reported = {(c.district, c.grid) for c in clues if period.contains(c.reported)}
    last: dict[tuple[str, str], Clue] = {}
    for c in sorted(universe, key=lambda c: (c.reported, c.town)):
        last[(c.district, c.grid)] = c
    known = known_grids(universe)
    names = dict(_districts(universe))
    order = {code: index for index, (code, _) in enumerate(_districts(universe))}
    towns = {code: _towns(code, universe, known) for code in names}
    silent = sorted((key for key in known if key not in reported),
                    key=lambda k: (order[k[0]], towns[k[0]].index(known[k]), k[1]))
    body: list[list[object]] = [[d, names[d], known[(d, g)], g,
                                 last[(d, g)].reported.isoformat() if (d, g) in last else "从未上报"]
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


def ranking_form(clues: list[Clue], period: Period, field: str, title: str, form_no: str) -> StatForm:
    month = [c for c in clues if period.contains(c.reported)]
    year = [c for c in clues if period.year_start <= c.reported < period.end]

    def values(c: Clue) -> tuple[str, ...]:
        return c.risk_signs if field == "risk_signs" else (c.industry,)

    now, ytd = Counter(v for c in month for v in values(c)), Counter(v for c in year for v in values(c))
    ranked = sorted(set(now) | set(ytd), key=lambda v: (-now[v], -ytd[v], v))
    body: list[list[object]] = [[str(rank), value, now[value], percent(now[value], len(month)), ytd[value],
                                 percent(ytd[value], len(year))] for rank, value in enumerate(ranked, 1)]
    body.append(["", "上报线索数", len(month), None, len(year), None])
    name = "风险表现" if field == "risk_signs" else "行业领域"
    return StatForm(
        title=title, form_no=form_no, period_label=period.label, unit_of_measure="条、%", sheet=name, rows=body,
        no_data=frozenset((r, c) for r, values_ in enumerate(body) for c in (3, 5) if values_[c] is None),
        columns=[FormColumn("排名", "排名", "text"), FormColumn(name, name, "text"),
                 FormColumn("本月", "线索数", "count"), FormColumn("本月", "占比(%)", "pct"),
                 FormColumn("本年累计", "线索数", "count"), FormColumn("本年累计", "占比(%)", "pct")],
        notes=["注：按本月线索数排名（相同者按本年累计）；占比 = 线索数 ÷ 上报线索数"
               + ("，一条线索可有多项风险表现，各项之和可大于上报线索数。" if field == "risk_signs" else "。")])


def grid_monitoring_forms(engine: Engine, period: Period) -> tuple[dict[str, StatForm], list[str]]:
    rows = fetch_rows(engine, "grid_clues_as_of", as_of=period.end)
    universe = [_clue(r) for r in rows]
    clues = [c for c in universe if c.reported >= period.year_start]
    ytd_label = f"{period.label}（本年累计）"
    forms = {
        "": main_form(clues, universe, period, period.start, period.label),
        "_year_to_date": main_form(clues, universe, period, period.year_start, ytd_label),
        "_transfers": transfer_form(clues, universe, period, period.start, period.label),
        "_transfers_year_to_date": transfer_form(clues, universe, period, period.year_start, ytd_label),
        "_silent_grids": silent_grid_form(clues, universe, period),
        "_risk_signs": ranking_form(clues, period, "risk_signs", "网格线索风险表现排名表", "鄂处非统9表附3"),
        "_industries": ranking_form(clues, period, "industry", "网格线索行业领域排名表", "鄂处非统9表附4"),
    }
    return forms, sorted({r["load_id"] for r in rows})
