"""宣传教育 activities and the 进社区 coverage (work-plan task 二十一, 社区宣教全覆盖): one definition
for the publicity forms and the work-plan progress.

Of a territorial unit's communities and villages in the community list
(``chufei.core.places.communities``), the covered ones are those named as 社区/村 by at least one of its
activities; names compare as ``places.place_key`` does. A 社区/村 the list does not know covers
nothing and is counted as unlisted, so that the office can correct it; departments' activities name
no district and cover none. Definitions: docs/statistics.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from chufei.core import places
from chufei.core.sql import as_date
from chufei.core.units import Unit


@dataclass(frozen=True)
class Activity:
    unit: str
    day: date
    form: str
    community: str | None
    audience: int
    materials: int


def activity_of(row: dict) -> Activity:
    """An activity from a ``publicity_rows`` row."""
    return Activity(row["unit_code"], as_date(row["event_date"]), row["form"], row["community"] or None,
                    int(row["audience"] or 0), int(row["materials"] or 0))


@dataclass(frozen=True)
class Coverage:
    listed: int  # communities and villages in the list
    covered: int
    unlisted: int  # activities naming a 社区/村 the list does not know
    completed_on: date | None = None  # the day the last listed place was first covered, when all are


def coverage(unit: Unit, activities: list[Activity]) -> tuple[Coverage, list[places.Community]]:
    """The unit's coverage from its activities, and the listed places still uncovered (in list order)."""
    listed = [c for c in places.communities() if c.district == unit.code]
    known = {places.place_key(c.name) for c in listed}
    first_day: dict[str, date] = {}
    named = []
    for activity in activities:
        if activity.unit == unit.code and activity.community:
            key = places.place_key(activity.community)
            named.append(key)
            first_day[key] = min(first_day.get(key, activity.day), activity.day)
    uncovered = [c for c in listed if places.place_key(c.name) not in first_day]
    completed = max(first_day[k] for k in known) if listed and not uncovered else None
    figures = Coverage(len(listed), len(listed) - len(uncovered), sum(1 for n in named if n not in known), completed)
    return figures, uncovered
