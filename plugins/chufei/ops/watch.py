"""Submission deadlines (时限): which unit owes what, and what arrived on time, late or not at all.

The work plan's 26 tasks and the submissions they require live in the one obligations source,
``include/reference/work_plan_tasks.json`` (``chufei.kinds.obligations``). ``completeness`` turns them into a matrix of
units × due submissions for a given day, marked received / late / missing from what had arrived
by the end of that day: an item is on time when its first file landed in the inbox
(``received_file.arrived_at``) before the end of its due day, Asia/Shanghai; when chufei processed
it does not matter (it is kept beside). A return without rows (零报告) is a return. ``submission_watch``
writes the matrix to the warehouse (``submission_status``) and as a package to the outbox
(``chufei.ops.watch_matrix``), and reminds units of missing items through ``chufei.ops.notify`` —
each missing item at most once per day (``reminder_log``)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from collections.abc import Iterable, Sequence

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Connection, Engine

from chufei.core.sql import as_instant, run_sql
from chufei.core.periods import TZ, Period, half_period, month_period, quarter_period
from chufei.core.units import Unit, units
from chufei.kinds.obligations import WorkPlan, work_plan
from chufei.warehouse.schema import ensure_schema
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
class Arrival:
    """What came in for one item by the matrix's day: its first file's arrival in the inbox and
    when chufei processed that file, and whether the newest version listed no rows (零报告)."""

    arrived_at: datetime
    processed_at: datetime
    zero_return: bool


@dataclass(frozen=True)
class StatusRow:
    item: DueItem
    status: str  # received (on time) | late | missing
    first_arrived_at: datetime | None = None
    first_processed_at: datetime | None = None
    zero_return: bool = False  # a return without rows: submitted (on time or late), never missing


def end_of_day(day: date) -> datetime:
    """The first moment after ``day`` in Asia/Shanghai: arrivals before it are on time."""
    following = day + timedelta(days=1)
    return datetime(following.year, following.month, following.day, tzinfo=TZ)


def arrivals(connection: Connection, until: datetime | None = None) -> dict[tuple[str, str, str], Arrival]:
    """Per (kind, unit, period): what had arrived before ``until`` (everything when None)."""
    first: dict[tuple, tuple[datetime, datetime]] = {}
    newest: dict[tuple, tuple[int, int]] = {}
    for row in run_sql(connection, "submission_arrivals").mappings():
        arrived, processed = as_instant(row["arrived_at"]), as_instant(row["processed_at"])
        if until is not None and arrived >= until:
            continue  # arrived after the matrix's day: not known on that day
        key = (row["dataset"], row["unit_code"], row["period_key"])
        if key not in first or arrived < first[key][0]:
            first[key] = (arrived, processed)
        if key not in newest or row["version"] > newest[key][0]:
            newest[key] = (row["version"], row["rows_accepted"])
    return {key: Arrival(arrived, processed, newest[key][1] == 0) for key, (arrived, processed) in first.items()}


def first_arrivals(connection: Connection) -> dict[tuple[str, str, str], datetime]:
    return {key: arrival.arrived_at for key, arrival in arrivals(connection).items()}


def completeness(connection: Connection, as_of: date, plan: WorkPlan | None = None) -> list[StatusRow]:
    """Every item due by ``as_of``, judged by what had arrived by the end of that day: on time when
    the first file for it landed in the inbox by the end of its due day (Asia/Shanghai)."""
    known = arrivals(connection, end_of_day(as_of))
    result = []
    for item in due_items(plan or work_plan(), as_of):
        arrival = known.get(item.key)
        if arrival is None:
            result.append(StatusRow(item, "missing"))
            continue
        status = "received" if arrival.arrived_at < end_of_day(item.due_date) else "late"
        result.append(StatusRow(item, status, arrival.arrived_at, arrival.processed_at, arrival.zero_return))
    return result


def store_status(connection: Connection, rows: Iterable[StatusRow], as_of: date) -> int:
    """Replace the warehouse's matrix with this one (idempotent for the same day)."""
    rows = list(rows)
    connection.execute(delete(submission_status))
    if rows:
        connection.execute(insert(submission_status), [
            {"dataset": r.item.dataset, "unit_code": r.item.unit_code, "period_key": r.item.period_key,
             "task_no": r.item.task_no, "due_date": r.item.due_date, "status": r.status,
             "first_arrived_at": r.first_arrived_at, "first_processed_at": r.first_processed_at,
             "zero_return": r.zero_return if r.status != "missing" else None, "as_of": as_of} for r in rows])
    return len(rows)


def counts(rows: Iterable[StatusRow]) -> dict[str, int]:
    result = dict.fromkeys(STATUSES, 0)
    zero = 0
    for row in rows:
        result[row.status] += 1
        zero += row.zero_return
    return {**result, "zero_return": zero}


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
    """Compute the matrix for ``as_of``, store it, write its package; returns counts for the task log."""
    from chufei.ops.watch_matrix import write_matrix_package

    ensure_watch_schema(engine)
    with engine.begin() as connection:
        rows = completeness(connection, as_of)
        store_status(connection, rows, as_of)
        sources = sorted({row["file_sha256"] for row in run_sql(connection, "submission_arrivals").mappings()
                          if as_instant(row["arrived_at"]) < end_of_day(as_of)})
    manifest = write_matrix_package(rows, as_of, outbox / "submission_watch" / as_of.isoformat(), sources)
    folder = Path(manifest["folder"])
    summary = {"as_of": as_of.isoformat(), "items": len(rows), **counts(rows),
               "xlsx": str(folder / f"submission_matrix_{as_of.isoformat()}.xlsx"), "version": manifest["version"]}
    log.info("submission_watch %s: %d due items, %d on time, %d late, %d missing (%d 零报告)", as_of, len(rows),
             summary["received"], summary["late"], summary["missing"], summary["zero_return"])
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
