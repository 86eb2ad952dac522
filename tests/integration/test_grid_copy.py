"""Grid exports into a PostgreSQL warehouse through COPY: rows the load numbers itself are copied
straight into the history, rows with their own 版本号 are streamed into a temporary table inside
the load's transaction and reach the history in one statement, so a file still loads entirely or
not at all, each (线索编号, 版本) once, every rejected row kept."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from chufei.ingest.grid import ingest_grid_files
from demo.inflows import write_grid_csv
from tests.integration.test_grid_files import clues, receipts, row

pytestmark = pytest.mark.postgres
CHUNK = 16 * 1024  # a few dozen rows a chunk: many chunks from a small file


@pytest.fixture
def pg_engine(pg_database, monkeypatch):
    """A PostgreSQL warehouse whose file loads may not fall back to row-by-row INSERTs."""
    from chufei.warehouse.grid_load import ClueLoader
    from chufei.warehouse.schema import engine_for, ensure_schema

    def bound_inserts(self, columns):
        raise AssertionError("a file's clue versions went through bound INSERTs, not COPY")

    monkeypatch.setattr(ClueLoader, "_insert", bound_inserts)
    engine = engine_for(pg_database)
    ensure_schema(engine)
    yield engine
    engine.dispose()


def _write_versioned(path, rows, encoding: str = "utf-8") -> None:
    """An export carrying 版本号, as the platform writes once it numbers versions itself."""
    import csv

    from demo.inflows import GRID_LABELS

    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*GRID_LABELS, "版本号"])
        writer.writeheader()
        writer.writerows(rows)


def _staging_left(engine) -> bool:
    with engine.connect() as connection:
        return connection.execute(text("SELECT to_regclass('pg_temp.grid_clue_stage')")).scalar() is not None


def test_a_file_that_breaks_after_many_good_chunks_loads_nothing(pg_engine, data):
    path = data.inbox("grid_reports") / "truncated.csv"
    good = [row(f"WG2020{n:06d}") for n in range(1, 1201)]
    write_grid_csv(path, good)
    with path.open("ab") as broken:  # an unterminated quote: the reader gives up near the end
        broken.write(b'"WG2020999999,2020-06-03 14:22:00,420704\n' + b"x" * 40_000 + b"\n")

    summary = ingest_grid_files(pg_engine, data, chunk_bytes=CHUNK)

    assert (summary["rejected"], summary["rows_accepted"]) == (1, 0)
    (receipt,) = receipts(data)
    assert receipt["status"] == "rejected"
    assert "无法解析" in receipt["message"]
    assert clues(pg_engine, "grid_clue_version") == []
    with pg_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM rejected_row")).scalar() == 0
    assert not _staging_left(pg_engine)

    # The same rows whole load on the same pooled connections: the staging table went with the rollback.
    write_grid_csv(data.inbox("grid_reports") / "good.csv", good)
    again = ingest_grid_files(pg_engine, data, chunk_bytes=CHUNK)
    assert (again["rows_accepted"], again["new_versions"]) == (1200, 1200)
    assert [c["clue_no"] for c in clues(pg_engine, "grid_clue_version")] == [f"WG2020{n:06d}" for n in range(1, 1201)]
    assert not _staging_left(pg_engine)


def test_an_export_without_versions_goes_straight_into_the_history(pg_engine, data, monkeypatch):
    from chufei.warehouse.grid_staging import CopyClueStaging

    def staged(self, rows):
        raise AssertionError("versions the load numbered itself went through the staging")

    monkeypatch.setattr(CopyClueStaging, "append", staged)
    inbox = data.inbox("grid_reports")
    write_grid_csv(inbox / "1.csv", [row(f"WG2020{n:06d}") for n in range(1, 1201)])
    assert ingest_grid_files(pg_engine, data, chunk_bytes=CHUNK)["new_versions"] == 1200

    # A later export changes every third clue: those get version 2, the others stay as they are.
    write_grid_csv(inbox / "2.csv", [row(f"WG2020{n:06d}", status="核查中" if n % 3 == 0 else "待核查")
                                     for n in range(1, 1201)])
    summary = ingest_grid_files(pg_engine, data, chunk_bytes=CHUNK)

    assert (summary["rows_accepted"], summary["new_versions"]) == (1200, 400)
    current = {c["clue_no"]: (c["version"], c["status"]) for c in clues(pg_engine)}
    assert current == {f"WG2020{n:06d}": (2, "核查中") if n % 3 == 0 else (1, "待核查") for n in range(1, 1201)}
    with pg_engine.connect() as connection:
        loads = connection.execute(text("SELECT load_id, source, count(DISTINCT loaded_at), count(*), min(row_no), "
                                        "max(row_no) FROM grid_clue_version GROUP BY load_id, source")).all()
    expected = {1200: ("file", 1, 1200, 2, 1201), 400: ("file", 1, 400, 4, 1201)}  # line 1 is the header
    assert {r[0]: tuple(r[1:]) for r in loads} == {
        receipt["sha256"]: expected[receipt["counts"]["new_versions"]] for receipt in receipts(data)}


def test_re_delivered_clue_versions_load_exactly_once(pg_engine, data):
    inbox = data.inbox("grid_reports")
    first = [{**row(f"WG2020{n:06d}"), "版本号": "1"} for n in range(1, 601)]
    _write_versioned(inbox / "1.csv", first)
    assert ingest_grid_files(pg_engine, data, chunk_bytes=CHUNK)["new_versions"] == 600

    # A later export repeats every version already delivered and adds version 2 of every third clue.
    later = first + [{**row(f"WG2020{n:06d}", status="核查中"), "版本号": "2"} for n in range(3, 601, 3)]
    _write_versioned(inbox / "2.csv", later, "gbk")
    summary = ingest_grid_files(pg_engine, data, chunk_bytes=CHUNK)

    assert (summary["rows_accepted"], summary["rows_rejected"], summary["new_versions"]) == (800, 0, 200)
    history = [(c["clue_no"], c["version"]) for c in clues(pg_engine, "grid_clue_version")]
    assert len(history) == len(set(history)) == 800
    current = {c["clue_no"]: (c["version"], c["status"]) for c in clues(pg_engine)}
    assert current["WG2020000003"] == (2, "核查中")
    assert current["WG2020000004"] == (1, "待核查")
    assert sum(version == 2 for version, _ in current.values()) == 200


def test_rejected_rows_are_kept_and_the_valid_ones_load(pg_engine, data):
    rows = []
    for n in range(1, 1001):
        if n % 10 == 0:  # every tenth row names a district outside the units registry
            rows.append(row(f"WG2020{n:06d}", 区县代码="110101"))
        else:
            rows.append(row(f"WG2020{n:06d}", **{"估计金额(万元)": f"{n}.000001"}))
    write_grid_csv(data.inbox("grid_reports") / "mixed.csv", rows)

    summary = ingest_grid_files(pg_engine, data, chunk_bytes=CHUNK)

    assert (summary["rows_accepted"], summary["rows_rejected"], summary["new_versions"]) == (900, 100, 900)
    loaded = clues(pg_engine, "grid_clue_version")
    assert [c["clue_no"] for c in loaded] == [f"WG2020{n:06d}" for n in range(1, 1001) if n % 10]
    assert [c["amount_fen"] for c in loaded] == [n * 1_000_000 + 1 for n in range(1, 1001) if n % 10]
    with pg_engine.connect() as connection:
        kept = connection.execute(text("SELECT row_no, raw_json, reasons_json FROM rejected_row ORDER BY row_no")).all()
    assert [r.row_no for r in kept] == [n + 1 for n in range(10, 1001, 10)]  # line 1 is the header
    assert {json.loads(r.raw_json)["区县代码"] for r in kept} == {"110101"}
    assert all(json.loads(r.reasons_json)[0]["column"] == "区县代码" for r in kept)
    assert receipts(data)[0]["status"] == "partially_accepted"


def test_versions_a_concurrent_load_stores_first_send_the_file_through_the_staging(pg_engine, data, monkeypatch):
    """An export's rows carry no 版本号: the load numbers them after the stored versions and copies
    them straight into the history. Another load that stores one of those numbers meanwhile makes
    that COPY fail once it commits; the file is then loaded again, every row staged, and numbered
    after what that load stored."""
    import threading
    import time

    from sqlalchemy import insert, literal, select

    from chufei.ingest import grid as grid_ingest
    from chufei.warehouse import grid_staging
    from chufei.warehouse.inflow_schema import grid_clue_version

    inbox = data.inbox("grid_reports")
    write_grid_csv(inbox / "1.csv", [row(f"WG2020{n:06d}") for n in range(1, 301)])
    assert ingest_grid_files(pg_engine, data, chunk_bytes=CHUNK)["new_versions"] == 300

    modes = []

    def recording(connection, folder, load_id, direct=True):
        modes.append(direct)
        return grid_staging.clue_staging(connection, folder, load_id, direct)

    monkeypatch.setattr(grid_ingest, "clue_staging", recording)
    other = pg_engine.connect()
    taken = other.begin()
    names = [column.name for column in grid_clue_version.columns]
    other.execute(insert(grid_clue_version).from_select(names, select(
        *(literal(2).label("version") if name == "version" else grid_clue_version.c[name] for name in names))
        .where(grid_clue_version.c.clue_no == "WG2020000150")))

    def commit_once_the_copy_waits() -> None:
        deadline = time.monotonic() + 60
        with pg_engine.connect() as watcher:
            while time.monotonic() < deadline and not watcher.execute(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND query LIKE 'COPY grid_clue_version%'")).scalar():
                watcher.rollback()
                time.sleep(0.02)
        taken.commit()

    committer = threading.Thread(target=commit_once_the_copy_waits)
    committer.start()
    write_grid_csv(inbox / "2.csv", [row(f"WG2020{n:06d}", status="核查中") for n in range(1, 301)])
    summary = ingest_grid_files(pg_engine, data, chunk_bytes=CHUNK)
    committer.join()
    other.close()

    assert modes == [True, False]
    assert (summary["rows_accepted"], summary["new_versions"]) == (300, 300)
    history = [(c["clue_no"], c["version"], c["status"]) for c in clues(pg_engine, "grid_clue_version")]
    assert [(v, s) for clue, v, s in history if clue == "WG2020000150"] == [(1, "待核查"), (2, "待核查"), (3, "核查中")]
    assert len(history) == 300 + 1 + 300
    assert {(v, s) for clue, v, s in history if clue != "WG2020000150"} == {(1, "待核查"), (2, "核查中")}
    assert not _staging_left(pg_engine)


def test_binary_copy_reads_back_every_value_as_arrow_holds_it(pg_engine):
    """COPY's binary tuples built from Arrow columns (``binary_tuples``): text with four-byte
    characters and empty text, times and dates before and after 2000-01-01 (the format's zero),
    the widest integers each column takes, NULL in every nullable column, and a per-load constant."""
    from datetime import UTC, date, datetime

    import pyarrow as pa

    from chufei.warehouse.grid_staging import CopyClueStaging

    rows = pa.table({
        "clue_no": pa.array(["WG-1", "线索😀２", ""]),
        "version": pa.array([1, 2_147_483_647, -2_147_483_648], pa.int32()),
        "updated_at": pa.array([None, datetime(1999, 12, 31, 23, 59, 59), datetime(2000, 1, 1)], pa.timestamp("s")),
        "row_no": pa.array([2, 3, 2_147_483_647], pa.int64()),
        "reported_at": pa.array([datetime(1970, 1, 1), datetime(2020, 6, 3, 14, 22), datetime(2099, 12, 31, 23, 59)],
                                pa.timestamp("s")),
        "district_code": pa.array(["420704", "0420704", "x"]),
        "town": pa.array(["凤凰街道", "a\tb\nc\"d,e\\f", " "]),
        "community": pa.array([None, "滨湖社区", None]),
        "grid_code": pa.array(["0042070401", "g", "g"]), "discovery_method": pa.array(["巡查", "走访", "巡查"]),
        "subject_name": pa.array(["鄂州鑫源", "n", "n"]), "industry": pa.array(["投资咨询", "i", "i"]),
        "judgement": pa.array(["疑似", "移交", "排除"]), "status": pa.array(["待核查", "已办结", "核查中"]),
        "people": pa.array([None, 0, 2_147_483_647], pa.int32()),
        "amount_fen": pa.array([None, 9_000_000_000_000_000, 1], pa.int64()),
        "closed_date": pa.array([None, date(1999, 12, 31), date(2000, 1, 1)], pa.date32()),
    })
    loaded_at = datetime(2026, 12, 7, 15, 30, 1, 123456, tzinfo=UTC)
    with pg_engine.connect() as connection, connection.begin():
        staging = CopyClueStaging(connection)
        assert staging.insert_numbered(rows, "file", "f" * 64, loaded_at) == 3
        names = [*rows.column_names, "source", "load_id", "loaded_at"]
        stored = [dict(r._mapping) for r in connection.execute(
            text(f"SELECT {', '.join(names)} FROM grid_clue_version ORDER BY row_no"))]
        connection.rollback()
    assert stored == [{**row, "source": "file", "load_id": "f" * 64, "loaded_at": loaded_at} for row in rows.to_pylist()]


def test_binary_copy_refuses_a_number_its_column_cannot_hold(pg_engine):
    import pyarrow as pa

    from chufei.warehouse.grid_staging import binary_tuples
    from chufei.warehouse.inflow_schema import grid_clue_version

    with pytest.raises(pa.ArrowInvalid):
        binary_tuples(pa.table({"row_no": pa.array([2_147_483_648], pa.int64())}), grid_clue_version)
