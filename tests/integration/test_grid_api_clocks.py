"""The grid platform's clock and cursor misbehave: a record stamped in the future is quarantined
and never moves the watermark past the sync's start, records stamped in the platform's past after
its clock went back are still read, and a cursor that never advances stops the sync with a clear
error instead of looping (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text, update

from chufei.ingest import grid_api
from chufei.ingest.grid_api import GridApiError
from chufei.warehouse import grid_sync
from chufei.warehouse.inflow_schema import grid_sync_state
from tests.grid_platform import FakeGridPlatform
from tests.integration.test_grid_api import config, record, versions


def _clue_ids(engine) -> set[str]:
    return {clue for clue, _, _ in versions(engine)}


def test_a_future_timestamp_is_quarantined_and_later_records_still_load(engine, data):
    records = [record(n, 1, n) for n in range(1, 11)]
    records.insert(5, record(77, 1, 0, updated_at="2099-01-01T00:00:00+08:00"))
    with FakeGridPlatform(records) as platform:
        first = grid_api.sync(engine, data, config(platform.url))
        assert first["quarantined"] == 1
        assert datetime.fromisoformat(first["watermark"]) <= datetime.now(UTC)
        assert "WG2020000077" not in _clue_ids(engine)

        later = [record(n, 1, 600 + n) for n in range(100, 150)]  # served after the bad record
        platform.records = records + later
        grid_api.sync(engine, data, config(platform.url))
    assert _clue_ids(engine) >= {r["clue_id"] for r in records + later if r["clue_id"] != "WG2020000077"}
    assert len(_clue_ids(engine)) == 60
    with engine.connect() as connection:
        reasons = [json.loads(r) for r in connection.execute(text(
            "SELECT reasons_json FROM rejected_row WHERE dataset = 'grid_report'")).scalars()]
        messages = connection.execute(text(
            "SELECT message FROM received_file WHERE source = 'grid_api' AND message IS NOT NULL")).scalars().all()
        mark = grid_sync.watermark(connection, grid_api.SOURCE)
    assert reasons
    assert all(r[0]["column"] == "更新时间" and "晚于本次同步开始时间" in r[0]["message"] for r in reasons)
    assert any("已隔离" in m for m in messages)
    assert datetime.fromisoformat(mark) <= datetime.now(UTC)


def test_a_watermark_already_in_the_future_is_brought_back(engine, data):
    records = [record(n, 1, n) for n in range(1, 6)]
    with FakeGridPlatform(records) as platform:
        grid_api.sync(engine, data, config(platform.url))
        with engine.begin() as connection:  # as a sync before this fix left it
            connection.execute(update(grid_sync_state).values(updated_since="2099-01-01T00:00:00+08:00"))
        recent = (datetime.now(UTC) - timedelta(minutes=10)).isoformat()  # changed since the bad sync
        platform.records = records + [record(50, 1, 0, updated_at=recent)]
        grid_api.sync(engine, data, config(platform.url))
        assert datetime.fromisoformat(platform.requests[-1]["updated_since"]) <= datetime.now(UTC)
    assert "WG2020000050" in _clue_ids(engine)


def test_records_stamped_before_the_watermark_by_a_clock_gone_back_are_read(engine, data):
    records = [record(n, 1, n * 10) for n in range(1, 11)]  # newest updated_at: T0 + 100 min
    with FakeGridPlatform(records) as platform:
        grid_api.sync(engine, data, config(platform.url))
        behind = [record(n, 1, 100 - 20) for n in (40, 41)]  # the platform's clock went back 20 minutes
        platform.records = records + behind
        second = grid_api.sync(engine, data, config(platform.url))
    assert second["new_versions"] == 2
    assert {"WG2020000040", "WG2020000041"} <= _clue_ids(engine)
    assert len(versions(engine)) == 12  # the re-read overlap loaded nothing twice


class StuckCursor(FakeGridPlatform):
    def page(self, since, cursor, size):
        items = [r for r in self.records][:size]
        return json.dumps({"items": items, "next_cursor": "same-cursor"}, ensure_ascii=False).encode()


class EndlessCursor(FakeGridPlatform):
    def page(self, since, cursor, size):
        offset = int(cursor or 0)
        return json.dumps({"items": self.records[:size], "next_cursor": str(offset + 1)}).encode()


def test_a_cursor_that_never_advances_fails_the_sync_clearly(engine, data):
    with StuckCursor([record(n, 1, n) for n in range(1, 4)]) as platform:
        with pytest.raises(GridApiError, match="cursor 'same-cursor' 4 times"):
            grid_api.sync(engine, data, config(platform.url))
        assert len(platform.requests) == 4
    assert len(versions(engine)) == 3  # what came before the loop is loaded


def test_pages_per_sync_are_bounded(engine, data):
    with EndlessCursor([record(n, 1, n) for n in range(1, 4)]) as platform:
        first = grid_api.sync(engine, data, config(platform.url, max_pages=6))
        assert (len(platform.requests), first["pages"], first["more"]) == (6, 6, True)
        with pytest.raises(GridApiError, match="max_pages"):  # no progress at all: the platform is broken
            grid_api.sync(engine, data, config(platform.url, max_pages=6))
        assert len(platform.requests) == 12
    assert len(versions(engine)) == 3



def _rejected(engine) -> list[tuple[str, str]]:
    """(线索编号, 地址) of each rejected row, as kept (a quarantined record as the API sent it)."""
    with engine.connect() as connection:
        raws = connection.execute(text(
            "SELECT raw_json FROM rejected_row WHERE dataset = 'grid_report' ORDER BY id")).scalars().all()
    found = [json.loads(raw) for raw in raws]
    return [(r.get("clue_id") or r["线索编号"], r.get("address") or r["地址"]) for r in found]


def test_records_refused_once_are_not_recorded_again_by_each_sync(engine, data):
    bad = record(99, 1, 9, credit_code="91420700MA4ABCDE10")  # bad check character, inside every overlap
    future = record(77, 1, 0, updated_at="2099-01-01T00:00:00+08:00")  # every later sync meets it again
    records = [record(n, 1, n) for n in range(1, 11)] + [bad, future]
    with FakeGridPlatform(records) as platform:
        syncs = [grid_api.sync(engine, data, config(platform.url))]
        for n in (11, 12):  # something new, read first, each time: no page repeats an earlier one's bytes
            platform.records = platform.records + [record(n, 1, 0)]
            syncs.append(grid_api.sync(engine, data, config(platform.url)))
        assert _rejected(engine) == [("WG2020000099", "鄂州市凤凰街道"), ("WG2020000077", "鄂州市凤凰街道")]
        assert [s["already_rejected"] for s in syncs] == [0, 2, 2]

        changed = dict(bad, address="鄂州市凤凰街道 2 号", updated_at=record(0, 1, 13)["updated_at"])
        platform.records = platform.records + [changed]  # the same 线索编号 + 版本, other content: a new refusal
        grid_api.sync(engine, data, config(platform.url))
    assert _rejected(engine) == [("WG2020000099", "鄂州市凤凰街道"), ("WG2020000077", "鄂州市凤凰街道"),
                                 ("WG2020000099", "鄂州市凤凰街道 2 号")]
    assert len(versions(engine)) == 12
