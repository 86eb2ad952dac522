"""Steps every period DAG shares: wait for the period's submissions, then record who was missing.

Used from the DAG files (see ``dags/case_statistics_monthly.py``)::

    @task.sensor(**dagkit.SUBMISSIONS_SENSOR)
    def wait_for_submissions(period_key: str) -> bool:
        return period_run.submissions_ready("case_ledger", period_key, get_current_context())
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


def submissions_ready(dataset: str, period_key: str, context) -> bool:  # noqa: ANN001
    """Sensor poke: True once every owed submission arrived or the grace deadline passed."""
    from chufei.warehouse import runtime
    from chufei.ops.watch import submissions_complete_or_due

    # The clock decides only whether to keep waiting; the period itself comes from the run.
    return submissions_complete_or_due(runtime.warehouse_engine(), dataset, parse_period(period_key),
                                       grace_deadline(context, period_key), datetime.now(UTC))


def record_missing(report: str, dataset: str, period_key: str) -> dict:
    import logging

    from chufei.warehouse import runtime
    from chufei.ops.watch import record_period_missing

    missing = record_period_missing(runtime.warehouse_engine(), report, dataset, parse_period(period_key))
    logging.getLogger(__name__).info("%s %s: going ahead with %d unit(s) missing (codes: %s)", report,
                                     period_key, len(missing), ", ".join(missing) or "none")
    return {"period": period_key, "missing_units": missing}
