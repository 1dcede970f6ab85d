"""Utilisation series -> features (pure, numpy).

``features`` turns many ``MetricSeries`` into one ``Features`` each, vectorised: series
that share a sampling interval and length are stacked into 2-D arrays (rows = series,
columns = a regular time grid with NaN where a sample is missing) and every statistic is
computed for all rows at once.

How each feature is computed (``Features`` field names):

* The **grid**: the sampling interval ``step_s`` is the 10th percentile of the gaps
  between consecutive samples (rounded to a whole second; missing samples only lengthen
  gaps, so this finds the interval through gaps); each sample is put on the nearest grid
  slot from the first sample. ``samples`` present, ``coverage`` = samples / expected
  samples between first and last at an interval of at most 1 h (hourly-or-finer data is
  complete at its own interval; 4-hourly data has coverage 0.25), ``days`` = (last -
  first + step) / 86,400 s.
* ``mean``, ``p50``, ``p95``, ``p99``, ``max`` over present samples (linear interpolation
  between order statistics, as ``numpy.percentile``). ``cv`` = standard deviation / mean,
  ``peak_to_mean`` = max / mean, ``p95_to_mean`` = p95 / mean, ``p99_to_mean``.
* ``duty_cycle``: fraction of present samples above ``ACTIVE_FRACTION_OF_P99`` (20 %) of
  the series' own p99 - 1.0 for anything that never rests, the "on" fraction of on/off
  batch load.
* **Bursts**: a sample is in a burst when it exceeds both ``BURST_FACTOR_OF_P50`` (2) times
  the median and mean + 1 standard deviation; a burst is a run of such samples.
  ``bursts_per_day`` and ``burst_mean_hours`` (mean run length).
* **Periodicity**: the series is averaged into hourly bins (hours since its first sample;
  bins with no sample are missing), a least-squares line is removed, and ``acf_24h`` /
  ``acf_168h`` are the Pearson correlations between the residual and itself 24 h / 168 h
  later over the pairs where both are present. NaN unless there are at least one full
  period of pairs (more than 48 h / 336 h of data). A constant series has 0.
* ``trend_per_month``: slope of that line, in units per month (730 h), divided by the mean
  (so 0.1 = +10 % a month); NaN with less than ``MIN_TREND_DAYS`` (2) of data.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np
import numpy.typing as npt

from planner.classify.series import FloatArray, MetricSeries
from planner.classify.timeseries import (
    SECONDS_PER_HOUR,
    acf,
    bursts,
    detrend,
    hourly,
    row_quantiles,
    safe_div,
)
from planner.model import HOURS_PER_MONTH

SECONDS_PER_DAY = 86400.0
ACTIVE_FRACTION_OF_P99 = 0.2
"""A sample counts towards the duty cycle when above this fraction of the series' p99."""
BURST_FACTOR_OF_P50 = 2.0
"""A burst sample exceeds this multiple of the median (and mean + 1 standard deviation)."""
MIN_TREND_DAYS = 2.0
"""Below two days a fitted slope says nothing about monthly growth: the trend is NaN."""
STEP_PERCENTILE = 10.0
"""The sampling interval is this percentile of the gaps between samples: robust to missing
samples (which only lengthen gaps) as long as a tenth of the gaps are whole intervals."""
ROWS_PER_BATCH = 2048
"""Series stacked per 2-D batch: bounds the working memory of ``features``."""


@dataclass(frozen=True, slots=True)
class Features:
    """Features of one series; NaN where a feature is undefined (see the module doc)."""

    samples: int
    step_s: float
    days: float
    coverage: float
    mean: float
    p50: float
    p95: float
    p99: float
    max: float
    cv: float
    peak_to_mean: float
    p95_to_mean: float
    p99_to_mean: float
    duty_cycle: float
    acf_24h: float
    acf_168h: float
    trend_per_month: float
    bursts_per_day: float
    burst_mean_hours: float
    duplicates: int = 0

    def as_dict(self) -> dict[str, float]:
        return {f.name: float(getattr(self, f.name)) for f in fields(self)}


FEATURE_NAMES: tuple[str, ...] = tuple(f.name for f in fields(Features))


@dataclass(frozen=True, slots=True)
class _Grid:
    step_s: float
    slots: npt.NDArray[np.int64]
    values: FloatArray
    n_grid: int


def _grid(s: MetricSeries) -> _Grid | None:
    ts = s.timestamps_s
    if ts.size == 0:
        return None
    step = SECONDS_PER_HOUR
    if ts.size > 1:
        step = max(1.0, float(np.rint(np.percentile(np.diff(ts), STEP_PERCENTILE))))
    slots = np.rint((ts - ts[0]) / step).astype(np.int64)
    return _Grid(step, slots, s.values, int(slots[-1]) + 1)


def features(series: Sequence[MetricSeries]) -> list[Features]:
    """Features of each series, in order. Vectorised over series of equal interval and
    length."""
    grids = [_grid(s) for s in series]
    out: list[Features | None] = [None] * len(series)
    groups: dict[tuple[float, int], list[int]] = {}
    for i, g in enumerate(grids):
        if g is None:
            out[i] = _empty_features()
        else:
            groups.setdefault((g.step_s, g.n_grid), []).append(i)
    for (step, n_grid), members in groups.items():
        for start in range(0, len(members), ROWS_PER_BATCH):
            chunk = members[start : start + ROWS_PER_BATCH]
            matrix = np.full((len(chunk), n_grid), np.nan)
            for row, i in enumerate(chunk):
                g = grids[i]
                assert g is not None
                matrix[row, g.slots] = g.values
            dups = [series[i].duplicates for i in chunk]
            for i, f in zip(chunk, _matrix_features(matrix, step, dups), strict=True):
                out[i] = f
    return [f if f is not None else _empty_features() for f in out]


def features_of_matrix(
    matrix: FloatArray, step_s: float, duplicates: Sequence[int] | None = None
) -> list[Features]:
    """Features of each row of a regular grid (rows = series, NaN = missing sample)."""
    dups = list(duplicates) if duplicates is not None else [0] * matrix.shape[0]
    out: list[Features] = []
    for start in range(0, matrix.shape[0], ROWS_PER_BATCH):
        out.extend(_matrix_features(matrix[start : start + ROWS_PER_BATCH], step_s, dups[start:]))
    return out


def _empty_features() -> Features:
    nan = math.nan
    return Features(
        samples=0,
        step_s=nan,
        days=0.0,
        coverage=0.0,
        mean=nan,
        p50=nan,
        p95=nan,
        p99=nan,
        max=nan,
        cv=nan,
        peak_to_mean=nan,
        p95_to_mean=nan,
        p99_to_mean=nan,
        duty_cycle=nan,
        acf_24h=nan,
        acf_168h=nan,
        trend_per_month=nan,
        bursts_per_day=nan,
        burst_mean_hours=nan,
    )


def _matrix_features(matrix: FloatArray, step_s: float, dups: Sequence[int]) -> list[Features]:
    valid = ~np.isnan(matrix)
    n = valid.sum(axis=1).astype(np.int64)
    n_f = n.astype(np.float64)
    cols = matrix.shape[1]
    first = np.where(n > 0, np.argmax(valid, axis=1), 0)
    last = np.where(n > 0, cols - 1 - np.argmax(valid[:, ::-1], axis=1), -1)
    span = (last - first + 1).astype(np.float64)
    days = np.where(n > 0, span * step_s / SECONDS_PER_DAY, 0.0)
    # coverage is counted against an interval of at most 1 h: coarser data is incomplete
    expected = span * max(1.0, step_s / SECONDS_PER_HOUR)
    coverage = np.where(span > 0, n_f / np.where(span > 0, expected, 1), 0.0)

    x0 = np.where(valid, matrix, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = x0.sum(axis=1) / n_f
        var = (np.where(valid, matrix - mean[:, None], 0.0) ** 2).sum(axis=1) / n_f
    std = np.sqrt(np.maximum(var, 0.0))
    srt = np.sort(matrix, axis=1)
    p50 = row_quantiles(srt, n, 0.50)
    p95 = row_quantiles(srt, n, 0.95)
    p99 = row_quantiles(srt, n, 0.99)
    mx = row_quantiles(srt, n, 1.0)
    del srt

    with np.errstate(invalid="ignore"):
        active = (matrix > (ACTIVE_FRACTION_OF_P99 * p99)[:, None]) | (
            valid & (p99 <= 0)[:, None] & (matrix > 0)
        )
    duty = safe_div(active.sum(axis=1).astype(np.float64), n_f)

    threshold = np.maximum(BURST_FACTOR_OF_P50 * p50, mean + std)
    n_bursts, burst_samples = bursts(matrix, np.nan_to_num(threshold, nan=0.0))
    bursts_per_day = safe_div(n_bursts.astype(np.float64), days)
    burst_h = (burst_samples * (step_s / SECONDS_PER_HOUR)).astype(np.float64)
    burst_hours = safe_div(burst_h, n_bursts.astype(np.float64))

    h, width = hourly(matrix, step_s)
    resid, slope, hmean = detrend(h)
    lag24 = round(24 * SECONDS_PER_HOUR / width)
    lag168 = round(168 * SECONDS_PER_HOUR / width)
    acf24 = acf(resid, lag24) if width <= 24 * SECONDS_PER_HOUR else np.full(len(n), np.nan)
    acf168 = acf(resid, lag168)
    # a residual at rounding level (a constant or a pure line) has no cycle at all
    r_ok = ~np.isnan(resid)
    with np.errstate(invalid="ignore", divide="ignore"):
        resid_rms = np.sqrt(np.where(r_ok, resid * resid, 0.0).sum(axis=1) / r_ok.sum(axis=1))
    flat = resid_rms <= 1e-9 * (np.abs(mean) + std)
    acf24 = np.where(flat & ~np.isnan(acf24), 0.0, acf24)
    acf168 = np.where(flat & ~np.isnan(acf168), 0.0, acf168)
    per_month = slope * (HOURS_PER_MONTH * SECONDS_PER_HOUR / width)
    trend = np.where(days >= MIN_TREND_DAYS, safe_div(per_month, np.abs(hmean)), np.nan)

    cv = safe_div(std, mean)
    ptm = safe_div(mx, mean, 1.0)
    p95m = safe_div(p95, mean, 1.0)
    p99m = safe_div(p99, mean, 1.0)

    out: list[Features] = []
    for i in range(matrix.shape[0]):
        if n[i] == 0:
            out.append(_empty_features())
            continue
        out.append(
            Features(
                samples=int(n[i]),
                step_s=float(step_s),
                days=float(days[i]),
                coverage=float(coverage[i]),
                mean=float(mean[i]),
                p50=float(p50[i]),
                p95=float(p95[i]),
                p99=float(p99[i]),
                max=float(mx[i]),
                cv=float(cv[i]),
                peak_to_mean=float(ptm[i]),
                p95_to_mean=float(p95m[i]),
                p99_to_mean=float(p99m[i]),
                duty_cycle=float(duty[i]),
                acf_24h=float(acf24[i]),
                acf_168h=float(acf168[i]),
                trend_per_month=float(trend[i]),
                bursts_per_day=float(bursts_per_day[i]),
                burst_mean_hours=float(burst_hours[i]),
                duplicates=int(dups[i]) if i < len(dups) else 0,
            )
        )
    return out
