"""Grid exports dropped in the inbox: encodings detected, codes kept as text, amounts exact, every
clue version kept once, bad rows and bad files reported — on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from demo.inflows import GRID_LABELS, uscc_for, write_grid_csv, write_grid_xlsx
from chufei.ingest.grid import ingest_grid_files

TOWN = "凤凰街道"


def row(clue: str, status: str = "待核查", **changes) -> dict[str, str]:
    import random

    base = {label: "" for label in GRID_LABELS}
    base.update({"线索编号": clue, "上报时间": "2020-06-03 14:22:00", "区县代码": "420704", "乡镇街道": TOWN,
                 "社区村": "滨湖社区", "网格编码": "0042070401", "网格员工号": "GW0041", "发现方式": "巡查",
                 "主体名称": "鄂州鑫源投资管理有限公司", "统一社会信用代码": uscc_for(random.Random(clue)),
                 "地址": "鄂州市凤凰街道滨湖路 1 号", "行业领域": "投资咨询", "风险表现": "承诺高额回报，发展下线",
                 "估计涉及人数": "35", "估计金额(万元)": "12.5", "研判结果": "疑似", "处置状态": status})
    if status == "已办结":
        base["办结日期"] = "2020-07-01"
    base.update(changes)
    return base


def clues(engine, table: str = "grid_clue_current") -> list[dict]:
    with engine.connect() as connection:
        return [dict(r._mapping) for r in connection.execute(text(
            f"SELECT clue_no, version, district_code, grid_code, amount_fen, people, risk_signs, status, "
            f"closed_date FROM {table} ORDER BY clue_no, version"))]


def receipts(data) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(data.receipts.glob("*.json"))]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "xlsx"])
def test_every_encoding_loads_the_same_clues(engine, data, encoding):
    rows = [row("00012345"), row("WG2020000002"),
            row("WG2020000003", status="已办结", **{"估计金额(万元)": "0.000001", "风险表现": "发展下线/ 以养老为名"})]
    rows[1]["估计金额(万元)"] = "1,234.56万"
    path = data.inbox("grid_reports") / f"网格 线索导出.{'xlsx' if encoding == 'xlsx' else 'csv'}"
    if encoding == "xlsx":
        write_grid_xlsx(path, rows)
    else:
        write_grid_csv(path, rows, encoding)

    summary = ingest_grid_files(engine, data)

    assert summary["rows_accepted"] == 3
    assert summary["rows_rejected"] == 0
    loaded = clues(engine)
    assert [c["clue_no"] for c in loaded] == ["00012345", "WG2020000002", "WG2020000003"]  # zeros kept
    assert {c["district_code"] for c in loaded} == {"420704"}
    assert loaded[0]["grid_code"] == "0042070401"
    assert [c["amount_fen"] for c in loaded] == [12_500_000, 1_234_560_000, 1]
    assert loaded[0]["risk_signs"] == "承诺高额回报、发展下线"
    assert loaded[2]["risk_signs"] == "发展下线、以养老为名"
    assert str(loaded[2]["closed_date"]) == "2020-07-01"
    assert list(data.inbox("grid_reports").iterdir()) == []
    (receipt,) = receipts(data)
    assert receipt["status"] == "accepted"
    assert receipt["counts"]["accepted"] == 3
    assert (data.archive / f"{receipt['sha256']}{path.suffix}").read_bytes() != b""


def test_a_later_export_replaces_the_current_version_and_keeps_history(engine, data):
    inbox = data.inbox("grid_reports")
    write_grid_csv(inbox / "1.csv", [row("WG2020000001"), row("WG2020000002")])
    ingest_grid_files(engine, data)
    # Later the platform exports clue 1 handled, clue 2 unchanged (another column order and encoding).
    later = [row("WG2020000001", status="已办结"), row("WG2020000002")]
    write_grid_csv(inbox / "2.csv", later, "gbk")
    summary = ingest_grid_files(engine, data)
    assert summary["new_versions"] == 1

    history = [(c["clue_no"], c["version"], c["status"]) for c in clues(engine, "grid_clue_version")]
    assert history == [("WG2020000001", 1, "待核查"), ("WG2020000001", 2, "已办结"), ("WG2020000002", 1, "待核查")]
    assert [(c["clue_no"], c["version"], c["status"]) for c in clues(engine)] == [
        ("WG2020000001", 2, "已办结"), ("WG2020000002", 1, "待核查")]

    # The identical file again: a duplicate, nothing loaded twice.
    write_grid_csv(inbox / "again.csv", later, "gbk")
    ingest_grid_files(engine, data)
    assert len(clues(engine, "grid_clue_version")) == 3
    assert [r["status"] for r in receipts(data) if r["file"] == "again.csv"] == ["duplicate"]


def test_bad_rows_are_kept_with_reasons_and_the_rest_loads(engine, data):
    rows = [row("WG2020000001"),
            row("WG2020000002", 统一社会信用代码="91420700MA4ABCDE10"),
            row("WG2020000003", 区县代码="110101", 上报时间="2020-13-45"),
            row("WG2020000004", 处置状态="已办结", 办结日期="2020-05-01"),
            row("WG2020000005", 研判结果="移交"),
            row("WG2020000001", 处置状态="核查中")]
    write_grid_csv(data.inbox("grid_reports") / "mixed.csv", rows)
    summary = ingest_grid_files(engine, data)
    assert (summary["rows_accepted"], summary["rows_rejected"]) == (1, 5)

    (receipt,) = receipts(data)
    problems = {(e["row"], e["column"]): e["message"] for e in receipt["errors"]}
    assert "校验位" in problems[(3, "统一社会信用代码")]
    assert "单位名录" in problems[(4, "区县代码")]
    assert "时间" in problems[(4, "上报时间")]
    assert "早于上报日期" in problems[(5, "办结日期")]
    assert "移交单位" in problems[(6, "移交单位")]
    assert "第 2 行重复" in problems[(7, "线索编号")]
    with engine.connect() as connection:
        kept = connection.execute(text("SELECT row_no, raw_json FROM rejected_row ORDER BY row_no")).all()
    assert [r.row_no for r in kept] == [3, 4, 5, 6, 7]
    assert json.loads(kept[1].raw_json)["区县代码"] == "110101"


def test_duplicates_are_found_across_chunks(engine, data):
    rows = [row(f"WG2020{n:06d}") for n in range(1, 400)] + [row("WG2020000007", 处置状态="核查中")]
    write_grid_csv(data.inbox("grid_reports") / "big.csv", rows)
    summary = ingest_grid_files(engine, data, chunk_bytes=16 * 1024)  # many small batches
    assert (summary["rows_accepted"], summary["rows_rejected"]) == (399, 1)
    assert len(clues(engine)) == 399


@pytest.mark.parametrize(("name", "content", "reason"), [
    ("empty.csv", b"", "为空"),
    ("junk.csv", bytes(range(256)) * 4, "二进制"),
    ("broken quote.csv", "线索编号,上报时间,区县代码,乡镇街道,网格编码,发现方式,主体名称,行业领域,研判结果,处置状态\n"
                         "\"WG1,2020-06-03,420704,凤凰街道,X1,巡查,甲,其他,疑似,待核查\nWG2,2\n".encode(), "无法解析"),
    ("-dash.xlsx", b"not a zip at all", "不是有效的 Excel"),
    ("no header.csv", b"a,b,c\n1,2,3\n", "缺少必填列"),
    ("report.pdf", b"%PDF-1.4", "不支持的文件类型"),
])
def test_a_bad_file_gets_a_receipt_and_never_fails_the_run(engine, data, name, content, reason):
    (data.inbox("grid_reports") / name).write_bytes(content)
    summary = ingest_grid_files(engine, data)
    assert summary["rejected"] == 1
    (receipt,) = receipts(data)
    assert receipt["status"] == "rejected", receipt["message"]
    assert reason in receipt["message"], receipt["message"]
    assert list(data.inbox("grid_reports").iterdir()) == []
    assert list(data.work("grid_reports").iterdir()) == []
    assert (data.archive / f"{receipt['sha256']}{''.join(name.partition('.')[1:])}").exists() or \
        any(p.name.startswith(receipt["sha256"]) for p in data.archive.iterdir())


def test_a_broken_database_fails_the_run_and_keeps_the_file(data, tmp_path):
    from chufei.warehouse.schema import engine_for

    write_grid_csv(data.inbox("grid_reports") / "a.csv", [row("WG2020000001")])
    broken = engine_for(f"sqlite:///{tmp_path / 'missing-dir' / 'w.db'}")
    with pytest.raises(Exception, match="(?i)unable to open"):
        ingest_grid_files(broken, data)
    waiting = [*data.inbox("grid_reports").iterdir(), *data.work("grid_reports").iterdir()]
    assert [p.name.split("__")[-1] for p in waiting] == ["a.csv"]  # picked up again by the retry
    assert list(data.receipts.iterdir()) == []


def test_a_corrupt_sheet_inside_a_valid_zip_is_rejected(engine, data, tmp_path):
    import zipfile

    good = tmp_path / "good.xlsx"
    write_grid_xlsx(good, [row("WG2020000001")])
    bad = data.inbox("grid_reports") / "corrupt.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(bad, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                content = content[: len(content) // 2]  # the sheet's XML stops mid-way
            target.writestr(info, content)
    summary = ingest_grid_files(engine, data)
    assert summary["rejected"] == 1
    (receipt,) = receipts(data)
    assert "无法读取" in receipt["message"] or "损坏" in receipt["message"], receipt["message"]
    assert clues(engine) == []


def test_every_value_of_a_large_export_reads_back_as_written(engine, data):
    """More rows than the loader binds in one statement: every column of every clue reads back
    through the warehouse's types as the export wrote it, blank cells as NULL, and stored times
    compare with bound ones; the same content again adds no version, a changed clue adds one."""
    import os
    from datetime import date, datetime
    from decimal import Decimal

    from sqlalchemy import select

    from demo.inflows import grid_rows
    from chufei.warehouse.inflow_schema import grid_clue_version

    exported = list(grid_rows(150, seed=7))
    inbox = data.inbox("grid_reports")
    write_grid_csv(inbox / "export.csv", exported)
    assert ingest_grid_files(engine, data)["rows_accepted"] == 150

    def written_time(value: str) -> datetime:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S" if "-" in value else "%Y/%m/%d %H:%M")

    with engine.connect() as connection:
        stored = {r.clue_no: r for r in connection.execute(select(grid_clue_version))}
        cutoff = written_time(exported[75]["上报时间"])
        later = connection.execute(select(grid_clue_version.c.clue_no)
                                   .where(grid_clue_version.c.reported_at >= cutoff)).scalars().all()
    assert sorted(later) == sorted(r["线索编号"] for r in exported if written_time(r["上报时间"]) >= cutoff)
    assert len(stored) == 150
    texts = {"乡镇街道": "town", "社区村": "community", "网格编码": "grid_code", "网格员工号": "worker_id",
             "发现方式": "discovery_method", "主体名称": "subject_name", "统一社会信用代码": "credit_code",
             "地址": "address", "行业领域": "industry", "风险表现": "risk_signs", "研判结果": "judgement",
             "移交单位": "transfer_unit", "处置状态": "status", "区县代码": "district_code"}
    for line, written in enumerate(exported, 2):
        got = stored[written["线索编号"]]
        assert (got.version, got.row_no, got.source, got.updated_at) == (1, line, "file", None)
        assert got.reported_at == written_time(written["上报时间"])
        assert got.closed_date == (date.fromisoformat(written["办结日期"]) if written["办结日期"] else None)
        assert got.people == int(written["估计涉及人数"])
        amount = written["估计金额(万元)"]
        assert got.amount_fen == (int(Decimal(amount) * 1_000_000) if amount else None)
        assert {column: getattr(got, column) for column in texts.values()} == {
            column: written[label] or None for label, column in texts.items()}

    # Re-exported later: the same content (another file) adds nothing; three handled clues do.
    changed = {r["线索编号"] for r in exported if r["处置状态"] != "已办结"}
    changed = set(sorted(changed)[:3])
    again = [{**r, "处置状态": "已办结", "办结日期": "2021-03-01"} if r["线索编号"] in changed else r
             for r in exported]
    write_grid_csv(inbox / "again.csv", again, "gbk")
    later_time = (inbox / "again.csv").stat().st_mtime + 60
    os.utime(inbox / "again.csv", (later_time, later_time))
    summary = ingest_grid_files(engine, data)
    assert (summary["rows_accepted"], summary["new_versions"]) == (150, 3)
    with engine.connect() as connection:
        current = {r.clue_no: (r.version, r.status, r.closed_date) for r in connection.execute(
            text("SELECT clue_no, version, status, closed_date FROM grid_clue_current"))}
    assert len(current) == 150
    assert {clue for clue, (version, _, _) in current.items() if version == 2} == changed
    assert all(str(current[clue][2]) == "2021-03-01" and current[clue][1] == "已办结" for clue in changed)


def test_a_file_that_breaks_after_many_good_chunks_loads_nothing_and_leaves_no_scratch(engine, data):
    """On SQLite the valid rows travel through a scratch database (ADBC); they reach the warehouse
    only with the whole file, and the scratch file goes whatever happens."""
    path = data.inbox("grid_reports") / "truncated.csv"
    write_grid_csv(path, [row(f"WG2020{n:06d}") for n in range(1, 400)])
    with path.open("ab") as broken:  # an unterminated quote: the reader gives up near the end
        broken.write(b'"WG2020999999,2020-06-03 14:22:00,420704\n' + b"x" * 40_000 + b"\n")
    summary = ingest_grid_files(engine, data, chunk_bytes=16 * 1024)
    assert summary["rejected"] == 1
    assert summary["rows_accepted"] == 0
    assert receipts(data)[0]["status"] == "rejected"
    assert clues(engine, "grid_clue_version") == []
    assert not [p for p in data.root.rglob("*") if ".stage-" in p.name]

    write_grid_csv(data.inbox("grid_reports") / "good.csv", [row(f"WG2020{n:06d}") for n in range(1, 400)])
    assert ingest_grid_files(engine, data, chunk_bytes=16 * 1024)["rows_accepted"] == 399
    assert len(clues(engine, "grid_clue_version")) == 399
    assert not [p for p in data.root.rglob("*") if ".stage-" in p.name]


def test_a_clue_given_a_version_earlier_in_the_file_is_numbered_after_it(engine, data):
    """A row without 版本号 becomes the next version after every version of its clue the file gave
    before it, even chunks earlier (on SQLite those rows are still staged, not stored)."""
    import csv

    from demo.inflows import GRID_LABELS as LABELS

    inbox = data.inbox("grid_reports")
    write_grid_csv(inbox / "1.csv", [row("WG2020000001")])
    ingest_grid_files(engine, data)
    rows = ([{**row("WG2020000001", 处置状态="核查中"), "版本号": "3"}]
            + [{**row(f"WG2020{n:06d}"), "版本号": ""} for n in range(2, 300)]  # several chunks
            + [{**row("WG2020000001", status="已办结"), "版本号": ""}])
    with (inbox / "2.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*LABELS, "版本号"])
        writer.writeheader()
        writer.writerows(rows)
    ingest_grid_files(engine, data, chunk_bytes=16 * 1024)
    history = [(c["version"], c["status"]) for c in clues(engine, "grid_clue_version") if c["clue_no"] == "WG2020000001"]
    assert history == [(1, "待核查"), (3, "核查中"), (4, "已办结")]
    assert [(c["version"], c["status"]) for c in clues(engine) if c["clue_no"] == "WG2020000001"] == [(4, "已办结")]


def test_scratch_databases_never_outlive_their_load(data, tmp_path, monkeypatch):
    """A SQLite warehouse's loads (the only ones with a scratch database): a load whose cleanup
    fails still detaches and deletes it (the next load on the pooled connection works), and one
    left by a killed process is removed."""
    import socket
    import subprocess
    import sys

    from chufei.warehouse import grid_staging
    from chufei.warehouse.schema import engine_for, ensure_schema

    engine = engine_for(f"sqlite:///{tmp_path / 'warehouse.db'}")
    ensure_schema(engine)
    work = data.work("grid_reports")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    abandoned = work / f".stage-{socket.gethostname()}-{int(dead.stdout)}-1-0123456789abcdef.sqlite"
    elsewhere = work / ".stage-another-host-1-1-0123456789abcdef.sqlite"
    for path in (abandoned, elsewhere):
        path.write_bytes(b"scratch")

    def failing_close(self):
        raise OSError("disk full while committing the scratch database")

    write_grid_csv(data.inbox("grid_reports") / "first.csv", [row("WG2020000001")])
    with monkeypatch.context() as patch:
        patch.setattr(grid_staging.ClueStaging, "close", failing_close)
        with pytest.raises(OSError, match="disk full"):
            ingest_grid_files(engine, data)
    assert not abandoned.exists()
    assert elsewhere.exists()
    assert [p.name for p in work.glob(".stage-*")] == [elsewhere.name]

    write_grid_csv(data.inbox("grid_reports") / "second.csv", [row("WG2020000002")])
    summary = ingest_grid_files(engine, data)  # the claimed first file is retried too
    assert summary["rows_accepted"] == 2
    assert [c["clue_no"] for c in clues(engine)] == ["WG2020000001", "WG2020000002"]
    assert [p.name for p in work.glob(".stage-*")] == [elsewhere.name]
