"""Every test module sits in a tier, so `python -m pytest` (testpaths: unit, integration, system) runs it.

A test file left elsewhere under tests/ would never be collected, and nobody would notice it not running.
"""

from __future__ import annotations

import tomllib

from tests.conftest import REPO

TIERS = ("tests/unit", "tests/integration", "tests/system")


def test_testpaths_run_the_tiers_in_order():
    settings = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert settings["tool"]["pytest"]["ini_options"]["testpaths"] == list(TIERS)


def test_every_test_module_is_in_a_tier():
    modules = sorted(path.relative_to(REPO).as_posix() for path in (REPO / "tests").rglob("test_*.py"))
    outside = [module for module in modules if not module.startswith(tuple(f"{tier}/" for tier in TIERS))]
    assert outside == [], f"move these into tests/unit, tests/integration or tests/system: {outside}"
