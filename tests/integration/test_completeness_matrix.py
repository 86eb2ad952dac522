"""The completeness matrix against an independent reading of the obligations and the arrivals.

The expected matrix is computed here in plain Python from include/reference/work_plan_tasks.json,
units.csv and the arrival times this test gives the files; the package's CSV twin, its workbook's
page setup and the warehouse's ``submission_status`` must agree with it."""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from chufei.core.settings import REFERENCE_DIR
from chufei.warehouse.schema import received_file, submission

AS_OF = date(2020, 7, 31)
TITLES = {"case_ledger": "案件台账", "report_reward": "举报奖励", "risk_ledger": "风险监测台账",
          "risk_warning": "风险提示", "old_case_progress": "陈案处置进展", "admin_action": "行政处置",
          "publicity": "宣传教育"}
PROCESSED_LATE = datetime(2020, 9, 1, tzinfo=UTC)  # chufei processed every file long after it arrived

# (kind, unit, period, version, arrived (UTC; None: recorded before arrivals were), rows)
FILES = [
    ("case_ledger", "420704", "2020-01", 1, datetime(2020, 2, 5, 15, 59, 59, tzinfo=UTC), 3),  # 23:59:59 Beijing
    ("case_ledger", "420703", "2020-01", 1, datetime(2020, 2, 5, 16, 0, 0, tzinfo=UTC), 2),  # 00:00 the day after
    ("case_ledger", "D13", "2020-02", 1, datetime(2020, 3, 2, 1, 0, tzinfo=UTC), 1),
    ("case_ledger", "D13", "2020-02", 2, datetime(2020, 3, 20, 1, 0, tzinfo=UTC), 1),  # a later correction
    ("case_ledger", "420702", "2020-06", 1, None, 4),  # judged by its processing time
    ("risk_ledger", "D05", "2020H1", 1, datetime(2020, 6, 19, 2, 0, tzinfo=UTC), 0),  # 零报告, on time
    ("risk_ledger", "D06", "2020H1", 1, datetime(2020, 6, 25, 2, 0, tzinfo=UTC), 0),  # 零报告, late
    ("risk_ledger", "D07", "2020H1", 1, datetime(2020, 6, 18, 2, 0, tzinfo=UTC), 0),  # 零报告, then rows
    ("risk_ledger", "D07", "2020H1", 2, datetime(2020, 6, 22, 2, 0, tzinfo=UTC), 5),
    ("report_reward", "D13", "2020Q1", 1, datetime(2020, 4, 10, 3, 0, tzinfo=UTC), 2),
    ("publicity", "D14", "2020Q2", 1, datetime(2020, 8, 2, 2, 0, tzinfo=UTC), 1),  # after the matrix's day
    ("admin_action", "420704", "2020Q3", 1, datetime(2020, 7, 20, 2, 0, tzinfo=UTC), 1),  # not due yet
]


# Files without an arrival are judged by when they were processed: 3 July, before 5 July.
FALLBACK = {("case_ledger", "420702", "2020-06"): datetime(2020, 7, 3, 2, 0, tzinfo=UTC)}


def _periods(kind: str, due: dict, year: int):
    """(period key, short label, due date) of every period of ``kind`` in ``year``."""
    if kind == "month":
        for m in range(1, 13):
            yield f"{year}-{m:02d}", f"{m}月", date(year + m // 12, m % 12 + 1, due["day_of_next_month"])
    elif kind == "quarter":
        for q in range(1, 5):
            month = 3 * q + 1
            yield (f"{year}Q{q}", f"第{'一二三四'[q - 1]}季度",
                   date(year + month // 13, (month - 1) % 12 + 1, due["day_of_next_month"]))
    else:
        for half, name in ((1, "上半年"), (2, "下半年")):
            month, day = map(int, due["fixed"][f"H{half}"].split("-"))
            yield f"{year}H{half}", name, date(year, month, day)


def expected_matrix(as_of: date) -> tuple[dict, list[dict]]:
    """(kind, unit, period) → (expected cell text, CSV column) for every item due by ``as_of``."""
    plan = json.loads((REFERENCE_DIR / "work_plan_tasks.json").read_text(encoding="utf-8"))
    with (REFERENCE_DIR / "units.csv").open(encoding="utf-8") as handle:
        registry = list(csv.DictReader(handle))
    end_of = lambda day: datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(hours=16)  # noqa: E731
    items = {}
    for task in plan["tasks"]:
        for owed in task["submissions"]:
            for key, short, due in _periods(owed["period_kind"], owed["due"], plan["year"]):
                if due > as_of:
                    continue
                for unit in registry:
                    if unit["kind"] in owed.get("unit_kinds", []) or unit["code"] in owed.get("units", []):
                        arrived = [(f[4] or FALLBACK[f[:3]], f[3], f[5]) for f in FILES
                                   if f[:3] == (owed["dataset"], unit["code"], key)]
                        arrived = [a for a in arrived if a[0] < end_of(as_of)]  # known on the matrix's day
                        if not arrived:
                            text = "未报"
                        else:
                            first = min(a[0] for a in arrived)
                            late = first >= end_of(due)
                            zero = max(arrived, key=lambda a: a[1])[2] == 0
                            text = ("逾期 零报告" if late else "零报告") if zero else ("逾期" if late else "按时")
                        column = f"{TITLES[owed['dataset']]}·{short} 时限 {due.month}月{due.day}日"
                        items[(owed["dataset"], unit["code"], key)] = (text, column)
    return items, registry


@pytest.fixture
def arrived(engine):
    from chufei.core.periods import parse_period
    from chufei.ops.watch import ensure_watch_schema

    ensure_watch_schema(engine)
    with engine.begin() as connection:
        for index, (kind, unit, key, version, at, rows) in enumerate(FILES):
            sha = f"{index:02d}".ljust(64, "a")
            processed = FALLBACK.get((kind, unit, key)) if at is None else PROCESSED_LATE
            period = parse_period(key)
            connection.execute(insert(received_file), {
                "sha256": sha, "source": "submissions", "original_name": f"{unit}_{key}.xlsx", "size_bytes": 1,
                "archive_path": sha, "received_at": processed, "arrived_at": at, "status": "accepted",
                "dataset": kind, "unit_code": unit, "period_key": key, "rows_total": rows, "rows_accepted": rows})
            connection.execute(insert(submission), {
                "dataset": kind, "unit_code": unit, "period_key": key, "period_start": period.start,
                "period_end": period.end, "file_sha256": sha, "version": version,
                "is_current": version == max(f[3] for f in FILES if f[:3] == (kind, unit, key)),
                "rows_accepted": rows, "received_at": processed})
    return engine


def _csv(path) -> list[dict]:
    return list(csv.DictReader(path.read_bytes().decode("utf-8-sig").splitlines()))


def test_matrix_agrees_with_the_obligations_and_the_arrivals(arrived, data):
    from openpyxl import load_workbook

    from chufei.ops.watch import run_watch, submission_status

    items, registry = expected_matrix(AS_OF)
    texts = [text for text, _ in items.values()]
    # the arrivals above give every state the matrix knows
    assert {"按时", "逾期", "未报", "零报告", "逾期 零报告"} <= set(texts)
    summary = run_watch(arrived, data.outbox, AS_OF)
    folder = data.outbox / "submission_watch" / AS_OF.isoformat() / "v1"
    rows = {row["代码"]: row for row in _csv(folder / f"submission_matrix_{AS_OF}.csv")}
    for (kind, unit, key), (text, column) in items.items():
        assert rows[unit][column] == text, (kind, unit, key)
    columns = {column for _, column in items.values()}
    for unit in registry:  # a unit that does not owe an item has an empty cell, never 未报
        owed = {column for (_, code, _), (_, column) in items.items() if code == unit["code"]}
        assert all(rows[unit["code"]][column] == "" for column in columns - owed), unit["name"]
    # 合计 per unit and per column
    for unit in registry:
        own = [text for (_, code, _), (text, _) in items.items() if code == unit["code"]]
        assert rows[unit["code"]]["合计·应报"] == str(len(own))
        assert rows[unit["code"]]["合计·未报"] == str(own.count("未报"))
        assert rows[unit["code"]]["合计·逾期"] == str(sum(t.startswith("逾期") for t in own))
        assert rows[unit["code"]]["合计·其中 零报告"] == str(sum("零报告" in t for t in own))
    total = rows["合计"]
    assert total["合计·应报"] == str(len(items)) == str(summary["items"])
    assert total["合计·按时"] == str(sum(t in ("按时", "零报告") for t in texts))
    for column in columns:
        state = [text for text, c in items.values() if c == column]
        assert total[column] == (f"按时{sum(t in ('按时', '零报告') for t in state)} "
                                 f"逾期{sum(t.startswith('逾期') for t in state)} 未报{state.count('未报')}")
    assert {r["unit_code"] for r in arrived.connect().execute(
        select(submission_status.c.unit_code).where(submission_status.c.zero_return.is_(True))).mappings()} \
        == {"D05", "D06"}
    # the 明细 gives each item's first arrival in Beijing time
    detail = {(r["单位"], r["报送内容"], r["报告期"]): r for r in _csv(folder / f"submission_detail_{AS_OF}.csv")}
    assert detail[("华容区", "案件台账", "2020年1月")]["首份文件到达时间"] == "2020-02-06 00:00"
    assert detail[("市公安局", "案件台账", "2020年2月")]["首份文件到达时间"] == "2020-03-02 09:00"
    assert detail[("宣传部", "宣传教育", "2020年第二季度")]["完成情况"] == "未报"
    # printable: A4 landscape at 80 % or more, the three header lines of every period column
    book = load_workbook(folder / f"submission_matrix_{AS_OF}.xlsx")
    assert book.sheetnames[0] == "表一"
    for sheet in book.worksheets:
        assert sheet.page_setup.orientation == "landscape"
        assert int(sheet.page_setup.paperSize) == 9  # A4
        assert sheet.page_setup.scale >= 80, sheet.title
        assert sheet.print_title_rows
    ledgers = book["表二"]
    assert ledgers["C5"].value == "案件台账"
    assert ledgers["C6"].value == "1月\n时限\n2月5日"
    assert ledgers.row_dimensions[6].height >= 3 * 14
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(f["name"] for f in manifest["files"]) == sorted(
        f"submission_{name}_{AS_OF}.{suffix}" for name in ("detail", "matrix") for suffix in ("csv", "xlsx"))
    assert manifest["issued"] == AS_OF.isoformat()


def test_matrix_is_reproducible_and_knows_only_what_had_arrived_by_its_day(arrived, data):
    from chufei.ops.watch import run_watch

    first = run_watch(arrived, data.outbox, AS_OF)
    root = data.outbox / "submission_watch" / AS_OF.isoformat()
    before = {p.name: p.read_bytes() for p in (root / "v1").iterdir()}
    with arrived.begin() as connection:  # a file that arrives after the day: the day's matrix stays
        connection.execute(insert(received_file), {
            "sha256": "f" * 64, "source": "submissions", "original_name": "late.xlsx", "size_bytes": 1,
            "archive_path": "f" * 64, "received_at": PROCESSED_LATE, "arrived_at": datetime(2020, 8, 1, tzinfo=UTC),
            "status": "accepted"})
        connection.execute(insert(submission), {
            "dataset": "case_ledger", "unit_code": "D01", "period_key": "2020-03", "period_start": date(2020, 3, 1),
            "period_end": date(2020, 4, 1), "file_sha256": "f" * 64, "version": 1, "is_current": True,
            "rows_accepted": 1, "received_at": PROCESSED_LATE})
    again = run_watch(arrived, data.outbox, AS_OF)
    assert again == first
    assert sorted(p.name for p in root.iterdir() if p.is_dir()) == ["v1"]
    assert {p.name: p.read_bytes() for p in (root / "v1").iterdir()} == before
    later = run_watch(arrived, data.outbox, date(2020, 8, 1))
    assert later["late"] == first["late"] + 1
