"""Grid exports (网格线索上报) as batches of text columns, read in bounded memory.

CSV arrives as UTF-8, UTF-8 with BOM or GBK — detected, never declared — and is parsed by
``pyarrow.csv`` one block at a time; XLSX is streamed through openpyxl (after ``open_workbook``'s
checks), ``CHUNK_ROWS`` rows at a time. Either way the columns come out as text named like the
warehouse columns (``chufei.kinds.grid_report.FIELDS``), and so do API records (``raw_table``):
normalisation and validation see one shape, and memory is bounded by the chunk, not the file.
"""

from __future__ import annotations

import codecs
import struct
import csv
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from chufei.core.periods import TZ as TIMEZONE
from chufei.kinds.grid_report import FIELDS
from chufei.read.workbook import FileRejected, label_key, open_workbook

CHUNK_ROWS = 65_536
BLOCK_BYTES = 1 << 24


def detect_encoding(path: Path) -> str:
    """'utf-8-sig', 'utf-8' or 'gb18030' (a superset of GBK), by decoding the whole file."""
    with path.open("rb") as handle:
        head = handle.read(1 << 16)
    if not head:
        raise FileRejected("文件为空（0 字节），请重新导出后报送")
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # Excel's "Unicode text" export
    if b"\x00" in head:
        raise FileRejected("文件含零字节：可能是不带 BOM 的 UTF-16 文本或二进制文件；请在导出时选择 UTF-8 "
                           "（或带 BOM 的 Unicode/UTF-16）编码，或从网格平台重新导出")
    if _is_utf8(path):
        return "utf-8"
    decoder = codecs.getincrementaldecoder("gb18030")()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(BLOCK_BYTES), b""):
                decoder.decode(block)
        decoder.decode(b"", final=True)
        return "gb18030"
    except UnicodeDecodeError:
        pass
    raise FileRejected("无法识别文件的文字编码（应为 UTF-8 或 GBK），请从网格平台重新导出")


def _is_utf8(path: Path) -> bool:
    """Whether the whole file is valid UTF-8, checked block by block by Arrow's validator (in C,
    without building Python strings: decoding a million-row export in Python cost about half a
    second before parsing could start). A character a block's end cuts is carried to the next."""
    carry = b""
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(BLOCK_BYTES), b""):
            if carry:
                block = carry + block
            cut = _whole_characters(block)
            carry = block[cut:]
            text = pa.Array.from_buffers(pa.binary(), 1, [None, pa.py_buffer(struct.pack("<ii", 0, cut)),
                                                          pa.py_buffer(block)])
            try:
                text.cast(pa.string())
            except pa.ArrowInvalid:
                return False
    return not carry  # a character the file's end cuts is not UTF-8


def _whole_characters(block: bytes) -> int:
    """The length of ``block`` without a multi-byte UTF-8 character its end cuts."""
    end = index = len(block) - 1
    while index > end - 3 and index > 0 and block[index] & 0xC0 == 0x80:  # continuation bytes
        index -= 1
    lead = block[index]
    length = 2 if lead >> 5 == 0b110 else 3 if lead >> 4 == 0b1110 else 4 if lead >> 3 == 0b11110 else 1
    return index if index + length > len(block) else len(block)


def _header_mapping(labels: list[str], where: str) -> dict[str, str]:
    """Actual header text → warehouse column, refusing files that miss a required column."""
    known = {label_key(f.label): f.name for f in FIELDS}
    known[label_key("估计金额")] = "amount_fen"
    mapping = {label: known[label_key(label)] for label in labels if label_key(label) in known}
    found = set(mapping.values())
    missing = [f.label for f in FIELDS if f.required_header and f.name not in found]
    if missing:
        raise FileRejected(f"{where}表头缺少必填列：{'、'.join(missing)}（请使用网格平台的标准导出格式）",
                           row=1)
    return mapping


def _as_named_batch(table: pa.Table, mapping: dict[str, str]) -> pa.Table:
    """Columns renamed to warehouse names; columns the file lacks are added as nulls."""
    columns = {mapping[name]: table[name] for name in table.column_names if name in mapping}
    size = table.num_rows
    return pa.table({f.name: columns.get(f.name, pa.nulls(size, pa.string())) for f in FIELDS})


@dataclass
class RawBatch:
    first_row: int  # file line / sheet row of the batch's first record
    table: pa.Table  # text columns named like FIELDS
    sheet: str
    row_numbers: list[int] | None = None  # when rows are not consecutive (blank sheet rows skipped)


def _utf8_copy(path: Path) -> Path:
    target = path.with_name(f".utf8-{uuid.uuid4().hex}.csv")
    decoder = codecs.getincrementaldecoder("utf-16")()
    try:
        with path.open("rb") as source, target.open("w", encoding="utf-8", newline="") as out:
            for block in iter(lambda: source.read(BLOCK_BYTES), b""):
                out.write(decoder.decode(block))
            out.write(decoder.decode(b"", final=True))
    except UnicodeDecodeError as error:
        target.unlink(missing_ok=True)
        raise FileRejected(f"UTF-16 文件中第 {error.start} 字节附近有无法解码的内容，请重新导出") from None
    return target


def read_csv_batches(path: Path, chunk_bytes: int = BLOCK_BYTES) -> Iterator[RawBatch]:
    import pyarrow.csv as pacsv

    encoding = detect_encoding(path)
    if encoding == "utf-16":  # Arrow reads UTF-8: a UTF-8 copy beside the file, removed when read
        converted = _utf8_copy(path)
        try:
            yield from read_csv_batches(converted, chunk_bytes)
        finally:
            converted.unlink(missing_ok=True)
        return
    with path.open("rb") as handle:
        first_line = handle.readline(1 << 20)
    try:
        labels = next(csv.reader([first_line.decode(encoding).lstrip("\ufeff")]))
    except (StopIteration, UnicodeDecodeError, csv.Error):
        raise FileRejected("无法读取 CSV 表头行", row=1) from None
    mapping = _header_mapping(labels, "CSV ")
    read_options = pacsv.ReadOptions(encoding="utf8" if encoding.startswith("utf-8") else encoding,
                                     block_size=chunk_bytes, use_threads=True)
    # A file detect_encoding called UTF-8 has been validated whole (_is_utf8): checking every string
    # again while converting cost about a fifth of the reader's time.
    convert = pacsv.ConvertOptions(column_types={label: pa.string() for label in labels},
                                   include_columns=list(mapping), strings_can_be_null=True,
                                   quoted_strings_can_be_null=True, null_values=[""],
                                   check_utf8=encoding != "utf-8")
    try:
        reader = pacsv.open_csv(path, read_options=read_options, convert_options=convert)
    except pa.ArrowInvalid as error:
        raise FileRejected(f"CSV 无法解析：{str(error)[:200]}") from None
    row = 2
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            return
        except pa.ArrowInvalid as error:
            raise FileRejected(f"CSV 在第 {row} 行附近无法解析（如引号未闭合、列数不符）：{str(error)[:200]}",
                               row=row) from None
        if batch.num_rows:
            yield RawBatch(row, _as_named_batch(pa.Table.from_batches([batch]), mapping), "CSV")
            row += batch.num_rows


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def read_xlsx_batches(path: Path, chunk_rows: int = CHUNK_ROWS) -> Iterator[RawBatch]:
    with open_workbook(path) as book:  # container, DTD and size checks, as for every workbook
        sheet = next((s for s in book.worksheets if getattr(s, "sheet_state", "visible") == "visible"), None)
        if sheet is None:
            raise FileRejected("工作簿中没有可见的工作表")
        rows = sheet.iter_rows(values_only=True)
        header_row, labels = 0, []
        known = {label_key(f.label) for f in FIELDS}
        try:
            for header_row, cells in enumerate(rows, 1):
                texts = [_cell_text(c) or "" for c in cells]
                if sum(label_key(t) in known for t in texts) >= 5:
                    labels = texts
                    break
                if header_row >= 30:
                    break
        except Exception as error:  # noqa: BLE001 - a corrupt sheet fails in many ways
            raise FileRejected(f"工作表“{sheet.title}”无法读取，文件可能已损坏（{type(error).__name__}）",
                               sheet=sheet.title) from None
        if not labels:
            raise FileRejected("未找到网格线索的表头行（线索编号、上报时间、区县代码…）", sheet=sheet.title)
        mapping = _header_mapping([t for t in labels if t], f"工作表“{sheet.title}”")
        positions = {name: index for index, name in enumerate(labels) if name in mapping}
        buffer: list[tuple] = []
        row_no = header_row
        try:
            for row_no, cells in enumerate(rows, header_row + 1):
                if all(c in (None, "") for c in cells):
                    continue
                buffer.append((row_no, cells))
                if len(buffer) >= chunk_rows:
                    yield _xlsx_batch(buffer, positions, mapping, sheet.title)
                    buffer = []
        except FileRejected:
            raise
        except Exception as error:  # noqa: BLE001 - a truncated or corrupt sheet fails in many ways
            raise FileRejected(f"工作表“{sheet.title}”第 {row_no + 1} 行附近无法读取，文件可能已损坏"
                               f"（{type(error).__name__}），请重新导出后报送", sheet=sheet.title, row=row_no + 1) from None
        if buffer:
            yield _xlsx_batch(buffer, positions, mapping, sheet.title)


def _xlsx_batch(buffer: list[tuple], positions: dict[str, int], mapping: dict[str, str], sheet: str) -> RawBatch:
    columns = {label: pa.array([_cell_text(cells[pos]) if pos < len(cells) else None for _, cells in buffer],
                               type=pa.string()) for label, pos in positions.items()}
    table = pa.table(columns)
    return RawBatch(buffer[0][0], _as_named_batch(table, mapping), sheet, [row_no for row_no, _ in buffer])


def read_batches(path: Path, original_name: str, chunk_rows: int = CHUNK_ROWS,
                 chunk_bytes: int = BLOCK_BYTES) -> Iterator[RawBatch]:
    suffix = Path(original_name).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx_batches(path, chunk_rows)
    if suffix in (".csv", ".txt"):
        return read_csv_batches(path, chunk_bytes)
    raise FileRejected(f"不支持的文件类型“{suffix or '无扩展名'}”：网格线索请报送 CSV 或 XLSX 导出文件")


def raw_table(records: list[dict[str, object]]) -> pa.Table:
    """Rows given as {warehouse column: text} (the API client's output) as a text batch."""
    return pa.table({f.name: pa.array([_cell_text(r.get(f.name)) for r in records], type=pa.string())
                     for f in FIELDS})


def _local_time(value: Any) -> Any:
    """ISO 8601 with offset → Asia/Shanghai wall time text; anything else is left for validation."""
    if not isinstance(value, str):
        return value
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is not None:
        moment = moment.astimezone(TIMEZONE).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def record_row(item: dict) -> dict[str, Any]:
    """One API record (docs/grid_api.md) as export-like text columns: the same path as files from here on."""
    row: dict[str, Any] = {}
    for f in FIELDS:
        value = item.get(f.api_key)
        if isinstance(value, list):
            value = "、".join(str(v) for v in value)
        elif isinstance(value, bool):
            value = None
        if f.kind == "timestamp":
            value = _local_time(value)
        row[f.name] = value
    return row
