from datetime import date, datetime

import pytest

from chufei.core.normalise import (clean_text, parse_amount_wan, parse_amount_yuan, parse_count, parse_date,
                              parse_flag)


@pytest.mark.parametrize(("raw", "expected"), [
    ("2020年6月3日", date(2020, 6, 3)),
    ("2020/6/3", date(2020, 6, 3)),
    ("2020-06-03", date(2020, 6, 3)),
    ("２０２０年６月３日", date(2020, 6, 3)),
    (" 2020.6.3 ", date(2020, 6, 3)),
    (43985, date(2020, 6, 3)),  # Excel serial
    (43985.0, date(2020, 6, 3)),
    ("43985", date(2020, 6, 3)),
    (datetime(2020, 6, 3, 0, 0), date(2020, 6, 3)),
    (None, None),
    ("  ", None),
])
def test_dates_people_type(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize("raw", ["2020年2月30日", "六月三日", "2020-6", "3/6/2020"])
def test_bad_dates_say_what_was_typed(raw):
    with pytest.raises(ValueError, match="日期"):
        parse_date(raw)


@pytest.mark.parametrize(("raw", "fen"), [
    ("1.2万", 1_200_000),  # 1.2 万元
    ("1,234.56", 1_234_560_000),
    ("１２３４．５", 1_234_500_000),
    (" 12 ", 12_000_000),
    ("3亿", 30_000 * 1_000_000),
    ("5000元", 500_000),
    (0.1, 100_000),
    (1234.56, 1_234_560_000),
    (7, 7_000_000),
    (None, None),
])
def test_amounts_in_wan_become_exact_fen(raw, fen):
    assert parse_amount_wan(raw) == fen


def test_float_noise_never_leaks_into_amounts():
    # 0.1 + 0.2 in binary floating point is 0.30000000000000004; typed as 0.3 it must be exact.
    assert parse_amount_wan(0.3) == 300_000
    assert sum(parse_amount_wan(v) for v in (0.1, 0.2)) == parse_amount_wan(0.3)


@pytest.mark.parametrize("raw", ["abc", "-5", "1.2.3", "约一百万", "0.0000001"])
def test_bad_amounts_are_refused(raw):
    with pytest.raises(ValueError, match="金额"):
        parse_amount_wan(raw)


def test_yuan_amounts():
    assert parse_amount_yuan("1,000.50") == 100_050
    assert parse_amount_yuan("0.5万") == 500_000


def test_counts_and_flags():
    assert parse_count("1,200人") == 1200
    assert parse_count(15.0) == 15
    with pytest.raises(ValueError, match="整数"):
        parse_count(1.5)
    assert parse_flag("是") is True
    assert parse_flag(" 否 ") is False
    assert parse_flag(None) is None
    with pytest.raises(ValueError, match="是.*否"):
        parse_flag("可能")


def test_text_is_folded_and_full_width_normalised():
    assert clean_text("  某某　公司（ＡＢＣ）  ") == "某某 公司(ABC)"
    assert clean_text(12.0) == "12"
    assert clean_text("   ") is None


def test_a_comma_counts_only_as_a_thousands_separator():
    import pytest

    from chufei.core.normalise import parse_amount_wan, parse_amount_yuan, parse_count

    assert parse_amount_wan("1,234") == 1_234_000_000
    assert parse_amount_wan("12,345.6万") == 12_345_600_000
    assert parse_amount_yuan("5,000") == 500_000
    assert parse_count("1,500人") == 1500
    for text in ("12,5", "1,2,3,4", "1234,5", ",123", "1,23", "12，5"):
        with pytest.raises(ValueError, match="千位分隔符"):
            parse_amount_wan(text)
    with pytest.raises(ValueError, match="千位分隔符"):
        parse_count("1,2")
