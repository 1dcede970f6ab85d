"""Metric names, units and plausibility limits of telemetry: ``METRIC_ALIASES`` (every
accepted name -> canonical metric, unit and conversion factor), ``ABSURD_LIMITS``, and the
metric named by a file name.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from planner.classify.series import METRICS


class MetricUnit(NamedTuple):
    """What a metric name means: the canonical metric, the unit, and the factor that
    converts values to that unit."""

    metric: str
    unit: str
    factor: float

    @property
    def absurd_limit(self) -> float:
        """The largest plausible value (``ABSURD_LIMITS``); inf when there is none."""
        return ABSURD_LIMITS.get((self.metric, self.unit), math.inf)


_ALIASES: Mapping[str, tuple[str, str, float]] = {
    # other name (lower case) -> (canonical metric, unit, factor applied to values); the
    # canonical names, in their default units, come from planner.classify.series.METRICS
    "cpu_cores": ("cpu", "cores", 1.0),
    "cpu_usage": ("cpu", "cores", 1.0),
    "cpu_percent": ("cpu", "percent", 1.0),
    "cpu_pct": ("cpu", "percent", 1.0),
    "cpuutilization": ("cpu", "percent", 1.0),  # CloudWatch EC2 CPUUtilization
    "cpu_utilization": ("cpu", "percent", 1.0),
    "max_cpu": ("cpu_max", "cores", 1.0),
    "cpu_max_cores": ("cpu_max", "cores", 1.0),
    "cpu_max_percent": ("cpu_max", "percent", 1.0),
    "max_cpu_percent": ("cpu_max", "percent", 1.0),
    "mem": ("memory", "gib", 1.0),
    "memory_gib": ("memory", "gib", 1.0),
    "memory_mib": ("memory", "gib", 1.0 / 1024),
    "memory_bytes": ("memory", "gib", 1.0 / 2**30),
    "memory_percent": ("memory", "percent", 1.0),
    "mem_used_percent": ("memory", "percent", 1.0),  # CloudWatch agent
    "memoryutilization": ("memory", "percent", 1.0),
    "gpu_util": ("gpu", "ratio", 1.0),
    "gpu_utilization": ("gpu", "ratio", 1.0),
    "gpu_percent": ("gpu", "ratio", 0.01),
    "dcgm_fi_dev_gpu_util": ("gpu", "ratio", 0.01),  # NVIDIA DCGM exporter, 0-100
    "requests_per_second": ("rps", "rps", 1.0),
    "requests_per_minute": ("rps", "rps", 1.0 / 60),
    "rpm": ("rps", "rps", 1.0 / 60),
    "tokens_per_second": ("tokens", "tokens/s", 1.0),
    "tokens_per_minute": ("tokens", "tokens/s", 1.0 / 60),
}

ABSURD_LIMITS: Mapping[tuple[str, str], float] = {
    # Largest plausible per-replica value after unit conversion; above it is a unit mistake.
    ("cpu", "cores"): 4096.0,  # 4x the largest 2025 single server (~1,000 vCPUs)
    ("cpu", "percent"): 100_000.0,  # 1000x the request (limits far above requests)
    ("cpu_max", "cores"): 4096.0,
    ("cpu_max", "percent"): 100_000.0,
    ("memory", "gib"): 65_536.0,  # 64 TiB (largest cloud instances: 32 TiB)
    ("memory", "percent"): 100_000.0,
    ("gpu", "ratio"): 1.05,  # utilisation is 0-1; 5 % slack for sampling rounding
    ("rps", "rps"): 1e8,
    ("tokens", "tokens/s"): 1e10,  # 100x rps at 100 tokens a request
}

METRIC_ALIASES: Mapping[str, MetricUnit] = {
    **{m: MetricUnit(m, unit, 1.0) for m, unit in METRICS.items()},  # the canonical names
    **{name: MetricUnit(*meaning) for name, meaning in _ALIASES.items()},
}
"""Every accepted metric name (lower case, ``_`` for ``-`` and ``.``) -> its meaning."""


@functools.lru_cache(maxsize=4096)
def resolve_metric(name: str) -> MetricUnit | None:
    """(metric, unit, factor) for a metric name, or None when unknown (remembered: a wide
    file names the same few metrics in every column)."""
    key = name.strip().lower().replace("-", "_").replace(".", "_")
    return METRIC_ALIASES.get(key)


def stem_metric(path: Path) -> str | None:
    """The metric named by a file's last word: ``fleet-cpu.csv`` -> ``cpu``."""
    stem = path.name
    for suffix in (".gz", ".csv", ".json"):
        stem = stem.removesuffix(suffix)
    words = [w for w in re.split(r"[.\-\s]", stem) if w]
    for n in (2, 1):  # try ``cpu_percent`` style two-word endings first via the full tail
        if len(words) >= n:
            tail = "_".join(words[-n:])
            if resolve_metric(tail) is not None:
                return tail
    if resolve_metric(stem) is not None:
        return stem
    last = stem.rsplit("_", 1)[-1]
    return last if resolve_metric(last) is not None else None


METRIC_FIX = "use one of " + ", ".join(sorted(METRIC_ALIASES))
