"""The kinds' registry: a kind is one module plus one suite, and every consumer reads the registry."""

from __future__ import annotations

import sys
from pathlib import Path

import chufei.kinds
from chufei.core.settings import EXPECTATIONS_DIR, SOURCES
from chufei.kinds.registry import DATASETS, KINDS

# The kinds layer's own machinery; every other module in it is a kind.
MACHINERY = {"__init__", "spec", "rules", "templates", "registry", "obligations", "ranges"}


def test_every_kind_module_is_in_the_registry_and_nothing_else():
    modules = {p.stem for p in Path(chufei.kinds.__file__).parent.glob("*.py")} - MACHINERY
    assert set(KINDS) == modules
    assert {"grid_report", "ad_screening", "case_ledger"} <= modules


def test_one_suite_per_kind():
    suites = {p.name for p in EXPECTATIONS_DIR.glob("*.json")}
    assert sorted(kind.suite for kind in KINDS.values()) == sorted(suites)


def test_each_kind_says_where_it_arrives_and_what_it_covers():
    for kind in KINDS.values():
        assert kind.inbox in SOURCES
        assert kind.title and kind.dataset is not None or kind.fields
        if kind.dataset is not None:
            assert (kind.dataset.name, kind.dataset.title, kind.dataset.period_kind) == \
                (kind.name, kind.title, kind.period_kind)
    assert KINDS["grid_report"].period_kind is None  # clues arrive continuously
    assert set(DATASETS) == {name for name, kind in KINDS.items() if kind.inbox == "submissions"}


def test_consumers_read_the_registry():
    from chufei.validate.validation import RULES
    from chufei.warehouse.schema import metadata

    assert set(RULES) == set(KINDS)
    assert all(RULES[name] for name in KINDS if name != "grid_report")  # grid rules run over Arrow batches
    assert {f"{name}_row" for name in DATASETS} <= set(metadata.tables)


def test_a_new_kind_is_one_module(tmp_path, monkeypatch):
    """A module defining KIND beside the others is a kind, with its template and suite name."""
    from chufei.kinds import registry

    (tmp_path / "inspection.py").write_text(
        "from chufei.kinds.spec import Column, Dataset\n"
        "from chufei.kinds.templates import workbook_kind\n"
        "KIND = workbook_kind(Dataset(name='inspection', title='现场检查', period_kind='quarter',\n"
        "                             columns=(Column('checked_date', '检查日期', 'date'),)))\n",
        encoding="utf-8")
    monkeypatch.setattr(chufei.kinds, "__path__", [*chufei.kinds.__path__, str(tmp_path)])
    try:
        found = registry._discover()
    finally:
        sys.modules.pop("chufei.kinds.inspection", None)
    assert found["inspection"].suite == "inspection.json"
    assert found["inspection"].template(tmp_path).name == "现场检查模板.xlsx"
    assert set(found) - {"inspection"} == set(KINDS)
