"""Reading a unit's workbook: which kind, which unit, which period, which rows.

The reader tolerates what people do to templates in Excel (blank rows, reordered columns, a
merged title row, notes under the table, full-width characters) and is strict about meaning: a
file it cannot read or identify raises ``FileRejected`` with a reason a unit can act on.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from chufei.kinds.registry import DATASETS
from chufei.kinds.spec import Dataset
from chufei.core.normalise import parse_date
from chufei.core.periods import Period, PeriodError, half_period, parse_period
from chufei.core.units import Unit, resolve_unit
from chufei.read.sheet_checks import (EXCEL_CELL_LIMIT, SheetMarks, header_warnings, sheet_marks, stacked_refusal,
                                      stacked_table)

HEADER_FIELDS = ("填报单位", "报告期", "填表人", "联系电话", "填报日期")
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
MAX_ROWS = 200_000
MAX_MEMBERS = 1_000
_HEADER_SCAN_ROWS = 30
# Text under the table: notes (注：…) and the signature footer (单位负责人：… 填表人：…) end the data.
_NOTE = re.compile(r"^(注\d?|说明|备注|填表说明|单位负责人|负责人|审核人|填表人|制表人|联系电话|报出日期|填报日期)[:：\s]")
_TOTAL = {"合计", "总计", "小计"}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class FileRejected(Exception):
    """The whole file cannot be taken; ``message`` is shown to the unit in its receipt."""

    def __init__(self, message: str, sheet: str | None = None, row: int | None = None,
                 column: str | None = None, value: object = None, cell: str | None = None,
                 identified: dict | None = None):
        super().__init__(message)
        self.message, self.sheet, self.row, self.column, self.value = message, sheet, row, column, value
        self.cell = cell
        # What could be read before the refusal (dataset, dataset_title, unit, period, period_label),
        # so the receipt still says which return was refused.
        self.identified = identified or {}

    def as_error(self) -> dict:
        """The receipt's entry for it, shaped like a row problem."""
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "cell": self.cell, "value": self.value,
                "message": self.message}


@dataclass
class SheetRow:
    row: int  # 1-based Excel row number
    values: dict[str, object]  # dataset column name → raw cell value


@dataclass
class ParsedWorkbook:
    dataset: Dataset
    sheet: str
    unit: Unit
    period: Period
    header: dict[str, object]
    column_letters: dict[str, str]  # dataset column name → Excel column letter
    rows: list[SheetRow] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)  # what the receipt points out without refusing
    # (row, column name, message): a cell whose value cannot be read for a reason the reader knows
    # (a formula saved without its result, a merged cell): its row is refused with that reason
    cell_problems: list[tuple[int, str, str]] = field(default_factory=list)


def label_key(text: object) -> str:
    """Header text as compared: NFKC, no spaces, no required-marks or trailing colons."""
    cleaned = unicodedata.normalize("NFKC", str(text or ""))
    return re.sub(r"[\s*＊:：]", "", cleaned)


def check_container(path: Path, name: str | None = None) -> None:
    """Refuse what openpyxl must not open, from the bytes and the central directory only.

    Empty files, other formats (legacy .xls, encrypted workbooks, CSV, anything not .xlsx),
    truncated or non-zip files, and zip bombs are refused before any part is decompressed: the
    sizes checked are the declared ones, and Python's zipfile never inflates a member beyond its
    declared size (it stops there and fails the CRC check), so the check bounds memory.
    ``name`` is the file's name as sent (the claimed path carries a prefix).
    """
    size = path.stat().st_size
    if size == 0:
        raise FileRejected("文件为空（0 字节），请重新导出后报送")
    with path.open("rb") as handle:
        head = handle.read(8)
    suffix = Path(unicodedata.normalize("NFKC", name or path.name).strip()).suffix.lower()
    if head == _OLE_MAGIC:
        if suffix in {".xlsx", ".xlsm"}:
            raise FileRejected("文件是旧版 Excel 97-2003 (.xls) 格式或设置了打开密码（加密工作簿），无法读取；"
                               "请取消密码并“另存为” .xlsx 后重新报送")
        raise FileRejected("文件为旧版 Excel 97-2003 (.xls) 格式，请在 Excel 中“另存为” .xlsx 后重新报送")
    if suffix in {".csv", ".txt", ".tsv"}:
        if _looks_like_text(path):
            raise FileRejected(f"单位报送只接收 Excel (.xlsx) 模板，不接收 {suffix} 文本文件；"
                               "请把数据填入处非办下发的模板后以 .xlsx 报送")
        raise FileRejected(f"文件扩展名为 {suffix}，但内容不是文本（疑似损坏或二进制文件）；"
                           "单位报送只接收 Excel (.xlsx) 模板")
    if suffix not in {".xlsx", ".xlsm"}:
        raise FileRejected(f"单位报送只接收 Excel (.xlsx) 模板，收到的是“{suffix or '无扩展名'}”文件；"
                           "请使用处非办下发的模板")
    if not zipfile.is_zipfile(path):
        if head.startswith(b"PK\x03\x04"):
            raise FileRejected("文件不完整（压缩包目录缺失），可能在传输或下载中被截断，请重新导出后报送")
        if _looks_like_text(path):
            raise FileRejected("文件不是有效的 Excel (.xlsx) 工作簿：内容是纯文本（可能是 CSV 或网页文件改了扩展名），"
                               "请在 Excel 中打开模板填写后以 .xlsx 报送")
        raise FileRejected("文件不是有效的 Excel (.xlsx) 工作簿，可能已损坏或并非 Excel 文件")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise FileRejected(f"文件已损坏，无法解压（{error}）") from None
    names = {member.filename for member in members}
    if "xl/workbook.xml" not in names and not any(n.startswith("xl/") for n in names):
        raise FileRejected("文件是 ZIP 压缩包而不是 Excel (.xlsx) 工作簿，请直接报送 .xlsx 文件")
    if len(members) > MAX_MEMBERS:
        raise FileRejected(f"文件内部含 {len(members)} 个部件，超过 {MAX_MEMBERS} 个上限，疑似恶意文件，已拒收")
    total = sum(member.file_size for member in members)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise FileRejected(f"文件解压后达 {total // (1024 * 1024)} MB，超过 "
                           f"{MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} MB 上限，疑似压缩炸弹，已拒收")
    for member in members:
        if member.file_size > 1024 * 1024 and \
                member.file_size / max(member.compress_size, 1) > MAX_COMPRESSION_RATIO:
            raise FileRejected(f"文件中 {member.filename} 的压缩比异常（>{MAX_COMPRESSION_RATIO}:1），"
                               "疑似压缩炸弹，已拒收")


def _looks_like_text(path: Path) -> bool:
    with path.open("rb") as handle:
        sample = handle.read(4096)
    if b"\x00" in sample:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            sample.decode(encoding)
            return True
        except UnicodeDecodeError as error:
            if error.start >= len(sample) - 4:  # a character cut by the sample's end
                return True
    return False


def _open(handle, path: Path, name: str | None = None):
    """openpyxl's read-only workbook over an open file (so the file's name never matters to it)."""
    import openpyxl

    check_container(path, name)
    _refuse_dtds(path)
    try:
        return openpyxl.load_workbook(handle, read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - openpyxl raises many types for broken parts
        raise FileRejected(_reason(error)) from None


def _refuse_dtds(path: Path) -> None:
    """No part of an xlsx has a DTD; one that declares entities is an XML bomb (billion laughs).

    Only the first 4 KiB of each XML part are inflated: a DOCTYPE must come before the root element.
    """
    with zipfile.ZipFile(path) as archive:
        for member in archive.infolist():
            if not member.filename.endswith((".xml", ".rels", ".vml")):
                continue
            with archive.open(member) as part:
                head = part.read(4096)
            if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in head.upper():
                raise FileRejected(f"文件中 {member.filename} 含有 XML 实体定义（DOCTYPE/ENTITY，疑似 XML 炸弹），已拒收")


def header_rows(sheet) -> list[tuple]:
    """The rows at the top of ``sheet`` in which a table's header and header fields are looked for."""
    return [tuple(row) for row in sheet.iter_rows(max_row=_HEADER_SCAN_ROWS, values_only=True)]


def read_table(sheet, dataset: Dataset, top: list[tuple] | None = None) -> ParsedWorkbook | None:
    """``sheet`` read as ``dataset`` when its header row (at least 60% of the dataset's labels, and
    two at least) is among the top rows (``header_rows``), else None; FileRejected as
    ``read_workbook`` for a table it cannot take (a required column missing, unit or period)."""
    top = header_rows(sheet) if top is None else top
    found = _best_header(top, dataset)
    return _read_sheet(sheet, dataset, top, found[0], found[1]) if found else None


def _best_header(rows: list[tuple], dataset: Dataset) -> tuple[int, dict[str, int], float] | None:
    """(row index, column mapping, score) of the dataset's header row, or None.

    The score is the F1 of the label match: matched / dataset labels (recall) against matched /
    non-empty header cells (precision), so a 案件台账 header is not taken for the 陈案处置进展
    one although the two share columns.
    """
    labels = {label_key(column.label): column.name for column in dataset.columns}
    for index, row in enumerate(rows):
        mapping: dict[str, int] = {}
        for position, cell in enumerate(row):
            name = labels.get(label_key(cell))
            if name is not None and name not in mapping:
                mapping[name] = position
        if len(mapping) >= max(2, int(0.6 * len(dataset.columns))):
            filled = sum(1 for cell in row if label_key(cell))
            recall, precision = len(mapping) / len(dataset.columns), len(mapping) / max(filled, 1)
            return index, mapping, 2 * recall * precision / (recall + precision)
    return None


def _title_matches(dataset: Dataset, sheet_title: str, top: list[tuple]) -> bool:
    """Whether the sheet name or a cell above the table names this dataset (its title or an alias)."""
    names = {label_key(name) for name in (dataset.title, *dataset.aliases)}
    texts = [label_key(sheet_title)] + [label_key(cell) for row in top[:4] for cell in row if isinstance(cell, str)]
    return any(text in names or text.removesuffix("模板") in names for text in texts)


def _header_fields(rows: list[tuple], cells_at: dict[str, str] | None = None) -> dict[str, object]:
    """The header fields above the table (填报单位, 报告期 …); ``cells_at`` receives the cell each
    value was read from (e.g. "B3"), for a receipt to point at."""
    found: dict[str, object] = {}
    cells_at = {} if cells_at is None else cells_at
    for row_no, row in enumerate(rows, 1):
        cells = list(row)
        for position, cell in enumerate(cells):
            text = unicodedata.normalize("NFKC", str(cell)) if cell is not None else ""
            for name in HEADER_FIELDS:
                if name in found or not re.sub(r"\s", "", text).startswith(name):
                    continue
                inline = re.sub(r"\s", "", text)[len(name):].lstrip(":：")
                if inline:
                    found[name] = inline
                    cells_at[name] = f"{_letter(position)}{row_no}"
                else:
                    following = [(at, value) for at, value in enumerate(cells[position + 1:], position + 1)
                                 if value not in (None, "")]
                    value = following[0][1] if following else None
                    cells_at[name] = f"{_letter(following[0][0] if following else position + 1)}{row_no}"
                    label = re.sub(r"\s", "", unicodedata.normalize("NFKC", str(value))) if value is not None else ""
                    # a blank field is followed by the next field's label, not by its value
                    found[name] = None if label.startswith(HEADER_FIELDS) else value
    return found


def _letter(position: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(position + 1)


def read_workbook(path: Path, name: str | None = None) -> ParsedWorkbook:
    """Identify and read a submission; raise FileRejected when that is not possible.

    Every visible sheet is scored against every dataset and the best match wins (see
    ``_best_header``); a sheet or title naming the dataset breaks ties. Anything the file does to
    the parser (broken XML, entity bombs, truncated parts) becomes a FileRejected: reading touches
    no database, so no error here can be the platform's fault.
    """
    try:
        return _read_workbook(path, name)
    except FileRejected:
        raise
    except MemoryError:
        raise FileRejected("文件内容过大，无法在内存限额内读取，已拒收") from None
    except Exception as error:  # noqa: BLE001 - openpyxl/defusedxml raise many types while streaming
        raise FileRejected(_reason(error)) from None


def _reason(error: Exception) -> str:
    chain, cause = [], error
    while cause is not None and len(chain) < 10:
        chain.append(cause)
        cause = cause.__cause__ or cause.__context__
    if any("Entities" in type(e).__name__ or "DTD" in type(e).__name__ for e in chain):
        return "文件含有不安全的 XML 实体定义（疑似 XML 炸弹），已拒收"
    if any(isinstance(e, (zipfile.BadZipFile, EOFError)) or "CRC" in str(e) for e in chain):
        return "文件已损坏（压缩数据不完整或校验失败），请重新导出后报送"
    name = type(error).__name__
    if "zlib" in str(error).lower() or "Error -3" in str(error):
        return "文件已损坏（压缩数据不完整或校验失败），请重新导出后报送"
    return f"无法读取该 Excel 文件（{name}: {str(error)[:120]}），请重新导出后报送"


@contextmanager
def open_workbook(path: Path, name: str | None = None):
    """A checked, read-only openpyxl workbook (container, DTD and size checks first), closed after use."""
    with path.open("rb") as handle:
        book = _open(handle, path, name)
        try:
            yield book
        finally:
            book.close()


def _read_workbook(path: Path, name: str | None) -> ParsedWorkbook:
    with open_workbook(path, name) as book:
        return _identify_and_read(book)


def _identify_and_read(book) -> ParsedWorkbook:
    """The one visible sheet holding a template table, read as its best-matching kind.

    A workbook with template tables on several visible sheets is refused: reading one and
    ignoring the others would silently drop data, and guessing which one counts is not ours to do.
    """
    found_sheets, hidden = [], []
    for _order, sheet in enumerate(book.worksheets):
        top = header_rows(sheet)
        if getattr(sheet, "sheet_state", "visible") != "visible":
            if any(_best_header(top, dataset) for dataset in DATASETS.values()):
                hidden.append(sheet.title)
            continue
        best = None
        for dataset in DATASETS.values():
            found = _best_header(top, dataset)
            if not found:
                continue
            rank = (round(found[2], 6), _title_matches(dataset, sheet.title, top[:found[0]]))
            if best is None or rank > best[0]:
                best = (rank, sheet, dataset, top, found[0], found[1])
        if best is not None:
            found_sheets.append(best)
    if not found_sheets and hidden:
        raise FileRejected(f"工作表“{'”、“'.join(hidden)}”含有模板表格，但该工作表被隐藏了；隐藏的工作表不读取。"
                           "请在 Excel 中右键工作表标签选择“取消隐藏”后重新报送", sheet=hidden[0])
    if not found_sheets:
        raise FileRejected("未识别出报表种类：没有找到任何模板的表头行（如“案件编号、案件名称、立案日期…”），"
                           "请使用处非办下发的模板")
    if len(found_sheets) > 1:
        listed = "、".join(f"“{entry[1].title}”（{entry[2].title}）" for entry in found_sheets)
        raise FileRejected(f"工作簿中有 {len(found_sheets)} 张数据表：{listed}；每个文件只报送一张表，"
                           "请删除或隐藏多余的工作表，或分成多个文件报送")
    _, sheet, dataset, top, header_index, mapping = found_sheets[0]
    return _read_sheet(sheet, dataset, top, header_index, mapping)


def _read_sheet(sheet, dataset: Dataset, top: list[tuple], header_index: int,
                mapping: dict[str, int]) -> ParsedWorkbook:
    at: dict[str, str] = {}
    header = _header_fields(top[:header_index], at)
    unit = resolve_unit(header.get("填报单位"))
    period_text = header.get("报告期")
    try:
        period = period_for(dataset, period_text)
    except PeriodError:
        period = None
    known = {"dataset": dataset.name, "dataset_title": dataset.title}
    if unit is not None:
        known["unit"] = {"code": unit.code, "name": unit.name}
    if period is not None and period.kind == dataset.period_kind:
        known.update(period=period.key, period_label=period.label)

    def refuse(message: str, field: str) -> FileRejected:
        cell = at.get(field)
        return FileRejected(message, sheet=sheet.title, row=int(re.sub(r"\D", "", cell)) if cell else None,
                            column=field, value=header.get(field), cell=cell, identified=known)

    missing = [column.label for column in dataset.columns if column.required and column.name not in mapping]
    if missing:
        raise FileRejected(f"表头缺少必填列：{'、'.join(missing)}", sheet=sheet.title, row=header_index + 1,
                           identified=known)
    if unit is None:
        raise refuse(f"填报单位“{header.get('填报单位') or '（空）'}”不在单位名录中，请填写名录中的单位全称", "填报单位")
    if period is None:
        raise refuse(f"报告期“{period_text or '（空）'}”无法识别，请填写如“{_EXAMPLE[dataset.period_kind]}”", "报告期")
    if period.kind != dataset.period_kind:
        raise refuse(f"{dataset.title}按{_KIND_ZH[dataset.period_kind]}报送，报告期“{period_text}”"
                     f"是{_KIND_ZH[period.kind]}", "报告期")
    parsed = ParsedWorkbook(dataset=dataset, sheet=sheet.title, unit=unit, period=period, header=header,
                            column_letters={name: _letter(pos) for name, pos in mapping.items()},
                            warnings=header_warnings(top[header_index], mapping, dataset, sheet.title,
                                                     header_index + 1, _letter))
    first_data_row = header_index + 2
    ended = False  # past the notes and footer: only a second table may follow
    for row_no, row in enumerate(sheet.iter_rows(min_row=first_data_row, values_only=True), first_data_row):
        cells = [cell for cell in row if cell not in (None, "") and not (isinstance(cell, str) and not cell.strip())]
        if not cells:
            continue
        stacked = stacked_table(row, dataset)
        if stacked:
            raise FileRejected(stacked_refusal(sheet.title, row_no, stacked), sheet=sheet.title, row=row_no)
        if ended:
            continue
        first = re.sub(r"\s", "", unicodedata.normalize("NFKC", cells[0])) if isinstance(cells[0], str) else ""
        if first and _NOTE.match(unicodedata.normalize("NFKC", cells[0]).strip()):
            ended = True
            continue
        if first in _TOTAL:
            continue  # a 合计 row people add: the pipeline computes its own totals
        if len(parsed.rows) >= MAX_ROWS:
            raise FileRejected(f"数据行超过 {MAX_ROWS} 行上限，请拆分报送", sheet=sheet.title, row=row_no)
        values = {name: row[pos] if pos < len(row) else None for name, pos in mapping.items()}
        if all(value is None or (isinstance(value, str) and not value.strip()) for value in values.values()):
            continue  # something written beside the table, outside the template's columns
        parsed.rows.append(SheetRow(row_no, values))
    _check_cells(parsed, sheet_marks(sheet), mapping)
    return parsed


HIDDEN_ROWS_LISTED = 20  # one warning per hidden row up to this many, then one for the rest


def _check_cells(parsed: ParsedWorkbook, marks: SheetMarks, mapping: dict[str, int]) -> None:
    """What the values alone hide, for the rows read: hidden rows and columns and over-long cells
    are warned about (they are read as they are: hiding does not delete); a formula saved
    without its result, or a merged cell other than its range's first, is a cell problem."""
    hidden = []
    for sheet_row in parsed.rows:
        if sheet_row.row in marks.hidden_rows:
            hidden.append(sheet_row.row)
        for name, position in mapping.items():
            ref = f"{_letter(position)}{sheet_row.row}"
            value = sheet_row.values.get(name)
            if isinstance(value, str) and len(value) > EXCEL_CELL_LIMIT:
                parsed.warnings.append(_at(parsed, sheet_row.row, name, ref, (
                    f"单元格 {ref} 的内容共 {len(value)} 个字符，超过 Excel 单元格上限 {EXCEL_CELL_LIMIT} 个字符："
                    f"Excel 中无法完整显示和编辑，处非办导出的报表中该单元格只能保留前 {EXCEL_CELL_LIMIT} 个字符"
                    "（数据库保存完整内容）；请精简后重新报送")))
            if ref in marks.formulas_without_value:
                formula = marks.formulas_without_value[ref]
                shown = f"（={formula[:60]}{'…' if len(formula) > 60 else ''}）" if formula else ""
                parsed.cell_problems.append((sheet_row.row, name, (
                    f"单元格 {ref} 是公式{shown}，但文件中没有保存公式的计算结果（常见于由程序生成、"
                    "未在 Excel 中打开保存过的文件），无法读取其数值：请在 Excel 中打开、重新计算并保存后报送，或直接填写数值")))
                continue
            merged = marks.merged_range(sheet_row.row, position + 1) if value in (None, "") else None
            if merged is not None:
                first_row, first_col, last_row, last_col = merged
                span = f"{_letter(first_col - 1)}{first_row}:{_letter(last_col - 1)}{last_row}"
                parsed.cell_problems.append((sheet_row.row, name, (
                    f"单元格 {ref} 位于合并单元格 {span} 内，只有首格 {_letter(first_col - 1)}{first_row} 有内容，"
                    "本格读作空白：数据区不能合并单元格，请取消合并、在每一行分别填写后重新报送")))
    for name, position in sorted(mapping.items(), key=lambda item: item[1]):
        if position + 1 in marks.hidden_columns and parsed.rows:
            letter = _letter(position)
            parsed.warnings.append(_at(parsed, None, name, None, (
                f"{letter} 列（“{parsed.dataset.column(name).label}”）在表格中被隐藏，已与其他列一样读取入库："
                "隐藏不等于删除，请取消隐藏核对该列内容")))
    for row in hidden[:HIDDEN_ROWS_LISTED]:
        parsed.warnings.append(_at(parsed, row, None, None, (
            f"第 {row} 行在表格中被隐藏（筛选或手动隐藏），已与其他行一样读取入库：隐藏不等于删除，"
            "如该行不应报送，请删除该行后重新报送")))
    if len(hidden) > HIDDEN_ROWS_LISTED:
        parsed.warnings.append(_at(parsed, None, None, None, (
            f"另有 {len(hidden) - HIDDEN_ROWS_LISTED} 个隐藏行（共 {len(hidden)} 行，第 {hidden[HIDDEN_ROWS_LISTED]} 行起）"
            "同样已读取入库；如这些行不应报送，请删除后重新报送")))


def _at(parsed: ParsedWorkbook, row: int | None, name: str | None, cell: str | None, message: str) -> dict:
    column = parsed.dataset.column(name).label if name else None
    return {"sheet": parsed.sheet, "row": row, "column": column, "cell": cell, "value": None, "message": message}


def period_for(dataset: Dataset, value: object) -> Period:
    """The period a 报告期 cell names, for ``dataset``.

    Besides period labels (2020年6月, 2020年第二季度, 2020年上半年, 2020H1 …), a half-yearly
    dataset (the risk ledger, due on 6月20日 and 12月10日) accepts the snapshot date people
    write instead: a date in January–June means the first half, July–December the second. A
    date is accepted for no other kind: "2020年6月20日" does not say which month or quarter
    a monthly or quarterly form covers.
    """
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 3000:
        value = parse_date(value)  # an Excel date serial in the 报告期 cell
    if dataset.period_kind == "half":
        day = value if isinstance(value, date) else None
        if day is None and value is not None:
            try:
                day = parse_date(value)
            except ValueError:
                day = None
        if day is not None:
            return half_period(day.year, 1 if day.month <= 6 else 2)
    if isinstance(value, date):
        raise PeriodError(f"a date ({value}) is not a {dataset.period_kind}")
    return parse_period(value if value is not None else "")


_EXAMPLE = {"month": "2020年6月", "quarter": "2020年第二季度", "half": "2020年上半年", "year": "2020年"}
_KIND_ZH = {"month": "月", "quarter": "季度", "half": "半年", "year": "年度"}
