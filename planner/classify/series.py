"""The utilisation series type: ``MetricSeries`` (one workload's samples of one metric) and
``TelemetrySet`` (every series of a project). Pure, numpy.

A ``MetricSeries`` holds sorted, unique UTC timestamps (seconds since the epoch) and float
values in read-only numpy arrays. Duplicate timestamps are **averaged** (two scrapes of the
same instant); input order does not matter.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from planner.model import Series, SourceRef, Workload

FloatArray = npt.NDArray[np.float64]

METRICS: Mapping[str, str] = {
    "cpu": "cores",  # per replica (or percent of the declared request when unit is percent)
    "cpu_max": "cores",  # per-interval maximum of cpu, same units: the peaks averages hide
    "memory": "gib",  # per replica (or percent of the declared request when unit is percent)
    "gpu": "ratio",  # GPU utilisation, 0-1
    "rps": "rps",  # requests per second, whole workload
    "tokens": "tokens/s",  # generated tokens per second, whole workload (LLM inference)
}
"""Canonical metric names and their default units."""


def _readonly(a: npt.ArrayLike) -> FloatArray:
    arr = np.array(a, dtype=np.float64, copy=True)
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True, slots=True, eq=False)
class MetricSeries:
    """One workload's samples of one metric: sorted unique UTC seconds, float values.

    Build it with ``MetricSeries.of`` (sorts, averages duplicate timestamps, copies into
    read-only arrays). ``unit`` is ``cores``, ``percent``, ``gib``, ``ratio`` or ``rps``.
    """

    workload: str
    metric: str
    unit: str
    timestamps_s: FloatArray
    values: FloatArray
    duplicates: int = 0
    """How many samples were merged into another with the same timestamp (averaged)."""
    source: SourceRef | None = field(default=None, compare=False)

    @classmethod
    def of(
        cls,
        workload: str,
        metric: str,
        timestamps_s: npt.ArrayLike,
        values: npt.ArrayLike,
        *,
        unit: str = "",
        source: SourceRef | None = None,
    ) -> MetricSeries:
        ts, vals, dups = normalise(
            np.asarray(timestamps_s, dtype=np.float64), np.asarray(values, dtype=np.float64)
        )
        return cls(
            workload=workload,
            metric=metric,
            unit=unit or default_unit(metric),
            timestamps_s=_readonly(ts),
            values=_readonly(vals),
            duplicates=dups,
            source=source,
        )

    @classmethod
    def from_series(cls, s: Series, *, unit: str = "") -> MetricSeries:
        """Adapt the model's tuple-based ``Series``."""
        return cls.of(s.workload, s.metric, s.timestamps_s, s.values, unit=unit, source=s.source)

    def __len__(self) -> int:
        return int(self.values.shape[0])


def default_unit(metric: str) -> str:
    """The default unit of a canonical metric (``METRICS``); empty for any other name."""
    return METRICS.get(metric, "")


def normalise(ts: FloatArray, values: FloatArray) -> tuple[FloatArray, FloatArray, int]:
    """Sort by time and average duplicate timestamps. Returns new arrays and the number of
    samples merged away. Inputs are not modified."""
    if ts.shape != values.shape:
        raise ValueError("timestamps and values differ in length")
    if is_sorted_unique(ts):
        return ts.copy(), values.copy(), 0
    order = np.argsort(ts, kind="stable")
    ts_sorted = ts[order]
    uniq, inverse = np.unique(ts_sorted, return_inverse=True)
    if uniq.size == ts.size:
        return ts_sorted, values[order], 0
    return uniq, mean_by_group(inverse, values[order], uniq.size), int(ts.size - uniq.size)


def is_sorted_unique(ts: FloatArray) -> bool:
    """Whether timestamps are strictly increasing (as a ``MetricSeries`` holds them)."""
    return ts.size < 2 or bool(np.all(ts[1:] > ts[:-1]))


def mean_by_group(group: npt.NDArray[np.intp], values: FloatArray, n_groups: int) -> FloatArray:
    """The mean of the values in each group (``group[i]`` in ``0..n_groups-1``, every group
    present), summed in input order."""
    sums = np.bincount(group, weights=values, minlength=n_groups)
    counts = np.bincount(group, minlength=n_groups)
    means: FloatArray = sums / counts
    return means


def telemetry_key(workload: Workload) -> str:
    """The name a workload's telemetry is filed under: ``Workload.telemetry``, else its
    name."""
    return workload.telemetry or workload.name
