"""PeriodTimetable: data interval = the reporting period, fired after due date + grace (Asia/Shanghai)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, UTC
from zoneinfo import ZoneInfo

import pendulum
import pytest
from airflow.timetables.base import DataInterval, TimeRestriction

from chufei.dagkit.timetables import PeriodScheduleError, PeriodTimetable

SH = ZoneInfo("Asia/Shanghai")
UTC = UTC


def sh(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


def first_run(tt: PeriodTimetable, earliest: datetime, catchup: bool = True, latest=None):
    return tt.next_dagrun_info(last_automated_data_interval=None,
                               restriction=TimeRestriction(earliest, latest, catchup))


def runs_between(tt: PeriodTimetable, earliest: datetime, latest: datetime) -> list:
    restriction, info, result = TimeRestriction(earliest, latest, True), None, []
    while True:
        info = tt.next_dagrun_info(last_automated_data_interval=info and info.data_interval,
                                   restriction=restriction)
        if info is None:
            return result
        result.append(info)


@pytest.mark.parametrize(("kind", "earliest", "start", "end", "run_after"), [
    # month: interval = June, due 5 July, fires at the end of 5 July + 2 days grace
    ("month", sh(2020, 6, 1), sh(2020, 6, 1), sh(2020, 7, 1), sh(2020, 7, 8)),
    ("quarter", sh(2020, 4, 1), sh(2020, 4, 1), sh(2020, 7, 1), sh(2020, 7, 13)),
    ("half", sh(2020, 7, 1), sh(2020, 7, 1), sh(2021, 1, 1), sh(2021, 1, 18)),
    ("year", sh(2020, 1, 1), sh(2020, 1, 1), sh(2021, 1, 1), sh(2021, 1, 23)),
    # risk ledger: the half year, fired 2 days after its snapshot's due day (6/20, 12/10)
    ("risk_ledger", sh(2020, 1, 1), sh(2020, 1, 1), sh(2020, 7, 1), sh(2020, 6, 23)),
    ("risk_ledger", sh(2020, 7, 1), sh(2020, 7, 1), sh(2021, 1, 1), sh(2020, 12, 13)),
])
def test_first_run_interval_is_the_period_and_fires_after_due_plus_grace(kind, earliest, start, end, run_after):
    info = first_run(PeriodTimetable(kind, grace=2), earliest)
    assert info.data_interval == DataInterval(start, end)
    assert info.run_after == run_after
    assert info.logical_date == start


def test_mid_period_start_date_begins_with_the_next_whole_period():
    info = first_run(PeriodTimetable("quarter", grace=0), sh(2020, 2, 15))
    assert info.data_interval == DataInterval(sh(2020, 4, 1), sh(2020, 7, 1))


def test_due_day_and_grace_are_configurable():
    info = first_run(PeriodTimetable("month", due_day=10, grace=timedelta(hours=6)), sh(2020, 2, 1))
    assert info.data_interval == DataInterval(sh(2020, 2, 1), sh(2020, 3, 1))
    assert info.run_after == sh(2020, 3, 11, 6)


def test_grace_comes_from_airflow_config(monkeypatch):
    monkeypatch.setenv("AIRFLOW__CHUFEI__GRACE_DAYS", "3")
    assert PeriodTimetable("month").grace == timedelta(days=3)
    monkeypatch.setenv("AIRFLOW__CHUFEI__GRACE_DAYS", "soon")
    with pytest.raises(PeriodScheduleError, match="grace_days must be a number"):
        PeriodTimetable("month")


def test_consecutive_runs_cover_the_year_without_gap_or_overlap():
    infos = runs_between(PeriodTimetable("month", grace=1), sh(2020, 1, 1), sh(2020, 12, 31))
    assert [i.data_interval.start for i in infos] == [sh(2020, m, 1) for m in range(1, 13)]
    assert all(a.data_interval.end == b.data_interval.start for a, b in zip(infos, infos[1:], strict=False))
    assert infos[-1].data_interval.end == sh(2021, 1, 1)
    assert infos[1].run_after == sh(2020, 3, 7)  # February: due 5 March, +1 day


def test_risk_ledger_half_years_alternate_between_the_two_due_dates():
    infos = runs_between(PeriodTimetable("risk_ledger", grace=0), sh(2020, 1, 1), sh(2021, 6, 30))
    assert [(i.data_interval.start, i.data_interval.end, i.run_after) for i in infos] == [
        (sh(2020, 1, 1), sh(2020, 7, 1), sh(2020, 6, 21)), (sh(2020, 7, 1), sh(2021, 1, 1), sh(2020, 12, 11)),
        (sh(2021, 1, 1), sh(2021, 7, 1), sh(2021, 6, 21))]


@pytest.mark.parametrize("from_date", [datetime(2020, 1, 1, tzinfo=UTC), sh(2020, 1, 1)])
def test_backfill_dates_select_periods_by_their_local_first_day(from_date):
    """`airflow backfill create --from-date 2020-01-01 --to-date 2020-03-31` is January to March."""
    to_date = from_date.replace(month=3, day=31)
    infos = runs_between(PeriodTimetable("month", grace=2), from_date, to_date)
    assert [i.data_interval.start for i in infos] == [sh(2020, 1, 1), sh(2020, 2, 1), sh(2020, 3, 1)]


def test_without_catchup_the_first_run_is_the_latest_period_already_due():
    tt = PeriodTimetable("month", grace=2)
    info = first_run(tt, sh(2020, 1, 1), catchup=False)
    now = pendulum.now("UTC")
    # the latest month whose run time has passed, and the month after it is not due yet
    assert info.run_after <= now
    following = tt.next_dagrun_info(last_automated_data_interval=info.data_interval,
                                    restriction=TimeRestriction(sh(2020, 1, 1), None, True))
    assert following.run_after > now


def test_no_start_date_schedules_nothing_and_latest_bounds_the_schedule():
    tt = PeriodTimetable("month", grace=0)
    assert first_run(tt, None) is None
    assert first_run(tt, sh(2020, 5, 1), latest=sh(2020, 4, 30)) is None


@pytest.mark.parametrize(("kind", "run_after", "start", "end"), [
    ("month", sh(2020, 7, 1), sh(2020, 6, 1), sh(2020, 7, 1)),          # what dag.test(logical_date=) uses
    ("month", sh(2020, 7, 17, 9, 30), sh(2020, 6, 1), sh(2020, 7, 1)),  # a click in the UI mid-July
    ("month", datetime(2020, 6, 30, 16, 0, tzinfo=UTC), sh(2020, 6, 1), sh(2020, 7, 1)),
    ("quarter", sh(2020, 8, 2), sh(2020, 4, 1), sh(2020, 7, 1)),
    ("half", sh(2020, 12, 31, 23), sh(2020, 1, 1), sh(2020, 7, 1)),
    ("year", sh(2021, 1, 1), sh(2020, 1, 1), sh(2021, 1, 1)),
    ("risk_ledger", sh(2020, 6, 21), sh(2020, 1, 1), sh(2020, 7, 1)),   # H1's snapshot was due 6/20
    ("risk_ledger", sh(2020, 6, 20, 23), sh(2019, 7, 1), sh(2020, 1, 1)),
])
def test_manual_run_covers_the_latest_whole_period(kind, run_after, start, end):
    interval = PeriodTimetable(kind, grace=2).infer_manual_data_interval(run_after=pendulum.instance(run_after))
    assert interval == DataInterval(start, end)


def test_run_id_names_the_period():
    from airflow.utils.types import DagRunType

    tt = PeriodTimetable("month", grace=2)
    info = first_run(tt, sh(2020, 6, 1))
    ids = {kind: tt.generate_run_id(run_type=kind, run_after=info.run_after, data_interval=info.data_interval)
           for kind in (DagRunType.SCHEDULED, DagRunType.BACKFILL_JOB, DagRunType.MANUAL)}
    assert ids[DagRunType.SCHEDULED] == "scheduled__2020-06"
    assert ids[DagRunType.BACKFILL_JOB] == "backfill__2020-06"
    # a month may be triggered by hand again and again: the id adds when (Beijing time), Airflow accepts it
    assert ids[DagRunType.MANUAL] == "manual__2020-06_20200708T000000"
    from airflow.configuration import conf
    assert all(re.match(conf.get("scheduler", "allowed_run_id_pattern"), run_id) for run_id in ids.values())


@pytest.mark.parametrize(("tt", "text"), [
    (PeriodTimetable("month", grace=2), "每月一期：次月5日前报送，到期后2天运行（北京时间）"),
    (PeriodTimetable("quarter", grace=1.5), "每季度一期：季度结束次月10日前报送，到期后1.5天运行（北京时间）"),
    (PeriodTimetable("year", grace=0), "每年一期：次年1月20日前报送，到期后0天运行（北京时间）"),
    (PeriodTimetable("risk_ledger", grace=2), "风险监测台账每半年一期：当期6月20日、12月10日前报送，到期后2天运行（北京时间）"),
])
def test_schedule_reads_in_chinese(tt, text):
    assert tt.summary == tt.description == text


def test_serialization_round_trip_through_airflow_keeps_the_schedule():
    from airflow.serialization.decoders import decode_timetable
    from airflow.serialization.encoders import encode_timetable

    original = PeriodTimetable("quarter", due_day=12, grace=timedelta(hours=36))
    encoded = encode_timetable(original)
    assert encoded["__type"] == "chufei.dagkit.timetables.PeriodTimetable"
    restored = decode_timetable(encoded)
    assert restored == original
    assert restored.summary == original.summary
    assert first_run(restored, sh(2020, 1, 1)) == first_run(original, sh(2020, 1, 1))


def test_bad_arguments_fail_with_a_clear_message():
    with pytest.raises(PeriodScheduleError, match="unknown period kind 'week'"):
        PeriodTimetable("week")
    with pytest.raises(PeriodScheduleError, match="due_day 31"):
        PeriodTimetable("month", due_day=31)
    with pytest.raises(PeriodScheduleError, match="negative"):
        PeriodTimetable("month", grace=-1)
