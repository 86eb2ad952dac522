"""Masking personal data (ID numbers, mobile numbers, reporters) for receipts, exports and logs."""

from __future__ import annotations

import re

_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[0-9Xx])(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")


_ELEVEN_DIGITS = re.compile(r"\d{11}")  # both patterns need 11 digits in a row: most text has none


def mask_text(text: str) -> str:
    """Mask every 18-digit ID number and 11-digit mobile number inside free text."""
    if not _ELEVEN_DIGITS.search(text):
        return text
    text = _ID_NUMBER.sub(lambda m: m.group(1) + "*" * 8 + m.group(2), text)
    return _MOBILE.sub(lambda m: m.group(1) + "****" + m.group(2), text)


def mask_value(value: object) -> str:
    """A personal value shown only by its shape: first and last characters kept."""
    text = str(value)
    if len(text) <= 2:
        return "*" * len(text)
    keep = max(1, min(4, len(text) // 4))
    return text[:keep] + "*" * (len(text) - 2 * keep) + text[-keep:]
