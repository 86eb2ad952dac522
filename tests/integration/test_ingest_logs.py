"""The ingest task log tells the story: one Chinese line per file, no Great Expectations noise."""

from __future__ import annotations

import logging
import subprocess
import sys


def test_one_chinese_line_per_file_naming_unit_kind_period_and_counts(engine, data, caplog):
    from chufei.ingest.submissions import ingest_submissions
    from demo.generate import write_demo_inbox

    write_demo_inbox(data, year=2020, seed=5, unit_codes=["420704"], months=[3], faults=False)
    (data.inbox("submissions") / "鄂城区台账 联系人13912345678.xlsx").write_bytes(b"not a workbook")
    caplog.set_level(logging.INFO, logger="chufei")
    ingest_submissions(engine, data)
    lines = [r.getMessage() for r in caplog.records if r.name == "chufei.ingest.submissions"]
    ledger = [line for line in lines if line.startswith("鄂城区 案件台账 2020年3月《")]
    assert len(ledger) == 1, lines
    assert "：已接收，" in ledger[0]
    assert " 行中接收 " in ledger[0]
    assert "退回 0 行" in ledger[0]
    broken = next(line for line in lines if "联系人" in line)
    assert "13912345678" not in broken  # the file name is masked
    assert "139****5678" in broken
    assert "：已退回，" in broken
    assert lines[-1].startswith("本次共处理 ")
    assert all("…" not in line for line in lines)  # no file named by a bare hash prefix


def test_great_expectations_registration_noise_is_silenced():
    code = ("import logging, sys; logging.basicConfig(level=logging.INFO, stream=sys.stdout); "
            "from chufei.validate.validation import _gx; _gx()")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True)
    assert "Skipping registering function" not in out.stdout + out.stderr
