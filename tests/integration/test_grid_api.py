"""Pulling clues from a real HTTP server on loopback that fails transiently, sends a malformed
page and repeats a page: every (线索编号, 版本) loads exactly once, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from chufei.ingest import grid_api
from chufei.warehouse import grid_sync
from chufei.ingest.grid_api import GridApiConfig, GridApiError
from tests.grid_platform import TOKEN, FakeGridPlatform, record, server_records


def config(url: str, **overrides) -> GridApiConfig:
    settings = dict(page_size=5, connect_timeout=2.0, read_timeout=0.3, retries=4, backoff_factor=0.01)
    settings.update(overrides)
    return GridApiConfig(base_url=url, token=TOKEN, **settings)


def versions(engine) -> list[tuple]:
    with engine.connect() as connection:
        return sorted(tuple(r) for r in connection.execute(text(
            "SELECT clue_no, version, status FROM grid_clue_version")))


def current(engine) -> dict[str, tuple]:
    with engine.connect() as connection:
        return {r.clue_no: (r.version, r.status, r.amount_fen) for r in connection.execute(text(
            "SELECT clue_no, version, status, amount_fen FROM grid_clue_current"))}


def expected_versions(records: list[dict]) -> list[tuple]:
    return sorted((r["clue_id"], r["version"], r["status"]) for r in records if r["clue_id"] != "WG2020000099")


def expected_current(records: list[dict]) -> dict[str, tuple]:
    latest: dict[str, dict] = {}
    for r in records:
        if r["clue_id"] != "WG2020000099" and r["version"] > latest.get(r["clue_id"], {"version": 0})["version"]:
            latest[r["clue_id"]] = r
    return {k: (r["version"], r["status"], int(k[-6:]) * 1_000_000 + 250_000) for k, r in latest.items()}


def test_transient_faults_malformed_and_repeated_pages_load_exactly_once(engine, data):
    records = server_records()
    faults = {2: "503", 3: "timeout", 5: "reset", 7: "repeat", 10: "malformed"}
    with FakeGridPlatform(records, faults) as platform:
        with pytest.raises(GridApiError, match="not valid JSON"):
            grid_api.sync(engine, data, config(platform.url))
        # The pages before the malformed one are committed, with the watermark after them.
        loaded_first = versions(engine)
        assert 0 < len(loaded_first) < len(expected_versions(records))
        with engine.connect() as connection:
            mark = grid_sync.watermark(connection, grid_api.SOURCE)
            repeats = connection.execute(text(
                "SELECT count(*) FROM file_arrival WHERE outcome = 'duplicate'")).scalar_one()
        assert mark > records[0]["updated_at"]
        assert repeats >= 1  # the repeated page was recognised by its bytes (a slow retry may repeat one more)

        assert len(platform.requests) == 10  # every transient fault was retried, then the bad page stopped it
        grid_api.sync(engine, data, config(platform.url))  # what the task's retry does
        first_after_failure = next(r for r in platform.requests[10:] if "updated_since" in r)
        assert datetime.fromisoformat(first_after_failure["updated_since"]) == \
            datetime.fromisoformat(mark) - timedelta(seconds=GridApiConfig.overlap_seconds)
        assert "cursor" not in first_after_failure

    assert versions(engine) == expected_versions(records)
    assert current(engine) == expected_current(records)
    with engine.connect() as connection:
        reasons = connection.execute(text(
            "SELECT reasons_json FROM rejected_row WHERE dataset = 'grid_report'")).scalars().all()
        pages = connection.execute(text(
            "SELECT count(*) FROM received_file WHERE source = 'grid_api'")).scalar_one()
    assert len(reasons) == 1  # the bad record, re-read in the overlap, is recorded once
    assert "统一社会信用代码" in reasons[0]
    archived = sorted(p.name for p in data.archive.iterdir() if p.suffix == ".json")
    assert len(archived) == pages  # every distinct page body archived byte for byte


def test_incremental_sync_asks_only_for_changes_since_the_watermark(engine, data):
    records = server_records()
    with FakeGridPlatform(records) as platform:
        grid_api.sync(engine, data, config(platform.url, page_size=50))
        again = grid_api.sync(engine, data, config(platform.url, page_size=50))
        assert again["new_versions"] == 0  # the overlap re-reads the newest records only: nothing new
        assert datetime.fromisoformat(platform.requests[-1]["updated_since"]) == datetime.fromisoformat(
            max(r["updated_at"] for r in records)) - timedelta(seconds=GridApiConfig.overlap_seconds)

        later = [record(n, 3, 500 + n, status="已办结") for n in (21, 22)]
        platform.records = records + later
        third = grid_api.sync(engine, data, config(platform.url, page_size=50))
    assert third["new_versions"] == 2
    assert versions(engine) == expected_versions(records + later)
    assert current(engine)["WG2020000021"] == (3, "已办结", 21_250_000)


def test_a_platform_that_keeps_failing_fails_the_sync_and_loads_nothing(engine, data):
    with FakeGridPlatform(server_records(), {n: "503" for n in range(1, 10)}) as platform:
        with pytest.raises(Exception, match="(?i)retries|503|too many"):
            grid_api.sync(engine, data, config(platform.url, retries=2))
        assert len(platform.requests) == 3  # the first try and two retries, then it gives up
    assert versions(engine) == []


def test_a_wrong_token_is_an_error_not_an_empty_result(engine, data):
    with FakeGridPlatform(server_records()) as platform:
        bad = GridApiConfig(base_url=platform.url, token="wrong", retries=0)
        with pytest.raises(GridApiError, match="HTTP 401"):
            grid_api.sync(engine, data, bad)
