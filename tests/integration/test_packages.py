"""Packages: versioned, reproducible, and every workbook keeps the statistical-form conventions."""

from __future__ import annotations

import json
from pathlib import Path

from chufei.outbox.case_reports import build_case_statistics_package
from chufei.core.periods import month_period, year_period
from tests.forms import check_csv, check_workbook
from tests.statsfacts import case_row, generate, load_facts, load_submission


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_rerun_is_identical_and_late_data_makes_v2(engine, data):
    cases, actions = generate()
    load_facts(engine, cases, actions)
    period = month_period(2020, 6)
    first = build_case_statistics_package(engine, data, period, "case_statistics_monthly")
    root = data.outbox / "case_statistics_monthly" / "2020-06"
    before = tree(root)
    again = build_case_statistics_package(engine, data, period, "case_statistics_monthly")
    assert tree(root) == before
    assert again["version"] == first["version"] == "v1"
    assert (root / "latest").read_text() == "v1\n"
    for entry in first["files"]:
        assert entry["rows"] > 0
        assert len(entry["sha256"]) == 64

    # A late resubmission from the first unit adds a June case: the issued v1 stays, v2 appears.
    unit = cases[0].unit_code
    from datetime import date
    from tests.statsfacts import Case
    late = Case(unit, f"{unit}-2020-LATE", "网络借贷", date(2020, 6, 15), 123_450_000, 1200, True, None, 0, 0)
    with engine.begin() as connection:
        load_submission(connection, "case_ledger", unit, month_period(2020, 12),
                        [case_row(c) for c in cases if c.unit_code == unit] + [case_row(late)])
    second = build_case_statistics_package(engine, data, period, "case_statistics_monthly")
    assert second["version"] == "v2"
    assert second["supersedes"] == "v1"
    assert tree(root / "v1") == {k[3:]: v for k, v in before.items() if k.startswith("v1/")}
    assert (root / "latest").read_text() == "v2\n"
    changes = second["changes"]
    assert changes["from_version"] == "v1"
    assert len(changes["sources_added"]) == 1
    assert "case_statistics_monthly_2020-06.xlsx" in changes["files_changed"]
    changed = {(c["file"], c["row"], c["column"]): (c["was"], c["now"]) for c in changes["figures_changed"]}
    key = ("case_statistics_monthly_2020-06.csv", f"{unit} " + _unit_name(unit), "新发案件数(件)·本期")
    was, now = changed[key]
    assert int(now) == int(was) + 1
    manifest = json.loads((root / "v2" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["data_version"] != first["data_version"]
    # Re-running once more changes nothing.
    assert build_case_statistics_package(engine, data, period, "case_statistics_monthly")["version"] == "v2"
    assert not (root / "v3").exists()


def _unit_name(code: str) -> str:
    from chufei.core.units import unit_by_code

    return unit_by_code(code).name


def test_every_case_workbook_keeps_the_form_conventions(engine, data):
    load_facts(engine, *generate())
    for period, report in ((month_period(2020, 12), "case_statistics_monthly"), (year_period(2020), "case_statistics_annual")):
        manifest = build_case_statistics_package(engine, data, period, report)
        folder = Path(manifest["folder"])
        assert folder.stat().st_mode & 0o777 == 0o755  # the staff's accounts can open an issued package
        for entry in manifest["files"]:
            path = folder / entry["name"]
            check_workbook(path) if path.suffix == ".xlsx" else check_csv(path)


def _issued_on_every_sheet(folder: Path) -> set[str]:
    """The 报出日期 lines of every sheet of every workbook in ``folder``."""
    from openpyxl import load_workbook

    found = set()
    for path in sorted(folder.glob("*.xlsx")):
        for sheet in load_workbook(path).worksheets:
            lines = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str) and "报出日期：" in c.value]
            assert lines, f"{path.name} {sheet.title}: no 报出日期"
            found |= {line.split("报出日期：")[1] for line in lines}
    return found


def test_issued_is_the_day_a_version_was_first_issued_on_every_form(engine, data):
    """报出日期: the day the version's last source arrived (never before the period is over), recorded
    in the manifest and printed on every sheet; a rebuild keeps it, a correction's version has its own."""
    from datetime import UTC, date, datetime

    from sqlalchemy import update

    from chufei.core.periods import half_period
    from chufei.outbox.office_reports import build_office_package, risk_rollup_forms
    from chufei.warehouse.schema import received_file
    from tests.statsfacts import Case

    def arrive(connection, sha: str, moment: datetime) -> None:
        connection.execute(update(received_file).where(received_file.c.sha256 == sha).values(arrived_at=moment))

    case = Case("420704", "420704-2020-001", "网络借贷", date(2020, 6, 2), 1_000_000, 12, False, None, 0, 0)
    period = month_period(2020, 6)
    with engine.begin() as connection:  # sent 3 July, 10:00 in Beijing
        arrive(connection, load_submission(connection, "case_ledger", "420704", period, [case_row(case)]),
               datetime(2020, 7, 3, 2, 0, tzinfo=UTC))
        # a 零报告 risk ledger sent on its snapshot day, before the half-year is over
        arrive(connection, load_submission(connection, "risk_ledger", "420704", half_period(2020, 1), []),
               datetime(2020, 6, 20, 2, 0, tzinfo=UTC))
    first = build_case_statistics_package(engine, data, period, "case_statistics_monthly")
    assert first["issued"] == "2020-07-03"
    assert _issued_on_every_sheet(Path(first["folder"])) == {"2020年7月3日"}
    rollup = build_office_package(engine, data, half_period(2020, 1), "risk_ledger_rollup", risk_rollup_forms)
    assert rollup["issued"] == "2020-07-01"  # not before the half-year is over
    assert _issued_on_every_sheet(Path(rollup["folder"])) == {"2020年7月1日"}
    assert build_case_statistics_package(engine, data, period, "case_statistics_monthly")["issued"] == "2020-07-03"

    corrected = Case("420704", "420704-2020-001", "网络借贷", date(2020, 6, 2), 2_000_000, 12, False, None, 0, 0)
    with engine.begin() as connection:  # the unit's correction arrives on 20 July
        arrive(connection, load_submission(connection, "case_ledger", "420704", period, [case_row(corrected)]),
               datetime(2020, 7, 20, 2, 0, tzinfo=UTC))
    second = build_case_statistics_package(engine, data, period, "case_statistics_monthly")
    assert (second["version"], second["issued"]) == ("v2", "2020-07-20")
    assert _issued_on_every_sheet(Path(second["folder"])) == {"2020年7月20日"}
    root = data.outbox / "case_statistics_monthly" / "2020-06"
    assert json.loads((root / "v1" / "manifest.json").read_text(encoding="utf-8"))["issued"] == "2020-07-03"
    assert build_case_statistics_package(engine, data, period, "case_statistics_monthly")["version"] == "v2"
