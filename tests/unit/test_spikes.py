"""District spike alerts: the false-alarm rate they state holds on simulated counts without an
outbreak, and a planted outbreak is found with the clues behind it."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta

import numpy as np
import pytest

from chufei.core.settings import REFERENCE_DIR
from chufei.statistics.spikes import Event, fit_baseline, periods_before, spike_settings, spike_tests

REFERENCE = json.loads((REFERENCE_DIR / "early_warning.json").read_text(encoding="utf-8"))
SETTINGS = spike_settings()
WEEKLY = spike_settings({"spikes": {**REFERENCE["spikes"], "windows": {"week": REFERENCE["spikes"]["windows"]["week"]}}})
AS_OF = date(2023, 1, 2)  # a Monday: the week tested is 2022-12-26 … 2023-01-01


def test_the_stated_levels_are_read_from_reference_data():
    assert SETTINGS.alpha_per_test == REFERENCE["spikes"]["alpha_per_test"]
    assert SETTINGS.fdr_q == REFERENCE["spikes"]["fdr_q"]
    assert set(SETTINGS.windows) == {"week", "month"}


@pytest.mark.parametrize(("weeks", "seasonal_amplitude"), [(156, 0.5), (52, 0.0)])
def test_without_an_outbreak_a_single_test_alarms_at_most_alpha_of_the_time(weeks, seasonal_amplitude):
    rng = np.random.default_rng(20260)
    alpha, runs = SETTINGS.alpha_per_test, 600
    false_alarms = 0
    for _ in range(runs):
        t = np.arange(-weeks, 1)
        counts = rng.poisson(np.exp(1.0 + seasonal_amplitude * np.sin(2 * np.pi * t / 52.18)))
        false_alarms += fit_baseline(counts[:-1], int(counts[-1]), "week", SETTINGS).p_value <= alpha
    # the rate within two binomial standard errors above alpha
    assert false_alarms / runs <= alpha + 2 * (alpha * (1 - alpha) / runs) ** 0.5


def _city(rng: random.Random, weeks: int, end: date, means: dict[str, float]) -> list[Event]:
    """Poisson counts per area × source, each event on a random day of its week."""
    events = []
    first = end - timedelta(days=7 * weeks)
    for source in ("grid", "advert", "report"):
        for area in ("420704", "420703", "420702", "EZGD01", "EZLK01"):
            for week in range(weeks):
                for number in range(np.random.default_rng(rng.randrange(2**32)).poisson(means[source])):
                    day = first + timedelta(days=7 * week + rng.randrange(7))
                    events.append(Event(source, area, day, f"{source}-{area}-{week}-{number}"))
    return events


def test_without_an_outbreak_a_period_rarely_alarms_anywhere_in_the_city():
    rng = random.Random(14)
    means = {"grid": 4.0, "advert": 1.5, "report": 0.7}
    periods_with_alerts, periods = 0, 40
    for k in range(periods):
        as_of = AS_OF + timedelta(days=7 * k)
        report = spike_tests(_city(rng, 80, as_of, means), as_of, WEEKLY)
        keys = [(t.source, t.area) for t in report.tests if t.baseline]
        assert len(keys) == len(set(keys)) <= 15  # 5 areas × 3 sources, each at most once (a silent source: no data)
        periods_with_alerts += bool(report.alerts)
    # all alerts are false here, so BH bounds the chance of any alert in a period by fdr_q
    assert periods_with_alerts / periods <= SETTINGS.fdr_q + 2 * (SETTINGS.fdr_q / periods) ** 0.5


def test_a_planted_outbreak_is_an_alert_with_its_expected_observed_excess_and_clues():
    rng = random.Random(3)
    events = _city(rng, 80, AS_OF, {"grid": 4.0, "advert": 1.5, "report": 0.7})
    start, end = periods_before("week", AS_OF, 0)[0]
    planted = [Event("grid", "420703", start + timedelta(days=n % 7), f"WG-OUTBREAK-{n:02d}") for n in range(14)]
    report = spike_tests(events + planted, AS_OF, WEEKLY)
    alerts = [(t.source, t.area) for t in report.alerts]
    assert alerts == [("grid", "420703")]
    alert = report.alerts[0]
    observed = sum(1 for e in events + planted if e.source == "grid" and e.area == "420703" and start <= e.day < end)
    history = [sum(1 for e in events if e.source == "grid" and e.area == "420703"
                   and start - timedelta(days=7 * k) <= e.day < end - timedelta(days=7 * k)) for k in range(1, 81)]
    assert alert.observed == observed
    assert abs(alert.baseline.expected - sum(history) / len(history)) < 1.0  # a flat history: its mean
    assert alert.excess == pytest.approx(observed - alert.baseline.expected)
    assert {f"WG-OUTBREAK-{n:02d}" for n in range(14)} <= set(alert.refs)
    assert len(alert.refs) == observed


def test_a_past_outbreak_does_not_raise_the_baseline():
    rng = np.random.default_rng(5)
    history = rng.poisson(3.0, 104)
    history[60:64] += 25  # four weeks of an old outbreak
    baseline = fit_baseline(history, 12, "week", SETTINGS)
    assert baseline.downweighted >= 4
    assert baseline.expected < float(np.mean(np.delete(history, range(60, 64)))) + 0.6
    assert baseline.p_value <= SETTINGS.alpha_per_test  # 12 against a mean near 3 is still a spike


def test_a_source_silent_everywhere_is_no_data_not_a_zero():
    as_of = date(2020, 10, 5)
    start, _ = periods_before("week", as_of, 0)[0]
    # adverts only during a campaign that ended weeks ago; grid clues every week
    events = [Event("advert", "420704", start - timedelta(days=7 * k), f"ad{k}") for k in range(5, 40)]
    events += [Event("grid", "420704", start - timedelta(days=7 * k), f"g{k}") for k in range(0, 40)]
    report = spike_tests(events, as_of, WEEKLY)
    assert [(t.source, t.area) for t in report.tests] == [("grid", "420704")]


def test_too_short_a_history_is_said_not_tested():
    as_of = date(2020, 3, 2)
    start, _ = periods_before("week", as_of, 0)[0]
    events = [Event("grid", "420704", start - timedelta(days=7 * k), f"g{k}") for k in range(0, 5)]
    (test,) = spike_tests(events, as_of, WEEKLY).tests
    assert test.baseline is None
    assert not test.alert
    assert "未检验" in test.note


def test_the_adjusted_p_values_are_statsmodels_own_floats():
    from statsmodels.stats.multitest import multipletests

    from chufei.statistics.spikes import bh_adjusted

    rng = random.Random(5)
    for size in (1, 2, 7, 30):
        p_values = [rng.choice([rng.random(), rng.random() ** 6, 1.0, 0.5]) for _ in range(size)]  # ties too
        assert bh_adjusted(p_values) == multipletests(p_values, alpha=0.05, method="fdr_bh")[1].tolist()
