"""Moving the embedded SQLite warehouse into PostgreSQL (``python -m chufei.warehouse.migrate``).

The source is built by the real ingest of generated workbooks; after the move every table must
hold the same rows, the monthly statistics must come out identical, and the new warehouse must
keep accepting submissions (its id sequences continue after the copied ids).
"""

from __future__ import annotations

from datetime import date, datetime, UTC

import pytest
from sqlalchemy import func, select

from chufei.warehouse import schema as warehouse
from chufei.outbox.case_reports import build_case_statistics_package
from chufei.core.settings import DataDir
from demo.generate import write_demo_inbox
from chufei.ingest.submissions import ingest_submissions
from chufei.warehouse.migrate import MigrationRefused, main, migrate
from chufei.core.periods import month_period
from chufei.statistics.cases import case_statistics

UNITS = ["420704", "EZGD01", "D01"]
MONTHS = [1, 2, 3]


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """A SQLite warehouse filled by the real ingest: accepted, corrected, rejected and duplicate files."""
    root = tmp_path_factory.mktemp("sqlite-source")
    data = DataDir(root / "data").ensure()
    demo = write_demo_inbox(data, unit_codes=UNITS, months=MONTHS)
    engine = warehouse.engine_for(f"sqlite:///{root / 'source.db'}")
    summary = ingest_submissions(engine, data)
    assert summary.files == len(demo.files)
    assert summary.rows_rejected > 0
    assert summary.duplicate == 1
    return engine, demo


def _normalised(value):
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value


def _rows(engine, table):
    with engine.connect() as connection:
        rows = connection.execute(select(table).order_by(*table.primary_key.columns)).mappings().all()
    return [{key: _normalised(value) for key, value in row.items()} for row in rows]


def test_every_row_arrives_unchanged_and_statistics_match(source, warehouse_url, tmp_path):
    source_engine, demo = source
    target = warehouse.engine_for(warehouse_url)
    result = migrate(source_engine, target, batch_size=7)  # small batches: several per table
    assert result.rows["case_ledger_row"] > 7
    assert result.rows["rejected_row"] > 0
    assert not result.skipped
    assert not result.unknown

    for table in warehouse.metadata.sorted_tables:
        expected, moved = _rows(source_engine, table), _rows(target, table)
        assert moved == expected, f"{table.name} differs after the move"
    with target.connect() as connection:  # amounts stay exact integers of 分
        amounts = connection.execute(select(warehouse.case_current.c.amount_fen)).scalars().all()
    assert amounts
    assert all(type(value) is int for value in amounts)
    ledgers = [month_period(2019, 12)] + [month_period(2020, m) for m in MONTHS]
    assert sum(amounts) == sum(c.amount_fen for c in demo.cases if any(c.listed_in(p) for p in ledgers))

    for month in MONTHS:
        period = month_period(2020, month)
        with source_engine.connect() as a, target.connect() as b:
            assert case_statistics(a, period) == case_statistics(b, period), period.key
        packages = [build_case_statistics_package(engine, DataDir(tmp_path / name).ensure(), period, "check")
                    for name, engine in (("from-sqlite", source_engine), ("from-target", target))]
        assert [f["sha256"] for f in packages[0]["files"]] == [f["sha256"] for f in packages[1]["files"]]
    with target.connect() as connection:  # and the figures are the generated truth, not just equal
        figures = case_statistics(connection, month_period(2020, 3))
    assert sum(f["new_cases"] for f in figures.year_to_date.values()) == sum(
        1 for c in demo.cases if date(2020, 1, 1) <= c.filed < date(2020, 4, 1))


def test_the_moved_warehouse_keeps_accepting_submissions(source, warehouse_url, tmp_path):
    source_engine, _ = source
    target = warehouse.engine_for(warehouse_url)
    migrate(source_engine, target)
    with target.connect() as connection:
        last_id = connection.execute(select(func.max(warehouse.submission.c.id))).scalar_one()
    data = DataDir(tmp_path / "april").ensure()
    write_demo_inbox(data, unit_codes=UNITS, months=[4], faults=False)
    summary = ingest_submissions(target, data)
    # December 2019 repeats byte-for-byte. This data directory is new, so those files' receipts are
    # rebuilt from the moved load records (their original outcome) instead of loading them again;
    # April is new.
    assert summary.accepted == 2 * len(UNITS)
    assert summary.duplicate == 0
    with target.connect() as connection:
        new_ids = connection.execute(select(warehouse.submission.c.id).where(
            warehouse.submission.c.id > last_id)).scalars().all()
        april = connection.execute(select(warehouse.submission.c.id).where(
            warehouse.submission.c.period_key == "2020-04")).scalars().all()
    assert sorted(new_ids) == sorted(april)
    assert len(april) == len(UNITS)


def test_refuses_a_non_empty_target_unless_told(source, warehouse_url, capsys, monkeypatch):
    source_engine, _ = source
    target = warehouse.engine_for(warehouse_url)
    warehouse.ensure_schema(target)  # as airflow-init leaves it: schema, no data — that is empty
    first = migrate(source_engine, target)
    with pytest.raises(MigrationRefused, match="already holds rows"):
        migrate(source_engine, target)
    again = migrate(source_engine, target, replace=True)
    assert again.rows == first.rows  # replaced, not doubled
    with target.connect() as connection:
        assert connection.execute(select(func.count()).select_from(warehouse.submission)).scalar_one() \
            == first.rows["submission"]

    source_url = source_engine.url.render_as_string(hide_password=False)
    assert main(["--from", source_url, "--to", warehouse_url]) == 2
    assert "pass --replace" in capsys.readouterr().err
    assert main(["--from", source_url, "--to", warehouse_url, "--replace"]) == 0
    assert f"copied {first.total} rows" in capsys.readouterr().out
    # Inside the stack the target defaults to the configured warehouse connection.
    monkeypatch.setenv("AIRFLOW_CONN_CHUFEI_WAREHOUSE", warehouse_url.replace("postgresql+psycopg://", "postgresql://"))
    assert main(["--from", source_url, "--replace"]) == 0
    assert f"copied {first.total} rows" in capsys.readouterr().out
