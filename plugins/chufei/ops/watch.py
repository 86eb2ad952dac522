"""Submission deadlines (时限): which unit owes what, and what arrived on time, late or not at all.

The work plan's 26 tasks and the submissions they require live in the one obligations source,
``include/reference/work_plan_tasks.json`` (``chufei.kinds.obligations``). ``completeness`` turns them into a matrix of
units × due submissions for a given day, marked received / late / missing, from the warehouse's
``submission`` table (a submission is on time when its first version arrived before the end of
its due day, Asia/Shanghai). ``submission_watch`` writes the matrix to the warehouse
(``submission_status``) and to an xlsx in the outbox, and reminds units of missing items through
``chufei.ops.notify`` — each missing item at most once per day (``reminder_log``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta, UTC
from pathlib import Path
from collections.abc import Iterable, Sequence

from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Connection, Engine

from chufei.core.periods import TZ, Period, half_period, month_period, quarter_period
from chufei.core.units import Unit, units
from chufei.kinds.obligations import WorkPlan, work_plan
from chufei.warehouse.schema import ensure_schema, submission
from chufei.warehouse.watch_tables import period_missing, reminder_log, submission_status

log = logging.getLogger(__name__)
STATUSES = ("received", "late", "missing")
STATUS_LABELS = {"received": "按时报送", "late": "逾期报送", "missing": "未报送"}

WATCH_TABLES = (submission_status, reminder_log, period_missing)


def ensure_watch_schema(engine: Engine) -> None:
    """The watch tables are part of the warehouse schema: upgrading the warehouse creates them."""
    ensure_schema(engine)


def _periods(kind: str, first_year: int, last_year: int) -> list[Period]:
    make = {"month": (12, month_period), "quarter": (4, quarter_period), "half": (2, half_period)}
    if kind == "year":
        from chufei.core.periods import year_period

        return [year_period(y) for y in range(first_year, last_year + 1)]
    count, build = make[kind]
    return [build(y, n) for y in range(first_year, last_year + 1) for n in range(1, count + 1)]


@dataclass(frozen=True)
class DueItem:
    task_no: int
    dataset: str
    unit_code: str
    period_key: str
    due_date: date

    @property
    def key(self) -> tuple[str, str, str]:
        return self.dataset, self.unit_code, self.period_key


def due_items(plan: WorkPlan, as_of: date, registry: Sequence[Unit] | None = None) -> list[DueItem]:
    """Every (unit, submission) whose due date is on or before ``as_of``, from the plan year on."""
    registry = registry or units()
    items: dict[tuple, DueItem] = {}
    for obligation in plan.obligations:
        for period in _periods(obligation.period_kind, plan.year, as_of.year):
            due = obligation.due_date(period)
            if due > as_of:
                continue
            for unit in registry:
                if obligation.owed_by(unit):
                    item = DueItem(obligation.task_no, obligation.dataset, unit.code, period.key, due)
                    items.setdefault(item.key, item)
    order = {u.code: i for i, u in enumerate(registry)}
    return sorted(items.values(), key=lambda i: (i.dataset, i.due_date, i.period_key, order[i.unit_code]))


# --- the matrix -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class StatusRow:
    item: DueItem
    status: str
    first_received_at: datetime | None


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)  # SQLite hands back the UTC value without its zone


def end_of_day(day: date) -> datetime:
    """The first moment after ``day`` in Asia/Shanghai: arrivals before it are on time."""
    following = day + timedelta(days=1)
    return datetime(following.year, following.month, following.day, tzinfo=TZ)


def first_arrivals(connection: Connection) -> dict[tuple[str, str, str], datetime]:
    rows = connection.execute(
        select(submission.c.dataset, submission.c.unit_code, submission.c.period_key,
               func.min(submission.c.received_at).label("first"))
        .group_by(submission.c.dataset, submission.c.unit_code, submission.c.period_key))
    return {(r.dataset, r.unit_code, r.period_key): _aware(r.first) for r in rows}


def completeness(connection: Connection, as_of: date, plan: WorkPlan | None = None) -> list[StatusRow]:
    arrivals = first_arrivals(connection)
    result = []
    for item in due_items(plan or work_plan(), as_of):
        first = arrivals.get(item.key)
        status = "missing" if first is None else ("received" if first < end_of_day(item.due_date) else "late")
        result.append(StatusRow(item, status, first))
    return result


def store_status(connection: Connection, rows: Iterable[StatusRow], as_of: date) -> int:
    """Replace the warehouse's matrix with this one (idempotent for the same day)."""
    rows = list(rows)
    connection.execute(delete(submission_status))
    if rows:
        connection.execute(insert(submission_status), [
            {"dataset": r.item.dataset, "unit_code": r.item.unit_code, "period_key": r.item.period_key,
             "task_no": r.item.task_no, "due_date": r.item.due_date, "status": r.status,
             "first_received_at": r.first_received_at, "as_of": as_of} for r in rows])
    return len(rows)


def counts(rows: Iterable[StatusRow]) -> dict[str, int]:
    result = dict.fromkeys(STATUSES, 0)
    for row in rows:
        result[row.status] += 1
    return result


def write_matrix_xlsx(rows: Sequence[StatusRow], as_of: date, folder: Path) -> Path:
    """The matrix as a workbook: 矩阵 (units × due submissions) and 明细 (one row per item)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    from chufei.kinds.registry import DATASETS
    from chufei.core.xlsx import put, save_reproducibly

    fills = {"received": "C6EFCE", "late": "FFEB9C", "missing": "FFC7CE"}
    registry = units()
    title = lambda name: DATASETS[name].title if name in DATASETS else name  # noqa: E731
    columns = sorted({(r.item.dataset, r.item.period_key, r.item.due_date) for r in rows},
                     key=lambda c: (c[2], c[0], c[1]))
    by_key = {(r.item.unit_code, r.item.dataset, r.item.period_key): r for r in rows}

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "矩阵"
    put(sheet, 1, 1, f"报送完成情况（截至{as_of.isoformat()}）").font = Font(bold=True, size=14)
    put(sheet, 2, 1, "代码")
    put(sheet, 2, 2, "单位")
    for index, (dataset, period_key, due) in enumerate(columns, start=3):
        cell = put(sheet, 2, index, f"{title(dataset)}\n{period_key}\n时限{due.isoformat()}")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[cell.column_letter].width = 14
    for row_no, unit in enumerate(registry, start=3):
        put(sheet, row_no, 1, unit.code)
        put(sheet, row_no, 2, unit.name)
        for index, (dataset, period_key, _) in enumerate(columns, start=3):
            status = by_key.get((unit.code, dataset, period_key))
            if status is None:
                continue  # not owed by this unit
            cell = put(sheet, row_no, index, STATUS_LABELS[status.status])
            cell.fill = PatternFill("solid", fgColor=fills[status.status])
    sheet.freeze_panes = "C3"

    detail = workbook.create_sheet("明细")
    headers = ["工作要点任务", "报送内容", "报告期", "时限", "代码", "单位", "状态", "首次报送时间"]
    for index, header in enumerate(headers, start=1):
        put(detail, 1, index, header).font = Font(bold=True)
    names = {u.code: u.name for u in registry}
    for row_no, row in enumerate(rows, start=2):
        received = row.first_received_at.astimezone(TZ).strftime("%Y-%m-%d %H:%M") if row.first_received_at else ""
        for index, value in enumerate([row.item.task_no, title(row.item.dataset), row.item.period_key,
                                       row.item.due_date.isoformat(), row.item.unit_code,
                                       names.get(row.item.unit_code, row.item.unit_code),
                                       STATUS_LABELS[row.status], received], start=1):
            put(detail, row_no, index, value)
    path = folder / f"submission_matrix_{as_of.isoformat()}.xlsx"
    save_reproducibly(workbook, path)
    return path


# --- reminders ------------------------------------------------------------------------------------
def pending_reminders(connection: Connection, rows: Iterable[StatusRow], day: date) -> list[DueItem]:
    """Missing items not yet reminded on ``day``."""
    done = {(r.dataset, r.unit_code, r.period_key) for r in connection.execute(
        select(reminder_log.c.dataset, reminder_log.c.unit_code, reminder_log.c.period_key)
        .where(reminder_log.c.reminded_on == day))}
    return [r.item for r in rows if r.status == "missing" and r.item.key not in done]


def reminder_text(items: Sequence[DueItem], day: date) -> str:
    from chufei.kinds.registry import DATASETS

    names = {u.code: u.name for u in units()}
    lines = [f"截至{day.isoformat()}，以下报送事项已过时限仍未收到，请尽快报送："]
    for item in items:
        title = DATASETS[item.dataset].title if item.dataset in DATASETS else item.dataset
        lines.append(f"- {names.get(item.unit_code, item.unit_code)}：{title} {item.period_key}"
                     f"（时限 {item.due_date.isoformat()}，工作要点第{item.task_no}项）")
    return "\n".join(lines)


def send_reminders(engine: Engine, rows: Sequence[StatusRow], day: date) -> dict[str, int]:
    """Remind each missing item at most once per ``day``; the log is written only after sending."""
    from chufei.core.settings import chufei_option
    from chufei.ops.notify import ChufeiNotifier
    from chufei.warehouse.schema import now_utc

    with engine.connect() as connection:
        items = pending_reminders(connection, rows, day)
    if not items:
        return {"reminded": 0, "units": 0}
    ChufeiNotifier(f"[chufei] 报送提醒 {day.isoformat()}：{len(items)} 项未报送",
                   reminder_text(items, day),
                   [{"unit_code": i.unit_code, "dataset": i.dataset, "period": i.period_key,
                     "due": i.due_date.isoformat()} for i in items]).notify({})
    channel = chufei_option("notify_channel", "log")
    with engine.begin() as connection:
        connection.execute(insert(reminder_log), [
            {"dataset": i.dataset, "unit_code": i.unit_code, "period_key": i.period_key,
             "reminded_on": day, "channel": channel, "sent_at": now_utc()} for i in items])
    return {"reminded": len(items), "units": len({i.unit_code for i in items})}


# --- period runs ------------------------------------------------------------------------------------
def owed_for_period(dataset: str, period: Period, plan: WorkPlan | None = None) -> list[DueItem]:
    """The submissions of ``dataset`` for exactly ``period`` that the plan requires, one per unit."""
    result = []
    for obligation in (plan or work_plan()).obligations:
        if obligation.dataset == dataset and obligation.period_kind == period.kind:
            result += [DueItem(obligation.task_no, dataset, u.code, period.key, obligation.due_date(period))
                       for u in units() if obligation.owed_by(u)]
    return result


def missing_for_period(connection: Connection, dataset: str, period: Period) -> list[str]:
    arrivals = first_arrivals(connection)
    return [item.unit_code for item in owed_for_period(dataset, period) if item.key not in arrivals]


def record_period_missing(engine: Engine, report: str, dataset: str, period: Period) -> list[str]:
    """Record (replacing an earlier run's record) which units had not submitted when the run went ahead."""
    from chufei.warehouse.schema import now_utc

    ensure_watch_schema(engine)
    with engine.begin() as connection:
        missing = missing_for_period(connection, dataset, period)
        connection.execute(delete(period_missing).where(period_missing.c.report == report,
                                                        period_missing.c.period_key == period.key,
                                                        period_missing.c.dataset == dataset))
        if missing:
            connection.execute(insert(period_missing), [
                {"report": report, "period_key": period.key, "dataset": dataset, "unit_code": code,
                 "recorded_at": now_utc()} for code in missing])
    return missing


def run_watch(engine: Engine, outbox: Path, as_of: date) -> dict:
    """Compute the matrix for ``as_of``, store it, write the xlsx; returns counts for the task log."""
    ensure_watch_schema(engine)
    with engine.begin() as connection:
        rows = completeness(connection, as_of)
        store_status(connection, rows, as_of)
    path = write_matrix_xlsx(rows, as_of, outbox / "submission_watch" / as_of.isoformat())
    summary = {"as_of": as_of.isoformat(), "items": len(rows), **counts(rows), "xlsx": str(path)}
    log.info("submission_watch %s: %d due items, %d received, %d late, %d missing", as_of, len(rows),
             summary["received"], summary["late"], summary["missing"])
    return summary


def remind(engine: Engine, as_of: date) -> dict:
    ensure_watch_schema(engine)
    with engine.connect() as connection:
        rows = completeness(connection, as_of)
    result = send_reminders(engine, rows, as_of)
    log.info("submission_watch %s: %d reminder(s) sent for %d unit(s)", as_of, result["reminded"], result["units"])
    return result


def as_of_from_context(context) -> date:  # noqa: ANN001
    """The day a watch run reports on: the ``as_of`` Param, else the run's data interval end
    (its logical date / run_after for a manual run), in Asia/Shanghai."""
    params = context.get("params") or {}
    if params.get("as_of"):
        return date.fromisoformat(params["as_of"])
    dag_run = context.get("dag_run")
    moment = (context.get("data_interval_end") or context.get("logical_date")
              or getattr(dag_run, "run_after", None))
    if moment is None:
        raise ValueError("this run has neither a date nor the 'as_of' Param: give as_of, e.g. 2020-12-31")
    return moment.astimezone(TZ).date()


def submissions_complete_or_due(engine: Engine, dataset: str, period: Period, grace_deadline: datetime,
                                now: datetime) -> bool:
    """Sensor check of a period run: every owed submission arrived, or the grace deadline passed."""
    ensure_watch_schema(engine)
    with engine.connect() as connection:
        missing = missing_for_period(connection, dataset, period)
    log.info("%s %s: %d unit(s) still missing; grace deadline %s", dataset, period.key, len(missing),
             grace_deadline.isoformat())
    return not missing or now >= grace_deadline
