"""The case-statistics packages (案件统计报表) for a month, quarter or year.

A package holds the form by unit, the same figures by 行业领域 and, for months and years, the
old-case disposal forms (陈案). All come from the same facts, so month, quarter and year agree.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

from chufei.warehouse import schema as warehouse
from chufei.core.settings import DataDir
from chufei.statistics.old_cases import old_case_facts, old_case_forms, old_case_summary
from chufei.core.periods import Period
from chufei.statistics.forms import FormColumn, StatForm
from chufei.outbox.reports import write_package
from chufei.statistics.cases import CASE_FIGURES, case_sources, case_statistics, industry_rows, spans_for, unit_rows

REPORT_TITLES = {"month": "月", "quarter": "季", "year": "年"}
FORM_NUMBERS = {"month": "鄂处非统1表", "quarter": "鄂处非统2表", "year": "鄂处非统3表"}
REPORTS = {"month": "case_statistics_monthly", "quarter": "case_statistics_quarterly",
           "year": "case_statistics_annual"}
NOTE = ("注：新发案件按立案日期统计；立案数为行政处置中“行政处罚”立案查处的件数，行政处置数为各类行政处置的件数；"
        "存量(陈案)办结数指本年以前立案、本期结案的案件数；超亿元指涉案金额≥1亿元，超千人指集资参与人数≥1000人；"
        "同比% =（本年累计−上年同期累计）÷上年同期累计×100；环比% =（本期−上期）÷上期×100；分母为0时不计算。")


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
        figures = case_statistics(connection, period)
        sources = case_sources(connection, period)
        listing = old_case_facts(connection) if period.kind == "year" else None
    old = old_case_summary(engine, period) if period.kind in ("month", "year") else None
    title = f"非法集资案件统计{REPORT_TITLES[period.kind]}报表"
    forms = {
        "": StatForm(title=f"{title}（按单位）", form_no=FORM_NUMBERS[period.kind], period_label=period.label,
                     unit_of_measure="件、万元、人", columns=case_columns(period.kind),
                     rows=[[code, name, *cells] for code, name, cells in unit_rows(figures)],
                     sheet="按单位", notes=[NOTE]),
        "_by_industry": StatForm(title=f"{title}（按行业领域）", form_no=FORM_NUMBERS[period.kind] + "-2",
                                 period_label=period.label, unit_of_measure="件、万元、人",
                                 columns=case_columns(period.kind, "行业领域"),
                                 rows=[[code, name, *cells] for code, name, cells in industry_rows(figures)],
                                 sheet="按行业领域", notes=[NOTE]),
    }
    if old is not None:
        forms.update({f"_{stem}": form for stem, form in
                      old_case_forms(old, listing, period, FORM_NUMBERS[period.kind] + "-3").items()})
    return forms, sources


def build_case_statistics_package(engine: Engine, data: DataDir, period: Period, report: str | None = None) -> dict:
    """Compute and write outbox/<report>/<period>/v<n>/; returns the manifest with the folder path."""
    report = report or REPORTS[period.kind]
    warehouse.ensure_schema(engine)
    forms, sources = case_statistics_forms(engine, period)
    root: Path = data.outbox / report / period.key
    return write_package(root, report, period.key,
                         {f"{report}_{period.key}{suffix}": form for suffix, form in forms.items()}, sources)
