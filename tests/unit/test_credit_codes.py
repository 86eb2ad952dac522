"""The grid rules' 统一社会信用代码 check says what ``stdnum.cn.uscc.is_valid`` says, for
valid codes, codes one character off, and any text around the shape of one (spaces, dashes, lower
case, white space Python strips, letters the code's alphabet lacks, non-ASCII look-alikes)."""

from __future__ import annotations

import random

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import uscc

from chufei.validate.grid_rules import _invalid_credit_codes
from demo.inflows import uscc_for

_PIECES = list("0123456789ABCDEFGHJKLMNPQRTUWXYIOSVZabcxyz -\t\x0b\x1c\n") + ["ﬀ", "ı", "１", "—", "\u3000", "码", "😀"]


def credit_codes_valid(codes: pa.Array) -> list[bool]:
    """Each code's verdict as the grid rules give it: not among the invalid codes they find."""
    invalid = set(_invalid_credit_codes(codes).to_pylist())
    return [code not in invalid for code in codes.to_pylist()]


def _agree(codes: list[str]) -> None:
    assert credit_codes_valid(pa.array(codes, pa.string())) == [uscc.is_valid(code) for code in codes]


def test_valid_codes_and_their_one_character_changes():
    rng = random.Random(7)
    codes = [uscc_for(rng) for _ in range(300)]
    changed = [code[:i] + c + code[i + 1:] for code in codes[:60] for i in (0, 8, 17)
               for c in "0AIZ" if code[i] != c]
    spaced = [f" {code[:6]}-{code[6:].lower()} " for code in codes[:30]]
    _agree(codes + changed + spaced + ["", "9" * 17, "9" * 19])
    assert all(credit_codes_valid(pa.array(codes)))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), min_size=15, max_size=21).map("".join), st.data())
def test_any_text_gets_stdnums_answer(noise, data):
    code = uscc_for(random.Random(data.draw(st.integers(0, 10_000))))
    cut = data.draw(st.integers(0, 18))
    _agree([noise, code[:cut] + noise[:2] + code[cut:], code[:cut] + noise[-1:] + code[cut + 1:]])
