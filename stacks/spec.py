"""The stack config contract: one typed definition of what ``Pulumi.<env>.yaml`` holds.

``hybridplan`` builds a :class:`StackConfig` (``planner.emit``) and writes it as structured
config; the emitted program reads it back into the same classes and hands each component
its ``Args`` (the component's config section plus the stack identity); both directions are
in :mod:`stacks.config_io`. Quantities arrive already formatted as Kubernetes quantity
strings (``"1500m"``, ``"4Gi"``) and money as decimal strings: the planner computes, the
stacks only map values onto resources. The ``training`` section's types live in
:mod:`stacks.spec_kueue`, the AWS sections' in :mod:`stacks.spec_aws` (importable from here).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .spec_aws import (
    CAPACITY_BLOCK_TAG,
    GPU_TAINT,
    GPU_TYPE_LABEL,
    NODE_POOL_LABEL,
    SPOT_TAINT,
    TRAINING_TAINT,
    AwsBurstConfig,
    BudgetConfig,
    EksConfig,
    NetworkConfig,
    NodePoolSpec,
    PriceOverlaySpec,
)
from .spec_kueue import (
    BURST_QUEUE,
    COHORT,
    LOCAL_QUEUE,
    TRAINING_SERVICE_ACCOUNT,
    BurstSpec,
    FlavorSpec,
    JobSpec,
    QuotaSpec,
    TeamQueueSpec,
    TrainingConfig,
    team_queue,
)

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


@dataclass(frozen=True, slots=True, kw_only=True)
class GpuTrainingPoolArgs(TrainingConfig):
    stack: StackInfo


# --------------------------------------------------------------------------- aws


@dataclass(frozen=True, slots=True, kw_only=True)
class AwsBurstArgs(AwsBurstConfig):
    stack: StackInfo
    eks: EksConfig
    network: NetworkConfig = field(default_factory=NetworkConfig)


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
    eks: EksConfig | None = field(default=None, metadata=OMITTED)
    aws_burst: AwsBurstConfig | None = field(default=None, metadata=OMITTED)
    budget: BudgetConfig | None = field(default=None, metadata=OMITTED)
    network: NetworkConfig | None = field(default=None, metadata=OMITTED)


__all__ = [
    "AWS_REGION",
    "BURST_QUEUE",
    "CAPACITY_BLOCK_TAG",
    "COHORT",
    "CONFIG_KEY",
    "GPU_TAINT",
    "GPU_TYPE_LABEL",
    "LOCAL_QUEUE",
    "NODE_POOL_LABEL",
    "OMITTED",
    "OMIT_DEFAULT",
    "SPOT_TAINT",
    "TRAINING_SERVICE_ACCOUNT",
    "TRAINING_TAINT",
    "AutoscaleSpec",
    "AwsBurstArgs",
    "AwsBurstConfig",
    "AwsCostGuardArgs",
    "BudgetConfig",
    "BurstSpec",
    "EksConfig",
    "FlavorSpec",
    "GpuTrainingPoolArgs",
    "JobSpec",
    "KubernetesConfig",
    "KubernetesWorkloadsArgs",
    "NetworkConfig",
    "NodePoolSpec",
    "PriceOverlaySpec",
    "QuotaSpec",
    "StackConfig",
    "StackInfo",
    "TeamQueueSpec",
    "TeamSpec",
    "TrainingConfig",
    "WorkloadSpec",
    "team_queue",
]
