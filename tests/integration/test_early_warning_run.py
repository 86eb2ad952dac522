"""The early warning's day, end to end on SQLite and PostgreSQL: the warning list and its package,
the 红 notice sent once per entity and band, a 预警核查反馈 workbook sent through the inbox that
checks the warning, the warning raised again only on new evidence, and the DAG run by dag.test.
The inflows are those of test_entity_register (鑫源 scores 86, 红; nobody else reaches a band)."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from pathlib import Path

import openpyxl
from sqlalchemy import select

from chufei.ingest.submissions import ingest_submissions
from chufei.kinds.registry import DATASETS
from chufei.kinds.templates import write_submission
from chufei.ops.notify import notify_red_warnings
from chufei.outbox.early_warning import run_day
from chufei.statistics.early_warning import feedback_summary
from chufei.warehouse.entities import update_register
from chufei.warehouse.entity_schema import entity_warning
from tests.early_warning_data import grid_clue
from tests.integration.test_entity_register import XINYUAN, seed


def _csv(folder: Path, name: str) -> list[list[str]]:
    with (folder / name).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def _body(rows: list[list[str]], first: str) -> list[list[str]]:
    """The rows from the header row whose first cell is ``first`` to the 合计 row."""
    start = next(i for i, row in enumerate(rows) if row and row[0] == first)
    end = next(i for i, row in enumerate(rows) if row and row[0] == "合计")
    return rows[start + 1:end + 1]


def _warnings(engine) -> list[tuple[str, str, str]]:
    with engine.connect() as connection:
        return [tuple(r) for r in connection.execute(select(entity_warning.c.warning_id, entity_warning.c.band,
                                                            entity_warning.c.status).order_by(entity_warning.c.warning_id))]


def test_a_day_lists_explained_warnings_and_feedback_checks_them(engine, data):
    seed(engine)
    update_register(engine)
    summary = run_day(engine, data, date(2020, 6, 30))
    assert (summary["warnings"], summary["bands"]) == (1, {"红": 1})
    [(warning_id, band, status)] = _warnings(engine)
    assert (band, status) == ("红", "待核查")
    assert warning_id.startswith("YJ-ZT")
    assert warning_id.endswith("-1")

    folder = Path(summary["folder"])
    assert folder == data.outbox / "early_warning" / "2020-06-30" / "v1"
    names = {entry["name"] for entry in json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["files"]}
    assert {"warnings.xlsx", "warnings.csv", "warning_reasons.xlsx", "warning_reasons.csv",
            "early_warning_summary.json"} <= names
    listed = _body(_csv(folder, "warnings.csv"), "预警编号")
    assert [row[0] for row in listed] == [warning_id, "合计"]
    assert listed[0][2:7] == ["鄂州鑫源投资管理有限公司", "鄂城区", "86", "红", "待核查"]
    reasons = _body(_csv(folder, "warning_reasons.csv"), "预警编号")
    assert sum(int(row[4]) for row in reasons[:-1]) == 86 == int(reasons[-1][4])  # the points add up to the score
    unlicensed = next(row for row in reasons if row[2] == "广告发布主体未持牌")
    assert unlicensed[5].startswith("广告排查 ")
    assert unlicensed[5].endswith("第1行")
    for path in folder.iterdir():
        assert "张三丰" not in path.read_bytes().decode("utf-8", "ignore")
    figures = json.loads((folder / "early_warning_summary.json").read_text(encoding="utf-8"))
    assert figures["config_version"] == "2026.1"
    assert figures["true_share_percent"] is None
    assert run_day(engine, data, date(2020, 6, 30))["version"] == "v1"  # re-run: same bytes, no new version

    assert notify_red_warnings(engine, date(2020, 6, 30))["sent"] == 1
    assert notify_red_warnings(engine, date(2020, 6, 30))["sent"] == 0

    # 鄂城区 checks it and sends the feedback workbook
    write_submission(data.inbox("submissions") / "预警核查反馈.xlsx", DATASETS["warning_feedback"], "鄂城区",
                     "2020年7月", [{"预警编号": warning_id.lower(), "核查结论": "属实", "核查日期": "2020-07-05",
                                   "核查说明": "已移交公安"}], "王丽", "13900001111", "2020-07-06")
    write_submission(data.inbox("submissions") / "预警核查反馈(补).xlsx", DATASETS["warning_feedback"], "华容区",
                     "2020年7月", [{"预警编号": "YJ-ZT0123456789-1", "核查结论": "不属实", "核查日期": "2020-07-08"}],
                     "李明", "13900002222", "2020-07-09")
    received = ingest_submissions(engine, data)
    assert (received.files, received.rows_accepted, received.rows_rejected) == (2, 2, 0)
    update_register(engine)
    july = run_day(engine, data, date(2020, 7, 31))
    assert july["unknown_feedback"] == ["YJ-ZT0123456789-1"]  # a warning nobody raised: named, not applied
    assert _warnings(engine) == [(warning_id, "红", "属实")]
    assert feedback_summary(engine)["checked"] == 1
    figures = json.loads((data.outbox / "early_warning" / "2020-07-31" / "v1" / "early_warning_summary.json")
                         .read_text(encoding="utf-8"))
    assert (figures["checked"], figures["true"], figures["true_share_percent"]) == (1, 1, "100.0")

    run_day(engine, data, date(2020, 8, 31))  # nothing new about 鑫源: no new warning
    assert _warnings(engine) == [(warning_id, "红", "属实")]

    with engine.begin() as connection:  # new evidence: a clue of August, in a later load
        grid_clue(connection, "WG8", datetime(2020, 8, 10, 9), "420704", "G1", "鑫源投资管理有限公司", XINYUAN,
                  load="grid-file-2")
    update_register(engine)
    run_day(engine, data, date(2020, 8, 31))
    again = warning_id.removesuffix("-1") + "-2"
    assert _warnings(engine) == [(warning_id, "红", "属实"), (again, "红", "待核查")]
    assert notify_red_warnings(engine, date(2020, 8, 31))["sent"] == 0  # this entity's 红 was told once


def test_the_dag_writes_the_day_s_package(airflow_env, warehouse_url, dagbag):
    from chufei.warehouse.schema import engine_for, ensure_schema

    engine = engine_for(warehouse_url)
    ensure_schema(engine)
    seed(engine)
    run = dagbag.dags["early_warning"].test(run_conf={"as_of": "2020-06-30"})
    assert str(run.state) == "success"
    folder = airflow_env.outbox / "early_warning" / "2020-06-30" / "v1"
    listed = _body(_csv(folder, "warnings.csv"), "预警编号")
    assert [row[5] for row in listed[:-1]] == ["红"]
    with engine.connect() as connection:
        assert connection.execute(select(entity_warning.c.status)).scalars().all() == ["待核查"]
    engine.dispose()


def test_the_page_lists_warnings_and_shows_each_entity_s_timeline(engine, data):
    from chufei.ops import dashboard
    from chufei.ops.ui import render, templates

    seed(engine)
    update_register(engine)
    run_day(engine, data, date(2020, 6, 30))
    [(warning_id, _, _)] = _warnings(engine)
    entity_id = warning_id.split("-")[1]
    html = render(dashboard.build(engine, data.outbox))
    assert "<h2>预警</h2>" in html
    assert warning_id in html
    assert f'href="/chufei/entity/{entity_id}"' in html
    assert "属实占比 —（尚无核查反馈）" in html
    page = dashboard.entity_page(engine, entity_id)
    assert page["score"] == 86
    assert sum(r["points"] for r in page["reasons"]) == 86
    # WG1–3, the ledger, the action, the advert and the case, by date
    assert [t["source"] for t in page["timeline"]] == ["网格线索", "风险监测台账", "网格线索", "网格线索", "广告排查",
                                                       "行政处置", "案件台账"]
    entity_html = templates().get_template("entity.html").render(e=page, base="/chufei")
    assert XINYUAN in entity_html
    assert "广告发布主体未持牌" in entity_html
    first_clue = next(e for e in page["timeline"] if e["source"] == "网格线索")
    assert first_clue["clue"] == "WG1"
    [person] = _people(engine)
    assert dashboard.entity_page(engine, person)["name"] == "张**"
    assert dashboard.entity_page(engine, "ZT0000000000") is None


def _people(engine) -> list[str]:
    from chufei.warehouse.entity_schema import entity

    with engine.connect() as connection:
        return list(connection.execute(select(entity.c.entity_id).where(entity.c.natural_person.is_(True))).scalars())


def test_an_indicator_with_many_records_lists_the_latest_ten_and_says_how_many(engine, data):
    """A 依据 cell stays printable: 鑫源 found in a dozen more clues (of June) lists the ten latest, after the total."""
    seed(engine)
    with engine.begin() as connection:
        for n in range(12):
            grid_clue(connection, f"WG{30 + n}", datetime(2020, 6, 1 + n, 9), "420704", f"G{n % 3 + 1}",
                      "鑫源投资管理有限公司", XINYUAN, load="grid-file-2", row_no=n + 1)
    update_register(engine)
    folder = Path(run_day(engine, data, date(2020, 6, 30))["folder"])
    reasons = _body(_csv(folder, "warning_reasons.csv"), "预警编号")
    [clues] = [row for row in reasons if row[2] == "网格线索数"]
    total = int(clues[3])
    assert total > 12
    assert clues[5].startswith(f"共{total}条，列最近的10条：")
    listed = clues[5].split("：", 1)[1].split("；")
    assert len(listed) == 10
    assert {ref.split()[1] for ref in listed} == {f"WG{30 + n}" for n in range(2, 12)}  # 6-03 to 6-12
    assert all(ref.startswith("网格线索 WG") and ref.endswith("行") for ref in listed)
    sheet = openpyxl.load_workbook(folder / "warning_reasons.xlsx").active
    assert any("超过 10 条的列出日期最近的 10 条并注明总数" in str(cell.value) for row in sheet.iter_rows() for cell in row)
