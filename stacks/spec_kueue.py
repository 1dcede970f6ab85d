"""The ``training`` section of the stack config: what :class:`~stacks.kueue.GpuTrainingPool`
creates (Kueue flavors, per-team ClusterQueues in one cohort, MultiKueue burst, training
Jobs). ``hybridplan`` computes every figure (quotas capped at the hardware, parallelism that
fits the quota, the dispatch order); the component only maps them onto objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field

LOCAL_QUEUE = "training"
"""The LocalQueue (one per team namespace) of the site's own training quota."""
BURST_QUEUE = "training-burst"
"""The queue whose Jobs MultiKueue dispatches to a worker cluster (same name on workers)."""
COHORT = "hybridplan-training"
"""The cohort of a cluster's per-team training ClusterQueues: idle quota is lent within it."""
TRAINING_SERVICE_ACCOUNT = "hybridplan-training"
"""The ServiceAccount training pods run as in each team namespace (on AWS, EKS Pod Identity
gives it the checkpoint bucket)."""


def team_queue(team: str) -> str:
    """The ClusterQueue of a team's share of the site's training quota."""
    return f"{LOCAL_QUEUE}-{team}"


@dataclass(frozen=True, slots=True)
class FlavorSpec:
    """A Kueue ResourceFlavor: the nodes of one GPU type (on a cloud site: of one Karpenter
    NodePool) and how many GPUs they hold for training."""

    name: str
    gpu_type: str
    capacity_gpus: int
    """GPUs the nodes behind the flavor hold for training here: on an owned site the
    physical GPUs x the site's target utilisation, less what its other GPU workloads may
    use; on a cloud site the NodePool's limit (what the plan priced). The quotas of every
    ClusterQueue on the flavor add up to at most this (HP-DEP-050)."""
    node_labels: dict[str, str] = field(default_factory=dict)
    tolerations: tuple[str, ...] = ()
    """Taint keys (``NoSchedule``) the flavor's pods tolerate; Kueue adds them at admission."""


@dataclass(frozen=True, slots=True)
class QuotaSpec:
    """One flavor's resources in a ClusterQueue."""

    flavor: str
    gpus: int
    cpu: str
    memory: str
    efa: int = 0
    """``vpc.amazonaws.com/efa`` devices (multi-node training on EFA instances)."""
    borrowing_limit_gpus: int | None = None
    """GPUs the queue may borrow from its cohort beyond ``gpus`` (``None``: no limit set)."""


@dataclass(frozen=True, slots=True)
class TeamQueueSpec:
    """A team's ClusterQueue ``training-<team>`` in the cohort ``hybridplan-training``;
    ``quotas`` in the plan's price order (Kueue tries flavors in this order)."""

    team: str
    quotas: tuple[QuotaSpec, ...]


@dataclass(frozen=True, slots=True)
class BurstSpec:
    """MultiKueue: the worker clusters this pool overflows to, in the plan's cost order
    (cheapest first: the incremental dispatcher nominates them in this order), and the
    quota the plan sends there."""

    clusters: tuple[str, ...]
    flavors: tuple[FlavorSpec, ...]
    quotas: tuple[QuotaSpec, ...]
    kubeconfig_secrets: dict[str, str]
    """Worker cluster -> name of the Secret (namespace ``kueue-system``) with its kubeconfig."""
    worker_projects: dict[str, str]
    """Worker cluster -> the Pulumi project of its stack: the kubeconfig is that stack's
    ``multikueue_kubeconfig`` output, read by ``pulumi.StackReference`` (same stack name)."""


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
    efa_per_pod: int = 0
    """``vpc.amazonaws.com/efa`` devices per pod: multi-node training on EFA instances."""
    planned_parallelism: int | None = None
    """The plan's pods when the quota holds fewer (``parallelism`` is what fits); ``None``
    when they fit."""


@dataclass(frozen=True, slots=True)
class TrainingConfig:
    """Config key ``training``: what :class:`~stacks.kueue.GpuTrainingPool` creates."""

    teams: tuple[str, ...]
    flavors: tuple[FlavorSpec, ...]
    queues: tuple[TeamQueueSpec, ...] = ()
    jobs: tuple[JobSpec, ...] = ()
    burst: BurstSpec | None = None
    serves_burst: bool = False
    """This cluster is a MultiKueue worker: expose the ``training-burst`` LocalQueues, and
    the ServiceAccount, RBAC and token the manager's kubeconfig uses."""
