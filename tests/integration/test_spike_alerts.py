"""Spike alerts from grid clues loaded through the real grid ingest, on SQLite and PostgreSQL:
a district whose last week holds far more clues than its weeks before is an alert, its CSV row
names the clues, and the quiet districts are tested but raise nothing."""

from __future__ import annotations

import csv
import io
import random
from datetime import date, datetime, timedelta

from demo.inflows import GRID_LABELS
from chufei.ingest.grid import ingest_grid_files
from chufei.outbox.spike_alerts import write_spike_alerts
from chufei.statistics.spikes import spike_alerts

AS_OF = date(2020, 9, 7)  # a Monday: the week tested is 2020-08-31 … 2020-09-06
WEEK = date(2020, 8, 31)
DISTRICTS = ("420704", "420703", "420702")


def _row(number: int, district: str, at: datetime) -> dict[str, str]:
    return {label: "" for label in GRID_LABELS} | {
        "线索编号": f"WG2020{number:06d}", "上报时间": at.strftime("%Y-%m-%d %H:%M:%S"), "区县代码": district,
        "乡镇街道": "凤凰街道", "网格编码": f"{district}00101", "发现方式": "巡查", "主体名称": "鄂州某商贸有限公司",
        "行业领域": "投资咨询", "风险表现": "承诺高额回报", "研判结果": "疑似", "处置状态": "待核查"}


def test_an_outbreak_in_one_district_is_the_only_alert(engine, data, tmp_path):
    rng = random.Random(9)
    rows, number, expected_history = [], 0, []
    for week in range(1, 31):  # 30 quiet weeks before the tested one: two or three clues a district
        start = WEEK - timedelta(days=7 * week)
        for district in DISTRICTS:
            count = 2 + (week + DISTRICTS.index(district)) % 2
            if district == "420703":
                expected_history.append(count)
            for _ in range(count):
                number += 1
                rows.append(_row(number, district, datetime.combine(start, datetime.min.time())
                                 + timedelta(hours=8 + rng.randrange(6 * 24))))
    planted = []
    for district, count in (("420704", 3), ("420702", 2), ("420703", 15)):
        for _ in range(count):
            number += 1
            rows.append(_row(number, district, datetime.combine(WEEK, datetime.min.time())
                             + timedelta(hours=8 + rng.randrange(6 * 24))))
            if district == "420703":
                planted.append(f"WG2020{number:06d}")
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=GRID_LABELS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    (data.inbox("grid_reports") / "clues.csv").write_bytes(buffer.getvalue().encode("utf-8"))
    assert ingest_grid_files(engine, data)["rows_rejected"] == 0

    report = spike_alerts(engine, AS_OF)
    weekly = [t for t in report.tests if t.frequency == "week" and t.source == "grid"]
    territorial = {"420704", "420703", "420702", "EZGD01", "EZLK01"}
    assert {t.area for t in weekly} == territorial  # the silent districts are tested too: zero is data here
    assert [(t.frequency, t.area) for t in report.alerts] == [("week", "420703")]
    alert = report.alerts[0]
    assert alert.observed == 15
    assert abs(alert.baseline.expected - sum(expected_history) / len(expected_history)) < 0.6
    assert sorted(alert.refs) == sorted(planted)

    written = write_spike_alerts(tmp_path / "day", report)
    assert sorted(p.name for p in written) == ["spike_alerts.csv", "spike_alerts.xlsx",
                                               "spike_tests.csv", "spike_tests.xlsx"]
    lines = list(csv.reader(io.StringIO((tmp_path / "day" / "spike_alerts.csv").read_bytes().decode("utf-8-sig"))))
    header, body, total = lines[0], lines[1:-1], lines[-1]
    assert len(body) == 1
    assert total[:2] == ["合计", "1条"]
    cells = dict(zip(header, body[0], strict=True))
    assert cells["区域·区域名称"] == "华容区"
    assert cells["来源"] == "网格线索"
    assert cells["周期"] == "周"
    assert cells["周期·起始日期"] == "2020-08-31"
    assert cells["周期·截止日期"] == "2020-09-06"
    assert cells["实际(件)"] == "15"
    assert cells["是否预警"] == "是"
    assert float(cells["超出(件)"]) == round(15 - alert.baseline.expected, 2)
    assert set(cells["依据(线索编号等)"].split("、")) == set(planted)


def test_the_next_run_reuses_the_fits_and_follows_new_loads(engine, data, monkeypatch):
    """The baselines fitted are kept: the same day again fits nothing and gives the same report; a
    later load (a clue whose new version states another day, new clues) is in the next counts."""
    from sqlalchemy import select

    from chufei.statistics import spikes
    from chufei.warehouse.inflow_schema import grid_clue_day

    rows = [_row(n, DISTRICTS[n % 3], datetime(2020, 8, 3, 9) + timedelta(days=n % 35, hours=n % 5))
            for n in range(1, 400)]

    def load(name: str, chunk: list[dict]) -> None:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=GRID_LABELS, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(chunk)
        (data.inbox("grid_reports") / name).write_bytes(buffer.getvalue().encode("utf-8"))
        assert ingest_grid_files(engine, data)["rows_rejected"] == 0

    history = [_row(1000 + n, DISTRICTS[n % 3], datetime(2020, 2, 3, 9) + timedelta(days=n % 180))
               for n in range(600)]
    load("history.csv", history + rows)
    first = spike_alerts(engine, AS_OF)
    assert any(t.baseline is not None for t in first.tests)

    def refit(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise AssertionError("a kept fit was fitted again")

    monkeypatch.setattr(spikes, "fit_baseline", refit)
    assert spike_alerts(engine, AS_OF) == first
    monkeypatch.undo()

    moved = dict(rows[0], 上报时间="2020-09-01 10:00:00")  # its second version: both days count it
    later = [_row(5000 + n, "420703", datetime(2020, 9, 1, 9) + timedelta(hours=n)) for n in range(20)]
    load("later.csv", later + [moved])
    spike_alerts(engine, AS_OF + timedelta(days=7))
    with engine.connect() as connection:
        kept = {(d, day.isoformat()): n for d, day, n in connection.execute(select(grid_clue_day)).all()}
    counted: dict[tuple, set] = {}
    for row in history + rows + later + [moved]:
        counted.setdefault((row["区县代码"], row["上报时间"][:10]), set()).add(row["线索编号"])
    assert kept == {key: len(clues) for key, clues in counted.items()}
