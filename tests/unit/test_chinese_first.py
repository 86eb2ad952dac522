"""Every DAG speaks Chinese first: schedules (period, cron and asset) and Params read in Chinese
(doc_md: test_dag_policy)."""

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
def test_every_schedule_reads_in_chinese(dags, dag_id):
    """What the DAG list shows (summary, description as its tooltip) is what the dag-processor
    stores: the timetable as the scheduler deserializes it, cron and asset schedules included."""
    from airflow.serialization.serialized_objects import DagSerialization

    timetable = DagSerialization.from_dict(DagSerialization.to_dict(dags[dag_id])).timetable
    for text in (timetable.summary, timetable.description):
        assert CJK.search(text), (dag_id, text)
        assert not re.search(r"[A-Za-z]{3,}", text), (dag_id, text)


def test_cron_schedules_say_when_in_chinese():
    from chufei.dagkit.schedules import ChineseCronTimetable

    assert ChineseCronTimetable("*/30 * * * *").summary == "每 30 分钟（北京时间）"
    assert ChineseCronTimetable("0 9 * * *").summary == "每天 09:00（北京时间）"


def test_asset_schedules_say_what_triggers_them(dags):
    assert dags["provincial_delivery"].timetable.summary == "任一报表包更新后运行"
    assert dags["submission_watch"].timetable.summary == "每天 09:00（北京时间），或案件台账更新后运行"


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
