"""Reporting periods, the one place they are derived.

A period is a half-open interval of calendar dates [start, end) in Asia/Shanghai. DAG runs get
their period from the run's data interval (converted to Asia/Shanghai) or, for manual runs, from
an explicit ``period`` Param such as ``2020-06``, ``2020Q2``, ``2020H1`` or ``2020``. Nothing here
reads the clock.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")
KINDS = ("month", "quarter", "half", "year")
_CN_NUMERALS = {"一": 1, "二": 2, "三": 3, "四": 4}


# How an operator writes each kind of period, and what to tell them when they don't.
PERIOD_FORMS = {
    "month": (r"^\d{4}-(0[1-9]|1[0-2])$", "2020-06", "报告期应为 YYYY-MM，如 2020-06"),
    "quarter": (r"^\d{4}Q[1-4]$", "2020Q2", "报告期应为 YYYYQn（n 为 1–4），如 2020Q2"),
    "half": (r"^\d{4}H[12]$", "2020H1", "报告期应为 YYYYH1 或 YYYYH2，如 2020H1"),
    "year": (r"^\d{4}$", "2020", "报告期应为 YYYY，如 2020"),
}
# The situation analysis covers a half year (H1) or the whole year.
ANALYSIS_FORM = (r"^\d{4}(H1)?$", "2020H1", "报告期应为 YYYY（全年）或 YYYYH1（上半年），如 2020H1")
KIND_ZH = {"month": "月", "quarter": "季度", "half": "半年", "year": "年度"}


class PeriodError(ValueError):
    """A period text or data interval that does not name a reporting period."""


@dataclass(frozen=True, order=True)
class Period:
    start: date
    end: date  # exclusive
    kind: str

    @property
    def year(self) -> int:
        return self.start.year

    @property
    def key(self) -> str:
        """Machine key, also the outbox folder name: 2020-06, 2020Q2, 2020H1, 2020."""
        if self.kind == "month":
            return f"{self.year}-{self.start.month:02d}"
        if self.kind == "quarter":
            return f"{self.year}Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "half":
            return f"{self.year}H{1 if self.start.month == 1 else 2}"
        return f"{self.year}"

    @property
    def label(self) -> str:
        """Chinese label as printed on forms: 2020年6月, 2020年第二季度, 2020年上半年, 2020年."""
        if self.kind == "month":
            return f"{self.year}年{self.start.month}月"
        if self.kind == "quarter":
            return f"{self.year}年第{'一二三四'[(self.start.month - 1) // 3]}季度"
        if self.kind == "half":
            return f"{self.year}年{'上' if self.start.month == 1 else '下'}半年"
        return f"{self.year}年"

    @property
    def year_start(self) -> date:
        return date(self.year, 1, 1)

    def contains(self, day: date) -> bool:
        return self.start <= day < self.end

    def shift_years(self, years: int) -> Period:
        return Period(self.start.replace(year=self.start.year + years),
                      self.end.replace(year=self.end.year + years), self.kind)

    def previous(self) -> Period:
        """The period of the same kind just before this one (for 环比)."""
        months = _KIND_MONTHS[self.kind]
        return _months_period(*_add_months(self.start.year, self.start.month, -months), self.kind)

    def months(self) -> list[Period]:
        result, year, month = [], self.start.year, self.start.month
        while date(year, month, 1) < self.end:
            result.append(month_period(year, month))
            year, month = _add_months(year, month, 1)
        return result

    def __str__(self) -> str:
        return self.key


_KIND_MONTHS = {"month": 1, "quarter": 3, "half": 6, "year": 12}


def _add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def _months_period(year: int, month: int, kind: str) -> Period:
    end_year, end_month = _add_months(year, month, _KIND_MONTHS[kind])
    return Period(date(year, month, 1), date(end_year, end_month, 1), kind)


def month_period(year: int, month: int) -> Period:
    if not 1 <= month <= 12:
        raise PeriodError(f"月份 {month} 不在 1–12 之间")
    return _months_period(year, month, "month")


def quarter_period(year: int, quarter: int) -> Period:
    if not 1 <= quarter <= 4:
        raise PeriodError(f"季度 {quarter} 不在 1–4 之间")
    return _months_period(year, 3 * quarter - 2, "quarter")


def half_period(year: int, half: int) -> Period:
    if half not in (1, 2):
        raise PeriodError(f"半年 {half} 应为 1 或 2")
    return _months_period(year, 1 if half == 1 else 7, "half")


def year_period(year: int) -> Period:
    return _months_period(year, 1, "year")


_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^(\d{4})[-/.年](\d{1,2})月?(?:份)?$"), "month"),
    (re.compile(r"^(\d{4})(\d{2})$"), "month"),
    (re.compile(r"^(\d{4})[-年]?(?:Q|第)?([1-4一二三四])(?:季度|季)?$", re.I), "quarter"),
    (re.compile(r"^(\d{4})[-年]?H([12])$", re.I), "half"),
    (re.compile(r"^(\d{4})年?([上下])半年(?:度)?$"), "half"),
    (re.compile(r"^(\d{4})(?:年|年度)?$"), "year"),
]


def parse_period(text: str) -> Period:
    """Parse a period key or a Chinese period label; raise PeriodError naming the text."""
    cleaned = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)))
    for pattern, kind in _PATTERNS:
        match = pattern.match(cleaned)
        if not match:
            continue
        year = int(match.group(1))
        if kind == "year":
            return year_period(year)
        part = match.group(2)
        if kind == "half":
            return half_period(year, {"上": 1, "下": 2}.get(part) or int(part))
        number = _CN_NUMERALS.get(part) or int(part)
        return month_period(year, number) if kind == "month" else quarter_period(year, number)
    raise PeriodError(
        f"'{text}' 不是报告期：月如 2020-06，季度如 2020Q2，半年如 2020H1，年度如 2020")


def _local_date(moment: datetime) -> date:
    if moment.tzinfo is None:
        raise PeriodError(f"{moment!r} has no time zone")
    local = moment.astimezone(TZ)
    if (local.hour, local.minute, local.second, local.microsecond) != (0, 0, 0, 0):
        raise PeriodError(f"{local.isoformat()} is not midnight in Asia/Shanghai")
    return local.date()


def period_from_interval(start: datetime, end: datetime, kind: str) -> Period:
    """The period a run's data interval covers, checked to be exactly one period of ``kind``."""
    if kind not in KINDS:
        raise PeriodError(f"unknown period kind {kind!r}")
    first, last = _local_date(start), _local_date(end)
    if first.day != 1:
        raise PeriodError(f"data interval starts on {first}, not on the first of a month")
    period = _months_period(first.year, first.month, kind)
    if period.end != last or (kind != "month" and (first.month - 1) % _KIND_MONTHS[kind]):
        raise PeriodError(f"data interval {first} – {last} is not one {kind}")
    return period


def resolve_run_period(kind: str, param: str | None, interval_start: datetime | None,
                       interval_end: datetime | None) -> Period:
    """A run's period: the ``period`` Param when given, else the data interval."""
    if param:
        period = parse_period(param)
        if period.kind != kind:
            raise PeriodError(f"报告期 '{param}' 是{KIND_ZH[period.kind]}报告期，本 DAG 按{KIND_ZH[kind]}出表："
                              f"{PERIOD_FORMS[kind][2]}")
        return period
    if interval_start is None or interval_end is None or interval_start == interval_end:
        raise PeriodError(f"本次运行没有数据区间（手动触发且未填报告期？）：请填写报告期 period，"
                          f"{PERIOD_FORMS[kind][2].removeprefix('报告期')}")
    return period_from_interval(interval_start, interval_end, kind)


def manual_run_id(period_key: str, run_after: datetime) -> str:
    """The id of a run triggered by hand for ``period_key``: the period, then when (Asia/Shanghai),
    since one period may be triggered many times: ``manual__2020-06_20200708T093000``."""
    return f"manual__{period_key}_{run_after.astimezone(TZ):%Y%m%dT%H%M%S}"


def local_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=TZ)


def week_start(day: date) -> date:
    """The Monday of ``day``'s week: monitoring weeks run Monday to Sunday (ISO 8601)."""
    return day - timedelta(days=day.weekday())
