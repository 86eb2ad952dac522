"""submission_watch: the completeness matrix, its workbook, reminders (deduplicated, delivered)."""

from __future__ import annotations

import json
import threading
from datetime import date, datetime, UTC
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from sqlalchemy import func, insert, select

from chufei.warehouse.schema import received_file, submission

UTC = UTC
AS_OF = date(2020, 3, 10)
TERRITORIAL = ["420704", "420703", "420702", "EZGD01", "EZLK01"]


def _submit(connection, unit, dataset, period_key, start, end, received_at, version=1):
    sha = f"{unit}-{dataset}-{period_key}-{version}".ljust(64, "0")[:64]
    connection.execute(insert(received_file), {
        "sha256": sha, "source": "submissions", "original_name": "x.xlsx", "size_bytes": 1,
        "archive_path": "archive/x", "received_at": received_at, "status": "loaded"})
    connection.execute(insert(submission), {
        "dataset": dataset, "unit_code": unit, "period_key": period_key, "period_start": start,
        "period_end": end, "file_sha256": sha, "version": version, "is_current": True, "rows_accepted": 1,
        "received_at": received_at})


@pytest.fixture
def seeded(engine):
    from chufei.ops.watch import ensure_watch_schema

    ensure_watch_schema(engine)
    with engine.begin() as connection:
        # 鄂城区: January ledger one second before the end of 5 Feb in Shanghai -> on time
        _submit(connection, "420704", "case_ledger", "2020-01", date(2020, 1, 1), date(2020, 2, 1),
                datetime(2020, 2, 5, 15, 59, 59, tzinfo=UTC))
        # 华容区: at 00:00 on 6 Feb in Shanghai -> late
        _submit(connection, "420703", "case_ledger", "2020-01", date(2020, 1, 1), date(2020, 2, 1),
                datetime(2020, 2, 5, 16, 0, 0, tzinfo=UTC))
        # 市公安局: February on time, corrected later: the first arrival counts
        _submit(connection, "D13", "case_ledger", "2020-02", date(2020, 2, 1), date(2020, 3, 1),
                datetime(2020, 3, 1, 2, 0, tzinfo=UTC))
        _submit(connection, "D13", "case_ledger", "2020-02", date(2020, 2, 1), date(2020, 3, 1),
                datetime(2020, 3, 9, 2, 0, tzinfo=UTC), version=2)
        # a December 2019 ledger: before the plan year, never in the matrix
        _submit(connection, "420702", "case_ledger", "2019-12", date(2019, 12, 1), date(2020, 1, 1),
                datetime(2020, 1, 3, tzinfo=UTC))
    return engine


def test_work_plan_has_26_tasks_with_deadlines():
    from chufei.kinds.obligations import load_work_plan

    plan = load_work_plan()
    assert [t["no"] for t in plan.tasks] == list(range(1, 27))
    assert all(t["deadlines"] and t["title"] for t in plan.tasks)
    task10 = next(o for o in plan.obligations if o.dataset == "risk_ledger")
    assert (task10.task_no, task10.due) == (10, {"fixed": {"H1": "06-20", "H2": "12-10"}})


def test_matrix_marks_received_late_and_missing(seeded):
    from chufei.ops.watch import completeness, counts

    with seeded.connect() as connection:
        rows = completeness(connection, AS_OF)
    # Due by 10 March 2020 (computed by hand from work_plan_tasks.json): case ledgers of January
    # (due 5 Feb) and February (due 5 Mar) from all 20 units, and the old-case progress reports
    # of the same months from the 5 territorial units. Quarterly items are first due on 10 April.
    assert len(rows) == 2 * 20 + 2 * 5
    status = {(r.item.dataset, r.item.unit_code, r.item.period_key): r.status for r in rows}
    assert status[("case_ledger", "420704", "2020-01")] == "received"
    assert status[("case_ledger", "420703", "2020-01")] == "late"
    assert status[("case_ledger", "D13", "2020-02")] == "received"
    assert status[("old_case_progress", "EZLK01", "2020-02")] == "missing"
    assert ("case_ledger", "420702", "2019-12") not in status
    assert ("old_case_progress", "D13", "2020-01") not in status  # departments do not owe it
    assert counts(rows) == {"received": 2, "late": 1, "missing": 47, "zero_return": 0}


def test_matrix_is_stored_once_and_written_as_a_workbook(seeded, data):
    from openpyxl import load_workbook

    from chufei.ops.watch import run_watch, submission_status

    first = run_watch(seeded, data.outbox, AS_OF)
    again = run_watch(seeded, data.outbox, AS_OF)
    assert first == again
    assert first["missing"] == 47
    with seeded.connect() as connection:
        assert connection.execute(select(func.count()).select_from(submission_status)).scalar_one() == 50
        late = connection.execute(select(submission_status.c.unit_code)
                                  .where(submission_status.c.status == "late")).scalars().all()
    assert late == ["420703"]
    folder = data.outbox / "submission_watch" / "2020-03-10" / "v1"
    assert first["xlsx"] == str(folder / "submission_matrix_2020-03-10.xlsx")
    book = load_workbook(first["xlsx"])
    ledgers = book["表二"]  # 表一 is the 汇总, then a part per kind: the case ledgers first
    header = [c.value for c in ledgers[6]]
    column = next(i for i, v in enumerate(header) if v and v.startswith("1月\n时限\n2月5日")) + 1
    by_unit = {ledgers.cell(row=r, column=2).value: ledgers.cell(row=r, column=column).value
               for r in range(7, ledgers.max_row + 1)}
    assert by_unit["鄂城区"] == "按时"
    assert by_unit["华容区"] == "逾期"
    assert by_unit["梁子湖区"] == "未报"
    detail = load_workbook(folder / "submission_detail_2020-03-10.xlsx").active
    assert sum(1 for r in range(7, detail.max_row + 1) if str(detail.cell(row=r, column=4).value).startswith("第")) == 50


def test_each_missing_item_is_reminded_at_most_once_a_day(seeded, monkeypatch):
    from chufei.ops.watch import completeness, reminder_log, send_reminders

    monkeypatch.setenv("AIRFLOW__CHUFEI__NOTIFY_CHANNEL", "log")
    with seeded.connect() as connection:
        rows = completeness(connection, AS_OF)
    assert send_reminders(seeded, rows, AS_OF) == {"reminded": 47, "units": 20}
    assert send_reminders(seeded, rows, AS_OF) == {"reminded": 0, "units": 0}
    assert send_reminders(seeded, rows, date(2020, 3, 11))["reminded"] == 47
    with seeded.connect() as connection:
        assert connection.execute(select(func.count()).select_from(reminder_log)).scalar_one() == 94


class _Hook(BaseHTTPRequestHandler):
    received: list = []
    status = 200

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append(json.loads(body.decode("utf-8")))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args):  # keep pytest output clean
        pass


@pytest.fixture
def webhook(monkeypatch):
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    _Hook.received, _Hook.status = [], 200
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("AIRFLOW__CHUFEI__NOTIFY_CHANNEL", "webhook")
    monkeypatch.setenv("AIRFLOW__CHUFEI__WEBHOOK_URL", f"http://127.0.0.1:{server.server_port}/hook")
    yield _Hook
    server.shutdown()
    server.server_close()


def test_reminders_are_delivered_to_a_webhook(seeded, webhook):
    from chufei.ops.watch import completeness, send_reminders

    with seeded.connect() as connection:
        rows = completeness(connection, AS_OF)
    send_reminders(seeded, rows, AS_OF)
    (payload,) = webhook.received
    assert payload["subject"].endswith("47 项未报送")
    assert len(payload["items"]) == 47
    assert {"unit_code": "420702", "dataset": "case_ledger", "period": "2020-01", "due": "2020-02-05"} in payload["items"]
    assert "梁子湖区：案件台账 2020-01（时限 2020-02-05，工作要点第5项）" in payload["text"]


def test_a_refused_webhook_is_retried_next_time_not_recorded_as_sent(seeded, webhook):
    from chufei.ops.notify import ChannelError
    from chufei.ops.watch import completeness, reminder_log, send_reminders

    webhook.status = 403
    with seeded.connect() as connection:
        rows = completeness(connection, AS_OF)
    with pytest.raises(ChannelError, match="HTTP 403"):
        send_reminders(seeded, rows, AS_OF)
    with seeded.connect() as connection:
        assert connection.execute(select(func.count()).select_from(reminder_log)).scalar_one() == 0
    webhook.status = 200
    assert send_reminders(seeded, rows, AS_OF)["reminded"] == 47


def test_failure_notice_goes_to_the_same_webhook(webhook):
    from chufei.ops.notify import notify_failure

    from airflow.sdk import DAG

    class Ti:
        run_id, task_id = "scheduled__2020-06", "build_package"

    notify_failure({"dag": DAG("case_statistics_monthly", schedule=None), "task_instance": Ti(),
                    "exception": RuntimeError("boom")})
    (payload,) = webhook.received
    assert payload["subject"] == "[chufei] case_statistics_monthly failed"
    assert "task build_package failed (RuntimeError)" in payload["text"]


def test_period_run_records_missing_units(seeded):
    from chufei.core.periods import month_period
    from chufei.ops.watch import period_missing, record_period_missing

    first = record_period_missing(seeded, "case_statistics_monthly", "case_ledger", month_period(2020, 1))
    again = record_period_missing(seeded, "case_statistics_monthly", "case_ledger", month_period(2020, 1))
    assert first == again
    assert len(first) == 18
    assert "420704" not in first
    assert "420703" not in first
    with seeded.connect() as connection:
        assert connection.execute(select(func.count()).select_from(period_missing)).scalar_one() == 18


def test_sensor_waits_until_complete_or_the_grace_deadline(seeded):
    from chufei.core.periods import month_period
    from chufei.ops.watch import submissions_complete_or_due

    deadline = datetime(2020, 2, 8, tzinfo=UTC)
    period = month_period(2020, 1)
    assert not submissions_complete_or_due(seeded, "case_ledger", period, deadline, datetime(2020, 2, 7, tzinfo=UTC))
    assert submissions_complete_or_due(seeded, "case_ledger", period, deadline, deadline)
