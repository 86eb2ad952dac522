"""A worker killed between a load's commit and its receipt: the retry rebuilds the receipt from
the warehouse's load record, row errors included, instead of calling the file a duplicate of
itself (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap

import pytest
from sqlalchemy import func, select

from chufei.ingest.grid import ingest_grid_files
from chufei.ingest.submissions import ingest_submissions
from chufei.kinds.registry import DATASETS
from chufei.kinds.templates import write_submission
from chufei.warehouse import schema as warehouse
from tests.integration.test_inbox_entries import _clue
from demo.inflows import write_grid_csv

ROW = {"案件编号": "A-1", "案件名称": "某案", "立案日期": "2020-03-01", "承办单位": "公安", "行业领域": "其他",
       "涉案金额(万元)": 10, "集资参与人数": 5, "是否跨区域": "否", "处置阶段": "侦查", "是否陈案": "否"}

KILLED_AFTER_COMMIT = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    from chufei.core.settings import DataDir
    from chufei.ingest import submissions
    from chufei.warehouse.schema import engine_for

    submissions.write_receipt = lambda *args, **kwargs: os._exit(9)  # killed: the load has committed
    if sys.argv[3] == "submissions":
        submissions.ingest_submissions(engine_for(sys.argv[1]), DataDir(Path(sys.argv[2])))
    else:
        from chufei.ingest.grid import ingest_grid_files
        ingest_grid_files(engine_for(sys.argv[1]), DataDir(Path(sys.argv[2])))
""")


def _killed_run(engine, data, source: str) -> None:
    url = engine.url.render_as_string(hide_password=False)
    done = subprocess.run([sys.executable, "-c", KILLED_AFTER_COMMIT, url, str(data.root), source],
                          env=os.environ.copy(), capture_output=True, text=True)
    assert done.returncode == 9, done.stderr


@pytest.mark.parametrize("source", ["submissions", "grid_reports"])
def test_a_receipt_lost_in_a_crash_is_rebuilt_from_the_load_record(engine, data, source):
    path = data.inbox(source) / ("鄂城区 3月.xlsx" if source == "submissions" else "网格导出.csv")
    if source == "submissions":
        write_submission(path, DATASETS["case_ledger"], "鄂城区", "2020年3月",
                         [ROW, dict(ROW, 案件编号="A-2", 立案日期="2020-13-45")])
        bad_column = "立案日期"
    else:
        write_grid_csv(path, [_clue(1), dict(_clue(2), 上报时间="不是时间")], "utf-8")
        bad_column = "上报时间"
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()

    _killed_run(engine, data, source)
    assert list(data.receipts.glob("*.json")) == []  # committed, but no receipt
    assert len(list(data.work(source).glob("*__*"))) == 1

    summary = ingest_submissions(engine, data) if source == "submissions" else ingest_grid_files(engine, data)
    files = summary.files if source == "submissions" else summary["files"]
    assert files == 1

    assert sorted(p.name for p in data.receipts.glob("*.json")) == [f"{sha256}.json"]  # no self-duplicate
    receipt = json.loads((data.receipts / f"{sha256}.json").read_text(encoding="utf-8"))
    assert receipt["status"] == "partially_accepted"
    assert receipt["file"] == path.name
    assert (receipt["counts"]["accepted"], receipt["counts"]["rejected"]) == (1, 1)
    assert [e["column"] for e in receipt["errors"]] == [bad_column]
    assert receipt["errors"][0]["row"] == (7 if source == "submissions" else 3)
    assert receipt["arrived_at"]
    text = (data.receipts / f"{sha256}.txt").read_text(encoding="utf-8")
    assert "处理结果：部分接收" in text
    if source == "submissions":
        assert receipt["unit"]["name"] == "鄂城区"
        assert receipt["version"] == 1
        assert "报告期：2020年3月" in text
    assert list(data.work(source).glob("*__*")) == []
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(warehouse.received_file)).scalar_one() == 1
        assert connection.execute(select(func.count()).select_from(warehouse.rejected_row)).scalar_one() == 1
