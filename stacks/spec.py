"""The stack config contract: one typed definition of what ``Pulumi.<env>.yaml`` holds.

``hybridplan`` builds a :class:`StackConfig` (``planner.emit``) and writes it with
:func:`to_config` as structured config; the emitted program reads it back with
:func:`parse_stack_config` and hands each component its ``Args`` (the component's config
section plus the stack identity). Quantities arrive already formatted as Kubernetes
quantity strings (``"1500m"``, ``"4Gi"``) and money as decimal strings: the planner
computes, the stacks only map values onto resources.

Parsing is strict: an unknown or missing key of a section raises ``SpecError`` naming the
key, so a hand-edited config fails at ``pulumi preview`` rather than deploying something
else. Top-level keys other than the sections below (provider settings such as
``kubernetes:context``) are left to their owners.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any, TypeVar


class SpecError(ValueError):
    """The stack config does not match the contract the components expect."""


T = TypeVar("T")

_OMIT_DEFAULT = "omit_default"
_KEY = "key"
OMITTED: Mapping[str, object] = {_OMIT_DEFAULT: True}
"""Field metadata: :func:`to_config` leaves the key out while the value is the default."""
AWS_REGION: Mapping[str, object] = {_OMIT_DEFAULT: True, _KEY: "aws:region"}
"""Field metadata of ``StackConfig.aws_region``: written as the AWS provider's own key."""


def to_config(value: Any) -> Any:
    """``value`` as plain config data: dataclasses as mappings of their fields (renamed and
    omitted as their metadata says), tuples as lists; other values as they are."""
    if is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        for f in fields(value):
            item = getattr(value, f.name)
            if f.metadata.get(_OMIT_DEFAULT) and item == f.default:
                continue
            out[f.metadata.get(_KEY, f.name)] = to_config(item)
        return out
    if isinstance(value, Mapping):
        return {str(k): to_config(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_config(v) for v in value]
    return value


def _take(cls: type[T], data: Any, where: str, **convert: Any) -> T:
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


Parser = Callable[[Any, str], Any]


def _list_of(cls: type[T], **convert: Parser) -> Parser:
    def parse(items: Any, where: str) -> tuple[T, ...]:
        if not isinstance(items, list | tuple):
            raise SpecError(f"{where}: expected a list")
        return tuple(_take(cls, item, f"{where}[{i}]", **convert) for i, item in enumerate(items))

    return parse


def _one(cls: type[T], **convert: Parser) -> Parser:
    def parse(item: Any, where: str) -> T:
        return _take(cls, item, where, **convert)

    return parse


def _strs(items: Any, where: str) -> tuple[str, ...]:
    if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
        raise SpecError(f"{where}: expected a list of strings")
    return tuple(items)


def _ints(items: Any, where: str) -> tuple[int, ...]:
    try:
        if not isinstance(items, list | tuple):
            raise TypeError
        return tuple(int(i) for i in items)
    except (TypeError, ValueError):
        raise SpecError(f"{where}: expected a list of integers") from None


def _str_map(items: Any, where: str) -> dict[str, str]:
    if not isinstance(items, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in items.items()
    ):
        raise SpecError(f"{where}: expected a mapping of strings to strings")
    return dict(items)


# --------------------------------------------------------------------------- stack


@dataclass(frozen=True, slots=True)
class StackInfo:
    """Identity of the stack: which site, which plan (config key ``stack``)."""

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
    replicas_total: int | None = field(default=None, metadata=OMITTED)
    """The workload's replicas over all its sites, when the plan splits it over several
    (``sites``): the tier's replica and failure-domain minimums hold for the whole, not for
    this site's share (HP-SLA-001/002 read them from annotations)."""
    sites: tuple[str, ...] = field(default=(), metadata=OMITTED)


@dataclass(frozen=True, slots=True)
class KubernetesConfig:
    """Config key ``kubernetes``: what :class:`~stacks.kubernetes.KubernetesWorkloads`
    creates."""

    teams: tuple[TeamSpec, ...]
    workloads: tuple[WorkloadSpec, ...]
    priority_tiers: tuple[int, ...]
    """Tiers that get a PriorityClass ``hybridplan-tier-<n>``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class KubernetesWorkloadsArgs(KubernetesConfig):
    stack: StackInfo


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


LOCAL_QUEUE = "training"
"""The Kueue queue (ClusterQueue and per-team LocalQueues) of a pool's own quota."""
BURST_QUEUE = "training-burst"
"""The queue whose Jobs MultiKueue dispatches to a worker cluster (same name on workers)."""


@dataclass(frozen=True, slots=True)
class JobSpec:
    """A training Job (one per workload and queue), suspended until Kueue admits it."""

    name: str
    workload: str
    team: str
    queue: str
    """``LOCAL_QUEUE``, or ``BURST_QUEUE`` for the share MultiKueue sends away."""
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
class TrainingConfig:
    """Config key ``training``: what :class:`~stacks.kueue.GpuTrainingPool` creates."""

    teams: tuple[str, ...]
    flavors: tuple[FlavorSpec, ...]
    jobs: tuple[JobSpec, ...] = ()
    burst: BurstSpec | None = None
    serves_burst: bool = False
    """This cluster is a MultiKueue worker: expose the ``training-burst`` LocalQueues."""


@dataclass(frozen=True, slots=True, kw_only=True)
class GpuTrainingPoolArgs(TrainingConfig):
    stack: StackInfo


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
class AwsBurstConfig:
    """Config key ``aws_burst``: what :class:`~stacks.aws.AwsBurst` creates."""

    groups: tuple[BurstGroupSpec, ...]
    eks_cluster_name: str
    eks_version: str | None
    """AMI Kubernetes version; ``None``: the cluster's own (``aws.eks.get_cluster_output``)."""
    checkpoint_retention_days: int


@dataclass(frozen=True, slots=True)
class NetworkConfig:
    """Config key ``network``: the operator's override of where burst nodes go (never
    emitted)."""

    subnet_ids: tuple[str, ...] = ()
    """Empty: use the EKS cluster's subnets (``aws.eks.get_cluster_output``)."""
    security_group_ids: tuple[str, ...] = ()
    """Empty: use the EKS cluster security group."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AwsBurstArgs(AwsBurstConfig):
    stack: StackInfo
    network: NetworkConfig = NetworkConfig()


@dataclass(frozen=True, slots=True)
class BudgetConfig:
    """Config key ``budget``: what :class:`~stacks.aws.AwsCostGuard` creates."""

    usd_per_month: str
    alert_thresholds_pct: tuple[int, ...]
    alert_emails: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class AwsCostGuardArgs(BudgetConfig):
    stack: StackInfo


# --------------------------------------------------------------------------- the document


@dataclass(frozen=True, slots=True)
class StackConfig:
    """Everything ``Pulumi.<env>.yaml`` holds for one stack, by config key (without the
    project prefix; ``aws:region`` is the AWS provider's own key). Absent sections are left
    out of the file."""

    stack: StackInfo
    kubernetes: KubernetesConfig | None = field(default=None, metadata=OMITTED)
    training: TrainingConfig | None = field(default=None, metadata=OMITTED)
    aws_region: str | None = field(default=None, metadata=AWS_REGION)
    aws_burst: AwsBurstConfig | None = field(default=None, metadata=OMITTED)
    budget: BudgetConfig | None = field(default=None, metadata=OMITTED)
    network: NetworkConfig | None = field(default=None, metadata=OMITTED)


SECTIONS: tuple[str, ...] = ("stack", "kubernetes", "training", "aws_burst", "budget", "network")
"""The keys of the stack's own namespace that the program reads."""


_FLAVORS = _list_of(FlavorSpec, node_labels=_str_map)
_PARSERS: dict[str, Parser] = {
    "stack": _one(StackInfo, failure_domains=_strs),
    "kubernetes": _one(
        KubernetesConfig,
        teams=_list_of(TeamSpec, quota=_str_map),
        workloads=_list_of(
            WorkloadSpec,
            requests=_str_map,
            limits=_str_map,
            ports=_ints,
            autoscale=_one(AutoscaleSpec),
            sites=_strs,
        ),
        priority_tiers=_ints,
    ),
    "training": _one(
        TrainingConfig,
        teams=_strs,
        flavors=_FLAVORS,
        jobs=_list_of(JobSpec, requests=_str_map),
        burst=_one(BurstSpec, clusters=_strs, flavors=_FLAVORS, kubeconfig_secrets=_str_map),
    ),
    "aws_burst": _one(
        AwsBurstConfig,
        groups=_list_of(BurstGroupSpec, instance_types=_strs, workloads=_strs),
    ),
    "budget": _one(BudgetConfig, alert_thresholds_pct=_ints, alert_emails=_strs),
    "network": _one(NetworkConfig, subnet_ids=_strs, security_group_ids=_strs),
}


def parse_stack_config(data: Mapping[str, Any]) -> StackConfig:
    """The :class:`StackConfig` of config ``data`` (keys without the project prefix; a key
    whose value is ``None`` counts as absent)."""
    present = {k: v for k, v in data.items() if v is not None}
    if "stack" not in present:
        raise SpecError("stack: missing (the stack identity hybridplan writes)")
    sections = {k: _PARSERS[k](present[k], k) for k in SECTIONS if k in present}
    region = present.get("aws:region")
    return StackConfig(
        aws_region=None if region is None else str(region),
        **sections,
    )


def kubernetes_args(config: StackConfig) -> KubernetesWorkloadsArgs | None:
    if config.kubernetes is None:
        return None
    return KubernetesWorkloadsArgs(**_fields(config.kubernetes), stack=config.stack)


def training_args(config: StackConfig) -> GpuTrainingPoolArgs | None:
    if config.training is None:
        return None
    return GpuTrainingPoolArgs(**_fields(config.training), stack=config.stack)


def aws_burst_args(config: StackConfig) -> AwsBurstArgs | None:
    if config.aws_burst is None:
        return None
    return AwsBurstArgs(
        **_fields(config.aws_burst),
        stack=config.stack,
        network=config.network or NetworkConfig(),
    )


def cost_guard_args(config: StackConfig) -> AwsCostGuardArgs | None:
    if config.budget is None:
        return None
    return AwsCostGuardArgs(**_fields(config.budget), stack=config.stack)


def _fields(section: Any) -> dict[str, Any]:
    """A config section's fields by name (to extend into its component's ``Args``)."""
    return {f.name: getattr(section, f.name) for f in fields(section)}
