"""Half-year and annual situation analysis (形势分析): trends by month, district and 行业领域, with
charts, and a short generated Chinese summary for the bulletins (通报).

Figures come from ``chufei.statistics.cases.case_figures`` (the same facts as the case-statistics
forms); 同比 compares the same span one year earlier. The summary's fifth paragraph adds the
prevention work of the period: public risk warnings and the advert-screening campaign; the sixth the
grid monitoring and the publicity work of the span, whose forms (the 网格监测 and 宣传教育 forms over
the span) are part of the package, so that each of its figures is one of theirs.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

from sqlalchemy.engine import Engine

from chufei.warehouse import schema as warehouse
from chufei.core.settings import DataDir, code_lists
from chufei.statistics.old_cases import percent
from chufei.core.periods import Period
from chufei.core.units import units
from chufei.statistics.forms import ChartSpec, FormColumn, StatForm, wan
from chufei.outbox.reports import issue_date_of, write_package
from chufei.core.sql import fetch_rows
from chufei.warehouse.case_duplicates import duplicate_cases
from chufei.statistics.cases import Figures, case_figures, case_sources, growth_percent, reporting_units

REPORT = "situation_analysis"


def _total(figures: Figures, key: str, select=lambda group: True) -> int:
    return sum(values.get(key, 0) for group, values in figures.items() if select(group))


def _compare_columns(first: str) -> list[FormColumn]:
    return [FormColumn("代码", "代码", "text"), FormColumn(first, first, "text"),
            FormColumn("新发案件数(件)", "本期", "count"), FormColumn("新发案件数(件)", "上年同期", "count"),
            FormColumn("新发案件数(件)", "同比%", "pct"),
            FormColumn("涉案金额(万元)", "本期", "wan"), FormColumn("涉案金额(万元)", "上年同期", "wan"),
            FormColumn("涉案金额(万元)", "同比%", "pct"),
            FormColumn("集资参与人数(人)", "本期", "count"), FormColumn("集资参与人数(人)", "上年同期", "count"),
            FormColumn("集资参与人数(人)", "同比%", "pct")]


# 上年同期 of 新发案件数, 涉案金额, 集资参与人数 in the district and industry forms (their 同比 is
# empty without a base already)
BASE_COLUMNS = (3, 6, 9)


def _compare_cells(current: Figures, last: Figures, select) -> list[object]:
    cells: list[object] = []
    for key in ("new_cases", "amount_fen", "participants"):
        now, before = _total(current, key, select), _total(last, key, select)
        cells += [now, before, growth_percent(now, before)]
    return cells


NO_BASE_NOTE = ("注：“—”表示比较基期无数据：上年同期没有单位（分地区各行为该地区的单位）报送案件台账，"
                "不能视为0，同比不计算。")


def _no_base(rows: list[list], base_columns: tuple[int, ...], reported) -> frozenset[tuple[int, int]]:
    """The 上年同期 cells of rows whose base nobody reported: "—" (their 同比 stays empty).
    ``reported(row_index)`` says whether any unit of the row sent its case ledgers a year before."""
    cells = set()
    for index, values in enumerate(rows):
        if not reported(index):
            for column in base_columns:
                if not values[column]:  # something counted is a figure, whatever the coverage
                    cells.add((index, column))
    return frozenset(cells)


def _with_no_base(form: StatForm, cells: frozenset[tuple[int, int]]) -> StatForm:
    return replace(form, no_data=cells, notes=[*form.notes, NO_BASE_NOTE]) if cells else form


def _trend(word_now: int, word_before: int, unit: str, money: bool = False, base_reported: bool = True) -> str:
    """"10件，同比增长25.00%（上年同期8件）"; amounts in 万元 rounded half-up to 2 places. Without
    a base ("上年同期无数据") there is nothing to compare with, which is not a base of 0."""
    from decimal import ROUND_HALF_UP

    def shown(value: int) -> str:
        return (f"{wan(value).quantize(Decimal('0.01'), ROUND_HALF_UP)}" if money else str(value)) + unit

    if not base_reported and not word_before:
        return f"{shown(word_now)}（上年同期无数据）"
    growth = growth_percent(word_now, word_before)
    if growth is None:
        return f"{shown(word_now)}（上年同期为0）"
    direction = "增长" if growth > 0 else ("下降" if growth < 0 else "持平")
    change = "" if growth == 0 else f"{abs(growth)}%"
    return f"{shown(word_now)}，同比{direction}{change}（上年同期{shown(word_before)}）"


@dataclass(frozen=True)
class Prevention:
    """The period's prevention work for the bulletin: public risk warnings and the advert
    screening (summed from the units' 排查汇总), with the files they came from."""

    warnings: int
    staff_deployed: int
    items_removed: int
    clues_transferred: int
    sources: frozenset[str]


def prevention_work(engine: Engine, period: Period) -> Prevention:
    bounds = {"range_start": period.start, "range_end": period.end}
    warnings = fetch_rows(engine, "risk_warning_rows", **bounds)
    screening = fetch_rows(engine, "ad_screening_counts", **bounds)
    return Prevention(len(warnings), sum(int(r["staff_deployed"] or 0) for r in screening),
                      sum(int(r["items_removed"] or 0) for r in screening),
                      sum(int(r["clues_transferred"] or 0) for r in screening),
                      frozenset(r["file_sha256"] for r in warnings + screening))


def summary_text(period: Period, current: Figures, last: Figures, old_stock: int, old_resolved: int,
                 prevention: Prevention | None = None, base_reported: bool = True) -> str:
    """A short bulletin paragraph with the key figures and their 同比."""
    industries = code_lists()["行业领域"]
    territorial = [u for u in units() if u.kind == "territorial"]
    by_district = sorted(((_total(current, "new_cases", lambda g, c=u.code: g[0] == c), u.name) for u in territorial),
                         key=lambda item: (-item[0], item[1]))
    by_industry = sorted(((_total(current, "new_cases", lambda g, n=name: g[1] == n), name) for name in industries),
                         key=lambda item: (-item[0], industries.index(item[1])))
    top_industries = [f"{name}（{count}件）" for count, name in by_industry[:3] if count]
    lines = [
        f"{period.label}全市非法集资形势分析",
        "",
        f"一、总体情况。{period.label}，全市新发非法集资案件"
        f"{_trend(_total(current, 'new_cases'), _total(last, 'new_cases'), '件', base_reported=base_reported)}；"
        f"涉案金额{_trend(_total(current, 'amount_fen'), _total(last, 'amount_fen'), '万元', True, base_reported)}；"
        f"集资参与人数{_trend(_total(current, 'participants'), _total(last, 'participants'), '人', base_reported=base_reported)}；"
        f"其中跨区域案件{_total(current, 'cross_region_cases')}件，超亿元案件{_total(current, 'over_100m_cases')}件，"
        f"超千人案件{_total(current, 'over_1000_cases')}件。",
        f"二、分地区看，新发案件最多的是{by_district[0][1]}（{by_district[0][0]}件）。"
        if by_district and by_district[0][0] else "二、分地区看，各属地本期均无新发案件。",
        f"三、分行业看，案件主要集中在{'、'.join(top_industries)}。" if top_industries
        else "三、分行业看，本期无新发案件。",
        f"四、处置情况。行政处置{_total(current, 'admin_actions')}件，其中行政处罚立案{_total(current, 'filed_cases')}件；"
        f"存量陈案年初{old_stock}件，本年已化解{old_resolved}件，化解率"
        f"{percent(old_resolved, old_stock) if old_stock else '—'}%（目标不低于50%）。",
    ]
    if prevention is not None:
        lines.append(f"五、防范宣传。各地各部门向社会公众提示风险{prevention.warnings}次；开展广告资讯信息排查清理，"
                     f"出动{prevention.staff_deployed}人次，清理涉非广告资讯{prevention.items_removed}条，"
                     f"移送线索{prevention.clues_transferred}条。")
    return "\n".join(lines) + "\n"


def monitoring_forms(engine: Engine, period: Period) -> tuple[dict[str, StatForm], list[str]]:
    """The span's 网格监测 form (districts and 乡镇街道) and 宣传教育 forms (activities, targets)."""
    from chufei.outbox.grid_reports import grid_monitoring_forms
    from chufei.outbox.publicity_reports import publicity_forms

    grid, grid_sources = grid_monitoring_forms(engine, period)
    publicity, publicity_sources = publicity_forms(engine, period)
    forms = {"_grid_monitoring": replace(grid[""], form_no="鄂处非析5表"),
             "_publicity": replace(publicity[""], form_no="鄂处非析6表"),
             "_publicity_targets": replace(publicity["_targets"], form_no="鄂处非析6表附1")}
    return forms, sorted(set(grid_sources) | set(publicity_sources))


def monitoring_text(forms: dict[str, StatForm]) -> str:
    """六、: the key figures of the span's 网格监测 and 宣传教育 forms, read from their 合计 rows."""
    grid, publicity, targets = (forms[k].rows for k in ("_grid_monitoring", "_publicity", "_publicity_targets"))
    clues, transferred, silent, closed, rate = (grid[-1][i] for i in (2, 8, 10, 15, 16))
    if clues:
        parts = [f"全市网格员上报涉非线索{clues}条，研判后移交{transferred}条，办结{closed}条，办结率{rate}%；"
                 f"{silent}个网格本期无上报，需督促补齐监测盲区"]
    else:
        parts = ["本期未收到网格员上报的涉非线索"]
    if any((index, 2) not in forms["_publicity"].no_data for index in range(len(publicity) - 1)):
        events, people, materials = (publicity[-1][i] for i in (2, len(publicity[-1]) - 2, len(publicity[-1]) - 1))
        body = targets[:-1]
        held = sum(1 for row in body if row[3] == "已开展")
        listed, covered, coverage = targets[-1][4], targets[-1][5], targets[-1][7]
        month = forms["_publicity_targets"].columns[2].label.removesuffix("活动场次")
        parts.append(f"各地各部门开展防范非法集资宣传教育活动{events}场，参与{people}人次，发放资料{materials}份；"
                     f"宣传教育月（{month}）{len(body)}个属地中{held}个开展了活动；进社区宣教覆盖社区村{covered}个"
                     + (f"，覆盖率{coverage}%（名录{listed}个）" if coverage is not None else ""))
    else:
        parts.append("本期无单位报送宣传教育活动情况")
    return "六、网格监测和宣传教育。" + "；".join(parts) + "。"


def situation_forms(engine: Engine, period: Period) -> tuple[dict[str, StatForm], str, list[str]]:
    from chufei.statistics.old_cases import old_case_summary, total_summary

    last = period.shift_years(-1)
    with engine.connect() as connection:
        duplicates = duplicate_cases(connection)  # once for the 26 spans: each look-up checks the data's state
        months = [(m, case_figures(connection, m.start, m.end, m.year_start, duplicates),
                   case_figures(connection, m.shift_years(-1).start, m.shift_years(-1).end,
                                m.shift_years(-1).year_start, duplicates)) for m in period.months()]
        current = case_figures(connection, period.start, period.end, period.year_start, duplicates)
        before = case_figures(connection, last.start, last.end, last.year_start, duplicates)
        sources = case_sources(connection, period)
        # who sent case ledgers a year before: a base nobody reported is "no data", not 0
        base = reporting_units(connection, "case_ledger", last.start, last.end)
        month_base = [bool(reporting_units(connection, "case_ledger", m.shift_years(-1).start, m.shift_years(-1).end))
                      for m in period.months()]
    by_unit = old_case_summary(engine, period, duplicates)
    old = total_summary(by_unit)

    month_rows = []
    for month, now, year_before in months:
        month_rows.append([month.key, f"{month.start.month}月", _total(now, "new_cases"), _total(year_before, "new_cases"),
                           _total(now, "amount_fen"), _total(year_before, "amount_fen"), _total(now, "participants"),
                           _total(year_before, "participants"), _total(now, "admin_actions"),
                           _total(now, "old_cases_closed")])
    month_rows.append(["", "合计", *[sum(row[i] for row in month_rows) for i in range(2, 10)]])
    trend = StatForm(
        title=f"{period.label}非法集资案件月度趋势", form_no="鄂处非析1表", period_label=period.label,
        unit_of_measure="件、万元、人", sheet="月度趋势", rows=month_rows,
        columns=[FormColumn("代码", "代码", "text"), FormColumn("月份", "月份", "text"),
                 FormColumn("新发案件数(件)", "本年", "count"), FormColumn("新发案件数(件)", "上年同月", "count"),
                 FormColumn("涉案金额(万元)", "本年", "wan"), FormColumn("涉案金额(万元)", "上年同月", "wan"),
                 FormColumn("集资参与人数(人)", "本年", "count"), FormColumn("集资参与人数(人)", "上年同月", "count"),
                 FormColumn("行政处置数(件)", "行政处置数(件)", "count"),
                 FormColumn("存量(陈案)办结数(件)", "存量(陈案)办结数(件)", "count")],
        charts=(ChartSpec("line", "新发案件数月度趋势（本年与上年同月）", "件", 1, (2, 3)),
                ChartSpec("line", "涉案金额月度趋势（本年与上年同月）", "万元", 1, (4, 5)),
                ChartSpec("line", "集资参与人数月度趋势（本年与上年同月）", "人", 1, (6, 7))))
    month_reported = [*month_base, any(month_base)]  # the 合计 row: any month had a base
    trend = _with_no_base(trend, _no_base(month_rows, (3, 5, 7), lambda i: month_reported[i]))

    territorial = [u for u in units() if u.kind == "territorial"]
    departmental = {u.code for u in units() if u.kind != "territorial"}
    district_rows = [[u.code, u.name, *_compare_cells(current, before, lambda g, c=u.code: g[0] == c)]
                     for u in territorial]
    district_rows.append(["D", "市直部门", *_compare_cells(current, before, lambda g: g[0] in departmental)])
    district_rows.append(["", "合计", *_compare_cells(current, before, lambda g: True)])
    district = StatForm(
        title=f"{period.label}非法集资案件分地区情况", form_no="鄂处非析2表", period_label=period.label,
        unit_of_measure="件、万元、人", sheet="分地区", rows=district_rows, columns=_compare_columns("地区"),
        charts=(ChartSpec("bar", "分地区新发案件数（本期与上年同期）", "件", 1, (2, 3)),
                ChartSpec("bar", "分地区涉案金额（本期与上年同期）", "万元", 1, (5, 6)),
                ChartSpec("bar", "分地区集资参与人数（本期与上年同期）", "人", 1, (8, 9))))
    row_units = [{u.code} for u in territorial] + [departmental, {u.code for u in units()}]
    district = _with_no_base(district, _no_base(district_rows, BASE_COLUMNS, lambda i: bool(row_units[i] & base)))

    industries = code_lists()["行业领域"]
    industry_rows = [[f"{i:02d}", name, *_compare_cells(current, before, lambda g, n=name: g[1] == n)]
                     for i, name in enumerate(industries, 1)]
    industry_rows.append(["", "合计", *_compare_cells(current, before, lambda g: True)])
    industry = StatForm(
        title=f"{period.label}非法集资案件分行业情况", form_no="鄂处非析3表", period_label=period.label,
        unit_of_measure="件、万元、人", sheet="分行业", rows=industry_rows, columns=_compare_columns("行业领域"),
        charts=(ChartSpec("bar", "分行业新发案件数（本期与上年同期）", "件", 1, (2, 3), rotate_labels=True),))
    industry = _with_no_base(industry, _no_base(industry_rows, BASE_COLUMNS, lambda i: bool(base)))
    prevention = prevention_work(engine, period)
    monitoring, monitoring_sources = monitoring_forms(engine, period)
    text = summary_text(period, current, before, old["stock"], old["resolved"], prevention,
                        base_reported=bool(base)) + monitoring_text(monitoring)
    text += "\n"
    from chufei.statistics.old_cases import old_case_forms

    old_form = old_case_forms(by_unit, None, period, "鄂处非析4表")["old_cases"]  # the bulletin's 陈案 figures
    return ({"_by_month": trend, "_by_district": district, "_by_industry": industry, "_old_cases": old_form,
             **monitoring}, text, sorted(set(sources) | prevention.sources | set(monitoring_sources)))


def analysis_period(period: Period) -> Period:
    """The span an analysis run covers: H1 → the first half-year; H2 → the whole year (annual)."""
    from chufei.core.periods import year_period

    if period.kind == "half" and period.start.month == 7:
        return year_period(period.year)
    return period


def build_situation_package(engine: Engine, data: DataDir, period: Period) -> dict:
    warehouse.ensure_schema(engine)
    forms, text, sources = situation_forms(engine, period)
    root: Path = data.outbox / REPORT / period.key
    stem = f"{REPORT}_{period.key}"
    def attachments(issued: str | None) -> dict[str, bytes]:
        from chufei.outbox.bulletin import bulletin_docx

        return {f"{stem}_summary.txt": text.encode("utf-8"), f"{stem}_通报.docx": bulletin_docx(text, forms, issued)}

    return write_package(root, REPORT, period.key, {stem + suffix: form for suffix, form in forms.items()},
                         sources, attachments=attachments, issued=issue_date_of(engine, period.end, sources))
