"""Apply parsed changes to a ``Project`` and a ``Catalogue``: moves (pins), prices,
capacity, the horizon and demand growth, in order. Pure: returns new values, inputs
untouched.

Growth scales per-replica CPU and memory (declared and right-sized) and egress; GPU
replicas round up; training GPU-hours scale. Relative changes compose in order.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from planner.catalogue import Catalogue
from planner.model import Classification, Project, Resources, Workload, WorkloadKind
from planner.whatif.parse import Change, change_error, did_you_mean
from planner.whatif.sites import apply_capacity, apply_price, site_named


@dataclass(frozen=True, slots=True)
class Applied:
    """A project and catalogue with changes applied, and what each change did."""

    project: Project
    catalogue: Catalogue
    growth_factor: float = 1.0
    notes: tuple[str, ...] = ()


def _grow_workload(w: Workload, f: float) -> Workload:
    data = replace(w.data, egress_gib_per_month=w.data.egress_gib_per_month * f)
    if w.kind is WorkloadKind.TRAINING and w.training is not None:
        return replace(
            w,
            data=data,
            training=replace(w.training, gpu_hours_per_month=w.training.gpu_hours_per_month * f),
        )
    if w.resources.gpus > 0:
        return replace(w, data=data, replicas=max(1, math.ceil(w.replicas * f - 1e-9)))
    res = replace(w.resources, cpu=w.resources.cpu * f, memory_gib=w.resources.memory_gib * f)
    return replace(w, data=data, resources=res)


def grow_classifications(
    classifications: Sequence[Classification], project: Project, factor: float
) -> tuple[Classification, ...]:
    """Right-sized requests scaled like ``growth`` scales declared ones (CPU and memory of
    workloads without GPUs); classes and reasons are unchanged."""
    if factor == 1.0:
        return tuple(classifications)
    gpu_or_training = {
        w.name for w in project.workloads if w.resources.gpus > 0 or w.kind is WorkloadKind.TRAINING
    }
    out = []
    for c in classifications:
        r: Resources | None = c.rightsized
        if r is not None and c.workload not in gpu_or_training:
            grown = replace(r, cpu=r.cpu * factor, memory_gib=r.memory_gib * factor)
            out.append(replace(c, rightsized=grown))
        else:
            out.append(c)
    return tuple(out)


def apply_changes(project: Project, catalogue: Catalogue, changes: Sequence[Change]) -> Applied:
    """Apply ``changes`` in order; returns a NEW project and catalogue (inputs untouched)."""
    notes: list[str] = []
    factor = 1.0
    for ch in changes:
        if ch.kind == "move":
            try:
                w = project.workload(ch.target)
            except KeyError:
                names = [x.name for x in project.workloads]
                raise change_error(
                    "move",
                    ch.text,
                    f"unknown workload {ch.target!r}",
                    did_you_mean(ch.target, names) or "see inventory.yaml",
                ) from None
            site_named(project, ch.site, ch)
            project = replace(
                project,
                workloads=tuple(
                    replace(x, pinned_site=ch.site) if x.name == w.name else x
                    for x in project.workloads
                ),
            )
            notes.append(f"{ch.describe()} (from {w.current_site or 'new'})")
        elif ch.kind == "price":
            project, catalogue, note = apply_price(project, catalogue, ch)
            notes.append(note)
        elif ch.kind == "capacity":
            project, note = apply_capacity(project, ch)
            notes.append(note)
        elif ch.kind == "horizon":
            project = replace(
                project, settings=replace(project.settings, horizon_months=int(ch.value))
            )
            notes.append(ch.describe())
        elif ch.kind in ("waves", "max-moves-per-wave"):
            ws = project.settings.waves
            ws = (
                replace(ws, target_waves=int(ch.value))
                if ch.kind == "waves"
                else replace(ws, max_moves_per_wave=int(ch.value))
            )
            project = replace(project, settings=replace(project.settings, waves=ws))
            notes.append(ch.describe())
        elif ch.kind == "growth":
            f = 1.0 + ch.value / 100.0
            factor *= f
            project = replace(
                project, workloads=tuple(_grow_workload(w, f) for w in project.workloads)
            )
            notes.append(ch.describe())
    return Applied(project=project, catalogue=catalogue, growth_factor=factor, notes=tuple(notes))
