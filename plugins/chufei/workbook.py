"""Reading a unit's workbook: which kind, which unit, which period, which rows.

The reader tolerates what people do to templates in Excel (blank rows, reordered columns, a
merged title row, notes under the table, full-width characters) and is strict about meaning: a
file it cannot read or identify raises ``FileRejected`` with a reason a unit can act on.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from chufei.datasets import DATASETS, Dataset
from chufei.periods import Period, PeriodError, parse_period
from chufei.registry import Unit, resolve_unit

HEADER_FIELDS = ("填报单位", "报告期", "填表人", "联系电话", "填报日期")
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
MAX_ROWS = 200_000
_HEADER_SCAN_ROWS = 30
_NOTE = re.compile(r"^(注|说明|备注|填表说明)[:：\s]")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class FileRejected(Exception):
    """The whole file cannot be taken; ``message`` is shown to the unit in its receipt."""

    def __init__(self, message: str, sheet: str | None = None, row: int | None = None,
                 column: str | None = None, value: object = None):
        super().__init__(message)
        self.message, self.sheet, self.row, self.column, self.value = message, sheet, row, column, value


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


def label_key(text: object) -> str:
    """Header text as compared: NFKC, no spaces, no required-marks or trailing colons."""
    cleaned = unicodedata.normalize("NFKC", str(text or ""))
    return re.sub(r"[\s*＊:：]", "", cleaned)


def check_container(path: Path) -> None:
    """Refuse what openpyxl must not open: empty, legacy .xls, non-zip, zip bombs."""
    size = path.stat().st_size
    if size == 0:
        raise FileRejected("文件为空（0 字节），请重新导出后报送")
    with path.open("rb") as handle:
        head = handle.read(8)
    if head == _OLE_MAGIC:
        raise FileRejected("文件为旧版 Excel 97-2003 (.xls) 格式，请在 Excel 中“另存为” .xlsx 后重新报送")
    if not zipfile.is_zipfile(path):
        raise FileRejected("文件不是有效的 Excel (.xlsx) 工作簿，可能已损坏或并非 Excel 文件")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile as error:
        raise FileRejected(f"文件已损坏，无法解压（{error}）") from None
    total = sum(member.file_size for member in members)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise FileRejected(f"文件解压后达 {total // (1024 * 1024)} MB，超过 "
                           f"{MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} MB 上限，疑似压缩炸弹，已拒收")
    for member in members:
        if member.compress_size and member.file_size > 1024 * 1024 and \
                member.file_size / member.compress_size > MAX_COMPRESSION_RATIO:
            raise FileRejected(f"文件中 {member.filename} 的压缩比异常（>{MAX_COMPRESSION_RATIO}:1），"
                               "疑似压缩炸弹，已拒收")


def _open(path: Path):
    import openpyxl

    check_container(path)
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - openpyxl raises many types for broken parts
        reason = type(error).__name__
        if "Entities" in reason or "DTD" in reason:
            raise FileRejected("文件含有不安全的 XML 实体定义（疑似 XML 炸弹），已拒收") from None
        raise FileRejected(f"无法读取该 Excel 文件（{reason}: {str(error)[:120]}），请重新导出后报送") from None


def _find_header(rows: list[tuple], dataset: Dataset) -> tuple[int, dict[str, int]] | None:
    labels = {label_key(column.label): column.name for column in dataset.columns}
    for index, row in enumerate(rows):
        mapping = {labels[label_key(cell)]: position for position, cell in enumerate(row)
                   if label_key(cell) in labels}
        if len(mapping) >= max(2, int(0.6 * len(dataset.columns))):
            return index, mapping
    return None


def _header_fields(rows: list[tuple]) -> dict[str, object]:
    found: dict[str, object] = {}
    for row in rows:
        cells = list(row)
        for position, cell in enumerate(cells):
            text = unicodedata.normalize("NFKC", str(cell)) if cell is not None else ""
            for name in HEADER_FIELDS:
                if name in found or not re.sub(r"\s", "", text).startswith(name):
                    continue
                inline = re.sub(r"\s", "", text)[len(name):].lstrip(":：")
                if inline:
                    found[name] = inline
                else:
                    following = [value for value in cells[position + 1:] if value not in (None, "")]
                    found[name] = following[0] if following else None
    return found


def _letter(position: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(position + 1)


def read_workbook(path: Path) -> ParsedWorkbook:
    """Identify and read a submission; raise FileRejected when that is not possible."""
    book = _open(path)
    try:
        for sheet in book.worksheets:
            if getattr(sheet, "sheet_state", "visible") != "visible":
                continue
            top = [tuple(row) for row in sheet.iter_rows(max_row=_HEADER_SCAN_ROWS, values_only=True)]
            for dataset in DATASETS.values():
                found = _find_header(top, dataset)
                if found:
                    return _read_sheet(sheet, dataset, top, *found)
        raise FileRejected("未识别出报表种类：没有找到任何模板的表头行（如“案件编号、案件名称、立案日期…”），"
                           "请使用处非办下发的模板")
    finally:
        book.close()


def _read_sheet(sheet, dataset: Dataset, top: list[tuple], header_index: int,
                mapping: dict[str, int]) -> ParsedWorkbook:
    missing = [column.label for column in dataset.columns if column.required and column.name not in mapping]
    if missing:
        raise FileRejected(f"表头缺少必填列：{'、'.join(missing)}", sheet=sheet.title, row=header_index + 1)
    header = _header_fields(top[:header_index])
    unit = resolve_unit(header.get("填报单位"))
    if unit is None:
        raise FileRejected(
            f"填报单位“{header.get('填报单位') or '（空）'}”不在单位名录中，请填写名录中的单位全称",
            sheet=sheet.title, column="填报单位", value=header.get("填报单位"))
    period_text = header.get("报告期")
    try:
        period = parse_period(period_text if period_text is not None else "")
    except PeriodError:
        raise FileRejected(f"报告期“{period_text or '（空）'}”无法识别，请填写如“2020年6月”",
                           sheet=sheet.title, column="报告期", value=period_text) from None
    if period.kind != dataset.period_kind:
        raise FileRejected(f"{dataset.title}按{_KIND_ZH[dataset.period_kind]}报送，报告期“{period_text}”"
                           f"是{_KIND_ZH[period.kind]}", sheet=sheet.title, column="报告期", value=period_text)
    parsed = ParsedWorkbook(dataset=dataset, sheet=sheet.title, unit=unit, period=period, header=header,
                            column_letters={name: _letter(pos) for name, pos in mapping.items()})
    first_data_row = header_index + 2
    for row_no, row in enumerate(sheet.iter_rows(min_row=first_data_row, values_only=True), first_data_row):
        cells = [cell for cell in row if cell not in (None, "") and not (isinstance(cell, str) and not cell.strip())]
        if not cells:
            continue
        if len(cells) == 1 and isinstance(cells[0], str) and _NOTE.match(unicodedata.normalize("NFKC", cells[0])):
            break
        if len(parsed.rows) >= MAX_ROWS:
            raise FileRejected(f"数据行超过 {MAX_ROWS} 行上限，请拆分报送", sheet=sheet.title, row=row_no)
        parsed.rows.append(SheetRow(row_no, {name: row[pos] if pos < len(row) else None
                                             for name, pos in mapping.items()}))
    return parsed


_KIND_ZH = {"month": "月", "quarter": "季度", "half": "半年", "year": "年度"}
