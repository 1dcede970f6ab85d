"""Right-sizing: a recommended per-replica request from a workload's features. Pure.

Per replica, cpu and memory from p95 (p99 for tier 1) x ``Settings.headroom``, rounded up
to 0.01, never below ``rightsize_min_cpu`` / ``rightsize_min_memory_gib``. Memory is never
sized below its observed maximum: it cannot be throttled, and the emitted memory limit
equals the request, so a request under the peak would be OOM-killed at every peak (a bursty
workload's p95 x 1.2 can be half its peak). Series in percent are percent **of the declared
per-replica request** (100 = the whole request), converted to cores / GiB before sizing. A
metric without usable telemetry (unknown per rule 1 of ``planner.classify.rules``) keeps
its declared value; ``None`` when neither cpu nor memory is usable. GPUs and storage are
unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from planner.classify.calibration import usable
from planner.classify.features import Features
from planner.classify.series import MetricSeries
from planner.model import Resources, Workload


def _ceil(x: float, step: float = 0.01) -> float:
    return round(math.ceil(x / step - 1e-9) * step, 6)


def rightsize(
    workload: Workload,
    series: Mapping[str, MetricSeries],
    feats: Mapping[str, Features],
    t: Mapping[str, float],
    headroom: float,
) -> Resources | None:
    """Recommended per-replica request (module doc, "Right-sizing")."""
    q = "p99" if workload.tier == 1 else "p95"
    declared = workload.resources

    def sized(
        metric: str, declared_value: float, floor: float, *, at_least_max: bool = False
    ) -> float | None:
        f = feats.get(metric)
        s = series.get(metric)
        if f is None or s is None or not usable(f, t):
            return None
        level, peak = float(getattr(f, q)), float(f.max)
        if s.unit == "percent":
            level, peak = level / 100.0 * declared_value, peak / 100.0 * declared_value
        out = max(floor, _ceil(level * headroom))
        if at_least_max:  # memory: never below the observed peak (module doc)
            out = max(out, _ceil(peak))
        return out

    cpu = sized("cpu", declared.cpu, t["rightsize_min_cpu"])
    mem = sized("memory", declared.memory_gib, t["rightsize_min_memory_gib"], at_least_max=True)
    if cpu is None and mem is None:
        return None
    return Resources(
        cpu=cpu if cpu is not None else declared.cpu,
        memory_gib=mem if mem is not None else declared.memory_gib,
        gpus=declared.gpus,
        gpu_type=declared.gpu_type,
        storage_gib=declared.storage_gib,
    )
