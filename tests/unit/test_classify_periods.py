"""Tests for period detection at native resolution, level shifts and stability
(planner.classify.periods, regimes, stability) through ``classify_project``."""

from __future__ import annotations

import numpy as np
import pytest

from planner.classify import MetricSeries, TelemetrySet, autocorrelation, classify_project
from planner.model import Classification, Project, Resources, Workload, WorkloadClass, WorkloadKind

T0 = 1790812800.0  # 2026-10-01T00:00:00Z
STEP = 300.0
N = 30 * 288  # 30 days of 5-minute samples
TS = T0 + np.arange(N) * STEP
VM = Resources(cpu=4, memory_gib=16)


def _classify(values: np.ndarray, ts: np.ndarray = TS, name: str = "vm") -> Classification:
    w = Workload(name=name, team="t", kind=WorkloadKind.SERVICE, tier=2, replicas=1, resources=VM)
    s = MetricSeries.of(name, "cpu", ts, values, unit="percent")
    project = Project(root=".", workloads=(w,), sites=())
    (c,) = classify_project(project, TelemetrySet(series=(s,)))
    return c


def _job(period_min: float, height: float = 45.0, base: float = 1.0) -> np.ndarray:
    """A one-sample spike every ``period_min`` minutes on a flat base, with a little noise."""
    rng = np.random.default_rng(3)
    t_min = (TS - T0) / 60
    phase = np.mod(t_min, period_min)
    spike = np.where(phase < STEP / 60, height, 0.0)
    return base + spike + 0.05 * rng.standard_normal(N)


def test_job_every_65_minutes_is_not_a_daily_cycle() -> None:
    """A job every 65.45 minutes (22 runs a day) correlates with itself 24 h later; at its
    own 5-minute resolution the period found is the job's, and the class is batch."""
    c = _classify(_job(720 / 11))
    cpu = c.features["cpu"]
    assert cpu["acf_24h"] > 0.5
    assert cpu["period_s"] == pytest.approx(720 / 11 * 60, rel=0.01)
    assert c.cls is WorkloadClass.BATCH
    assert c.reasons[0].startswith("batch: periodic job every 65 min (ACF ")


def test_daily_cycle_at_5_minutes_is_diurnal_with_period() -> None:
    """A 24 h sine at 5-minute resolution is diurnal and the reason names the daily cycle."""
    rng = np.random.default_rng(4)
    vals = 20 + 10 * np.sin(2 * np.pi * (TS - T0) / 86400) + rng.standard_normal(N)
    c = _classify(vals)
    assert c.cls is WorkloadClass.DIURNAL
    assert c.features["cpu"]["period_s"] == pytest.approx(86400, rel=0.01)
    assert c.reasons[0].startswith("diurnal: daily cycle (24 h, ACF 0.9")


def test_persistence_is_not_a_cycle() -> None:
    """A slowly wandering level (a random walk, strongly autocorrelated at every lag) has
    no prominent peak: no period."""
    rng = np.random.default_rng(5)
    walk = 30 + np.cumsum(rng.standard_normal(N)) * 0.1
    c = _classify(walk)
    assert np.isnan(c.features["cpu"]["period_s"])
    assert c.cls is not WorkloadClass.DIURNAL
    assert c.cls is not WorkloadClass.BATCH


def test_step_change_is_sized_on_the_current_regime() -> None:
    """1.8 % for 22 days, then ~21 %: not a periodic class; the class and the request come
    from the last 8 days, and the reasons say so."""
    rng = np.random.default_rng(6)
    vals = np.where(np.arange(N) < 22 * 288, 1.8, 21.0) * (1 + 0.05 * rng.standard_normal(N))
    c = _classify(vals)
    assert c.cls is WorkloadClass.STEADY
    assert c.features["cpu"]["shift_at_days"] == pytest.approx(22, abs=0.05)
    assert any("level shift on day 22.0 (1.8 -> 21)" in r for r in c.reasons)
    assert any("classified and sized on the last 8.0 days" in r for r in c.reasons)
    assert c.rightsized is not None
    assert c.rightsized.cpu > 0.21 * 4  # sized for ~21 % of 4 cores, not the month's mean


def test_class_that_changes_between_halves_loses_confidence() -> None:
    """Flat for two weeks, then a daily cycle for two weeks: the halves disagree, the
    reason says which class each half gave, and the confidence is cut."""
    rng = np.random.default_rng(7)
    daily = 20 + 12 * np.sin(2 * np.pi * (TS - T0) / 86400)
    vals = np.where(np.arange(N) < N // 2, 20.0, daily) + rng.standard_normal(N)
    c = _classify(vals)
    assert any(r.startswith("unstable: first half steady") for r in c.reasons)
    assert c.confidence <= 0.75


def test_stable_class_says_so() -> None:
    """A job every 65 minutes all month is batch in both halves: the reason says so."""
    c = _classify(_job(720 / 11))
    assert "stable: same class in both halves of the window" in c.reasons


def test_autocorrelation_with_gaps_matches_the_pairwise_definition() -> None:
    """The FFT autocorrelation with missing samples equals the direct sum over present
    pairs (normalised by the pairs at each lag)."""
    rng = np.random.default_rng(8)
    x = rng.standard_normal(200)
    x[rng.random(200) < 0.2] = np.nan
    x = x - np.nanmean(x)
    r = autocorrelation(x[None, :], 20)[0]
    present = ~np.isnan(x)
    var = np.nansum(x * x) / present.sum()
    for k in (1, 5, 20):
        both = present[:-k] & present[k:]
        direct = np.sum(x[:-k][both] * x[k:][both]) / both.sum() / var
        assert r[k] == pytest.approx(direct, rel=1e-9)
