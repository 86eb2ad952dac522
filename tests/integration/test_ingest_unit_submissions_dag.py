"""The ingest DAG: one Asset per submission kind, and one real run over a mixed inbox."""

from __future__ import annotations

import json

import pytest

from chufei.core.settings import REPO_ROOT
from chufei.kinds.registry import DATASETS
from chufei.kinds.templates import write_submission
from tests.fixtures.hostile import corpus


def _dag():
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(REPO_ROOT / "dags" / "ingest_unit_submissions.py"))
    assert bag.import_errors == {}
    return bag.get_dag("ingest_unit_submissions")


def test_every_dataset_is_an_asset_outlet(airflow_db):
    task = _dag().get_task("ingest_inbox")
    assert sorted(outlet.name for outlet in task.outlets) == sorted(f"warehouse.{name}" for name in DATASETS)


@pytest.mark.slow
def test_a_run_over_good_and_hostile_files_succeeds(airflow_env, tmp_path):
    data = airflow_env
    inbox = data.inbox("submissions")
    write_submission(inbox / "宣传.xlsx", DATASETS["publicity"], "宣传部", "2020年第二季度",
                     [{"活动日期": "2020-06-15", "活动名称": "宣传月启动仪式", "活动形式": "宣讲", "参与人数": 300}])
    for name in ("压缩炸弹.xlsx", "XML炸弹.xlsx", "乱码.csv", "空文件.xlsx"):
        (inbox / name).write_bytes(corpus(tmp_path)[name][0])
    run = _dag().test()
    assert str(run.state) == "success"
    statuses = sorted(json.loads(p.read_text(encoding="utf-8"))["status"] for p in data.receipts.glob("*.json"))
    assert statuses == ["accepted", "rejected", "rejected", "rejected", "rejected"]
    assert list(inbox.iterdir()) == []
