"""The foundation slice end to end: workbooks in the inbox → DAGs → receipts, warehouse, forms.

Runs the real DAGs with ``dag.test()`` on SQLite and on PostgreSQL. Expected figures are
computed here from the demo generator's ground truth (the cases it invented), not by the
pipeline's SQL.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import func, select

from chufei.warehouse import schema as warehouse
from chufei.core.settings import DataDir
from demo.generate import write_demo_inbox
from chufei.core.periods import local_midnight, month_period
from chufei.outbox.reports import latest_version
from chufei.core.units import unit_by_code
from chufei.statistics.cases import CASE_FIGURES
from tests.conftest import REPO

UNITS = ["420704", "420703", "D13"]
MONTHS = [1, 2, 3, 4]


def _run(dag_id: str, **kwargs):
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(REPO / "dags" / f"{dag_id}.py"))
    run = bag.dags[dag_id].test(**kwargs)
    assert str(run.state) == "success", f"{dag_id} ended {run.state}"


def _number(text: str):
    """A CSV cell as the number the workbook holds (None for an empty cell)."""
    if text in ("", "—"):  # "—": a comparison base never reported
        return text or None
    value = Decimal(text)
    return int(value) if value == value.to_integral_value() and "." not in text else float(value)


def _expected(cases, unit_code: str, start: date, end: date, year_start: date) -> dict[str, int]:
    mine = [c for c in cases if c.unit_code == unit_code]
    new = [c for c in mine if start <= c.filed < end]
    return {
        "new_cases": len(new),
        "amount_fen": sum(c.amount_fen for c in new),
        "participants": sum(c.participants for c in new),
        "cross_region_cases": sum(c.cross_region for c in new),
        "over_100m_cases": sum(c.amount_fen >= 10**10 for c in new),
        "over_1000_cases": sum(c.participants >= 1000 for c in new),
        "old_cases_closed": sum(1 for c in mine if c.filed < year_start and c.closed and start <= c.closed < end),
    }


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def ingested(request, airflow_db, tmp_path_factory):
    """One ingest per database for the whole module: the tests below only read what it left."""
    root = tmp_path_factory.mktemp("slice")
    if request.param == "sqlite":
        url = f"sqlite:///{root / 'warehouse.db'}"
    else:
        url = request.getfixturevalue("pg_module_database")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CHUFEI_DATA_DIR", str(root / "data"))
        patch.setenv("AIRFLOW_CONN_CHUFEI_WAREHOUSE", url.replace("postgresql+psycopg://", "postgresql://"))
        data = DataDir(root / "data").ensure()
        demo = write_demo_inbox(data, year=2020, seed=11, unit_codes=UNITS, months=MONTHS)
        sent = {path.name: path.read_bytes() for path in demo.files}
        _run("ingest_unit_submissions")
        yield data, demo, sent, warehouse.engine_for(url)


def _receipts(data) -> dict[str, dict]:
    found = {}
    for path in sorted(data.receipts.glob("*.json")):
        receipt = json.loads(path.read_text(encoding="utf-8"))
        found.setdefault(receipt["file"], receipt)
    return found


def test_every_file_is_archived_receipted_and_leaves_the_inbox(ingested):
    data, demo, sent, _ = ingested
    assert list(data.inbox("submissions").iterdir()) == []
    assert list(data.work("submissions").iterdir()) == []
    archived = {hashlib.sha256(p.read_bytes()).hexdigest(): p for p in data.archive.iterdir()}
    for name, content in sent.items():
        digest = hashlib.sha256(content).hexdigest()
        assert archived[digest].read_bytes() == content, f"{name} not archived byte for byte"
    receipts = _receipts(data)
    assert set(receipts) == set(sent)
    for receipt in receipts.values():
        assert (data.receipts / f"{receipt['sha256']}.txt").exists() or receipt["status"] == "duplicate"


def test_faulty_files_and_rows_get_precise_receipts(ingested):
    data, demo, _, engine = ingested
    receipts = _receipts(data)
    assert receipts["某某局_案件台账.xlsx"]["status"] == "rejected"
    assert "不在单位名录" in receipts["某某局_案件台账.xlsx"]["message"]
    assert "按月报送" in receipts["季度报表填错报告期.xlsx"]["message"]
    assert "不是有效的 Excel" in receipts["案件台账_请查收.xlsx"]["message"]
    assert "为空" in receipts["空文件.xlsx"]["message"]
    duplicate = next(r for name, r in receipts.items() if name.startswith("重复报送_"))
    assert duplicate["status"] == "duplicate"
    assert duplicate["duplicate_of"] == duplicate["sha256"]
    partial = [r for r in receipts.values() if r["status"] == "partially_accepted"]
    assert {r["unit"]["code"] for r in partial} == {"420704", "420703"}
    for receipt in partial:
        assert receipt["counts"]["rejected"] == 5
        assert all(e["sheet"] == "案件台账" and e["row"] and e["column"] and e["cell"] for e in receipt["errors"])
        text = (data.receipts / f"{receipt['sha256']}.txt").read_text(encoding="utf-8")
        assert "部分接收" in text
        assert "单元格" in text
        assert "13812345678" not in text
    with engine.connect() as connection:
        kept = connection.execute(select(func.count()).select_from(warehouse.rejected_row)).scalar()
    assert kept == demo.faulty_rows


def test_warehouse_holds_the_truth_and_the_correction_replaced_the_first_version(ingested):
    data, demo, _, engine = ingested
    last = month_period(2020, max(MONTHS))
    submitted = [c for c in demo.cases if c.listed_in(last) or c.listed_in(month_period(2019, 12))]
    with engine.connect() as connection:
        rows = connection.execute(select(warehouse.case_current)).mappings().all()
        versions = connection.execute(select(warehouse.submission.c.version, warehouse.submission.c.is_current)
                                      .where(warehouse.submission.c.unit_code == "420704",
                                             warehouse.submission.c.period_key == "2020-02")
                                      .order_by(warehouse.submission.c.version)).all()
    stored = {(r["unit_code"], r["case_no"]): r for r in rows}
    assert set(stored) == {(c.unit_code, c.case_no) for c in submitted}
    for case in submitted:
        row = stored[(case.unit_code, case.case_no)]
        assert (row["filed_date"], row["amount_fen"], row["participants"]) == (case.filed, case.amount_fen,
                                                                               case.participants)
    assert [tuple(v) for v in versions] == [(1, False), (2, True)]


def test_monthly_form_matches_independent_figures_and_reruns_byte_identically(ingested):
    data, demo, _, _ = ingested
    period = month_period(2020, 3)
    _run("case_statistics_monthly", logical_date=local_midnight(period.end))
    folder = latest_version(data.outbox / "case_statistics_monthly" / "2020-03")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    # The CSV twin has one header line ("<figure>(<unit>)·<span>"), the same rows as the workbook.
    text = (folder / "case_statistics_monthly_2020-03.csv").read_bytes().decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    by_name = {row[1]: dict(zip(table[0], row, strict=False)) for row in table[1:]}
    # The workbook prints the nine figures as three numbered forms (表一 … 表三), one sheet each.
    book = openpyxl.load_workbook(folder / "case_statistics_monthly_2020-03.xlsx")
    assert book.sheetnames == ["表一", "表二", "表三"]
    sheet_rows: dict[str, dict[str, object]] = {}
    for sheet in book.worksheets:
        groups, labels = ([c.value for c in row] for row in sheet.iter_rows(min_row=5, max_row=6))
        group = None
        for index, label in enumerate(labels):
            group = groups[index] or group  # a merged group header is read in its first column
            labels[index] = f"{group}·{label}"
        for row in sheet.iter_rows(min_row=7):
            if row[1].value:
                sheet_rows.setdefault(row[1].value, {}).update(zip(labels[2:], (c.value for c in row[2:]), strict=False))
    last_year = period.shift_years(-1)
    for code in UNITS:
        name = unit_by_code(code).name
        spans = {"本期": _expected(demo.cases, code, period.start, period.end, period.year_start),
                 "本年累计": _expected(demo.cases, code, period.year_start, period.end, period.year_start),
                 "上年同期累计": _expected(demo.cases, code, last_year.year_start, last_year.end,
                                           last_year.year_start)}
        for figure in CASE_FIGURES:
            if figure.key not in spans["本期"]:
                continue  # figures of other datasets (行政处置) are checked by the statistics tests
            for span, expected in spans.items():
                cell = by_name[name][f"{figure.label}({figure.unit})·{span}"]
                value = expected[figure.key]
                shown = Decimal(cell) * 1_000_000 if figure.money else int(cell)
                assert shown == value, f"{code} {figure.label} {span}"
        assert sheet_rows[name] == {column: _number(v) for column, v in list(by_name[name].items())[2:]}, \
            "the workbook and its CSV twin disagree"
    for column in table[0][2:]:
        if column.endswith(("本期", "累计")):
            cells = [by_name[unit_by_code(code).name][column] for code in UNITS]
            if by_name["合计"][column] == "—":  # no unit reported this base
                assert set(cells) == {"—"}, column
                continue
            body = sum(Decimal(cell) for cell in cells if cell not in ("", "—"))
            assert Decimal(by_name["合计"][column]) == body, column
    assert manifest["sources"]
    assert {"case_statistics_monthly_2020-03.xlsx", "case_statistics_monthly_2020-03.csv"} \
        <= {f["name"] for f in manifest["files"]}

    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    _run("case_statistics_monthly", run_conf={"period": "2020-03"})
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
