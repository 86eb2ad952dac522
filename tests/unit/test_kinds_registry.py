"""The kinds' registry: a kind is one module plus one suite, and every consumer reads the registry."""

from __future__ import annotations

from pathlib import Path

import chufei.kinds
from chufei.core.settings import EXPECTATIONS_DIR, SOURCES
from chufei.kinds.registry import DATASETS, KINDS

# The kinds layer's own machinery; every other module in it is a kind.
MACHINERY = {"__init__", "spec", "rules", "templates", "registry", "obligations"}


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
