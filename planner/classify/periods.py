"""Period detection at a series' own resolution: the autocorrelation at every lag from
``MIN_PERIOD_S`` (10 minutes) to ``MAX_PERIOD_S`` (7 days), computed with an FFT, and the
fundamental period told from persistence. Pure, numpy.

**Autocorrelation** (rows = series on a regular grid, NaN = missing): each row has its
level removed (the caller passes residuals: a line, or the level of each regime, already
subtracted), missing samples are set to 0, and for every lag ``k``

    r(k) = (sum over pairs both present of x[t] x[t+k] / pairs(k)) / (sum of x[t]^2 / n)

with both sums from one zero-padded FFT (Wiener-Khinchin) and ``pairs(k)`` from the FFT of
the presence mask (``n - k`` without gaps). Lags with fewer pairs than half the samples are
not used, so a period needs at least two repetitions in the window.

**Peaks** (``PeriodFit``): a lag ``P`` is a candidate when ``r(P)`` is a local maximum (at
least both neighbours), at least ``MIN_PEAK_ACF``, ``NOISE_Z`` standard errors of white
noise and, for on/off load, ``EVENT_Z`` standard errors of its number of busy spells, and
*prominent*: ``r(P)`` minus the
lowest ``r`` between ``P/2`` and ``P`` is at least ``MIN_PROMINENCE`` and at least
``PROMINENCE_SHARE`` of ``r(P)``. Persistence (a
series that changes slowly, or a level that wanders) makes ``r`` fall steadily with the
lag: no prominent peak. A real cycle of period ``P`` falls and rises again. A candidate
must also **repeat**: where ``2P`` is inside the lag range, ``r`` near ``2P`` is at least
half of ``r(P)``.

The **best** candidate is the shortest of those with the highest ``r`` (within ``TIE``).
The **fundamental** is the shortest candidate whose ``r`` is within ``HARMONIC_SHARE`` of
the best's, whose multiple the best is, and which correlates at least ``HALF_SHARE`` as
well half-way to the best (a job every 65 minutes also correlates at 130 minutes and at
24 h = 22 x 65.45 min: the period is 65 min, not 24 h; a daily cycle with a small job on
the hour does not correlate at 12 h: the period is 24 h).
The period is refined from the farthest multiple ``mP`` that still peaks (lag / m), so a
65.45-minute job on a 5-minute grid is reported as 65 min, not 65 (13 lags) or 60.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from planner.classify.series import FloatArray

MIN_PERIOD_S = 600.0
"""Shortest period looked for: 10 minutes (and never under two samples)."""
MAX_PERIOD_S = 7 * 86400.0
"""Longest period looked for: 7 days (and never over half the window)."""
MIN_PEAK_ACF = 0.3
"""A candidate period correlates at least this much with itself one period later."""
NOISE_Z = 4.0
"""... and at least this many standard errors of white noise (1 / sqrt(samples)): a
one-hour trace of 60 samples needs r >= 0.52."""
EVENT_Z = 2.5
"""On/off load with few busy spells is as noisy as its number of spells: a peak needs
r >= EVENT_Z / sqrt(spells) (five random spikes in a month never make a period; a job that
ran 640 times needs r >= 0.1)."""
MIN_PROMINENCE = 0.15
"""... and stands this far above the lowest autocorrelation between half the period and the
period (persistence has no such dip)."""
PROMINENCE_SHARE = 0.5
"""... and at least this share of its own autocorrelation (a level shift or a wandering level
lifts r at every lag; a cycle's dip is as deep as its peak is high)."""
HARMONIC_SHARE = 0.85
"""A shorter candidate is the fundamental of a longer one when its autocorrelation is at least
this share of the longer one's."""
TIE = 0.02
"""Autocorrelations this close are equal (an exact period repeats at all its multiples)."""
HALF_SHARE = 0.5
"""... and which correlates at least half as well half-way to the longer period (a job every
65.45 min sampled every 5 min drifts out of phase and back every 12 h: r falls to about
half mid-way; a daily cycle with a small job every hour falls to nothing at 12 h)."""
REFINE_BELOW_LAGS = 50
"""Periods shorter than this many samples are refined from their multiples (one lag is more
than 1 % of them)."""
ROWS_PER_FFT = 256
"""Series per FFT batch: bounds memory at about 256 x (samples + lags) x 24 bytes (and
``planner.classify.features`` works its batches in pieces of these blocks)."""


@dataclass(frozen=True, slots=True)
class PeriodFit:
    """The fundamental period of one series (NaN fields: no period found)."""

    period_s: float
    acf: float
    """Autocorrelation at the period (at the nearest lag)."""
    prominence: float
    repeats: int
    """The farthest multiple of the period (1, 2, 4, 8 ...) at which it still peaks."""
    acf_24h: float
    acf_168h: float


NO_PERIOD = PeriodFit(math.nan, math.nan, math.nan, 0, math.nan, math.nan)


def autocorrelation(resid: FloatArray, max_lag: int) -> FloatArray:
    """``r(k)`` for ``k = 0..max_lag`` of each row (module doc); NaN where a lag has fewer
    pairs than half the row's samples, 0 for a row that is constant (all zero residuals)."""
    rows, n = resid.shape
    max_lag = min(max_lag, n - 1)
    out = np.full((rows, max_lag + 1), np.nan)
    if max_lag < 1 or rows == 0:
        return out
    nfft = _fast_len(n + max_lag + 1)
    for start in range(0, rows, ROWS_PER_FFT):
        block = resid[start : start + ROWS_PER_FFT]
        present = ~np.isnan(block)
        x0 = np.where(present, block, 0.0)
        spec = np.fft.rfft(x0, nfft, axis=1)
        num = np.fft.irfft(spec * np.conj(spec), nfft, axis=1)[:, : max_lag + 1]
        del spec
        if present.all():
            # one row of pairs for every row (n - k, all positive: max_lag < n)
            pairs = np.arange(n, n - max_lag - 1, -1, dtype=np.float64)
            denom = pairs
        else:
            mspec = np.fft.rfft(present.astype(np.float64), nfft, axis=1)
            pairs = np.rint(np.fft.irfft(mspec * np.conj(mspec), nfft, axis=1)[:, : max_lag + 1])
            del mspec
            denom = np.where(pairs > 0, pairs, np.nan)
        # r = clip(cov / cov[0]), 0 for a flat row, NaN where too few pairs: in one buffer
        with np.errstate(invalid="ignore", divide="ignore"):
            r = np.divide(num, denom)
            c0 = r[:, :1].copy()
            np.divide(r, c0, out=r)
        np.clip(r, -1.0, 1.0, out=r)
        r[~(c0[:, 0] > 0)] = 0.0
        np.copyto(r, np.nan, where=pairs < 0.5 * pairs[..., :1])
        out[start : start + len(block)] = r
    return out


def _fast_len(n: int) -> int:
    """The smallest 2^a 3^b 5^c >= n (a fast FFT length)."""
    best = 1 << (n - 1).bit_length()
    p5 = 1
    while p5 < best:
        p35 = p5
        while p35 < best:
            m = p35
            while m < n:
                m *= 2
            best = min(best, m)
            p35 *= 3
        p5 *= 5
    return best


def lag_range(step_s: float, samples: int) -> tuple[int, int]:
    """(shortest, longest) lag searched for a period, in samples."""
    lo = max(2, math.ceil(MIN_PERIOD_S / step_s - 1e-9))
    hi = min(math.floor(MAX_PERIOD_S / step_s + 1e-9), samples // 2)
    return lo, hi


def fit_periods(
    resid: FloatArray, step_s: float, events: Sequence[int] | None = None
) -> list[PeriodFit]:
    """The fundamental period of each row of residuals on a grid of ``step_s``; ``events``
    is, per row, the number of separate busy spells of on/off load (0 when the load is not
    on/off): sparse events need a stronger peak (module doc).

    The candidates of every row and their repeat check are found in one array pass; what
    is left (each row's fundamental and its refinement) in a few more array passes."""
    lo, hi = lag_range(step_s, resid.shape[1])
    lag24 = round(86400.0 / step_s)
    lag168 = round(7 * 86400.0 / step_s)
    # one lag past ``hi`` so that ``hi`` itself can be a peak
    r = autocorrelation(resid, max(hi + 1, lag168 if lag168 < resid.shape[1] else 0, lag24))
    # NaN lags (too few pairs) can never be peaks: -2 is below any autocorrelation
    r = np.where(np.isnan(r), -2.0, r)
    hi = min(hi, r.shape[1] - 2)
    by_events: dict[int, float] = {}  # ``_floor`` once per distinct number of spells
    floors = np.array(
        [
            by_events[e] if e in by_events else by_events.setdefault(e, _floor(resid.shape[1], e))
            for e in (events[i] if events is not None else 0 for i in range(len(r)))
        ]
    )
    a24 = _column(r, lag24) if 2 * step_s <= 86400.0 else [math.nan] * len(r)
    a168 = _column(r, lag168)
    out = [_none(x24, x168) for x24, x168 in zip(a24, a168, strict=True)]
    found = _fundamentals(r, hi, _repeating(r, lo, hi, floors))
    if found is not None:
        rows, period, acf, prom, repeats = found
        for i, per, ac, pr, rep in zip(
            rows.tolist(),
            (period * step_s).tolist(),
            acf.tolist(),
            prom.tolist(),
            repeats.tolist(),
            strict=True,
        ):
            out[i] = PeriodFit(per, ac, pr, rep, a24[i], a168[i])
    return out


def _none(a24: float, a168: float) -> PeriodFit:
    return PeriodFit(math.nan, math.nan, math.nan, 0, a24, a168)


def _column(r: FloatArray, lag: int) -> list[float]:
    """``_at`` of every row."""
    if lag < 1 or lag >= r.shape[1]:
        return [math.nan] * len(r)
    col = r[:, lag]
    return np.where(col < -1.0, math.nan, col).tolist()  # type: ignore[no-any-return]


def _at(row: FloatArray, lag: int) -> float:
    if lag < 1 or lag >= len(row) or row[lag] < -1.0:
        return math.nan
    return float(row[lag])


def _floor(n: int, events: int) -> float:
    """The least r a peak needs in a row of ``n`` samples with ``events`` busy spells."""
    floor = max(MIN_PEAK_ACF, NOISE_Z / math.sqrt(max(n, 1)))
    if events > 0:
        floor = max(floor, EVENT_Z / math.sqrt(events))
    return floor


Candidates = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], FloatArray, FloatArray]
"""(row, lag, r, prominence) of candidate peaks, by row and lag ascending."""


def _repeating(r: FloatArray, lo: int, hi: int, floors: FloatArray) -> Candidates | None:
    """Every candidate peak in ``lo..hi`` that repeats (module doc), None without any.
    ``r`` has no NaN (-2 where a lag is unusable)."""
    if hi - lo < 2:
        return None
    width = r.shape[1]
    k = np.arange(max(lo, 1), hi + 1)
    k0 = int(k[0])
    rk = r[:, k0 : hi + 1]  # views: r at k, k - 1 and k + 1
    local = (rk > r[:, k0 - 1 : hi]) & (rk >= r[:, k0 + 1 : hi + 2]) & (rk >= floors[:, None])
    row_of, col = np.nonzero(local)
    if row_of.size == 0:
        return None
    ps = k[col]
    # every window below is a (start, end) pair of one reduceat over the flattened rows,
    # with a sentinel so that an end may be one past the last row
    flat = np.append(r.ravel(), -2.0)
    base = row_of * width
    # lowest r between p/2 and p
    valley = _reduce_windows(np.minimum, flat, base + np.maximum(1, ps // 2), base + ps + 1)
    peak = rk[row_of, col]
    prom = peak - valley
    keep = prom >= np.maximum(MIN_PROMINENCE, PROMINENCE_SHARE * peak)
    row_of, ps, peak, prom, base = row_of[keep], ps[keep], peak[keep], prom[keep], base[keep]
    # the repeat check where 2p is in range: the highest r near 2p (``_near(row, 2p, p)``)
    twice = 2 * ps <= hi
    lag2 = 2 * ps[twice]
    w = np.maximum(
        1, np.minimum(np.maximum(np.rint(0.01 * lag2).astype(np.int64), 1), ps[twice] // 3)
    )
    a = np.maximum(1, lag2 - w)
    b = np.minimum(width - 1, lag2 + w)
    r2 = _reduce_windows(np.maximum, flat, base[twice] + a, base[twice] + b + 1)
    ok = np.ones(ps.size, dtype=bool)
    ok[twice] = r2 >= 0.5 * peak[twice]
    if not ok.any():
        return None
    return row_of[ok], ps[ok], peak[ok], prom[ok]


def _reduce_windows(
    ufunc: np.ufunc, flat: FloatArray, starts: npt.NDArray[np.int64], ends: npt.NDArray[np.int64]
) -> FloatArray:
    """``ufunc`` over ``flat[start:end]`` for each (non-empty) window (``end`` below the
    size of ``flat``)."""
    if starts.size == 0:
        return np.empty(0)
    bounds = np.empty(2 * starts.size, dtype=np.int64)
    bounds[0::2] = starts
    bounds[1::2] = ends
    return np.asarray(ufunc.reduceat(flat, bounds)[0::2], dtype=np.float64)


def _near(
    flat: FloatArray,
    width: int,
    base: npt.NDArray[np.int64],
    lag: npt.NDArray[np.float64] | npt.NDArray[np.int64],
    period: npt.NDArray[np.float64] | npt.NDArray[np.int64],
    *,
    slack: npt.NDArray[np.int64] | int = 1,
) -> tuple[npt.NDArray[np.int64], FloatArray]:
    """For each (row, fractional lag): the highest r within 1 % of the lag, at least
    ``slack`` lags either side, and within a third of the period (so the search never
    reaches the next multiple): (lag, r), the first such lag on a tie, (-1, NaN) for an
    empty window. ``base`` is each row's offset in ``flat`` (rows of ``width`` lags)."""
    w = np.maximum(
        1,
        np.minimum(
            np.maximum(np.rint(0.01 * lag).astype(np.int64), slack),
            np.floor(period / 3).astype(np.int64),
        ),
    )
    a = np.maximum(1, np.floor(lag).astype(np.int64) - w)
    b = np.minimum(width - 1, np.ceil(lag).astype(np.int64) + w)
    at = np.full(a.size, -1, dtype=np.int64)
    best = np.full(a.size, math.nan)
    filled = np.flatnonzero(a <= b)
    if filled.size:
        a, b = a[filled], b[filled]
        pos = a[:, None] + np.arange(int((b - a).max()) + 1)
        seg = np.where(
            pos <= b[:, None], flat[base[filled, None] + np.minimum(pos, width - 1)], -np.inf
        )
        j = np.argmax(seg, axis=1)
        at[filled] = a + j
        best[filled] = seg[np.arange(j.size), j]
    return at, best


def _fundamentals(
    r: FloatArray, hi: int, cands: Candidates | None
) -> tuple[npt.NDArray[np.int64], FloatArray, FloatArray, FloatArray, npt.NDArray[np.int64]] | None:
    """(rows, period in lags, r, prominence, repeats) of each row with repeating candidates
    ``cands`` (module doc), in array passes over all rows at once."""
    if cands is None:
        return None
    rows, lags, rs, proms = cands
    n, width = rows.size, r.shape[1]
    flat = r.ravel()
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    seg = np.repeat(np.arange(starts.size), np.diff(np.r_[starts, n]))
    index = np.arange(n)
    # the shortest of the (near-)best: an exact period correlates equally at its multiples
    top = np.maximum.reduceat(rs, starts)
    best = np.minimum.reduceat(np.where(rs >= top[seg] - TIE, index, n), starts)
    # a shorter candidate is the fundamental when the best is a multiple of it and it
    # correlates nearly as well; a true fundamental also correlates half-way to the best
    # (a daily cycle with a job every hour does not: r at 12 h is low, and the day is the
    # period); a period known to half a lag is known to k/2 lags at its k-th multiple
    b = best[seg]
    m = lags[b] / lags
    whole = np.rint(m)
    maybe = np.flatnonzero(
        (index < b)
        & ~(rs < HARMONIC_SHARE * rs[b])
        & ~(whole < 2)
        & ~(np.abs(m - whole) > 0.05 * m)
    )
    fund = best
    if maybe.size:
        k = whole[maybe].astype(np.int64) // 2
        _, r_half = _near(
            flat, width, rows[maybe] * width, k * lags[maybe], lags[maybe], slack=(k + 1) // 2
        )
        first = np.full(n, n)
        first[maybe] = np.where(r_half >= HALF_SHARE * rs[maybe], maybe, n)
        fund = np.minimum(np.minimum.reduceat(first, starts), best)
    # refined from the multiples: doubling keeps the predicted lag within one lag of the
    # peak; only short periods (under REFINE_BELOW_LAGS) move: a long one is known to 1 %
    p, acf, prom = lags[fund], rs[fund], proms[fund]
    period = p.astype(np.float64)
    repeats = np.ones(fund.size, dtype=np.int64)
    short = p < REFINE_BELOW_LAGS
    base = rows[fund] * width
    active = np.ones(fund.size, dtype=bool)
    mult = 2
    while True:
        active &= mult * period <= hi
        on = np.flatnonzero(active)
        if not on.size:
            break
        at, rm = _near(
            flat, width, base[on], mult * period[on], np.where(short[on], 1.0, period[on])
        )
        good = rm >= 0.5 * acf[on]
        active[on[~good]] = False
        moved = on[good]
        period[moved] = np.where(short[moved], at[good] / mult, period[moved])
        repeats[moved] = mult
        mult *= 2
    return rows[fund], period, acf, prom, repeats
