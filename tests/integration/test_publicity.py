"""宣传教育情况统计季报: every figure of 2020Q2 (and the year's targets at Q4) checked against counts
made in plain Python over the seeded activities below and the community list read with ``csv`` —
units that sent nothing, a 零报告, a corrected return, unlisted 社区/村 names, departments' events,
and one workbook sent through the real submission ingest."""

from __future__ import annotations

import csv
import io
import random
import re
import unicodedata
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl

from chufei.core.periods import quarter_period
from chufei.kinds.registry import DATASETS
from chufei.kinds.templates import write_submission
from chufei.outbox import layout
from chufei.outbox.registry import REPORTS
from chufei.outbox.reports import read_manifest
from tests.conftest import REPO
from tests.forms import check_csv, check_workbook
from tests.statsfacts import load_submission

REPORT = "publicity_quarterly"
FORMS = ["宣讲", "展板", "发放资料", "媒体宣传", "网络宣传", "文艺演出", "培训", "其他"]
NONE = "—"


def reference(name: str) -> list[dict[str, str]]:
    with (REPO / "include" / "reference" / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


UNITS = reference("units.csv")
TERRITORIAL = [u for u in UNITS if u["kind"] == "territorial"]
LIST = reference("communities.csv")


def key(name: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))


def activities_of(rng: random.Random, unit: dict, quarter, count: int, months=None) -> list[dict]:
    mine = [c["community"] for c in LIST if c["district_code"] == unit["code"]]
    anywhere = [c["community"] for c in LIST]
    rows = []
    for n in range(count):
        month = rng.choice(months or [m.start.month for m in quarter.months()])
        day = date(2020, month, rng.randint(1, 28))
        form = rng.choice(FORMS)
        pick = rng.random()
        if unit["kind"] != "territorial":
            community = rng.choice(anywhere) if pick < 0.6 else None  # a department's event covers none
        elif pick < 0.75:
            community = rng.choice(mine)
        elif pick < 0.85:
            community = f"{unit['name']}新建小区{n}"  # not in the list
        else:
            community = None
        rows.append({"event_date": day, "title": f"{unit['name']}宣传活动{quarter.key}-{n}", "form": form,
                     "location": None, "community": community, "audience": rng.randint(10, 900),
                     "materials": rng.randint(50, 900) if form == "发放资料" or rng.random() < 0.5 else None})
    return rows


def generate(engine, seed: int = 16) -> dict[tuple[str, str], list[dict]]:
    """Load the year's returns; returns (unit, quarter) → the current rows as loaded."""
    rng = random.Random(seed)
    sent: dict[tuple[str, str], list[dict]] = {}
    with engine.begin() as connection:
        for index, unit in enumerate(UNITS):
            for number in (1, 2, 3, 4):
                quarter = quarter_period(2020, number)
                if unit["code"] == "420703" and number == 2:  # 华容区 never sends its second quarter
                    continue
                if unit["kind"] != "territorial" and rng.random() < 0.3:
                    continue
                if unit["code"] == "EZGD01":  # every one of its communities, in May: 已全覆盖 at Q2
                    rows = [{"event_date": date(2020, 5, 1 + i), "title": f"开发区进社区{i}", "form": "宣讲",
                             "location": None, "community": c["community"], "audience": 50, "materials": None}
                            for i, c in enumerate(c for c in LIST if c["district_code"] == "EZGD01")] if number == 2 else []
                elif unit["code"] == "420702" and number == 2:  # 梁子湖区: April and May only, no 宣传月
                    rows = activities_of(rng, unit, quarter, 3, months=[4, 5])
                elif unit["code"] == "D05" and number == 2:
                    rows = []  # a 零报告
                else:
                    rows = activities_of(rng, unit, quarter, rng.randint(1, 5) if index < 5 else rng.randint(0, 3),
                                         months=[6] if number == 2 and rng.random() < 0.7 else None)
                if unit["code"] == "420704" and number == 1:  # a housing estate the list does not know, twice
                    rows += [{**rows[0], "title": f"新小区宣讲{i}", "community": "凤凰 新城小区"} for i in (1, 2)]
                load_submission(connection, "publicity", unit["code"], quarter, rows)
                sent[(unit["code"], quarter.key)] = rows
        # 鄂城区 corrects its second quarter: one event fewer, one more audience; the old return is history
        corrected = [dict(r) for r in sent[("420704", "2020Q2")][1:]]
        corrected[0]["audience"] += 1
        load_submission(connection, "publicity", "420704", quarter_period(2020, 2), corrected, label="更正版")
        sent[("420704", "2020Q2")] = corrected
    return sent


def table(folder: Path, stem: str, suffix: str = "") -> dict[str, list[str]]:
    text = (folder / f"{REPORT}_{stem}{suffix}.csv").read_bytes().decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    return {"header": lines[0][2:], **{line[1]: line[2:] for line in lines[1:]}}


def expected_activities(sent, quarters: list[str]) -> dict[str, list[str]]:
    out = {}
    for unit in UNITS:
        if not any((unit["code"], q) in sent for q in quarters):
            out[unit["name"]] = [NONE] * (3 + len(FORMS))
            continue
        rows = [r for q in quarters for r in sent.get((unit["code"], q), [])]
        out[unit["name"]] = [str(v) for v in [len(rows), *[sum(1 for r in rows if r["form"] == f) for f in FORMS],
                                               sum(r["audience"] for r in rows),
                                               sum(r["materials"] or 0 for r in rows)]]
    rows = [r for (_, q), rs in sent.items() if q in quarters for r in rs]
    out["合计"] = [str(v) for v in [len(rows), *[sum(1 for r in rows if r["form"] == f) for f in FORMS],
                                   sum(r["audience"] for r in rows), sum(r["materials"] or 0 for r in rows)]]
    return out


def pct(part: int, whole: int) -> str:
    return str((Decimal(part) * 100 / whole).quantize(Decimal("0.01"), ROUND_HALF_UP))


def expected_targets(sent, quarters: list[str], after_june: bool, after_november: bool) -> dict[str, list[str]]:
    out, totals = {}, [0, 0, 0, 0, 0]
    held = full = 0
    for unit in TERRITORIAL:
        rows = [r for q in quarters for r in sent.get((unit["code"], q), [])]
        listed = {key(c["community"]) for c in LIST if c["district_code"] == unit["code"]}
        named = {key(r["community"]) for r in rows if r["community"]}
        covered = len(listed & named)
        unlisted = sum(1 for r in rows if r["community"] and key(r["community"]) not in listed)
        june = sum(1 for r in rows if r["event_date"].month == 6)
        if not after_june and not june:
            month_state = "未到时限"
        elif (unit["code"], "2020Q2") not in sent:
            month_state = "未报送"
        else:
            month_state = "已开展" if june else "未开展"
        held += month_state == "已开展"
        reported = any((unit["code"], q) in sent for q in quarters)
        if not reported:
            state = "未报送"
        elif covered == len(listed):
            state = "已全覆盖"
        else:
            state = "未达标" if after_november else "推进中"
        full += state == "已全覆盖"
        out[unit["name"]] = [NONE if month_state == "未报送" else str(june), month_state, str(len(listed)),
                             str(covered) if reported else NONE, str(len(listed) - covered),
                             pct(covered, len(listed)) if reported else NONE, state, str(unlisted)]
        for i, v in enumerate((june, len(listed), covered, len(listed) - covered, unlisted)):
            totals[i] += v
    out["合计"] = [str(totals[0]), f"{held}/5个属地已开展", str(totals[1]), str(totals[2]), str(totals[3]),
                 pct(totals[2], totals[1]), f"{full}/5个属地全覆盖", str(totals[4])]
    return out


def test_the_second_quarter_counts_every_current_activity_and_the_community_coverage(engine, data):
    sent = generate(engine)
    q2 = quarter_period(2020, 2)
    manifest = REPORTS[REPORT].build(engine, data, q2)
    folder = Path(manifest["folder"])

    quarter = table(folder, q2.key)
    assert quarter["header"] == ["活动场次(场)·合计", *[f"活动场次(场)·{f}" for f in FORMS], "参与人数(人次)",
                                 "发放资料(份)"]
    expected = expected_activities(sent, ["2020Q2"])
    for name, figures in expected.items():
        assert quarter[name] == figures, name
    assert quarter["华容区"] == [NONE] * 11
    assert quarter["民政局"] == ["0"] * 11
    year = table(folder, q2.key, "_year_to_date")
    for name, figures in expected_activities(sent, ["2020Q1", "2020Q2"]).items():
        assert year[name] == figures, name

    targets = table(folder, q2.key, "_targets")
    for name, figures in expected_targets(sent, ["2020Q1", "2020Q2"], after_june=True, after_november=False).items():
        assert targets[name] == figures, name
    assert targets["华容区"][1] == "未报送"
    assert targets["梁子湖区"][1] == "未开展"
    assert targets["葛店开发区"][6] == "已全覆盖"

    uncovered = table(folder, q2.key, "_uncovered_communities")
    named = {(u, key(r["community"])) for (u, q), rows in sent.items() if q in ("2020Q1", "2020Q2")
             for r in rows if r["community"]}
    names = {u["code"]: u["name"] for u in UNITS}
    want = [[c["district_code"], names[c["district_code"]], c["town"], c["community"], c["type"]] for c in LIST
            if (c["district_code"], key(c["community"])) not in named]
    text = (folder / f"{REPORT}_{q2.key}_uncovered_communities.csv").read_bytes().decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text)))[1:] == [*want, ["", "合计", "", f"{len(want)}个", ""]]
    assert uncovered["合计"][1] == f"{len(want)}个"

    text = (folder / f"{REPORT}_{q2.key}_unlisted_communities.csv").read_bytes().decode("utf-8-sig")
    listed = {(c["district_code"], key(c["community"])) for c in LIST}
    unlisted = sorted({(u, r["community"]) for (u, q), rows in sent.items() if q in ("2020Q1", "2020Q2")
                       for r in rows if r["community"] and u in names and (u, key(r["community"])) not in listed
                       and u in {t["code"] for t in TERRITORIAL}},
                      key=lambda pair: ([t["code"] for t in TERRITORIAL].index(pair[0]), pair[1]))
    body = list(csv.reader(io.StringIO(text)))[1:]
    assert ["420704", "鄂城区", "凤凰 新城小区", "2"] in body
    assert [row[:3] for row in body[:-1]] == [[u, names[u], c] for u, c in unlisted]
    assert body[-1][3] == expected_targets(sent, ["2020Q1", "2020Q2"], True, False)["合计"][-1]

    # Sources: every current return of the year so far, the 零报告 included, not the replaced one.
    assert len(read_manifest(folder)["sources"]) == sum(1 for (_, q) in sent if q in ("2020Q1", "2020Q2"))
    for path in sorted(folder.iterdir()):
        if path.suffix == ".xlsx":
            check_workbook(path)
            for sheet in openpyxl.load_workbook(path).worksheets:
                assert int(sheet.page_setup.scale) >= layout.MIN_SCALE, (path.name, sheet.title)
        elif path.suffix == ".csv":
            check_csv(path)
    assert REPORTS[REPORT].build(engine, data, q2)["version"] == manifest["version"]  # reproducible


def test_at_the_years_end_an_incomplete_coverage_has_missed_its_deadline(engine, data):
    sent = generate(engine)
    q4 = quarter_period(2020, 4)
    folder = Path(REPORTS[REPORT].build(engine, data, q4)["folder"])
    quarters = ["2020Q1", "2020Q2", "2020Q3", "2020Q4"]
    targets = table(folder, q4.key, "_targets")
    for name, figures in expected_targets(sent, quarters, after_june=True, after_november=True).items():
        assert targets[name] == figures, name
    assert "未达标" in {row[6] for row in targets.values()}


def test_a_workbook_names_its_community_in_the_template_column(engine, data):
    """社区/村 travels from the unit's workbook through the real ingest into the coverage; a cell
    naming several places at once is refused with a message naming the column."""
    import json

    from chufei.ingest.submissions import ingest_submissions

    community = next(c for c in LIST if c["district_code"] == "420702")
    write_submission(data.inbox("submissions") / "梁子湖区宣传.xlsx", DATASETS["publicity"], "梁子湖区", "2020年第二季度",
                     [{"活动日期": "2020-06-15", "活动名称": "宣传月进村宣讲", "活动形式": "宣讲", "社区/村": community["community"],
                       "参与人数": 120},
                      {"活动日期": "2020-06-16", "活动名称": "宣传月集中宣传", "活动形式": "展板", "社区/村": " 某某新村 ",
                       "参与人数": 80},
                      {"活动日期": "2020-06-17", "活动名称": "多村联合宣讲", "活动形式": "宣讲", "参与人数": 90,
                       "社区/村": "、".join(c["community"] for c in LIST if c["district_code"] == "420702")}])
    ingest_submissions(engine, data)

    receipt = json.loads(next(data.receipts.glob("*.json")).read_text(encoding="utf-8"))
    assert receipt["status"] == "partially_accepted"
    assert [(e["column"], e["message"][:6]) for e in receipt["errors"]] == [("社区/村", "社区/村应填")]  # not counted
    q2 = quarter_period(2020, 2)
    folder = Path(REPORTS[REPORT].build(engine, data, q2)["folder"])
    listed = sum(1 for c in LIST if c["district_code"] == "420702")
    assert table(folder, q2.key, "_targets")["梁子湖区"] == ["2", "已开展", str(listed), "1", str(listed - 1),
                                                            pct(1, listed), "推进中", "1"]
    text = (folder / f"{REPORT}_{q2.key}_unlisted_communities.csv").read_bytes().decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text)))[1] == ["420702", "梁子湖区", "某某新村", "1"]


def test_the_quarterly_dag_run_after_june_writes_the_second_quarter(airflow_env, warehouse_url):
    from airflow.dag_processing.dagbag import DagBag

    from chufei.core.periods import local_midnight
    from chufei.warehouse.schema import engine_for, ensure_schema

    engine = engine_for(warehouse_url)
    ensure_schema(engine)
    try:
        sent = generate(engine)
    finally:
        engine.dispose()
    bag = DagBag(dag_folder=str(REPO / "dags" / f"{REPORT}.py"))
    assert not bag.import_errors, bag.import_errors
    q2 = quarter_period(2020, 2)
    run = bag.get_dag(REPORT).test(logical_date=local_midnight(q2.end))  # the run after the quarter: Q2
    assert str(run.state) == "success"
    root = airflow_env.outbox / REPORT / q2.key
    assert (root / "latest").read_text().strip() == "v1"
    assert table(root / "v1", q2.key)["合计"] == expected_activities(sent, ["2020Q2"])["合计"]
