"""Duty cycle from telemetry: the hours a month a batch workload runs (issue #12).

A batch workload (kind ``batch``, or classified ``batch``) that declares no
``hours_per_month`` gets ``ceil(d x 730)`` hours (at least 1), ``d`` its telemetry duty
cycle: the largest over its metrics of the share of samples above 20 % of the metric's p99
(``planner.classify.features``). Cloud capacity bought by the hour is then priced for those
hours, like a declared schedule (``planner.cost.cloud_lines.billed_hours``); a commitment
still bills every hour, and owned capacity still holds its whole request (it must fit when
it runs). A duty cycle of 1 (always busy), none, or a declared schedule changes nothing.
Training is priced by its GPU-hours already.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import replace

from planner.model import (
    HOURS_PER_MONTH,
    Classification,
    Project,
    Workload,
    WorkloadClass,
    WorkloadKind,
)

TELEMETRY = "telemetry duty cycle"
"""``Workload.hours_source`` of hours read from telemetry."""


def duty_hours(workload: Workload, c: Classification | None) -> int | None:
    """The hours a month ``workload`` runs by its telemetry, or ``None`` (see the module
    docstring)."""
    if workload.hours_per_month is not None or c is None:
        return None
    if workload.kind is not WorkloadKind.BATCH and c.cls is not WorkloadClass.BATCH:
        return None
    duties = [
        f["duty_cycle"]
        for f in c.features.values()
        if "duty_cycle" in f and math.isfinite(f["duty_cycle"])
    ]
    if not duties or max(duties) >= 1:
        return None
    return max(1, math.ceil(max(duties) * HOURS_PER_MONTH))


def with_duty_hours(project: Project, classifications: Iterable[Classification]) -> Project:
    """``project`` with each batch workload's telemetry hours set (the same project when no
    workload changes)."""
    by = {c.workload: c for c in classifications}
    out: list[Workload] = []
    changed = False
    for w in project.workloads:
        h = duty_hours(w, by.get(w.name))
        if h is None:
            out.append(w)
            continue
        out.append(replace(w, hours_per_month=float(h), hours_source=TELEMETRY))
        changed = True
    return replace(project, workloads=tuple(out)) if changed else project
