"""Grid export text → typed values, including the spellings people and platforms produce."""

from __future__ import annotations

from datetime import date, datetime

import pyarrow.compute as pc

from chufei.read.grid_export import raw_table
from chufei.validate.grid_normalise import normalise


def typed_column(name: str, values: list) -> list:
    typed, _ = normalise(raw_table([{name: v} for v in values]))
    return typed[name].to_pylist()


def test_text_is_nfkc_trimmed_and_blank_is_null():
    assert typed_column("subject_name", ["鄂州ＡＢＣ公司", "  甲 \t 公司 ", "", "   ", None, "乙公司"]) == [
        "鄂州ABC公司", "甲 公司", None, None, None, "乙公司"]


def test_codes_lose_spaces_and_become_upper_case_with_leading_zeros_kept():
    assert typed_column("credit_code", ["９１４２０７００ab", " 0042 0704 ", "91420700MA4K"]) == [
        "91420700AB", "00420704", "91420700MA4K"]


def test_report_times_in_every_spelling():
    assert typed_column("reported_at", ["2020-06-03 14:22:05", "2020/6/3 14:22", "2020年6月3日 14:22",
                                        "2020-06-03T14:22:00", "2020-06-03", "２０２０-06-03 14:22:00",
                                        "2020-13-45 25:00", None]) == [
        datetime(2020, 6, 3, 14, 22, 5), datetime(2020, 6, 3, 14, 22), datetime(2020, 6, 3, 14, 22),
        datetime(2020, 6, 3, 14, 22), datetime(2020, 6, 3), datetime(2020, 6, 3, 14, 22), None, None]
    assert typed_column("closed_date", ["2020/7/1", "2020年7月1日"]) == [date(2020, 7, 1), date(2020, 7, 1)]


def test_amounts_in_wan_become_exact_fen_and_bad_ones_are_flagged():
    values = ["12.5", "1,234.56万", "0.000001", "１２", "3万元", "约十万", "1.0000001", None]
    typed, checks = normalise(raw_table([{"amount_fen": v} for v in values]))
    assert typed["amount_fen"].to_pylist() == [12_500_000, 1_234_560_000, 1, 12_000_000, 3_000_000,
                                               None, None, None]
    unreadable = next(c for c in checks if c.column == "amount_fen")
    assert pc.indices_nonzero(unreadable.mask).to_pylist() == [5, 6]


def test_risk_signs_split_on_any_separator():
    assert typed_column("risk_signs", ["承诺高额回报", "承诺高额回报，发展下线", "发展下线/ 以养老为名;其他",
                                       "虚构项目、、其他、", ""]) == [
        "承诺高额回报", "承诺高额回报、发展下线", "发展下线、以养老为名、其他", "虚构项目、其他", None]


def test_a_comma_counts_only_as_a_thousands_separator():
    values = ["12,5", "1,2,3,4", "1,234", "12,345.6万", "1234,5", ",123", "1,23"]
    typed, checks = normalise(raw_table([{"amount_fen": v} for v in values]))
    assert typed["amount_fen"].to_pylist() == [None, None, 1_234_000_000, 12_345_600_000, None, None, None]
    unreadable = next(c for c in checks if c.column == "amount_fen")
    assert unreadable.mask.to_pylist() == [True, True, False, False, True, True, True]
