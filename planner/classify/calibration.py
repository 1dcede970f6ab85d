"""Classifier thresholds: the defaults with their sources, a project's overrides, and the
rule-1 test of whether a series' features can be used at all. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from planner.classify.features import Features
from planner.errors import InputError, Problem
from planner.layout import PROJECT

DEFAULTS: Mapping[str, float] = MappingProxyType(
    {
        # hybridplan's own calibration (2026-11) on examples/acme and the public traces in
        # tests/data/traces, except where a source is named.
        # Rule 1. One day is the shortest window that shows a daily cycle; half the samples
        # present is the least we accept before percentiles stop meaning much.
        "min_days": 1.0,
        "min_coverage": 0.5,
        # Rule 2. Below 5 % mean and 10 % p95 of its request a workload does no useful work.
        # Stricter than AWS Trusted Advisor's "Low Utilization Amazon EC2 Instances" check
        # (daily average CPU <= 10 % and network I/O <= 5 MB on 4 of the last 14 days;
        # check description as published by the AWS Support API, read 2026-11): we ask it
        # of the whole window, on the mean and on the p95.
        "idle_max_mean": 0.05,
        "idle_max_p95": 0.10,
        # ... its peaks (p99 of cpu_max, else of the series) stay under 30 % of the request:
        # on the Azure 2017 VMs in tests/data/traces whose means look idle, the p95 of the
        # 5-minute maxima is a median 6.9x (2-26x) the p95 of the 5-minute means, so a VM
        # that idles on average can still work hard every few minutes ...
        "idle_max_peak": 0.3,
        # ... and it serves almost nothing: at most one request every 100 s on average.
        "idle_max_rps": 0.01,
        # Rule 3. Training keeps its GPUs busy: mean >= 50 % and busy >= 80 % of the time.
        "training_min_gpu_mean": 0.5,
        "training_min_duty": 0.8,
        # Rule 4. GPU load follows requests when hourly r >= 0.5.
        "inference_min_rps_corr": 0.5,
        # Rule 5. On/off: active at most 60 % of the time, repeating (r >= 0.3 one period on).
        "batch_max_duty": 0.6,
        "batch_min_acf": 0.3,
        # Rule 6. A daily/weekly cycle: r >= 0.5 one period on, with CV >= 0.1 (a
        # smaller swing is steady for placement purposes).
        "diurnal_min_acf": 0.5,
        "diurnal_min_cv": 0.1,
        # Rule 7. Steady: CV <= 0.25 and p95 within 1.5x the mean.
        "steady_max_cv": 0.25,
        "steady_max_p95_to_mean": 1.5,
        # Rule 8. Bursty: CV >= 0.5 or p99 >= 3x the mean.
        "bursty_min_cv": 0.5,
        "bursty_min_p99_to_mean": 3.0,
        # Right-sizing floors: 50 millicores, 128 MiB.
        "rightsize_min_cpu": 0.05,
        "rightsize_min_memory_gib": 0.125,
        # Right-sizing: the emitted CPU limit covers the p99 of the per-interval peaks (a
        # limit that only covers the p95 throttles one interval in twenty).
        "rightsize_peak_quantile": 0.99,
        # Right-sizing: a growth of at least 10 % a month, along a line that explains at
        # least half of the daily means' variance, sizes for the end of the window.
        "trend_min_per_month": 0.1,
        "trend_min_r2": 0.5,
    }
)
"""Classifier thresholds; override any of them in ``project.yaml`` ``settings.classify``."""


def thresholds(overrides: Mapping[str, float]) -> dict[str, float]:
    """DEFAULTS with ``overrides`` applied; an unknown name is an input error."""
    unknown = sorted(set(overrides) - set(DEFAULTS))
    if unknown:
        known = ", ".join(sorted(DEFAULTS))
        raise InputError(
            [
                Problem(
                    file=PROJECT,
                    line=0,
                    column=0,
                    field=f"settings.classify.{name}",
                    message=f"unknown classifier threshold {name!r}",
                    fix=f"use one of: {known}",
                )
                for name in unknown
            ]
        )
    out = dict(DEFAULTS)
    out.update({k: float(v) for k, v in overrides.items()})
    return out


def usable(f: Features, t: Mapping[str, float]) -> bool:
    """Rule 1: enough days of data at enough coverage to classify on (``min_days``,
    ``min_coverage``)."""
    return f.samples > 0 and f.days >= t["min_days"] and f.coverage >= t["min_coverage"]
