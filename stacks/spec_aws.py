"""The AWS sections of the stack config: the EKS cluster (``eks``), GPU burst capacity as
Karpenter NodePools (``aws_burst``), the site's budget (``budget``) and the operator's
network override (``network``). ``hybridplan`` computes every figure (what each NodePool may
provision, its weight, its zone); the components only map them onto resources.
"""

from __future__ import annotations

from dataclasses import dataclass

GPU_TYPE_LABEL = "hybridplan.io/gpu-type"
"""Node label of the GPU type (owned nodes are labelled so by the operator, burst nodes by
their NodePool); GPU pods select it."""
NODE_POOL_LABEL = "hybridplan.io/node-pool"
"""Node label naming the NodePool a burst node came from; Kueue flavors select it."""
GPU_TAINT = "nvidia.com/gpu"
TRAINING_TAINT = "hybridplan.io/training"
"""Taint of training NodePools: only pods Kueue admitted to a training flavor tolerate it."""
SPOT_TAINT = "hybridplan.io/spot"
"""Taint of spot NodePools: only workloads the plan put on spot tolerate it (tier-1 never)."""
CAPACITY_BLOCK_TAG = "hybridplan.io/capacity-block"
"""The tag (value: the site name) that selects the site's EC2 Capacity Blocks for ML: tag
the reservations you buy with it (``capacityReservationSelectorTerms``)."""


@dataclass(frozen=True, slots=True)
class EksConfig:
    """Config key ``eks``: the existing EKS cluster of an AWS site (not created here)."""

    cluster_name: str


@dataclass(frozen=True, slots=True)
class NodePoolSpec:
    """A Karpenter NodePool: GPU nodes of one type, bought one way, for one role (``training``
    pods admitted by Kueue, or GPU ``service`` pods), at most what the plan priced."""

    name: str
    role: str
    """``training`` or ``service``: training pools carry the ``hybridplan.io/training``
    taint that only Kueue's flavors tolerate."""
    gpu_type: str
    option: str
    """The pricing option the plan priced (``spot``, ``on-demand``, ``commit-1y``,
    ``capacity-block`` ...)."""
    capacity_type: str
    """``karpenter.sh/capacity-type``: ``spot``, ``on-demand`` (also for commitments:
    Savings Plans cover on-demand usage) or ``reserved`` (Capacity Blocks)."""
    instance_types: tuple[str, ...]
    gpus_per_node: int
    max_nodes: int
    """Instances the plan priced (plus, for GPU services, the pods their HPA ceiling and a
    rolling update may add): the pool's ``nvidia.com/gpu`` limit is ``max_nodes x
    gpus_per_node``."""
    weight: int
    """Karpenter weight: the cheapest pool of a role and GPU type (price per GPU-hour in the
    plan) gets the highest."""
    workloads: tuple[str, ...]
    usd_per_month: str
    zone: str | None = None
    """The one zone multi-node training runs in (EFA needs one zone); ``None``: any."""
    zone_label: str | None = None
    """``topology.kubernetes.io/zone`` (zone names) or ``topology.k8s.aws/zone-id``."""


@dataclass(frozen=True, slots=True)
class PriceOverlaySpec:
    """A Karpenter NodeOverlay: the price Karpenter compares instances by, from the site's
    negotiated prices (``price_overrides``, ``discount_pct`` in sites.yaml)."""

    name: str
    capacity_types: tuple[str, ...]
    weight: int
    instance_types: tuple[str, ...] = ()
    """Empty: every instance type."""
    price: str | None = None
    """USD per instance-hour."""
    price_adjustment: str | None = None
    """A signed percentage of the list price, e.g. ``-12%``."""


@dataclass(frozen=True, slots=True)
class AwsBurstConfig:
    """Config key ``aws_burst``: what :class:`~stacks.aws_burst.AwsBurst` creates."""

    node_pools: tuple[NodePoolSpec, ...]
    ami_alias: str
    """EC2NodeClass AMI alias (``al2023@latest``; pin ``al2023@v<date>`` to freeze nodes)."""
    checkpoint_retention_days: int
    training_teams: tuple[str, ...] = ()
    """Namespaces whose ``hybridplan-training`` ServiceAccount reads and writes the
    checkpoint bucket through EKS Pod Identity."""
    overlays: tuple[PriceOverlaySpec, ...] = ()


@dataclass(frozen=True, slots=True)
class NetworkConfig:
    """Config key ``network``: the operator's override of where burst nodes go (never
    emitted)."""

    subnet_ids: tuple[str, ...] = ()
    """Empty: use the EKS cluster's subnets (``aws.eks.get_cluster_output``)."""
    security_group_ids: tuple[str, ...] = ()
    """Empty: use the EKS cluster security group."""


@dataclass(frozen=True, slots=True)
class BudgetConfig:
    """Config key ``budget``: what :class:`~stacks.aws_budget.AwsCostGuard` creates."""

    usd_per_month: str
    alert_thresholds_pct: tuple[int, ...]
    alert_emails: tuple[str, ...] = ()
