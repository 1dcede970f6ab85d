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
* **Regimes** (``planner.classify.regimes``): ``shift_at_days`` (days from the first sample
  to a level shift, NaN without one), ``level_before`` / ``level_after`` (the daily-mean
  levels either side), ``trend_per_month`` (the slope of a line through the daily means
  over a month, divided by the mean: 0.1 = +10 % a month; NaN under two days) and
  ``trend_r2`` (the share of the daily means' variance the line explains).
* **Periodicity** (``planner.classify.periods``), at the series' own interval: the level
  of each regime and a least-squares line are removed, and the autocorrelation at every
  lag from 10 minutes to 7 days gives ``period_s`` (the fundamental period, NaN when there
  is no real cycle), ``acf_period`` (the autocorrelation one period later),
  ``period_prominence`` and ``period_repeats``; ``acf_24h`` / ``acf_168h`` are the
  autocorrelation at 24 h and 168 h (NaN without two days / two weeks of data). A constant
  series has 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields
from operator import attrgetter
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from planner.classify.periods import ROWS_PER_FFT, fit_periods
from planner.classify.regimes import Regime, regimes
from planner.classify.series import FloatArray, MetricSeries
from planner.classify.timeseries import (
    SECONDS_PER_HOUR,
    bursts,
    detrend,
    row_quantiles,
    safe_div,
)

SECONDS_PER_DAY = 86400.0
ACTIVE_FRACTION_OF_P99 = 0.2
"""A sample counts towards the duty cycle when above this fraction of the series' p99."""
ON_OFF_MAX_DUTY = 0.5
"""Load active at most half the time is on/off: its busy spells are counted for periods."""
BURST_FACTOR_OF_P50 = 2.0
"""A burst sample exceeds this multiple of the median (and mean + 1 standard deviation)."""
STEP_PERCENTILE = 10.0
"""The sampling interval is this percentile of the gaps between samples: robust to missing
samples (which only lengthen gaps) as long as a tenth of the gaps are whole intervals."""
QUANTILES = (0.50, 0.95, 0.99, 1.0)
"""The quantiles of each series' samples a feature reads (p50, p95, p99, max)."""
ROWS_PER_BATCH = 2048
"""Series per batch (a batch is worked in pieces of ``ROWS_PER_FFT`` rows, its FFT blocks:
an FFT's last bit depends on the rows transformed with it, so the blocks are those of
whole batches; a piece's working arrays stay in the cache)."""
CELLS_PER_BATCH = ROWS_PER_BATCH * 24 * 30
"""At most this many grid cells per batch (2048 series of 30 days hourly; 170 of 30 days
at 5 minutes)."""
T = TypeVar("T")


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
    period_s: float = math.nan
    acf_period: float = math.nan
    period_prominence: float = math.nan
    period_repeats: int = 0
    trend_r2: float = math.nan
    shift_at_days: float = math.nan
    level_before: float = math.nan
    level_after: float = math.nan

    def as_dict(self) -> dict[str, float]:
        return dict(zip(FEATURE_NAMES, map(float, _FEATURE_VALUES(self)), strict=True))


FEATURE_NAMES: tuple[str, ...] = tuple(f.name for f in fields(Features))
_FEATURE_VALUES = attrgetter(*FEATURE_NAMES)
"""Every feature of a ``Features``, in ``FEATURE_NAMES`` order, in one call."""


@dataclass(frozen=True, slots=True)
class _Grid:
    step_s: float
    n_grid: int


def _grid(s: MetricSeries) -> _Grid | None:
    """The series' sampling interval and the length of the regular grid it spans (its
    samples' slots on the grid come from ``_slots``, batch by batch)."""
    ts = s.timestamps_s
    if ts.size == 0:
        return None
    step = SECONDS_PER_HOUR
    if ts.size > 1:
        gaps = np.diff(ts)
        k = int(np.floor(STEP_PERCENTILE / 100 * (gaps.size - 1)))
        part = np.partition(gaps, (k, min(k + 1, gaps.size - 1)))
        lo, hi = float(part[k]), float(part[min(k + 1, gaps.size - 1)])
        frac = STEP_PERCENTILE / 100 * (gaps.size - 1) - k
        step = max(1.0, float(np.rint(lo + frac * (hi - lo))))  # = np.percentile, faster
    return _Grid(step, int(np.rint((ts[-1:] - ts[0]) / step).astype(np.int64)[0]) + 1)


def _grid_shared(
    s: MetricSeries,
    seen: dict[tuple[int, int, int], _Grid | None],
    key: tuple[int, int, int] | None,
) -> _Grid | None:
    """``_grid(s)``, once per distinct timestamp array: series read from a time-major
    export share one (and their halves the same two views). An array is known by its
    memory, length and stride (``key``, None for a writeable array); series hold read-only
    arrays, so equal keys are equal timestamps."""
    if key is None:
        return _grid(s)
    if key not in seen:
        seen[key] = _grid(s)
    return seen[key]


def _array_key(ts: FloatArray) -> tuple[int, int, int]:
    """A read-only array known by its memory, length and stride."""
    return int(ts.__array_interface__["data"][0]), int(ts.shape[0]), int(ts.strides[0])


def _slots(s: MetricSeries, step_s: float) -> npt.NDArray[np.int64]:
    """The grid slot of each sample of ``s``."""
    ts = s.timestamps_s
    slots: npt.NDArray[np.int64] = np.rint((ts - ts[0]) / step_s).astype(np.int64)
    return slots


def features(series: Sequence[MetricSeries], *, threads: int = 1) -> list[Features]:
    """Features of each series, in order. Vectorised over series of equal interval and
    length; the batches run on ``threads`` threads (numpy releases the GIL in its sorts,
    FFTs and loops), with the same result."""
    seen: dict[tuple[int, int, int], _Grid | None] = {}
    known: dict[int, tuple[int, int, int]] = {}  # by id: series alive here share arrays

    def key_of(ts: FloatArray) -> tuple[int, int, int] | None:
        if ts.flags.writeable:
            return None
        key = known.get(id(ts))
        if key is None:
            key = known[id(ts)] = _array_key(ts)
        return key

    keys = [key_of(s.timestamps_s) for s in series]
    grids = [_grid_shared(s, seen, key) for s, key in zip(series, keys, strict=True)]
    out: list[Features | None] = [None] * len(series)
    groups: dict[tuple[float, int], list[int]] = {}
    for i, g in enumerate(grids):
        if g is None:
            out[i] = _empty_features()
        else:
            groups.setdefault((g.step_s, g.n_grid), []).append(i)
    batches = [
        (step, n_grid, piece)
        for (step, n_grid), members in groups.items()
        for piece in _pieces(members, _batch_rows(n_grid))
    ]

    slots: dict[tuple[int, int, int, float], npt.NDArray[np.int64]] = {}

    def slots_of(i: int, step: float) -> npt.NDArray[np.int64]:
        """``_slots`` of series ``i``, once per shared timestamp array (as ``_grid_shared``)."""
        array_key = keys[i]
        if array_key is None:
            return _slots(series[i], step)
        key = (*array_key, step)
        found = slots.get(key)
        if found is None:
            found = slots[key] = _slots(series[i], step)
        return found

    def batch(job: tuple[float, int, Sequence[int]]) -> list[Features]:
        step, n_grid, chunk = job
        matrix = np.full((len(chunk), n_grid), np.nan)
        for row, i in enumerate(chunk):
            matrix[row, slots_of(i, step)] = series[i].values
        return _matrix_features(matrix, step, [series[i].duplicates for i in chunk])

    if threads > 1 and len(batches) > 1:
        with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="features") as pool:
            results = list(pool.map(batch, batches))
    else:
        results = [batch(job) for job in batches]
    for (_, _, chunk), feats in zip(batches, results, strict=True):
        for i, f in zip(chunk, feats, strict=True):
            out[i] = f
    return [f if f is not None else _empty_features() for f in out]


def features_of_matrix(
    matrix: FloatArray, step_s: float, duplicates: Sequence[int] | None = None
) -> list[Features]:
    """Features of each row of a regular grid (rows = series, NaN = missing sample)."""
    dups = list(duplicates) if duplicates is not None else [0] * matrix.shape[0]
    out: list[Features] = []
    for rows in _pieces(range(matrix.shape[0]), _batch_rows(matrix.shape[1])):
        out.extend(_matrix_features(matrix[rows[0] : rows[-1] + 1], step_s, dups[rows[0] :]))
    return out


def _batch_rows(n_grid: int) -> int:
    """Series per batch: ``ROWS_PER_BATCH``, fewer for long series (``CELLS_PER_BATCH``)."""
    return max(1, min(ROWS_PER_BATCH, CELLS_PER_BATCH // max(n_grid, 1)))


def _pieces(members: Sequence[T], rows: int) -> list[Sequence[T]]:
    """``members`` in batches of ``rows``, each cut in pieces of ``ROWS_PER_FFT``."""
    return [
        members[at : min(at + ROWS_PER_FFT, start + rows)]
        for start in range(0, len(members), rows)
        for at in range(start, min(start + rows, len(members)), ROWS_PER_FFT)
    ]


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
    missing = ~valid
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = x0.sum(axis=1) / n_f
        # the squared deviations in one buffer (the same values as ``where(valid, d, 0) ** 2``)
        dev = np.subtract(matrix, mean[:, None])
        dev[missing] = 0.0
        var = np.multiply(dev, dev, out=dev).sum(axis=1) / n_f
        del dev
    std = np.sqrt(np.maximum(var, 0.0))
    # a full sort (NaN last): numpy's vectorised sort is several times faster than
    # partitioning at the seven places the quantiles read, and puts the same values there
    srt = np.sort(matrix, axis=1)
    p50, p95, p99, mx = (row_quantiles(srt, n, q) for q in QUANTILES)
    del srt

    with np.errstate(invalid="ignore"):
        active = (matrix > (ACTIVE_FRACTION_OF_P99 * p99)[:, None]) | (
            valid & (p99 <= 0)[:, None] & (matrix > 0)
        )
    duty = safe_div(active.sum(axis=1).astype(np.float64), n_f)
    spells = (active[:, 1:] & ~active[:, :-1]).sum(axis=1) + active[:, 0]
    # busy spells count only for on/off load (ON_OFF_MAX_DUTY): they bound a period's evidence
    events = np.where(duty <= ON_OFF_MAX_DUTY, spells, 0).astype(np.int64).tolist()

    threshold = np.maximum(BURST_FACTOR_OF_P50 * p50, mean + std)
    n_bursts, burst_samples = bursts(matrix, np.nan_to_num(threshold, nan=0.0))
    bursts_per_day = safe_div(n_bursts.astype(np.float64), days)
    burst_h = (burst_samples * (step_s / SECONDS_PER_HOUR)).astype(np.float64)
    burst_hours = safe_div(burst_h, n_bursts.astype(np.float64))

    regs = regimes(matrix, step_s)
    # x0 is spent here: its squares are the residuals' scale
    sum_sq = np.multiply(x0, x0, out=x0).sum(axis=1)
    del x0
    fits = fit_periods(_residuals(matrix, step_s, regs, n, sum_sq), step_s, events)
    cv = safe_div(std, mean)
    ptm = safe_div(mx, mean, 1.0)
    p95m = safe_div(p95, mean, 1.0)
    p99m = safe_div(p99, mean, 1.0)

    # Python numbers read once per column (``float(array[i])`` per field is the same value)
    rows = matrix.shape[0]
    dup = [int(d) for d in dups[:rows]]
    dup += [0] * (rows - len(dup))
    step = float(step_s)
    columns = (n, days, coverage, mean, p50, p95, p99, mx, cv, ptm, p95m, p99m, duty)
    bursts_cols = (bursts_per_day, burst_hours)
    out: list[Features] = []
    for (ni, dy, cov, me, q50, q95, q99, top, cv_i, pt, p95_i, p99_i, du), (
        bpd,
        bh,
    ), fit, reg, dp in zip(
        zip(*(np.asarray(v).tolist() for v in columns), strict=True),
        zip(*(np.asarray(v).tolist() for v in bursts_cols), strict=True),
        fits,
        regs,
        dup,
        strict=True,
    ):
        if ni == 0:
            out.append(_empty_features())
            continue
        out.append(
            Features(
                samples=ni,
                step_s=step,
                days=dy,
                coverage=cov,
                mean=me,
                p50=q50,
                p95=q95,
                p99=q99,
                max=top,
                cv=cv_i,
                peak_to_mean=pt,
                p95_to_mean=p95_i,
                p99_to_mean=p99_i,
                duty_cycle=du,
                acf_24h=fit.acf_24h,
                acf_168h=fit.acf_168h,
                trend_per_month=reg.trend_per_month,
                bursts_per_day=bpd,
                burst_mean_hours=bh,
                duplicates=dp,
                period_s=fit.period_s,
                acf_period=fit.acf,
                period_prominence=fit.prominence,
                period_repeats=fit.repeats,
                trend_r2=reg.trend_r2,
                shift_at_days=reg.start_s / SECONDS_PER_DAY,
                level_before=reg.level_before,
                level_after=reg.level_after,
            )
        )
    return out


def _residuals(
    matrix: FloatArray,
    step_s: float,
    regs: Sequence[Regime],
    n: npt.NDArray[np.int64],
    sum_sq: FloatArray,
) -> FloatArray:
    """Each row less the level of each of its regimes and a least-squares line: what the
    autocorrelation is computed on. A residual at rounding level (a constant or a pure
    line) is set to exactly 0, so that it has no cycle at all. ``n`` is each row's samples,
    ``sum_sq`` the sum of its squared samples."""
    x = matrix.copy()
    for i, r in enumerate(regs):
        if not math.isnan(r.start_s):
            cut = round(r.start_s / step_s)
            for lo, hi in ((0, cut), (cut, x.shape[1])):
                if (~np.isnan(x[i, lo:hi])).any():
                    x[i, lo:hi] -= np.nanmean(x[i, lo:hi])
    resid, _, _ = detrend(x)
    del x
    # the squared residuals, NaN as 0, in one buffer (the same sums as ``nansum``)
    sq = np.multiply(resid, resid)
    sq[np.isnan(sq)] = 0.0
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.sqrt(sum_sq / np.maximum(n, 1))
        rms = np.sqrt(sq.sum(axis=1) / np.maximum(n, 1))
    del sq
    flat = rms <= 1e-9 * np.maximum(scale, 1e-300)
    resid[flat] = np.where(np.isnan(resid[flat]), np.nan, 0.0)
    return resid
