"""Masking personal data (ID numbers, mobile numbers, names, reporters) for receipts, exports and logs.

Numbers are found in the forms people write them: ``13971234567``, ``+86 139 7123 4567``,
``8613971234567``, ``0086-139-7123-4567``, ``139-7123-4567``, ``139.7123.4567``, full-width
digits, and 18-character ID numbers with spaces or hyphens anywhere (``420704 19851120 4569``).
A name written right before such a number (``孙悟能13307112345``, ``王五 电话：139…``) is masked
with it: a number tells whose it is only together with the name. Names keep their surname only
(``王*``, ``孙**``). Landlines (``027-12345678``) are an office's, not a person's: they stay.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_D = r"[0-9０-９]"
_SEP = r"[ \u3000.\-－]"
# 17 digits and a check character, with at most one separator between any two of them.
_ID_NUMBER = re.compile(rf"(?<![0-9０-９]){_D}(?:{_SEP}?{_D}){{16}}{_SEP}?[0-9０-９XxＸｘ](?![0-9０-９])")
# An optional country code, then 1[3-9]x, written 3-4-4 with or without separators.
# Wherever digits end; a match inside a sha256 or another long hexadecimal run is not a number (_hexadecimal).
_MOBILE = re.compile(rf"(?<![0-9０-９])(?:[(（]?(?:[+＋]|00|００)?(?:86|８６)[)）]?{_SEP}?)?"
                     rf"(?:1|１)[3-9３-９]{_D}{_SEP}?{_D}{{4}}{_SEP}?{_D}{{4}}(?![0-9０-９])")
_HEX_RUN = re.compile(r"[0-9A-Fa-f]{32,}")
_MANY_DIGITS = re.compile(r"(?:\d\D{0,2}){11}")  # every pattern needs 11 digits close together: most text has none
_LABELS = re.compile(r"(?:[\s:：,，、()（）=＝]|联系电话|联系方式|手机号码|手机号|手机|电话号码|电话|身份证号码|身份证号|身份证|"
                     r"证件号码|证件号|号码|[Tt][Ee][Ll]|举报人|联系人|责任人|填表人|负责人|经办人|当事人|本人)*$")
# A whole run of two or three Chinese characters (not a longer phrase such as 不是日期) is taken for a name.
_NAME_AT_END = re.compile(r"(?<![\u4e00-\u9fff·])[\u4e00-\u9fff][\u4e00-\u9fff·]{1,2}$")
_NOT_NAMES = {"日期", "金额", "编号", "代码", "时间", "数量", "人数", "填写值", "不是", "应为", "手机", "电话", "号码"}
_NAME_AFTER_ROLE = re.compile(r"(?:举报人|联系人|责任人|填表人|负责人|经办人|当事人|姓名)[:：]?\s*"
                              r"([\u4e00-\u9fff][\u4e00-\u9fff·]{1,4})$")
_NO_NAME = re.compile("").match("")
_NAME = re.compile(r"^[\u4e00-\u9fff][\u4e00-\u9fff·]{1,9}$")


def _digits(text: str) -> str:
    return "".join(str(int(c)) if c.isdigit() else c.upper() for c in text if c.isdigit() or c in "XxＸｘ")


def _masked_id(match: re.Match) -> str:
    compact = _digits(match.group(0)).replace("Ｘ", "X")
    return compact[:6] + "*" * 8 + compact[-4:]


def _masked_mobile(match: re.Match) -> str:
    compact = _digits(match.group(0))[-11:]
    return compact[:3] + "****" + compact[-4:]


def mask_name(name: str) -> str:
    """A person's name by its surname only: 王五 → 王*, 孙悟能 → 孙**."""
    return name[:1] + "*" * (len(name) - 1)


def mask_text(text: str) -> str:
    """Mask every ID number and mobile number inside free text, and a name written just before one."""
    if not _MANY_DIGITS.search(text):
        return text
    pieces, last = [], 0
    for match in _numbers(text):
        before = text[last:match.start()]
        label = _LABELS.search(before)  # 王五 电话：139…: the name is before the label
        core = before[:label.start()]
        role = _NAME_AFTER_ROLE.search(core)
        span = role.span(1) if role else (_NAME_AT_END.search(core) or _NO_NAME).span()
        if span[1] > span[0] and before[span[0]:span[1]] not in _NOT_NAMES:
            before = before[:span[0]] + mask_name(before[span[0]:span[1]]) + before[span[1]:]
        pieces += [before, _masked_id(match) if match.re is _ID_NUMBER else _masked_mobile(match)]
        last = match.end()
    return "".join(pieces) + text[last:]


def mask_texts(texts: Sequence[str]) -> list[str]:
    """``mask_text`` of each of ``texts``, for a long list's column: only the texts that could hold
    a number (``_number_texts``) are masked one by one, the others are as they are (a list's
    案件编号 are mostly digits, so the cheap test of ``mask_text`` would let them all through to
    the full search)."""
    result = list(texts)
    start = 0
    while start < len(texts):  # a few million characters at a time: the search holds ~14 bytes a character
        end, size = start, 0
        while end < len(texts) and (size < _CHARACTERS_AT_ONCE or end == start):
            size += len(texts[end]) + 1
            end += 1
        for index in _number_texts(texts[start:end]):
            result[start + index] = mask_text(texts[start + index])
        start = end
    return result


_CHARACTERS_AT_ONCE = 2_000_000


_SEPARATORS = (0x20, 0x3000, 0x2E, 0x2D, 0xFF0D)  # _SEP's characters


def _number_texts(texts: Sequence[str]) -> set[int]:
    """The positions of the texts that could hold an ID or mobile number, found over the column's
    code points at once with numpy: runs of digits (_D) with at most one separator (_SEP) between
    two of them, either 17 digits long (an ID number's body) or a mobile's 11 from a 1 followed by
    3–9, written 3-4-4 (whatever country code is before it). A list's 案件编号 such as
    420702-2016-000123 or D14-2017-000305 is neither, and most of a long list's texts are case numbers; the
    patterns themselves, with their look-behinds, cost about a second per 8 MB of text here."""
    import numpy as np

    if not texts:
        return set()
    points = np.frombuffer("\n".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    digit_values = np.where((points - 0x30) < 10, points - 0x30, points - 0xFF10)
    digits = np.flatnonzero(digit_values < 10)
    if digits.size < 11:
        return set()
    after = points[digits[:-1] + 1]  # the character after each digit: between it and the next when the gap is 2
    gap = np.diff(digits)
    separated = np.zeros(after.shape, dtype=bool)
    for code in _SEPARATORS:
        separated |= after == code
    linked = (gap == 1) | ((gap == 2) & separated)  # each digit to the next
    linked_before = np.concatenate(([0], np.cumsum(linked, dtype=np.int64)))

    def run_starts(length: int) -> np.ndarray:  # the digits that begin ``length`` linked digits
        return np.flatnonzero(linked_before[length - 1:] - linked_before[:1 - length] == length - 1)

    value = digit_values[digits]
    elevens = run_starts(11)
    written_3_4_4 = np.logical_and.reduce([gap[elevens + offset] == 1 for offset in (0, 1, 3, 4, 5, 7, 8, 9)])
    mobiles = elevens[(value[elevens] == 1) & (value[elevens + 1] >= 3) & written_3_4_4]
    firsts = digits[np.concatenate((run_starts(17), mobiles))]
    starts = np.cumsum([0, *(len(text) + 1 for text in texts[:-1])])
    return set((np.searchsorted(starts, firsts, side="right") - 1).tolist())


def _numbers(text: str) -> list[re.Match]:
    """ID numbers first (a mobile pattern could match inside one), then mobiles outside them."""
    hashes = [(m.start(), m.end()) for m in _HEX_RUN.finditer(text)]
    ids = [m for m in _ID_NUMBER.finditer(text) if not any(a < m.end() and m.start() < b for a, b in hashes)]
    taken = [(m.start(), m.end()) for m in ids] + hashes
    mobiles = [m for m in _MOBILE.finditer(text) if not any(a < m.end() and m.start() < b for a, b in taken)]
    return sorted(ids + mobiles, key=lambda m: m.start())


def mask_value(value: object) -> str:
    """A personal value (a name, a number, or both) shown only by its shape: numbers as in
    ``mask_text``, names by their surname, anything else by its first and last characters."""
    text = str(value)
    masked = mask_text(text)
    if masked != text:
        return mask_names(masked)
    if _NAME.match(text.strip()):
        return mask_name(text.strip())
    if len(text) <= 2:
        return text[:1] + "*" * (len(text) - 1)
    keep = max(1, min(4, len(text) // 4))
    return text[:keep] + "*" * (len(text) - 2 * keep) + text[-keep:]


def mask_names(text: str) -> str:
    """Every run of Chinese characters (a personal value's names) by its first character."""
    return re.sub(r"[\u4e00-\u9fff][\u4e00-\u9fff·]+", lambda m: mask_name(m.group(0)), text)
