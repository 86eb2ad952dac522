"""Grid clue text columns → typed columns, vectorised with ``pyarrow.compute``.

NFKC (full-width → half-width), white space folded, codes upper-cased, dates and times in the
spellings people type, 估计金额(万元) → integer 分 (exact: never a float), 风险表现 split on any
separator. A cell that has text but cannot be read becomes a ``Check`` (a mask of failing rows),
so validation reports it once, with the file's own text.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from chufei.core.normalise import THOUSANDS
from chufei.kinds.grid_report import FIELDS

_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")
_DIRECT_FORMATS = ("%Y/%m/%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")

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
    code = _code(values)
    # A comma only as a thousands separator (normalise.THOUSANDS): 12,5 and 1,2,3,4 stay unread.
    misused = pc.and_(pc.match_substring(code, ","), pc.invert(pc.match_substring_regex(code, THOUSANDS.pattern)))
    code = pc.if_else(misused, _NULL_STRING, code)
    text = pc.replace_substring_regex(pc.replace_substring(code, ",", ""), r"(万元|万)$", "")
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
