"""Task return values (XCom, echoed in task logs) carry counts and paths only, never row contents."""

from __future__ import annotations

import ast
from pathlib import Path

from chufei.outbox.reports import package_summary, write_package
from tests.unit.test_xlsx_and_reports import _form

DAGS = Path(__file__).resolve().parents[2] / "dags"


def test_a_package_build_returns_counts_and_paths_not_the_changed_figures(tmp_path: Path):
    root = tmp_path / "r" / "2020H2"
    write_package(root, "r", "2020H2", {"r": _form()}, ["s1"])
    form = _form()
    form.rows[0][0] = "孙**133****2345"  # a row's content: it may change, but it never leaves the package
    manifest = write_package(root, "r", "2020H2", {"r": form}, ["s1", "s2"])
    assert manifest["changes"]["figures_changed"]
    summary = package_summary(manifest)
    assert summary == {"report": "r", "period": "2020H2", "version": "v2", "folder": str(root / "v2"), "files": 2,
                       "supersedes": "v1", "figures_changed": manifest["changes"]["figures_changed_total"]}
    assert "孙" not in repr(summary)


def test_every_dag_that_builds_a_package_returns_its_summary():
    builders = 0
    for path in sorted(DAGS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Return) and isinstance(node.value, ast.Call):
                called = ast.unparse(node.value.func)
                if called.startswith("build_") and called.endswith("package"):
                    raise AssertionError(f"{path.name}: returns {called}(…) (the manifest) to XCom")
                if called in ("package_summary", "period_run.build_report"):
                    builders += 1
    assert builders >= 8  # every package DAG, the grid monitoring report's included


def test_the_report_build_task_returns_the_summary_not_the_manifest(monkeypatch):
    from chufei.dagkit import period_run
    from chufei.outbox import registry
    from chufei.warehouse import runtime

    manifest = {"report": "case_statistics_monthly", "period": "2020-06", "version": "v1", "folder": "/x",
                "files": [{"name": "a.csv"}], "changes": {"cells": [["孙**133****2345", "1", "2"]]}}
    report = registry.REPORTS["case_statistics_monthly"]
    monkeypatch.setattr(type(report), "build", lambda self, engine, data, period: manifest)
    monkeypatch.setattr(runtime, "warehouse_engine", lambda: None)
    monkeypatch.setattr(runtime, "data", lambda: None)
    summary = period_run.build_report("case_statistics_monthly", "2020-06")
    assert summary["files"] == 1
    assert "孙" not in repr(summary)
