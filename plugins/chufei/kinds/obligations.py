"""Who owes which submission kind, read from include/reference/obligations.json."""

from __future__ import annotations

import json
from functools import lru_cache

from chufei.core.settings import REFERENCE_DIR
from chufei.core.units import Unit, units


@lru_cache(maxsize=1)
def _spec() -> dict:
    return json.loads((REFERENCE_DIR / "obligations.json").read_text(encoding="utf-8"))


def obligated_units(dataset_name: str) -> list[Unit]:
    """The units that owe ``dataset_name``, in registry order."""
    rule = _spec()[dataset_name]
    return [unit for unit in units() if unit.kind in rule["kinds"] or unit.code in rule["units"]]


def due_text(dataset_name: str) -> str:
    return _spec()[dataset_name]["due"]
