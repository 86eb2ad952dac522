"""When a file landed in the inbox (its mtime, never later than chufei read it) is kept in the
receipt and the warehouse beside when it was processed, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta

from sqlalchemy import inspect, select

from chufei.ingest.submissions import ingest_submissions
from chufei.kinds.registry import DATASETS
from chufei.kinds.templates import write_submission
from chufei.warehouse import schema as warehouse

ROW = {"案件编号": "A-1", "案件名称": "某案", "立案日期": "2020-03-01", "承办单位": "公安", "行业领域": "其他",
       "涉案金额(万元)": 10, "集资参与人数": 5, "是否跨区域": "否", "处置阶段": "侦查", "是否陈案": "否"}


def _drop(data, name: str, mtime: datetime, case_no: str = "A-1"):
    path = data.inbox("submissions") / name
    write_submission(path, DATASETS["case_ledger"], "鄂城区", "2020年3月", [dict(ROW, 案件编号=case_no)])
    os.utime(path, (mtime.timestamp(), mtime.timestamp()))
    return path


def _as_utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def test_arrival_is_the_inbox_mtime_in_receipt_and_warehouse(engine, data):
    landed = datetime(2020, 4, 3, 1, 30, tzinfo=UTC)  # 09:30 Beijing time
    _drop(data, "鄂城区 3月.xlsx", landed)
    ingest_submissions(engine, data)

    receipt_path = next(data.receipts.glob("*.json"))
    receipt = json.loads(receipt_path.read_text(encoding="utf-8"))
    assert datetime.fromisoformat(receipt["arrived_at"]) == landed
    assert datetime.fromisoformat(receipt["received_at"]) > landed + timedelta(days=365)
    assert "到达时间：2020-04-03 09:30:00（北京时间）" in receipt_path.with_suffix(".txt").read_text(encoding="utf-8")
    with engine.connect() as connection:
        row = connection.execute(select(warehouse.received_file.c.arrived_at, warehouse.received_file.c.received_at)).one()
        arrival = connection.execute(select(warehouse.file_arrival.c.arrived_at)).scalar_one()
    assert _as_utc(row.arrived_at) == landed
    assert _as_utc(arrival) == landed
    assert _as_utc(row.received_at) > landed


def test_a_future_mtime_arrives_no_later_than_it_was_read(engine, data):
    _drop(data, "未来.xlsx", datetime(2099, 1, 1, tzinfo=UTC))
    ingest_submissions(engine, data)
    receipt = json.loads(next(data.receipts.glob("*.json")).read_text(encoding="utf-8"))
    assert datetime.fromisoformat(receipt["arrived_at"]) <= datetime.fromisoformat(receipt["received_at"]) + \
        timedelta(seconds=1)
    assert datetime.fromisoformat(receipt["arrived_at"]).year < 2099


def test_a_duplicate_records_its_own_arrival(engine, data):
    first, second = datetime(2020, 4, 3, tzinfo=UTC), datetime(2020, 4, 5, tzinfo=UTC)
    _drop(data, "a.xlsx", first)
    ingest_submissions(engine, data)
    _drop(data, "b.xlsx", second)
    ingest_submissions(engine, data)
    with engine.connect() as connection:
        arrivals = connection.execute(select(warehouse.file_arrival.c.outcome, warehouse.file_arrival.c.arrived_at)
                                      .order_by(warehouse.file_arrival.c.id)).all()
    assert [(outcome, _as_utc(at)) for outcome, at in arrivals] == [("accepted", first), ("duplicate", second)]


def test_a_warehouse_at_the_baseline_revision_gains_the_arrival_columns(engine, data):
    from alembic import command
    from sqlalchemy import MetaData

    from chufei.warehouse.upgrade import alembic_config, current_revision, head_revision

    # a warehouse exactly as the baseline revision leaves it: no table a later revision adds
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP VIEW IF EXISTS grid_clue_current")
        tables = MetaData()
        tables.reflect(connection)
        tables.drop_all(connection)
        command.upgrade(alembic_config(connection), "0001")
    assert current_revision(engine) == "0001"
    with engine.connect() as connection:
        assert "arrived_at" not in {c["name"] for c in inspect(connection).get_columns("received_file")}
    assert warehouse.ensure_schema(engine) == head_revision() == current_revision(engine)
    with engine.connect() as connection:
        for table in ("received_file", "file_arrival"):
            assert "arrived_at" in {c["name"] for c in inspect(connection).get_columns(table)}
    _drop(data, "c.xlsx", datetime(2020, 4, 3, tzinfo=UTC))
    assert ingest_submissions(engine, data).accepted == 1
