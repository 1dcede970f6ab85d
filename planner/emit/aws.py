"""The AWS sections of a cloud site's stack config: GPU burst node groups (``aws_burst``) and
the site's budget (``budget``).

GPU node groups serve every GPU workload the plan puts on an AWS site (training and GPU
services alike): one instance per replica; the on-demand base is the replicas bought
on-demand, committed or as capacity blocks, the rest spot; the maximum size is every replica
the plan puts there plus, for a GPU service, the pods its HPA and a rolling update may add.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from planner.emit.quantities import usd
from planner.emit.shares import Share, gpu_type
from planner.errors import InputError, Problem
from planner.model import PricingOption, Site
from stacks.spec import AwsBurstConfig, BudgetConfig, BurstGroupSpec

BUDGET_ALERT_THRESHOLDS_PCT = (80, 100)
"""Budget alerts on actual spend at these percentages of the plan's monthly cost (a
forecasted-100% alert is always added)."""
CHECKPOINT_RETENTION_DAYS = 30
"""Lifecycle expiry of training checkpoints in the burst bucket."""
EKS_VERSION: str | None = None
"""Kubernetes version of the EKS-optimised AMI looked up for burst nodes: ``None`` = the
EKS cluster's own version (a kubelet newer than its control plane is unsupported, so a
fixed version breaks node joins on clusters that are not on it)."""
DEFAULT_GPU_INSTANCE = {
    "h100": "p5.48xlarge",
    "h200": "p5e.48xlarge",
    "b200": "p6-b200.48xlarge",
    "a100": "p4d.24xlarge",
    "l40s": "g6e.48xlarge",
    "l4": "g6.48xlarge",
    "a10g": "g5.48xlarge",
}
"""8-GPU EC2 instance per GPU type, used when the plan names no instance type (AWS
"Accelerated computing" instance types page, checked 2026-11)."""

_NON_SPOT = frozenset(
    {
        PricingOption.OWNED,
        PricingOption.LEASED,
        PricingOption.ON_DEMAND,
        PricingOption.COMMIT_1Y,
        PricingOption.COMMIT_3Y,
        PricingOption.CAPACITY_BLOCK,
    }
)


@dataclass
class _Group:
    """A GPU node group being summed up (one per GPU type)."""

    instance_types: set[str] = field(default_factory=set)
    max_size: int = 0
    on_demand_base: int = 0
    spot: int = 0
    workloads: set[str] = field(default_factory=set)
    usd_per_month: float = 0.0

    def spec(self, gpu: str) -> BurstGroupSpec:
        return BurstGroupSpec(
            name=gpu,
            gpu_type=gpu,
            instance_types=tuple(sorted(self.instance_types)),
            max_size=self.max_size,
            on_demand_base=self.on_demand_base,
            on_demand_pct_above_base=0 if self.spot else 100,
            workloads=tuple(sorted(self.workloads)),
            usd_per_month=usd(self.usd_per_month),
        )


def aws_burst_config(
    site: Site, gpu_shares: list[Share], headroom: Mapping[str, int] | None = None
) -> AwsBurstConfig | None:
    """GPU node groups for ``gpu_shares`` on ``site`` (``None``: no GPU workload there).
    ``headroom`` is, per GPU service, the pods its HPA ceiling and rolling-update surge may
    add: without them a scale-out or a ``maxUnavailable: 0`` rollout waits forever for a
    node the group may not add."""
    headroom = headroom or {}
    if not gpu_shares:
        return None
    groups: dict[str, _Group] = {}
    for s in gpu_shares:
        w = s.workload
        gpu = gpu_type(w)
        g = groups.setdefault(gpu, _Group())
        for a in s.assignments:
            itype = a.instance_type or DEFAULT_GPU_INSTANCE.get(gpu)
            if itype is None:
                raise InputError(
                    [
                        Problem(
                            "",
                            0,
                            0,
                            f"workloads[{w.name!r}].resources.gpu_type",
                            f"no default AWS instance for GPU type {gpu!r} on {site.name}",
                            "use one of " + ", ".join(sorted(DEFAULT_GPU_INSTANCE)),
                        )
                    ]
                )
            g.instance_types.add(itype)
            g.max_size += a.replicas
            if a.option in _NON_SPOT:
                g.on_demand_base += a.replicas
            else:
                g.spot += a.replicas
            g.usd_per_month += a.usd_per_month
        g.max_size += headroom.get(w.name, 0)
        g.workloads.add(w.name)
    return AwsBurstConfig(
        groups=tuple(g.spec(gpu) for gpu, g in sorted(groups.items())),
        eks_cluster_name=site.name,
        eks_version=EKS_VERSION,
        checkpoint_retention_days=CHECKPOINT_RETENTION_DAYS,
    )


def budget_config(usd_per_month: float) -> BudgetConfig:
    """The site's monthly budget: the plan's cost there, with alerts at
    ``BUDGET_ALERT_THRESHOLDS_PCT`` (no e-mail address: the operator subscribes)."""
    return BudgetConfig(
        usd_per_month=usd(usd_per_month),
        alert_thresholds_pct=BUDGET_ALERT_THRESHOLDS_PCT,
        alert_emails=(),
    )
