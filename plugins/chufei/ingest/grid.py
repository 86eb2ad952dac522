"""Grid-worker clue reports (网格线索上报): parse, validate and load in bounded memory.

Exports arrive as CSV (UTF-8, UTF-8 with BOM or GBK — detected, never declared) or XLSX in
``inbox/grid_reports/``; the platform's API delivers the same records as JSON pages
(``chufei.ingest.grid_api``). Both become Arrow batches of text columns, then one path does the rest:

* ``normalise`` turns the text into typed columns, vectorised with ``pyarrow.compute``
  (NFKC, dates, 估计金额(万元) → integer 分, 风险表现 split on any separator);
* ``validate`` evaluates the GX suite ``include/expectations/grid_report.json`` (via
  ``chufei.validate.suite_arrow``) plus the rules GX cannot express: 统一社会信用代码 check character
  (``stdnum.cn.uscc``), 区县代码 in the units registry, 行业领域 and 风险表现 in the code lists,
  cross-field rules, and one row per (线索编号, 版本) in a file;
* ``ClueLoader`` stages each chunk and merges it into ``grid_clue_version`` (history, exactly
  once per 线索编号 + 版本) and ``grid_clue_current`` (latest version per clue).

Memory is bounded by the chunk size (one Arrow record batch), not by the file size.
"""

from __future__ import annotations

import codecs
import csv
import json
import logging
import os
import re
import socket
import threading
import time
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import lru_cache, cache
from itertools import repeat
from pathlib import Path
from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection, Engine

from chufei.warehouse import schema as warehouse
from chufei.core.settings import REFERENCE_DIR, DataDir, code_lists
from chufei.ingest.submissions import IngestSummary, process_inbox, receive, record_loading, record_outcome
from chufei.warehouse.inflow_schema import grid_clue_version
from chufei.inbox.receipts import Receipt
from chufei.kinds.grid_report import BY_NAME, CLUE_COLUMNS, DATASET, FIELDS, SOURCE, TITLE
from chufei.core.units import units
from chufei.core.sql import statement
from chufei.validate.suite_arrow import evaluate_suite
from chufei.read.workbook import FileRejected, label_key, open_workbook

log = logging.getLogger(__name__)

CHUNK_ROWS = 65_536
RECEIPT_ERROR_LIMIT = 1000  # every rejected row is in the warehouse; the receipt lists the first ones
BLOCK_BYTES = 1 << 24
_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")
_DIRECT_FORMATS = ("%Y/%m/%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")


@lru_cache(maxsize=1)
def grid_codes() -> dict[str, list[str]]:
    return json.loads((REFERENCE_DIR / "grid_codes.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def district_codes() -> frozenset[str]:
    """区县代码 a clue may carry: territorial units' GB/T 2260 codes, else their internal codes."""
    return frozenset(u.gb2260 or u.code for u in units() if u.kind == "territorial")


# --- Reading: bytes → batches of text columns -------------------------------------------------

def detect_encoding(path: Path) -> str:
    """'utf-8-sig', 'utf-8' or 'gb18030' (a superset of GBK), by decoding the whole file."""
    with path.open("rb") as handle:
        head = handle.read(1 << 16)
    if not head:
        raise FileRejected("文件为空（0 字节），请重新导出后报送")
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if b"\x00" in head:
        raise FileRejected("文件不是文本格式的 CSV（含二进制内容），请从网格平台重新导出")
    for encoding in ("utf-8", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as handle:
                for block in iter(lambda: handle.read(BLOCK_BYTES), b""):
                    decoder.decode(block)
            decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
    raise FileRejected("无法识别文件的文字编码（应为 UTF-8 或 GBK），请从网格平台重新导出")


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


def read_csv_batches(path: Path, chunk_bytes: int = BLOCK_BYTES) -> Iterator[RawBatch]:
    import pyarrow.csv as pacsv

    encoding = detect_encoding(path)
    with path.open("rb") as handle:
        first_line = handle.readline(1 << 20)
    try:
        labels = next(csv.reader([first_line.decode(encoding).lstrip("\ufeff")]))
    except (StopIteration, UnicodeDecodeError, csv.Error):
        raise FileRejected("无法读取 CSV 表头行", row=1) from None
    mapping = _header_mapping(labels, "CSV ")
    read_options = pacsv.ReadOptions(encoding="utf8" if encoding.startswith("utf-8") else encoding,
                                     block_size=chunk_bytes, use_threads=True)
    convert = pacsv.ConvertOptions(column_types={label: pa.string() for label in labels},
                                   include_columns=list(mapping), strings_can_be_null=True,
                                   quoted_strings_can_be_null=True, null_values=[""])
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
    from datetime import datetime

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


# --- Normalising: text columns → typed columns -------------------------------------------------

_NULL_STRING = pa.scalar(None, pa.string())


def _blank_to_null(values):
    return pc.if_else(pc.equal(values, ""), _NULL_STRING, values)


# Characters that need work: full-width forms and the ideographic space (NFKC), white space at
# the ends, in runs or other than a plain space, and empty text. Clean values (nearly all of
# them) are only scanned once; the expensive kernels run on the few rows that need them.
_DIRTY_SPACE = r"[\x{3000}\x{FF01}-\x{FF5E}\x{00A0}\t\n\r\f\v]|\s\s|^\s|\s$"
_DIRTY_TEXT = _DIRTY_SPACE + "|^$"
_DIRTY_CODE = r"[\x{3000}\x{FF01}-\x{FF5E}\x{00A0}\sa-z]|^$"


def _only_where(values, pattern: str, transform):
    """``transform`` applied to the values matching ``pattern``, the others left as they are."""
    dirty = pc.fill_null(pc.match_substring_regex(values, pattern), False)
    if not pc.any(dirty).as_py():
        return values
    return pc.replace_with_mask(values, dirty, transform(pc.filter(values, dirty)))


def _clean_text(values):
    values = pc.utf8_normalize(values, form="NFKC")
    values = pc.utf8_trim_whitespace(pc.replace_substring_regex(values, r"\s+", " "))
    return _blank_to_null(values)


def _clean_code(values):
    return _blank_to_null(pc.utf8_upper(pc.replace_substring_regex(
        pc.utf8_normalize(values, form="NFKC"), r"\s+", "")))


def _text(values):
    """NFKC (full-width → half-width), trimmed, inner white space folded to one space, '' → null."""
    return _only_where(values, _DIRTY_TEXT, _clean_text)


def _code(values):
    """Like text, with all white space removed and letters upper-cased."""
    return _only_where(values, _DIRTY_CODE, _clean_code)


def _timestamp(values):
    """Timestamps as the platform writes them parse directly; other spellings take the slow path."""
    direct = pc.strptime(values, format=_TIME_FORMATS[0], unit="s", error_is_null=True)
    retry = pc.and_(pc.is_valid(values), pc.is_null(direct))
    for spelling in _DIRECT_FORMATS:
        if not pc.any(retry).as_py():
            return direct
        parsed = pc.strptime(pc.filter(values, retry), format=spelling, unit="s", error_is_null=True)
        direct = pc.replace_with_mask(direct, retry, parsed)
        retry = pc.and_(pc.is_valid(values), pc.is_null(direct))
    if not pc.any(retry).as_py():
        return direct
    text = pc.replace_substring_regex(_clean_text(pc.filter(values, retry)), r"[/.年月]", "-")
    text = pc.replace_substring_regex(pc.replace_substring(text, "日", ""), r"T|\s+", " ")
    parsed = pc.coalesce(*[pc.strptime(text, format=f, unit="s", error_is_null=True) for f in _TIME_FORMATS])
    return pc.replace_with_mask(direct, retry, parsed)


def _digits(values, suffix: str):
    text = pc.replace_substring_regex(_code(values), suffix, "")
    ok = pc.match_substring_regex(text, r"^\d{1,15}$")
    return pc.cast(pc.if_else(ok, text, _NULL_STRING), pa.int64())


def _amount_fen(values):
    text = pc.replace_substring_regex(pc.replace_substring(_code(values), ",", ""), r"(万元|万)$", "")
    parts = pc.extract_regex(pc.if_else(pc.match_substring_regex(text, r"^\d{1,9}(\.\d{1,6})?$"),
                                        text, _NULL_STRING), r"^(?P<i>\d+)(?:\.(?P<f>\d*))?$")
    whole = pc.cast(pc.struct_field(parts, "i"), pa.int64())
    fraction = pc.cast(pc.utf8_rpad(pc.struct_field(parts, "f"), width=6, padding="0"), pa.int64())
    return pc.add(pc.multiply(whole, 1_000_000), fraction)


def _split_signs(values):
    joined = pc.replace_substring_regex(_clean_text(values), r"\s*[,，;；/|、]+\s*", "、")
    return _blank_to_null(pc.utf8_trim(joined, characters="、"))


def _multi(values):
    """风险表现: any of , ， ; ； / | 、 separates values; stored joined with 、."""
    return _only_where(values, _DIRTY_SPACE + r"|[,，;；/|]|、、|^、|、$|^$", _split_signs)


@dataclass
class Check:
    column: str
    message: str
    mask: object  # boolean array, True where the row fails
    show_value: bool = True


def _per_distinct(values, transform):
    """``transform`` applied to each distinct value once and spread back over the rows.

    Most clue columns repeat a few values (区县代码, 行业领域, 处置状态, 主体名称…), so the string
    kernels run on a few hundred values instead of every row; a column of mostly distinct values
    (线索编号, 地址) is transformed as it is.
    """
    encoded = pc.dictionary_encode(values)
    if len(encoded.dictionary) * 2 > len(values):
        return transform(values)
    return pc.take(transform(encoded.dictionary), encoded.indices)


def normalise(raw: pa.Table) -> tuple[pa.Table, list[Check]]:
    """Typed columns plus one Check per column whose text could not be read."""
    typed: dict[str, object] = {}
    checks: list[Check] = []
    for f in FIELDS:
        values = raw[f.name].combine_chunks() if isinstance(raw[f.name], pa.ChunkedArray) else raw[f.name]
        if f.kind == "text":
            typed[f.name] = _per_distinct(values, _text)
        elif f.kind == "code":
            typed[f.name] = _per_distinct(values, _code)
        elif f.kind == "multi":
            typed[f.name] = _per_distinct(values, _multi)
        elif f.kind in ("timestamp", "date"):
            parsed = _timestamp(values) if f.kind == "timestamp" else _per_distinct(values, _timestamp)
            typed[f.name] = pc.cast(parsed, pa.date32()) if f.kind == "date" else parsed
            hint = "，请填写如 2020-06-03 14:20" if f.kind == "timestamp" else "，请填写如 2020-06-03"
            checks.append(Check(f.name, f"不是可识别的{'时间' if f.kind == 'timestamp' else '日期'}{hint}",
                                _unreadable(values, parsed)))
        elif f.kind in ("count", "int"):
            suffix = r"(人|人次)$" if f.kind == "count" else r"^[Vv]"
            typed[f.name] = _per_distinct(values, lambda distinct: _digits(distinct, suffix))  # noqa: B023 - used at once, inside the loop
            checks.append(Check(f.name, "应为不带小数的非负整数", _unreadable(values, typed[f.name])))
        elif f.kind == "amount_wan":
            typed[f.name] = _per_distinct(values, _amount_fen)
            checks.append(Check(f.name, "不是有效金额（单位万元，至多六位小数，如 12.5）",
                                _unreadable(values, typed[f.name])))
    typed["reported_date"] = pc.cast(typed["reported_at"], pa.date32())
    typed["people"] = pc.cast(typed["people"], pa.int32())
    typed["version"] = pc.cast(typed["version"], pa.int32())
    return pa.table(typed), checks


def _unreadable(raw, parsed):
    present = pc.and_(pc.is_valid(raw), pc.not_equal(pc.utf8_trim_whitespace(pc.fill_null(raw, "")), ""))
    return pc.and_(present, pc.is_null(parsed))


# --- Validating --------------------------------------------------------------------------------

def _in_list_check(values, allowed, column: str, message: str) -> Check:
    bad = pc.and_(pc.is_valid(values), pc.invert(pc.is_in(values, value_set=pa.array(sorted(allowed)))))
    return Check(column, message, pc.fill_null(bad, False))


# Codes already checked and the invalid ones among them: a code's check is the same in every chunk
# and every file. Replaced as a whole (one assignment), so a concurrent reader sees a consistent pair.
_USCC_KNOWN: tuple[pa.Array, pa.Array] = (pa.array([], pa.string()), pa.array([], pa.string()))


def _invalid_credit_codes(values) -> pa.Array:
    """The distinct codes in ``values`` whose check character is wrong; stdnum sees each code once."""
    from stdnum.cn import uscc

    global _USCC_KNOWN
    checked, invalid = _USCC_KNOWN
    distinct = pc.unique(pc.drop_null(values))
    if len(checked) + len(distinct) > 500_000:  # memory stays bounded: start afresh
        checked, invalid = pa.array([], pa.string()), pa.array([], pa.string())
    new = pc.filter(distinct, pc.invert(pc.is_in(distinct, value_set=checked))).to_pylist()
    if new:
        wrong = pa.array([code for code in new if not uscc.is_valid(code)], pa.string())
        checked = pa.concat_arrays([checked, pa.array(new, pa.string())])
        invalid = pa.concat_arrays([invalid, wrong])
        _USCC_KNOWN = (checked, invalid)
    return invalid


def _credit_code_check(values) -> Check:
    invalid = _invalid_credit_codes(values)
    bad = pc.is_in(values, value_set=invalid)
    return Check("credit_code", "统一社会信用代码校验位不正确或长度不是 18 位（GB 32100-2015）",
                 pc.fill_null(bad, False))


def _risk_sign_check(values) -> Check:
    parts = pc.split_pattern(pc.fill_null(values, ""), "、")
    flat = pc.list_flatten(parts)
    parents = pc.list_parent_indices(parts)
    bad_flat = pc.and_(pc.not_equal(flat, ""), pc.invert(pc.is_in(flat, value_set=pa.array(grid_codes()["风险表现"]))))
    bad_rows = pc.unique(pc.filter(parents, bad_flat))
    mask = pc.is_in(pa.array(range(len(values)), type=bad_rows.type), value_set=bad_rows)
    return Check("risk_signs", f"风险表现含不在代码表内的值（可选：{'/'.join(grid_codes()['风险表现'])}，多个用“、”分隔）",
                 mask)


def _when(condition, also):
    return pc.fill_null(pc.and_kleene(condition, also), False)


def rule_checks(typed: pa.Table) -> list[Check]:
    """The rules the GX suite cannot express."""
    status, judgement = typed["status"], typed["judgement"]
    return [
        _credit_code_check(typed["credit_code"]),
        _in_list_check(typed["district_code"], district_codes(), "district_code",
                       f"区县代码不在单位名录中（可选：{'/'.join(sorted(district_codes()))}）"),
        _in_list_check(typed["industry"], code_lists()["行业领域"], "industry",
                       f"行业领域不在代码表内（可选：{'/'.join(code_lists()['行业领域'])}）"),
        _risk_sign_check(typed["risk_signs"]),
        Check("closed_date", "处置状态为“已办结”时必须填写办结日期",
              _when(pc.equal(status, "已办结"), pc.is_null(typed["closed_date"])), show_value=False),
        Check("status", "已填写办结日期，处置状态应为“已办结”",
              _when(pc.not_equal(status, "已办结"), pc.is_valid(typed["closed_date"]))),
        Check("transfer_unit", "研判结果为“移交”时必须填写移交单位",
              _when(pc.equal(judgement, "移交"), pc.is_null(typed["transfer_unit"])), show_value=False),
    ]


@dataclass
class Rejected:
    row: int
    raw: dict
    issues: list[dict]


def validate(raw: pa.Table, typed: pa.Table, checks: list[Check], row_numbers: list[int], sheet: str,
             seen: dict[object, int]) -> tuple[pa.Array, list[Rejected]]:
    """(mask of rows to load, rejected rows with all their reasons); ``seen`` spans the whole file."""
    unreadable = {check.column: check.mask for check in checks}
    all_checks = list(checks)
    for failure in evaluate_suite(DATASET, typed):
        mask = failure.mask
        if failure.column in unreadable:  # already reported as unreadable: one message per cell
            mask = pc.and_(mask, pc.invert(unreadable[failure.column]))
        all_checks.append(Check(failure.column, failure.message, mask))
    all_checks += rule_checks(typed)
    failing = pa.array([False] * typed.num_rows)
    for check in all_checks:
        failing = pc.or_(failing, check.mask)
    ok = np.array(pc.invert(pc.fill_null(failing, False)).to_numpy(zero_copy_only=False))
    duplicates = _repeated_clues(typed, ok, row_numbers, seen)
    bad_indices = np.flatnonzero(~ok).tolist()
    rejected: list[Rejected] = []
    if bad_indices:
        take = pa.array(bad_indices, type=pa.int64())
        raw_rows = raw.take(take).to_pylist()
        check_values = [(check, check.mask.take(take).to_pylist()) for check in all_checks]
        for position, index in enumerate(bad_indices):
            raw_row = {BY_NAME[name].label: value for name, value in raw_rows[position].items() if value is not None}
            issues = []
            for check, flags in check_values:
                if flags[position]:
                    label = BY_NAME[check.column].label if check.column in BY_NAME else check.column
                    value = raw_row.get(label) if check.show_value else None
                    issues.append({"sheet": sheet, "row": row_numbers[index], "column": label, "cell": None,
                                   "value": value, "message": check.message})
            if index in duplicates:
                issues.append({"sheet": sheet, "row": row_numbers[index], "column": "线索编号", "cell": None,
                               "value": raw_row.get("线索编号"),
                               "message": f"线索编号与第 {duplicates[index]} 行重复（同一文件中同一线索同一版本只能出现一次）"})
            rejected.append(Rejected(row_numbers[index], raw_row, issues))
    return pa.array(ok), rejected


def _repeated_clues(typed: pa.Table, ok, row_numbers: list[int], seen: dict[object, int]) -> dict[int, int]:
    """One row per (线索编号, 版本) in a file: a later repeat is rejected (``ok`` cleared), naming the
    first row; returns {index of the repeat: first row}. ``seen`` spans the file's chunks.

    A clue without 版本号 is keyed by 线索编号 alone. Repeats are rare, so the keys of a chunk are
    first checked with set operations and only a chunk that has one is walked row by row.
    """
    index = np.flatnonzero(ok & pc.is_valid(typed["clue_no"]).to_numpy(zero_copy_only=False))
    take = pa.array(index, type=pa.int64())
    clues, versions = pc.take(typed["clue_no"], take).to_pylist(), pc.take(typed["version"], take)
    keys = clues if versions.null_count == len(versions) else [
        clue if version is None else (clue, version) for clue, version in zip(clues, versions.to_pylist(), strict=False)]
    numbers = np.asarray(row_numbers)[index].tolist()
    if len(set(keys)) == len(keys) and seen.keys().isdisjoint(keys):
        seen.update(zip(keys, numbers, strict=False))
        return {}
    duplicates: dict[int, int] = {}
    for position, key, number in zip(index.tolist(), keys, numbers, strict=False):
        first = seen.setdefault(key, number)
        if first != number:
            duplicates[position] = first
            ok[position] = False
    return duplicates


# --- Loading -----------------------------------------------------------------------------------

_VERSION_COLUMNS = ["clue_no", "version", "updated_at", "source", "load_id", "row_no", "loaded_at",
                    *[c for c in CLUE_COLUMNS if c != "clue_no"]]
_LOOKUP_BATCH = 500


@cache
def _positional(name: str, paramstyle: str) -> tuple[str, tuple[str, ...]]:
    """include/sql/<name>.sql with its :names turned into the driver's positional markers."""
    sql = statement(name).text
    names = tuple(re.findall(r"(?<![:\w]):(\w+)", sql))
    return re.sub(r"(?<![:\w]):(\w+)", "?" if paramstyle == "qmark" else "%s", sql), names


_PER_LOAD = ("source", "load_id", "loaded_at")  # the same for every row of a file or page
_SQLITE_ROWS_PER_STATEMENT = 64


@cache
def _sqlite_bulk(rows: int) -> tuple[str, tuple[str, ...]]:
    """``grid_insert_version`` for SQLite with ``rows`` rows per statement, and its row columns.

    Python's sqlite3 spends most of a bulk load binding values, a missing one (``None``) costing
    twice a text (it goes through the adapter lookup), and releases the GIL around every step. So
    the VALUES row of the SQL file is repeated ``rows`` times, the load's constants are numbered
    markers (?1-?3) bound once per statement, and a nullable column is bound as '' for missing
    (``NULLIF(?, '')``; normalised text is never blank, times and numbers never text).
    """
    sql = statement("grid_insert_version").text
    head, values, tail = re.fullmatch(r"(.*\bVALUES\s*)\((.*?)\)(\s*ON CONFLICT.*)", sql, re.S).groups()
    names = re.findall(r"(?<![:\w]):(\w+)", values)
    row_names = tuple(name for name in names if name not in _PER_LOAD)
    width = len(row_names)

    def marker(name: str, row: int) -> str:
        if name in _PER_LOAD:
            return f"?{_PER_LOAD.index(name) + 1}"
        number = len(_PER_LOAD) + 1 + row * width + row_names.index(name)
        return f"NULLIF(?{number}, '')" if grid_clue_version.c[name].nullable else f"?{number}"

    groups = ", ".join("(" + ", ".join(marker(name, row) for name in names) + ")" for row in range(rows))
    return head + groups + tail, row_names


def _sqlite_values(values: pa.Array) -> list:
    """A column as the values ``_sqlite_bulk`` binds: text as SQLAlchemy stores it, '' for missing.

    Times and dates are the text SQLAlchemy's SQLite ``DateTime``/``Date`` write and read
    (``2020-06-03 14:20:00.000000``, ``2020-06-03``) — what a bound ``datetime`` compares
    against; Arrow's cast writes it ten times faster than ``strftime``.
    """
    if pa.types.is_timestamp(values.type):
        text = pc.cast(pc.cast(values, pa.timestamp("s")), pa.string())
        values = pc.binary_join_element_wise(text, ".000000", "")
    elif pa.types.is_date(values.type):
        values = pc.cast(values, pa.string())
    if pa.types.is_string(values.type):
        return _python_strings(values, missing="")
    if not values.null_count:
        return values.to_pylist()
    objects = pc.fill_null(values, 0).to_numpy().astype(object)
    objects[pc.is_null(values).to_numpy(zero_copy_only=False)] = ""
    return objects.tolist()


def _sqlite_arrow(values: pa.Array) -> pa.Array:
    """A column as ``ClueStaging`` stores it: the SQLite text of times and dates (as
    ``_sqlite_values``), everything else as it is, missing values as NULL."""
    if pa.types.is_timestamp(values.type):
        text = pc.cast(pc.cast(values, pa.timestamp("s")), pa.string())
        return pc.binary_join_element_wise(text, ".000000", "")
    if pa.types.is_date(values.type):
        return pc.cast(values, pa.string())
    return values


class ClueStaging:
    """A file load's clue versions on their way into a SQLite warehouse.

    Binding values from Python is most of a big load through ``sqlite3`` (22 a row). Here the ADBC
    SQLite driver writes each chunk's Arrow columns in C into a scratch database next to the
    file's work folder; ``move`` then copies them into ``grid_clue_version`` with one
    ``INSERT … SELECT`` (``grid_insert_staged``) inside the load's own transaction, so the file
    still loads entirely or not at all. Use through ``clue_staging``, which attaches the scratch
    database as ``grid_stage`` before that transaction begins (SQLite cannot attach inside one).
    """

    TABLE = "clue_version"

    def __init__(self, path: Path):
        self.path = path
        self.staged = 0
        self._connection = None

    def append(self, rows: pa.Table) -> None:
        if self._connection is None:
            import adbc_driver_sqlite.dbapi

            self._connection = adbc_driver_sqlite.dbapi.connect(str(self.path))
        with self._connection.cursor() as cursor:
            cursor.adbc_ingest(self.TABLE, rows, mode="create_append")
        self.staged += rows.num_rows

    def move(self, connection: Connection, source: str, load_id: str, loaded_at: datetime) -> int:
        """Into the history; returns how many versions were new."""
        self.close()
        if not self.staged:
            return 0
        moved = connection.execute(statement("grid_insert_staged"), {
            "source": source, "load_id": load_id, "loaded_at": loaded_at.strftime("%Y-%m-%d %H:%M:%S.%f")})
        return max(moved.rowcount, 0)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.commit()
            self._connection.close()
            self._connection = None


@contextmanager
def clue_staging(connection: Connection, folder: Path, load_id: str) -> Iterator[ClueStaging | None]:
    """A ``ClueStaging`` attached to ``connection`` for one file load (None on PostgreSQL, where
    psycopg pipelines the rows). Enter before the load's transaction begins; the scratch database
    is detached and deleted when the block ends, loaded or not, and every cleanup step runs even
    when one before it fails, so the pooled connection never keeps it attached."""
    if connection.dialect.name != "sqlite":
        yield None
        return
    host = socket.gethostname()
    _remove_abandoned_scratch(folder, host)
    path = folder / f"{_SCRATCH_PREFIX}{host}-{os.getpid()}-{threading.get_ident()}-{load_id[:16]}.sqlite"
    _remove_database(path)
    _detach_scratch(connection)  # left attached by a load whose cleanup could not finish
    connection.exec_driver_sql(f"ATTACH DATABASE ? AS {_SCRATCH_SCHEMA}", (str(path),))
    connection.commit()  # ends SQLAlchemy's autobegun transaction; the caller begins its own
    staging = ClueStaging(path)
    try:
        yield staging
    finally:
        with ExitStack() as cleanup:  # run last to first, each whatever the others do
            cleanup.callback(_remove_database, path)
            cleanup.callback(_detach_scratch, connection)
            cleanup.callback(staging.close)


_SCRATCH_PREFIX = ".stage-"
_SCRATCH_SCHEMA = "grid_stage"  # the schema include/sql/grid_insert_staged.sql reads


def _detach_scratch(connection: Connection) -> None:
    if connection.in_transaction():
        connection.rollback()
    attached = {row[1] for row in connection.exec_driver_sql("PRAGMA database_list")}
    if _SCRATCH_SCHEMA in attached:
        connection.exec_driver_sql(f"DETACH DATABASE {_SCRATCH_SCHEMA}")
    connection.commit()


def _remove_abandoned_scratch(folder: Path, host: str) -> None:
    """Scratch databases of this machine's loads whose process is gone (killed mid-load). Those
    of other machines sharing the data directory are theirs to remove."""
    for path in folder.glob(f"{_SCRATCH_PREFIX}{host}-*.sqlite"):
        pid = path.name[len(_SCRATCH_PREFIX) + len(host) + 1:].split("-", 1)[0]
        if pid.isdigit() and not _process_alive(int(pid)):
            _remove_database(path)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def _remove_database(path: Path) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


@dataclass
class LoadChunk:
    rows: pa.Table  # the valid rows of a batch
    columns: dict[str, list]  # their bound values by column, all but version


class ClueLoader:
    """Loads the valid rows of one file or API page inside the caller's transaction.

    Each chunk goes straight into the history through the driver (``grid_insert_version``: only
    (线索编号, 版本) not stored yet) — no per-row ORM or dict work: ``prepare`` turns whole Arrow
    columns into the values the driver binds, ``stage`` settles the versions and writes them, many
    rows per statement on SQLite (``_sqlite_bulk``). ``grid_clue_current`` is a view over it.
    """

    def __init__(self, connection: Connection, load_id: str, source: str, staging: ClueStaging | None = None):
        self.connection, self.load_id, self.source, self.staging = connection, load_id, source, staging
        self.sqlite = connection.dialect.name == "sqlite"
        self.paramstyle = "qmark" if self.sqlite else "format"
        self.loaded_at = warehouse.now_utc()
        self.new_versions = 0
        if self.sqlite:  # index pages of a million-row load stay in memory until commit
            connection.exec_driver_sql("PRAGMA cache_size = -262144")
        self.has_history = connection.execute(select(grid_clue_version.c.clue_no).limit(1)).first() is not None
        self._row_names = _sqlite_bulk(1)[1]  # the bound columns of each row (not the per-load ones)
        # Staged rows reach the history only at the end of the file: the rows this file gave a 版本号
        # (rare in exports) are remembered, so a later row of the same clue without one is numbered
        # after them, as it would be once they were stored. {线索编号: (版本, content)}
        self._staged_versions: dict[str, tuple] = {}

    def _current(self, clues: list[str]) -> dict[str, tuple]:
        """(version, content) of the current version of each of ``clues`` already stored."""
        v, w = grid_clue_version.alias("v"), grid_clue_version.alias("w")
        latest = select(func.max(w.c.version)).where(w.c.clue_no == v.c.clue_no).scalar_subquery()
        found: dict[str, tuple] = {}
        for offset in range(0, len(clues), _LOOKUP_BATCH):
            query = (select(v.c.version, *(v.c[name] for name in CLUE_COLUMNS))
                     .where(v.c.clue_no.in_(clues[offset:offset + _LOOKUP_BATCH]), v.c.version == latest))
            for row in self.connection.execute(query):
                found[row.clue_no] = (row.version, tuple(row[1:]))
        return found

    def _versions(self, rows: pa.Table) -> tuple[pa.Array, pa.Array | None]:
        """The version each row loads as, and which rows to load (None: all of them).

        A row without 版本号 (an export) becomes version 1 of a new clue, or the next version of a
        stored one — unless its content equals the stored current version: then nothing changed.
        """
        versions = rows["version"].combine_chunks()
        if not versions.null_count:
            return versions, None
        if not self.has_history and not self._staged_versions:  # every export row is its clue's first version
            return pc.fill_null(versions, 1), None
        clues, numbers = rows["clue_no"].to_pylist(), versions.to_pylist()
        unversioned = [i for i, version in enumerate(numbers) if version is None]
        existing = self._current([clues[i] for i in unversioned]) if self.has_history else {}
        for index in unversioned:
            staged = self._staged_versions.get(clues[index])
            if staged is not None and (clues[index] not in existing or staged[0] > existing[clues[index]][0]):
                existing[clues[index]] = staged
        if existing:
            contents = list(zip(*(rows[name].to_pylist() for name in CLUE_COLUMNS), strict=False))
        for index in unversioned:
            known = existing.get(clues[index])
            numbers[index] = known[0] + 1 if known else 1
            if known is not None and known[1] == contents[index]:
                numbers[index] = None  # the same content again: not a new version
        loaded = pa.array(numbers, type=pa.int32())
        return loaded, (pc.is_valid(loaded) if loaded.null_count else None)

    def _remember_given_versions(self, rows: pa.Table) -> None:
        given = pc.is_valid(rows["version"])
        if not pc.any(given).as_py():
            return
        rows = rows.filter(given)
        contents = zip(*(rows[name].to_pylist() for name in CLUE_COLUMNS), strict=False)
        for clue, version, content in zip(rows["clue_no"].to_pylist(), rows["version"].to_pylist(), contents, strict=False):
            if clue not in self._staged_versions or version > self._staged_versions[clue][0]:
                self._staged_versions[clue] = (version, tuple(content))

    def prepare(self, typed: pa.Table, ok: pa.Array, row_numbers: list[int]) -> LoadChunk:
        """The rows marked ``ok`` and their columns as the driver binds them (all but 版本).

        Needs no database, so ``load_batches`` runs it in the helper thread with validation.
        """
        rows = typed.filter(ok)
        numbers = pc.filter(pa.array(row_numbers, type=pa.int64()), ok)
        convert = _sqlite_arrow if self.staging else (_sqlite_values if self.sqlite else _python_values)
        return LoadChunk(rows, {name: convert(numbers if name == "row_no" else rows[name].combine_chunks())
                                for name in self._row_names if name != "version"})

    def stage(self, chunk: LoadChunk) -> int:
        """Load a prepared chunk; returns how many rows were valid (new versions or repeats)."""
        count = chunk.rows.num_rows
        if count == 0:
            return 0
        versions, keep = self._versions(chunk.rows)
        columns = chunk.columns
        if self.staging:
            self._remember_given_versions(chunk.rows)
            if keep is not None:  # a re-export of clues already stored: only changed ones load
                columns = {name: pc.filter(values, keep) for name, values in columns.items()}
                versions = pc.filter(versions, keep)
            if len(versions):
                self.staging.append(pa.table({**columns, "version": versions}))
            return count
        if keep is not None:  # a re-export of clues already stored: only changed ones load
            kept = np.flatnonzero(keep.to_numpy(zero_copy_only=False)).tolist()
            if not kept:
                return count
            columns = {name: [values[i] for i in kept] for name, values in columns.items()}
            versions = pc.filter(versions, keep)
        columns = {**columns, "version": (_sqlite_values if self.sqlite else _python_values)(versions)}
        insert_rows = self._insert_sqlite if self.sqlite else self._insert
        self.new_versions += insert_rows([columns[name] for name in self._row_names])
        return count

    def _insert_sqlite(self, columns: list[list]) -> int:
        """Many rows per statement (``_sqlite_bulk``); returns how many were new."""
        loaded_at = self.loaded_at.strftime("%Y-%m-%d %H:%M:%S.%f")
        per_load = {"source": self.source, "load_id": self.load_id, "loaded_at": loaded_at}
        constants = [per_load[name] for name in _PER_LOAD]
        step, width, count = _SQLITE_ROWS_PER_STATEMENT, len(columns), len(columns[0])
        whole, per_statement = count - count % step, step * len(columns)
        flat = [None] * (count * width)  # row after row; a strided slice assignment per column
        for position, column in enumerate(columns):
            flat[position::width] = column
        cursor = self.connection.connection.driver_connection.cursor()
        added = 0
        try:
            if whole:
                cursor.executemany(_sqlite_bulk(step)[0], (constants + flat[start:start + per_statement]
                                                           for start in range(0, whole * width, per_statement)))
                added += max(cursor.rowcount, 0)
            if count > whole:
                cursor.execute(_sqlite_bulk(count - whole)[0], constants + flat[whole * width:])
                added += max(cursor.rowcount, 0)
        finally:
            cursor.close()
        return added

    def _insert(self, columns: list[list]) -> int:
        """One row per bound parameter set (PostgreSQL: psycopg pipelines them); how many were new."""
        given = dict(zip(self._row_names, columns, strict=False))
        given.update(source=repeat(self.source), load_id=repeat(self.load_id), loaded_at=repeat(self.loaded_at))
        sql, names = _positional("grid_insert_version", self.paramstyle)
        cursor = self.connection.connection.driver_connection.cursor()
        try:
            cursor.executemany(sql, zip(*(given[name] for name in names), strict=False))
            return max(cursor.rowcount, 0)
        finally:
            cursor.close()

    def finish(self) -> int:
        """How many versions this file or page added to the history."""
        if self.staging:
            self.new_versions += self.staging.move(self.connection, self.source, self.load_id, self.loaded_at)
        return self.new_versions


def _python_values(values: pa.Array) -> list:
    return _python_strings(values) if pa.types.is_string(values.type) else values.to_pylist()


def _python_strings(values: pa.Array, missing: str | None = None) -> list:
    """A string column as Python ``str``s, one object per distinct value, ``missing`` for null.

    Most clue columns repeat a few values (区县代码, 行业领域, 处置状态…): taking them from the
    dictionary is quicker than converting every cell, and the driver encodes each object once.
    """
    encoded = pc.dictionary_encode(values)
    distinct = len(encoded.dictionary)
    if distinct * 2 > len(values):
        return (values if missing is None else pc.fill_null(values, missing)).to_pylist()
    lookup = np.array([*encoded.dictionary.to_pylist(), missing], dtype=object)
    return lookup[pc.fill_null(encoded.indices, distinct).to_numpy()].tolist()


# --- Files from the inbox ----------------------------------------------------------------------

@dataclass
class LoadResult:
    rows: int = 0
    accepted: int = 0
    rejected: int = 0
    new_versions: int = 0
    errors: list[dict] = field(default_factory=list)


@dataclass
class _Prepared:
    batch: RawBatch
    chunk: LoadChunk
    rejected: list[Rejected]


def load_batches(connection: Connection, batches, load_id: str, source: str, dataset: str = DATASET,
                 timings: dict[str, float] | None = None, staging: ClueStaging | None = None) -> LoadResult:
    """Normalise, validate and load every batch; rejected rows go to ``rejected_row``.

    The next batch is read, validated and turned into bound values (``ClueLoader.prepare``) in a
    helper thread while this one loads (Arrow kernels and SQLite release the GIL), so the two cores
    both work; the database is only touched here.
    ``timings`` (optional) accumulates seconds per stage (parse, validate, load) and the wall time
    of the whole (``wall``, less than their sum because they overlap).
    """
    from concurrent.futures import ThreadPoolExecutor

    clock = timings if timings is not None else {}
    for stage in ("parse", "validate", "load", "wall"):
        clock.setdefault(stage, 0.0)
    clock["convert"] = 0.0
    began = time.perf_counter()
    result = LoadResult()
    loader = ClueLoader(connection, load_id, source, staging)
    seen: dict[object, int] = {}
    iterator = iter(batches)

    def prepare() -> _Prepared | None:
        started = time.perf_counter()
        batch = next(iterator, None)
        parsed = time.perf_counter()
        clock["parse"] += parsed - started
        if batch is None:
            return None
        numbers = batch.row_numbers or list(range(batch.first_row, batch.first_row + batch.table.num_rows))
        typed, checks = normalise(batch.table)
        ok, rejected = validate(batch.table, typed, checks, numbers, batch.sheet, seen)
        validated = time.perf_counter()
        clock["validate"] += validated - parsed
        chunk = loader.prepare(typed, ok, numbers)
        clock["convert"] += time.perf_counter() - validated
        return _Prepared(batch, chunk, rejected)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="grid-validate") as pool:
        pending = pool.submit(prepare)
        while (item := pending.result()) is not None:
            pending = pool.submit(prepare)
            loading = time.perf_counter()
            result.rows += item.batch.table.num_rows
            result.accepted += loader.stage(item.chunk)
            result.rejected += len(item.rejected)
            if item.rejected:
                connection.execute(insert(warehouse.rejected_row), [{
                    "file_sha256": load_id, "dataset": dataset, "sheet": item.batch.sheet, "row_no": r.row,
                    "raw_json": json.dumps(r.raw, ensure_ascii=False, default=str),
                    "reasons_json": json.dumps(r.issues, ensure_ascii=False, default=str)} for r in item.rejected])
                room = RECEIPT_ERROR_LIMIT - len(result.errors)
                result.errors += [issue for r in item.rejected for issue in r.issues][:max(room, 0)]
            clock["load"] += time.perf_counter() - loading
    finishing = time.perf_counter()
    result.new_versions = loader.finish()
    clock["load"] += time.perf_counter() - finishing + clock.pop("convert")  # turning rows into bound values is part of loading them
    clock["wall"] += time.perf_counter() - began
    return result


@dataclass
class GridSummary(IngestSummary):
    new_versions: int = 0  # clue versions the files added to the history

    def add(self, receipt: Receipt) -> None:
        super().add(receipt)
        if receipt.status != "duplicate":
            self.new_versions += receipt.counts.get("new_versions", 0)


def ingest_grid_files(engine: Engine, data: DataDir, chunk_rows: int = CHUNK_ROWS,
                      chunk_bytes: int = BLOCK_BYTES) -> dict:
    """Process every export in inbox/grid_reports; returns counts for the task log and XCom."""
    warehouse.ensure_schema(engine)
    return asdict(process_inbox(
        data, SOURCE, lambda path, name: ingest_grid_file(engine, data, path, name, chunk_rows, chunk_bytes),
        GridSummary()))


def ingest_grid_file(engine: Engine, data: DataDir, path: Path, original_name: str,
                     chunk_rows: int = CHUNK_ROWS, chunk_bytes: int = BLOCK_BYTES,
                     timings: dict[str, float] | None = None) -> Receipt:
    """One export, one transaction: all its valid rows load, or (on an unreadable file) none do."""
    receipt, archived = receive(engine, data, path, original_name, SOURCE, DATASET, TITLE)
    if archived is None:
        return receipt
    sha256 = receipt.sha256
    try:
        with (engine.connect() as connection, clue_staging(connection, data.work(SOURCE), sha256) as staging,
              connection.begin()):
            record_loading(connection, **_received(receipt, archived, path))
            result = load_batches(connection, read_batches(path, original_name, chunk_rows, chunk_bytes),
                                   sha256, "file", timings=timings, staging=staging)
            receipt.counts = {"rows": result.rows, "accepted": result.accepted, "rejected": result.rejected,
                              "new_versions": result.new_versions}
            receipt.errors = result.errors
            if result.rejected > len(result.errors):
                receipt.message = (f"共 {result.rejected} 行未通过校验，回执仅列出前 {len(result.errors)} 个问题；"
                                   "全部退回行及原因保存在处非办数据库中")
            if result.accepted == 0:
                receipt.status = "rejected"
                receipt.message = receipt.message or ("文件中没有数据行" if result.rows == 0 else
                                                       "所有数据行均未通过校验，本次报送未入库")
            else:
                receipt.status = "partially_accepted" if result.rejected else "accepted"
            record_outcome(connection, sha256=sha256, original_name=original_name, status=receipt.status,
                           rows=result.rows, accepted=result.accepted, rejected=result.rejected,
                           message=receipt.message)
    except FileRejected as rejection:
        receipt.status, receipt.message = "rejected", rejection.message
        receipt.counts = {"rows": 0, "accepted": 0, "rejected": 0}
        receipt.errors = [rejection.as_error()]
        with engine.begin() as connection:
            record_loading(connection, **_received(receipt, archived, path), status="rejected", message=receipt.message)
            warehouse.record_arrival(connection, sha256, original_name, "rejected")
    return receipt


def _received(receipt: Receipt, archived: Path, path: Path) -> dict:
    return {"sha256": receipt.sha256, "source": receipt.source, "original_name": receipt.file,
            "size_bytes": path.stat().st_size, "archive_name": archived.name, "dataset": DATASET}


def raw_table(records: list[dict[str, object]]) -> pa.Table:
    """Rows given as {warehouse column: text} (the API client's output) as a text batch."""
    return pa.table({f.name: pa.array([_cell_text(r.get(f.name)) for r in records], type=pa.string())
                     for f in FIELDS})
