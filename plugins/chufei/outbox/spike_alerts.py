"""区域异常升高预警 as forms: the alerts of a day (xlsx + UTF-8-BOM CSV twin), and every test behind
them, so that an officer sees what was tested and not only what fired.

``spike_forms`` gives the forms for a package (``chufei.outbox.reports.write_package``);
``write_spike_alerts`` writes them into a folder of their own (the early-warning run's day folder).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from chufei.outbox.reports import write_csv, write_xlsx
from chufei.statistics.forms import FormColumn, StatForm
from chufei.statistics.spikes import FREQUENCIES, SOURCES, SpikeReport, SpikeTest, area_name

_COLUMNS = [
    FormColumn("区域", "区域代码", "text"), FormColumn("区域", "区域名称", "text"),
    FormColumn("来源", "来源", "text"), FormColumn("周期", "周期", "text"),
    FormColumn("周期", "起始日期", "text"), FormColumn("周期", "截止日期", "text"),
    FormColumn("实际(件)", "实际(件)", "count"), FormColumn("基线预期(件)", "基线预期(件)", "pct"),
    FormColumn("超出(件)", "超出(件)", "pct"), FormColumn("单项阈值(件)", "单项阈值(件)", "count"),
    FormColumn("检验", "p值", "text"), FormColumn("检验", "BH校正p值", "text"),
    FormColumn("模型", "离散度φ", "pct"), FormColumn("模型", "历史期数", "count"),
    FormColumn("模型", "降权期数", "count"), FormColumn("模型", "趋势/季节", "text"),
    FormColumn("是否预警", "是否预警", "text"), FormColumn("依据(线索编号等)", "依据(线索编号等)", "text"),
]


def _two_places(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


def _row(test: SpikeTest) -> list[object]:
    base = test.baseline
    cells: list[object] = [test.area, area_name(test.area), SOURCES[test.source], FREQUENCIES[test.frequency],
                           test.start.isoformat(), (test.end - timedelta(days=1)).isoformat(), test.observed]
    if base is None:
        cells += [None, None, None, None, None, None, None, None, None, "未检验", test.note]
        return cells
    model = "、".join(part for part, on in (("趋势", base.trend), ("季节", base.seasonal)) if on) or "水平"
    cells += [_two_places(base.expected), _two_places(test.excess), base.threshold, f"{base.p_value:.2g}",
              "" if test.adjusted_p is None else f"{test.adjusted_p:.2g}", _two_places(base.dispersion),
              base.history, base.downweighted, model, "是" if test.alert else "否", "、".join(test.refs)]
    return cells


def _notes(report: SpikeReport) -> list[str]:
    s = report.settings
    return [f"注：截至 {report.as_of.isoformat()}（不含）的最近一个完整周、月；参数版本 {s.version}。",
            f"单项检验显著性水平 α={s.alpha_per_test}：无异常时，单个区域×来源被误报的概率不超过 α；同一期全部区域×来源"
            f"经 Benjamini–Hochberg 校正，错误发现率 q={s.fdr_q}（全无异常时，一期出现任何误报的概率不超过 q）。",
            f"预警条件：p≤α、BH校正p≤q 且实际件数不少于 {s.min_observed} 件。基线为拟泊松广义线性模型（趋势、年度季节项，"
            "过去暴发期降权，Farrington 法），见 include/reference/early_warning.json。",
            "来源在全市都无记录的周期视为无数据（不是 0），不进入基线，也不检验。"]


def spike_forms(report: SpikeReport) -> dict[str, StatForm]:
    """``spike_alerts``: the alerts (a row each, 合计 last); ``spike_tests``: every test made."""
    label = f"截至{report.as_of.isoformat()}"
    order = {code: index for index, code in enumerate(SOURCES)}

    def key(test: SpikeTest):
        return (test.frequency != "week", order[test.source], test.area)

    alerts = [_row(t) for t in sorted(report.alerts, key=key)]
    tests = [_row(t) for t in sorted(report.tests, key=key)]
    alert_total = ["合计", f"{len(alerts)}条", *[None] * (len(_COLUMNS) - 2)]
    alert_total[6] = sum(t.observed for t in report.alerts)
    test_total = ["合计", f"{len(tests)}项", *[None] * (len(_COLUMNS) - 2)]
    test_total[6] = sum(t.observed for t in report.tests)
    common = dict(period_label=label, unit_of_measure="件", columns=_COLUMNS, notes=_notes(report))
    return {
        "spike_alerts": StatForm(title="区域异常升高预警", form_no="处非预警表2", sheet="异常升高预警",
                                 rows=alerts + [alert_total], **common),
        "spike_tests": StatForm(title="区域异常升高检验明细", form_no="处非预警表2附", sheet="检验明细",
                                rows=tests + [test_total], **common),
    }


def write_spike_alerts(folder: Path, report: SpikeReport, issued: date | None = None) -> list[Path]:
    """Each form as ``<stem>.xlsx`` and its ``<stem>.csv`` twin in ``folder``; returns the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for stem, form in spike_forms(report).items():
        write_xlsx(form, folder / f"{stem}.xlsx", (issued or report.as_of).isoformat())
        write_csv(form, folder / f"{stem}.csv")
        written += [folder / f"{stem}.xlsx", folder / f"{stem}.csv"]
    return written
