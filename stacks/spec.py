"""The stack config contract: one typed definition of what ``Pulumi.<env>.yaml`` holds.

``hybridplan`` builds a :class:`StackConfig` (``planner.emit``) and writes it as structured
config; the emitted program reads it back into the same classes and hands each component
its ``Args`` (the component's config section plus the stack identity); both directions are
in :mod:`stacks.config_io`. Quantities arrive already formatted as Kubernetes quantity
strings (``"1500m"``, ``"4Gi"``) and money as decimal strings: the planner computes, the
stacks only map values onto resources.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

OMIT_DEFAULT = "omit_default"
"""Field metadata key: the written config leaves the key out while the value is the default."""
CONFIG_KEY = "config_key"
"""Field metadata key: the config key, when it is not the field name."""
OMITTED: Mapping[str, object] = {OMIT_DEFAULT: True}
AWS_REGION: Mapping[str, object] = {OMIT_DEFAULT: True, CONFIG_KEY: "aws:region"}
"""Field metadata of ``StackConfig.aws_region``: written as the AWS provider's own key."""


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
