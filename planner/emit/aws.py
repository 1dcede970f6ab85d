"""The AWS sections of a cloud site's stack config: the EKS cluster (``eks``), GPU capacity
as Karpenter NodePools (``aws_burst``) and the site's budget (``budget``).

GPU capacity is provisioned by Karpenter, as the plan priced it: one NodePool per role
(``training``: Kueue-admitted training pods; ``service``: GPU services and inference), GPU
type, pricing option and instance type, with

- the capacity type of the option (spot -> ``spot``; on-demand and commitments ->
  ``on-demand``; Capacity Blocks -> ``reserved``; see
  :data:`~planner.emit.instances.CAPACITY_TYPE`);
- an ``nvidia.com/gpu`` limit of what the plan priced: for training, nodes for the Job's
  pods (the plan splits a training workload over options by GPU-hours, each option running
  the whole Job for its share of the month); for services, the replicas bought that way,
  plus, in the pool of the workload's first non-spot option, the pods its HPA ceiling and a
  rolling update may add;
- a weight in the plan's price order: per role and GPU type, the lowest price per GPU-hour
  gets 100, the next 99, ...;
- for multi-node training (a Job of more than one pod), one zone (the site's first failure
  domain): EFA traffic stays in one zone; a Capacity Block is in one zone by construction.

The site's negotiated prices become Karpenter NodeOverlays, so Karpenter compares instances
at the prices the plan used: each ``aws.<instance>.<region>.<option>`` price override a
``price``, the site's ``discount_pct`` a ``priceAdjustment``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from planner.emit.instances import (
    capacity_type,
    gpu_instance,
    instance_type,
    zone_label,
)
from planner.emit.quantities import amount
from planner.emit.shares import Share, gpu_type
from planner.model import PricingOption, Site, WorkloadKind
from planner.money import Money, decimal_of
from planner.policy.capacity import CAPACITY_TYPE
from stacks.spec import (
    AwsBurstConfig,
    BudgetConfig,
    EksConfig,
    NodePoolSpec,
    PriceOverlaySpec,
)

BUDGET_ALERT_THRESHOLDS_PCT = (80, 100)
"""Budget alerts on actual spend at these percentages of the plan's monthly cost (a
forecasted-100% alert is always added)."""
CHECKPOINT_RETENTION_DAYS = 30
"""Lifecycle expiry of training checkpoints in the burst bucket."""
AMI_ALIAS = "al2023@latest"
"""EKS-optimised Amazon Linux 2023 (Karpenter picks the NVIDIA variant for GPU instances).
``latest`` follows AWS's releases; training nodes are protected from the resulting drift by
``karpenter.sh/do-not-disrupt`` on training pods. Pin ``al2023@v<YYYYMMDD>`` to freeze."""
HOURS_PER_MONTH = 730
MAX_WEIGHT = 100
"""Karpenter's highest NodePool weight; the cheapest pool of a role and GPU type gets it."""
OVERRIDE_WEIGHT = 100
DISCOUNT_WEIGHT = 10
"""NodeOverlay weights: an instance's own negotiated price wins over the site-wide discount."""

TRAINING = "training"
SERVICE = "service"


@dataclass
class _Pool:
    """A NodePool being summed up."""

    role: str
    gpu: str
    option: PricingOption
    itype: str
    gpus_per_node: int
    nodes: int = 0
    gpu_hours: float = 0.0
    spend: list[Money] = field(default_factory=list)
    workloads: set[str] = field(default_factory=set)
    multi_node: bool = False

    def key(self) -> tuple[str, str, str, str]:
        return (self.role, self.gpu, self.option.value, self.itype)

    @property
    def per_month(self) -> Money:
        return Money.total(self.spend, self.spend[0].currency)

    def price_per_gpu_hour(self) -> Decimal:
        """The pool's monthly cost per GPU-hour (a rate, exact): what orders the pools."""
        if not self.gpu_hours:
            return Decimal("Infinity")
        return self.per_month.to_decimal() / decimal_of(self.gpu_hours)


def eks_config(site: Site) -> EksConfig:
    """The EKS cluster of an AWS site: named after the site (it is not created here)."""
    return EksConfig(cluster_name=site.name)


def _pool_names(pools: list[_Pool]) -> dict[tuple[str, str, str, str], str]:
    """``<role>-<gpu>-<option>``, with the instance type appended only where one role, GPU
    type and option use several instance types."""
    count: dict[tuple[str, str, str], int] = {}
    for p in pools:
        count[p.key()[:3]] = count.get(p.key()[:3], 0) + 1
    names = {}
    for p in pools:
        base = f"{p.role}-{p.gpu}-{p.option.value}"
        suffix = "-" + p.itype.replace(".", "-") if count[p.key()[:3]] > 1 else ""
        names[p.key()] = base + suffix
    return names


def _pools(site: Site, gpu_shares: list[Share], headroom: Mapping[str, int]) -> list[_Pool]:
    """The pools of ``gpu_shares`` on ``site``, unweighted and unnamed."""
    pools: dict[tuple[str, str, str, str], _Pool] = {}
    for s in gpu_shares:
        w = s.workload
        gpu = gpu_type(w)
        training = w.kind is WorkloadKind.TRAINING
        role = TRAINING if training else SERVICE
        extra = 0 if training else headroom.get(w.name, 0)
        order = sorted(s.assignments, key=lambda a: (a.option is PricingOption.SPOT, a.option))
        for a in order:
            itype = instance_type(site, w, a, gpu)
            inst = gpu_instance(site, w, itype, gpus_per_pod=w.resources.gpus)
            capacity_type(site, w, a.option)  # refuses an option a cloud cannot sell
            key = (role, gpu, a.option.value, itype)
            pool = pools.setdefault(key, _Pool(role, gpu, a.option, itype, inst.gpus))
            per_node = inst.gpus // w.resources.gpus
            pods = a.replicas + extra
            extra = 0  # headroom goes to the first (non-spot when any) option only
            pool.nodes += math.ceil(pods / per_node)
            pool.spend.append(a.per_month)
            pool.gpu_hours += (
                a.gpu_hours_per_month
                if training and a.gpu_hours_per_month is not None
                else a.replicas * w.resources.gpus * HOURS_PER_MONTH
            )
            pool.workloads.add(w.name)
            pool.multi_node = pool.multi_node or (training and a.replicas > 1)
    return list(pools.values())


def node_pools(
    site: Site, gpu_shares: list[Share], headroom: Mapping[str, int] | None = None
) -> tuple[NodePoolSpec, ...]:
    """The Karpenter NodePools for ``gpu_shares`` on ``site`` (see the module docstring).
    ``headroom`` is, per GPU service, the pods its HPA ceiling and rolling-update surge may
    add: without them a scale-out or a ``maxUnavailable: 0`` rollout waits for a node the
    pool may not add."""
    pools = _pools(site, gpu_shares, headroom or {})
    names = _pool_names(pools)
    weights: dict[tuple[str, str, str, str], int] = {}
    for role_gpu in sorted({p.key()[:2] for p in pools}):
        ranked = sorted(
            (p for p in pools if p.key()[:2] == role_gpu),
            key=lambda p: (p.price_per_gpu_hour(), names[p.key()]),
        )
        for rank, p in enumerate(ranked):
            weights[p.key()] = max(1, MAX_WEIGHT - rank)
    zone = site.failure_domains[0] if site.failure_domains else None
    specs = []
    for p in pools:
        kind = CAPACITY_TYPE[p.option]
        # A Capacity Block is in one zone already; pinning another would match nothing.
        pinned = zone if p.multi_node and kind != "reserved" else None
        specs.append(
            NodePoolSpec(
                name=names[p.key()],
                role=p.role,
                gpu_type=p.gpu,
                option=p.option.value,
                capacity_type=kind,
                instance_types=(p.itype,),
                gpus_per_node=p.gpus_per_node,
                max_nodes=p.nodes,
                weight=weights[p.key()],
                workloads=tuple(sorted(p.workloads)),
                usd_per_month=amount(p.per_month),
                zone=pinned,
                zone_label=zone_label(pinned) if pinned else None,
            )
        )
    return tuple(sorted(specs, key=lambda n: n.name))


def price_overlays(site: Site) -> tuple[PriceOverlaySpec, ...]:
    """NodeOverlays for the site's negotiated prices: one per instance price override of
    the site's price region (``aws.<instance>.<region>.<option>``) and one for its
    ``discount_pct``."""
    region = site.cloud_cost.price_region if site.cloud_cost else site.region
    suffix = {"on-demand": "on-demand", "spot": "spot", "capacity-block": "reserved"}
    out = []
    for key, value in sorted(site.price_overrides.items()):
        parts = key.split(".")
        if len(parts) < 5 or parts[0] != site.provider:
            continue
        option, key_region = parts[-1], parts[-2]
        itype = ".".join(parts[1:-2])
        if key_region != region or option not in suffix:
            continue
        out.append(
            PriceOverlaySpec(
                name=f"price-{itype.replace('.', '-')}-{option}",
                capacity_types=(suffix[option],),
                weight=OVERRIDE_WEIGHT,
                instance_types=(itype,),
                price=f"{value:.4f}".rstrip("0").rstrip("."),
            )
        )
    discount = site.cloud_cost.discount_pct if site.cloud_cost else 0.0
    if discount > 0:
        out.append(
            PriceOverlaySpec(
                name="discount",
                capacity_types=("on-demand", "reserved", "spot"),
                weight=DISCOUNT_WEIGHT,
                price_adjustment=f"-{discount:g}%",
            )
        )
    return tuple(out)


def aws_burst_config(
    site: Site, gpu_shares: list[Share], headroom: Mapping[str, int] | None = None
) -> AwsBurstConfig | None:
    """GPU capacity for ``gpu_shares`` on ``site`` (``None``: no GPU workload there)."""
    if not gpu_shares:
        return None
    teams = {s.workload.team for s in gpu_shares if s.workload.kind is WorkloadKind.TRAINING}
    return AwsBurstConfig(
        node_pools=node_pools(site, gpu_shares, headroom),
        ami_alias=AMI_ALIAS,
        checkpoint_retention_days=CHECKPOINT_RETENTION_DAYS,
        training_teams=tuple(sorted(teams)),
        overlays=price_overlays(site),
    )


def budget_config(per_month: Money) -> BudgetConfig:
    """The site's monthly budget: the plan's cost there, with alerts at
    ``BUDGET_ALERT_THRESHOLDS_PCT`` (no e-mail address: the operator subscribes)."""
    return BudgetConfig(
        usd_per_month=amount(per_month),
        alert_thresholds_pct=BUDGET_ALERT_THRESHOLDS_PCT,
        alert_emails=(),
    )
