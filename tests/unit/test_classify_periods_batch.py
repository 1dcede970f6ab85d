"""The batched period fit (``planner.classify.periods.fit_periods``) against the scalar
one it replaced, kept here as the reference: every field bit-identical on random series,
cycles, on/off jobs, constant, all-zero, gappy and short rows."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pytest

from planner.classify.periods import (
    HALF_SHARE,
    HARMONIC_SHARE,
    MIN_PROMINENCE,
    PROMINENCE_SHARE,
    REFINE_BELOW_LAGS,
    TIE,
    PeriodFit,
    _at,
    _floor,
    _none,
    autocorrelation,
    fit_periods,
    lag_range,
)
from planner.classify.series import FloatArray

# --- the scalar reference (planner/classify/periods.py before the batched pass) ---


def ref_fit_periods(
    resid: FloatArray, step_s: float, events: Sequence[int] | None = None
) -> list[PeriodFit]:
    """The fundamental period of each row of residuals on a grid of ``step_s``; ``events``
    is, per row, the number of separate busy spells of on/off load (0 when the load is not
    on/off): sparse events need a stronger peak (module doc)."""
    lo, hi = lag_range(step_s, resid.shape[1])
    lag24 = round(86400.0 / step_s)
    lag168 = round(7 * 86400.0 / step_s)
    # one lag past ``hi`` so that ``hi`` itself can be a peak
    r = autocorrelation(resid, max(hi + 1, lag168 if lag168 < resid.shape[1] else 0, lag24))
    # NaN lags (too few pairs) can never be peaks: -2 is below any autocorrelation
    r = np.where(np.isnan(r), -2.0, r)
    hi = min(hi, r.shape[1] - 2)
    floors = np.array(
        [_floor(resid.shape[1], events[i] if events is not None else 0) for i in range(len(r))]
    )
    # rows with no local maximum above their floor have no period: skip them at once
    k = np.arange(max(lo, 1), hi + 1)
    any_peak = np.zeros(len(r), dtype=bool)
    if hi - lo >= 2:
        rk = r[:, k]
        local = (rk > r[:, k - 1]) & (rk >= r[:, k + 1]) & (rk >= floors[:, None])
        any_peak = np.asarray(local.any(axis=1), dtype=bool)
    out = []
    for i, row in enumerate(r):
        a24 = _at(row, lag24) if 2 * step_s <= 86400.0 else math.nan
        a168 = _at(row, lag168)
        fit = _ref_fundamental(row, lo, hi, float(floors[i])) if any_peak[i] else None
        out.append(
            PeriodFit(fit[0] * step_s, fit[1], fit[2], fit[3], a24, a168)
            if fit
            else _none(a24, a168)
        )
    return out


def _ref_candidates(
    row: FloatArray, lo: int, hi: int, floor: float
) -> list[tuple[int, float, float]]:
    """(lag, r, prominence) of every candidate peak in ``lo..hi`` (module doc)."""
    if hi - lo < 2:
        return []
    seg = row[: hi + 2]
    k = np.arange(max(lo, 1), hi + 1)
    k = k[k + 1 < len(seg)]
    local = (seg[k] > seg[k - 1]) & (seg[k] >= seg[k + 1]) & (seg[k] >= floor)
    ps = k[local]
    if ps.size == 0:
        return []
    # lowest r between p/2 and p for every candidate at once: reduceat over (start, end) pairs
    bounds = np.empty(2 * ps.size, dtype=np.int64)
    bounds[0::2] = np.maximum(1, ps // 2)
    bounds[1::2] = ps + 1
    valley = np.minimum.reduceat(np.append(seg, -2.0), bounds)[0::2]
    peak = seg[ps]
    prom = peak - valley
    keep = prom >= np.maximum(MIN_PROMINENCE, PROMINENCE_SHARE * peak)
    return list(zip(ps[keep].tolist(), peak[keep].tolist(), prom[keep].tolist(), strict=True))


def _ref_near(row: FloatArray, lag: float, period: float, slack: int = 1) -> tuple[int, float]:
    """The highest r within 1 % of a (fractional) lag, at least ``slack`` lags either side,
    and within a third of the period (so the search never reaches the next multiple):
    (lag, r)."""
    w = max(1, min(max(round(0.01 * lag), slack), math.floor(period / 3)))
    a = max(1, math.floor(lag) - w)
    b = min(len(row) - 1, math.ceil(lag) + w)
    if a > b:
        return -1, math.nan
    seg = row[a : b + 1]
    i = int(np.argmax(seg))
    return a + i, float(seg[i])


def _ref_fundamental(
    row: FloatArray, lo: int, hi: int, floor: float
) -> tuple[float, float, float, int] | None:
    cands = _ref_candidates(row, lo, hi, floor)
    repeating = []
    for p, r, prom in cands:
        if 2 * p <= hi:
            _, r2 = _ref_near(row, 2 * p, p)
            if not r2 >= 0.5 * r:
                continue
        repeating.append((p, r, prom))
    if not repeating:
        return None
    top = max(c[1] for c in repeating)
    # the shortest of the (near-)best: an exact period correlates equally at its multiples
    best = min((c for c in repeating if c[1] >= top - TIE), key=lambda c: c[0])
    fund = best
    for c in sorted(repeating):
        if c[0] >= best[0]:
            break
        m = best[0] / c[0]
        if c[1] < HARMONIC_SHARE * best[1] or round(m) < 2 or abs(m - round(m)) > 0.05 * m:
            continue
        # a true fundamental also correlates half-way to the longer period (a daily cycle
        # with a job every hour does not: r at 12 h is low, and the day is the period)
        # a period known to half a lag is known to k/2 lags at its k-th multiple
        k = round(m) // 2
        _, r_half = _ref_near(row, k * c[0], c[0], slack=math.ceil(k / 2))
        if r_half >= HALF_SHARE * c[1]:
            fund = c
            break
    p, r, prom = fund
    period = float(p)
    repeats = 1
    m = 2
    while m * period <= hi:
        # doubling keeps the predicted lag within one lag of the peak; only short periods
        # (under REFINE_BELOW_LAGS) move: a long one is already known to 1 %
        lag, rm = _ref_near(row, m * period, 1.0 if p < REFINE_BELOW_LAGS else period)
        if not rm >= 0.5 * r:
            break
        if p < REFINE_BELOW_LAGS:
            period = lag / m
        repeats = m
        m *= 2
    return period, r, prom, repeats


# --- the comparison ---


def _same(a: list[PeriodFit], b: list[PeriodFit]) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        for f in ("period_s", "acf", "prominence", "repeats", "acf_24h", "acf_168h"):
            u, v = getattr(x, f), getattr(y, f)
            assert (math.isnan(u) and math.isnan(v)) or (u == v and repr(u) == repr(v)), (f, x, y)


def _rows(rng: np.random.Generator, rows: int, n: int, step_s: float) -> np.ndarray:
    """A mix of cycles (daily, hourly, odd periods, harmonics), spikes, noise, random walks,
    level shifts, constant and all-zero rows, with NaN gaps in some."""
    t = np.arange(n) * step_s
    out = np.empty((rows, n))
    for i in range(rows):
        kind = i % 9
        period = rng.choice([3600.0, 86400.0, 65.45 * 60, 7200.0, 43200.0, 604800.0 / 2])
        noise = rng.normal(0, rng.uniform(0.05, 2.0), n)
        if kind == 0:
            x = np.sin(2 * np.pi * t / period) + noise
        elif kind == 1:  # a job every ``period``
            x = np.where((t % period) < step_s, 40.0, 1.0) + 0.1 * noise
        elif kind == 2:  # day + small hourly job
            x = np.sin(2 * np.pi * t / 86400.0) + 0.4 * ((t % 3600.0) < step_s) + 0.1 * noise
        elif kind == 3:
            x = np.cumsum(noise)
        elif kind == 4:
            x = noise
        elif kind == 5:
            x = np.full(n, 3.5)
        elif kind == 6:
            x = np.zeros(n)
        elif kind == 7:  # level shift plus a cycle
            x = np.where(t > t[-1] / 2, 5.0, 0.0) + np.sin(2 * np.pi * t / period) + noise
        else:
            x = np.sin(2 * np.pi * t / period) + np.sin(4 * np.pi * t / period) + 0.5 * noise
        if rng.random() < 0.4:  # NaN gaps: scattered samples and one long run
            x[rng.random(n) < rng.uniform(0.01, 0.3)] = np.nan
            g = int(rng.integers(0, n))
            x[g : g + int(rng.integers(1, max(2, n // 5)))] = np.nan
        out[i] = x - np.nanmean(x) if not np.isnan(x).all() else x
    return out


@pytest.mark.parametrize(
    ("step_s", "n"),
    [
        (3600.0, 30 * 24),  # 30 days hourly
        (300.0, 30 * 288),  # 30 days at 5 minutes
        (300.0, 15 * 288),  # a half window
        (60.0, 60 * 24),  # a day at one minute
        (3600.0, 10 * 24),  # 10 days: 168 h past half the window
        (900.0, 40),  # short: few lags
        (3600.0, 5),  # too short for any period
    ],
)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fit_periods_matches_the_scalar_reference(step_s: float, n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    resid = _rows(rng, 27, n, step_s)
    events = [int(e) for e in rng.integers(0, 50, len(resid))]
    _same(fit_periods(resid, step_s), ref_fit_periods(resid, step_s))
    _same(fit_periods(resid, step_s, events), ref_fit_periods(resid, step_s, events))


def test_fit_periods_finds_periods_in_the_comparison() -> None:
    """The comparison is not vacuous: the mix has rows with and without a period."""
    rng = np.random.default_rng(0)
    fits = fit_periods(_rows(rng, 27, 30 * 288, 300.0), 300.0)
    found = [f for f in fits if not math.isnan(f.period_s)]
    assert 5 <= len(found) < len(fits)
    assert any(f.repeats > 1 for f in found)


def test_fit_periods_of_no_rows() -> None:
    assert fit_periods(np.empty((0, 100)), 3600.0) == []
