"""What a template sheet can hold besides its table, found while it is read.

- A header cell that is not one of the kind's labels: its column is not read, so the unit is
  told, with the label it most likely meant when one is close (``已清退金额（万圆）`` → did you mean
  ``已清退金额(万元)``?), by rapidfuzz's similarity of the compared label keys.
- A second 填报单位 block, or the header row again, below the table: two units' (or two
  periods') tables stacked in one sheet. Reading on would load the second unit's rows as the
  first's, stopping would drop them: the file is refused.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from chufei.kinds.spec import Dataset

SUGGESTION_SCORE = 75  # rapidfuzz ratio (0–100) from which a header is taken for a misspelt label


def _key(text: object) -> str:
    return re.sub(r"[\s*＊:：]", "", unicodedata.normalize("NFKC", str(text or "")))


def header_warnings(header_row: tuple, mapping: dict[str, int], dataset: Dataset, sheet: str, row: int,
                    letter) -> list[dict]:
    """A warning for each non-empty header cell the reader did not map to a column."""
    from rapidfuzz import fuzz, process

    used = set(mapping.values())
    unread = {_key(c.label): c.label for c in dataset.columns if c.name not in mapping}
    warnings = []
    for position, cell in enumerate(header_row):
        if position in used or not _key(cell):
            continue
        best = process.extractOne(_key(cell), list(unread), scorer=fuzz.ratio) if unread else None
        if best is not None and best[1] >= SUGGESTION_SCORE:
            message = (f"表头“{cell}”不是模板中的列名，该列未读取；是否应为“{unread[best[0]]}”？"
                       "请改正表头后重新报送，否则该列数据视为未填写")
        else:
            message = f"表头“{cell}”不是模板中的列名，该列未读取"
        warnings.append({"sheet": sheet, "row": row, "column": str(cell), "cell": f"{letter(position)}{row}",
                         "value": None, "message": message})
    return warnings


def stacked_table(row: tuple, dataset: Dataset) -> str | None:
    """Why ``row`` (below the table) starts another table: a 填报单位 label, or the header again."""
    keys = [_key(cell) for cell in row if cell not in (None, "")]
    if any(key.startswith("填报单位") for key in keys):
        return "填报单位"
    labels = {_key(column.label) for column in dataset.columns}
    if len([key for key in keys if key in labels]) >= max(2, int(0.6 * len(dataset.columns))):
        return "表头"
    return None


def stacked_refusal(sheet: str, row: int, what: str) -> str:
    return (f"工作表“{sheet}”第 {row} 行出现第二个“{what}”：一张工作表中叠放了两张表（可能是两个单位或两个报告期的数据）。"
            "每个文件只报送一个单位一个报告期的一张表，请拆分成多个文件分别报送")


EXCEL_CELL_LIMIT = 32767  # characters: Excel keeps no more in a cell, and neither do the exported forms


@dataclass
class SheetMarks:
    """What the sheet's XML says about its cells that the values alone do not."""

    hidden_rows: set[int] = field(default_factory=set)
    hidden_columns: set[int] = field(default_factory=set)  # 1-based
    formulas_without_value: dict[str, str] = field(default_factory=dict)  # cell → its formula, no result saved
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # (first row, first col, last row, last col)

    def merged_range(self, row: int, column: int) -> tuple[int, int, int, int] | None:
        """The merged range that covers (row, column, 1-based), when it is not that range's first cell."""
        for first_row, first_col, last_row, last_col in self.merged:
            if first_row <= row <= last_row and first_col <= column <= last_col \
                    and (row, column) != (first_row, first_col):
                return first_row, first_col, last_row, last_col
        return None


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _hidden(element, size: str = "ht") -> bool:
    """Hidden, or shrunk to nothing (a height or width of 0 hides a row or column just as well)."""
    if element.get("hidden") in ("1", "true"):
        return True
    try:
        return float(element.get(size) or 1) == 0
    except ValueError:
        return False


def sheet_marks(sheet) -> SheetMarks:
    """Hidden rows and columns, formulas saved without their result and merged ranges of a read-only
    openpyxl sheet, streamed from its part (the read-only reader does not keep them)."""
    from defusedxml.ElementTree import iterparse
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, get_column_letter

    marks = SheetMarks()
    archive = getattr(sheet.parent, "_archive", None)
    path = getattr(sheet, "_worksheet_path", None)
    if archive is None or path is None:
        return marks
    row_no, column = 0, 0
    with archive.open(path.lstrip("/")) as part:
        for event, element in iterparse(part, events=("start", "end")):
            tag = element.tag
            if event == "start":
                if tag == _MAIN + "row":
                    number = element.get("r") or ""
                    row_no = int(number) if number.isdigit() else row_no + 1
                    column = 0
                    if _hidden(element):
                        marks.hidden_rows.add(row_no)
                elif tag == _MAIN + "col" and _hidden(element, "width"):
                    first, last = element.get("min") or "", element.get("max") or ""
                    if first.isdigit() and last.isdigit() and int(last) - int(first) < 16384:
                        marks.hidden_columns.update(range(int(first), int(last) + 1))
                continue
            if tag == _MAIN + "c":
                ref = element.get("r")
                try:
                    letters, row_no = coordinate_from_string(ref)
                    column = column_index_from_string(letters)
                except (TypeError, ValueError):  # no reference, or one openpyxl would not place either: next cell
                    column += 1
                    ref = f"{get_column_letter(column)}{row_no}"
                formula = element.find(_MAIN + "f")
                if formula is not None:
                    cached = element.find(_MAIN + "v")
                    if (cached is None or not cached.text) and element.find(_MAIN + "is") is None:
                        marks.formulas_without_value[ref] = formula.text or ""
                element.clear()
            elif tag == _MAIN + "row":
                element.clear()
            elif tag == _MAIN + "mergeCell" and ":" in (element.get("ref") or ""):
                first, last = element.get("ref").split(":", 1)
                try:
                    (first_col, first_row), (last_col, last_row) = coordinate_from_string(first), \
                        coordinate_from_string(last)
                    marks.merged.append((first_row, column_index_from_string(first_col),
                                         last_row, column_index_from_string(last_col)))
                except ValueError:  # a range no cell lies in
                    pass
    return marks
