"""The plausible range of each measure: one definition, used by the GX suites, the Arrow rules
and the messages units read.

A suite names a range (``"meta": {"range": "amount_wan", "what": "涉案金额"}``) instead of
spelling its bounds; ``expand`` fills in ``min_value``, ``max_value`` and the message, whose
bounds are written from the same numbers, so a limit and its message cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Range:
    minimum: int
    maximum: int
    unit: str  # 元 (the bounds are in 分), 人, 份 …
    hint: str = ""

    def text(self) -> str:
        """The bounds as a unit reads them: 0–1000 亿元, 0–1000 万人."""
        low = self.minimum / 100 if self.unit == "元" else self.minimum
        return f"{low:g}–{_human(self.maximum, self.unit)}"

    def message(self, what: str) -> str:
        return f"{what}超出合理范围（{self.text()}）{self.hint}"


def _human(value: int, unit: str) -> str:
    number = value / 100 if unit == "元" else value  # amounts are kept in 分
    for size, word in ((10 ** 8, "亿"), (10 ** 4, "万")):
        if number >= size and number % size == 0:
            return f"{number // size:g} {word}{unit}"
    return f"{number:g} {unit}"


RANGES: dict[str, Range] = {
    "amount_wan": Range(0, 1000 * 10 ** 8 * 100, "元", "，请核实单位是否为万元"),  # 0–1000 亿元
    "people": Range(0, 1000 * 10 ** 4, "人"),
    "reward_people": Range(0, 1000, "人"),
    "reward_yuan": Range(0, 100 * 10 ** 4 * 100, "元", "，请核实单位是否为元"),  # 0–100 万元
    "reach": Range(0, 10 ** 8, "人"),
    "audience": Range(1, 1000 * 10 ** 4, "人"),
    "materials": Range(0, 1000 * 10 ** 4, "份"),
}


def expand(expectation: dict) -> dict:
    """A suite expectation with its named range filled in (others unchanged)."""
    meta = expectation.get("meta") or {}
    if "range" not in meta:
        return expectation
    bounds = RANGES[meta["range"]]
    return {**expectation,
            "kwargs": {**expectation["kwargs"], "min_value": bounds.minimum, "max_value": bounds.maximum},
            "meta": {**meta, "message": bounds.message(meta["what"])}}
