"""District spike alerts (区域异常升高预警): is this week's or month's count of an area's grid clues,
advert-screening hits or reports higher than its own history explains?

For every area × source × frequency (week, month) the last complete period is tested against a
baseline fitted on the periods before it, in the spirit of the Farrington method (Farrington et
al. 1996; Noufaily et al. 2013):

- a quasi-Poisson GLM (statsmodels) with a linear trend, kept only when it is significant and does
  not extrapolate beyond the history's maximum, and one pair of annual Fourier terms once the
  history covers ``seasonal_after`` periods (two years by default);
- past outbreaks are down-weighted: a period whose standardised Anscombe residual exceeds
  ``reweight_above`` gets weight s⁻², and the model is fitted again;
- the dispersion φ is the Pearson χ² over the residual degrees of freedom, never below 1;
- the current count is compared with a negative binomial of the baseline's mean and of variance
  φμ + Var(μ̂) (the prediction's own uncertainty included): p = P(Y ≥ observed). The test is discrete,
  so without an outbreak its false-alarm rate is at most ``alpha_per_test``.

Across the areas and sources of one period and frequency, the p-values go through Benjamini–Hochberg
at ``fdr_q``: an alert needs p ≤ ``alpha_per_test``, an adjusted p ≤ ``fdr_q`` and at least
``min_observed`` events. When no area has an outbreak, every alert is false, so the chance that a
period raises any alert at all is at most ``fdr_q``.

"No data is not 0": a period enters the history of a source only when the source has some event in
it somewhere in the city (the advert campaign runs May–September; months outside it are not zeros).

All settings, and their version, live in ``include/reference/early_warning.json`` under ``spikes``.
"""

from __future__ import annotations

import json
import math
import warnings
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from chufei.core.periods import month_period, week_start
from chufei.core.settings import REFERENCE_DIR
from chufei.core.sql import as_date, fetch_rows
from chufei.core.units import units

SOURCES = {"grid": "网格线索", "advert": "广告排查命中", "report": "举报线索"}
FREQUENCIES = {"week": "周", "month": "月"}
CYCLE = {"week": 365.25 / 7, "month": 12.0}  # periods per year, for the seasonal terms


@dataclass(frozen=True)
class Window:
    baseline: int  # at most this many periods before the current one are fitted
    min_history: int  # fewer observed periods than this: no test
    seasonal_after: int  # from this many observed periods on, annual seasonal terms enter


@dataclass(frozen=True)
class SpikeSettings:
    version: str
    alpha_per_test: float
    fdr_q: float
    reweight_above: float
    trend_p: float
    min_observed: int
    windows: dict[str, Window]


def spike_settings(reference: dict | None = None) -> SpikeSettings:
    """The ``spikes`` section of include/reference/early_warning.json (or of ``reference``)."""
    if reference is None:
        reference = json.loads((REFERENCE_DIR / "early_warning.json").read_text(encoding="utf-8"))
    spec = reference["spikes"]
    return SpikeSettings(
        version=spec["version"], alpha_per_test=float(spec["alpha_per_test"]), fdr_q=float(spec["fdr_q"]),
        reweight_above=float(spec["reweight_above"]), trend_p=float(spec["trend_p"]),
        min_observed=int(spec["min_observed"]),
        windows={name: Window(int(w["baseline"]), int(w["min_history"]), int(w["seasonal_after"]))
                 for name, w in spec["windows"].items()})


@dataclass(frozen=True)
class Event:
    source: str  # a key of SOURCES
    area: str  # 区县代码 / the reporting unit's code
    day: date
    ref: str | None  # what an officer looks up: 线索编号, 举报编号, or the advert's file (sha256 prefix) and row
    count: int = 1  # several events of the day and area at once (then without their refs)


@dataclass(frozen=True)
class Baseline:
    expected: float  # μ̂ of the current period
    variance: float  # φμ̂ + Var(μ̂)
    dispersion: float  # φ ≥ 1
    threshold: int  # the smallest count that is significant at alpha_per_test on its own
    p_value: float
    history: int  # observed periods fitted
    trend: bool
    seasonal: bool
    downweighted: int  # history periods down-weighted as past outbreaks


@dataclass(frozen=True)
class SpikeTest:
    frequency: str
    source: str
    area: str
    start: date
    end: date  # exclusive
    observed: int
    baseline: Baseline | None  # None: too little history (see note)
    refs: tuple[str, ...]
    note: str = ""
    adjusted_p: float | None = None
    alert: bool = False

    @property
    def excess(self) -> float | None:
        return None if self.baseline is None else self.observed - self.baseline.expected


@dataclass
class SpikeReport:
    as_of: date
    settings: SpikeSettings
    tests: list[SpikeTest] = field(default_factory=list)

    @property
    def alerts(self) -> list[SpikeTest]:
        return [t for t in self.tests if t.alert]


# ---------------------------------------------------------------- the baseline of one series

def _upper_tail(observed: int, mean: float, variance: float) -> float:
    """P(Y ≥ observed) for a negative binomial of this mean and variance (Poisson when not over-dispersed)."""
    from scipy.stats import nbinom, poisson

    if observed <= 0:
        return 1.0
    if variance <= mean * (1 + 1e-9):
        return float(poisson.sf(observed - 1, mean))
    size = mean * mean / (variance - mean)
    return float(nbinom.sf(observed - 1, size, size / (size + mean)))


def _threshold(alpha: float, mean: float, variance: float) -> int:
    from scipy.stats import nbinom, poisson

    if variance <= mean * (1 + 1e-9):
        return int(poisson.isf(alpha, mean)) + 1
    size = mean * mean / (variance - mean)
    return int(nbinom.isf(alpha, size, size / (size + mean))) + 1


def _design(times, trend: bool, seasonal: bool, cycle: float):
    import numpy as np

    columns = [np.ones_like(times, dtype=float)]
    if trend:
        columns.append(times / max(cycle, 1.0))  # per year: keeps the coefficients of one scale
    if seasonal:
        angle = 2 * np.pi * times / cycle
        columns += [np.sin(angle), np.cos(angle)]
    return np.column_stack(columns)


def _fit_once(y, design, weights):
    import numpy as np
    import statsmodels.api as sm

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = sm.GLM(y, design, family=sm.families.Poisson(), var_weights=weights).fit(scale="X2")
    if not np.all(np.isfinite(result.params)):
        raise ValueError("GLM did not converge")
    return result


def _standardised_residuals(y, design, weights, result, dispersion):
    """Anscombe residuals over sqrt(φ(1 − h)), h the leverage of the weighted fit."""
    import numpy as np

    mu = result.mu
    working = weights * mu
    information = design.T @ (design * working[:, None])
    leverage = working * np.einsum("ij,jk,ik->i", design, np.linalg.pinv(information), design)
    anscombe = 1.5 * (np.power(y, 2 / 3) - np.power(mu, 2 / 3)) / np.power(mu, 1 / 6)
    return anscombe / np.sqrt(dispersion * np.clip(1 - leverage, 1e-6, None))


def fit_baseline(history: Sequence[int], observed: int, frequency: str, settings: SpikeSettings,
                 offsets: Sequence[int] | None = None) -> Baseline:
    """The baseline of the current period from ``history`` (oldest first). ``offsets`` are the
    history periods' distances before the current one (1 = the period just before); by default
    the history is contiguous."""
    import numpy as np

    y = np.asarray(history, dtype=float)
    n = len(y)
    times = -np.asarray(offsets if offsets is not None else range(n, 0, -1), dtype=float)
    cycle = CYCLE[frequency]
    window = settings.windows[frequency]
    seasonal = n >= window.seasonal_after
    alpha = settings.alpha_per_test
    if y.sum() == 0:  # nothing ever happened: half an event over the whole history as the mean
        mean = 0.5 / n
        return Baseline(mean, mean, 1.0, _threshold(alpha, mean, mean), _upper_tail(observed, mean, mean),
                        n, False, False, 0)
    for trend in (True, False):
        design = _design(times, trend, seasonal, cycle)
        try:
            weights = np.ones(n)
            result = _fit_once(y, design, weights)
            dispersion = max(float(result.scale), 1.0)
            residuals = _standardised_residuals(y, design, weights, result, dispersion)
            outbreak = residuals > settings.reweight_above
            if outbreak.any():
                weights = np.where(outbreak, 1 / np.square(np.maximum(residuals, settings.reweight_above)), 1.0)
                weights *= n / weights.sum()  # Farrington's γ: the weights still sum to n
                result = _fit_once(y, design, weights)
                dispersion = max(float(result.scale), 1.0)
        except (ValueError, np.linalg.LinAlgError):
            continue
        current = _design(np.zeros(1), trend, seasonal, cycle)[0]
        mean = float(np.exp(current @ result.params))
        if trend and (result.pvalues[1] > settings.trend_p or mean > y.max()):
            continue  # an insignificant or runaway trend: Farrington drops it
        scale = float(result.scale)
        covariance = result.cov_params() * (dispersion / scale if scale > 0 else 1.0)
        variance = dispersion * mean + mean * mean * float(current @ covariance @ current)
        return Baseline(mean, variance, dispersion, _threshold(alpha, mean, variance),
                        _upper_tail(observed, mean, variance), n, trend, seasonal, int(outbreak.sum()))
    # no model fits (e.g. a single non-zero period): the weighted mean, Poisson
    mean = float(y.mean())
    return Baseline(mean, mean, 1.0, _threshold(alpha, mean, mean), _upper_tail(observed, mean, mean),
                    n, False, False, 0)


# ---------------------------------------------------------------- periods and counts

def periods_before(frequency: str, as_of: date, count: int) -> list[tuple[date, date]]:
    """The last complete period before ``as_of`` (exclusive) and the ``count`` before it, oldest first."""
    if frequency == "week":
        end = week_start(as_of)
        return [(end - timedelta(days=7 * (k + 1)), end - timedelta(days=7 * k)) for k in range(count, -1, -1)]
    month = month_period(as_of.year, as_of.month).previous()
    spans = []
    for _ in range(count + 1):
        spans.append((month.start, month.end))
        month = month.previous()
    return spans[::-1]


def _index_of(spans: list[tuple[date, date]], frequency: str):
    """A function from a day to its period's index in ``spans`` (None outside them)."""
    first, last = spans[0][0], spans[-1][1]
    if frequency == "week":
        return lambda day: (day - first).days // 7 if first <= day < last else None
    return lambda day: ((day.year - first.year) * 12 + day.month - first.month) if first <= day < last else None


def bh_adjusted(p_values: Sequence[float]) -> list[float]:
    """Benjamini–Hochberg adjusted p-values, the same floats as statsmodels' ``multipletests(…,
    method="fdr_bh")`` (the same operations), without importing statsmodels for them."""
    import numpy as np

    p = np.asarray(p_values)
    order = np.argsort(p)
    ranked = np.take(p, order)
    ecdf = np.arange(1, len(ranked) + 1) / float(len(ranked))
    adjusted = np.minimum.accumulate((ranked / ecdf)[::-1])[::-1]
    adjusted[adjusted > 1] = 1
    unsorted = np.empty_like(adjusted)
    unsorted[order] = adjusted
    return unsorted.tolist()


def spike_tests(events: Iterable[Event], as_of: date, settings: SpikeSettings | None = None,
                areas: dict[str, Iterable[str]] | None = None, fit=None) -> SpikeReport:  # noqa: ANN001
    """Every area × source × frequency test of the last complete periods before ``as_of``, with
    Benjamini–Hochberg across the areas and sources of each frequency. ``areas`` (source → area
    codes) adds areas to test that had no event at all; by default the areas seen in ``events``.
    ``fit``: what fits a baseline, with ``fit_baseline``'s arguments (by default ``fit_baseline``)."""
    fit = fit or fit_baseline
    settings = settings or spike_settings()
    events = list(events)
    report = SpikeReport(as_of=as_of, settings=settings)
    for frequency, window in settings.windows.items():
        spans = periods_before(frequency, as_of, window.baseline)
        index = _index_of(spans, frequency)
        counts: dict[tuple[str, str], list[int]] = {}
        refs: dict[tuple[str, str], list[str]] = defaultdict(list)
        active: dict[str, set[int]] = defaultdict(set)
        seen: dict[str, set[str]] = defaultdict(set)
        for source, codes in (areas or {}).items():
            seen[source].update(codes)
        for event in events:
            position = index(event.day)
            if position is None:
                continue
            key = (event.source, event.area)
            seen[event.source].add(event.area)
            counts.setdefault(key, [0] * len(spans))[position] += event.count
            active[event.source].add(position)
            if position == len(spans) - 1 and event.ref is not None:
                refs[key].append(event.ref)
        tests: list[SpikeTest] = []
        current = len(spans) - 1
        start, end = spans[current]
        for source in SOURCES:
            for area in sorted(seen.get(source, ())):
                series = counts.get((source, area), [0] * len(spans))
                observed = series[current]
                history_positions = sorted(p for p in active[source] if p < current)
                if current not in active[source]:
                    continue  # the source reported nothing anywhere this period: no data, no test
                if len(history_positions) < window.min_history:
                    tests.append(SpikeTest(frequency, source, area, start, end, observed, None,
                                           tuple(sorted(refs[(source, area)])),
                                           note=f"历史仅 {len(history_positions)} 期，少于 {window.min_history} 期，未检验"))
                    continue
                baseline = fit([series[p] for p in history_positions], observed, frequency, settings,
                               offsets=[current - p for p in history_positions])
                tests.append(SpikeTest(frequency, source, area, start, end, observed, baseline,
                                       tuple(sorted(refs[(source, area)]))))
        tested = [t for t in tests if t.baseline is not None]
        if tested:
            adjusted = bh_adjusted([t.baseline.p_value for t in tested])
            adjusted_of = {id(t): float(q) for t, q in zip(tested, adjusted, strict=True)}
            tests = [_decided(t, adjusted_of.get(id(t)), settings) for t in tests]
        report.tests.extend(tests)
    return report


def _decided(test: SpikeTest, adjusted: float | None, settings: SpikeSettings) -> SpikeTest:
    if test.baseline is None or adjusted is None:
        return test
    alert = (test.baseline.p_value <= settings.alpha_per_test and adjusted <= settings.fdr_q
             and test.observed >= settings.min_observed)
    return replace(test, adjusted_p=adjusted, alert=alert)


# ---------------------------------------------------------------- from the warehouse

def load_events(engine, range_start: date, range_end: date, refs_from: date | None = None) -> list[Event]:
    """Grid clues, advert-screening hits and reports dated in [range_start, range_end); the grid's
    clues before ``refs_from`` (default: all of them one by one) as counts per area and day (kept
    in the warehouse: brought up to date first)."""
    from chufei.warehouse.grid_days import refresh_clue_days

    refresh_clue_days(engine)
    events = []
    for row in fetch_rows(engine, "spike_grid_events", range_start=range_start, range_end=range_end,
                          refs_from=refs_from or range_start):
        day = row["day"]
        day = day.date() if isinstance(day, datetime) else as_date(day)
        events.append(Event("grid", row["district_code"], day, row["clue_no"], int(row["clues"])))
    for row in fetch_rows(engine, "spike_advert_events", range_start=range_start, range_end=range_end):
        events.append(Event("advert", row["unit_code"], as_date(row["screened_date"]),
                            f"{row['file_sha256'][:12]}#{row['row_no']}"))
    for row in fetch_rows(engine, "spike_report_events", range_start=range_start, range_end=range_end):
        events.append(Event("report", row["unit_code"], as_date(row["received_date"]), row["report_no"]))
    return events


def spike_alerts(engine, as_of: date, settings: SpikeSettings | None = None) -> SpikeReport:
    """The spike tests of the last complete week and month before ``as_of``, from the warehouse.
    The baselines fitted are kept (``spike_baseline``, by their inputs): the next run refits only
    the series whose history or count changed, and imports no model when none did."""
    settings = settings or spike_settings()
    earliest = min(periods_before(frequency, as_of, window.baseline)[0][0]
                   for frequency, window in settings.windows.items())
    tested = min(periods_before(frequency, as_of, 0)[-1][0] for frequency in settings.windows)
    territorial = [u.code for u in units() if u.kind == "territorial"]
    events = load_events(engine, earliest, as_of, refs_from=tested)
    fits = _KeptFits(engine)
    report = spike_tests(events, as_of, settings, areas={"grid": territorial, "report": territorial}, fit=fits)
    fits.keep()
    return report


# Any change to how a baseline is fitted must change this, so that no kept fit of the old way is reused.
FIT_REVISION = "1"


class _KeptFits:
    """``fit_baseline`` answered from the fits kept by the last run where the inputs are the same
    (the same floats: a Baseline goes through JSON exactly); ``keep`` then stores the fits this run
    used, and only those."""

    def __init__(self, engine) -> None:  # noqa: ANN001
        from sqlalchemy import select

        from chufei.warehouse.entity_schema import spike_baseline

        self.engine = engine
        with engine.connect() as connection:
            self.kept = dict(connection.execute(select(spike_baseline.c.key, spike_baseline.c.baseline)).all())
        self.used: dict[str, Baseline] = {}

    def __call__(self, history: Sequence[int], observed: int, frequency: str, settings: SpikeSettings,
                 offsets: Sequence[int] | None = None) -> Baseline:
        key = _fit_key(history, observed, frequency, settings, offsets)
        if key in self.used:
            return self.used[key]
        kept = self.kept.get(key)
        baseline = Baseline(**json.loads(kept)) if kept is not None else \
            fit_baseline(history, observed, frequency, settings, offsets=offsets)
        self.used[key] = baseline
        return baseline

    def keep(self) -> None:
        from dataclasses import asdict

        from sqlalchemy import delete

        from chufei.inbox.claims import serialize
        from chufei.warehouse.bulk import insert_rows
        from chufei.warehouse.entity_schema import spike_baseline

        if set(self.used) == set(self.kept):
            return
        with self.engine.begin() as connection:
            serialize(connection, "chufei.spike_baseline")
            connection.execute(delete(spike_baseline))
            insert_rows(connection, spike_baseline, [{"key": key, "baseline": json.dumps(asdict(baseline))}
                                                     for key, baseline in sorted(self.used.items())])


def _fit_key(history: Sequence[int], observed: int, frequency: str, settings: SpikeSettings,
             offsets: Sequence[int] | None) -> str:
    """What a fit depends on: its inputs, the settings, this module's way of fitting and the
    versions of the libraries that fit."""
    import hashlib
    from dataclasses import asdict
    from importlib.metadata import version

    inputs = {"history": [int(v) for v in history], "observed": int(observed), "frequency": frequency,
              "offsets": None if offsets is None else [int(v) for v in offsets], "settings": asdict(settings),
              "revision": FIT_REVISION, "libraries": [version(name) for name in ("numpy", "scipy", "statsmodels")]}
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


def area_name(code: str) -> str:
    return {u.code: u.name for u in units()}.get(code, code)


def describe(test: SpikeTest) -> str:
    """One Chinese sentence per alert: area, source, period, observed against expected."""
    base = test.baseline
    period = f"{test.start.isoformat()}—{(test.end - timedelta(days=1)).isoformat()}"
    if base is None:
        return f"{area_name(test.area)}{SOURCES[test.source]}（{FREQUENCIES[test.frequency]}，{period}）：{test.note}"
    return (f"{area_name(test.area)}{SOURCES[test.source]}（{FREQUENCIES[test.frequency]}，{period}）"
            f"实际 {test.observed} 件，基线预期 {base.expected:.1f} 件，超出 {test.excess:.1f} 件"
            f"（p={base.p_value:.2g}，BH 校正后 {test.adjusted_p:.2g}）")


def rounded(value: float, places: int = 2) -> float:
    """Figures of a model, not counts: shown to two places (never used in a sum)."""
    return float(round(value, places)) if math.isfinite(value) else value
