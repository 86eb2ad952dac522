"""Hostile and awkward files: each gets its own receipt, is archived byte-for-byte, leaves the inbox,
and never stops the ingest (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import select

from chufei.ingest.submissions import ingest_submissions
from chufei.warehouse.schema import received_file
from tests.fixtures.hostile import corpus


def test_hostile_corpus_gets_specific_receipts_and_nothing_is_lost(engine, data, tmp_path):
    files = corpus(tmp_path)
    inbox = data.inbox("submissions")
    digests = {}
    for name, (content, _, _) in files.items():
        (inbox / name).write_bytes(content)
        digests[name] = hashlib.sha256(content).hexdigest()
    summary = ingest_submissions(engine, data)
    assert summary.files == len(files)

    assert list(inbox.iterdir()) == []
    assert list(data.work("submissions").iterdir()) == []
    for name, (content, status, fragment) in files.items():
        archived = [p for p in data.archive.iterdir() if p.name.startswith(digests[name])]
        assert len(archived) == 1, name
        assert archived[0].read_bytes() == content, name
        assert archived[0].suffix in {".xlsx", ".xls", ".csv", ".pdf"}, archived[0].name
        receipt = json.loads((data.receipts / f"{digests[name]}.json").read_text(encoding="utf-8"))
        assert receipt["file"] == name
        assert receipt["status"] == status, (name, receipt["message"])
        if status == "rejected":
            assert fragment in receipt["message"], (name, receipt["message"])
            assert "Traceback" not in receipt["message"]
        text = (data.receipts / f"{digests[name]}.txt").read_text(encoding="utf-8")
        assert f"文件名称：{name}" in text
    with engine.connect() as connection:
        statuses = dict(connection.execute(select(received_file.c.original_name, received_file.c.status)).all())
    assert statuses == {name: status for name, (_, status, _) in files.items()}


def test_a_file_already_processed_is_a_duplicate_and_still_leaves_the_inbox(engine, data, tmp_path):
    content = corpus(tmp_path)["截断.xlsx"][0]
    for attempt in ("a.xlsx", "b.xlsx"):
        (data.inbox("submissions") / attempt).write_bytes(content)
        ingest_submissions(engine, data)
    assert list(data.inbox("submissions").iterdir()) == []
    digest = hashlib.sha256(content).hexdigest()
    assert json.loads((data.receipts / f"{digest}.duplicate-1.json").read_text(encoding="utf-8"))["status"] == \
        "duplicate"


def test_numbers_too_big_for_the_warehouse_are_row_errors_not_a_failed_load(engine, data):
    from chufei.kinds.registry import DATASETS
    from chufei.kinds.templates import write_submission

    row = {"案件编号": "X-1", "案件名称": "某案", "立案日期": "2020-03-01", "承办单位": "公安", "行业领域": "其他",
           "涉案金额(万元)": 10, "集资参与人数": 5, "是否跨区域": "否", "处置阶段": "侦查", "是否陈案": "否"}
    rows = [row, dict(row, 案件编号="X-2", **{"已追缴资产(万元)": 1e25}), dict(row, 案件编号="X-3", **{"已清退人数": 10 ** 12}),
            dict(row, 案件编号="X-4", 立案日期="0001-01-01"), dict(row, 案件编号="X-5", 立案日期="9999-12-31"),
            dict(row, 案件编号="X-6", **{"涉案金额(万元)": float("inf"), "集资参与人数": float("nan")})]
    write_submission(data.inbox("submissions") / "big.xlsx", DATASETS["case_ledger"], "鄂城区", "2020年3月", rows)
    summary = ingest_submissions(engine, data)
    assert (summary.partially_accepted, summary.rows_accepted, summary.rows_rejected) == (1, 1, 5)
    receipt = json.loads(next(data.receipts.glob("*.json")).read_text(encoding="utf-8"))
    assert {(e["row"], e["column"]) for e in receipt["errors"] if "超出可存储范围" in e["message"]} == \
        {(7, "已追缴资产(万元)"), (8, "已清退人数")}
    dates = {(e["row"], e["message"]) for e in receipt["errors"] if e["column"] == "立案日期"}
    assert (9, "立案日期早于 1990 年，请核实") in dates
    assert any(row == 10 and "晚于报告期末" in m for row, m in dates)


def test_an_internal_error_on_one_file_refuses_that_file_and_the_inbox_moves_on(engine, data, tmp_path, monkeypatch,
                                                                              caplog):
    from chufei.ingest import submissions as ingest

    files = corpus(tmp_path)
    (data.inbox("submissions") / "a.xlsx").write_bytes(files["鄂城区 2020 二季度 风险提示.xlsx"][0])

    def broken(parsed, *args, **kwargs):
        raise TypeError("a bug that only this file triggers")

    monkeypatch.setattr(ingest, "validate", broken)
    summary = ingest_submissions(engine, data)
    assert (summary.files, summary.rejected) == (1, 1)
    receipt = json.loads(next(data.receipts.glob("*.json")).read_text(encoding="utf-8"))
    assert receipt["message"].startswith("处理该文件时发生内部错误（TypeError）")
    assert "a bug that only this file triggers" in caplog.text  # the operator sees the traceback in the task log
    assert list(data.inbox("submissions").iterdir()) == []
    assert list(data.work("submissions").iterdir()) == []
