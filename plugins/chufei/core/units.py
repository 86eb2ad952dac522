"""The reporting units (填报单位), read from include/reference/units.csv."""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from chufei.core.settings import REFERENCE_DIR


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    kind: str  # territorial | departmental
    gb2260: str
    aliases: tuple[str, ...]


def _key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@lru_cache(maxsize=1)
def units() -> tuple[Unit, ...]:
    """All units in registry order (the row order of every by-unit form)."""
    with (REFERENCE_DIR / "units.csv").open(encoding="utf-8", newline="") as handle:
        return tuple(
            Unit(code=row["code"], name=row["name"], kind=row["kind"], gb2260=row["gb2260"],
                 aliases=tuple(a for a in row["aliases"].split("|") if a))
            for row in csv.DictReader(handle))


@lru_cache(maxsize=1)
def _index() -> dict[str, Unit]:
    index: dict[str, Unit] = {}
    for unit in units():
        for name in (unit.code, unit.name, *unit.aliases):
            index[_key(name)] = unit
    return index


def resolve_unit(text: object) -> Unit | None:
    """The unit a 填报单位 cell names (code, name or alias), or None."""
    if text is None:
        return None
    return _index().get(_key(str(text)))


def unit_by_code(code: str) -> Unit:
    return next(unit for unit in units() if unit.code == code)
