"""The ``training`` section of a site's stack config: Kueue flavors, queues and training
Jobs.

A training workload's Jobs live on its "home" site (a GPU pool before a Kubernetes site
before a cloud site, see :func:`~planner.emit.shares.home_site`); its other assignments are
MultiKueue burst targets, reached through a ``<workload>-burst`` Job on the home site that
runs on one worker at a time, with the same queue names everywhere.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from planner.emit.quantities import cpu_quantity, memory_quantity, usd
from planner.emit.shares import Share, gpu_type, home_site
from planner.model import Plan, Project, Site, Workload
from stacks.spec import BURST_QUEUE, LOCAL_QUEUE, BurstSpec, FlavorSpec, JobSpec, TrainingConfig


def _flavor(name: str, gpu: str, shares: Iterable[tuple[Workload, int]]) -> FlavorSpec:
    """A ResourceFlavor with the quota of ``shares`` (workload, replicas)."""
    gpus = cpu = mem = 0.0
    for w, replicas in shares:
        gpus += w.resources.gpus * replicas
        cpu += w.resources.cpu * replicas
        mem += w.resources.memory_gib * replicas
    return FlavorSpec(
        name=name,
        gpu_type=gpu,
        gpus=int(gpus),
        cpu=cpu_quantity(cpu),
        memory=memory_quantity(mem),
        node_labels={"hybridplan.io/gpu-type": gpu},
    )


def _job(
    w: Workload,
    *,
    name: str,
    queue: str,
    parallelism: int,
    usd_per_month: str,
    gpu_hours_per_month: str,
) -> JobSpec:
    """A suspended training Job of ``w`` on ``queue``."""
    return JobSpec(
        name=name,
        workload=w.name,
        team=w.team,
        queue=queue,
        image=w.image or "",  # check_inputs refuses a workload without one
        parallelism=parallelism,
        gpu_type=gpu_type(w),
        gpus_per_pod=w.resources.gpus,
        requests={
            "cpu": cpu_quantity(w.resources.cpu),
            "memory": memory_quantity(w.resources.memory_gib),
        },
        usd_per_month=usd_per_month,
        gpu_hours_per_month=gpu_hours_per_month,
        tier=w.tier,
        multikueue=queue == BURST_QUEUE,
    )


def training_config(
    plan: Plan, project: Project, site: Site, training: list[Share]
) -> TrainingConfig | None:
    """The section for the training ``training`` shares of ``site`` (``None``: none)."""
    if not training:
        return None
    local: dict[str, list[tuple[Workload, int]]] = defaultdict(list)
    burst: dict[str, list[tuple[Workload, int]]] = defaultdict(list)
    burst_clusters: set[str] = set()
    jobs: list[JobSpec] = []
    serves_burst = False
    for s in training:
        w = s.workload
        gpu = gpu_type(w)
        local[gpu].append((w, s.replicas))
        placement = next(p for p in plan.placements if p.workload == w.name)
        if home_site(plan, project, w.name) != site.name:
            serves_burst = True
            continue
        jobs.append(
            _job(
                w,
                name=w.name,
                queue=LOCAL_QUEUE,
                parallelism=s.replicas,
                usd_per_month=usd(s.usd_per_month),
                gpu_hours_per_month=usd(sum(a.gpu_hours_per_month or 0.0 for a in s.assignments)),
            )
        )
        away = [a for a in placement.assignments if a.site != site.name and a.replicas > 0]
        if away:
            burst_clusters.update(a.site for a in away)
            # One Job runs on one worker: as many pods as the largest share of one site
            # (summed over its pricing options, e.g. on-demand base + spot).
            per_site: dict[str, int] = defaultdict(int)
            for a in away:
                per_site[a.site] += a.replicas
            burst[gpu].append((w, sum(a.replicas for a in away)))
            jobs.append(
                _job(
                    w,
                    name=f"{w.name}-burst",
                    queue=BURST_QUEUE,
                    parallelism=max(per_site.values()),
                    usd_per_month=usd(sum(a.usd_per_month for a in away)),
                    gpu_hours_per_month=usd(sum(a.gpu_hours_per_month or 0.0 for a in away)),
                )
            )
    clusters = tuple(sorted(burst_clusters))
    return TrainingConfig(
        teams=tuple(sorted({s.workload.team for s in training})),
        flavors=tuple(_flavor(t, t, local[t]) for t in sorted(local)),
        jobs=tuple(sorted(jobs, key=lambda j: j.name)),
        burst=BurstSpec(
            clusters=clusters,
            flavors=tuple(_flavor(f"{t}-burst", t, burst[t]) for t in sorted(burst)),
            kubeconfig_secrets={c: f"multikueue-{c}" for c in clusters},
        )
        if burst
        else None,
        serves_burst=serves_burst,
    )
