"""The places below a district the office keeps lists of, as reference data it maintains.

- ``include/reference/communities.csv``: every 社区 and 村 of each territorial unit, by 乡镇街道 —
  the base of the 进社区 coverage (work-plan task 二十一, 社区宣教全覆盖).
- ``include/reference/grids.csv``: every 综治网格 (网格编码) of each territorial unit, by 乡镇街道 —
  the grids the 网格监测 expects a report from (task 七).

Both are the office's to keep current (from the 民政局's 城乡社区名录 and the grid platform's grid
register); the lists shipped with the repository are the demo's (docs/datasets.md says how they
were made). Names are compared after NFKC and with spaces removed, as units' names are.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from chufei.core.settings import REFERENCE_DIR


@dataclass(frozen=True)
class Community:
    district: str  # the territorial unit's code (units.csv)
    town: str  # 乡镇街道
    name: str  # 社区/村 as the list spells it
    type: str  # 社区 | 村


@dataclass(frozen=True)
class Grid:
    district: str
    town: str
    code: str  # 网格编码


def place_key(text: object) -> str:
    """How two spellings of one place's name compare: NFKC, no whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text or "")))


def _rows(name: str) -> list[dict[str, str]]:
    with (REFERENCE_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def communities() -> tuple[Community, ...]:
    """The community list in file order (the row order of the forms that list communities)."""
    return tuple(Community(r["district_code"], r["town"], r["community"], r["type"]) for r in _rows("communities.csv"))


@cache
def grids() -> tuple[Grid, ...]:
    """The grid register in file order."""
    return tuple(Grid(r["district_code"], r["town"], r["grid_code"]) for r in _rows("grids.csv"))
