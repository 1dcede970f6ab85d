"""The ``kubernetes`` section of a site's stack config: per workload its share of the plan
ready to map onto Kubernetes objects, per team the ResourceQuota, the priority tiers.

Per replica: requests from right-sizing (else the declared request); memory limit = memory
request; CPU limit = request for tier 1 (Guaranteed QoS), ``CPU_LIMIT_FACTOR`` (in
``planner.qos``) x request otherwise. A team's quota holds every pod the plan puts in its
namespace at its maximum replica count plus one rolling-update surge pod per Deployment,
the GPUs of its training pods and the PVC storage of its databases. Batch workloads become
suspended Jobs (no HPA, no PodDisruptionBudget, no surge pod).
"""

from __future__ import annotations

from collections import defaultdict

from planner.emit.quantities import amount, cpu_quantity, memory_quantity, mib
from planner.emit.shares import Share, gpu_type
from planner.emit.sizing import (
    SURGE_PODS,
    Quota,
    autoscale,
    class_of,
    per_replica,
)
from planner.model import Plan, Project, Site, WorkloadKind
from planner.qos import cpu_limit_cores
from stacks.spec import KubernetesConfig, TeamSpec, WorkloadSpec


def kubernetes_config(
    plan: Plan, project: Project, site: Site, shares: list[Share], training: list[Share]
) -> KubernetesConfig | None:
    """The section for the non-training ``shares`` of ``site`` (training pods count in the
    quota only); ``None`` when the site has no workload for Kubernetes."""
    classes = {c.workload: c for c in plan.classifications}
    tier_min = project.settings.min_replicas_by_tier
    quotas: dict[str, Quota] = defaultdict(Quota)
    workloads: list[WorkloadSpec] = []
    tiers: set[int] = set()
    for s in shares:
        w = s.workload
        c = classes.get(w.name)
        res = per_replica(w, c)
        cls = class_of(w, c)
        auto = autoscale(w, cls, s.replicas, tier_min.get(w.tier, 1))
        cpu_limit = cpu_limit_cores(res.cpu, w.tier)
        requests = {"cpu": cpu_quantity(res.cpu), "memory": memory_quantity(res.memory_gib)}
        limits = {"cpu": cpu_quantity(cpu_limit), "memory": memory_quantity(res.memory_gib)}
        if res.gpus:
            requests["nvidia.com/gpu"] = limits["nvidia.com/gpu"] = str(res.gpus)
        database = w.kind is WorkloadKind.DATABASE
        storage = memory_quantity(res.storage_gib) if database and res.storage_gib > 0 else None
        whole = [a for p in plan.placements if p.workload == w.name for a in p.assignments]
        sites = sorted({a.site for a in whole if a.replicas > 0})
        split = len(sites) > 1
        workloads.append(
            WorkloadSpec(
                name=w.name,
                team=w.team,
                kind=w.kind.value,
                tier=w.tier,
                cls=cls,
                image=w.image or "",  # check_inputs refuses a workload without one
                replicas=s.replicas,
                requests=requests,
                limits=limits,
                usd_per_month=amount(s.per_month),
                option=s.option,
                ports=tuple(w.ports),
                storage=storage,
                autoscale=auto,
                spread=w.tier == 1 and s.replicas > 1 and len(site.failure_domains) > 1,
                disruption_budget=s.replicas > 1 and w.kind is not WorkloadKind.BATCH,
                gpu_type=gpu_type(w) if res.gpus else None,
                # Split over sites: the tier's minimums hold for the whole (HP-SLA-001/002).
                replicas_total=sum(a.replicas for a in whole) if split else None,
                sites=tuple(sites) if split else (),
            )
        )
        tiers.add(w.tier)
        surge = 0 if w.kind in (WorkloadKind.DATABASE, WorkloadKind.BATCH) else SURGE_PODS
        pods = (auto.max_replicas if auto else s.replicas) + surge
        q = quotas[w.team]
        q.add(cpu=res.cpu, memory_gib=res.memory_gib, cpu_limit=cpu_limit, gpus=res.gpus, pods=pods)
        if storage is not None:
            q.claims += s.replicas
            q.storage_mib += mib(res.storage_gib) * s.replicas
    for s in training:
        w = s.workload
        quotas[w.team].add(
            cpu=w.resources.cpu,
            memory_gib=w.resources.memory_gib,
            cpu_limit=w.resources.cpu,
            gpus=w.resources.gpus,
            pods=s.replicas,
        )
    if not quotas:
        return None
    return KubernetesConfig(
        teams=tuple(TeamSpec(name=t, quota=quotas[t].hard()) for t in sorted(quotas)),
        workloads=tuple(workloads),
        priority_tiers=tuple(sorted(tiers)),
    )
