"""What a published form should say and look like, read independently of the code that wrote it.

``expected_figures`` counts the generated facts (tests/statsfacts.py) in plain Python; ``cells``
reads a built form the way it is printed; ``check_workbook`` and ``check_csv`` hold the
conventions every issued workbook and CSV keeps.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

FIGURES = ["新发案件数(件)", "涉案金额(万元)", "集资参与人数(人)", "立案数(件)", "行政处置数(件)",
           "跨区域案件数(件)", "超亿元案件数(件)", "超千人案件数(件)", "存量(陈案)办结数(件)"]


def expected_figures(cases, actions, start: date, end: date, select) -> dict[str, Decimal]:
    """Each figure for [start, end) over the facts ``select`` keeps, computed in plain Python."""
    new = [c for c in cases if select(c.unit_code, c.industry) and start <= c.filed < end]
    acts = [a for a in actions if select(a.unit_code, a.industry) and start <= a.day < end]
    year_start = date(start.year, 1, 1)
    return {
        "新发案件数(件)": len(new),
        "涉案金额(万元)": Decimal(sum(c.amount_fen for c in new)) / 1_000_000,
        "集资参与人数(人)": sum(c.participants for c in new),
        "立案数(件)": sum(1 for a in acts if a.action_type == "行政处罚"),
        "行政处置数(件)": len(acts),
        "跨区域案件数(件)": sum(1 for c in new if c.cross_region),
        "超亿元案件数(件)": sum(1 for c in new if c.amount_fen >= 10_000_000_000),
        "超千人案件数(件)": sum(1 for c in new if c.participants >= 1000),
        "存量(陈案)办结数(件)": sum(1 for c in cases if select(c.unit_code, c.industry) and c.filed < year_start
                                 and c.closed and start <= c.closed < end),
    }


def as_number(value) -> Decimal:
    return Decimal(0) if value is None else Decimal(value)


def cells(form, period_kind: str) -> dict[tuple[str, str, str], object]:
    """(row name, figure, span) → value, with money turned into 万元 as printed."""
    from chufei.outbox.reports import _cell

    out = {}
    for row in form.rows:
        for column, value in zip(form.columns[2:], row[2:], strict=False):
            out[(row[1], column.group, column.label)] = _cell(column.kind, value)
            if period_kind == "year" and column.label == "本年累计":  # a year's 本期 is printed once, as 本年累计
                assert (row[1], column.group, "本期") not in out
                out[(row[1], column.group, "本期")] = out[(row[1], column.group, column.label)]
    return out


def check_workbook(path: Path) -> None:
    """合计 adds up, no formulas, number formats, frozen header, A4 landscape."""
    from openpyxl import load_workbook

    book = load_workbook(path)
    for sheet in book.worksheets:
        assert sheet.freeze_panes is not None, path
        assert sheet.page_setup.orientation == "landscape"
        assert int(sheet.page_setup.paperSize) == 9
        rows = list(sheet.iter_rows())
        for row in rows:
            for cell in row:
                assert cell.data_type != "f", (path, cell.coordinate)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith("="), (path, cell.coordinate)
        total_at = next(i for i, row in enumerate(rows) if any(c.value == "合计" for c in row[:3]))
        header = next(i for i, row in enumerate(rows) if row[0].value in ("代码", "案件编号", "序号", "月份", "填报单位"))
        body = rows[header + 2:total_at] if rows[header + 1][0].value is None else rows[header + 1:total_at]
        for column, total in enumerate(rows[total_at]):
            fmt = total.number_format
            if not isinstance(total.value, (int, float)) or fmt in ("0.00",):
                continue
            assert fmt in ("#,##0", "#,##0.00####", "#,##0.00"), (path, total.coordinate, fmt)
            values = [row[column].value for row in body if row[column].value != "—"]  # "—": no data
            assert all(isinstance(v, (int, float)) or v is None for v in values), (path, total.coordinate)
            assert sum(Decimal(str(v)) for v in values if v is not None) == Decimal(str(total.value)), (
                path, sheet.title, total.coordinate)


def check_csv(path: Path) -> None:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), path
    rows = list(csv.reader(io.StringIO(raw[3:].decode("utf-8"))))
    assert rows, path
    assert any("合计" in row[:3] for row in rows), path
