"""The ``kubernetes`` section of a site's stack config: per workload its share of the plan
ready to map onto Kubernetes objects, per team the ResourceQuota, the priority tiers.

Per replica: requests from right-sizing (else the declared request); memory limit = memory
request; CPU limit = request for tier 1 (Guaranteed QoS), ``CPU_LIMIT_FACTOR`` (in
``planner.qos``) x request otherwise. A team's quota holds every pod the plan puts in its
namespace at its maximum replica count plus one rolling-update surge pod per Deployment,
the GPUs of its training pods and the PVC storage of its databases. Batch workloads become
suspended Jobs, or CronJobs with a schedule (no HPA, no PodDisruptionBudget, no surge pod).

A database of a single-node engine (postgres, redis, mysql, mariadb, mongo) without an
operator runs one replica (a single primary: more would be unrelated primaries); an image
hybridplan does not know is assumed to cluster itself (its pods find each other through the
headless Service) and runs the planned replicas; under CloudNativePG its planned replicas
are the Cluster's instances, plus one pod in the quota for the operator's bootstrap and join
Jobs. How pods run (user, probes, Secret, operator) is :mod:`~planner.emit.pods`, who may
reach them :mod:`~planner.emit.network`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from planner.emit import pods
from planner.emit.index import EmitIndex, emit_index
from planner.emit.network import network
from planner.emit.quantities import amount, cpu_quantity, memory_quantity, mib
from planner.emit.shares import Share, gpu_type
from planner.emit.sizing import (
    SURGE_PODS,
    Quota,
    autoscale,
    class_of,
    per_replica,
)
from planner.emit.stability import stable_resources
from planner.model import STATEFUL_KINDS, Plan, Project, Site, WorkloadKind, emitted_kind
from planner.qos import cpu_limit_cores
from stacks.spec import KubernetesConfig, TeamSpec, WorkloadSpec


def kubernetes_config(
    plan: Plan,
    project: Project,
    site: Site,
    shares: list[Share],
    training: list[Share],
    *,
    previous: KubernetesConfig | None = None,
    index: EmitIndex | None = None,
) -> KubernetesConfig | None:
    """The section for the non-training ``shares`` of ``site`` (training pods count in the
    quota only); ``None`` when the site has no workload for Kubernetes. ``previous`` is the
    section the stack holds now: right-sized requests keep its values within the band of
    :mod:`~planner.emit.stability`; ``index`` is the plan's
    :func:`~planner.emit.index.emit_index` (built when not given)."""
    index = index or emit_index(plan, project)
    held = {w.name: w.requests for w in previous.workloads} if previous else {}
    tier_min = project.settings.min_replicas_by_tier
    quotas: dict[str, Quota] = defaultdict(Quota)
    workloads: list[WorkloadSpec] = []
    tiers: set[int] = set()
    placed = index.placed
    here = {s.workload.name for s in shares} | {s.workload.name for s in training}
    for s in shares:
        w = s.workload
        c = index.classification(w.name)
        res = per_replica(w, c)
        if res is not w.resources:  # right-sized from telemetry: quantised, with hysteresis
            cpu, memory = stable_resources(res.cpu, res.memory_gib, held.get(w.name))
            res = replace(res, cpu=cpu, memory_gib=memory)
        cls = class_of(w, c)
        auto = autoscale(w, cls, s.replicas, tier_min.get(w.tier, 1))
        cpu_limit = cpu_limit_cores(res.cpu, w.tier)
        requests = {"cpu": cpu_quantity(res.cpu), "memory": memory_quantity(res.memory_gib)}
        limits = {"cpu": cpu_quantity(cpu_limit), "memory": memory_quantity(res.memory_gib)}
        if res.gpus:
            requests["nvidia.com/gpu"] = limits["nvidia.com/gpu"] = str(res.gpus)
        database = w.kind in STATEFUL_KINDS
        storage = memory_quantity(res.storage_gib) if database and res.storage_gib > 0 else None
        this = plan.placement(w.name)
        whole = this.assignments if this is not None else ()
        sites = sorted({a.site for a in whole if a.replicas > 0})
        split = len(sites) > 1
        db = pods.database(w, site, s.replicas)
        operated = db is not None and db.operator is not None
        single = db is not None and not operated and db.engine in pods.SINGLE_PRIMARY
        replicas = 1 if single else s.replicas
        workloads.append(
            WorkloadSpec(
                name=w.name,
                team=w.team,
                kind=emitted_kind(w.kind),
                tier=w.tier,
                cls=cls,
                image=pods.image_for(w, site),
                replicas=replicas,
                requests=requests,
                limits=limits,
                usd_per_month=amount(s.per_month),
                option=s.option,
                ports=tuple(w.ports),
                storage=storage,
                autoscale=auto,
                spread=w.tier == 1 and replicas > 1 and len(site.failure_domains) > 1,
                disruption_budget=replicas > 1 and w.kind is not WorkloadKind.BATCH,
                gpu_type=gpu_type(w) if res.gpus else None,
                # Split over sites: the tier's minimums hold for the whole (HP-SLA-001/002).
                replicas_total=sum(a.replicas for a in whole) if split else None,
                sites=tuple(sites) if split else (),
                security=None if operated else pods.security(w),
                probe=None if operated else pods.probe(w),
                network=network(
                    w, project, here, placed, cnpg=operated, callers=index.callers(w.name)
                ),
                schedule=w.deploy.schedule if w.kind is WorkloadKind.BATCH else None,
                storage_class=site.cluster.storage_class if storage is not None else None,
                database=db,
            )
        )
        tiers.add(w.tier)
        surge = SURGE_PODS if operated else 0
        if w.kind not in STATEFUL_KINDS and w.kind is not WorkloadKind.BATCH:
            surge = SURGE_PODS
        count = (auto.max_replicas if auto else replicas) + surge
        q = quotas[w.team]
        q.add(
            cpu=res.cpu, memory_gib=res.memory_gib, cpu_limit=cpu_limit, gpus=res.gpus, pods=count
        )
        if storage is not None:
            q.claims += replicas
            q.storage_mib += mib(res.storage_gib) * replicas
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
    training_teams = {s.workload.team for s in training}
    return KubernetesConfig(
        teams=tuple(
            TeamSpec(name=t, quota=quotas[t].hard(), training=t in training_teams)
            for t in sorted(quotas)
        ),
        workloads=tuple(workloads),
        priority_tiers=tuple(sorted(tiers)),
    )
