"""``PeriodTimetable``: one DAG run per reporting period, fired after the period's due date + grace.

Airflow's cron timetables either have a zero-length data interval (``CronTriggerTimetable``) or
fire at the end of the interval (``CronDataIntervalTimetable``), before units had a chance to
report. Here the data interval is exactly the reporting period in Asia/Shanghai and the run is
created only once the period's submissions are due and the grace period has passed:

===============  ==================================  ==============================  ==========
kind             data interval (Asia/Shanghai)       due date (default)              key
===============  ==================================  ==============================  ==========
``month``        [1st of M, 1st of M+1)              ``due_day`` of M+1 (5th)        2020-06
``quarter``      [1st of Q, 1st of Q+1)              ``due_day`` of the next month   2020Q2
                                                     (10th)
``half``         [Jan 1, Jul 1) / [Jul 1, Jan 1)     ``due_day`` of the next month   2020H1
                                                     (15th)
``year``         [Jan 1, Jan 1 next year)            ``due_day`` of January (20th)   2020
``risk_ledger``  the half year, as ``half``            inside it: 6/20 (H1) and 12/10  2020H1
                                                     (H2) (task 十 of the work plan)
===============  ==================================  ==============================  ==========

The due dates of ``month``, ``quarter`` and ``risk_ledger`` are the work plan's, read from the one
obligations source (``chufei.kinds.obligations``, ``include/reference/work_plan_tasks.json``):
a period DAG waits for the submissions it reports on. No submission covers a half year or a year
on a day of the next month, so ``half`` and ``year`` runs keep the office's own report days.

The run fires at the end of the due day (midnight after it) plus ``grace`` (default from the
Airflow option ``[chufei] grace_days`` / env ``AIRFLOW__CHUFEI__GRACE_DAYS``, else 2 days).

Manual runs (``infer_manual_data_interval``) cover the latest whole period that ended at or
before ``run_after`` (for ``risk_ledger``: whose snapshot was due), so ``dag.test(logical_date=<local midnight 2020-07-01>)`` runs June; the
``period`` Param (``chufei.dagkit.period_param``) overrides it. Backfills select periods by
their first day in Asia/Shanghai: ``--from-date 2020-01-01 --to-date 2020-03-31`` is January to
March whether the CLI read the dates as UTC or local.

Registered with Airflow by ``plugins/chufei_plugin.py`` (``AirflowPlugin.timetables``) so the
scheduler can deserialize it. Only the standard library, pendulum, ``airflow.timetables.base`` and
``chufei.kinds.obligations`` (standard library only) are imported: DAG files build it at parse time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pendulum
from airflow.timetables.base import DagRunInfo, DataInterval, Timetable, TimeRestriction

DEFAULT_TIMEZONE = "Asia/Shanghai"
KINDS = ("month", "quarter", "half", "year", "risk_ledger")
# The office's report days of the half-year and annual reports (no submission is due on them).
REPORT_DUE_DAY = {"half": 15, "year": 20}
DEFAULT_GRACE_DAYS = 2.0
_KIND_MONTHS = {"month": 1, "quarter": 3, "half": 6, "year": 12}
_KIND_LABEL = {"month": "每月", "quarter": "每季度", "half": "每半年", "year": "每年",
               "risk_ledger": "风险监测台账每半年"}
_DUE_LABEL = {"month": "次月{day}日", "quarter": "季度结束次月{day}日", "half": "半年结束次月{day}日", "year": "次年1月{day}日"}


class PeriodScheduleError(ValueError):
    """A timetable built with arguments that do not describe a reporting schedule."""


def default_due_day(kind: str) -> int:
    """The day of the next month a ``kind`` period's submissions are due (the work plan's), else
    the office's report day (``REPORT_DUE_DAY``)."""
    from chufei.kinds.obligations import due_day_of_next_month

    return due_day_of_next_month(kind) or REPORT_DUE_DAY[kind]


def risk_ledger_due(start: date) -> date:
    """The due day of the risk-monitoring ledger's snapshot of the half starting on ``start``."""
    from chufei.kinds.obligations import fixed_due_dates

    month, day = fixed_due_dates("risk_ledger")["H1" if start.month == 1 else "H2"]
    return date(start.year, month, day)


def configured_grace() -> timedelta:
    """The grace period after a due date: ``[chufei] grace_days`` (Airflow config or env), else 2 days.

    Read from the environment / airflow.cfg only (never the metadata DB), so it is safe at parse time.
    """
    from chufei.core.settings import chufei_option

    raw = chufei_option("grace_days", "")
    try:
        days = float(raw) if raw else DEFAULT_GRACE_DAYS
    except ValueError as error:
        raise PeriodScheduleError(f"[chufei] grace_days must be a number of days, got {raw!r}") from error
    if days < 0:
        raise PeriodScheduleError(f"[chufei] grace_days must not be negative, got {raw!r}")
    return timedelta(days=days)


@dataclass(frozen=True)
class PeriodWindow:
    """One scheduled period: [start, end) as calendar dates, its due date and its key."""

    kind: str
    start: date
    end: date  # exclusive
    due: date  # inclusive: submissions on this day are on time

    @property
    def key(self) -> str:
        if self.kind == "month":
            return f"{self.start.year}-{self.start.month:02d}"
        if self.kind == "quarter":
            return f"{self.start.year}Q{(self.start.month - 1) // 3 + 1}"
        if self.kind in ("half", "risk_ledger"):
            return f"{self.start.year}H{1 if self.start.month == 1 else 2}"
        return f"{self.start.year}"


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + (day.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


def window_containing(kind: str, day: date, due_day: int | None = None) -> PeriodWindow:
    """The period of ``kind`` that contains the calendar day ``day``."""
    months = _KIND_MONTHS["half" if kind == "risk_ledger" else kind]
    start = date(day.year, (day.month - 1) // months * months + 1, 1)
    end = _add_months(start, months)
    if kind == "risk_ledger":  # the half-year's snapshot is due inside it: 6/20 and 12/10
        return PeriodWindow(kind, start, end, risk_ledger_due(start))
    return PeriodWindow(kind, start, end, end.replace(day=due_day or default_due_day(kind)))


class PeriodTimetable(Timetable):
    """Data interval = one reporting period; run after its due date + grace (see module doc)."""

    periodic = True
    run_ordering = ("data_interval_end", "logical_date")

    def __init__(self, kind: str = "month", *, due_day: int | None = None,
                 grace: timedelta | float | None = None, timezone: str = DEFAULT_TIMEZONE) -> None:
        if kind not in KINDS:
            raise PeriodScheduleError(f"unknown period kind {kind!r}; use one of {', '.join(KINDS)}")
        if due_day is not None and (kind == "risk_ledger" or not 1 <= int(due_day) <= 28):
            raise PeriodScheduleError(
                f"due_day {due_day!r} must be 1–28 (the day of the month after the period); "
                "the risk ledger's due dates are fixed at 6/20 and 12/10")
        if grace is None:
            grace = configured_grace()
        elif not isinstance(grace, timedelta):
            grace = timedelta(days=float(grace))
        if grace < timedelta(0):
            raise PeriodScheduleError(f"grace must not be negative, got {grace}")
        self.kind = kind
        self.due_day = None if kind == "risk_ledger" else int(due_day or default_due_day(kind))
        self.grace = grace
        self.timezone = timezone
        self._tz = pendulum.timezone(timezone)
        self.description = self.summary

    # --- the calendar -----------------------------------------------------------------------------
    def window(self, day: date) -> PeriodWindow:
        return window_containing(self.kind, day, self.due_day)

    def window_after(self, window: PeriodWindow) -> PeriodWindow:
        return self.window(window.end)

    def window_before(self, window: PeriodWindow) -> PeriodWindow:
        return self.window(window.start - timedelta(days=1))

    def first_window_on_or_after(self, day: date) -> PeriodWindow:
        window = self.window(day)
        return window if window.start >= day else self.window_after(window)

    def _local(self, moment: datetime) -> pendulum.DateTime:
        return pendulum.instance(moment).in_timezone(self._tz)

    def _midnight(self, day: date) -> pendulum.DateTime:
        return pendulum.datetime(day.year, day.month, day.day, tz=self._tz)

    def deadline(self, window: PeriodWindow) -> pendulum.DateTime:
        """End of the due day: submissions arriving before this moment are on time."""
        return self._midnight(window.due + timedelta(days=1))

    def fire_at(self, window: PeriodWindow) -> pendulum.DateTime:
        return self.deadline(window) + self.grace

    def data_interval(self, window: PeriodWindow) -> DataInterval:
        return DataInterval(start=self._midnight(window.start), end=self._midnight(window.end))

    def window_of_interval(self, interval: DataInterval) -> PeriodWindow:
        return self.window(self._local(interval.start).date())

    def run_info(self, window: PeriodWindow) -> DagRunInfo:
        return DagRunInfo(run_after=self.fire_at(window), data_interval=self.data_interval(window))

    def latest_fired_window(self, now: datetime) -> PeriodWindow:
        """The latest period whose run time has passed at ``now``."""
        window = self.window(self._local(now).date())
        while self.fire_at(window) > now:
            window = self.window_before(window)
        return window

    # --- the Timetable protocol -------------------------------------------------------------------
    @property
    def summary(self) -> str:
        """Shown in the DAG list and the DAG's details, e.g. "每月一期：次月5日前报送，到期后2天运行（北京时间）"."""
        due = ("当期6月20日、12月10日" if self.kind == "risk_ledger"
               else _DUE_LABEL[self.kind].format(day=self.due_day))
        days = self.grace / timedelta(days=1)
        zone = "北京时间" if self.timezone == DEFAULT_TIMEZONE else self.timezone
        return f"{_KIND_LABEL[self.kind]}一期：{due}前报送，到期后{days:g}天运行（{zone}）"

    def infer_manual_data_interval(self, *, run_after: datetime) -> DataInterval:
        """A manual run covers the latest whole period that ended at or before ``run_after``."""
        window = self.window(self._local(run_after).date())
        closes = self.deadline if self.kind == "risk_ledger" else (lambda w: self._midnight(w.end))
        if closes(window) > run_after:
            window = self.window_before(window)
        return self.data_interval(window)

    def next_dagrun_info(self, *, last_automated_data_interval: DataInterval | None,
                         restriction: TimeRestriction) -> DagRunInfo | None:
        candidates: list[PeriodWindow] = []
        if last_automated_data_interval is not None:
            candidates.append(self.window_after(self.window_of_interval(last_automated_data_interval)))
        if restriction.earliest is not None:
            candidates.append(self.first_window_on_or_after(self._local(restriction.earliest).date()))
        elif last_automated_data_interval is None:
            return None  # no start_date: nothing to schedule
        if not restriction.catchup:
            candidates.append(self.latest_fired_window(pendulum.now("UTC")))
        window = max(candidates, key=lambda w: w.start)
        if restriction.latest is not None and window.start > self._local(restriction.latest).date():
            return None
        return self.run_info(window)

    def generate_run_id(self, *, run_type, run_after, data_interval, **extra) -> str:  # noqa: ANN001
        """Ids that name the period, so the runs list shows it: ``scheduled__2020-06``.

        The scheduler creates one run per period, so its ids need nothing more; a period may be
        triggered by hand many times, so a manual id adds when (``manual__2020-06_20200708T093000``).
        """
        if data_interval is None:
            return super().generate_run_id(run_type=run_type, run_after=run_after,
                                           data_interval=data_interval, **extra)
        key = self.window_of_interval(data_interval).key
        if str(getattr(run_type, "value", run_type)) == "manual":
            from chufei.core.periods import manual_run_id

            return manual_run_id(key, self._local(run_after))
        return run_type.generate_run_id(suffix=key)

    def serialize(self) -> dict[str, Any]:
        return {"kind": self.kind, "due_day": self.due_day,
                "grace_seconds": int(self.grace.total_seconds()), "timezone": self.timezone}

    @classmethod
    def deserialize(cls, data: dict[str, Any]) -> PeriodTimetable:
        return cls(data["kind"], due_day=data.get("due_day"),
                   grace=timedelta(seconds=data["grace_seconds"]), timezone=data["timezone"])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PeriodTimetable) and self.serialize() == other.serialize()

    def __hash__(self) -> int:
        return hash(tuple(sorted(self.serialize().items())))

    def __repr__(self) -> str:
        return (f"PeriodTimetable({self.kind!r}, due_day={self.due_day!r}, grace={self.grace!r}, "
                f"timezone={self.timezone!r})")

