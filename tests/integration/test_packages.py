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
