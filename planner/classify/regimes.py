"""Regimes: a level shift (change point) and a growth trend in a series, found on its daily
means. Pure, numpy, vectorised over rows of a regular grid (rows = series, NaN = missing).

**Level shift.** The series is averaged into days (from its first sample). Every split
into a "before" and an "after" with at least ``MIN_REGIME_DAYS`` days each is scored by how
much of the daily means' spread two levels explain (sum of squares within the two parts);
the best split is a **shift** when all of:

* the levels differ by at least ``MIN_SHIFT_RATIO`` of the larger one (a 30 % change);
* two levels fit the daily means at least twice as well as a straight line
  (``MAX_STEP_TO_LINE_SSE``): a ramp is a trend, not a shift;
* the difference is at least ``MIN_SHIFT_T`` standard errors of the daily means within the
  parts (a Welch-style t statistic on days).

The split is then placed at the hour (within a day either side) that best separates the
two levels. ``Regime.start_s`` is the time, from the first sample, from which the current
(last) regime runs.

**Trend.** A least-squares line through the daily means; ``trend_per_month`` is its slope
over 30.4 days (730 h) divided by the mean, ``trend_r2`` the share of the daily means'
variance it explains. Both NaN with under ``MIN_TREND_DAYS`` days.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planner.classify.series import FloatArray
from planner.classify.timeseries import SECONDS_PER_HOUR, bin_means, hourly, line_fit
from planner.model import HOURS_PER_MONTH

SECONDS_PER_DAY = 86400.0
MIN_REGIME_DAYS = 2
"""Each side of a level shift spans at least two days."""
MIN_SHIFT_RATIO = 0.3
"""The two levels differ by at least 30 % of the larger."""
MAX_STEP_TO_LINE_SSE = 0.5
"""Two levels leave at most half the squared error a line leaves."""
MIN_SHIFT_T = 5.0
"""The level difference is at least five standard errors of the daily means."""
MIN_TREND_DAYS = 2
"""Below two days a fitted slope says nothing about monthly growth: the trend is NaN."""


@dataclass(frozen=True, slots=True)
class Regime:
    """The current regime of one series and its trend (NaN: none found)."""

    start_s: float
    """Seconds from the first sample to the last level shift; NaN without a shift."""
    level_before: float
    level_after: float
    trend_per_month: float
    trend_r2: float


def regimes(matrix: FloatArray, step_s: float) -> list[Regime]:
    """Level shift and trend of each row (module doc)."""
    days, width = _daily(matrix, step_s)
    trend, r2, line_sse = _trend(days)
    shifts = _shifts_complete(days, line_sse)
    out = []
    # Python floats read once per column (the same values as ``float(trend[i])``)
    for i, (tr, fit) in enumerate(zip(trend.tolist(), r2.tolist(), strict=True)):
        shift = shifts[i] if i in shifts else _shift(days[i], line_sse[i])
        if shift is None:
            out.append(Regime(np.nan, np.nan, np.nan, tr, fit))
            continue
        day, before, after = shift
        start = _refine(matrix[i], step_s, day * width, before, after)
        out.append(Regime(start, before, after, tr, fit))
    return out


def _shifts_complete(
    days: FloatArray, line_sse: FloatArray
) -> dict[int, tuple[int, float, float] | None]:
    """``_shift`` of every row without a missing day, vectorised (same arithmetic)."""
    complete = np.flatnonzero(~np.isnan(days).any(axis=1))
    n = days.shape[1]
    if n < 2 * MIN_REGIME_DAYS or complete.size == 0:
        return {}
    x = days[complete]
    c1 = np.cumsum(x, axis=1)
    c2 = np.cumsum(x * x, axis=1)
    k = np.arange(MIN_REGIME_DAYS, n - MIN_REGIME_DAYS + 1)
    s1, q1 = c1[:, k - 1], c2[:, k - 1]
    s2, q2 = c1[:, -1:] - s1, c2[:, -1:] - q1
    n1, n2 = k.astype(np.float64), (n - k).astype(np.float64)
    sse = (q1 - s1 * s1 / n1) + (q2 - s2 * s2 / n2)
    j = np.argmin(sse, axis=1)
    rows = np.arange(complete.size)
    before, after = s1[rows, j] / n1[j], s2[rows, j] / n2[j]
    # rows whose levels are too close are no shift (``_judge``'s first test, the same
    # float arithmetic for finite levels): most rows, told in one array pass
    big = np.maximum(np.abs(before), np.abs(after))
    with np.errstate(invalid="ignore"):
        close = (big <= 0) | (np.abs(after - before) < MIN_SHIFT_RATIO * big)
    close &= np.isfinite(before) & np.isfinite(after)
    out: dict[int, tuple[int, float, float] | None] = dict.fromkeys(complete[close].tolist())
    for r, i in zip(np.flatnonzero(~close).tolist(), complete[~close].tolist(), strict=True):
        jj = int(j[r])
        out[i] = _judge(
            x[r],
            int(k[jj]),
            float(sse[r, jj]),
            float(line_sse[i]),
            (float(s1[r, jj] / n1[jj]), float(s2[r, jj] / n2[jj])),
        )
    return out


def _daily(matrix: FloatArray, step_s: float) -> tuple[FloatArray, float]:
    """Daily means of each row (NaN for a day less than half present), and the day's width
    in s."""
    if step_s >= SECONDS_PER_DAY:
        return matrix, step_s
    means, counts, starts = bin_means(matrix, step_s, SECONDS_PER_DAY)
    per_day = SECONDS_PER_DAY / step_s
    full = counts >= 0.5 * per_day
    full[:, -1] = counts[:, -1] >= 0.5 * (matrix.shape[1] - starts[-1])
    return np.where(full, means, np.nan), SECONDS_PER_DAY


def _trend(days: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(slope per month / mean, R^2, line SSE) of each row of daily means."""
    fit = line_fit(days)
    n = (~np.isnan(days)).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        r2 = np.where(fit.sst > 0, 1.0 - fit.sse / np.where(fit.sst > 0, fit.sst, 1.0), 0.0)
        per_month = fit.slope * HOURS_PER_MONTH / 24.0
        mean = np.where(fit.mean != 0, np.abs(fit.mean), 1.0)
        trend = np.where(np.abs(fit.mean) > 0, per_month / mean, 0.0)
    enough = n >= MIN_TREND_DAYS
    return np.where(enough, trend, np.nan), np.where(enough, r2, np.nan), fit.sse


def _shift(days: FloatArray, line_sse: float) -> tuple[int, float, float] | None:
    """(first day of the last regime, level before, level after) or None."""
    x = days[~np.isnan(days)]
    idx = np.flatnonzero(~np.isnan(days))
    n = x.size
    if n < 2 * MIN_REGIME_DAYS:
        return None
    c1 = np.cumsum(x)
    c2 = np.cumsum(x * x)
    k = np.arange(MIN_REGIME_DAYS, n - MIN_REGIME_DAYS + 1)
    s1, q1 = c1[k - 1], c2[k - 1]
    s2, q2 = c1[-1] - s1, c2[-1] - q1
    n1, n2 = k.astype(np.float64), (n - k).astype(np.float64)
    sse = (q1 - s1 * s1 / n1) + (q2 - s2 * s2 / n2)
    j = int(np.argmin(sse))
    split = int(k[j])
    levels = (float(s1[j] / n1[j]), float(s2[j] / n2[j]))
    judged = _judge(x, split, float(sse[j]), line_sse, levels)
    return None if judged is None else (int(idx[split]), judged[1], judged[2])


def _judge(
    x: FloatArray, split: int, sse: float, line_sse: float, levels: tuple[float, float]
) -> tuple[int, float, float] | None:
    """The best split of the daily means ``x`` as (split, before, after) when it is a shift
    (module doc), else None."""
    before, after = levels
    big = max(abs(before), abs(after))
    if big <= 0 or abs(after - before) < MIN_SHIFT_RATIO * big:
        return None
    if not sse <= MAX_STEP_TO_LINE_SSE * line_sse:
        return None
    n = x.size
    v1 = float(np.var(x[:split], ddof=1)) if split > 1 else 0.0
    v2 = float(np.var(x[split:], ddof=1)) if n - split > 1 else 0.0
    se = float(np.sqrt(v1 / split + v2 / (n - split)))
    if se > 0 and abs(after - before) < MIN_SHIFT_T * se:
        return None
    return split, before, after


def _refine(
    row: FloatArray, step_s: float, day_start_s: float, before: float, after: float
) -> float:
    """The hour, within a day either side of ``day_start_s``, after which the hourly means are
    nearest ``after`` and before which nearest ``before`` (seconds from the first sample)."""
    h, width = hourly(row[None, :], step_s)
    h = h[0]
    lo = max(1, int((day_start_s - SECONDS_PER_DAY) / width))
    hi = min(h.size - 1, int((day_start_s + SECONDS_PER_DAY) / width))
    if hi <= lo:
        return day_start_s
    best, best_cost = day_start_s, np.inf
    for c in range(lo, hi + 1):
        left = h[lo - 1 : c]
        right = h[c : hi + 1]
        cost = float(np.nansum((left - before) ** 2) + np.nansum((right - after) ** 2))
        if cost < best_cost:
            best, best_cost = c * width, cost
    return float(best) if width >= SECONDS_PER_HOUR else day_start_s
