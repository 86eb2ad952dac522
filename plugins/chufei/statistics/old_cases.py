"""Old-case disposal (陈案处置): the −50 % stock target and the pre-2019 payout target.

Formulas (also in docs/statistics.md):

- 年初陈案存量 (stock on 1 January of year Y) = cases filed before Y-01-01 and not closed
  (结案日期 empty or ≥ Y-01-01).
- 本年化解 (resolved to date) = stock cases with 结案日期 in [Y-01-01, end of the period).
  This equals the 本年累计 of 存量(陈案)办结数 on the case-statistics form.
- 下降率 % = 本年化解 ÷ 年初陈案存量 × 100; the target is a decline of at least 50 %.
- 清退率 % = 已清退金额 ÷ 核实未兑付本金 × 100, for every case filed before 2019-01-01
  (i.e. by the end of 2018); a case is 清退完毕 when 已清退金额 ≥ 核实未兑付本金.

Amounts are the latest the units reported (``case_current``); all arithmetic is exact. When a
unit's 陈案处置进展 says otherwise, the ledger still decides the figures (docs/statistics.md): the
package's 核对 form (``old_case_check_form``) lists every disagreement for the unit to correct.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from operator import attrgetter, itemgetter
from typing import NamedTuple

from sqlalchemy.engine import Connection, Engine

from chufei.core.periods import Period, month_period
from chufei.core.units import units
from chufei.kinds.registry import DATASETS
from chufei.statistics.forms import FormColumn, StatForm
from chufei.core.sql import as_date
from chufei.validate import old_case_check

DECLINE_TARGET_PERCENT = Decimal(50)
PAYOUT_CUTOFF = date(2019, 1, 1)  # cases filed before this day must have their payouts cleared


_HUNDREDTHS = Decimal("0.01")


def percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(_HUNDREDTHS, ROUND_HALF_UP)


class OldCase(NamedTuple):  # a tuple: the annual list holds one per pre-2019 case
    unit_code: str
    case_no: str
    case_name: str
    filed_date: date
    closed_date: date | None
    unpaid_fen: int
    repaid_fen: int

    @property
    def cleared(self) -> bool:
        return self.repaid_fen >= self.unpaid_fen


SUMMARY_KEYS = ("stock", "resolved", "payout_cases", "unpaid_fen", "repaid_fen", "cleared")
Summary = dict[str, dict[str, int]]  # unit code → SUMMARY_KEYS → value


YEAR_KEYS = ("stock", "payout_cases", "unpaid_fen", "repaid_fen", "cleared")


def _year_aggregates(engine: Engine, year_start: date) -> dict[str, dict[str, int]]:
    """Stock on 1 January and pre-2019 payouts per unit, from ``old_case_year`` when it was
    computed from the same data (same data mark), else computed now and stored for next time."""
    from sqlalchemy import delete, insert, select
    from sqlalchemy.exc import IntegrityError

    from chufei.core.sql import run_sql
    from chufei.warehouse.schema import old_case_year

    with engine.connect() as connection:
        mark = int(run_sql(connection, "case_data_mark").scalar_one())
        cached = connection.execute(select(old_case_year).where(old_case_year.c.year == year_start.year)).mappings().all()
        if cached and all(row["data_mark"] == mark for row in cached):
            return {row["unit_code"]: {key: int(row[key]) for key in YEAR_KEYS} for row in cached
                    if row["unit_code"] != ""}
        computed = {r["unit_code"]: {key: int(r[key] or 0) for key in YEAR_KEYS}
                    for r in run_sql(connection, "old_case_summary", year_start=year_start, period_end=year_start,
                                     payout_cutoff=PAYOUT_CUTOFF).mappings()}
    rows = [{"year": year_start.year, "unit_code": code, "data_mark": mark, **values} for code, values in computed.items()]
    # An empty marker row ("") records "computed, nothing found" so an empty year is cached too.
    rows.append({"year": year_start.year, "unit_code": "", "data_mark": mark, **{key: 0 for key in YEAR_KEYS}})
    try:
        with engine.begin() as connection:
            connection.execute(delete(old_case_year).where(old_case_year.c.year == year_start.year))
            connection.execute(insert(old_case_year), rows)
    except IntegrityError:
        pass  # a concurrent run stored the same figures first
    return computed


# The summary's entry under this key holds, negated, what the copies of cases several units report
# add beyond the lead copy (chufei.warehouse.case_duplicates): each unit's own entry keeps its copy,
# the 合计 (``total_summary``) counts each case once.
REPEATED = "重复上报"


REPEATED_OLD_NOTE = ("注：同一案件由两个及以上单位报送的（重复上报，见“重复上报”表），各单位行均列示，"
                     "合计只计一次（计入牵头单位报送的记录），故合计可能小于各行之和。")


def repeated_old_cases(copies, year_start: date, period_end: date) -> dict[str, int]:
    """What ``copies`` (non-lead copies of duplicated cases) add to each SUMMARY_KEYS figure: the
    definitions of old_case_summary.sql and old_case_resolved.sql, case by case."""
    out = dict.fromkeys(SUMMARY_KEYS, 0)
    for copy in copies:
        filed, closed = copy.filed_date, copy.closed_date
        if filed is None:
            continue
        if filed < year_start and (closed is None or closed >= year_start):
            out["stock"] += 1
            out["resolved"] += 1 if closed is not None and closed < period_end else 0
        if filed < PAYOUT_CUTOFF:
            unpaid, repaid = int(copy.unpaid_principal_fen or 0), int(copy.repaid_fen or 0)
            out["payout_cases"] += 1
            out["unpaid_fen"] += unpaid
            out["repaid_fen"] += repaid
            out["cleared"] += 1 if repaid >= unpaid else 0
    return out


def old_case_summary(engine: Engine, period: Period, duplicates: list | None = None) -> Summary:
    """Per unit: stock on 1 January, resolved to the period's end, and the pre-2019 payouts;
    ``duplicates``: the warehouse's cases several units report, when the caller has them.

    The year-level part is pre-aggregated per year (``old_case_year``); the part that depends on
    the period (本年化解) is summed from the monthly facts (``case_month_fact``), so a month costs
    the same whatever the length of the history.
    """
    from chufei.core.sql import run_sql

    from chufei.statistics.cases import whole_months

    summary = {code: dict(values) for code, values in _year_aggregates(engine, period.year_start).items()}
    by_month = whole_months(period.year_start, period.end, period.year_start)
    with engine.connect() as connection:
        for row in run_sql(connection, "old_case_resolved_by_month" if by_month else "old_case_resolved",
                           year_start=period.year_start, period_end=period.end).mappings():
            summary.setdefault(row["unit_code"], {key: 0 for key in YEAR_KEYS})["resolved"] = int(row["resolved"])
    for values in summary.values():
        values.setdefault("resolved", 0)
    from chufei.warehouse.case_duplicates import duplicate_cases

    if duplicates is None:
        with engine.connect() as connection:
            duplicates = duplicate_cases(connection)
    repeats = [copy for duplicate in duplicates for copy in duplicate.repeats]
    counted = repeated_old_cases(repeats, period.year_start, period.end)
    if any(counted.values()):
        summary[REPEATED] = {key: -value for key, value in counted.items()}
    return summary


def old_case_facts(connection: Connection) -> list[OldCase]:
    """Every case filed before 2019-01-01, for the annual list of 清退率 by case, in the order of
    (unit_code, case_no)."""
    from itertools import chain

    from chufei.core.sql import postgresql_settings, run_sql

    # The warehouse is read from memory: at PostgreSQL's default random_page_cost (4, a disk's
    # seek) the planner takes the primary key's visits of the table for seeks and sorts the cases
    # itself instead, 0.20 s for the five-year warehouse's 120,000 against 0.04 s in key order.
    with postgresql_settings(connection, random_page_cost="1.1"):
        parts = run_sql(connection, "old_case_facts", payout_cutoff=PAYOUT_CUTOFF).partitions(8192)  # not a call per row
        first = next(parts, [])
        if not first or isinstance(first[0][3], date):  # PostgreSQL: the rows are the cases as they are
            return [case for part in chain([first], parts) for case in map(OldCase._make, part)]
    dates: dict[object, date | None] = {}  # SQLite's ISO texts: a few hundred days over 100,000 cases, each read once

    def day(value: object) -> date | None:
        found = dates.get(value)
        if found is None:
            found = dates[value] = as_date(value)
        return found

    return [OldCase(unit, number, name, day(filed), day(closed), unpaid, repaid)
            for part in chain([first], parts) for unit, number, name, filed, closed, unpaid, repaid in part]


OLD_CASE_COLUMNS = [
    FormColumn("代码", "代码", "text"), FormColumn("单位", "单位", "text"),
    FormColumn("陈案化解（目标：存量下降50%）", "年初陈案存量(件)", "count"),
    FormColumn("陈案化解（目标：存量下降50%）", "本年化解(件)", "count"),
    FormColumn("陈案化解（目标：存量下降50%）", "尚未化解(件)", "count"),
    FormColumn("陈案化解（目标：存量下降50%）", "下降率%", "pct"),
    FormColumn("陈案化解（目标：存量下降50%）", "是否达标", "text"),
    FormColumn("2018年底前案件清退（目标：清退完毕）", "案件数(件)", "count"),
    FormColumn("2018年底前案件清退（目标：清退完毕）", "核实未兑付本金(万元)", "wan"),
    FormColumn("2018年底前案件清退（目标：清退完毕）", "已清退金额(万元)", "wan"),
    FormColumn("2018年底前案件清退（目标：清退完毕）", "清退率%", "pct"),
    FormColumn("2018年底前案件清退（目标：清退完毕）", "已清退完毕(件)", "count"),
]


def _summary(figures: dict[str, int]) -> list[object]:
    stock, resolved = figures.get("stock", 0), figures.get("resolved", 0)
    decline = percent(resolved, stock)
    met = "—" if decline is None else ("达标" if decline >= DECLINE_TARGET_PERCENT else "未达标")
    unpaid, repaid = figures.get("unpaid_fen", 0), figures.get("repaid_fen", 0)
    return [stock, resolved, stock - resolved, decline, met,
            figures.get("payout_cases", 0), unpaid, repaid, percent(repaid, unpaid), figures.get("cleared", 0)]


def total_summary(summary: Summary) -> dict[str, int]:
    return {key: sum(unit.get(key, 0) for unit in summary.values()) for key in SUMMARY_KEYS}


# Which source the figures follow when a unit's two reports disagree (docs/statistics.md).
SOURCE_NOTE = ("注：本表各项数字（含下降率、清退率）均按各单位案件台账（最新报送版本）计算；陈案处置进展与案件台账不一致的，"
               "以案件台账为准，不一致之处列于案件统计月报、年报的“核对”表，由单位核实更正。")


def old_case_forms(summary: Summary, cases: list[OldCase] | None, period: Period,
                   form_no: str) -> dict[str, StatForm]:
    """The per-unit disposal summary and, when ``cases`` is given (annual), the list of
    pre-2019 cases with their 清退率."""
    unknown = sorted(set(summary) - {u.code for u in units()} - {REPEATED})
    if unknown:
        raise ValueError(f"warehouse holds cases of units not in the registry: {', '.join(unknown)}")
    rows = [[u.code, u.name, *_summary(summary.get(u.code, {}))] for u in units()]
    rows.append(["", "合计", *_summary(total_summary(summary))])
    summary_form = StatForm(
        title="非法集资陈案处置情况表", form_no=form_no, period_label=f"{period.label}（截至{_last_day(period)}）",
        unit_of_measure="件、万元、%", columns=OLD_CASE_COLUMNS, rows=rows, sheet="陈案处置",
        notes=["注：年初陈案存量 = 本年1月1日前立案且当日未结案的案件；本年化解 = 其中结案日期在本年1月1日至报告期末的案件；"
               "下降率% = 本年化解 ÷ 年初陈案存量 × 100，目标为不低于50%；"
               "清退率% = 已清退金额 ÷ 核实未兑付本金 × 100（2019年1月1日前立案的案件），目标为清退完毕（100%）。",
               SOURCE_NOTE])
    if REPEATED in summary:
        summary_form.notes.append(REPEATED_OLD_NOTE)
    if cases is None:
        return {"old_cases": summary_form}
    # by (unit_code, case_no), the fields an OldCase begins with: a case's key is unique
    payouts = sorted(c for c in cases if c.filed_date < PAYOUT_CUTOFF)
    names = {u.code: u.name for u in units()}
    days = {day: day.isoformat() for day in set(map(attrgetter("filed_date"), payouts))}
    listing = [[number, names.get(unit, unit), name, days[filed], unpaid, repaid, percent(repaid, unpaid),
                "已清退完毕" if repaid >= unpaid else "未清退完毕"]
               for unit, number, name, filed, _closed, unpaid, repaid in payouts]
    repeated = summary.get(REPEATED, {})  # a case two units list is on both rows, once in the 合计
    unpaid = sum(map(attrgetter("unpaid_fen"), payouts)) + repeated.get("unpaid_fen", 0)
    repaid = sum(map(attrgetter("repaid_fen"), payouts)) + repeated.get("repaid_fen", 0)
    cleared = list(map(itemgetter(7), listing)).count("已清退完毕")
    listing.append(["", "合计", f"{len(payouts) + repeated.get('payout_cases', 0)}件", "", unpaid, repaid,
                    percent(repaid, unpaid), f"已清退完毕{cleared + repeated.get('cleared', 0)}件"])
    payout_form = StatForm(
        title="2018年底前立案非法集资案件清退情况表", form_no=form_no + "附", period_label=period.label,
        unit_of_measure="万元、%", sheet="清退明细", rows=listing,
        columns=[FormColumn("案件编号", "案件编号", "text"), FormColumn("单位", "单位", "text"),
                 FormColumn("案件名称", "案件名称", "text"), FormColumn("立案日期", "立案日期", "text"),
                 FormColumn("核实未兑付本金(万元)", "核实未兑付本金(万元)", "wan"),
                 FormColumn("已清退金额(万元)", "已清退金额(万元)", "wan"),
                 FormColumn("清退率%", "清退率%", "pct"), FormColumn("状态", "状态", "text")],
        notes=["注：清退率% = 已清退金额 ÷ 核实未兑付本金 × 100；已清退金额 ≥ 核实未兑付本金 为已清退完毕。", SOURCE_NOTE])
    if REPEATED in summary:
        payout_form.notes.append(REPEATED_OLD_NOTE)
    return {"old_cases": summary_form, "old_case_payouts": payout_form}


def _last_day(period: Period) -> str:
    from datetime import timedelta

    day = period.end - timedelta(days=1)
    return f"{day.year}年{day.month}月{day.day}日"


CHECK_COLUMNS = [FormColumn("代码", "代码", "text"), FormColumn("单位", "单位", "text"),
                 FormColumn("案件编号", "案件编号", "text"), FormColumn("案件名称", "案件名称", "text"),
                 FormColumn("核对项目", "核对项目", "text"),
                 FormColumn("填报值", "陈案处置进展", "text"), FormColumn("填报值", "案件台账", "text"),
                 FormColumn("来源（回执编号）", "陈案处置进展", "text"),
                 FormColumn("来源（回执编号）", "案件台账", "text")]


def reconciled_month(period: Period) -> Period:
    """The month whose reports a package reconciles: the month itself, or December for the year."""
    return period if period.kind == "month" else month_period(period.year, 12)


def old_case_check_form(connection: Connection, period: Period, form_no: str) -> tuple[StatForm, list[str]]:
    """The 核对 form: every disagreement between a unit's 陈案处置进展 and its 案件台账 of the month
    (December for the year), per case and field with both values and both receipts, as the
    warehouse holds them now; and the sha256 of every file compared."""
    month = reconciled_month(period)
    found, progress, ledgers = old_case_check.period_discrepancies(connection, month)
    names = {u.code: u.name for u in units()}
    compared = sorted({d.unit_code for d in found} | set(progress))
    sources = sorted({progress[code].sha256 for code in compared if code in progress}
                     | {ledgers[code].sha256 for code in compared if code in ledgers})

    def receipt(reports: dict, code: str) -> str:
        return reports[code].sha256[:12] if code in reports else "—"

    rows = [[d.unit_code, names.get(d.unit_code, d.unit_code), d.case_no or "—", d.case_name or "—", d.item,
             d.progress_value, d.ledger_value, receipt(progress, d.unit_code), receipt(ledgers, d.unit_code)]
            for d in found]
    cases = len({(d.unit_code, d.case_no) for d in found if d.case_no})
    rows.append(["", "合计", f"{cases}件", "", f"{len(found)}项", "", "", "", ""])
    files = "；".join(f"{names.get(code, code)}：" + "，".join(
        f"{DATASETS[report.dataset].title} {report.source}"
        for report in (progress.get(code), ledgers.get(code)) if report is not None) for code in compared)
    notes = [f"注：1. 逐案核对各单位{month.label}报送的陈案处置进展与同月案件台账（均为当前有效版本）中的本年陈案"
             "（本年1月1日前立案且当日未结案的案件）：核实未兑付本金、已清退金额（进展表为累计清退金额）、处置阶段、"
             "是否化解/结案日期（化解即台账填有结案日期，且日期相同）；金额按分精确比较，台账未填的金额按0计。"
             "2. “是否列报”为只有一份报表列报的案件；“报送情况”为本月只报送了其中一份报表的单位。"
             "3. 两者不一致时，陈案化解率（下降率）与清退率以案件台账为准，请相关单位核实后更正有误的一份。"
             "4. 回执编号为报送文件的 SHA-256 前12位（回执 receipts/<SHA-256>.json）。",
             f"注：核对的文件：{files}。" if files else f"注：{month.label}没有单位报送陈案处置进展。"]
    form = StatForm(title="陈案处置进展与案件台账核对表", form_no=form_no, period_label=month.label,
                    unit_of_measure="件、万元", columns=CHECK_COLUMNS, rows=rows, sheet="核对", notes=notes)
    return form, sources
