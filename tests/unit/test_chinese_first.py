"""Every DAG speaks Chinese first: period schedules and Params read in Chinese (doc_md: test_dag_policy)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import REPO

DAG_IDS = sorted(path.stem for path in (REPO / "dags").glob("*.py"))
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def dags():
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(REPO / "dags"))
    assert not bag.import_errors, bag.import_errors
    return bag.dags


@pytest.mark.parametrize("dag_id", DAG_IDS)
def test_period_schedules_read_in_chinese(dags, dag_id):
    from chufei.dagkit.timetables import PeriodTimetable

    timetable = dags[dag_id].timetable
    if not isinstance(timetable, PeriodTimetable):
        pytest.skip(f"{dag_id} is not a period DAG ({type(timetable).__name__})")
    assert CJK.search(timetable.description)
    assert not re.search(r"[A-Za-z]{3,}", timetable.description.replace("YYYY", "")), timetable.description


@pytest.mark.parametrize("dag_id", DAG_IDS)
def test_params_have_chinese_titles_descriptions_and_examples(dags, dag_id):
    params = dags[dag_id].params
    for name in params:
        schema = params.get_param(name).schema
        description = params.get_param(name).description or ""
        assert CJK.search(schema.get("title", "")), (dag_id, name, schema)
        assert CJK.match(description), (dag_id, name, description)  # Chinese first
        assert schema.get("examples"), (dag_id, name, schema)
        # the examples are valid values, so an operator can copy one
        for example in schema["examples"]:
            params.get_param(name).resolve(example)
