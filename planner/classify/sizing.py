"""Right-sizing: a recommended per-replica request from a workload's features, and how it
meets the observed peaks. Pure.

**CPU and memory**, per replica: the level is the p95 (p99 for tier 1) of the series - of
its current regime when it had a level shift (``planner.classify.project`` passes those
features) - raised, for a workload growing at least ``trend_min_per_month`` with a line
that explains at least ``trend_min_r2`` of its daily means, by half the growth over the
window (the level at the end of the window, not its middle). Request = level x
``Settings.headroom``, rounded up to 0.01, never below ``rightsize_min_cpu`` /
``rightsize_min_memory_gib``. Series in percent are percent **of the declared per-replica
request** (100 = the whole request), converted to cores / GiB before sizing.

* **CPU is sized for its peaks**: the emitted limit (``planner.qos``: 2x the request for
  tiers 2+, the request for tier 1) must cover the ``rightsize_peak_quantile`` (p99) of the
  per-interval peaks - the ``cpu_max`` series (per-interval maxima) when given, else the
  ``cpu`` series at its own interval - so the request is at least that peak / the limit
  factor. ``PeakCheck`` reports the share of intervals above the request and above the
  limit, and the share of days with any interval above the limit (policy HP-SLA-006 turns
  a throttling risk into a finding). Averages hide what happens inside an interval: the
  coarser the series, the lower its peaks (``COARSE_STEP_S``).
* **Memory** is never sized below its observed maximum: it cannot be throttled, and the
  emitted memory limit equals the request, so a request under the peak would be
  OOM-killed at every peak.

A metric without usable telemetry (unknown per rule 1 of ``planner.classify.rules``) keeps
its declared value; ``None`` when neither cpu nor memory is usable. GPUs: see
``planner.classify.gpu``; storage is unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from planner.classify.calibration import usable
from planner.classify.features import Features
from planner.classify.gpu import rightsize_gpus
from planner.classify.series import MetricSeries
from planner.model import PeakCheck, Resources, Workload
from planner.qos import cpu_limit_cores

SECONDS_PER_DAY = 86400.0
DAYS_PER_MONTH = 730.0 / 24.0
COARSE_STEP_S = 3600.0
"""Series sampled this coarsely (or more) without ``cpu_max`` get a warning: on the 77
Azure 2017 VMs of tests/data/traces, CPU requests sized from hourly means are a median
0.23x those sized from the same VMs' 5-minute means (``bench/azure_vms.py``)."""


@dataclass(frozen=True, slots=True)
class Sizing:
    """A right-sized request, how its CPU meets the peaks, and why (reason lines)."""

    resources: Resources | None
    peaks: PeakCheck | None
    notes: tuple[str, ...]


def _ceil(x: float, step: float = 0.01) -> float:
    return round(math.ceil(x / step - 1e-9) * step, 6)


def _growth(f: Features, t: Mapping[str, float]) -> float:
    """Half the growth over the window, in the series' units (0 unless trending up)."""
    trend, r2 = f.trend_per_month, f.trend_r2
    if math.isnan(trend) or math.isnan(r2) or trend < t["trend_min_per_month"]:
        return 0.0
    if r2 < t["trend_min_r2"]:
        return 0.0
    return 0.5 * trend * abs(f.mean) * f.days / DAYS_PER_MONTH


def rightsize(
    workload: Workload,
    series: Mapping[str, MetricSeries],
    feats: Mapping[str, Features],
    t: Mapping[str, float],
    headroom: float,
) -> Sizing:
    """Recommended per-replica request (module doc)."""
    q = "p99" if workload.tier == 1 else "p95"
    declared = workload.resources
    notes: list[str] = []

    def to_units(metric: str, x: float, declared_value: float) -> float:
        s = series[metric]
        return x / 100.0 * declared_value if s.unit == "percent" else x

    def level(metric: str, declared_value: float) -> float | None:
        f = feats.get(metric)
        if f is None or metric not in series or not usable(f, t):
            return None
        growth = _growth(f, t)
        if growth > 0:
            notes.append(
                f"{metric} grows {f.trend_per_month:+.0%} a month (line R^2 "
                f"{f.trend_r2:.2f}): sized for the end of the window, {q} + {growth:.3g}"
            )
        return to_units(metric, float(getattr(f, q)) + growth, declared_value)

    cpu_level = level("cpu", declared.cpu)
    cpu = peaks = None
    if cpu_level is not None:
        cpu = max(t["rightsize_min_cpu"], _ceil(cpu_level * headroom))
        cpu, peaks = _cover_peaks(workload, series, feats, t, cpu=cpu, notes=notes)
    mem_level = level("memory", declared.memory_gib)
    mem = None
    if mem_level is not None:
        peak = to_units("memory", feats["memory"].max, declared.memory_gib)
        mem = max(t["rightsize_min_memory_gib"], _ceil(mem_level * headroom), _ceil(peak))
    gpus = rightsize_gpus(workload, series, feats, t, headroom)
    if gpus is not None:
        notes.append(gpus[1])
    if cpu is None and mem is None and gpus is None:
        return Sizing(None, None, tuple(notes))
    return Sizing(
        Resources(
            cpu=cpu if cpu is not None else declared.cpu,
            memory_gib=mem if mem is not None else declared.memory_gib,
            gpus=gpus[0] if gpus is not None else declared.gpus,
            gpu_type=declared.gpu_type,
            storage_gib=declared.storage_gib,
        ),
        peaks,
        tuple(notes),
    )


def _cover_peaks(
    workload: Workload,
    series: Mapping[str, MetricSeries],
    feats: Mapping[str, Features],
    t: Mapping[str, float],
    *,
    cpu: float,
    notes: list[str],
) -> tuple[float, PeakCheck]:
    """The CPU request raised until its limit covers the peaks, and the ``PeakCheck``. The
    cpu series is usable (the caller checked), so it has samples."""
    max_f = feats.get("cpu_max")
    metric = "cpu_max" if max_f is not None and "cpu_max" in series and usable(max_f, t) else "cpu"
    s, f = series[metric], feats[metric]
    vals = s.values / 100.0 * workload.resources.cpu if s.unit == "percent" else s.values
    q = t["rightsize_peak_quantile"]
    scale = workload.resources.cpu / 100.0 if s.unit == "percent" else 1.0
    # the features hold the p99 and max already (same interpolation as np.quantile)
    peak_q = f.p99 * scale if q == 0.99 else float(np.quantile(vals, q))
    per_core_limit = cpu_limit_cores(1.0, workload.tier)
    need = _ceil(peak_q / per_core_limit)
    if need > cpu:
        notes.append(
            f"cpu raised from {cpu:g} to {need:g} cores so that its limit "
            f"({need * per_core_limit:g}) covers the {metric} p{q * 100:g} of {peak_q:.2f} cores"
        )
        cpu = need
    limit = cpu_limit_cores(cpu, workload.tier)
    above_limit = vals > limit + 1e-9
    n_above_limit = int(np.count_nonzero(above_limit))
    ts = s.timestamps_s
    days_above = 0
    if n_above_limit:
        day = np.floor((ts - ts[0]) / SECONDS_PER_DAY).astype(np.int64)
        days_above = int(np.count_nonzero(np.bincount(day[above_limit])))
    # the last sample's day, as ``day[-1]`` above
    n_days = int(np.floor((ts[-1:] - ts[0]) / SECONDS_PER_DAY).astype(np.int64)[0]) + 1
    if metric == "cpu" and f.step_s >= COARSE_STEP_S:
        notes.append(
            f"cpu is sampled every {f.step_s / 3600:g} h without cpu_max: means over an hour "
            "hide the peaks inside it and shrink the request; export 5-minute data or a "
            "cpu_max series"
        )
    return cpu, PeakCheck(
        metric=metric,
        step_s=f.step_s,
        request_cores=cpu,
        limit_cores=limit,
        peak_p99_cores=round(f.p99 * scale, 4),
        peak_max_cores=round(f.max * scale, 4),
        # counts over the size: the same floats as ``np.mean`` of the masks (exact sums)
        share_above_request=round(int(np.count_nonzero(vals > cpu + 1e-9)) / vals.size, 4),
        share_above_limit=round(n_above_limit / vals.size, 4),
        days_above_limit=round(days_above / n_days, 4),
    )
