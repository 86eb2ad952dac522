"""A period that has not ended when the file arrived, and dates after the file's arrival, are
refused (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime

from sqlalchemy import func, select

from chufei.core.periods import TZ
from chufei.ingest.submissions import ingest_submissions
from chufei.kinds.registry import DATASETS
from chufei.kinds.templates import write_submission
from chufei.warehouse.schema import submission

ROW = {"案件编号": "F-1", "案件名称": "某案", "立案日期": "2020-03-01", "承办单位": "公安", "行业领域": "其他",
       "涉案金额(万元)": 10, "集资参与人数": 5, "是否跨区域": "否", "处置阶段": "侦查", "是否陈案": "否"}
RISK = {"主体名称": "康乐养老服务中心", "主体类型": "自然人", "行业领域": "养老服务", "线索来源": "群众举报",
        "发现日期": "2020-06-18", "风险表现": "预售床位", "风险等级": "中", "责任单位": "人行", "责任人": "李建国",
        "是否化解": "否"}


def _receipts(data) -> dict[str, dict]:
    found = (json.loads(p.read_text(encoding="utf-8")) for p in data.receipts.glob("*.json"))
    return {r["file"]: r for r in found}


def _landed(path, moment: datetime) -> None:
    os.utime(path, (moment.timestamp(), moment.timestamp()))


def test_a_future_or_unfinished_period_is_refused(engine, data):
    inbox = data.inbox("submissions")
    write_submission(inbox / "future.xlsx", DATASETS["case_ledger"], "鄂城区", "2031年6月",
                     [dict(ROW, 立案日期="2031-05-10")])
    today = datetime.now(TZ)
    current = f"{today.year}年{today.month}月"
    write_submission(inbox / "current.xlsx", DATASETS["case_ledger"], "鄂城区", current, [ROW])
    last_day = inbox / "march-on-the-31st.xlsx"
    write_submission(last_day, DATASETS["case_ledger"], "鄂城区", "2020年3月", [ROW])
    _landed(last_day, datetime(2020, 3, 31, 10, tzinfo=TZ))

    summary = ingest_submissions(engine, data)

    assert (summary.files, summary.rejected) == (3, 3)
    receipts = _receipts(data)
    for name in ("future.xlsx", "current.xlsx", "march-on-the-31st.xlsx"):
        assert "尚未结束" in receipts[name]["message"], name
    assert "2020-03-31" in receipts["march-on-the-31st.xlsx"]["message"]
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(submission)).scalar_one() == 0


def test_the_same_period_after_it_ended_is_accepted(engine, data):
    path = data.inbox("submissions") / "march.xlsx"
    write_submission(path, DATASETS["case_ledger"], "鄂城区", "2020年3月", [ROW])
    _landed(path, datetime(2020, 4, 1, 0, 5, tzinfo=TZ))
    assert ingest_submissions(engine, data).accepted == 1


def test_dates_after_the_arrival_are_row_errors(engine, data):
    path = data.inbox("submissions") / "risk.xlsx"
    write_submission(path, DATASETS["risk_ledger"], "人行", "2020年6月20日",
                     [RISK, dict(RISK, 主体名称="另一主体", 发现日期="2020-06-10")])
    _landed(path, datetime(2020, 6, 15, 2, tzinfo=UTC))  # a snapshot sent before its due date: allowed
    summary = ingest_submissions(engine, data)
    assert (summary.partially_accepted, summary.rows_accepted, summary.rows_rejected) == (1, 1, 1)
    [error] = _receipts(data)["risk.xlsx"]["errors"]
    assert error["column"] == "发现日期"
    assert "晚于本文件的到达日期 2020-06-15" in error["message"]


def test_advert_screening_keeps_the_same_rule(engine, data):
    """The advert-screening inbox refuses an unfinished month and dates after the arrival, as every kind does."""
    from chufei.ingest.ad_screening import ingest_ad_screening
    from chufei.kinds.ad_screening import write_screening
    from tests.screening import COUNTS, advert

    inbox = data.inbox("ad_screening")
    write_screening(inbox / "future.xlsx", "鄂城区", "2031年6月",
                    [advert(3, 排查日期=date(2031, 6, 3), 处置日期=date(2031, 6, 4))], COUNTS)
    unfinished = inbox / "june-on-the-30th.xlsx"
    write_screening(unfinished, "鄂城区", "2020年6月", [advert(3)], COUNTS)
    _landed(unfinished, datetime(2020, 6, 30, 18, tzinfo=TZ))
    early = inbox / "july-2nd.xlsx"  # a month that ended, but one advert handled after the file arrived
    write_screening(early, "华容区", "2020年6月", [advert(3), advert(29, 处置日期=date(2020, 7, 5))], COUNTS)
    _landed(early, datetime(2020, 7, 2, 9, tzinfo=TZ))

    ingest_ad_screening(engine, data)

    receipts = _receipts(data)
    for name in ("future.xlsx", "june-on-the-30th.xlsx"):
        assert receipts[name]["status"] == "rejected", name
        assert "尚未结束" in receipts[name]["message"], name
    assert "2020-06-30" in receipts["june-on-the-30th.xlsx"]["message"]
    partial = receipts["july-2nd.xlsx"]
    assert (partial["status"], partial["counts"]["accepted"], partial["counts"]["rejected"]) == (
        "partially_accepted", 1, 1)
    [error] = partial["errors"]
    assert (error["column"], error["row"]) == ("处置日期", 7)
    assert "晚于本文件的到达日期 2020-07-02" in error["message"]
    with engine.connect() as connection:
        periods = connection.execute(select(submission.c.unit_code, submission.c.period_key)).all()
    assert [tuple(p) for p in periods] == [("420703", "2020-06")]
