"""Every report the office issues: one DAG each, one package per period in ``outbox/<dag_id>/``.

For each report: its dag_id, its Chinese title (the DAG's doc heading), the period its data
interval covers (``schedule``: the ``PeriodTimetable`` kind of its DAG), the kinds its run waits
for before it builds (the ``wait_for_submissions`` sensor, from the obligations of
``chufei.kinds.obligations``), and the builder that writes its package. The report DAGs, the
library-level year build (``chufei.outbox.packages``), delivery and the 处非统计 page read it;
``tests/unit/test_report_registry.py`` fails when a DAG file and this list disagree.

Light on purpose: the delivery DAG reads it when its file is parsed, so builders are imported
only when they run.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from chufei.core.periods import Period

Builder = Callable[..., dict]  # (engine, data, period, dag_id) → the package's manifest


def _case_statistics(engine, data, period: Period, dag_id: str) -> dict:  # noqa: ANN001
    from chufei.outbox.case_reports import build_case_statistics_package

    return build_case_statistics_package(engine, data, period, dag_id)


def _report_rewards(engine, data, period: Period, dag_id: str) -> dict:  # noqa: ANN001
    from chufei.outbox.office_reports import build_office_package, reward_forms

    return build_office_package(engine, data, period, dag_id, reward_forms)


def _risk_rollup(engine, data, period: Period, dag_id: str) -> dict:  # noqa: ANN001
    from chufei.outbox.office_reports import build_office_package, risk_rollup_forms

    return build_office_package(engine, data, period, dag_id, risk_rollup_forms)


def _warnings_actions(engine, data, period: Period, dag_id: str) -> dict:  # noqa: ANN001
    from chufei.outbox.office_reports import build_office_package, warning_forms

    return build_office_package(engine, data, period, dag_id, warning_forms)


def _situation(engine, data, period: Period, dag_id: str) -> dict:  # noqa: ANN001
    from chufei.outbox.situation import analysis_period, build_situation_package

    return build_situation_package(engine, data, analysis_period(period))  # H2 runs analyse the year


def _grid_monitoring(engine, data, period: Period, dag_id: str) -> dict:  # noqa: ANN001
    from chufei.outbox.grid_reports import grid_monitoring_forms
    from chufei.outbox.office_reports import build_office_package

    return build_office_package(engine, data, period, dag_id, grid_monitoring_forms)


def _work_plan_progress(engine, data, period: Period, dag_id: str) -> dict:  # noqa: ANN001
    from chufei.outbox.office_reports import build_office_package
    from chufei.outbox.work_plan_reports import work_plan_progress_forms

    return build_office_package(engine, data, period, dag_id, work_plan_progress_forms)


def _publicity(engine, data, period: Period, dag_id: str) -> dict:  # noqa: ANN001
    from chufei.outbox.office_reports import build_office_package
    from chufei.outbox.publicity_reports import publicity_forms

    return build_office_package(engine, data, period, dag_id, publicity_forms)


@dataclass(frozen=True)
class Report:
    dag_id: str
    title: str
    schedule: str  # the PeriodTimetable kind of its DAG (chufei.dagkit.timetables.KINDS)
    builder: Builder
    awaits: tuple[str, ...] = ()  # kinds whose owed submissions the run waits for

    @property
    def period_kind(self) -> str:
        """The kind of period one run's data interval covers."""
        return "half" if self.schedule == "risk_ledger" else self.schedule

    @property
    def asset(self) -> str:
        """The Asset its build task updates; the delivery DAG is triggered by it."""
        return f"outbox.{self.dag_id}"

    def build(self, engine, data, period: Period) -> dict:  # noqa: ANN001
        """Write the package of ``period`` (the run's period) and return its manifest."""
        with _collector_paused():
            return self.builder(engine, data, period, self.dag_id)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while a package is built: a long list's objects (the
    annual 清退 list's 120,000 cases, their rows and cells) all live until its files are written,
    and each full collection walked them all again to free nothing (about 6 % of the year's
    packages' CPU time). What a build leaves in cycles (its workbooks) is collected after it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


REPORTS: dict[str, Report] = {report.dag_id: report for report in (
    Report("case_statistics_monthly", "非法集资案件统计月报", "month", _case_statistics, awaits=("case_ledger",)),
    Report("case_statistics_quarterly", "非法集资案件统计季报", "quarter", _case_statistics),
    Report("case_statistics_annual", "非法集资案件统计年报", "year", _case_statistics),
    Report("report_reward_quarterly", "举报奖励情况统计季报", "quarter", _report_rewards),
    Report("risk_ledger_rollup", "风险监测台账汇总", "risk_ledger", _risk_rollup),
    Report("warnings_actions_quarterly", "风险提示、行政处置与广告资讯排查统计", "quarter", _warnings_actions),
    Report("situation_analysis", "形势分析", "half", _situation),
    Report("grid_monitoring_monthly", "网格监测月报", "month", _grid_monitoring),
    Report("work_plan_progress", "工作要点任务进展", "month", _work_plan_progress),
    Report("publicity_quarterly", "宣传教育情况统计季报", "quarter", _publicity),
)}


def title(dag_id: str) -> str:
    """A report's Chinese title, or the folder name itself for what is not a report."""
    return REPORTS[dag_id].title if dag_id in REPORTS else dag_id
