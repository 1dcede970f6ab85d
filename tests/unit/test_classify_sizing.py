"""Tests for peak-aware right-sizing, trends, cpu_max and GPU counts and verdicts
(planner.classify.sizing, gpu) through ``classify_project``."""

from __future__ import annotations

import numpy as np
import pytest

from planner.classify import MetricSeries, TelemetrySet, classify_project
from planner.ingest.metrics import resolve_metric
from planner.model import (
    Classification,
    Project,
    Resources,
    Workload,
    WorkloadClass,
    WorkloadKind,
)
from planner.pipeline import requests_from
from planner.qos import CPU_LIMIT_FACTOR

T0 = 1790812800.0  # 2026-10-01T00:00:00Z
N5 = 30 * 288
TS5 = T0 + np.arange(N5) * 300.0
HOURS = 30 * 24
TS1 = T0 + np.arange(HOURS) * 3600.0


def _w(kind: WorkloadKind = WorkloadKind.SERVICE, cpu: float = 4, gpus: int = 0) -> Workload:
    return Workload(
        name="w",
        team="t",
        kind=kind,
        tier=2,
        replicas=1,
        resources=Resources(cpu=cpu, memory_gib=16, gpus=gpus, gpu_type="h100" if gpus else None),
    )


def _classify(w: Workload, *series: MetricSeries) -> tuple[Classification, Project]:
    project = Project(root=".", workloads=(w,), sites=())
    (c,) = classify_project(project, TelemetrySet(series=series))
    return c, project


def _spiky_idle() -> tuple[np.ndarray, np.ndarray]:
    """5-minute means of ~1 % of 4 cores, per-interval maxima reaching 45 % every 65 min."""
    rng = np.random.default_rng(1)
    mean = 1.0 + 0.1 * rng.standard_normal(N5)
    peak = mean + np.where(np.arange(N5) % 13 == 0, 45.0, 2.0)
    return mean, peak


def test_cpu_max_alias_is_the_peak_metric() -> None:
    """cpu_max and its percent spellings map to the canonical cpu_max metric."""
    assert resolve_metric("cpu_max") is not None
    assert resolve_metric("max_cpu_percent") == ("cpu_max", "percent", 1.0)
    assert resolve_metric("tokens_per_second") == ("tokens", "tokens/s", 1.0)


def test_peaky_idle_is_not_idle_and_the_limit_covers_the_peaks() -> None:
    """Means of 1 % look idle; the maxima reach 45 % of 4 cores every 65 minutes, so it is
    not idle, the reason says why, and the request is raised until its 2x limit covers the
    p99 of the maxima (1.88 cores)."""
    mean, peak = _spiky_idle()
    c, _ = _classify(
        _w(),
        MetricSeries.of("w", "cpu", TS5, mean, unit="percent"),
        MetricSeries.of("w", "cpu_max", TS5, peak, unit="percent"),
    )
    assert c.cls is not WorkloadClass.IDLE
    assert any(r.startswith("not idle: mean 1.0% and p95") for r in c.reasons)
    assert c.rightsized is not None
    p99 = float(np.quantile(peak, 0.99)) / 100 * 4
    assert c.rightsized.cpu * CPU_LIMIT_FACTOR >= p99
    assert c.peak_check is not None
    assert c.peak_check.metric == "cpu_max"
    assert c.peak_check.share_above_limit <= 0.01


def test_same_means_without_cpu_max_are_idle() -> None:
    """Without cpu_max the same means are idle (what the averages show), and the idle
    reason names the peak it looked at."""
    mean, _ = _spiky_idle()
    c, _ = _classify(_w(), MetricSeries.of("w", "cpu", TS5, mean, unit="percent"))
    assert c.cls is WorkloadClass.IDLE
    assert "peaks (cpu p99)" in c.reasons[0]


def test_peak_check_reports_throttling_shares() -> None:
    """A tier-2 service at 0.5 cores with a 3-core spike every five days (under 1 % of the
    hours): the limit covers the p99, not the spikes, which are counted per interval (6 of
    720) and per day (6 of 30)."""
    vals = np.full(HOURS, 0.5)
    vals[::120] = 3.0
    c, _ = _classify(_w(cpu=4), MetricSeries.of("w", "cpu", TS1, vals))
    pc = c.peak_check
    assert pc is not None
    assert pc.request_cores == 0.6
    assert pc.limit_cores == pytest.approx(pc.request_cores * CPU_LIMIT_FACTOR)
    assert pc.share_above_limit == pytest.approx(6 / HOURS, abs=1e-4)
    assert pc.days_above_limit == pytest.approx(0.2)
    assert any("sampled every 1 h without cpu_max" in r for r in c.reasons)


def test_growth_sizes_for_the_end_of_the_window() -> None:
    """A service growing +50 % a month along a line is sized for the end of the window:
    more than p95 x headroom of the whole month, and the reason says so."""
    rng = np.random.default_rng(2)
    level = 1.0 + 0.5 * np.arange(HOURS) / 730
    vals = level * (1 + 0.02 * rng.standard_normal(HOURS))
    c, _ = _classify(_w(), MetricSeries.of("w", "cpu", TS1, vals))
    assert c.rightsized is not None
    assert c.rightsized.cpu > np.percentile(vals, 95) * 1.2 + 0.1
    assert any("sized for the end of the window" in r for r in c.reasons)


def test_idle_8_gpu_job_is_right_sized_to_the_gpus_in_use() -> None:
    """An 8-GPU training job whose GPUs are 2 % busy, never more than 30 % (2.4 GPUs at
    once): idle, right-sized to 3 GPUs - never below the 3 in use at the peak - and the
    plan prices 3."""
    rng = np.random.default_rng(3)
    util = np.clip(0.02 + 0.005 * rng.standard_normal(HOURS), 0, 1)
    util[100] = 0.30
    w = _w(kind=WorkloadKind.TRAINING, gpus=8)
    c, project = _classify(w, MetricSeries.of("w", "gpu", TS1, util))
    assert c.cls is WorkloadClass.IDLE
    assert c.rightsized is not None
    assert c.rightsized.gpus == 3
    assert any(r.startswith("GPUs: 3 of 8") for r in c.reasons)
    assert requests_from(project, (c,))["w"].gpus == 3


def test_training_kind_whose_gpu_follows_requests_is_inference() -> None:
    """Declared training, but GPU utilisation follows an rps series (r ~1): the series
    outweighs the label, the class is ai-inference and the disagreement is reported."""
    load = 1 + 0.5 * np.sin(2 * np.pi * np.arange(HOURS) / 24)
    w = _w(kind=WorkloadKind.TRAINING, gpus=1)
    c, _ = _classify(
        w,
        MetricSeries.of("w", "gpu", TS1, 0.3 * load),
        MetricSeries.of("w", "rps", TS1, 100 * load),
    )
    assert c.cls is WorkloadClass.AI_INFERENCE
    assert c.reasons[0].startswith("ai-inference: GPU utilisation follows rps, hourly r 1.00")
    assert "kind training, 1 GPUs declared: the series says inference, not training" in c.reasons


def test_inference_kind_with_sustained_gpu_reports_the_disagreement() -> None:
    """Declared inference, GPU busy ~93 % all month and no request series: the kind is the
    prior (ai-inference), but the reason says the series looks like training."""
    w = _w(kind=WorkloadKind.INFERENCE, gpus=1)
    c, _ = _classify(w, MetricSeries.of("w", "gpu", TS1, np.full(HOURS, 0.93)))
    assert c.cls is WorkloadClass.AI_INFERENCE
    assert "looks like training (sustained GPU" in c.reasons[0]


def test_tokens_per_second_are_quoted_for_inference() -> None:
    """An inference service with a tokens/s series that follows the GPU: request-driven,
    and the reasons quote the tokens served."""
    load = 1 + 0.5 * np.sin(2 * np.pi * np.arange(HOURS) / 24)
    w = _w(kind=WorkloadKind.INFERENCE, gpus=1)
    c, _ = _classify(
        w,
        MetricSeries.of("w", "gpu", TS1, 0.3 * load),
        MetricSeries.of("w", "tokens", TS1, 2000 * load, unit="tokens/s"),
    )
    assert c.cls is WorkloadClass.AI_INFERENCE
    assert c.reasons[0].startswith("ai-inference: GPU utilisation follows tokens")
    assert any(r.startswith("serving 2,000 tokens/s on average") for r in c.reasons)
