"""Turning what people type into Excel into typed values.

Every parser takes the raw cell value (str, int, float, datetime, None) and returns the typed
value or raises ``ValueError`` with a Chinese message the unit can act on. Full-width
characters, stray spaces and thousands separators are tolerated; meaning is not guessed.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

_EXCEL_EPOCH = date(1899, 12, 30)
_SPACES = re.compile(r"\s+")
_DATE_PATTERNS = [
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
_MIDNIGHT = re.compile(r"(?<=\d)(?:\s+|T)0{1,2}:0{2}(?::0{2}(?:\.0+)?)?$")
# 万元 is the unit of every amount column; a written unit overrides it.
_AMOUNT_UNITS = {"": Decimal(1), "万": Decimal(1), "万元": Decimal(1), "亿": Decimal(10000),
                 "亿元": Decimal(10000), "元": Decimal("0.0001")}
_AMOUNT = re.compile(r"^(-?\d+(?:\.\d+)?)(万元|万|亿元|亿|元)?$")
# A comma is accepted only as a thousands separator: 1,234 and 12,345.6 (12,5 and 1,2,3,4 are not numbers).
THOUSANDS = re.compile(r"^-?\d{1,3}(?:,\d{3})+(?:\.\d+)?(?:万元|万|亿元|亿|元|人|件|户|条|次|人次|个)?$")
_TRUE = {"是", "Y", "YES", "TRUE", "1", "√", "✓"}
_FALSE = {"否", "N", "NO", "FALSE", "0", "×", "✗", "X"}
FEN_PER_WAN = 1_000_000


def clean_text(value: object) -> str | None:
    """NFKC (full-width → half-width), trimmed, inner runs of white space folded to one."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = _SPACES.sub(" ", unicodedata.normalize("NFKC", str(value))).strip()
    return text or None


class _NotCompared(dict):
    """str.translate's table dropping white space and punctuation, filled as characters are met."""

    def __missing__(self, code: int) -> int | None:
        char = chr(code)
        self[code] = None if char.isspace() or unicodedata.category(char).startswith("P") else code
        return self[code]


_NOT_COMPARED = _NotCompared()


def comparable_name(value: object) -> str | None:
    """A name as two units' spellings of it compare: NFKC, case-folded, without white space or
    punctuation (“某某公司非法吸收公众存款案” = "某某公司 非法吸收公众存款案")."""
    if value is None:
        return None
    kept = unicodedata.normalize("NFKC", str(value)).casefold().translate(_NOT_COMPARED)
    return kept or None


def parse_date(value: object) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value == value and 19000101 <= value <= 29991231 and float(value).is_integer():
            return _yyyymmdd(int(value))  # 20200503 typed as a number: the date written without separators
        if not 1 <= value < 2958466:
            raise ValueError(f"日期序号 {value} 超出 Excel 日期范围")
        return _EXCEL_EPOCH + timedelta(days=int(value))
    # a midnight time after the date (2020-05-03 00:00:00, as Excel exports a date) says nothing more
    text = _MIDNIGHT.sub("", unicodedata.normalize("NFKC", str(value)).strip())
    text = _SPACES.sub("", text)
    if re.fullmatch(r"\d{5}(?:\.0+)?", text):
        return parse_date(float(text))
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            year, month, day = (int(group) for group in match.groups())
            try:
                return date(year, month, day)
            except ValueError:
                raise ValueError(f"“{value}”不是有效日期") from None
    raise ValueError(f"“{value}”不是可识别的日期，请填写如 2020年6月3日 或 2020-06-03")


def _yyyymmdd(number: int) -> date:
    try:
        return date(number // 10000, number // 100 % 100, number % 100)
    except ValueError:
        raise ValueError(f"“{number}”不是有效日期：按年月日（如 20200503）读作 {number // 10000} 年 "
                         f"{number // 100 % 100} 月 {number % 100} 日，不存在这一天") from None


def _decimal(value: object, units: dict[str, Decimal], what: str) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"“{value}”不是{what}")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):  # NaN/INF cells in a crafted file
            raise ValueError(f"“{value}”不是{what}")
        return Decimal(repr(value))
    text = _SPACES.sub("", unicodedata.normalize("NFKC", str(value)))
    if not text:
        return None
    if "," in text:
        if not THOUSANDS.match(text):
            raise ValueError(f"“{value}”中的逗号不是千位分隔符（应每三位一组，如 1,234.5）：小数请用小数点，"
                             "如 12.5；不要用逗号分隔几个数")
        text = text.replace(",", "")
    match = _AMOUNT.match(text)
    if not match or (match.group(2) or "") not in units:
        raise ValueError(f"“{value}”不是有效的{what}")
    try:
        return Decimal(match.group(1)) * units[match.group(2) or ""]
    except InvalidOperation:
        raise ValueError(f"“{value}”不是有效的{what}") from None


def parse_amount_wan(value: object) -> int | None:
    """An amount in 万元 (or with 万/亿/元 written after it) as integer 分 (fen)."""
    amount = _decimal(value, _AMOUNT_UNITS, "金额")
    if amount is None:
        return None
    fen = amount * FEN_PER_WAN
    if fen != fen.to_integral_value():
        raise ValueError(f"金额“{value}”精确到分以下，请保留至多六位小数（万元）")
    if fen < 0:
        raise ValueError(f"金额“{value}”不能为负数")
    return int(fen)


def parse_amount_yuan(value: object) -> int | None:
    """An amount in 元 as integer 分."""
    amount = _decimal(value, {"": Decimal(1), "元": Decimal(1), "万": Decimal(10000),
                              "万元": Decimal(10000)}, "金额")
    if amount is None:
        return None
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise ValueError(f"金额“{value}”精确到分以下")
    if fen < 0:
        raise ValueError(f"金额“{value}”不能为负数")
    return int(fen)


def parse_count(value: object) -> int | None:
    """A head or item count: a whole non-negative number; 人, 件, 户 after it are allowed."""
    if isinstance(value, str):
        value = re.sub(r"(人|件|户|条|次|人次|个)$", "", _SPACES.sub("", unicodedata.normalize("NFKC", value)))
    number = _decimal(value, {"": Decimal(1)}, "数量")
    if number is None:
        return None
    if number != number.to_integral_value():
        raise ValueError(f"“{value}”不是整数")
    if number < 0:
        raise ValueError(f"“{value}”不能为负数")
    return int(number)


def parse_flag(value: object) -> bool | None:
    text = clean_text(value)
    if text is None:
        return None
    if text.upper() in _TRUE:
        return True
    if text.upper() in _FALSE:
        return False
    raise ValueError(f"“{value}”应填写“是”或“否”")


def parse_choice(value: object, choices: list[str]) -> str | None:
    text = clean_text(value)
    if text is None:
        return None
    if text not in choices:
        raise ValueError(f"“{value}”不在可选值内（{'/'.join(choices)}）")
    return text


def format_wan(fen: int, places: int = 2) -> Decimal:
    """分 → 万元 as an exact Decimal rounded half-up to ``places`` decimals."""
    from decimal import ROUND_HALF_UP

    return (Decimal(fen) / FEN_PER_WAN).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
