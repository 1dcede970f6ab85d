"""Stability: does the class hold on parts of the window? Pure.

The window (the current regime, after a level shift) is cut in two halves by time and each
half is classified on its own with the same rules. The confidence of the whole is scaled by
``STABLE`` when both halves give the whole's class, ``ONE_HALF`` when one does and
``NEITHER`` when neither does, and a reason says so ("same class in both halves of the
window", or which class each half gave). A half too short to classify (rule 1) cannot
confirm or contradict: the confidence is kept and the reason says the window is too short to
check. 11 of the 77 Azure 2017 VMs in tests/data/traces changed class between the halves of
their month with the hourly classifier this replaced: a class that flips with the window is
not one to plan on with confidence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from planner.classify.calibration import usable
from planner.classify.features import Features
from planner.classify.rules import telemetry_verdict
from planner.classify.series import FloatArray, MetricSeries
from planner.classify.verdict import Verdict
from planner.model import Workload, WorkloadClass

STABLE = 1.0
ONE_HALF = 0.75
NEITHER = 0.5


def halves(s: MetricSeries) -> tuple[MetricSeries, MetricSeries]:
    """The samples before and from the middle of a series' time span."""
    ts = s.timestamps_s
    mid = (ts[0] + ts[-1]) / 2 if len(ts) else 0.0
    cut = int(np.searchsorted(ts, mid, side="right")) if len(ts) else 0
    return since(s, 0, cut), since(s, cut, len(ts))


def halves_of(series: Sequence[MetricSeries]) -> list[tuple[MetricSeries, MetricSeries]]:
    """``halves`` of each series; series that share a timestamp array (a time-major export)
    share its two halves' views too, split once."""
    views: dict[int, tuple[FloatArray, FloatArray, int]] = {}
    out = []
    for s in series:
        ts = s.timestamps_s
        found = views.get(id(ts))
        if found is None:
            first, second = halves(s)
            views[id(ts)] = (first.timestamps_s, second.timestamps_s, len(first))
            out.append((first, second))
            continue
        lo_ts, hi_ts, cut = found
        out.append(
            (
                MetricSeries(s.workload, s.metric, s.unit, lo_ts, s.values[:cut], 0, s.source),
                MetricSeries(s.workload, s.metric, s.unit, hi_ts, s.values[cut:], 0, s.source),
            )
        )
    return out


def since(s: MetricSeries, lo: int, hi: int) -> MetricSeries:
    """Samples ``lo:hi`` of a series (read-only views, already sorted and unique)."""
    return MetricSeries(
        s.workload, s.metric, s.unit, s.timestamps_s[lo:hi], s.values[lo:hi], 0, s.source
    )


def stability(
    workload: Workload,
    whole: Verdict,
    parts: Sequence[tuple[Mapping[str, MetricSeries], Mapping[str, Features]]],
    t: Mapping[str, float],
) -> tuple[float, str]:
    """(confidence factor, reason) from the verdicts of the parts (module doc)."""
    if whole.cls is WorkloadClass.UNKNOWN or whole.metric is None:
        return 1.0, ""
    classes: list[WorkloadClass] = []
    for series, feats in parts:
        f = feats.get(whole.metric)
        if f is None or not usable(f, t):
            return 1.0, "too short to check the class on each half of the window"
        classes.append(telemetry_verdict(workload, series, feats, t, words=False).cls)
    same = sum(c is whole.cls for c in classes)
    if same == len(classes):
        return STABLE, "stable: same class in both halves of the window"
    names = ", ".join(
        f"{n} half {c.value}" for n, c in zip(("first", "second"), classes, strict=False)
    )
    return (ONE_HALF if same else NEITHER), f"unstable: {names}"
