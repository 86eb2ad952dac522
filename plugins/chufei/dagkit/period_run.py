"""Steps every report DAG shares: wait for the period's submissions, record who was missing, build.

What a report waits for and how its package is built are the report registry's
(``chufei.outbox.registry``); who owes the awaited kinds, the obligations source's. Used from the
DAG files (see ``dags/case_statistics_monthly.py``; the sensor is ``chufei.dagkit.wait_for_submissions``)::

    @task(multiple_outputs=True)
    def record_missing(period_key: str) -> dict:
        return period_run.record_missing("case_statistics_monthly", period_key)
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


def record_missing(report: str, period_key: str) -> dict:
    import logging

    from chufei.warehouse import runtime
    from chufei.ops.watch import record_period_missing
    from chufei.outbox.registry import REPORTS

    missing = [code for kind in REPORTS[report].awaits
               for code in record_period_missing(runtime.warehouse_engine(), report, kind, parse_period(period_key))]
    logging.getLogger(__name__).info("%s %s: going ahead with %d unit(s) missing (codes: %s)", report,
                                     period_key, len(missing), ", ".join(missing) or "none")
    return {"period": period_key, "missing_units": missing}


def build_report(report: str, period_key: str) -> dict:
    """The build task of a report DAG: its package for the run's period, as the registry builds it.
    Airflow gets counts and paths only (``package_summary``), never the manifest's cell texts."""
    from chufei.outbox.registry import REPORTS
    from chufei.outbox.reports import package_summary
    from chufei.warehouse import runtime

    return package_summary(REPORTS[report].build(runtime.warehouse_engine(), runtime.data(), parse_period(period_key)))
