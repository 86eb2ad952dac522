"""Hostile and awkward files: each gets its own receipt, is archived byte-for-byte, leaves the inbox,
and never stops the ingest (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import select

from chufei.ingest import ingest_submissions
from chufei.warehouse import received_file
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

    assert list(inbox.iterdir()) == [] and list(data.work("submissions").iterdir()) == []
    for name, (content, status, fragment) in files.items():
        archived = [p for p in data.archive.iterdir() if p.name.startswith(digests[name])]
        assert len(archived) == 1 and archived[0].read_bytes() == content, name
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
