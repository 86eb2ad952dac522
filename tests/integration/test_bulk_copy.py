"""Unit submissions into a PostgreSQL warehouse through COPY (used from ``bulk.COPY_ROWS`` rows
on; lowered here so that small workbooks take that path): the same rows, values and history as
the INSERT path, reporters still pseudonymised."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from chufei.ingest.submissions import ingest_submissions
from chufei.kinds.registry import DATASETS
from chufei.kinds.templates import write_submission
from chufei.warehouse.schema import row_table, submission
from tests.integration.test_submission_kinds import CASES, CODE_B, REPORTER_ID, REPORTER_NAME

pytestmark = pytest.mark.postgres


@pytest.fixture
def copies(pg_database, monkeypatch):
    """(engine, list of the tables each COPY wrote): every row batch goes through COPY."""
    from chufei.warehouse import bulk
    from chufei.warehouse.schema import engine_for, ensure_schema

    written: list[str] = []
    copy = bulk._copy

    def recording(connection, table, rows):
        written.append(table.name)
        copy(connection, table, rows)

    monkeypatch.setattr(bulk, "COPY_ROWS", 1)
    monkeypatch.setattr(bulk, "_copy", recording)
    engine = engine_for(pg_database)
    ensure_schema(engine)
    yield engine, written
    engine.dispose()


def test_typed_values_and_history_load_through_copy(copies, data):
    engine, written = copies
    unit, period, rows, _, _ = CASES["admin_action"]
    first = [dict(rows[0], **{"统一社会信用代码": " " + CODE_B.lower() + " "})]
    write_submission(data.inbox("submissions") / "a.xlsx", DATASETS["admin_action"], unit, period, first)
    assert ingest_submissions(engine, data).accepted == 1
    corrected = [dict(rows[0], **{"罚没金额(万元)": "4"})]
    write_submission(data.inbox("submissions") / "b.xlsx", DATASETS["admin_action"], unit, period, corrected)
    assert ingest_submissions(engine, data).accepted == 1

    assert written == ["admin_action_row", "admin_action_row"]
    table = row_table(DATASETS["admin_action"])
    with engine.connect() as connection:
        stored = connection.execute(select(table.c.submission_id, table.c.row_no, table.c.credit_code,
                                           table.c.penalty_fen, table.c.action_date)
                                    .order_by(table.c.submission_id, table.c.row_no)).all()
        versions = connection.execute(select(submission.c.id, submission.c.version, submission.c.is_current)
                                      .order_by(submission.c.id)).all()
    (old_id, _, _), (new_id, _, _) = versions
    assert [(v, current) for _, v, current in versions] == [(1, False), (2, True)]
    assert [tuple(r) for r in stored] == [  # 3.5 万元 = 35,000 元 = 3,500,000 分
        (old_id, 6, CODE_B, 3_500_000, date(2020, 2, 10)), (new_id, 6, CODE_B, 4_000_000, date(2020, 2, 10))]


def test_reporters_stay_pseudonymised_through_copy(copies, data, monkeypatch):
    from chufei.core.pseudonym import KEY_ENV

    monkeypatch.delenv(KEY_ENV, raising=False)
    engine, written = copies
    unit, period, rows, _, _ = CASES["report_reward"]
    write_submission(data.inbox("submissions") / "r.xlsx", DATASETS["report_reward"], unit, period, rows[:1])
    assert ingest_submissions(engine, data).accepted == 1
    assert written == ["report_reward_row"]
    with engine.connect() as connection:
        dumped = repr(connection.execute(select(row_table(DATASETS["report_reward"]))).all())
    assert REPORTER_ID not in dumped
    assert REPORTER_NAME not in dumped
