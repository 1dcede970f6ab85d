"""The verdict type and the confidence arithmetic every classification rule shares. Pure."""

from __future__ import annotations

import math
from dataclasses import dataclass

from planner.classify.features import Features
from planner.classify.series import MetricSeries
from planner.model import Workload, WorkloadClass, WorkloadKind

GPU_KINDS = (WorkloadKind.TRAINING, WorkloadKind.INFERENCE)


@dataclass(frozen=True, slots=True)
class Verdict:
    """The telemetry's answer for one workload."""

    cls: WorkloadClass
    confidence: float
    reasons: tuple[str, ...]
    metric: str | None


def confidence(margin: float, f: Features) -> float:
    """(0.5 + 0.5 x margin) x (0.6 + 0.4 x min(1, days / 14)) x (0.5 + 0.5 x coverage), with
    the margin (how far the deciding feature is past its threshold) clamped to [0, 1]."""
    m = min(1.0, max(0.0, margin)) if not math.isnan(margin) else 0.0
    data = 0.6 + 0.4 * min(1.0, f.days / 14.0)
    cov = 0.5 + 0.5 * min(1.0, max(0.0, f.coverage))
    return round((0.5 + 0.5 * m) * data * cov, 2)


def margin_to_one(x: float, threshold: float) -> float:
    """How far ``x`` is past a lower ``threshold`` on a 0-1 scale, as a fraction of the way
    from the threshold to 1."""
    return (x - threshold) / max(1e-9, 1 - threshold)


def margin_under(x: float, threshold: float) -> float:
    """How far ``x`` is below an upper ``threshold``, relative to the threshold."""
    return (threshold - x) / max(1e-9, threshold)


def margin_over(x: float, threshold: float) -> float:
    """How far ``x`` is above a lower ``threshold``, relative to the threshold."""
    return (x - threshold) / max(1e-9, threshold)


def utilisation_scale(workload: Workload, s: MetricSeries) -> float | None:
    """Divisor turning a series into a fraction of the declared request (None: no scale)."""
    if s.unit == "percent":
        return 100.0
    if s.metric == "gpu":
        return 1.0
    if s.metric in ("cpu", "cpu_max") and workload.resources.cpu > 0:
        return workload.resources.cpu
    return None
