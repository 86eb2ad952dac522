"""The report registry and the report DAG files agree: one DAG per report, same schedule, same package."""

from __future__ import annotations

from pathlib import Path

import pytest

from chufei.outbox.registry import REPORTS

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bag():
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(REPO / "dags"))
    assert not bag.import_errors, bag.import_errors
    return bag


def _outlets(dag) -> set[str]:
    return {getattr(outlet, "name", None) for task in dag.tasks for outlet in task.outlets}


@pytest.mark.parametrize("dag_id", list(REPORTS))
def test_every_report_has_its_dag(bag, dag_id):
    from chufei.dagkit.timetables import PeriodTimetable

    report = REPORTS[dag_id]
    assert (REPO / "dags" / f"{dag_id}.py").is_file()
    dag = bag.dags[dag_id]
    assert isinstance(dag.timetable, PeriodTimetable)
    assert dag.timetable.kind == report.schedule
    assert report.asset in _outlets(dag)
    assert dag.doc_md.lstrip().startswith(f"### {report.title} —")  # the title staff see in the UI
    sensors = [task for task in dag.tasks if task.task_id == "wait_for_submissions"]
    assert bool(sensors) == bool(report.awaits)


def test_every_dag_that_writes_a_package_is_a_report(bag):
    writers = {dag_id for dag_id, dag in bag.dags.items()
               if any(name and name.startswith("outbox.") for name in _outlets(dag))}
    assert writers == set(REPORTS)


def test_delivery_is_triggered_by_every_report_and_only_by_them(bag):
    delivery = bag.dags["provincial_delivery"]
    triggers = {asset.name for asset in delivery.timetable.asset_condition.objects}  # any of them
    assert triggers == {report.asset for report in REPORTS.values()}


def test_awaited_kinds_are_owed_kinds_of_the_report_period():
    from chufei.kinds.obligations import obligations_of

    for report in REPORTS.values():
        for kind in report.awaits:
            assert report.period_kind in {o.period_kind for o in obligations_of(kind)}, (report.dag_id, kind)


def test_a_build_pauses_the_cyclic_collector_and_gives_it_back(monkeypatch):
    """The garbage collector is off while a package is built (its long lists live until written)
    and back as it was afterwards, also when the build fails or the collector was already off."""
    import gc
    from dataclasses import replace

    from chufei.core.periods import month_period

    seen = []

    def builder(engine, data, period, dag_id):  # noqa: ANN001
        seen.append(gc.isenabled())
        if engine == "fail":
            raise RuntimeError("build failed")
        return {"dag_id": dag_id}

    report = replace(REPORTS["case_statistics_monthly"], builder=builder)
    assert gc.isenabled()
    assert report.build("ok", None, month_period(2020, 6)) == {"dag_id": "case_statistics_monthly"}
    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        report.build("fail", None, month_period(2020, 6))
    assert gc.isenabled()
    gc.disable()
    try:
        report.build("ok", None, month_period(2020, 6))
        assert not gc.isenabled()
    finally:
        gc.enable()
    assert seen == [False, False, False]
