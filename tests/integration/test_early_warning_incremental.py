"""The daily run carries the previous day's indicator values over and re-counts only the entities
whose timelines changed or whose dated windows moved. Two warehouses get the same inflows day after
day (new clues, a correction that moves a clue to another subject, clues dated after the day
scored, a ledger, a feedback that checks a warning, a jump of months, a re-run with nothing new); one runs the days
incrementally, the other counts everything each day. The register, the warnings, the daily clue
counts of the spike alerts and every byte of the packages are the same, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import delete, select

from chufei.core.periods import half_period, month_period
from chufei.core.settings import DataDir
from chufei.outbox.early_warning import run_day
from chufei.statistics import early_warning
from chufei.warehouse.entities import update_register
from chufei.warehouse.entity_schema import (entity, entity_event, entity_score_mark, entity_score_state, entity_warning,
                                             spike_baseline)
from chufei.warehouse.inflow_schema import grid_clue_day, grid_clue_day_mark, grid_clue_version
from tests.early_warning_data import grid_clue, ledger_row, load_submission

WORDS = ["鑫源", "恒通", "众诚", "宏达", "金盛", "华信", "聚财", "福满", "汇利", "长盈", "泰和", "瑞丰"]
SIGNS = ["", "", "承诺高额回报", "保本保息", "承诺高额回报、发展下线"]
DISTRICTS = ["420702", "420703", "420704"]


@pytest.fixture
def twins(warehouse_url, tmp_path, request):
    """Two empty warehouses of the same kind and a data directory for each."""
    from chufei.warehouse.schema import engine_for, ensure_schema

    other = (f"sqlite:///{tmp_path / 'full.db'}" if warehouse_url.startswith("sqlite")
             else request.getfixturevalue("pg_other_database"))
    engines = [engine_for(warehouse_url), engine_for(other)]
    for engine in engines:
        ensure_schema(engine)
    yield [(engine, DataDir(tmp_path / name).ensure()) for engine, name in zip(engines, ["a", "b"], strict=True)]
    for engine in engines:
        engine.dispose()


def _clues(day: date, count: int, seed: int, first_no: int) -> list[dict]:
    """``count`` clues loaded the morning after ``day``, reported up to 200 days before it (a few
    after it: dated later than the day scored)."""
    rng = random.Random(seed)
    clues = []
    for n in range(count):
        word = rng.choice(WORDS)
        reported = datetime.combine(day, datetime.min.time()) + timedelta(days=rng.randint(-200, 3), hours=9)
        clues.append({"clue_no": f"WG{first_no + n}", "reported": reported, "district": rng.choice(DISTRICTS),
                      "grid": f"G{rng.randint(1, 5)}", "name": f"鄂州{word}投资管理有限公司", "signs": rng.choice(SIGNS),
                      "load": f"grid-{day}", "row_no": n + 1,
                      "loaded_at": datetime.combine(day + timedelta(days=1), datetime.min.time()) + timedelta(hours=8)})
    return clues


def _feed(engine, day: date, index: int) -> None:
    if index == len(DAYS) - 1:  # the re-run: nothing new arrived
        return
    with engine.begin() as connection:
        for clue in _clues(day, 30 if index == 0 else 6, seed=index, first_no=100 * index):
            grid_clue(connection, **clue)
        if index == 1:  # a correction: WG3 now names another subject (its event moves), a later version
            grid_clue(connection, "WG3", datetime(2020, 5, 2, 9), "420703", "G4", "鄂州泰和投资管理有限公司",
                      version=2, load=f"grid-{day}", row_no=99,
                      loaded_at=datetime.combine(day + timedelta(days=1), datetime.min.time()) + timedelta(hours=9))
            load_submission(connection, "risk_ledger", "420704", half_period(2020, 2), [
                ledger_row("鄂州恒通投资管理有限公司", date(2020, 7, 1), "高")])
        if index == 3:  # the first warning of the day before is checked
            warning_id = connection.execute(select(entity_warning.c.warning_id).order_by(
                entity_warning.c.score.desc(), entity_warning.c.warning_id)).scalars().first()
            load_submission(connection, "warning_feedback", "420704", month_period(2020, 7), [
                {"warning_id": warning_id, "result": "属实", "checked_date": date(2020, 7, 4), "note": None}])


def _rows(engine, table) -> list[tuple]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(select(table).order_by(*table.primary_key.columns))]


def _clue_days(engine) -> list[tuple]:
    """Each district's distinct clues per day, counted from every clue version."""
    with engine.connect() as connection:
        versions = connection.execute(select(grid_clue_version.c.district_code, grid_clue_version.c.reported_at,
                                             grid_clue_version.c.clue_no)).all()
    days: dict[tuple, set] = {}
    for district, reported, clue in versions:
        days.setdefault((district, reported.date()), set()).add(clue)
    return [(district, day, len(clues)) for (district, day), clues in sorted(days.items())]


def _package(data: DataDir) -> dict[str, bytes]:
    root = data.outbox / "early_warning"
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


DAYS = [date(2020, 6, 30), date(2020, 7, 1), date(2020, 7, 2), date(2020, 7, 5), date(2020, 10, 20),
        date(2020, 10, 20)]


def _upgraded_to_score_and_band(engine) -> None:  # noqa: ANN001
    """The warehouse taken back to revision 0011 (its kept values without score and band), then upgraded."""
    from alembic import command

    from chufei.warehouse.schema import ensure_schema
    from chufei.warehouse.upgrade import alembic_config

    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0011")
    ensure_schema(engine)


@pytest.mark.parametrize("upgraded_after", [None, 1])
def test_a_day_carried_over_is_the_day_counted_from_scratch(twins, monkeypatch, upgraded_after):
    recounted: list[int] = []
    counted = early_warning._recounted

    def spy(engine, as_of, entity_ids):  # noqa: ANN001, ANN202
        recounted.append(len(entity_ids))
        return counted(engine, as_of, entity_ids)

    monkeypatch.setattr(early_warning, "_recounted", spy)
    (incremental, data_a), (scratch, data_b) = twins
    for index, day in enumerate(DAYS):
        for engine in (incremental, scratch):
            _feed(engine, day, index)
            update_register(engine)
        with scratch.begin() as connection:  # no state: this warehouse counts every event of its history
            connection.execute(delete(entity_score_mark))
            connection.execute(delete(grid_clue_day_mark))  # and every clue version, fitting every baseline
            connection.execute(delete(spike_baseline))
        summaries = [{k: v for k, v in run_day(engine, data, day).items() if k != "folder"} for engine, data in twins]
        assert summaries[0] == summaries[1], day
        for table in (entity, entity_event, entity_warning, grid_clue_day):
            assert _rows(incremental, table) == _rows(scratch, table), (day, table.name)
        assert _package(data_a) == _package(data_b), day
        assert _rows(incremental, grid_clue_day) == _clue_days(incremental), day
        scores = early_warning.score_entities(incremental, day)
        assert len(scores) > 0
        assert scores["band"].notna().any()
        # every open warning carries the day's score and band, and the day it was scored
        day_scores = scores.set_index("entity_id")
        with incremental.connect() as connection:
            unchecked = connection.execute(select(entity_warning.c.entity_id, entity_warning.c.scored_on,
                                                  entity_warning.c.score, entity_warning.c.band)
                                           .where(entity_warning.c.status == early_warning.OPEN)).all()
        assert unchecked, day
        assert [(scored_on, score, band) for _, scored_on, score, band in unchecked] == [
            (day, day_scores.at[e, "score"], day_scores.at[e, "band"]) for e, *_ in unchecked], day
        # and the state kept for the next day holds every entity's score and band of this one
        kept = _rows(incremental, entity_score_state)
        assert [(row[0], row[-2], row[-1]) for row in kept] == sorted(
            zip(scores["entity_id"], scores["score"], scores["band"], strict=True)), day
        if index == upgraded_after:  # the next day counts everything again, and writes them
            _upgraded_to_score_and_band(incremental)
    # the incremental warehouse re-counted some entities each day after the first, never all of them
    entities = len(_rows(incremental, entity))
    assert len(recounted) == len(DAYS) - 1 - (upgraded_after is not None)
    assert all(n < entities for n in recounted[:-1])
    assert recounted[-1] == 0  # the same day again, nothing new: all carried over
