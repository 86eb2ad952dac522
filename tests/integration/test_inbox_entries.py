"""What may sit in an inbox: uploads still being written, temporary names, links, directories,
FIFOs and hard links. Nothing is taken half-written, no link is followed, and every entry ends with
a receipt (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
import json
import os
import time

import pytest

from chufei.ingest import submissions
from chufei.ingest.grid import ingest_grid_files
from chufei.ingest.submissions import ingest_submissions
from chufei.kinds.registry import DATASETS
from chufei.kinds.templates import write_submission
from demo.inflows import GRID_LABELS, uscc_for, write_grid_csv

ROW = {"案件编号": "A-1", "案件名称": "某案", "立案日期": "2020-03-01", "承办单位": "公安", "行业领域": "其他",
       "涉案金额(万元)": 10, "集资参与人数": 5, "是否跨区域": "否", "处置阶段": "侦查", "是否陈案": "否"}


def _clue(n: int) -> dict[str, str]:
    import random

    base = {label: "" for label in GRID_LABELS}
    base.update({"线索编号": f"WG{n:010d}", "上报时间": "2020-06-03 14:22:00", "区县代码": "420704",
                 "乡镇街道": "凤凰街道", "社区村": "滨湖社区", "网格编码": "0042070401", "网格员工号": "GW0041",
                 "发现方式": "巡查", "主体名称": f"鄂州某某{n}有限公司", "统一社会信用代码": uscc_for(random.Random(n)),
                 "地址": "鄂州市凤凰街道滨湖路 1 号", "行业领域": "投资咨询", "风险表现": "承诺高额回报",
                 "估计涉及人数": "35", "估计金额(万元)": "12.5", "研判结果": "疑似", "处置状态": "待核查"})
    return base


def _later(monkeypatch, seconds: float) -> None:
    """The ingest runs ``seconds`` from now (the inbox's files do not change meanwhile)."""
    real = time.time
    monkeypatch.setattr(submissions.time, "time", lambda: real() + seconds)


def _receipts(data) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(data.receipts.glob("*.json"))]


def test_an_upload_is_taken_only_after_its_quiet_period(engine, data, tmp_path, monkeypatch):
    monkeypatch.setenv("AIRFLOW__CHUFEI__INBOX_QUIET_SECONDS", "60")
    whole = tmp_path / "whole.csv"
    write_grid_csv(whole, [_clue(n) for n in range(400)], "utf-8")
    body = whole.read_bytes()
    cut = body.index(b"\n", len(body) // 2) + 1  # cut at a line end: the half looks like a valid file
    path = data.inbox("grid_reports") / "网格导出.csv"
    path.write_bytes(body[:cut])

    first = ingest_grid_files(engine, data)
    assert first["files"] == 0
    assert path.exists()
    assert _receipts(data) == []

    with path.open("ab") as handle:  # the sender's upload goes on
        handle.write(body[cut:])
    _later(monkeypatch, 30)
    assert ingest_grid_files(engine, data)["files"] == 0  # written 30 s ago: not quiet yet

    _later(monkeypatch, 61)
    done = ingest_grid_files(engine, data)
    assert (done["files"], done["rows_accepted"], done["rows_rejected"]) == (1, 400, 0)
    assert not path.exists()
    assert [r["sha256"] for r in _receipts(data)] == [hashlib.sha256(body).hexdigest()]


@pytest.mark.parametrize("name", ["鄂城区.xlsx.part", "鄂城区.xlsx.tmp", "~$鄂城区.xlsx", ".鄂城区.xlsx",
                                  "鄂城区.xlsx.filepart", "鄂城区.XLSX.PART", "鄂城区.xlsx.crdownload"])
def test_a_temporary_name_waits_for_its_rename(engine, data, monkeypatch, name):
    temporary = data.inbox("submissions") / name
    write_submission(temporary, DATASETS["case_ledger"], "鄂城区", "2020年3月", [ROW])
    _later(monkeypatch, 3600)
    assert ingest_submissions(engine, data).files == 0
    assert temporary.exists()

    temporary.rename(data.inbox("submissions") / "鄂城区 3月.xlsx")
    summary = ingest_submissions(engine, data)
    assert (summary.files, summary.accepted) == (1, 1)
    assert list(data.inbox("submissions").iterdir()) == []


def test_a_temporary_name_left_for_a_day_gets_a_never_completed_receipt(engine, data, monkeypatch):
    temporary = data.inbox("submissions") / "鄂城区.xlsx.part"
    temporary.write_bytes(b"PK\x03\x04 half a workbook")
    _later(monkeypatch, 25 * 3600)
    summary = ingest_submissions(engine, data)
    assert (summary.files, summary.rejected) == (1, 1)
    assert list(data.inbox("submissions").iterdir()) == []
    [receipt] = _receipts(data)
    assert receipt["file"] == "鄂城区.xlsx.part"
    assert receipt["status"] == "rejected"
    assert "上传未完成" in receipt["message"]
    archived = [p for p in data.archive.iterdir() if p.name.startswith(receipt["sha256"])]
    assert [p.read_bytes() for p in archived] == [b"PK\x03\x04 half a workbook"]


def test_strange_entries_are_refused_unread_and_each_gets_a_receipt(engine, data, tmp_path):
    secret = data.root / "secrets" / "pseudonym.key"
    secret.parent.mkdir(parents=True)
    secret.write_bytes(b"top secret key material")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    inbox = data.inbox("submissions")
    (inbox / "key.xlsx").symlink_to(secret)
    (inbox / "passwd.xlsx").symlink_to("/etc/passwd")
    (inbox / "dangling.xlsx").symlink_to(tmp_path / "nothing-here")
    (inbox / "to-a-folder").symlink_to(elsewhere)
    (inbox / "a folder").mkdir()
    (inbox / "a folder" / "inside.xlsx").write_bytes(b"inside")
    os.mkfifo(inbox / "pipe.xlsx")
    os.link(secret, inbox / "hardlink.xlsx")
    names = {"key.xlsx", "passwd.xlsx", "dangling.xlsx", "to-a-folder", "a folder", "pipe.xlsx", "hardlink.xlsx"}

    summary = ingest_submissions(engine, data)  # a FIFO opened would block here for ever

    assert (summary.files, summary.rejected) == (len(names), len(names))
    assert list(inbox.iterdir()) == []
    receipts = {r["file"]: r for r in _receipts(data)}
    assert set(receipts) == names
    assert all(r["status"] == "rejected" for r in receipts.values())
    for name in ("key.xlsx", "passwd.xlsx", "dangling.xlsx", "to-a-folder"):
        assert "符号链接" in receipts[name]["message"], name
    assert "文件夹" in receipts["a folder"]["message"]
    assert "命名管道" in receipts["pipe.xlsx"]["message"]
    assert "硬链接" in receipts["hardlink.xlsx"]["message"]
    archived = b"".join(p.read_bytes() for p in data.archive.iterdir())
    assert b"top secret" not in archived
    assert b"root:" not in archived
    assert secret.read_bytes() == b"top secret key material"  # the target is untouched
    assert elsewhere.exists()
    assert len(list((data.root / "refused" / "submissions").iterdir())) == len(names)
    text = "".join(p.read_text(encoding="utf-8") for p in data.receipts.glob("*.txt"))
    assert "top secret" not in text


def test_a_file_swapped_for_a_link_after_the_look_is_still_refused(engine, data, monkeypatch):
    secret = data.root / "secret.txt"
    secret.write_bytes(b"top secret")
    path = data.inbox("submissions") / "ok.xlsx"
    write_submission(path, DATASETS["case_ledger"], "鄂城区", "2020年3月", [ROW])
    real = submissions._judged
    swapped = []

    def judged_then_swapped(entry, name, now, **limits):
        verdict = real(entry, name, now, **limits)
        if entry == path and not swapped:
            path.unlink()
            path.symlink_to(secret)
            swapped.append(True)
        return verdict

    monkeypatch.setattr(submissions, "_judged", judged_then_swapped)
    summary = ingest_submissions(engine, data)
    assert (summary.files, summary.rejected) == (1, 1)
    assert "符号链接" in _receipts(data)[0]["message"]
    assert b"top secret" not in b"".join(p.read_bytes() for p in data.archive.iterdir())
