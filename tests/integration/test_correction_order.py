"""Which of a unit's files for a period is current: arrival time, then the workbook's 填报日期,
then a 更正 marker in the name; never the order in which names sort (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import os
from datetime import datetime

from sqlalchemy import select

from chufei.core.periods import TZ
from chufei.ingest.submissions import ingest_submissions
from chufei.kinds.registry import DATASETS
from chufei.kinds.templates import write_submission
from chufei.warehouse.schema import case_current

ROW = {"案件编号": "C-1", "案件名称": "某案", "立案日期": "2020-03-01", "承办单位": "公安", "行业领域": "其他",
       "涉案金额(万元)": 10, "集资参与人数": 5, "是否跨区域": "否", "处置阶段": "侦查", "是否陈案": "否"}
APRIL_3 = datetime(2020, 4, 3, 9, 0, tzinfo=TZ)


def _send(data, name: str, amount: int, landed: datetime, filled_on: str = "") -> None:
    path = data.inbox("submissions") / name
    write_submission(path, DATASETS["case_ledger"], "鄂城区", "2020年3月", [dict(ROW, **{"涉案金额(万元)": amount})],
                     "张三", "", filled_on)
    os.utime(path, (landed.timestamp(), landed.timestamp()))


def _current_amount(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(case_current.c.amount_fen)).scalar_one() // 1_000_000


def test_with_the_same_arrival_the_correction_marker_wins_over_name_order(engine, data):
    _send(data, "鄂城区3月.xlsx", 10, APRIL_3)
    _send(data, "鄂城区3月(更正).xlsx", 20, APRIL_3)  # sorts first by name
    ingest_submissions(engine, data)
    assert _current_amount(engine) == 20


def test_with_the_same_arrival_the_later_filled_date_wins(engine, data):
    _send(data, "b.xlsx", 10, APRIL_3, "2020-04-03")
    _send(data, "a.xlsx", 20, APRIL_3, "2020-04-05")
    _send(data, "c(更正).xlsx", 30, APRIL_3, "2020-04-04")  # a marker does not beat a later 填报日期
    ingest_submissions(engine, data)
    assert _current_amount(engine) == 20


def test_the_later_arrival_wins_whatever_the_processing_order(engine, data):
    _send(data, "later.xlsx", 10, datetime(2020, 4, 5, tzinfo=TZ))
    ingest_submissions(engine, data)
    _send(data, "earlier(更正).xlsx", 20, APRIL_3, "2020-04-30")  # processed later, but it arrived first
    ingest_submissions(engine, data)
    assert _current_amount(engine) == 10
    receipts = {r["file"]: r for r in (json.loads(p.read_text(encoding="utf-8")) for p in data.receipts.glob("*.json"))}
    [warning] = receipts["earlier(更正).xlsx"]["warnings"]
    assert "当前有效的仍是第 1 版" in warning["message"]
    assert receipts["earlier(更正).xlsx"]["replaces_sha256"] is None
