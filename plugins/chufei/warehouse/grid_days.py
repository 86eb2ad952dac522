"""Each 区县代码's distinct grid clues per 上报日 (``grid_clue_day``), kept current from the loads.

    refresh_clue_days(engine) -> int   # the days counted again

The district spike alerts test a week and a month against up to five years of daily counts; a
count over every clue version of the history each day grows with the history, so the counts are
kept. A refresh follows the loads by ``loaded_at`` (``chufei.warehouse.grid_marks``: the mark less
an overlap) and counts again, over every version, each day that a version loaded since states: a
day's count is always recounted whole, so a refresh can be repeated and never counts a clue twice.
Versions are never deleted, so no other day changes. Without a mark (the first refresh) every day
is counted once. The counts are the same as counting every version each time.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine

from chufei.core.sql import as_date, run_sql, statement
from chufei.warehouse.bulk import insert_rows
from chufei.warehouse.grid_marks import loaded_mark, loaded_since
from chufei.warehouse.inflow_schema import grid_clue_day, grid_clue_day_mark
from chufei.warehouse.upgrade import ensure_schema

_ALL_DAYS = (date(1, 1, 1), date(9999, 12, 31))


def refresh_clue_days(engine: Engine) -> int:
    """Bring ``grid_clue_day`` up to the latest load; returns how many days were counted again
    (-1: all of them, the first time)."""
    from chufei.inbox.claims import serialize

    ensure_schema(engine)
    with engine.begin() as connection:
        serialize(connection, "chufei.grid_clue_day")  # concurrent refreshes take turns
        mark = connection.execute(select(grid_clue_day_mark.c.mark)).scalar()
        since = loaded_since(mark)
        reached = loaded_mark(connection, since)
        if reached is None:
            return 0
        if mark is None:
            connection.execute(delete(grid_clue_day))
            spans = [_ALL_DAYS]
        else:
            days = sorted({as_date(day) for day in  # (a timestamp: not through run_sql, which binds dates)
                           connection.execute(statement("grid_clue_days_loaded"), {"since": since}).scalars()})
            spans = [(day, day + timedelta(days=1)) for day in days]
        for day_from, day_to in spans:
            run_sql(connection, "grid_clue_day_counts", day_from=day_from, day_to=day_to)
        connection.execute(delete(grid_clue_day_mark))
        insert_rows(connection, grid_clue_day_mark, [{"name": "loaded_at", "mark": reached}])
    return -1 if mark is None else len(spans)
