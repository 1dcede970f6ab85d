"""Typed ``Args`` of the components and their parsing from stack config.

``hybridplan`` writes the placement into ``Pulumi.<env>.yaml`` as structured config (see
``planner/emit.py``); these frozen dataclasses are the stack-side contract of that config.
Quantities arrive already formatted as Kubernetes quantity strings (``"1500m"``,
``"4Gi"``): the planner computes, the stacks only map values onto resources.

Parsing is strict: an unknown or missing key raises ``SpecError`` naming the key, so a
hand-edited config fails at ``pulumi preview`` rather than deploying something else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, TypeVar


class SpecError(ValueError):
    """The stack config does not match the contract the components expect."""


T = TypeVar("T")


def _take(cls: type[T], data: Mapping[str, Any], where: str, **convert: Any) -> T:
    """Build dataclass ``cls`` from ``data``; ``convert`` maps field names to parsers."""
    if not isinstance(data, Mapping):
        raise SpecError(f"{where}: expected a mapping, got {type(data).__name__}")
    names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(data) - names)
    if unknown:
        raise SpecError(f"{where}: unknown key(s) {', '.join(unknown)}")
    kwargs: dict[str, Any] = {}
    for f in fields(cls):  # type: ignore[arg-type]
        if f.name not in data:
            continue
        value = data[f.name]
        if f.name in convert and value is not None:
            value = convert[f.name](value, f"{where}.{f.name}")
        kwargs[f.name] = value
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise SpecError(f"{where}: {exc}") from None


def _list_of(cls: type[T], **convert: Any) -> Any:
    def parse(items: Any, where: str) -> tuple[T, ...]:
        if not isinstance(items, list | tuple):
            raise SpecError(f"{where}: expected a list")
        return tuple(_take(cls, item, f"{where}[{i}]", **convert) for i, item in enumerate(items))

    return parse


def _one(cls: type[T], **convert: Any) -> Any:
    def parse(item: Any, where: str) -> T:
        return _take(cls, item, where, **convert)

    return parse


def _strs(items: Any, where: str) -> tuple[str, ...]:
    if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
        raise SpecError(f"{where}: expected a list of strings")
    return tuple(items)


def _str_map(items: Any, where: str) -> dict[str, str]:
    if not isinstance(items, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in items.items()
    ):
        raise SpecError(f"{where}: expected a mapping of strings to strings")
    return dict(items)


# --------------------------------------------------------------------------- stack


@dataclass(frozen=True, slots=True)
class StackInfo:
    """Identity of the stack: which site, which plan."""

    site: str
    site_kind: str
    """``kubernetes``, ``gpu-pool`` or ``cloud``."""
    provider: str
    region: str
    env: str
    plan_id: str
    """Short plan id (first 12 hex digits of the input digest): the ``hybridplan.io/plan``
    label value."""
    input_digest: str
    generator: str
    usd_per_month: str
    """The plan's monthly cost of everything on this site, as a decimal string."""
    failure_domains: tuple[str, ...] = ()


# --------------------------------------------------------------------------- kubernetes


@dataclass(frozen=True, slots=True)
class TeamSpec:
    """A team's namespace and the ResourceQuota the plan sizes for it on this site."""

    name: str
    quota: dict[str, str]
    """ResourceQuota ``hard`` entries, e.g. ``requests.cpu: "12"``."""


@dataclass(frozen=True, slots=True)
class AutoscaleSpec:
    min_replicas: int
    max_replicas: int
    target_cpu_utilization_pct: int


@dataclass(frozen=True, slots=True)
class WorkloadSpec:
    """One workload's share of the plan on this site, ready to map onto Kubernetes."""

    name: str
    team: str
    kind: str
    """``service``, ``database``, ``batch`` or ``inference`` (training goes to Kueue).
    Databases become StatefulSets, batch workloads suspended Jobs, the rest Deployments."""
    tier: int
    cls: str
    image: str
    replicas: int
    requests: dict[str, str]
    limits: dict[str, str]
    usd_per_month: str
    option: str
    """Pricing option of the assignment (``owned``, ``on-demand``, ``spot`` ...)."""
    ports: tuple[int, ...] = ()
    storage: str | None = None
    """Per-replica volume size (``"500Gi"``) for databases, else ``None``."""
    autoscale: AutoscaleSpec | None = None
    spread: bool = False
    """Spread replicas across failure domains (``topology.kubernetes.io/zone``)."""
    disruption_budget: bool = False
    gpu_type: str | None = None
    """Set for GPU workloads: node selector ``hybridplan.io/gpu-type`` and the GPU
    toleration are added."""
    replicas_total: int | None = None
    """The workload's replicas over all its sites, when the plan splits it over several
    (``sites``): the tier's replica and failure-domain minimums hold for the whole, not for
    this site's share (HP-SLA-001/002 read them from annotations)."""
    sites: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class KubernetesWorkloadsArgs:
    stack: StackInfo
    teams: tuple[TeamSpec, ...]
    workloads: tuple[WorkloadSpec, ...]
    priority_tiers: tuple[int, ...]
    """Tiers that get a PriorityClass ``hybridplan-tier-<n>``."""


# --------------------------------------------------------------------------- kueue


@dataclass(frozen=True, slots=True)
class FlavorSpec:
    """A Kueue ResourceFlavor and the ClusterQueue quota the plan gives it."""

    name: str
    gpu_type: str
    gpus: int
    cpu: str
    memory: str
    node_labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class BurstSpec:
    """MultiKueue: the cloud worker clusters this pool overflows to, and the quota the plan
    sends there."""

    clusters: tuple[str, ...]
    flavors: tuple[FlavorSpec, ...]
    kubeconfig_secrets: dict[str, str]
    """Worker cluster -> name of the Secret (namespace ``kueue-system``) with its kubeconfig."""


@dataclass(frozen=True, slots=True)
class JobSpec:
    """A training Job (one per workload and queue), suspended until Kueue admits it."""

    name: str
    workload: str
    team: str
    queue: str
    image: str
    parallelism: int
    gpu_type: str
    gpus_per_pod: int
    requests: dict[str, str]
    usd_per_month: str
    gpu_hours_per_month: str
    tier: int
    multikueue: bool = False


@dataclass(frozen=True, slots=True)
class GpuTrainingPoolArgs:
    stack: StackInfo
    teams: tuple[str, ...]
    flavors: tuple[FlavorSpec, ...]
    jobs: tuple[JobSpec, ...] = ()
    burst: BurstSpec | None = None
    serves_burst: bool = False
    """This cluster is a MultiKueue worker: expose the ``training-burst`` LocalQueues."""


# --------------------------------------------------------------------------- aws


@dataclass(frozen=True, slots=True)
class BurstGroupSpec:
    """GPU burst capacity for one GPU type: instances, spot/on-demand split, maximum."""

    name: str
    gpu_type: str
    instance_types: tuple[str, ...]
    max_size: int
    on_demand_base: int
    on_demand_pct_above_base: int
    workloads: tuple[str, ...]
    usd_per_month: str


@dataclass(frozen=True, slots=True)
class AwsBurstArgs:
    stack: StackInfo
    groups: tuple[BurstGroupSpec, ...]
    eks_cluster_name: str
    eks_version: str | None
    """AMI Kubernetes version; ``None``: the cluster's own (``aws.eks.get_cluster_output``)."""
    checkpoint_retention_days: int
    subnet_ids: tuple[str, ...] = ()
    """Empty: use the EKS cluster's subnets (``aws.eks.get_cluster_output``)."""
    security_group_ids: tuple[str, ...] = ()
    """Empty: use the EKS cluster security group."""


@dataclass(frozen=True, slots=True)
class AwsCostGuardArgs:
    stack: StackInfo
    usd_per_month: str
    alert_thresholds_pct: tuple[int, ...]
    alert_emails: tuple[str, ...] = ()


# --------------------------------------------------------------------------- parsing


def parse_stack(data: Any) -> StackInfo:
    return _take(StackInfo, data, "stack", failure_domains=_strs)


def parse_kubernetes(stack: StackInfo, data: Any) -> KubernetesWorkloadsArgs:
    where = "kubernetes"
    if not isinstance(data, Mapping):
        raise SpecError(f"{where}: expected a mapping")
    body = _take(
        _KubernetesBody,
        data,
        where,
        teams=_list_of(TeamSpec, quota=_str_map),
        workloads=_list_of(
            WorkloadSpec,
            requests=_str_map,
            limits=_str_map,
            ports=lambda v, w: tuple(int(p) for p in v),
            autoscale=_one(AutoscaleSpec),
            sites=_strs,
        ),
        priority_tiers=lambda v, w: tuple(int(t) for t in v),
    )
    return KubernetesWorkloadsArgs(stack, body.teams, body.workloads, body.priority_tiers)


def parse_training(stack: StackInfo, data: Any) -> GpuTrainingPoolArgs:
    flavor = _list_of(FlavorSpec, node_labels=_str_map)
    body = _take(
        _TrainingBody,
        data,
        "training",
        teams=_strs,
        flavors=flavor,
        jobs=_list_of(JobSpec, requests=_str_map),
        burst=_one(BurstSpec, clusters=_strs, flavors=flavor, kubeconfig_secrets=_str_map),
    )
    return GpuTrainingPoolArgs(
        stack, body.teams, body.flavors, body.jobs, body.burst, body.serves_burst
    )


def parse_aws_burst(stack: StackInfo, data: Any, network: Any) -> AwsBurstArgs:
    body = _take(
        _AwsBurstBody,
        data,
        "aws_burst",
        groups=_list_of(BurstGroupSpec, instance_types=_strs, workloads=_strs),
    )
    net = _take(_Network, network or {}, "network", subnet_ids=_strs, security_group_ids=_strs)
    return AwsBurstArgs(
        stack,
        body.groups,
        body.eks_cluster_name,
        body.eks_version,
        body.checkpoint_retention_days,
        net.subnet_ids,
        net.security_group_ids,
    )


def parse_cost_guard(stack: StackInfo, data: Any) -> AwsCostGuardArgs:
    body = _take(
        _CostGuardBody,
        data,
        "budget",
        alert_thresholds_pct=lambda v, w: tuple(int(t) for t in v),
        alert_emails=_strs,
    )
    return AwsCostGuardArgs(stack, body.usd_per_month, body.alert_thresholds_pct, body.alert_emails)


@dataclass(frozen=True, slots=True)
class _KubernetesBody:
    teams: tuple[TeamSpec, ...]
    workloads: tuple[WorkloadSpec, ...]
    priority_tiers: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class _TrainingBody:
    teams: tuple[str, ...]
    flavors: tuple[FlavorSpec, ...]
    jobs: tuple[JobSpec, ...] = ()
    burst: BurstSpec | None = None
    serves_burst: bool = False


@dataclass(frozen=True, slots=True)
class _AwsBurstBody:
    groups: tuple[BurstGroupSpec, ...]
    eks_cluster_name: str
    eks_version: str | None
    checkpoint_retention_days: int


@dataclass(frozen=True, slots=True)
class _Network:
    subnet_ids: tuple[str, ...] = ()
    security_group_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _CostGuardBody:
    usd_per_month: str
    alert_thresholds_pct: tuple[int, ...]
    alert_emails: tuple[str, ...] = ()
