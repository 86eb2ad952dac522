"""The case-statistics packages (案件统计报表) for a month, quarter or year."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

from chufei import warehouse
from chufei.config import DataDir
from chufei.periods import Period
from chufei.reports import FormColumn, StatForm, write_package
from chufei.statistics import CASE_FIGURES, SPANS, case_sources, case_statistics, unit_rows

REPORT_TITLES = {"month": "月", "quarter": "季", "year": "年"}
FORM_NUMBERS = {"month": "鄂处非统1表", "quarter": "鄂处非统2表", "year": "鄂处非统3表"}


def case_columns() -> list[FormColumn]:
    columns = [FormColumn("代码", "代码", "text"), FormColumn("单位", "单位", "text")]
    for figure in CASE_FIGURES:
        group = f"{figure.label}({figure.unit})"
        for span in SPANS:
            kind = "pct" if span.endswith("%") else ("wan" if figure.money else "count")
            columns.append(FormColumn(group, span, kind))
    return columns


def case_statistics_form(engine: Engine, period: Period) -> tuple[StatForm, list[str]]:
    with engine.connect() as connection:
        figures = case_statistics(connection, period)
        sources = case_sources(connection, period)
    form = StatForm(
        title=f"非法集资案件统计{REPORT_TITLES[period.kind]}报表（按单位）",
        form_no=FORM_NUMBERS[period.kind], period_label=period.label, unit_of_measure="件、万元、人",
        columns=case_columns(),
        rows=[[code, name, *cells] for code, name, cells in unit_rows(figures)],
        notes=["注：新发案件按立案日期统计；存量(陈案)办结数指本年以前立案、本期结案的案件数；"
               "超亿元指涉案金额≥1亿元，超千人指集资参与人数≥1000人；同比% =（本年累计−上年同期累计）÷上年同期累计×100，"
               "上年同期为0时不计算。"])
    return form, sources


def build_case_statistics_package(engine: Engine, data: DataDir, period: Period, report: str) -> dict:
    """Compute and write outbox/<report>/<period>/; returns the manifest with the folder path."""
    warehouse.ensure_schema(engine)
    form, sources = case_statistics_form(engine, period)
    folder: Path = data.outbox / report / period.key
    manifest = write_package(folder, report, period.key, {f"{report}_{period.key}": form}, sources)
    return {**manifest, "folder": str(folder)}
