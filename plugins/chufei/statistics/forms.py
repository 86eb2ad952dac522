"""What a statistical form holds: its header, columns, rows (the last is 合计), notes and chart.

Statistics build forms; ``chufei.outbox.reports`` writes them as xlsx and CSV.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from chufei.core.normalise import FEN_PER_WAN

FOOTER_FIELDS = ("单位负责人", "审核人", "填表人", "联系电话", "报出日期")
NO_DATA = "—"  # shown where a figure's base was never reported: "no data" is not 0
NUMBER_FORMATS = {"count": "#,##0", "wan": "#,##0.00####", "pct": "0.00", "text": "@", "yuan": "#,##0.00"}


@dataclass(frozen=True)
class FormColumn:
    group: str  # upper header row (merged over its columns); equal to label for single columns
    label: str  # lower header row
    kind: str  # text | count | wan (value in 分, shown in 万元) | yuan (value in 分, shown in 元) | pct
    min_width: float = 0.0  # at least this wide (column-width units): room for a group title over few columns


@dataclass(frozen=True)
class ChartSpec:
    """An openpyxl chart over the body rows (合计 excluded): categories from one column, one
    series per value column (0-based indexes into ``StatForm.columns``)."""

    kind: str  # bar | line
    title: str
    y_title: str
    category: int
    series: tuple[int, ...]
    rotate_labels: bool = False  # long category names (行业领域) are set at 45° to stay readable


@dataclass(frozen=True)
class FormPart:
    """One numbered form (表一, 表二 …) of a form too wide for one page: the key columns (代码 and
    name) followed by ``columns`` (0-based indexes into ``StatForm.columns``), on a sheet of its own.
    The CSV twin keeps the whole table in one file."""

    number: str  # 一 | 二 | 三 …
    title: str
    columns: tuple[int, ...]
    rows: tuple[int, ...] | None = None  # the body rows it shows (0-based; all when None); 合计 always


@dataclass
class StatForm:
    title: str
    form_no: str
    period_label: str
    unit_of_measure: str
    columns: list[FormColumn]
    rows: list[list[object]]  # the last row is the 合计 row
    sheet: str = "统计表"
    notes: list[str] = field(default_factory=list)
    charts: tuple[ChartSpec, ...] = ()
    parts: tuple[FormPart, ...] = ()
    key_columns: int = 2  # leading identifying columns (代码, name) repeated on every part
    # (row index, column index) of cells whose comparison base was never reported: printed "—"
    # whatever the figure (0, as nothing was counted) in ``rows`` is.
    no_data: frozenset[tuple[int, int]] = frozenset()


def wan(fen: int) -> Decimal:
    """分 → 万元, exact: never rounded, so rows always add up to the 合计 row."""
    value = Decimal(fen) / FEN_PER_WAN
    return value.quantize(Decimal("0.01")) if value == value.quantize(Decimal("0.01")) else value.normalize()


def wan_text(fen: int) -> str:
    """``str(wan(fen))`` by integer arithmetic, for a long list's amounts (the CSV of 120,000
    cases): at least two decimals, more only as far as the 分 need them."""
    if not -10**21 < fen < 10**21:  # beyond what Decimal's 28 digits hold exactly: its own rounding
        return str(wan(fen))
    sign, fen = ("-", -fen) if fen < 0 else ("", fen)
    whole, part = divmod(fen, FEN_PER_WAN)
    if part % 10_000 == 0:
        return f"{sign}{whole}.{part // 10_000:02d}"
    return f"{sign}{whole}.{part:06d}".rstrip("0")
