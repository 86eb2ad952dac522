"""The high-water marks of readers that follow ``grid_clue_version`` by its ``loaded_at`` (the
entity register, the daily clue counts of ``chufei.warehouse.grid_days``).

A load stamps ``loaded_at`` when it begins and may commit minutes later, so a reader takes in the
versions loaded since its mark less an overlap (``grid_overlap_minutes`` of the early-warning
reference data): a load that was still committing at the last run is read this time.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy.engine import Connection

from chufei.core.settings import early_warning_config
from chufei.core.sql import statement

EPOCH = datetime(1970, 1, 1)  # no mark yet: every version


def loaded_since(mark: str | None) -> datetime:
    """Where a reader with ``mark`` (ISO, or None) reads from: the mark less the overlap."""
    if mark is None:
        return EPOCH
    overlap = timedelta(minutes=early_warning_config()["matching"].get("grid_overlap_minutes", 60))
    return datetime.fromisoformat(mark) - overlap


def loaded_mark(connection: Connection, since: datetime) -> str | None:
    """The next mark: the latest ``loaded_at`` of the versions loaded since ``since`` (ISO, without
    its zone, as marks are kept); None when nothing was loaded since."""
    mark = connection.execute(statement("grid_loaded_mark"), {"since": since}).scalar()
    return None if mark is None else pd.Timestamp(mark).to_pydatetime().replace(tzinfo=None).isoformat()
