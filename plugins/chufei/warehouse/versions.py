"""Which version of a unit's submission for a period is the current one: the order of corrections.

Versions are numbered in the order chufei processed them, which is an accident (two files with
the same mtime are claimed by name, and ``X(更正).xlsx`` sorts before ``X.xlsx``). The current
version is the latest by, in turn:

1. its arrival in the inbox (``received_file.arrived_at``; the processing time for files received
   before arrivals were recorded);
2. the workbook's own 填报日期, when both carry one (a file without one comes first);
3. an explicit correction marker: 更正, 修正, 订正 or 修订 in the file's name;
4. the version number (the later processed), when all the above tie.

docs/datasets.md states the rule for units.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from sqlalchemy import inspect, null, select, update
from sqlalchemy.engine import Connection

from chufei.core.normalise import parse_date
from chufei.warehouse.metadata import metadata

CORRECTION = re.compile(r"更正|修正|订正|修订")


def _instant(value: datetime | None) -> datetime:
    if value is None:
        return datetime.min.replace(tzinfo=UTC)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _filled(text: str | None) -> date:
    try:
        return parse_date(text) or date.min
    except ValueError:
        return date.min


def order_key(arrived_at: datetime | None, filled_on: str | None, original_name: str | None, version: int) -> tuple:
    return (_instant(arrived_at), _filled(filled_on), bool(CORRECTION.search(original_name or "")), version)


def choose_current(connection: Connection, dataset: str, unit_code: str, period_key: str) -> int:
    """Mark the latest version (by ``order_key``) current and the others not; returns its id."""
    submission, received = metadata.tables["submission"], metadata.tables["received_file"]
    # A warehouse rows are written into before revision 0002 ran (the upgrade tests build one) has
    # no arrived_at yet: the processing time stands in for it, as for files received before it.
    arrived = received.c.arrived_at if "arrived_at" in {
        c["name"] for c in inspect(connection).get_columns("received_file")} else null().label("arrived_at")
    rows = connection.execute(
        select(submission.c.id, submission.c.version, submission.c.filled_on, submission.c.received_at,
               arrived, received.c.original_name)
        .join(received, received.c.sha256 == submission.c.file_sha256)
        .where(submission.c.dataset == dataset, submission.c.unit_code == unit_code,
               submission.c.period_key == period_key)).all()
    best = max(rows, key=lambda r: order_key(r.arrived_at or r.received_at, r.filled_on, r.original_name, r.version))
    scope = (submission.c.dataset == dataset, submission.c.unit_code == unit_code, submission.c.period_key == period_key)
    connection.execute(update(submission).where(*scope, submission.c.id != best.id, submission.c.is_current.is_(True))
                       .values(is_current=False))
    connection.execute(update(submission).where(submission.c.id == best.id).values(is_current=True))
    return best.id


def current_version(connection: Connection, submission_id: int) -> int | None:
    """The version number that is current beside ``submission_id`` (None: it is current itself)."""
    submission = metadata.tables["submission"]
    mine = connection.execute(select(submission.c.dataset, submission.c.unit_code, submission.c.period_key,
                                     submission.c.is_current).where(submission.c.id == submission_id)).one()
    if mine.is_current:
        return None
    return connection.execute(select(submission.c.version).where(
        submission.c.dataset == mine.dataset, submission.c.unit_code == mine.unit_code,
        submission.c.period_key == mine.period_key, submission.c.is_current.is_(True))).scalar()
