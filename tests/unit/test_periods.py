from datetime import date, datetime, UTC

import pytest

from chufei.core.periods import (PeriodError, month_period, parse_period, period_from_interval, quarter_period,
                            resolve_run_period)


@pytest.mark.parametrize(("text", "key", "start", "end"), [
    ("2020-06", "2020-06", date(2020, 6, 1), date(2020, 7, 1)),
    ("2020年6月", "2020-06", date(2020, 6, 1), date(2020, 7, 1)),
    ("２０２０年１２月", "2020-12", date(2020, 12, 1), date(2021, 1, 1)),
    ("2020Q2", "2020Q2", date(2020, 4, 1), date(2020, 7, 1)),
    ("2020年第二季度", "2020Q2", date(2020, 4, 1), date(2020, 7, 1)),
    ("2020H2", "2020H2", date(2020, 7, 1), date(2021, 1, 1)),
    ("2020年上半年", "2020H1", date(2020, 1, 1), date(2020, 7, 1)),
    ("2020", "2020", date(2020, 1, 1), date(2021, 1, 1)),
    ("2020年度", "2020", date(2020, 1, 1), date(2021, 1, 1)),
])
def test_parse_period_accepts_keys_and_chinese_labels(text, key, start, end):
    period = parse_period(text)
    assert (period.key, period.start, period.end) == (key, start, end)


@pytest.mark.parametrize("text", ["2020-13", "June", "", "2020Q5", "20-06"])
def test_parse_period_rejects_nonsense_with_the_text_in_the_message(text):
    with pytest.raises(PeriodError, match="不是报告期|不在 1–1?[24] 之间"):
        parse_period(text)


def test_labels_are_what_forms_print():
    assert month_period(2020, 6).label == "2020年6月"
    assert quarter_period(2020, 4).label == "2020年第四季度"
    assert parse_period("2020H1").label == "2020年上半年"


def test_data_interval_in_utc_maps_to_the_shanghai_month():
    # June in Asia/Shanghai is [May 31 16:00 UTC, June 30 16:00 UTC).
    start = datetime(2020, 5, 31, 16, tzinfo=UTC)
    end = datetime(2020, 6, 30, 16, tzinfo=UTC)
    assert period_from_interval(start, end, "month") == month_period(2020, 6)
    with pytest.raises(PeriodError, match="not one quarter"):
        period_from_interval(start, end, "quarter")


def test_interval_not_on_local_midnight_is_refused():
    with pytest.raises(PeriodError, match="not midnight"):
        period_from_interval(datetime(2020, 6, 1, tzinfo=UTC), datetime(2020, 7, 1, tzinfo=UTC),
                             "month")


def test_run_period_prefers_the_param_and_checks_its_kind():
    assert resolve_run_period("month", "2020-03", None, None) == month_period(2020, 3)
    with pytest.raises(PeriodError, match="'2020Q1' 是季度报告期，本 DAG 按月出表：报告期应为 YYYY-MM，如 2020-06"):
        resolve_run_period("month", "2020Q1", None, None)
    with pytest.raises(PeriodError, match="请填写报告期 period，应为 YYYY-MM，如 2020-06"):
        resolve_run_period("month", None, None, None)


def test_previous_and_year_shift():
    assert month_period(2020, 1).previous() == month_period(2019, 12)
    assert quarter_period(2020, 1).previous() == quarter_period(2019, 4)
    assert month_period(2020, 2).shift_years(-1) == month_period(2019, 2)
    assert [m.key for m in quarter_period(2020, 3).months()] == ["2020-07", "2020-08", "2020-09"]
