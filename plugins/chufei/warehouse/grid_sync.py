"""The grid API's watermark: the newest 更新时间 loaded, per source, in ``grid_sync_state``.

It advances in the same transaction as the page it comes from, so a page that fails loads
nothing and moves nothing: the next sync asks again from the last committed page.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from chufei.core.periods import TZ as TIMEZONE
from chufei.warehouse import schema as warehouse
from chufei.warehouse.inflow_schema import grid_sync_state

EPOCH = "2015-01-01T00:00:00+08:00"  # the watermark of a source never synced


def parse_instant(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=TIMEZONE)


def watermark(connection: Connection, source: str) -> str:
    value = connection.execute(select(grid_sync_state.c.updated_since)
                               .where(grid_sync_state.c.source == source)).scalar()
    return value or EPOCH


def advance_watermark(connection: Connection, source: str, items: list[dict], current: str, records: int,
                      ceiling: datetime | None = None) -> str:
    """The watermark past ``items`` (records with ``updated_at``), stored with the count loaded;
    never after ``ceiling`` (the sync's start: no record can have changed later than it asked)."""
    instants = [i for i in (parse_instant(item.get("updated_at")) for item in items) if i]
    newest = max([*instants, parse_instant(current)])
    if ceiling is not None:
        newest = min(newest, ceiling.astimezone(TIMEZONE))
    value = newest.isoformat()
    values = {"updated_since": value, "synced_at": warehouse.now_utc()}
    known = connection.execute(select(grid_sync_state.c.records_loaded)
                               .where(grid_sync_state.c.source == source)).first()
    if known is None:
        connection.execute(insert(grid_sync_state), {"source": source, "records_loaded": records, **values})
    else:
        connection.execute(update(grid_sync_state).where(grid_sync_state.c.source == source)
                           .values(records_loaded=known.records_loaded + records, **values))
    return value
