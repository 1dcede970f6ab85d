"""Classification with features computed on several threads is the serial classification,
to the byte (issue 15 speed)."""

from __future__ import annotations

import math

import numpy as np

from planner.classify import MetricSeries, TelemetrySet, classify_project
from planner.classify.calibration import thresholds
from planner.classify.features import (
    QUANTILES,
    _batch_rows,
    _matrix_features,
    features,
    features_of_matrix,
)
from planner.classify.periods import ROWS_PER_FFT
from planner.classify.rules import telemetry_verdict
from planner.classify.stability import halves
from planner.model import Project, Resources, Workload, WorkloadKind

T0 = 1790812800.0  # 2026-10-01T00:00:00Z
STEP_S = 1800.0
DAYS = 10


def _fleet(n: int, days: int = DAYS) -> tuple[Project, TelemetrySet]:
    """``n`` workloads of mixed shapes, two metrics each over ``days`` days, some with gaps,
    a level shift or a shorter window (so several batch shapes)."""
    points = 48 * days
    rng = np.random.default_rng(11)
    t = np.arange(points)
    hour = (t * STEP_S / 3600.0) % 24
    series: list[MetricSeries] = []
    workloads = []
    for i in range(n):
        name = f"w{i:05d}"
        level = rng.uniform(0.05, 4.0)
        noise = rng.standard_normal(points)
        shape = i % 6
        if shape == 0:
            cpu = level * (1 + 0.05 * noise)
        elif shape == 1:
            cpu = level * (1 + 0.5 * np.sin(2 * np.pi * hour / 24) + 0.05 * noise)
        elif shape == 2:
            cpu = level * (0.3 + (rng.random(points) < 0.03) * 5 + 0.05 * np.abs(noise))
        elif shape == 3:
            cpu = np.where(hour < 3, level, 0.01 * level) * (1 + 0.05 * noise)
        elif shape == 4:
            cpu = np.where(t < points // 2, 0.1, 1.0) * level * (1 + 0.05 * noise)
        else:
            cpu = 0.005 * level * (1 + np.abs(noise))
        ts = T0 + t * STEP_S
        keep = rng.random(points) > (0.1 if i % 5 == 0 else 0.0)
        if i % 7 == 0:
            keep &= t < points - 48
        cpu = np.maximum(cpu, 0.0)
        series.append(MetricSeries.of(name, "cpu", ts[keep], cpu[keep]))
        series.append(MetricSeries.of(name, "memory", ts, level * 2 + 0.1 * np.abs(noise)))
        workloads.append(
            Workload(
                name=name,
                team="t",
                kind=WorkloadKind.SERVICE,
                tier=2,
                replicas=2,
                resources=Resources(cpu=4.0, memory_gib=16.0),
            )
        )
    project = Project(root=".", workloads=tuple(workloads), sites=())
    return project, TelemetrySet(series=tuple(series))


def test_threads_classify_as_serial() -> None:
    """1,200 workloads over 3 days (2,400 series in 7 batches, one shape split over two):
    2 and 3 threads give the serial classifications, features included, compared as text
    to the last digit."""
    project, telemetry = _fleet(1200, days=3)
    serial = classify_project(project, telemetry)
    assert len({c.cls for c in serial}) >= 4  # a real mix of classes
    for threads in (2, 3):
        assert repr(classify_project(project, telemetry, threads=threads)) == repr(serial)


def test_threads_keep_the_order_of_the_series() -> None:
    """Features come back in the order of the series given, whatever the threads."""
    _, telemetry = _fleet(600)
    flat = list(reversed(telemetry.series))
    assert repr(features(flat, threads=4)) == repr(features(flat))
    assert [f.samples for f in features(flat, threads=4)] == [len(s) for s in flat]


def test_quantile_features_read_the_sorted_samples() -> None:
    """p50 / p95 / p99 / max of rows with ties, gaps and signed zeros are, to the bit, the
    linear interpolation between the order statistics of the present samples."""
    rng = np.random.default_rng(4)
    m = np.round(rng.uniform(0, 3, size=(50, 301)), 1)  # many ties
    m[::3, rng.integers(0, 301, size=40)] = np.nan
    m[5, ::2] = -0.0
    m[6, :] = 0.0
    m[6, ::3] = -0.0
    m[7] = np.nan
    for row, f in zip(m, features_of_matrix(m, 3600.0), strict=True):
        xs = sorted(float(v) for v in row if not math.isnan(v))
        if not xs:
            assert f.samples == 0
            continue
        for q, got in zip(QUANTILES, (f.p50, f.p95, f.p99, f.max), strict=True):
            pos = q * (len(xs) - 1)
            lo = math.floor(pos)
            hi = min(lo + 1, len(xs) - 1)
            want = xs[lo] + (pos - lo) * (xs[hi] - xs[lo])
            assert repr(got) == repr(want)


def test_verdict_without_words_has_the_same_class_and_confidence() -> None:
    """The halves' verdicts skip the shape rules' reasons: class, confidence and metric are
    those of the worded verdict, on every shape of the mixed fleet and on each half."""
    project, telemetry = _fleet(120)
    t = thresholds(project.settings.classify)
    by_key = telemetry.by_workload()
    seen = set()
    for w in project.workloads:
        series = by_key[w.name]
        for part in (series, *(dict(zip(series, h, strict=True)) for h in _halves(series))):
            feats = dict(zip(part, features(list(part.values())), strict=True))
            worded = telemetry_verdict(w, part, feats, t)
            bare = telemetry_verdict(w, part, feats, t, words=False)
            assert (bare.cls, bare.confidence, bare.metric) == (
                worded.cls,
                worded.confidence,
                worded.metric,
            )
            assert set(bare.reasons) <= set(worded.reasons)  # a peak note stays
            seen.add(worded.cls)
    assert len(seen) >= 3


def _halves(series: dict[str, MetricSeries]) -> list[list[MetricSeries]]:
    split = [halves(s) for s in series.values()]
    return [[h[0] for h in split], [h[1] for h in split]]


def test_batches_worked_in_pieces_are_the_whole_batches() -> None:
    """A batch is worked in pieces of its FFT blocks: the features are those of the whole
    batch at once, to the last digit. The last bits of an FFT's autocorrelation depend on
    the size of its block (numpy multiplies large arrays in place, in another operand
    order): here the second batch (1,474 rows a batch) ends in a block of 14 rows, where
    pieces cut from the first row would give it 208."""
    rng = np.random.default_rng(8)
    cols = 1000
    rows = _batch_rows(cols)
    assert rows % ROWS_PER_FFT != 0
    n = rows + ROWS_PER_FFT + 14
    t = np.arange(cols)
    m = rng.uniform(0.5, 2.0, size=(n, 1)) * (
        1 + 0.4 * np.sin(2 * np.pi * t / rng.integers(6, 200, size=(n, 1)))
    ) + 0.1 * rng.standard_normal((n, cols))
    m[::9, rng.integers(0, cols, size=50)] = np.nan
    whole = [
        f
        for start in range(0, n, rows)
        for f in _matrix_features(m[start : start + rows], 3600.0, [0] * rows)
    ]
    assert repr(features_of_matrix(m, 3600.0)) == repr(whole)
