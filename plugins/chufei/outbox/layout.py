"""How a statistical form is laid out on an A4 landscape page.

A form prints the way the office's recipients read national statistical forms: the title
centred; 填报单位 and 报告期 on the left, 表号, 制定机关 and 计量单位 on the right; the table with its
two header rows repeated on every page; the footer (单位负责人 … 报出日期) and the notes under it.
Everything is in one CJK font at 10 pt (9 pt for the notes), every column as wide as its widest
value, so nothing is cut, up to ``MAX_TEXT_WIDTH`` for a text column: header texts, and body texts
wider than their column, wrap inside their cells with row heights to match.

Widths are estimated from the text, in Excel's width unit (the width of a digit of the
workbook's default 11 pt font): a CJK character of the 10 pt font is about 1.9 units, a Latin
character or digit about 1. ``print_scale`` says at which scale the table fits the page's
width; the forms are designed so that it is at least ``MIN_SCALE`` (tests check every form).
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
import re
import unicodedata
from collections.abc import Sequence
from typing import NamedTuple
from copy import copy
from decimal import Decimal

from chufei.core.masking import mask_text, mask_texts
from chufei.core.settings import office
from chufei.core.xlsx import put
from chufei.statistics.forms import FOOTER_FIELDS, NO_DATA, NUMBER_FORMATS, StatForm, wan

FONT = "宋体"
SIZE = 10
NOTE_SIZE = 9
MIN_SCALE = 80  # %: below it a clerk can no longer read the figures
# A4 landscape, 297 mm wide, less 10 mm margins each side: the width the table may use.
PAGE_WIDTH_MM = 277.0
PAGE_HEIGHT_MM = 176.0  # 210 mm less the top and bottom margins (0.6 in each) and a little room
ROW_PT = 15.0  # a body row of 10 pt CJK text as LibreOffice and Excel draw it
WIDEST_CHARACTER = 1.9  # a CJK character's width in ``text_width``'s units: no character is wider


def fits_one_page(heights_pt: Sequence[float]) -> bool:
    """Whether rows of these heights fit one page's height at ``MIN_SCALE`` or more: such a form
    is printed on one page (a form of a few dozen rows should not leave its footer alone on a
    second page); a longer list runs on over pages, its header rows repeated."""
    return sum(heights_pt) * MIN_SCALE / 100 <= PAGE_HEIGHT_MM / 25.4 * 72
MARGIN_IN = 10 / 25.4
PX_PER_MM = 96 / 25.4
LINE_PT = 14.0  # the height of a line of 10 pt text
MAX_TEXT_WIDTH = 48.0  # a name column wider than this wraps instead
MAX_ROW_PT = 409.0  # the tallest row Excel draws; under the repeated header rows it still fits a page
MIN_NUMBER_WIDTH = 7.0


class _CharacterWidths(dict):
    """A character's width (``wide`` for an East Asian wide or full-width one, else ``narrow``),
    looked up in Unicode once per character: a warning's evidence lists are thousands of
    characters, measured for the column and each row."""

    def __init__(self, wide: float, narrow: float) -> None:
        super().__init__()
        self.wide, self.narrow = wide, narrow

    def __missing__(self, character: str) -> float:
        width = self[character] = self.wide if unicodedata.east_asian_width(character) in "WF" else self.narrow
        return width


_character_width = _CharacterWidths(WIDEST_CHARACTER, 1.0).__getitem__
# the same in tenths of a unit, exact integers: a line's running width is summed without rounding
_character_tenths = _CharacterWidths(round(WIDEST_CHARACTER * 10), 10).__getitem__


def text_width(text: str, size: int = SIZE) -> float:
    """Width of ``text`` (its longest line) in column-width units at ``size`` pt."""
    widest = 0.0
    for line in str(text).split("\n"):
        # no wide character: the sum of as many 1.0s (most cells are figures)
        units = float(len(line)) if line.isascii() else sum(map(_character_width, line))
        widest = max(widest, units)
    return widest * size / SIZE


def lines_needed(text: str, width: float, size: int = SIZE) -> int:
    """How many lines ``text`` wraps to in a cell ``width`` units wide: its width over the cell's
    less a unit of room, or more when its lines, filled word by word, end short of the cell's edge."""
    usable = max(width - 1.0, 1.0)
    text = str(text)
    if len(text) * WIDEST_CHARACTER * size / SIZE <= usable and "\n" not in text:
        return 1  # fits even if every character were wide: most cells, without measuring each character
    return _measured_lines(text, width, size)


@functools.lru_cache(maxsize=4096)
def _measured_lines(text: str, width: float, size: int) -> int:
    """``lines_needed`` of a text that may not fit, kept: a long list's texts are measured for their
    column, and again as each row is written."""
    usable = max(width - 1.0, 1.0)
    return sum(_line_lines(line, usable, width, size) for line in text.split("\n"))


# Where a line may break, as LibreOffice and Excel break it: after a space, or before any character
# but within a run of letters and digits (a clue number, a file's sha256), and never before a
# closing mark (；，。）…), which stays with what it closes.
_CLOSING = "）)]】》」』〉”’，。、；：！？%．,.;:!?"
_UNBREAKABLE = re.compile(rf"[!-~]+[{re.escape(_CLOSING)}]*|\s|.[{re.escape(_CLOSING)}]*")


def _line_lines(line: str, usable: float, width: float, size: int) -> int:
    """The lines one line of text (no line break in it) takes in a cell ``width`` wide: its width
    over the ``usable`` room, or more when filled word by word (``_wrapped_lines``)."""
    sums = list(itertools.accumulate(map(_character_tenths, line), initial=0))  # in C, character by character
    measured = sums[-1] * size / SIZE / 10
    if measured <= usable:
        return 1
    return max(math.ceil(measured / usable), _wrapped_lines(line, width, size, sums))


def _wrapped_lines(line: str, usable: float, size: int, sums: Sequence[int] | None = None) -> int:
    """The lines one line of text takes in ``usable`` units, filled word by word: a long list of
    evidence ("网格线索 WG202000000137 13e0744a76a9 第138行；…") takes a line or more in ten more than
    its width alone says, each line ending before a number that does not fit.

    Widths are summed in tenths of a unit (exact: a character is 1 or 1.9), per character
    (``sums``, the running width before each), and each line's end is found by bisection in the
    running widths at the pieces' starts: a day's evidence texts are a quarter of a million pieces,
    looked at one by one only where a piece is wider than a whole line."""
    if sums is None:
        sums = list(itertools.accumulate(map(_character_tenths, line), initial=0))
    pieces = _UNBREAKABLE.findall(line)
    starts = list(map(sums.__getitem__, itertools.accumulate(map(len, pieces), initial=0)))
    limit = usable * 10 * SIZE / size  # a line's room in tenths at this size
    lines, start, count = 1, 0, len(pieces)
    while True:
        end = bisect.bisect_right(starts, starts[start] + limit, lo=start) - 1  # pieces[start:end] fit
        if end >= count:
            return lines
        if pieces[end].isspace():  # the line breaks at the space, which takes no room
            lines, start = lines + 1, end + 1
        elif starts[end + 1] - starts[end] <= limit:
            lines, start = lines + 1, end
        else:  # a piece longer than a line of its own: broken where the line is full
            tenths = [b - a for a, b in itertools.pairwise(starts[end:])]
            return _filled_lines(pieces[end:], tenths, limit, lines, starts[end] - starts[start])


def _filled_lines(pieces: Sequence[str], tenths: Sequence[int], limit: float, lines: int, filled: float) -> int:
    """The rest of ``_wrapped_lines`` from a piece wider than a line, piece by piece."""
    for piece, width in zip(pieces, tenths, strict=True):
        if filled + width <= limit:
            filled += width
        elif piece.isspace():
            lines, filled = lines + 1, 0.0
        elif width <= limit:
            lines, filled = lines + 1, width
        else:
            broken = math.ceil((filled + width) / limit) - 1
            lines, filled = lines + broken, filled + width - broken * limit
    return lines


def body_lines(kind: str, content: object, width: float) -> int:
    """The lines a body cell's content takes in its column: a text column's text as it wraps, and
    any text of several lines (the completeness matrix's 合计 cells); a figure one."""
    if type(content) is not str or (kind != "text" and "\n" not in content):
        return 1
    return lines_needed(content, width)


def overwide_rows(kinds: Sequence[str], columns: Sequence[Sequence[object]], widths: Sequence[float]) -> set[int]:
    """The rows (by index) of a form given column by column, none a text of several lines, that
    may hold a cell that wraps (``body_lines``): a long list's 120,000 case numbers and names looked
    at in C, each distinct text that could be too wide measured once. A text needs no more room
    masked than as it came (what is written in its place is no wider), so the rows that wrap as
    written are among these."""
    found: set[int] = set()
    for column, kind, width in zip(columns, kinds, widths, strict=True):
        if kind != "text":
            continue
        try:
            texts, longest = column, max(map(len, column), default=0)
        except TypeError:  # empty cells (None) among the texts
            texts = [value for value in column if type(value) is str]
            longest = max(map(len, texts), default=0)
        usable = max(width - 1.0, 1.0)
        if longest * WIDEST_CHARACTER <= usable or (longest <= usable and "".join(texts).isascii()):
            continue  # even if every character were wide; letters and digits, a unit each
        # a character outside ASCII takes two bytes or more in UTF-8 and at most 0.9 units more than
        # a letter: no text is wider than a tenth of the most characters and 0.9 of the most bytes
        if 0.1 * longest + 0.9 * max(map(len, map(str.encode, texts)), default=0) <= usable:
            continue
        # a line of text wraps exactly when it is wider than the cell (``lines_needed``)
        wide = {text for text in set(texts) if len(text) * WIDEST_CHARACTER > usable and text_width(text) > usable}
        if wide:
            found.update(number for number, value in enumerate(column) if value in wide)
    return found


class Wrapped(NamedTuple):
    """A streamed body row that wraps: its lines (the row's height) and its cells that wrap (by column index)."""

    lines: int
    columns: frozenset[int]


def _streamed_wrapping(kinds: Sequence[str], rows: Sequence[Sequence[object]], candidates: set[int],
                       widths: Sequence[float], convert: _Converter) -> dict[int, Wrapped]:
    """The rows among ``candidates`` that wrap as written (their texts masked)."""
    wrapping: dict[int, Wrapped] = {}
    for index in sorted(candidates):
        per_cell = [body_lines(kind, convert(kind, value), widths[column])
                    for column, (kind, value) in enumerate(zip(kinds, rows[index], strict=False))]
        if max(per_cell, default=1) > 1:
            wrapping[index] = Wrapped(max(per_cell), frozenset(c for c, lines in enumerate(per_cell) if lines > 1))
    return wrapping


def _model_rows(width: int, body_rows: int, wrapping: dict[int, Wrapped]) -> set[int]:
    """The body rows (by index, the 合计 last) openpyxl writes of a streamed list: the first and the
    合计, and enough others that each column's style, wrapping and not, is in one of them for the
    streamer to copy (``reports._insert_body_rows``)."""
    rows = {0, body_rows - 1}
    plain = next((index for index in range(body_rows - 1) if index not in wrapping), None)
    have: set[tuple[int, bool]] = set()
    if plain is not None:
        rows.add(plain)
        have = {(column, False) for column in range(width)}
    for index, wrapped in sorted(wrapping.items()):
        if index == body_rows - 1:
            continue
        states = {(column, column in wrapped.columns) for column in range(width)}
        if not states <= have:
            rows.add(index)
            have |= states
    return rows


def width_px(widths: Sequence[float]) -> float:
    return sum(w * 7 + 5 for w in widths)


def print_scale(widths: Sequence[float]) -> int:
    """The print scale (%) at which columns of ``widths`` fill the page's width, at most 100."""
    available = PAGE_WIDTH_MM * PX_PER_MM * 0.97  # a little room for LibreOffice's own rounding
    return min(100, math.floor(available / width_px(widths) * 100))


def column_widths(kinds: Sequence[str], labels: Sequence[str], shown_rows: Sequence[Sequence[str]],
                  minimums: Sequence[float] = ()) -> list[float]:
    """Each column's width: its widest value (text in full, up to ``MAX_TEXT_WIDTH``), and room
    for its header label on at most two lines; a label broken into lines by its author gets room
    for its widest line (the completeness matrix's period / 时限 / due day)."""
    widths = []
    for index, kind in enumerate(kinds):
        values = max((text_width(row[index]) for row in shown_rows if index < len(row)), default=0.0)
        label = text_width(labels[index]) * (2 if "\n" in labels[index] else 1)
        if kind == "text":
            width = min(max(values, label / 2, 4.0) + 1.5, MAX_TEXT_WIDTH)
        else:
            width = max(values + 1.5, label / 2 + 1.5, MIN_NUMBER_WIDTH)
        if index < len(minimums):
            width = max(width, minimums[index])
        widths.append(round(width, 1))
    return widths


NARROWEST_WRAPPING = 24.0  # a text column narrowed to fit the page keeps room for 12 characters a line


def fitted_to_page(kinds: Sequence[str], widths: Sequence[float], minimums: Sequence[float] = ()) -> list[float]:
    """``widths`` with the widest text columns narrowed, their texts wrapping, until the form prints
    at ``MIN_SCALE`` or more; none below ``NARROWEST_WRAPPING`` (codes and short names stay on one
    line) or its column's minimum."""
    widths = list(widths)
    least = [max(NARROWEST_WRAPPING, minimums[index] if index < len(minimums) else 0.0) for index in range(len(widths))]
    while print_scale(widths) < MIN_SCALE:
        narrowable = [index for index, kind in enumerate(kinds) if kind == "text" and widths[index] > least[index]]
        if not narrowable:
            break
        widest = max(narrowable, key=widths.__getitem__)
        widths[widest] = round(max(widths[widest] - 0.5, least[widest]), 1)
    return widths


def widened_for_long_texts(kinds: Sequence[str], widths: Sequence[float],
                           rows: Sequence[Sequence[object]]) -> list[float]:
    """``widths`` with each text column at the cap (``MAX_TEXT_WIDTH``) widened, as far as the page's
    width allows at ``MIN_SCALE``, until its longest texts wrap to rows of at most ``MAX_ROW_PT``: a
    taller row is cut in print (the evidence of a warning found in dozens of clues)."""
    import heapq

    widths = list(widths)
    for index, kind in enumerate(kinds):
        if kind != "text" or widths[index] < MAX_TEXT_WIDTH:
            continue
        texts = {row[index] for row in rows if index < len(row) and type(row[index]) is str}
        longest = heapq.nlargest(16, texts, key=len)
        while longest and max(lines_needed(text, widths[index]) for text in longest) * LINE_PT + 4 > MAX_ROW_PT:
            wider = [*widths[:index], widths[index] + 1.0, *widths[index + 1:]]
            if print_scale(wider) < MIN_SCALE:
                break
            widths = wider
    return widths


def shown(kind: str, value: object) -> str:
    """The text a cell shows, as far as its width goes (numbers with their thousands separators)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if kind == "pct":
        return f"{Decimal(value):.2f}"
    if isinstance(value, Decimal):
        return f"{value:,}"
    return f"{value:,}"


def _cell(kind: str, value: object) -> object:
    """The value as written: 分 shown in 万元, text with any ID or mobile number masked."""
    if value is None:
        return None
    if isinstance(value, str):
        return mask_text(value)
    if kind == "yuan":
        return (Decimal(int(value)) / 100).quantize(Decimal("0.01"))
    return wan(int(value)) if kind == "wan" else value


class _Converter:
    """``_cell`` with the masked form of each distinct text kept: long lists repeat their unit
    names, dates and states on every row."""

    def __init__(self) -> None:
        self.masked: dict[str, str] = {}

    def __call__(self, kind: str, value: object) -> object:
        if isinstance(value, str):
            text = self.masked.get(value)
            if text is None:
                text = self.masked[value] = mask_text(value)
            return text
        return _cell(kind, value)

    def texts(self, values: Sequence[str]) -> list[str]:
        """The masked form of each of ``values`` (distinct texts), those not yet kept masked together."""
        masked = self.masked
        new = [value for value in values if value not in masked]
        masked.update(zip(new, mask_texts(new), strict=True))
        return [masked[value] for value in values]


def _converter() -> _Converter:
    return _Converter()


def _headers(form: StatForm) -> tuple[list[str], list[str]]:
    return [c.group for c in form.columns], [c.label for c in form.columns]


def displayed_rows(form: StatForm) -> list[list[object]]:
    """The rows as written: figures whose base was never reported become "—"."""
    if not form.no_data:
        return form.rows
    return [[NO_DATA if (r, c) in form.no_data else value for c, value in enumerate(values)]
            for r, values in enumerate(form.rows)]


def sheet_forms(form: StatForm) -> list[StatForm]:
    """The forms a workbook's sheets hold: the form itself, or each of its numbered parts."""
    from dataclasses import replace

    if not form.parts:
        return [form]
    result = []
    for part in form.parts:
        keep = [*range(form.key_columns), *part.columns]
        position = {old: new for new, old in enumerate(keep)}
        shown_rows = [*(part.rows if part.rows is not None else range(len(form.rows) - 1)), len(form.rows) - 1]
        row_position = {old: new for new, old in enumerate(shown_rows)}
        result.append(replace(
            form, title=f"{form.title}之{part.number}：{part.title}", form_no=f"{form.form_no}之{part.number}",
            sheet=f"表{part.number}", columns=[form.columns[i] for i in keep],
            rows=[[form.rows[r][i] for i in keep] for r in shown_rows], parts=(), charts=(),
            no_data=frozenset((row_position[r], position[c]) for r, c in form.no_data
                              if c in position and r in row_position)))
    return result


def issued_label(issued: str | None) -> str:
    """报出日期 as printed: 2020年4月8日 (the manifest keeps the ISO date)."""
    if not issued:
        return ""
    year, month, day = (int(part) for part in issued.split("-"))
    return f"{year}年{month}月{day}日"


def _header_split(widths: Sequence[float], left_needs: float, right_needs: float) -> int:
    """The last column of the header block's left side (填报单位, 报告期), the rest being the right
    side (表号, 制定机关, 计量单位): the middle, when each side's longest line fits its half; else
    the narrowest left side that fits with the right side fitting too; 0 when no split fits both
    (the lines are then stacked, each whole: a 制定机关 cut over two lines is not read)."""
    count = len(widths)
    middle = max(1, (count + 1) // 2)
    if count > 1 and sum(widths[:middle]) >= left_needs and sum(widths[middle:]) >= right_needs:
        return middle
    for split in range(1, count):
        if sum(widths[:split]) >= left_needs:
            return split if sum(widths[split:]) >= right_needs else 0
    return 0


def merge(sheet, start_row: int, start_column: int, end_row: int, end_column: int) -> None:
    """``sheet.merge_cells`` for a top-left cell without borders, as every merge of a form is (the
    headings get their borders after merging): openpyxl's border pass would give each edge cell a
    default border again, through its style hashing, which took a third of a package's render
    time; the file it saves is the same byte for byte (tests/unit/test_form_layout.py)."""
    from openpyxl.worksheet.cell_range import CellRange
    from openpyxl.worksheet.merge import MergedCell, MergedCellRange

    start = sheet._cells.get((start_row, start_column))
    sides = [getattr(start.border, side) for side in ("left", "right", "top", "bottom")] if start is not None else []
    if any(side is not None and side.style is not None for side in sides):
        sheet.merge_cells(start_row=start_row, start_column=start_column, end_row=end_row, end_column=end_column)
        return
    area = CellRange(min_col=start_column, min_row=start_row, max_col=end_column, max_row=end_row)
    merged = MergedCellRange(sheet, area.coord)
    sheet.merged_cells.add(merged)
    cells = merged.cells
    next(cells)  # the top-left cell keeps its value
    for row, column in cells:
        sheet._cells[row, column] = MergedCell(sheet, row, column)


def write_sheet(sheet, form: StatForm, issued: str | None,
                streamed: Sequence[Sequence[object]] | None = None) -> dict[int, Wrapped]:
    """One form on one sheet, laid out for A4 landscape; with ``streamed`` (its rows column by
    column) only the first and the last body rows are written, and those whose styles the others
    take (the others are streamed into the XML at save); returns the body rows that wrap of a
    streamed form, by index."""
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.page import PageMargins

    sheet.title = form.sheet
    rows = displayed_rows(form)
    width = len(form.columns)
    groups, labels = _headers(form)
    kinds = [c.kind for c in form.columns]
    sample = rows if len(rows) <= 2000 else rows[:1000] + rows[-1000:]
    minimums = [c.min_width for c in form.columns]
    widths = column_widths(kinds, labels, [[shown(k, _cell(k, v)) for k, v in zip(kinds, values, strict=False)]
                                                  for values in sample], minimums)
    widths = widened_for_long_texts(kinds, fitted_to_page(kinds, widths, minimums), rows)
    for column_index, column_width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(column_index)].width = column_width
    font, bold = Font(name=FONT, size=SIZE), Font(name=FONT, size=SIZE, bold=True)
    wrap_left = Alignment(horizontal="left", vertical="center", wrap_text=True)
    wrap_right = Alignment(horizontal="right", vertical="center", wrap_text=True)

    def block(row: int, first: int, last: int, text: str, alignment=wrap_left, cell_font=font) -> None:
        """A merged, wrapping text cell over columns first..last, its row tall enough for it."""
        cell = put(sheet, row, first, text)
        cell.font, cell.alignment = cell_font, alignment
        if last > first:
            merge(sheet, row, first, row, last)
        size = cell_font.sz or SIZE
        lines = lines_needed(text, sum(widths[first - 1:last]), int(size))
        height = max(sheet.row_dimensions[row].height or 0, lines * LINE_PT * size / SIZE + 4)
        sheet.row_dimensions[row].height = height

    block(1, 1, width, form.title, Alignment(horizontal="center", vertical="center", wrap_text=True),
          Font(name=FONT, size=16, bold=True))
    sheet.row_dimensions[1].height = max(sheet.row_dimensions[1].height, 30)
    left = [f"填报单位：{office()['office_name']}", f"报告期：{form.period_label}", ""]
    right = [f"表号：{form.form_no}", f"制定机关：{office()['office_name']}", f"计量单位：{form.unit_of_measure}"]
    # LibreOffice sets the header block's text a little tighter than ``text_width`` estimates for
    # the table (a 10 pt line of 31 characters fits 55 units); the split is chosen by that measure.
    left_needs, right_needs = max(map(text_width, left)) * 0.9 + 1, max(map(text_width, right)) * 0.9 + 1
    split = _header_split(widths, left_needs, right_needs)
    if not split and sum(widths) < max(left_needs, right_needs):
        # narrower than one header line: the widest text column takes the rest, so that stacked
        # lines print whole too (a list of a few columns: the unlisted communities, the silent grids)
        texts = [i for i, kind in enumerate(kinds) if kind == "text"] or list(range(width))
        widest = max(texts, key=lambda i: widths[i])
        widths[widest] = round(widths[widest] + max(left_needs, right_needs) - sum(widths) + 0.5, 1)
        sheet.column_dimensions[get_column_letter(widest + 1)].width = widths[widest]
    for offset, (left_text, right_text) in enumerate(zip(left, right, strict=True), 2):
        if split:
            block(offset, 1, split, left_text)
            block(offset, split + 1, width, right_text, wrap_right)
        else:  # too narrow for both side by side: one line under the other, each whole
            block(offset, 1, width, "\n".join(t for t in (left_text, right_text) if t))
    top = 5
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    position = 1
    while position <= width:
        group = groups[position - 1]
        span = 1
        while position + span <= width and groups[position + span - 1] == group and group != labels[position - 1]:
            span += 1
        put(sheet, top, position, group)
        if group == labels[position - 1] and span == 1:
            merge(sheet, top, position, top + 1, position)
        else:
            if span > 1:
                merge(sheet, top, position, top, position + span - 1)
            for offset in range(span):
                put(sheet, top + 1, position + offset, labels[position + offset - 1])
        position += span
    group_lines, label_lines = 1, 1
    for index in range(width):
        span = [i for i in range(width) if groups[i] == groups[index]]
        if groups[index] == labels[index]:
            label_lines = max(label_lines, (lines_needed(labels[index], widths[index]) + 1) // 2)
        else:
            group_lines = max(group_lines, lines_needed(groups[index], sum(widths[i] for i in span)))
            label_lines = max(label_lines, lines_needed(labels[index], widths[index]))
    sheet.row_dimensions[top].height = group_lines * LINE_PT + 6
    sheet.row_dimensions[top + 1].height = label_lines * LINE_PT + 6
    heading = None  # every heading cell looks alike: styled once, its style ids copied to the others
    for row in (top, top + 1):
        for column in range(1, width + 1):
            cell = sheet.cell(row=row, column=column)
            if heading is not None:
                cell._style = copy(heading._style)
                continue
            cell.font, cell.border = bold, border
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            heading = cell
    # A body cell's style depends on its column's kind, the 合计 row and whether it wraps only: one
    # styled cell of each to copy from (copying the style ids is much cheaper than openpyxl's hashing).
    # A text wider than its column (or of several lines) wraps inside its cell, its row as tall as
    # the cell of most lines needs: a printed cell holds its text, never spilling over the border.
    written = range(len(rows))
    convert = _converter()  # the body's texts masked together: a warning's evidence is full of digits
    wrapping: dict[int, Wrapped] = {}
    if streamed is not None:  # the rows streamed at save (reports._insert_body_rows): written here are
        # the first row, the 合计 row and the rows whose style ids the streamer copies, wrapping or not
        candidates = overwide_rows(kinds, streamed, widths)
        convert.texts(list(dict.fromkeys(value for index in candidates for value in rows[index] if type(value) is str)))
        wrapping = _streamed_wrapping(kinds, rows, candidates, widths, convert)
        written = sorted(_model_rows(width, len(rows), wrapping))
    styled: dict[tuple[str, bool, bool], object] = {}
    convert.texts(list(dict.fromkeys(value for index in written for value in rows[index] if type(value) is str)))
    for index in written:
        offset, values = top + 2 + index, rows[index]
        is_total = index == len(rows) - 1
        most_lines = 1
        for column_index, (column, value) in enumerate(zip(form.columns, values, strict=False), 1):
            content = convert(column.kind, value)
            cell = put(sheet, offset, column_index, content)
            lines = body_lines(column.kind, content, widths[column_index - 1])
            most_lines = max(most_lines, lines)
            model = styled.get((column.kind, is_total, lines > 1))
            if model is not None:
                cell._style = copy(model._style)
            else:
                cell.number_format = NUMBER_FORMATS[column.kind]
                cell.border = border
                cell.font = bold if is_total else font
                cell.alignment = Alignment(horizontal="left" if column.kind == "text" else "right",
                                           vertical="center", wrap_text=lines > 1 or None)
                styled[(column.kind, is_total, lines > 1)] = cell
        if most_lines > 1:
            sheet.row_dimensions[offset].height = most_lines * LINE_PT + 4
    footer_row = top + 2 + len(rows) + 1
    signatories = office().get("signatories", {})
    filled = {**signatories, "报出日期": issued_label(issued)}
    block(footer_row, 1, width, mask_text("　　".join(f"{label}：{filled.get(label, '')}" for label in FOOTER_FIELDS)))
    note_font = Font(name=FONT, size=NOTE_SIZE)
    for index, note in enumerate(form.notes, footer_row + 1):
        block(index, 1, width, mask_text(note), cell_font=note_font)
    sheet.freeze_panes = sheet.cell(row=top + 2, column=3 if width > 2 else 1)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.scale = print_scale(widths)
    sheet.page_setup.fitToWidth = 1
    last_row = footer_row + len(form.notes)
    dimensions = sheet.row_dimensions  # .get: looking a row up must not create it (streamed bodies)
    heights = [(dimensions[r].height if r in dimensions else None) or ROW_PT for r in range(1, last_row + 1)]
    for index, wrapped in wrapping.items():  # the streamed rows' heights too
        heights[top + 1 + index] = wrapped.lines * LINE_PT + 4
    sheet.page_setup.fitToHeight = 1 if not form.charts and fits_one_page(heights) else 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins = PageMargins(left=MARGIN_IN, right=MARGIN_IN, top=0.6, bottom=0.6,
                                     header=0.3, footer=0.3)
    sheet.print_options.horizontalCentered = True
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"
    sheet.oddFooter.center.size = 9
    sheet.print_title_rows = f"{top}:{top + 1}"
    if form.charts:
        from chufei.outbox.charts import add_charts

        add_charts(sheet, form, top + 2, top + len(rows), footer_row + 1 + len(form.notes), FONT)
    return wrapping
