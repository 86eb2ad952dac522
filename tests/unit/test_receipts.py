"""Receipts: the first arrival's receipt stays; every duplicate arrival gets its own, even when
several workers record duplicates of the same file at the same moment."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from chufei.inbox.receipts import Receipt, write_receipt

SHA = "ab" * 32


def receipt(status: str, name: str) -> Receipt:
    return Receipt(file=name, sha256=SHA, source="submissions", status=status, received_at="2020-07-03T09:00:00+00:00")


def test_duplicates_never_overwrite_the_first_receipt_or_each_other(tmp_path: Path):
    first = write_receipt(receipt("accepted", "鄂城区 6月.xlsx"), tmp_path)
    assert first.name == f"{SHA}.json"
    assert (tmp_path / f"{SHA}.txt").exists()

    names = [f"重发-{n}.xlsx" for n in range(40)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        paths = list(pool.map(lambda name: write_receipt(receipt("duplicate", name), tmp_path), names))

    assert len(set(paths)) == len(names)
    assert sorted(json.loads(p.read_text(encoding="utf-8"))["file"] for p in paths) == sorted(names)
    assert {p.name for p in paths} == {f"{SHA}.duplicate-{n}.json" for n in range(1, len(names) + 1)}
    assert all(p.with_suffix(".txt").read_text(encoding="utf-8").startswith("鄂州市处非办 报送回执") for p in paths)
    assert json.loads(first.read_text(encoding="utf-8"))["status"] == "accepted"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # nothing half-written
    assert oct(first.stat().st_mode & 0o777) == oct(0o644)


def test_the_text_receipt_gives_beijing_time(tmp_path: Path):
    path = write_receipt(receipt("accepted", "鄂城区 6月.xlsx"), tmp_path)  # received 09:00 UTC
    assert "接收时间：2020-07-03 17:00:00（北京时间）" in path.with_suffix(".txt").read_text(encoding="utf-8")
