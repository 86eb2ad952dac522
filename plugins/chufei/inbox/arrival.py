"""When a file landed in the inbox: its modification time, never later than the moment it is read.

A sender's upload sets the file's mtime when the last byte is written, and claiming the file
(a rename) keeps it, so the mtime of a claimed file, or of a dead run's leftover, is still its
arrival. A clock or a copy tool that stamps a future mtime cannot make a file arrive later than
chufei saw it: the arrival is capped at "now". Receipts and the warehouse record it beside the
processing time (``received_at``); deadlines and corrections are judged by it.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path


def arrival_of(path: Path | os.stat_result, now: datetime | None = None) -> datetime:
    """The arrival (UTC) of the inbox entry at ``path`` (not following a link), or of its stat."""
    stat = path if isinstance(path, os.stat_result) else os.lstat(path)
    now = now or datetime.now(UTC)
    return min(datetime.fromtimestamp(stat.st_mtime, UTC), now).replace(microsecond=0)


def as_instant(text: str | None) -> datetime | None:
    """A receipt's ISO instant back as a datetime (None stays None)."""
    return datetime.fromisoformat(text) if text else None


def local_date(moment: datetime | None):
    """The Beijing calendar day of an arrival: what "arrived on" means for periods and dates."""
    from chufei.core.periods import TZ

    return moment.astimezone(TZ).date() if moment is not None else None
