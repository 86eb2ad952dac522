"""Steps every report DAG shares: wait for the period's submissions, record who was missing, build.

What a report waits for and how its package is built are the report registry's
(``chufei.outbox.registry``); who owes the awaited kinds, the obligations source's. Used from the
DAG files (see ``dags/case_statistics_monthly.py``) and the sensor ``chufei.dagkit.wait_for_submissions``,
whose last poke records who was missing::

    @task(outlets=[PACKAGE])
    def build_package(period_key: str) -> dict:
        return period_run.build_report("case_statistics_monthly", period_key)
"""

from __future__ import annotations

from datetime import datetime, UTC

from chufei.core.periods import parse_period


def grace_deadline(context, period_key: str) -> datetime:  # noqa: ANN001
    """When a run stops waiting: the period's due date + grace, from the DAG's PeriodTimetable."""
    from chufei.dagkit.timetables import PeriodTimetable

    period = parse_period(period_key)
    timetable = getattr(context.get("dag"), "timetable", None)
    if not isinstance(timetable, PeriodTimetable):
        timetable = PeriodTimetable(period.kind)
    return timetable.fire_at(timetable.window(period.start))


def submissions_ready(report: str, period_key: str, context) -> bool:  # noqa: ANN001
    """Sensor poke: True once every owed submission of the kinds ``report`` awaits arrived, or the
    grace deadline passed."""
    from chufei.warehouse import runtime
    from chufei.ops.watch import submissions_complete_or_due
    from chufei.outbox.registry import REPORTS

    # The clock decides only whether to keep waiting; the period itself comes from the run.
    period, deadline, now = parse_period(period_key), grace_deadline(context, period_key), datetime.now(UTC)
    engine = runtime.warehouse_engine()
    return all(submissions_complete_or_due(engine, kind, period, deadline, now) for kind in REPORTS[report].awaits)


def record_missing(report: str, period_key: str) -> list[str]:
    """The units still missing for ``report``'s period when its run goes ahead, recorded in
    ``period_missing`` (replacing an earlier run's record) and logged; returns their codes."""
    import logging

    from chufei.warehouse import runtime
    from chufei.ops.watch import record_period_missing
    from chufei.outbox.registry import REPORTS

    missing = [code for kind in REPORTS[report].awaits
               for code in record_period_missing(runtime.warehouse_engine(), report, kind, parse_period(period_key))]
    log = logging.getLogger(__name__)
    if missing:
        log.info("%s %s：%d 个单位未报送（%s），已记入 period_missing，继续出表", report, period_key,
                 len(missing), "、".join(missing))
    else:
        log.info("%s %s：各单位均已报送，开始出表", report, period_key)
    return missing


def build_report(report: str, period_key: str) -> dict:
    """The build task of a report DAG: its package for the run's period, as the registry builds it.
    Airflow gets counts and paths only (``package_summary``), never the manifest's cell texts."""
    from chufei.outbox.registry import REPORTS
    from chufei.outbox.reports import package_summary
    from chufei.warehouse import runtime

    return package_summary(REPORTS[report].build(runtime.warehouse_engine(), runtime.data(), parse_period(period_key)))
