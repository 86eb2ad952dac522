"""The files as a clerk prints them: converted by LibreOffice to PDF and read back with poppler.

Under CI LibreOffice (calc and writer, without a GUI), poppler-utils and the Noto CJK fonts are
installed from Debian's packages when missing, as the page test installs Chromium; elsewhere the
test is skipped with the reason. Every file is converted in one soffice call, to keep it fast.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

PACKAGES = ("libreoffice-calc-nogui", "libreoffice-writer-nogui", "poppler-utils", "fonts-noto-cjk")


def ensure_libreoffice() -> str:
    found = shutil.which("soffice")
    if found and shutil.which("pdftotext"):
        return found
    if os.environ.get("CI") != "true":
        pytest.skip("LibreOffice (soffice) or poppler-utils is not installed; under CI=true the test installs them")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update"], check=True, env=env, capture_output=True, timeout=600)
    subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", *PACKAGES],
                   check=True, env=env, capture_output=True, timeout=1200)
    found = shutil.which("soffice")
    if not found:
        raise RuntimeError("apt-get installed LibreOffice but soffice is not on PATH")
    return found


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True, timeout=60).stdout


def pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True, timeout=60).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def test_forms_matrix_template_and_bulletin_print_whole(engine, data, tmp_path):
    from chufei.core.periods import half_period, month_period, quarter_period, year_period
    from chufei.core.settings import office
    from chufei.kinds.registry import DATASETS
    from chufei.kinds.templates import write_submission
    from chufei.ops.watch import run_watch
    from chufei.outbox.case_reports import build_case_statistics_package
    from chufei.outbox.situation import build_situation_package
    from tests.statsfacts import generate, load_facts

    if engine.dialect.name != "sqlite":
        pytest.skip("what prints does not depend on the warehouse's database: rendered once, from SQLite")
    soffice = ensure_libreoffice()
    cases, actions = generate(seed=5)
    load_facts(engine, cases, actions)
    files: list[Path] = []
    for period, report in ((month_period(2020, 3), "case_statistics_monthly"),
                           (quarter_period(2020, 2), "case_statistics_quarterly"),
                           (year_period(2020), "case_statistics_annual")):
        folder = Path(build_case_statistics_package(engine, data, period, report)["folder"])
        files += sorted(folder.glob("*.xlsx"))
    from chufei.outbox.registry import REPORTS
    from tests.integration.test_publicity import generate as publicity_returns

    from tests.integration.test_grid_monitoring import load_all as grid_clues

    publicity_returns(engine)  # the 宣传教育 forms, and the analysis's paragraph and forms on them
    grid_clues(engine, data)  # the 网格监测 forms (against the grid register), June's and the half-year's
    grid = Path(REPORTS["grid_monitoring_monthly"].build(engine, data, month_period(2020, 6))["folder"])
    files += [p for p in sorted(grid.glob("*.xlsx")) if not p.stem.endswith(("_risk_signs", "_industries"))]  # rankings: no 合计
    files += sorted(Path(REPORTS["publicity_quarterly"].build(engine, data, quarter_period(2020, 2))["folder"]).glob("*.xlsx"))
    folder = Path(build_situation_package(engine, data, half_period(2020, 1))["folder"])
    files += sorted(folder.glob("*.xlsx")) + sorted(folder.glob("*.docx"))
    files.append(Path(run_watch(engine, data.outbox, date(2020, 7, 31))["xlsx"]))
    files.append(write_submission(tmp_path / "案件台账模板.xlsx", DATASETS["case_ledger"]))
    out = tmp_path / "pdf"
    profile = tmp_path / "lo-profile"
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(out), *map(str, files)], check=True, capture_output=True, timeout=600)
    office_name = office()["office_name"]
    for source in files:
        pdf = out / f"{source.stem}.pdf"
        assert pdf.is_file(), f"LibreOffice did not convert {source.name}"
        text = pdf_text(pdf)
        assert "###" not in text, f"{source.name}: a cell too narrow for its number"
        if source.name.startswith("submission_matrix"):
            _assert_matrix_prints_whole(source, pdf, text)
        if source.parent == tmp_path or source.name.startswith("submission_matrix"):
            continue
        if source.suffix == ".docx":
            assert re.search(r"—\s*1\s*—", text), "page numbers as “— 1 —”"
            assert office_name in text
            totals = [line for line in text.splitlines() if line.strip().startswith("合计")]
            assert totals, "the tables' 合计 rows"
            for line in totals:  # a figure broken over two lines of its cell leaves "139,352.7" here
                assert not re.search(r"\d\.\d?(\s|$)", line), f"a figure cut in the bulletin's table: {line}"
            continue
        flat = text.replace(" ", "")
        assert f"制定机关：{office_name}" in flat, source.name
        assert f"填报单位：{office_name}" in flat, source.name
        assert "合计" in flat, source.name
        if source.stem.startswith("case_statistics") and "old_case" not in source.stem:
            assert pages(pdf) == 3, f"{source.name}: 表一–表三 should print on a page each"
    template = pdf_text(out / "案件台账模板.pdf").replace(" ", "")
    first_page = template.split("\f")[0]
    assert "案件台账" in first_page
    assert "填报单位" in first_page
    assert "说明：" in first_page


def _assert_matrix_prints_whole(source: Path, pdf: Path, text: str) -> None:
    """Each part of the completeness matrix on a page of its own, its headers whole: every line of
    every header cell (the kind, the period, 时限 and the due day) is on that part's page."""
    from openpyxl import load_workbook

    book = load_workbook(source)
    assert pages(pdf) == len(book.worksheets), f"{source.name}: a part runs over its page"
    for sheet, page in zip(book.worksheets, text.split("\f"), strict=False):
        flat = page.replace(" ", "")
        for row in (5, 6):
            for cell in sheet[row]:
                for line in str(cell.value or "").split("\n"):
                    assert line.replace(" ", "") in flat, f"{source.name} {sheet.title}: header “{line}” not printed"
        assert "合计" in flat, sheet.title
        assert "报出日期" in flat, sheet.title
