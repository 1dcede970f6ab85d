"""The ``training`` section of a site's stack config: Kueue flavors capped at the hardware,
per-team ClusterQueues in one cohort, MultiKueue burst and the training Jobs.

A training workload's Jobs live on its "home" site (a GPU pool before a Kubernetes site
before a cloud site, see :func:`~planner.emit.shares.home_site`); its other assignments are
MultiKueue burst targets, reached through a ``<workload>-burst`` Job on the home site that
runs on one worker at a time, with the same queue names everywhere. The plan splits a
training workload over sites and options by GPU-hours; each assignment runs the whole Job
(``replicas`` pods) for its share of the month.

Flavors: on an owned site one per GPU type, on an AWS site one per training NodePool (in
the plan's price order, so Kueue tries the cheapest first). Capacities, quotas and the
parallelism that fits are computed in :mod:`planner.emit.quota`. Multi-node Jobs that run
on AWS ask for the EFA devices of their instance (``vpc.amazonaws.com/efa``), and the
queues that admit them cover that resource.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from planner.emit.instances import GPU_INSTANCES, instance_type
from planner.emit.quantities import amount, cpu_quantity, hours, memory_quantity
from planner.emit.quota import fitting_pods, owned_training_gpus, split_quota
from planner.emit.shares import Share, gpu_type, home_site
from planner.model import Assignment, Plan, Project, Site, SiteKind, Workload
from planner.money import Money, decimal_of
from stacks.spec import (
    BURST_QUEUE,
    GPU_TAINT,
    GPU_TYPE_LABEL,
    LOCAL_QUEUE,
    NODE_POOL_LABEL,
    SPOT_TAINT,
    TRAINING_TAINT,
    BurstSpec,
    FlavorSpec,
    JobSpec,
    NodePoolSpec,
    QuotaSpec,
    TeamQueueSpec,
    TrainingConfig,
)

TRAINING_POOL_PREFIX = "training-"


@dataclass(frozen=True, slots=True)
class _Flavor:
    """A flavor and what the emitter needs to size quotas on it."""

    spec: FlavorSpec
    efa_per_gpu: float


def _pods(assignments: tuple[Assignment, ...] | list[Assignment]) -> int:
    """Pods of a training Job on these assignments: each runs the whole Job (max, not sum)."""
    return max((a.replicas for a in assignments), default=0)


def _owned_flavors(
    site: Site, training: list[Share], others_gpus: Mapping[str, int]
) -> list[_Flavor]:
    types = sorted({gpu_type(s.workload) for s in training})
    if site.kind is SiteKind.CLOUD:
        # A cloud site without NodePools (not AWS): capacity is what the plan runs there.
        capacity = {
            t: sum(
                _pods(s.assignments) * s.workload.resources.gpus
                for s in training
                if gpu_type(s.workload) == t
            )
            for t in types
        }
    else:
        capacity = {t: owned_training_gpus(site, t, others_gpus.get(t, 0)) for t in types}
    return [
        _Flavor(
            FlavorSpec(
                name=t,
                gpu_type=t,
                capacity_gpus=capacity[t],
                node_labels={GPU_TYPE_LABEL: t},
                tolerations=(GPU_TAINT,),
            ),
            0.0,
        )
        for t in types
    ]


def _pool_flavors(pools: tuple[NodePoolSpec, ...]) -> list[_Flavor]:
    """One flavor per training NodePool, heaviest (cheapest) first."""
    out = []
    for p in sorted(pools, key=lambda p: (-p.weight, p.name)):
        if p.role != "training":
            continue
        inst = GPU_INSTANCES[p.instance_types[0]]
        out.append(
            _Flavor(
                FlavorSpec(
                    name=p.name.removeprefix(TRAINING_POOL_PREFIX),
                    gpu_type=p.gpu_type,
                    capacity_gpus=p.max_nodes * p.gpus_per_node,
                    node_labels={GPU_TYPE_LABEL: p.gpu_type, NODE_POOL_LABEL: p.name},
                    tolerations=(GPU_TAINT, TRAINING_TAINT)
                    + ((SPOT_TAINT,) if p.capacity_type == "spot" else ()),
                ),
                inst.efa / inst.gpus if p.zone is not None else 0.0,
            )
        )
    return out


def _flavor_of(site: Site, w: Workload, a: Assignment, pools: tuple[NodePoolSpec, ...]) -> str:
    """The flavor an assignment of ``w`` on ``site`` runs in."""
    gpu = gpu_type(w)
    if not pools:
        return gpu
    itype = instance_type(site, w, a, gpu)
    for p in pools:
        if (p.role, p.gpu_type, p.option, p.instance_types[0]) == (
            "training",
            gpu,
            a.option.value,
            itype,
        ):
            return p.name.removeprefix(TRAINING_POOL_PREFIX)
    raise KeyError(f"no training NodePool for {w.name} {a.option.value} {itype}")


def burst_efa_per_pod(plan: Plan, project: Project, w: Workload, away: list[Assignment]) -> int:
    """EFA devices per pod of ``w``'s burst Job: its instance's (the fewest over the worker
    sites) when the Job spans nodes and every worker is an AWS site; else 0."""
    if _pods(away) <= 1:
        return 0
    gpu = gpu_type(w)
    counts = []
    for a in away:
        worker = project.site(a.site)
        if worker.kind is not SiteKind.CLOUD or worker.provider != "aws":
            return 0
        inst = GPU_INSTANCES.get(instance_type(worker, w, a, gpu))
        if inst is None:
            return 0
        counts.append(inst.efa // max(1, inst.gpus // w.resources.gpus))
    return min(counts, default=0)


def _job(
    w: Workload,
    *,
    name: str,
    queue: str,
    parallelism: int,
    planned: int,
    efa_per_pod: int,
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
        efa_per_pod=efa_per_pod,
        planned_parallelism=planned if planned != parallelism else None,
    )


def _quota(
    flavor: _Flavor, gpus: int, cpu_per_gpu: float, memory_per_gpu: float, capacity: int
) -> QuotaSpec:
    return QuotaSpec(
        flavor=flavor.spec.name,
        gpus=gpus,
        cpu=cpu_quantity(gpus * cpu_per_gpu),
        memory=memory_quantity(gpus * memory_per_gpu),
        efa=int(gpus * flavor.efa_per_gpu),
        borrowing_limit_gpus=capacity - gpus,
    )


def _team_queues(
    flavors: list[_Flavor], demand: Mapping[str, Mapping[str, int]], training: list[Share]
) -> tuple[TeamQueueSpec, ...]:
    """Per team a ClusterQueue with a share of every flavor (see :mod:`planner.emit.quota`)."""
    teams = sorted({s.workload.team for s in training})
    per_gpu: dict[str, tuple[float, float]] = {}
    for k in teams:
        mine = [s.workload for s in training if s.workload.team == k]
        per_gpu[k] = (
            max(w.resources.cpu / w.resources.gpus for w in mine),
            max(w.resources.memory_gib / w.resources.gpus for w in mine),
        )
    quotas: dict[str, list[QuotaSpec]] = defaultdict(list)
    for f in flavors:
        wanted = {k: demand.get(f.spec.name, {}).get(k, 0) for k in teams}
        split = split_quota(f.spec.capacity_gpus, wanted)
        for k in teams:
            cpu, mem = per_gpu[k]
            quotas[k].append(_quota(f, split[k], cpu, mem, f.spec.capacity_gpus))
    return tuple(TeamQueueSpec(team=k, quotas=tuple(quotas[k])) for k in teams)


def _burst(
    plan: Plan, project: Project, away_of: Mapping[str, list[Assignment]], jobs: list[JobSpec]
) -> BurstSpec | None:
    """The MultiKueue side of the home site: workers in the plan's cost order (price per
    GPU-hour of what it sends there, cheapest first) and the quota of the burst Jobs."""
    if not away_of:
        return None
    spend: dict[str, list[Money]] = defaultdict(list)
    used: dict[str, float] = defaultdict(float)
    for away in away_of.values():
        for a in away:
            spend[a.site].append(a.per_month)
            used[a.site] += a.gpu_hours_per_month or 0.0

    def per_gpu_hour(site: str) -> Decimal:
        """What the site costs per GPU-hour sent there (a rate, exact)."""
        if not used[site]:
            return Decimal("Infinity")
        total = Money.total(spend[site], plan.per_month.currency)
        return total.to_decimal() / decimal_of(used[site])

    clusters = tuple(sorted(spend, key=lambda c: (per_gpu_hour(c), c)))
    burst_jobs = [j for j in jobs if j.queue == BURST_QUEUE]
    flavors, quotas = [], []
    for t in sorted({j.gpu_type for j in burst_jobs}):
        mine = [j for j in burst_jobs if j.gpu_type == t]
        gpus = sum(j.parallelism * j.gpus_per_pod for j in mine)
        pods = [(project.workload(j.workload), j.parallelism) for j in mine]
        flavors.append(
            FlavorSpec(
                name=f"{t}-burst",
                gpu_type=t,
                capacity_gpus=gpus,
                node_labels={GPU_TYPE_LABEL: t},
                tolerations=(GPU_TAINT,),
            )
        )
        quotas.append(
            QuotaSpec(
                flavor=f"{t}-burst",
                gpus=gpus,
                cpu=cpu_quantity(sum(w.resources.cpu * n for w, n in pods)),
                memory=memory_quantity(sum(w.resources.memory_gib * n for w, n in pods)),
                efa=sum(j.efa_per_pod * j.parallelism for j in mine),
            )
        )
    return BurstSpec(
        clusters=clusters,
        flavors=tuple(flavors),
        quotas=tuple(quotas),
        kubeconfig_secrets={c: f"multikueue-{c}" for c in clusters},
        worker_projects={c: f"hybridplan-{c}" for c in clusters},
    )


def training_config(
    plan: Plan,
    project: Project,
    site: Site,
    training: list[Share],
    *,
    others_gpus: Mapping[str, int] | None = None,
    pools: tuple[NodePoolSpec, ...] = (),
) -> TrainingConfig | None:
    """The section for the ``training`` shares of ``site`` (``None``: none). ``others_gpus``
    are, per GPU type, the GPUs the site's other workloads may hold (owned sites);
    ``pools`` the site's Karpenter NodePools (AWS sites)."""
    if not training:
        return None
    pools = tuple(p for p in pools if p.role == "training")
    flavors = _pool_flavors(pools) if pools else _owned_flavors(site, training, others_gpus or {})
    capacity_of_type: dict[str, list[int]] = defaultdict(list)
    for f in flavors:
        capacity_of_type[f.spec.gpu_type].append(f.spec.capacity_gpus)
    demand: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    jobs: list[JobSpec] = []
    away_of: dict[str, list[Assignment]] = {}
    serves_burst = False
    for s in training:
        w = s.workload
        here = [a for a in s.assignments if a.site == site.name]
        for a in here:
            demand[_flavor_of(site, w, a, pools)][w.team] += a.replicas * w.resources.gpus
        if home_site(plan, project, w.name) != site.name:
            serves_burst = True
            continue
        planned = _pods(here)
        fits = fitting_pods(planned, w.resources.gpus, capacity_of_type[gpu_type(w)])
        local_efa = 0
        if pools and fits > 1:
            inst = GPU_INSTANCES[instance_type(site, w, here[0], gpu_type(w))]
            local_efa = inst.efa // max(1, inst.gpus // w.resources.gpus)
        jobs.append(
            _job(
                w,
                name=w.name,
                queue=LOCAL_QUEUE,
                parallelism=fits,
                planned=planned,
                efa_per_pod=local_efa,
                usd_per_month=amount(s.per_month),
                gpu_hours_per_month=hours(sum(a.gpu_hours_per_month or 0.0 for a in here)),
            )
        )
        placement = next(p for p in plan.placements if p.workload == w.name)
        away = [a for a in placement.assignments if a.site != site.name and a.replicas > 0]
        if away:
            away_of[w.name] = away
            jobs.append(
                _job(
                    w,
                    name=f"{w.name}-burst",
                    queue=BURST_QUEUE,
                    parallelism=_pods(away),
                    planned=_pods(away),
                    efa_per_pod=burst_efa_per_pod(plan, project, w, away),
                    usd_per_month=amount(
                        Money.total((a.per_month for a in away), plan.per_month.currency)
                    ),
                    gpu_hours_per_month=hours(sum(a.gpu_hours_per_month or 0.0 for a in away)),
                )
            )
    jobs.sort(key=lambda j: j.name)
    return TrainingConfig(
        teams=tuple(sorted({s.workload.team for s in training})),
        flavors=tuple(f.spec for f in flavors),
        queues=_team_queues(flavors, demand, training),
        jobs=tuple(jobs),
        burst=_burst(plan, project, away_of, jobs),
        serves_burst=serves_burst,
    )
