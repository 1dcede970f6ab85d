"""Utilisation series -> features (pure, numpy).

A ``MetricSeries`` is one workload's samples of one metric: sorted, unique UTC timestamps
(seconds since the epoch) and float values, held in read-only numpy arrays. ``features``
turns many series into one ``Features`` each, vectorised: series that share a sampling
interval and length are stacked into 2-D arrays (rows = series, columns = a regular time
grid with NaN where a sample is missing) and every statistic is computed for all rows at
once.

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

Duplicate timestamps are **averaged** (two scrapes of the same instant); input order does
not matter.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields

import numpy as np
import numpy.typing as npt

from planner.errors import Problem
from planner.model import HOURS_PER_MONTH, Series, SourceRef

FloatArray = npt.NDArray[np.float64]

SECONDS_PER_HOUR = 3600.0
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

METRICS: Mapping[str, str] = {
    "cpu": "cores per replica (or percent of the declared request when unit is percent)",
    "memory": "GiB per replica (or percent of the declared request when unit is percent)",
    "gpu": "GPU utilisation, 0-1",
    "rps": "requests per second, whole workload",
}
"""Canonical metric names and their default units."""


def _readonly(a: npt.ArrayLike) -> FloatArray:
    arr = np.array(a, dtype=np.float64, copy=True)
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True, slots=True, eq=False)
class MetricSeries:
    """One workload's samples of one metric: sorted unique UTC seconds, float values.

    Build it with ``MetricSeries.of`` (sorts, averages duplicate timestamps, copies into
    read-only arrays). ``unit`` is ``cores``, ``percent``, ``gib``, ``ratio`` or ``rps``.
    """

    workload: str
    metric: str
    unit: str
    timestamps_s: FloatArray
    values: FloatArray
    duplicates: int = 0
    """How many samples were merged into another with the same timestamp (averaged)."""
    source: SourceRef | None = field(default=None, compare=False)

    @classmethod
    def of(
        cls,
        workload: str,
        metric: str,
        timestamps_s: npt.ArrayLike,
        values: npt.ArrayLike,
        *,
        unit: str = "",
        source: SourceRef | None = None,
    ) -> MetricSeries:
        ts, vals, dups = normalise(
            np.asarray(timestamps_s, dtype=np.float64), np.asarray(values, dtype=np.float64)
        )
        return cls(
            workload=workload,
            metric=metric,
            unit=unit or default_unit(metric),
            timestamps_s=_readonly(ts),
            values=_readonly(vals),
            duplicates=dups,
            source=source,
        )

    @classmethod
    def from_series(cls, s: Series, *, unit: str = "") -> MetricSeries:
        """Adapt the model's tuple-based ``Series``."""
        return cls.of(s.workload, s.metric, s.timestamps_s, s.values, unit=unit, source=s.source)

    def __len__(self) -> int:
        return int(self.values.shape[0])


def default_unit(metric: str) -> str:
    return {"cpu": "cores", "memory": "gib", "gpu": "ratio", "rps": "rps"}.get(metric, "")


@dataclass(frozen=True, slots=True)
class TelemetrySet:
    """Every series read from a planning project, plus non-fatal warnings."""

    series: tuple[MetricSeries, ...] = ()
    warnings: tuple[Problem, ...] = ()

    def by_workload(self) -> dict[str, dict[str, MetricSeries]]:
        """workload -> metric -> series."""
        out: dict[str, dict[str, MetricSeries]] = {}
        for s in self.series:
            out.setdefault(s.workload, {})[s.metric] = s
        return out

    def __len__(self) -> int:
        return len(self.series)


def normalise(ts: FloatArray, values: FloatArray) -> tuple[FloatArray, FloatArray, int]:
    """Sort by time and average duplicate timestamps. Returns new arrays and the number of
    samples merged away. Inputs are not modified."""
    if ts.shape != values.shape:
        raise ValueError("timestamps and values differ in length")
    if ts.size < 2 or bool(np.all(ts[1:] > ts[:-1])):
        return ts.copy(), values.copy(), 0
    order = np.argsort(ts, kind="stable")
    ts_sorted = ts[order]
    uniq, inverse = np.unique(ts_sorted, return_inverse=True)
    if uniq.size == ts.size:
        return ts_sorted, values[order], 0
    sums = np.bincount(inverse, weights=values[order], minlength=uniq.size)
    counts = np.bincount(inverse, minlength=uniq.size)
    return uniq, sums / counts, int(ts.size - uniq.size)


# --------------------------------------------------------------------------- features


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


def _row_quantiles(sorted_rows: FloatArray, n: npt.NDArray[np.int64], q: float) -> FloatArray:
    pos = q * np.maximum(n - 1, 0)
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, np.maximum(n - 1, 0))
    frac = pos - lo
    vlo = np.take_along_axis(sorted_rows, lo[:, None], axis=1)[:, 0]
    vhi = np.take_along_axis(sorted_rows, hi[:, None], axis=1)[:, 0]
    res = vlo + frac * (vhi - vlo)
    return np.where(n > 0, res, np.nan)


def _safe_div(a: FloatArray, b: FloatArray, zero_over_zero: float = 0.0) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(b != 0, a / np.where(b != 0, b, 1.0), np.where(a == 0, zero_over_zero, np.inf))
    return np.asarray(r, dtype=np.float64)


def hourly(matrix: FloatArray, step_s: float) -> tuple[FloatArray, float]:
    """Average a regular grid into bins of ``max(step, 1 h)`` (relative to the first
    column). Returns the binned matrix (NaN where a bin has no sample) and the bin width."""
    width = max(step_s, SECONDS_PER_HOUR)
    n = matrix.shape[1]
    if width == step_s:
        return matrix, width
    bin_of = np.floor(np.arange(n) * step_s / width).astype(np.int64)
    starts = np.flatnonzero(np.r_[True, bin_of[1:] != bin_of[:-1]])
    valid = ~np.isnan(matrix)
    sums = np.add.reduceat(np.where(valid, matrix, 0.0), starts, axis=1)
    counts = np.add.reduceat(valid.astype(np.float64), starts, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        binned = np.where(counts > 0, sums / np.where(counts > 0, counts, 1.0), np.nan)
    return binned, width


def _detrend(h: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Remove a least-squares line from each row. Returns residuals, slope per bin, mean."""
    valid = ~np.isnan(h)
    n = valid.sum(axis=1).astype(np.float64)
    t = np.arange(h.shape[1], dtype=np.float64)[None, :]
    x0 = np.where(valid, h, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        tm = (valid * t).sum(axis=1) / n
        xm = x0.sum(axis=1) / n
        dt = np.where(valid, t - tm[:, None], 0.0)
        sxx = (dt * dt).sum(axis=1)
        sxy = (dt * (x0 - xm[:, None])).sum(axis=1)
        slope = np.where(sxx > 0, sxy / np.where(sxx > 0, sxx, 1), 0.0)
    resid = h - (xm[:, None] + slope[:, None] * (t - tm[:, None]))
    return resid, np.nan_to_num(slope), xm


def _acf(resid: FloatArray, lag: int) -> FloatArray:
    """Pearson correlation of each row with itself ``lag`` bins later (pairwise present).
    NaN with fewer than ``lag`` pairs; 0 when either side is constant."""
    rows, n = resid.shape
    if lag <= 0 or lag >= n:
        return np.full(rows, np.nan)
    a = resid[:, :-lag]
    b = resid[:, lag:]
    both = ~(np.isnan(a) | np.isnan(b))
    a0 = np.where(both, a, 0.0)
    b0 = np.where(both, b, 0.0)
    k = both.sum(axis=1).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        ma = a0.sum(axis=1) / k
        mb = b0.sum(axis=1) / k
        da = np.where(both, a0 - ma[:, None], 0.0)
        db = np.where(both, b0 - mb[:, None], 0.0)
        saa = (da * da).sum(axis=1)
        sbb = (db * db).sum(axis=1)
        sab = (da * db).sum(axis=1)
        denom = np.sqrt(saa * sbb)
        scale = np.maximum(saa, sbb)
        flat = denom <= 1e-12 * np.where(scale > 0, scale, 1.0)
        r = np.where(flat, 0.0, sab / np.where(denom > 0, denom, 1.0))
    return np.where(k >= lag, np.clip(r, -1.0, 1.0), np.nan)


def _bursts(
    matrix: FloatArray, threshold: FloatArray
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Per row: number of runs above ``threshold`` and the samples in them."""
    with np.errstate(invalid="ignore"):
        hot = (matrix > threshold[:, None]) & (threshold[:, None] > 0)
    starts = hot.copy()
    starts[:, 1:] &= ~hot[:, :-1]
    return starts.sum(axis=1), hot.sum(axis=1)


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
    p50 = _row_quantiles(srt, n, 0.50)
    p95 = _row_quantiles(srt, n, 0.95)
    p99 = _row_quantiles(srt, n, 0.99)
    mx = _row_quantiles(srt, n, 1.0)
    del srt

    with np.errstate(invalid="ignore"):
        active = (matrix > (ACTIVE_FRACTION_OF_P99 * p99)[:, None]) | (
            valid & (p99 <= 0)[:, None] & (matrix > 0)
        )
    duty = _safe_div(active.sum(axis=1).astype(np.float64), n_f)

    threshold = np.maximum(BURST_FACTOR_OF_P50 * p50, mean + std)
    n_bursts, burst_samples = _bursts(matrix, np.nan_to_num(threshold, nan=0.0))
    bursts_per_day = _safe_div(n_bursts.astype(np.float64), days)
    burst_h = (burst_samples * (step_s / SECONDS_PER_HOUR)).astype(np.float64)
    burst_hours = _safe_div(burst_h, n_bursts.astype(np.float64))

    h, width = hourly(matrix, step_s)
    resid, slope, hmean = _detrend(h)
    lag24 = round(24 * SECONDS_PER_HOUR / width)
    lag168 = round(168 * SECONDS_PER_HOUR / width)
    acf24 = _acf(resid, lag24) if width <= 24 * SECONDS_PER_HOUR else np.full(len(n), np.nan)
    acf168 = _acf(resid, lag168)
    # a residual at rounding level (a constant or a pure line) has no cycle at all
    r_ok = ~np.isnan(resid)
    with np.errstate(invalid="ignore", divide="ignore"):
        resid_rms = np.sqrt(np.where(r_ok, resid * resid, 0.0).sum(axis=1) / r_ok.sum(axis=1))
    flat = resid_rms <= 1e-9 * (np.abs(mean) + std)
    acf24 = np.where(flat & ~np.isnan(acf24), 0.0, acf24)
    acf168 = np.where(flat & ~np.isnan(acf168), 0.0, acf168)
    per_month = slope * (HOURS_PER_MONTH * SECONDS_PER_HOUR / width)
    trend = np.where(days >= MIN_TREND_DAYS, _safe_div(per_month, np.abs(hmean)), np.nan)

    cv = _safe_div(std, mean)
    ptm = _safe_div(mx, mean, 1.0)
    p95m = _safe_div(p95, mean, 1.0)
    p99m = _safe_div(p99, mean, 1.0)

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
    sums = np.bincount(inverse, weights=s.values, minlength=uniq.size)
    counts = np.bincount(inverse, minlength=uniq.size)
    return uniq, sums / counts
