"""The case-statistics packages (案件统计报表) for a month, quarter or year.

A package holds the form by unit, the same figures by 行业领域, the cases several units report
(重复上报: every copy, which one the 合计 counts) and, for months and years, the old-case disposal
forms (陈案) with their 核对 form (陈案处置进展 against the 案件台账). All come from the same facts, so
month, quarter and year agree.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

from chufei.warehouse import schema as warehouse
from chufei.core.settings import DataDir
from chufei.statistics.old_cases import old_case_check_form, old_case_facts, old_case_forms, old_case_summary
from chufei.core.periods import Period
from chufei.statistics.forms import FormColumn, FormPart, StatForm
from chufei.outbox.reports import issue_date_of, write_package
from chufei.statistics.cases import (CASE_FIGURES, base_reported, case_contribution, case_sources, case_statistics,
                                     industry_rows, spans_for, unit_rows)
from chufei.warehouse.case_duplicates import DuplicateCase, duplicate_cases

REPORT_TITLES = {"month": "月", "quarter": "季", "year": "年"}
FORM_NUMBERS = {"month": "鄂处非统1表", "quarter": "鄂处非统2表", "year": "鄂处非统3表"}
# The nine figures, too many for one page side by side, as three numbered forms of three.
PARTS = (("一", "案件基本情况", ("new_cases", "amount_fen", "participants")),
         ("二", "重大案件情况", ("cross_region_cases", "over_100m_cases", "over_1000_cases")),
         ("三", "处置情况", ("filed_cases", "admin_actions", "old_cases_closed")))
NO_BASE_NOTE = ("“—”表示比较基期无数据：该单位（合计行及按行业领域各行为全部单位）未报送上年同期的{what}，"
                "不能视为0，同比不计算。")


def notes(kind: str, repeats: bool = False) -> list[str]:
    """The form's footnotes: definitions, and only the ratios the form has; ``repeats``: the form
    is by unit and its 合计 leaves out copies of cases other units also report."""
    ratios = "同比% =（本年累计−上年同期累计）÷上年同期累计×100"
    if kind == "month":
        ratios += "；环比% =（本期−上期）÷上期×100"
    period_word = "本年" if kind == "year" else "本期"
    return [f"注：1. 新发案件按立案日期统计；立案数为行政处置中“行政处罚”立案查处的件数，行政处置数为各类行政处置的件数；"
            f"存量(陈案)办结数指本年以前立案、{period_word}结案的案件数；超亿元指涉案金额≥1亿元，超千人指集资参与人数≥1000人。"
            f"2. {ratios}；分母为0或无数据时不计算。3. 校验关系：合计 = 各行之和"
            + ("−重复上报案件中不重复计入合计的记录" if repeats else "")
            + ("。" if kind == "year" else "；本年累计 ≥ 本期。")]


REPEATED_NOTE = ("注：同一案件由两个及以上单位报送的（重复上报，明细见“重复上报”表），各单位行均列示该案件，"
                 "合计行只计一次，计入牵头单位报送的记录（公安机关报送的优先，其次为最先报送该案件的单位），"
                 "故本表合计可能小于各单位行之和。")
REPEATED_INDUSTRY_NOTE = ("注：重复上报的案件（明细见“重复上报”表）在各行业领域行和合计行均只计一次，"
                          "按牵头单位报送的记录计入。")


def _spans(period: Period) -> list[tuple]:
    """(start, end, year_start) of every span the package's figures cover."""
    last = period.shift_years(-1)
    spans = [(period.year_start, period.end, period.year_start), (last.year_start, last.end, last.year_start)]
    if period.kind == "month":
        before = period.previous()
        spans.append((before.start, before.end, before.year_start))
    return spans


def repeated_form(duplicates: list[DuplicateCase], period: Period, form_no: str) -> StatForm | None:
    """重复上报: each case several units report that counts in one of the package's spans, every
    copy on a row (where the unit listed it, and whether the 合计 counts it); None when there is none."""
    listed = [d for d in duplicates if any(any(case_contribution(copy, *span).values())
                                           for copy in d.copies for span in _spans(period))]
    if not listed:
        return None
    rows = []
    for number, duplicate in enumerate(listed, 1):
        for copy in duplicate.copies:
            where = f"{copy.period_key} 第 {copy.row_no} 行" if copy.row_no else copy.period_key
            rows.append([f"{number:03d}", copy.unit_name, copy.case_no, copy.case_name or "",
                         copy.filed_date.isoformat() if copy.filed_date else "", copy.amount_fen, copy.participants,
                         where, duplicate.basis, "计入合计（牵头单位）" if copy is duplicate.lead else "不重复计入合计"])
    rows.append(["", "合计", f"{len(listed)}件", "", "", None, None, f"{len(rows)}条记录", "",
                 f"不重复计入{len(rows) - len(listed)}条"])
    return StatForm(
        title="非法集资案件重复上报情况表", form_no=form_no, period_label=period.label, unit_of_measure="万元、人",
        sheet="重复上报", rows=rows,
        columns=[FormColumn("序号", "序号", "text"), FormColumn("报送单位", "报送单位", "text"),
                 FormColumn("案件编号", "案件编号", "text"), FormColumn("案件名称", "案件名称", "text"),
                 FormColumn("立案日期", "立案日期", "text"), FormColumn("涉案金额(万元)", "涉案金额(万元)", "wan"),
                 FormColumn("集资参与人数(人)", "集资参与人数(人)", "count"),
                 FormColumn("报送位置（报告期、行）", "报送位置（报告期、行）", "text"),
                 FormColumn("认定依据", "认定依据", "text"), FormColumn("计入情况", "计入情况", "text")],
        notes=["注：案件编号相同，或案件名称（忽略全半角、空格和标点）、立案日期、涉案金额均相同的，视为同一案件。"
               "全市合计只计一次，计入牵头单位报送的记录：公安机关报送的优先，其次为最先报送该案件的单位，"
               "再次为单位代码在前的单位；各单位的本单位行仍列示其报送的记录。列出本表各统计期间内立案或结案的重复上报案件。"])


def _parts(kind: str) -> tuple[FormPart, ...]:
    spans = len(spans_for(kind))
    position = {figure.key: index for index, figure in enumerate(CASE_FIGURES)}
    return tuple(FormPart(number, title, tuple(2 + position[key] * spans + offset for key in keys
                                               for offset in range(spans)))
                 for number, title, keys in PARTS)


def _no_data(kind: str, rows: list[list], covered) -> frozenset:
    """Cells of 上年同期累计 with no submission behind them (and nothing counted): "—".
    ``covered(row, dataset)`` says whether the row's units reported that base."""
    spans = spans_for(kind)
    base = spans.index("上年同期累计")
    cells = set()
    for figure_index, figure in enumerate(CASE_FIGURES):
        column = 2 + figure_index * len(spans) + base
        for row_index, values in enumerate(rows):
            if not values[column] and not covered(values, figure.dataset):
                cells.add((row_index, column))
    return frozenset(cells)


def _with_no_data(form: StatForm, kind: str, cells: frozenset) -> StatForm:
    if cells:
        spans = len(spans_for(kind))
        datasets = {CASE_FIGURES[(column - 2) // spans].dataset for _, column in cells}
        what = "、".join(sorted({"案件台账" if d == "case_ledger" else "行政处置情况" for d in datasets}))
        form.no_data = cells
        form.notes = [*form.notes, "注：" + NO_BASE_NOTE.format(what=what)]
    return form


def case_columns(kind: str = "quarter", first: str = "单位") -> list[FormColumn]:
    columns = [FormColumn("代码", "代码", "text"), FormColumn(first, first, "text")]
    for figure in CASE_FIGURES:
        group = f"{figure.label}({figure.unit})"
        for span in spans_for(kind):
            kind_of = "pct" if span.endswith("%") else ("wan" if figure.money else "count")
            columns.append(FormColumn(group, span, kind_of))
    return columns


def case_statistics_forms(engine: Engine, period: Period) -> tuple[dict[str, StatForm], list[str]]:
    """The package's forms keyed by a stem suffix ("" = by unit), and the source files' sha256."""
    with engine.connect() as connection:
        duplicates = duplicate_cases(connection)  # once: each look-up checks the data's state
        figures = case_statistics(connection, period, duplicates)
        sources = case_sources(connection, period)
        listing = old_case_facts(connection) if period.kind == "year" else None
        reported = base_reported(connection, period)
        # the 陈案 part reconciles the units' progress reports with their ledgers: their files are sources too
        check = (old_case_check_form(connection, period, FORM_NUMBERS[period.kind] + "-3核")
                 if period.kind in ("month", "year") else None)
    old = old_case_summary(engine, period, duplicates) if period.kind in ("month", "year") else None
    title = f"非法集资案件统计{REPORT_TITLES[period.kind]}报表"
    by_unit = unit_rows(figures)
    by_industry = industry_rows(figures)
    unit_body = [[code, name, *cells] for code, name, cells in by_unit]
    industry_body = [[code, name, *cells] for code, name, cells in by_industry]
    forms = {
        "": StatForm(title=f"{title}（按单位）", form_no=FORM_NUMBERS[period.kind], period_label=period.label,
                     unit_of_measure="件、万元、人", columns=case_columns(period.kind), rows=unit_body,
                     sheet="按单位", notes=notes(period.kind, figures.repeats_counted()), parts=_parts(period.kind)),
        "_by_industry": StatForm(title=f"{title}（按行业领域）", form_no=FORM_NUMBERS[period.kind] + "-2",
                                 period_label=period.label, unit_of_measure="件、万元、人",
                                 columns=case_columns(period.kind, "行业领域"), rows=industry_body,
                                 sheet="按行业领域", notes=notes(period.kind), parts=_parts(period.kind)),
    }
    # A unit's row: did it report? 合计 and the 行业领域 rows sum every unit: did any?
    forms[""] = _with_no_data(forms[""], period.kind, _no_data(
        period.kind, unit_body, lambda row, dataset: row[0] in reported[dataset] if row[0] else bool(reported[dataset])))
    forms["_by_industry"] = _with_no_data(forms["_by_industry"], period.kind, _no_data(
        period.kind, industry_body, lambda row, dataset: bool(reported[dataset])))
    repeated = repeated_form(duplicates, period, FORM_NUMBERS[period.kind] + "-4")
    if repeated is not None:
        if figures.repeats_counted():
            forms[""].notes = [*forms[""].notes, REPEATED_NOTE]
            forms["_by_industry"].notes = [*forms["_by_industry"].notes, REPEATED_INDUSTRY_NOTE]
        forms["_repeated"] = repeated
    if old is not None:
        forms.update({f"_{stem}": form for stem, form in
                      old_case_forms(old, listing, period, FORM_NUMBERS[period.kind] + "-3").items()})
    if check is not None:
        forms["_old_case_check"] = check[0]
        sources = sorted(set(sources) | set(check[1]))
    return forms, sources


def build_case_statistics_package(engine: Engine, data: DataDir, period: Period, report: str) -> dict:
    """Compute and write outbox/<report>/<period>/v<n>/; returns the manifest with the folder path."""
    warehouse.ensure_schema(engine)
    forms, sources = case_statistics_forms(engine, period)
    root: Path = data.outbox / report / period.key
    return write_package(root, report, period.key,
                         {f"{report}_{period.key}{suffix}": form for suffix, form in forms.items()}, sources,
                         issued=issue_date_of(engine, period.end, sources))
