"""Expected case figures computed straight from the generated truth (``demo.generate.generate_cases``).

Independent of the pipeline: no SQL, no workbook reading — just the definitions the statistical
form states (新发 by 立案日期; 存量办结 = filed before the year, closed in the range; 超亿元 ≥ 1亿元;
超千人 ≥ 1000 人).
"""

from __future__ import annotations

from datetime import date

from demo.generate import DemoCase

FIGURES = ("new_cases", "amount_fen", "participants", "cross_region_cases", "over_100m_cases",
           "over_1000_cases", "old_cases_closed")


def expected_figures(cases: list[DemoCase], start: date, end: date) -> dict[str, dict[str, int]]:
    """unit code → figure → value over [start, end), for units with anything to count."""
    year_start = date(start.year, 1, 1)
    result: dict[str, dict[str, int]] = {}
    for case in cases:
        new = start <= case.filed < end
        old_closed = case.filed < year_start and case.closed is not None and start <= case.closed < end
        if not (new or old_closed):
            continue
        figures = result.setdefault(case.unit_code, dict.fromkeys(FIGURES, 0))
        if new:
            figures["new_cases"] += 1
            figures["amount_fen"] += case.amount_fen
            figures["participants"] += case.participants
            figures["cross_region_cases"] += case.cross_region
            figures["over_100m_cases"] += case.amount_fen >= 100_000_000 * 100
            figures["over_1000_cases"] += case.participants >= 1000
        figures["old_cases_closed"] += old_closed
    return result


def figures_by_unit(figures: dict) -> dict[str, dict[str, int]]:
    """The pipeline's figures (keyed by unit and 行业领域) summed per unit, for units with anything
    to count, in the shape ``expected_figures`` returns."""
    by_unit: dict[str, dict[str, int]] = {}
    for (unit, _industry), values in figures.items():
        slot = by_unit.setdefault(unit, dict.fromkeys(FIGURES, 0))
        for key in FIGURES:
            slot[key] += values.get(key, 0)
    return {unit: values for unit, values in by_unit.items() if any(values.values())}
