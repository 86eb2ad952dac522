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
