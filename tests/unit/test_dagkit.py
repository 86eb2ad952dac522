"""What chufei.dagkit gives every period DAG: its schedule, start date, catch-up, deadline alert and period Param."""

from __future__ import annotations

from datetime import timedelta

import pytest


def test_monthly_statistics_runs_once_per_month_after_the_due_date(dagbag):
    from chufei.dagkit.timetables import PeriodTimetable

    dag = dagbag.dags["case_statistics_monthly"]
    assert isinstance(dag.timetable, PeriodTimetable)
    assert dag.timetable.kind == "month"
    assert dag.max_active_runs == 1
    assert dag.catchup is False  # default; [chufei] catchup switches it on


def test_period_dags_carry_a_deadline_alert_unless_switched_off(monkeypatch):
    from chufei.dagkit import period_dag

    monkeypatch.setenv("AIRFLOW__CHUFEI__DEADLINE_HOURS", "6")
    alert = period_dag("month")["deadline"]
    assert alert.interval == timedelta(hours=6)
    assert alert.callback.path == "chufei.ops.notify.deadline_missed"
    monkeypatch.setenv("AIRFLOW__CHUFEI__DEADLINE_HOURS", "0")
    assert "deadline" not in period_dag("month")


def test_start_date_and_catchup_come_from_config(monkeypatch):
    from chufei.dagkit import configured_catchup, configured_start_date, period_dag

    monkeypatch.setenv("AIRFLOW__CHUFEI__START_DATE", "2021-04-01")
    monkeypatch.setenv("AIRFLOW__CHUFEI__CATCHUP", "true")
    monkeypatch.setenv("AIRFLOW__CHUFEI__GRACE_DAYS", "0.5")
    kwargs = period_dag("quarter")
    assert kwargs["start_date"].isoformat() == "2021-04-01T00:00:00+08:00"
    assert kwargs["catchup"] is True
    assert kwargs["max_active_runs"] == 1
    from chufei.dagkit.timetables import PeriodTimetable

    assert PeriodTimetable("quarter").grace == timedelta(hours=12)
    monkeypatch.setenv("AIRFLOW__CHUFEI__START_DATE", "April 2021")
    with pytest.raises(ValueError, match=r"start_date must look like 2020-01-01, got 'April 2021'"):
        configured_start_date()
    monkeypatch.setenv("AIRFLOW__CHUFEI__CATCHUP", "maybe")
    with pytest.raises(ValueError, match="catchup must be True or False"):
        configured_catchup()


@pytest.mark.parametrize(("kind", "good", "bad"), [
    ("month", "2020-06", ["2020-13", "2020Q2", "2020-6", "June"]),
    ("quarter", "2020Q2", ["2020Q5", "2020-06"]),
    ("half", "2020H1", ["2020H3", "2020"]),
    ("year", "2020", ["20", "2020-01"]),
])
def test_period_param_rejects_bad_values_when_the_run_is_triggered(kind, good, bad):
    from airflow.sdk.definitions.param import ParamValidationError

    from chufei.dagkit import period_param

    assert period_param(kind).resolve(good) == good
    assert period_param(kind).resolve(None) is None  # empty: the run's data interval
    for value in bad:
        with pytest.raises(ParamValidationError, match=f"'{value}' does not match"):
            period_param(kind).resolve(value)


def test_a_run_without_period_or_interval_fails_with_an_instruction():
    from chufei.dagkit import run_period
    from chufei.core.periods import PeriodError

    with pytest.raises(PeriodError, match="请填写报告期 period，应为 YYYY-MM，如 2020-06"):
        run_period("month", {"params": {"period": None}})
    with pytest.raises(PeriodError, match="'2020Q2' 是季度报告期，本 DAG 按月出表：报告期应为 YYYY-MM，如 2020-06"):
        run_period("month", {"params": {"period": "2020Q2"}})
    with pytest.raises(PeriodError, match="报告期 '2020-13' 无法识别：报告期应为 YYYY-MM，如 2020-06（月份 13 不在 1–12 之间）"):
        run_period("month", {"params": {"period": "2020-13"}})


@pytest.mark.parametrize(("kind", "param", "key"), [("month", "2020-06", "2020-06"), ("quarter", "2020Q2", "2020Q2"),
                                              ("half", "2020H1", "2020H1"), ("year", "2020", "2020"),
                                              ("risk_ledger", "2020H2", "2020H2")])
def test_every_period_kind_adopts_the_schedule_in_one_line(kind, param, key):
    from airflow.sdk import dag

    from chufei.dagkit import period_dag, run_period

    from chufei.dagkit.timetables import PeriodTimetable

    kwargs = period_dag(kind)
    assert kwargs["max_active_runs"] == 1

    @dag(dag_id=f"adopts_{kind}", schedule=PeriodTimetable(kind), **kwargs, tags=["statistics"])
    def adopts():
        pass

    built = adopts()
    assert built.timetable.kind == kind
    assert run_period(kind, {"params": {"period": param}}).key == key
