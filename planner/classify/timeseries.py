"""Vectorised statistics over rows of a regular time grid (rows = series, NaN = missing
sample), and the hourly correlation of two series. Pure, numpy; ``features`` builds on them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from planner.classify.series import FloatArray, MetricSeries, mean_by_group

SECONDS_PER_HOUR = 3600.0


def row_quantiles(sorted_rows: FloatArray, n: npt.NDArray[np.int64], q: float) -> FloatArray:
    """The ``q`` quantile of each row's first ``n`` values (rows sorted ascending, NaN last),
    interpolated linearly between order statistics as ``numpy.percentile``; NaN when n is 0."""
    pos = q * np.maximum(n - 1, 0)
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, np.maximum(n - 1, 0))
    frac = pos - lo
    vlo = np.take_along_axis(sorted_rows, lo[:, None], axis=1)[:, 0]
    vhi = np.take_along_axis(sorted_rows, hi[:, None], axis=1)[:, 0]
    res = vlo + frac * (vhi - vlo)
    return np.where(n > 0, res, np.nan)


def safe_div(a: FloatArray, b: FloatArray, zero_over_zero: float = 0.0) -> FloatArray:
    """``a / b`` without warnings: x / 0 is inf, 0 / 0 is ``zero_over_zero``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(b != 0, a / np.where(b != 0, b, 1.0), np.where(a == 0, zero_over_zero, np.inf))
    return np.asarray(r, dtype=np.float64)


def bin_means(
    matrix: FloatArray, step_s: float, width_s: float
) -> tuple[FloatArray, FloatArray, npt.NDArray[np.intp]]:
    """Average a regular grid into bins of ``width_s`` (relative to the first column).
    Returns the means (NaN where a bin has no sample), the samples in each bin and each
    bin's first column."""
    n = matrix.shape[1]
    bin_of = np.floor(np.arange(n) * step_s / width_s).astype(np.int64)
    starts = np.flatnonzero(np.r_[True, bin_of[1:] != bin_of[:-1]])
    valid = ~np.isnan(matrix)
    sums = np.add.reduceat(np.where(valid, matrix, 0.0), starts, axis=1)
    counts = np.add.reduceat(valid.astype(np.float64), starts, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(counts > 0, sums / np.where(counts > 0, counts, 1.0), np.nan)
    return means, counts, starts


def hourly(matrix: FloatArray, step_s: float) -> tuple[FloatArray, float]:
    """Average a regular grid into bins of ``max(step, 1 h)`` (relative to the first
    column). Returns the binned matrix (NaN where a bin has no sample) and the bin width."""
    width = max(step_s, SECONDS_PER_HOUR)
    if width == step_s:
        return matrix, width
    return bin_means(matrix, step_s, width)[0], width


@dataclass(frozen=True, slots=True)
class LineFit:
    """A least-squares line through each row (columns 0, 1, 2 ...; NaN = missing)."""

    resid: FloatArray
    slope: FloatArray
    """Per column; 0 for a row with under two samples."""
    mean: FloatArray
    sse: FloatArray
    """Squared error the line leaves."""
    sst: FloatArray
    """Squared deviation from the mean (the line's R^2 is 1 - sse / sst)."""


def line_fit(h: FloatArray) -> LineFit:
    """The least-squares line through each row of ``h`` (missing values left out).
    Computed in place, without masking when nothing is missing (the same arithmetic,
    value for value, as ``line_fit_reference``)."""
    valid = ~np.isnan(h)
    if valid.all():
        return _line_fit_complete(h)
    n = valid.sum(axis=1).astype(np.float64)
    t = np.arange(h.shape[1], dtype=np.float64)[None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        tm = np.multiply(valid, t).sum(axis=1) / n
        x0 = np.where(valid, h, 0.0)
        xm = x0.sum(axis=1) / n
        d = np.subtract(t, tm[:, None])  # the time from each row's mean time
        dt = np.where(valid, d, 0.0)
        dx = np.subtract(h, xm[:, None], out=x0)
        dx[~valid] = 0.0
        sq = np.multiply(dt, dt)
        sxx = sq.sum(axis=1)
        sxy = np.multiply(dt, dx, out=sq).sum(axis=1)
        sst = np.multiply(dx, dx, out=sq).sum(axis=1)
        del dt, dx, sq
        slope = np.where(sxx > 0, sxy / np.where(sxx > 0, sxx, 1), 0.0)
    # h - (xm + slope * d), in d's buffer
    np.multiply(slope[:, None], d, out=d)
    np.add(xm[:, None], d, out=d)
    resid = np.subtract(h, d, out=d)
    sse = np.maximum(sst - slope * sxy, 0.0)
    return LineFit(resid, np.nan_to_num(slope), xm, sse, sst)


def _line_fit_complete(h: FloatArray) -> LineFit:
    """``line_fit`` of rows without a missing value: every row has the same mean time
    (the sum of 0 .. cols - 1 is exact in any order), so the time from it and its sum of
    squares are one row, computed once (the same floats as the reference's per-row ones)."""
    rows, cols = h.shape
    n = float(cols)
    t = np.arange(cols, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        tm = t.sum() / n
        xm = h.sum(axis=1) / n
        d = t - tm  # one row: the time from the mean time
        sxx = np.full(rows, (d * d).sum())
        dx = np.subtract(h, xm[:, None])
        sq = np.multiply(d, dx)
        sxy = sq.sum(axis=1)
        sst = np.multiply(dx, dx, out=sq).sum(axis=1)
        del dx, sq
        slope = np.where(sxx > 0, sxy / np.where(sxx > 0, sxx, 1), 0.0)
    # h - (xm + slope * d)
    fit = np.multiply(slope[:, None], d)
    np.add(xm[:, None], fit, out=fit)
    resid = np.subtract(h, fit, out=fit)
    sse = np.maximum(sst - slope * sxy, 0.0)
    return LineFit(resid, np.nan_to_num(slope), xm, sse, sst)


def line_fit_reference(h: FloatArray) -> LineFit:
    """``line_fit`` written plainly (one temporary per step): the reference its tests
    compare against, bit for bit."""
    valid = ~np.isnan(h)
    n = valid.sum(axis=1).astype(np.float64)
    t = np.arange(h.shape[1], dtype=np.float64)[None, :]
    x0 = np.where(valid, h, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        tm = (valid * t).sum(axis=1) / n
        xm = x0.sum(axis=1) / n
        dt = np.where(valid, t - tm[:, None], 0.0)
        dx = np.where(valid, h - xm[:, None], 0.0)
        sxx = (dt * dt).sum(axis=1)
        sxy = (dt * dx).sum(axis=1)
        sst = (dx * dx).sum(axis=1)
        slope = np.where(sxx > 0, sxy / np.where(sxx > 0, sxx, 1), 0.0)
    resid = h - (xm[:, None] + slope[:, None] * (t - tm[:, None]))
    sse = np.maximum(sst - slope * sxy, 0.0)
    return LineFit(resid, np.nan_to_num(slope), xm, sse, sst)


def detrend(h: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Remove a least-squares line from each row. Returns residuals, slope per bin, mean."""
    fit = line_fit(h)
    return fit.resid, fit.slope, fit.mean


def bursts(
    matrix: FloatArray, threshold: FloatArray
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Per row: number of runs above ``threshold`` and the samples in them."""
    with np.errstate(invalid="ignore"):
        hot = (matrix > threshold[:, None]) & (threshold[:, None] > 0)
    starts = hot.copy()
    starts[:, 1:] &= ~hot[:, :-1]
    return starts.sum(axis=1), hot.sum(axis=1)


def hourly_correlation(a: MetricSeries, b: MetricSeries) -> tuple[float, int]:
    """Pearson correlation of two series averaged into clock hours (UTC), over the hours
    both have. Returns (r, hours); r is NaN with fewer than 24 common hours."""
    ha = _clock_hours(a)
    hb = _clock_hours(b)
    common, ia, ib = np.intersect1d(ha[0], hb[0], assume_unique=True, return_indices=True)
    if common.size < 24:
        return math.nan, int(common.size)
    x = ha[1][ia]
    y = hb[1][ib]
    sx = float(np.std(x))
    sy = float(np.std(y))
    if sx == 0 or sy == 0:
        return 0.0, int(common.size)
    r = float(np.mean((x - x.mean()) * (y - y.mean())) / (sx * sy))
    return max(-1.0, min(1.0, r)), int(common.size)


def _clock_hours(s: MetricSeries) -> tuple[npt.NDArray[np.int64], FloatArray]:
    hours = np.floor(s.timestamps_s / SECONDS_PER_HOUR).astype(np.int64)
    uniq, inverse = np.unique(hours, return_inverse=True)
    return uniq, mean_by_group(inverse, s.values, uniq.size)
