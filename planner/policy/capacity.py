"""Karpenter and Kueue objects as the deploy-readiness rules (HP-DEP-05x) read them: what a
NodePool may provision, what a ResourceFlavor's nodes hold, what a ClusterQueue admits,
what a Job asks for. Values unknown during a real preview stay unknown (``None`` or
:data:`~planner.policy.resources.UNKNOWN`), so a rule can say "cannot evaluate".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Final

from planner.model import PricingOption
from planner.policy import kube
from planner.policy.resources import UNKNOWN, as_list, as_mapping, get, is_unknown

GPU: Final = "nvidia.com/gpu"
EFA: Final = "vpc.amazonaws.com/efa"
CAPACITY_TYPE_LABEL: Final = "karpenter.sh/capacity-type"
ZONE_LABELS: Final = ("topology.kubernetes.io/zone", "topology.k8s.aws/zone-id")
CAPACITY_ANNOTATION: Final = "hybridplan.io/capacity-gpus"
"""On a ResourceFlavor of owned hardware: the GPUs its nodes hold for training."""
PRICED_OPTION_ANNOTATION: Final = "hybridplan.io/priced-option"
QUEUE_LABEL: Final = "kueue.x-k8s.io/queue-name"
MULTIKUEUE_CONTROLLER: Final = "kueue.x-k8s.io/multikueue"
KARPENTER_DEFAULT_CAPACITY_TYPE: Final = "on-demand"
"""What a NodePool without a capacity-type requirement launches (Karpenter v1 default)."""

CAPACITY_TYPE: Final[Mapping[PricingOption, str]] = {
    PricingOption.SPOT: "spot",
    PricingOption.ON_DEMAND: "on-demand",
    PricingOption.COMMIT_1Y: "on-demand",
    PricingOption.COMMIT_3Y: "on-demand",
    PricingOption.CAPACITY_BLOCK: "reserved",
}
"""Karpenter ``karpenter.sh/capacity-type`` of each cloud pricing option: what was priced is
what is provisioned. Commitments (Savings Plans) are a billing discount on on-demand usage,
so committed capacity is on-demand capacity the commitment covers; Capacity Blocks for ML
are capacity reservations (``reserved``, selected by ``capacityReservationSelectorTerms``,
Karpenter v1.6+ with the ``ReservedCapacity`` feature gate)."""


def of_kind(objects: Iterable[kube.KubeObject], kind: str) -> list[kube.KubeObject]:
    return [o for o in objects if o.kind == kind]


def requirement(pool: kube.KubeObject, key: str) -> object:
    """The values a NodePool's ``In`` requirement on ``key`` allows: a list, ``None`` when
    there is no such requirement, UNKNOWN when unknown."""
    reqs = pool.get("spec.template.spec.requirements")
    if is_unknown(reqs):
        return UNKNOWN
    for r in as_list(reqs):
        if is_unknown(r) or is_unknown(get(r, "key")):
            return UNKNOWN
        if get(r, "key") == key and get(r, "operator") == "In":
            values = get(r, "values")
            return values if is_unknown(values) else list(as_list(values))
    return None


def one_zone(pool: kube.KubeObject) -> bool | None:
    """Whether a NodePool keeps its nodes in one zone: an ``In`` requirement with one value
    on a zone label, or ``reserved`` capacity only (a capacity reservation is in one zone)."""
    unsure = False
    for key in ZONE_LABELS:
        values = requirement(pool, key)
        if is_unknown(values):
            unsure = True
        elif isinstance(values, list) and len(values) == 1:
            return True
    kinds = requirement(pool, CAPACITY_TYPE_LABEL)
    if isinstance(kinds, list) and kinds == ["reserved"]:
        return True
    return None if unsure or is_unknown(kinds) else False


def template_labels(pool: kube.KubeObject) -> object:
    labels = pool.get("spec.template.metadata.labels")
    return labels if is_unknown(labels) else as_mapping(labels)


def matches(labels: object, wanted: object) -> bool | None:
    """Whether node ``labels`` carry every ``wanted`` label (a node selector)."""
    if is_unknown(labels) or is_unknown(wanted):
        return None
    have, want = as_mapping(labels), as_mapping(wanted)
    if any(is_unknown(v) for v in [*have.values(), *want.values()]):
        return None
    return all(have.get(k) == v for k, v in want.items())


def gpu_limit(pool: kube.KubeObject) -> Decimal | None:
    """A NodePool's ``nvidia.com/gpu`` limit (``None``: none or unknown)."""
    limits = pool.get("spec.limits")
    return None if is_unknown(limits) else kube.quantity(as_mapping(limits).get(GPU))


def flavor_capacity(
    flavor: kube.KubeObject, pools: Sequence[kube.KubeObject]
) -> tuple[Decimal | None, str]:
    """The GPUs a flavor's nodes hold and where the figure comes from: the GPU limits of the
    stack's NodePools whose nodes carry the flavor's node labels, else the flavor's
    ``hybridplan.io/capacity-gpus`` annotation (owned hardware), else ``None``."""
    wanted = flavor.get("spec.nodeLabels")
    hosts = [p for p in pools if matches(template_labels(p), wanted)]
    if hosts:
        limits = [gpu_limit(p) for p in hosts]
        if all(limit is not None for limit in limits):
            total = sum((limit for limit in limits if limit is not None), Decimal(0))
            names = ", ".join(str(p.name) for p in hosts)
            return total, f"the GPU limits of NodePool(s) {names}"
        return None, ""
    notes = flavor.get("metadata.annotations")
    value = None if is_unknown(notes) else kube.quantity(as_mapping(notes).get(CAPACITY_ANNOTATION))
    return (value, "its capacity annotation (sites.yaml)") if value is not None else (None, "")


def flavor_quotas(queue: kube.KubeObject) -> dict[str, dict[str, tuple[object, object]]]:
    """``flavor -> resource -> (nominalQuota, borrowingLimit)`` of a ClusterQueue or Cohort."""
    out: dict[str, dict[str, tuple[object, object]]] = {}
    for group in as_list(queue.get("spec.resourceGroups")):
        for flavor in as_list(get(group, "flavors")):
            name = get(flavor, "name")
            if not isinstance(name, str):
                continue
            resources = out.setdefault(name, {})
            for r in as_list(get(flavor, "resources")):
                rname = get(r, "name")
                if isinstance(rname, str):
                    resources[rname] = (get(r, "nominalQuota"), get(r, "borrowingLimit"))
    return out


def multikueue_queue(queue: kube.KubeObject, objects: Sequence[kube.KubeObject]) -> bool:
    """Whether a ClusterQueue admits through MultiKueue (its quota is another cluster's)."""
    checks = {
        str(c.name): c.get("spec.controllerName")
        for c in of_kind(objects, "AdmissionCheck")
        if c.known
    }
    for check in as_list(queue.get("spec.admissionChecksStrategy.admissionChecks")):
        if checks.get(str(get(check, "name"))) == MULTIKUEUE_CONTROLLER:
            return True
    return False


def job_needs(job: kube.KubeObject, resource: str) -> Decimal | None:
    """What a Job's pods ask for in all (``parallelism`` x per-pod requests of
    ``resource``); ``None`` when unknown; 0 when it asks for none."""
    template = kube.pod_template(job)
    parallelism = job.get("spec.parallelism")
    if template is None or is_unknown(parallelism) or is_unknown(template.spec):
        return None
    per_pod = Decimal(0)
    for c in kube.containers(template.spec):
        res = get(c, "resources")
        requests = as_mapping(get(res, "requests"))
        limits = as_mapping(get(res, "limits"))
        value = requests.get(resource, limits.get(resource))
        if value is None:
            continue
        q = kube.quantity(value)
        if q is None:
            return None
        per_pod += q
    pods = kube.quantity(parallelism if parallelism is not None else 1)
    return None if pods is None else per_pod * pods
