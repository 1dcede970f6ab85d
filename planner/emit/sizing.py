"""Sizing decisions for Kubernetes workloads, each a documented default: per-replica requests
and limits, the HPA bounds, the pods a workload may run beyond its plan, and a team's
ResourceQuota summed from the pods as rendered."""

from __future__ import annotations

import math
from dataclasses import dataclass

from planner import headroom
from planner.emit.quantities import mib, milli
from planner.emit.shares import Share
from planner.headroom import BURSTY_MAX_FACTOR, SURGE_PODS
from planner.model import (
    STATEFUL_KINDS,
    Classification,
    Project,
    Resources,
    Workload,
    WorkloadClass,
    WorkloadKind,
)
from stacks.spec import AutoscaleSpec

__all__ = ["BURSTY_MAX_FACTOR", "HPA_CPU_TARGET_PCT", "SURGE_PODS"]

HPA_CPU_TARGET_PCT = 70
"""HPA CPU utilisation target (Kubernetes HPA walkthrough's common default, 2025)."""


def per_replica(w: Workload, c: Classification | None) -> Resources:
    """What one replica requests: the right-sized CPU, memory and GPU count when the
    classifier has them (training keeps its declared shape), else the declared resources."""
    if c is not None and c.rightsized is not None and w.kind is not WorkloadKind.TRAINING:
        r = c.rightsized
        return Resources(
            cpu=r.cpu,
            memory_gib=r.memory_gib,
            gpus=r.gpus,
            gpu_type=w.resources.gpu_type,
            storage_gib=w.resources.storage_gib,
        )
    return w.resources


class_of = headroom.workload_class
"""The workload's class (``planner.headroom.workload_class``)."""


def autoscale(w: Workload, cls: str, replicas: int, tier_min: int) -> AutoscaleSpec | None:
    """HPA bounds: diurnal workloads scale between ``max(tier minimum, ceil(replicas/2))``
    and the planned replicas (the plan is sized for the peak); bursty ones between the
    planned replicas and ``BURSTY_MAX_FACTOR`` x replicas; others, databases and batch
    get none."""
    if w.kind in STATEFUL_KINDS or w.kind is WorkloadKind.BATCH:
        return None
    if cls == WorkloadClass.DIURNAL.value:
        low = min(replicas, max(tier_min, math.ceil(replicas / 2)))
        high = replicas
    elif cls == WorkloadClass.BURSTY.value:
        low = replicas
        high = headroom.hpa_ceiling(cls, replicas)
    else:
        return None
    return AutoscaleSpec(
        min_replicas=low, max_replicas=high, target_cpu_utilization_pct=HPA_CPU_TARGET_PCT
    )


def headroom_pods(project: Project, share: Share, c: Classification | None) -> int:
    """Pods a long-running workload may run beyond its planned replicas: up to its HPA
    ceiling, plus the rolling-update surge pod (0 for databases, batch and training);
    ``c`` is the workload's classification, if any. The one definition is
    :func:`planner.headroom.headroom_pods`, which the solver counts on owned sites too."""
    w = share.workload
    return headroom.headroom_pods(w.kind, class_of(w, c), share.replicas)


@dataclass
class Quota:
    """A team's ResourceQuota, summed from the per-pod quantities as rendered (millicores,
    MiB, rounded up per pod) so the quota always admits the pods it was sized for; shown
    rounded up to whole cores and GiB."""

    milli_cpu: int = 0
    mib: int = 0
    milli_cpu_limit: int = 0
    mib_limit: int = 0
    gpus: int = 0
    pods: int = 0
    storage_mib: int = 0
    claims: int = 0

    def add(self, *, cpu: float, memory_gib: float, cpu_limit: float, gpus: int, pods: int) -> None:
        self.pods += pods
        self.milli_cpu += milli(cpu) * pods
        self.mib += mib(memory_gib) * pods
        self.milli_cpu_limit += milli(cpu_limit) * pods
        self.mib_limit += mib(memory_gib) * pods
        self.gpus += gpus * pods

    def hard(self) -> dict[str, str]:
        """The ResourceQuota's ``hard`` entries."""
        hard = {
            "requests.cpu": str(math.ceil(self.milli_cpu / 1000)),
            "requests.memory": f"{math.ceil(self.mib / 1024)}Gi",
            "limits.cpu": str(math.ceil(self.milli_cpu_limit / 1000)),
            "limits.memory": f"{math.ceil(self.mib_limit / 1024)}Gi",
            "pods": str(self.pods),
        }
        if self.gpus:
            hard["requests.nvidia.com/gpu"] = str(self.gpus)
        if self.claims:
            hard["requests.storage"] = f"{math.ceil(self.storage_mib / 1024)}Gi"
            hard["persistentvolumeclaims"] = str(self.claims)
        return hard
