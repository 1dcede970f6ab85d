"""What the emitter needs to know about AWS GPU instances and how the plan bought them: the
default instance per GPU type, GPUs and EFA devices per instance, the Karpenter capacity
type of each pricing option (:data:`~planner.policy.capacity.CAPACITY_TYPE`, shared with
HP-DEP-052), and the node label a zone is named by."""

from __future__ import annotations

import re
from dataclasses import dataclass

from planner.errors import InputError, Problem
from planner.model import Assignment, PricingOption, Site, Workload
from planner.policy.capacity import CAPACITY_TYPE

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


@dataclass(frozen=True, slots=True)
class GpuInstance:
    """An EC2 GPU instance type: its GPUs and the EFA devices it can attach (0: no EFA)."""

    gpus: int
    efa: int


GPU_INSTANCES: dict[str, GpuInstance] = {
    "p5.48xlarge": GpuInstance(gpus=8, efa=32),
    "p5e.48xlarge": GpuInstance(gpus=8, efa=32),
    "p6-b200.48xlarge": GpuInstance(gpus=8, efa=8),
    "p4d.24xlarge": GpuInstance(gpus=8, efa=4),
    "p4de.24xlarge": GpuInstance(gpus=8, efa=4),
    "g6e.48xlarge": GpuInstance(gpus=8, efa=4),
    "g6e.12xlarge": GpuInstance(gpus=4, efa=0),
    "g6.48xlarge": GpuInstance(gpus=8, efa=1),
    "g6.xlarge": GpuInstance(gpus=1, efa=0),
    "g5.48xlarge": GpuInstance(gpus=8, efa=1),
    "g5.12xlarge": GpuInstance(gpus=4, efa=0),
    "g5.xlarge": GpuInstance(gpus=1, efa=0),
}
"""GPUs and EFA devices (one per network card) of the GPU instance types the catalogue and
the defaults use. Sources, checked 2026-11: AWS EC2 User Guide "Maximize network bandwidth
on accelerated instances with EFA" (P5 and P5e: 32 network cards; G6e: up to 4) and the
"Accelerated computing" instance specifications (P6-B200: 8 x 400 Gbps EFA; P4d/P4de: 4 x
100 Gbps EFA; G5/G6 .48xlarge: 1 EFA; smaller G sizes: no EFA, counted as 0 where not
listed as supported). 0 EFA keeps multi-node training off EFA: HP-DEP-054 then reports it."""

ZONE_LABEL = "topology.kubernetes.io/zone"
ZONE_ID_LABEL = "topology.k8s.aws/zone-id"
_ZONE_ID = re.compile(r"^[a-z]{2,5}\d+-az\d+$")
"""AWS zone ids (``use1-az1``) are the same zone in every account; zone names (``us-east-1a``)
are mapped per account. Karpenter labels nodes with both."""


def zone_label(zone: str) -> str:
    """The node label a failure domain of ``sites.yaml`` names a zone by."""
    return ZONE_ID_LABEL if _ZONE_ID.fullmatch(zone) else ZONE_LABEL


def instance_type(site: Site, w: Workload, a: Assignment, gpu: str) -> str:
    """The EC2 instance of ``w``'s assignment ``a``: the plan's, else the GPU type's default."""
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
    return itype


def gpu_instance(site: Site, w: Workload, itype: str, *, gpus_per_pod: int) -> GpuInstance:
    """GPUs and EFA devices of ``itype``; an input error names the known types, or says that
    a pod of ``gpus_per_pod`` GPUs does not fit the instance."""
    known = GPU_INSTANCES.get(itype)
    if known is not None and known.gpus < gpus_per_pod:
        raise InputError(
            [
                Problem(
                    "",
                    0,
                    0,
                    f"workloads[{w.name!r}].resources.gpus",
                    f"a pod of {gpus_per_pod} GPUs does not fit {itype} ({known.gpus} GPUs) "
                    f"on {site.name}",
                    "ask for at most as many GPUs per replica as one instance has",
                )
            ]
        )
    if known is None:
        raise InputError(
            [
                Problem(
                    "",
                    0,
                    0,
                    f"workloads[{w.name!r}]",
                    f"GPU instance {itype!r} (site {site.name}) is not in hybridplan's table "
                    "of GPUs and EFA devices per instance: its node pool limit cannot be sized",
                    "use one of " + ", ".join(sorted(GPU_INSTANCES)),
                )
            ]
        )
    return known


def capacity_type(site: Site, w: Workload, option: PricingOption) -> str:
    """The Karpenter capacity type of a cloud pricing option."""
    kind = CAPACITY_TYPE.get(option)
    if kind is None:
        raise InputError(
            [
                Problem(
                    "",
                    0,
                    0,
                    f"plan.{w.name}",
                    f"pricing option {option.value!r} cannot be bought on cloud site {site.name}",
                )
            ]
        )
    return kind
