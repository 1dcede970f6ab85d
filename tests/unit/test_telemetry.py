"""Tests for planner.classify series and features: the series type and every feature,
against numpy references."""

from __future__ import annotations

import math

import numpy as np
import pytest

from planner.classify import (
    FEATURE_NAMES,
    MetricSeries,
    features_of_matrix,
    hourly_correlation,
    normalise,
)
from planner.classify.features import features
from planner.model import Series

T0 = 1790812800.0  # 2026-10-01T00:00:00Z
HOUR = 3600.0
DAY = 86400.0


def _hours(n: int, step_s: float = HOUR) -> np.ndarray:
    return T0 + np.arange(n) * step_s


def _one(ts: np.ndarray, values: np.ndarray) -> dict[str, float]:
    return features([MetricSeries.of("w", "cpu", ts, values)])[0].as_dict()


def test_metric_series_sorts_averages_and_copies() -> None:
    """MetricSeries.of sorts, averages duplicates, and never aliases the caller's arrays."""
    ts = np.array([T0 + 3600, T0, T0])
    vals = np.array([3.0, 1.0, 2.0])
    s = MetricSeries.of("w", "cpu", ts, vals)
    assert s.timestamps_s.tolist() == [T0, T0 + 3600]
    assert s.values.tolist() == [1.5, 3.0]
    assert s.duplicates == 1
    assert ts.tolist() == [T0 + 3600, T0, T0]
    assert not s.values.flags.writeable
    assert s.unit == "cores"


def test_normalise_does_not_touch_inputs() -> None:
    """normalise returns new arrays even when nothing needs changing."""
    ts = np.array([T0, T0 + 1])
    vals = np.array([1.0, 2.0])
    out_ts, out_vals, dups = normalise(ts, vals)
    assert dups == 0
    assert out_ts is not ts
    assert out_vals is not vals


def test_from_model_series() -> None:
    """The model's tuple-based Series adapts to a MetricSeries."""
    s = MetricSeries.from_series(Series("w", "memory", (T0, T0 + 60), (1.0, 2.0)))
    assert s.metric == "memory"
    assert s.unit == "gib"
    assert len(s) == 2


def test_statistics_match_numpy() -> None:
    """mean, percentiles, max, CV agree with numpy on random data with gaps."""
    rng = np.random.default_rng(11)
    ts = _hours(500)
    vals = rng.gamma(2.0, 1.5, size=500)
    keep = rng.random(500) > 0.2
    f = _one(ts[keep], vals[keep])
    v = vals[keep]
    assert f["samples"] == keep.sum()
    assert f["mean"] == pytest.approx(v.mean())
    for q in (50, 95, 99):
        assert f[f"p{q}"] == pytest.approx(np.percentile(v, q))
    assert f["max"] == v.max()
    assert f["cv"] == pytest.approx(v.std() / v.mean())
    assert f["peak_to_mean"] == pytest.approx(v.max() / v.mean())
    assert f["p95_to_mean"] == pytest.approx(np.percentile(v, 95) / v.mean())


def test_coverage_and_days_with_gaps() -> None:
    """Coverage counts the expected slots between first and last sample."""
    ts = _hours(48)
    vals = np.ones(48)
    keep = np.ones(48, dtype=bool)
    keep[10:22] = False
    f = _one(ts[keep], vals[keep])
    assert f["days"] == pytest.approx(2.0)
    assert f["coverage"] == pytest.approx(36 / 48)
    assert f["step_s"] == 3600


@pytest.mark.parametrize(
    "step_s", [60.0, 300.0, 600.0, 900.0, 3600.0], ids=["1m", "5m", "10m", "15m", "1h"]
)
def test_any_interval_same_daily_cycle(step_s: float) -> None:
    """A 24 h sine over 14 days has the same daily autocorrelation at any interval."""
    n = int(14 * DAY / step_s)
    ts = _hours(n, step_s)
    vals = 2 + np.sin(2 * np.pi * (ts - T0) / DAY)
    f = _one(ts, vals)
    assert f["step_s"] == step_s
    assert f["days"] == pytest.approx(14.0)
    assert f["acf_24h"] > 0.98
    assert f["acf_168h"] > 0.98
    assert f["cv"] == pytest.approx(1 / (2 * math.sqrt(2)), rel=0.02)


def test_noise_has_no_periodicity() -> None:
    """White noise has daily and weekly autocorrelation near zero."""
    rng = np.random.default_rng(5)
    f = _one(_hours(24 * 30), 1 + 0.1 * rng.standard_normal(24 * 30))
    assert abs(f["acf_24h"]) < 0.1
    assert abs(f["acf_168h"]) < 0.1


def test_weekly_pattern_shows_at_168h() -> None:
    """A weekday/weekend pattern is stronger at 168 h than at 24 h, and its period is the
    week (the line removed from four weeks that end on a weekend keeps r just under 1)."""
    ts = _hours(24 * 28)
    day = ((ts - T0) // DAY).astype(int)
    vals = np.where(day % 7 < 5, 10.0, 2.0)
    f = _one(ts, vals)
    assert f["acf_168h"] > 0.95
    assert f["acf_168h"] > f["acf_24h"] + 0.3
    assert f["period_s"] == 7 * DAY


def test_periodicity_undefined_without_enough_data() -> None:
    """With under two weeks the weekly autocorrelation is NaN, not a guess."""
    f = _one(_hours(24 * 5), np.arange(24 * 5, dtype=float) % 24)
    assert math.isnan(f["acf_168h"])
    assert not math.isnan(f["acf_24h"])


def test_trend_relative_growth_per_month() -> None:
    """A series growing 10 % of its mean a month has trend_per_month 0.1; the trend does
    not leak into the daily autocorrelation."""
    ts = _hours(24 * 60)
    hours = (ts - T0) / HOUR
    vals = 100 * (1 + 0.1 * (hours - hours.mean()) / 730)
    f = _one(ts, vals)
    assert f["trend_per_month"] == pytest.approx(0.1, rel=1e-6)
    assert f["acf_24h"] == 0.0


def test_constant_series_is_defined() -> None:
    """A constant series has CV 0, duty cycle 1, no bursts and zero autocorrelation."""
    f = _one(_hours(24 * 20), np.full(24 * 20, 3.0))
    assert f["cv"] == 0.0
    assert f["duty_cycle"] == 1.0
    assert f["bursts_per_day"] == 0.0
    assert f["acf_24h"] == 0.0
    assert f["acf_168h"] == 0.0


def test_all_zero_series() -> None:
    """An all-zero series has mean 0, CV 0 and duty cycle 0 (never active)."""
    f = _one(_hours(48), np.zeros(48))
    assert f["mean"] == 0.0
    assert f["cv"] == 0.0
    assert f["duty_cycle"] == 0.0
    assert f["peak_to_mean"] == 1.0


def test_bursts_counted_with_duration() -> None:
    """Two 3-hour spikes a day over 10 days: 2 bursts a day lasting 3 h."""
    ts = _hours(240)
    hour = ((ts - T0) / HOUR).astype(int) % 24
    vals = np.where((hour < 3) | ((hour >= 12) & (hour < 15)), 10.0, 1.0)
    f = _one(ts, vals)
    assert f["bursts_per_day"] == pytest.approx(2.0)
    assert f["burst_mean_hours"] == pytest.approx(3.0)


def test_duty_cycle_of_on_off_load() -> None:
    """A job on 6 h a day has duty cycle 0.25."""
    ts = _hours(240)
    hour = ((ts - T0) / HOUR).astype(int) % 24
    f = _one(ts, np.where(hour < 6, 8.0, 0.01))
    assert f["duty_cycle"] == pytest.approx(0.25)


def test_empty_series() -> None:
    """An empty series has zero samples and NaN statistics."""
    f = features([MetricSeries.of("w", "cpu", [], [])])[0]
    assert f.samples == 0
    assert f.days == 0.0
    assert math.isnan(f.mean)


def test_batching_does_not_change_results() -> None:
    """Features are the same computed one by one, together, or in another order."""
    rng = np.random.default_rng(2)
    series = [
        MetricSeries.of(f"w{i}", "cpu", _hours(n), rng.random(n) * (i + 1))
        for i, n in enumerate((48, 48, 200, 48, 200, 30))
    ]
    together = [f.as_dict() for f in features(series)]
    alone = [features([s])[0].as_dict() for s in series]
    reverse = [f.as_dict() for f in features(series[::-1])][::-1]
    for a, b, c in zip(together, alone, reverse, strict=True):
        for name in FEATURE_NAMES:
            assert a[name] == pytest.approx(b[name], nan_ok=True)
            assert a[name] == pytest.approx(c[name], nan_ok=True)


def test_matrix_entry_point() -> None:
    """features_of_matrix treats NaN as missing and matches the series entry point."""
    rng = np.random.default_rng(9)
    m = rng.random((3, 96))
    m[1, ::4] = np.nan
    from_matrix = features_of_matrix(m, HOUR)
    s = MetricSeries.of("w", "cpu", _hours(96)[~np.isnan(m[1])], m[1][~np.isnan(m[1])])
    assert from_matrix[1].mean == pytest.approx(features([s])[0].mean)
    assert from_matrix[1].coverage == pytest.approx(0.75, abs=0.01)


def test_hourly_correlation() -> None:
    """Series that move together correlate at r = 1; fewer than 24 common hours is NaN."""
    ts = _hours(72)
    load = 1 + np.sin(2 * np.pi * (ts - T0) / DAY)
    a = MetricSeries.of("w", "gpu", ts, 0.1 + 0.5 * load)
    b = MetricSeries.of("w", "rps", ts, 100 * load)
    r, hours = hourly_correlation(a, b)
    assert r == pytest.approx(1.0)
    assert hours == 72
    r_short, _ = hourly_correlation(a, MetricSeries.of("w", "rps", ts[:10], load[:10]))
    assert math.isnan(r_short)
