"""Property-based tests (hypothesis, a small bounded budget): garbage in never crashes the
readers, and masking hides every mobile and ID number however it is written."""

from __future__ import annotations

import tempfile
import unicodedata
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chufei.core.masking import mask_text, mask_texts
from chufei.read.grid_export import read_csv_batches
from chufei.statistics.forms import wan, wan_text
from chufei.kinds.registry import DATASETS
from chufei.kinds.templates import write_submission
from chufei.read.workbook import FileRejected, read_workbook

BUDGET = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SEPARATORS = st.sampled_from(["", " ", "-", "."])
AROUND = st.text(alphabet=st.sampled_from("联系电话手机号：:， ,()（）abcXYZ王李张"), max_size=8)


def _digits(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKC", text) if c.isdigit())


@BUDGET
@given(second=st.sampled_from("3456789"), rest=st.text(alphabet="0123456789", min_size=9, max_size=9),
       first_gap=SEPARATORS, prefix=st.sampled_from(["", "+86", "86", "0086", "+86 ", "(+86)"]),
       before=AROUND, after=AROUND, fullwidth=st.booleans())
def test_every_mobile_is_masked(second, rest, first_gap, prefix, before, after, fullwidth):
    number = f"1{second}{rest[0]}{first_gap}{rest[1:5]}{first_gap}{rest[5:]}"
    if fullwidth:
        number = number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    masked = mask_text(f"{before}{prefix}{number}{after}")
    assert _digits(masked) == f"1{second}{rest[0]}{rest[5:]}"  # the country code and the middle four gone
    assert f"1{second}{rest[0]}****{rest[5:]}" in masked


@BUDGET
@given(body=st.text(alphabet="0123456789", min_size=17, max_size=17), check=st.sampled_from("0123456789Xx"),
       gaps=st.lists(st.sampled_from(["", " ", "-"]), min_size=17, max_size=17), before=AROUND, after=AROUND)
def test_every_id_number_is_masked(body, check, gaps, before, after):
    number = "".join(d + g for d, g in zip(body, gaps, strict=True)) + check
    masked = mask_text(f"{before}{number}{after}")
    assert _digits(masked) == body[:6] + body[14:] + (check if check.isdigit() else "")
    assert f"{body[:6]}********{body[14:]}{check.upper()}" in masked


# Pieces of a long list's texts: digits (ASCII and full-width), the separators numbers are written
# with, line breaks, a name and labels, so that numbers form within one text and across neighbours.
PIECES = st.sampled_from(["139", "1391234", "5678", "4207", "0419900307451", "4X", "-", " ", "\u3000", ".",
                          "\n", "王五", "电话：", "+86", "１３９", "案", "2016-000123", "D14-2017-000305", "1", "13", "8", ""])


@BUDGET
@given(texts=st.lists(st.lists(PIECES, max_size=8).map("".join), max_size=30))
def test_a_column_masked_at_once_is_each_text_masked(texts):
    """A long list's column is searched for numbers in one pass: the same texts as one by one,
    however its neighbours' digits would continue a number."""
    assert mask_texts(texts) == [mask_text(text) for text in texts]


@BUDGET
@given(fen=st.one_of(st.integers(-10**12, 10**12), st.integers(-10**30, 10**30),
                     st.integers(-10**8, 10**8).map(lambda n: n * 10_000)))
def test_an_amount_as_text_is_the_exact_amount_in_wan(fen):
    assert wan_text(fen) == str(wan(fen))


def _template_bytes() -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = write_submission(Path(folder) / "t.xlsx", DATASETS["case_ledger"], "鄂城区", "2020年3月", [
            {"案件编号": "A-1", "案件名称": "某案", "立案日期": "2020-03-01", "承办单位": "公安", "行业领域": "其他",
             "涉案金额(万元)": 10, "集资参与人数": 5, "是否跨区域": "否", "处置阶段": "侦查", "是否陈案": "否"}])
        return path.read_bytes()


TEMPLATE = _template_bytes()


def _refusal(read) -> str | None:
    """None when ``read()`` succeeds, the refusal's message when it refuses; anything else raises."""
    try:
        read()
    except FileRejected as refused:
        return refused.message
    return None


@BUDGET
@given(flips=st.lists(st.tuples(st.integers(0, len(TEMPLATE) - 1), st.integers(0, 255)), min_size=1, max_size=6),
       cut=st.one_of(st.none(), st.integers(0, len(TEMPLATE))))
def test_a_damaged_workbook_is_refused_never_a_crash(flips, cut):
    body = bytearray(TEMPLATE)
    for position, value in flips:
        body[position] = value
    body = bytes(body[:cut] if cut is not None else body)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "damaged.xlsx"
        path.write_bytes(body)
        message = _refusal(lambda: read_workbook(path))
        assert message is None or (message and "Traceback" not in message)


@BUDGET
@given(text=st.text(max_size=400), encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]))
def test_any_text_as_a_grid_csv_is_read_or_refused_never_a_crash(text, encoding):
    header = "线索编号,上报时间,区县代码,乡镇街道,主体名称\n"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "grid.csv"
        try:
            path.write_bytes((header + text).encode(encoding))
        except UnicodeEncodeError:
            return
        message = _refusal(lambda: [batch.table.num_rows for batch in read_csv_batches(path)])
        assert message is None or message
