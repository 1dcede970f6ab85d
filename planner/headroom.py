"""The pods a long-running workload may run beyond its planned replicas, and the GPUs they
hold: the one definition the solver's owned-site capacity, the plan-time checks and the
emitted Kueue quotas (``planner.emit.quota``) share.

A Deployment may grow to its HPA ceiling (bursty: ``BURSTY_MAX_FACTOR`` x its replicas on
a site; others: its replicas) and a rolling update adds ``SURGE_PODS`` on each site it runs
on. Databases, batch and training have neither. On an owned site those pods' GPUs are not
free for training: emit deducts them from the training quota, so the solver counts them in
the GPUs a workload uses there.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable

from planner.model import (
    STATEFUL_KINDS,
    Classification,
    Plan,
    Project,
    Site,
    Workload,
    WorkloadClass,
    WorkloadKind,
)

BURSTY_MAX_FACTOR = 3
"""HPA ceiling for bursty workloads, as a multiple of the planned replicas."""
SURGE_PODS = 1
"""Extra pods a RollingUpdate may create (``maxSurge: 1``), counted in the quota."""


def workload_class(w: Workload, c: Classification | None) -> str:
    """The workload's class: the classifier's, else ``ai-training`` for training, else the
    declared profile, else ``unknown``."""
    if c is not None:
        return c.cls.value
    if w.kind is WorkloadKind.TRAINING:
        return WorkloadClass.AI_TRAINING.value
    if w.profile is not None:
        return w.profile.value
    return WorkloadClass.UNKNOWN.value


def long_running(kind: WorkloadKind) -> bool:
    """Whether a workload of ``kind`` runs as a Deployment (HPA and rolling-update surge)."""
    return kind not in STATEFUL_KINDS and kind not in (WorkloadKind.BATCH, WorkloadKind.TRAINING)


def hpa_ceiling(cls: str, replicas: int) -> int:
    """The HPA's ``maxReplicas`` for ``replicas`` planned on a site: bursty workloads
    ``max(replicas + 1, BURSTY_MAX_FACTOR x replicas)``, others their replicas."""
    if cls == WorkloadClass.BURSTY.value:
        return max(replicas + 1, replicas * BURSTY_MAX_FACTOR)
    return replicas


def headroom_pods(kind: WorkloadKind, cls: str, replicas: int) -> int:
    """Pods a workload of ``kind`` and class ``cls`` with ``replicas`` on one site may run
    there beyond them: up to its HPA ceiling, plus the surge pod (0: not long-running)."""
    if not long_running(kind) or replicas <= 0:
        return 0
    return hpa_ceiling(cls, replicas) - replicas + SURGE_PODS


def held_gpus(kind: WorkloadKind, cls: str, replicas: int, gpus_per_pod: int) -> int:
    """GPUs ``replicas`` pods of ``gpus_per_pod`` hold on one site with their headroom: what
    the solver counts a GPU workload using on an owned site, and what emit keeps out of the
    site's Kueue capacity (``C = floor(P x u) - O``, ``O`` the sum of these)."""
    return (replicas + headroom_pods(kind, cls, replicas)) * gpus_per_pod


def surge_pods(kind: WorkloadKind) -> int:
    """The part of ``headroom_pods`` paid once per site, whatever the replicas there."""
    return SURGE_PODS if long_running(kind) else 0


def pod_gpus(w: Workload, c: Classification | None) -> int:
    """GPUs one pod of ``w`` requests: the right-sized count where telemetry gave one
    (training keeps its declared shape), as ``planner.emit.sizing.per_replica`` sizes it."""
    if c is not None and c.rightsized is not None and w.kind is not WorkloadKind.TRAINING:
        return c.rightsized.gpus
    return w.resources.gpus


def gpu_type_of(w: Workload) -> str:
    """The workload's GPU type, ``gpu`` when it names none (its Kueue flavor's name)."""
    return w.resources.gpu_type or "gpu"


def others_held_gpus(
    shares: Iterable[tuple[Workload, Classification | None, int]],
) -> dict[str, int]:
    """Per GPU type, the GPUs the non-training workloads of a site may hold there, from
    ``(workload, classification, replicas on the site)``: ``O`` of emit's Kueue capacity."""
    out: dict[str, int] = defaultdict(int)
    for w, c, replicas in shares:
        gpus = pod_gpus(w, c)
        if w.kind is WorkloadKind.TRAINING or gpus <= 0:
            continue
        out[gpu_type_of(w)] += held_gpus(w.kind, workload_class(w, c), replicas, gpus)
    return dict(out)


def kueue_capacity(site: Site, gpu: str, others_gpus: int) -> int:
    """``C_t = floor(P_t x u) - O_t`` (at least 0): GPUs of type ``gpu`` the owned ``site``
    holds for training beside what its other workloads may hold."""
    physical = site.capacity.gpus.get(gpu, 0) if site.capacity is not None else 0
    return max(0, math.floor(physical * site.target_utilisation) - others_gpus)


def plan_others_held_gpus(plan: Plan, project: Project, site: str) -> dict[str, int]:
    """``others_held_gpus`` of ``site`` in ``plan`` (replicas summed over its assignments
    there; workloads the project does not know are left out)."""
    by_name = {c.workload: c for c in plan.classifications}
    shares = []
    for p in plan.placements:
        w = project.find_workload(p.workload)
        replicas = sum(a.replicas for a in p.assignments if a.site == site)
        if w is not None and replicas > 0:
            shares.append((w, by_name.get(w.name), replicas))
    return others_held_gpus(shares)
