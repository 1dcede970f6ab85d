"""HP-DEP-050: Ensure Kueue quotas fit the hardware and every training Job fits its queue."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal

from planner.model import Category, Level
from planner.policy import capacity as cap
from planner.policy import kube
from planner.policy import resources as rs
from planner.policy.rule import ResourceContext, Rule, Violation, resource_verdict


def _gpus(value: object) -> Decimal | None:
    return kube.quantity(value)


def _flavor_findings(objects: Sequence[kube.KubeObject]) -> Iterator[Violation]:
    """Quotas on a flavor that add up to more GPUs than its nodes hold."""
    pools = cap.of_kind(objects, "NodePool")
    queues = [
        q
        for q in [*cap.of_kind(objects, "ClusterQueue"), *cap.of_kind(objects, "Cohort")]
        if not cap.multikueue_queue(q, objects)
    ]
    for flavor in cap.of_kind(objects, "ResourceFlavor"):
        hold, source = cap.flavor_capacity(flavor, pools)
        if hold is None or not flavor.known:
            continue
        held: list[tuple[str, Decimal]] = []
        unknown = False
        for q in queues:
            nominal, _ = cap.flavor_quotas(q).get(str(flavor.name), {}).get(cap.GPU, (None, None))
            if nominal is None:
                continue
            gpus = _gpus(nominal)
            if gpus is None:
                unknown = True
            else:
                held.append((f"{q.kind} {q.name}", gpus))
        total = sum((g for _, g in held), Decimal(0))
        wrong = ""
        if total > hold:
            parts = ", ".join(f"{who} {g:g}" for who, g in held)
            wrong = (
                f"ResourceFlavor {flavor.name}: nominal quotas of {total:g} GPUs ({parts}) "
                f"exceed the {hold:g} GPUs its nodes hold ({source}): Kueue would admit "
                "Jobs whose pods cannot all be scheduled"
            )
        yield from resource_verdict(
            flavor.record.name,
            rs.subject(flavor.record),
            wrong=wrong,
            details={"quota_gpus": str(total), "capacity_gpus": str(hold)},
            unknown=f"a GPU quota on flavor {flavor.name} is unknown" if unknown else "",
        )


def _admits(
    queue: kube.KubeObject, queues: Sequence[kube.KubeObject], objects: Sequence[kube.KubeObject]
) -> Decimal | None:
    """The most GPUs one workload can get from ``queue`` in one flavor: its nominal quota
    plus what it may borrow (its limit, else the rest of its cohort), capped at what the
    flavor's nodes hold."""
    pools = cap.of_kind(objects, "NodePool")
    flavors = {str(f.name): f for f in cap.of_kind(objects, "ResourceFlavor") if f.known}
    cohort = queue.get("spec.cohortName")
    mates = [q for q in queues if q is not queue and cohort and q.get("spec.cohortName") == cohort]
    best = Decimal(0)
    for name, resources in cap.flavor_quotas(queue).items():
        nominal, limit = resources.get(cap.GPU, (None, None))
        own = _gpus(nominal) if nominal is not None else Decimal(0)
        if own is None:
            return None
        borrow: Decimal | None = Decimal(0)
        if limit is not None:
            borrow = _gpus(limit)
        else:
            for m in mates:
                lent = cap.flavor_quotas(m).get(name, {}).get(cap.GPU, (0, None))[0]
                borrow = (borrow or Decimal(0)) + (_gpus(lent) or Decimal(0))
        if borrow is None:
            return None
        most = own + borrow
        if name in flavors and not cap.multikueue_queue(queue, objects):
            hold, _ = cap.flavor_capacity(flavors[name], pools)
            if hold is not None:
                most = min(most, hold)
        best = max(best, most)
    return best


def _job_findings(objects: Sequence[kube.KubeObject]) -> Iterator[Violation]:
    """Jobs asking more GPUs than their queue can ever admit in one flavor."""
    queues = cap.of_kind(objects, "ClusterQueue")
    for job in cap.of_kind(objects, "Job"):
        labels = job.get("metadata.labels")
        queue = None if rs.is_unknown(labels) else rs.as_mapping(labels).get(cap.QUEUE_LABEL)
        if not queue:
            continue
        need = cap.job_needs(job, cap.GPU)
        local = [
            lq
            for lq in cap.of_kind(objects, "LocalQueue")
            if lq.known and (lq.name, lq.namespace) == (queue, job.namespace)
        ]
        target = [
            q for q in queues if local and q.known and q.name == local[0].get("spec.clusterQueue")
        ]
        if need is None or rs.is_unknown(queue) or not target:
            unknown = need is None or rs.is_unknown(queue)
            yield from resource_verdict(
                job.record.name,
                rs.subject(job.record),
                unknown=f"the GPUs or queue of Job {job.name} are unknown" if unknown else "",
            )
            continue
        most = _admits(target[0], queues, objects)
        wrong = ""
        if most is not None and need > most:
            wrong = (
                f"Job {job.namespace}/{job.name} asks for {need:g} GPUs at once; ClusterQueue "
                f"{target[0].name} admits at most {most:g} in one flavor (quota, borrowing "
                "and nodes): it would never start"
            )
        yield from resource_verdict(
            job.record.name,
            rs.subject(job.record),
            wrong=wrong,
            details={"gpus": str(need), "admissible_gpus": str(most)},
            unknown=f"the quota of ClusterQueue {target[0].name} is unknown"
            if most is None
            else "",
        )


def check_resources(ctx: ResourceContext) -> Iterator[Violation]:
    objects = kube.kube_objects(ctx.resources)
    yield from _flavor_findings(objects)
    yield from _job_findings(objects)


RULE = Rule(
    id="HP-DEP-050",
    name="Ensure Kueue quotas fit the hardware and every training Job fits its queue",
    category=Category.DEPLOY,
    level=Level.MANDATORY,
    description="Kueue admits a Job when its queue has quota, not when the nodes have room: "
    "quotas above what a flavor's nodes hold (80 GPUs of quota on a 64-GPU pool) let a "
    "64-GPU Job start where 56 GPUs are free, and its pods wait, holding the rest. A Job "
    "larger than anything its queue can admit in one flavor never starts at all.",
    fix="Cap the nominal quotas of every ClusterQueue and Cohort on a flavor at the GPUs its "
    "nodes hold (physical x target utilisation, or the NodePool's GPU limit), and size Jobs "
    "to fit one flavor.",
    check_resources=check_resources,
    resource_scope="stack",
)
