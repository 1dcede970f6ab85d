"""HP-DEP-054: Ensure multi-node GPU training on Karpenter nodes has EFA in one zone."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from planner.model import Category, Level
from planner.policy import capacity as cap
from planner.policy import kube
from planner.policy import resources as rs
from planner.policy.rule import ResourceContext, Rule, Violation, resource_verdict


def _spread(pools: Sequence[kube.KubeObject]) -> tuple[list[str], bool]:
    """Pools that may place nodes in several zones, and whether some could not be told."""
    spread, unsure = [], False
    for p in pools:
        verdict = cap.one_zone(p)
        if verdict is None:
            unsure = True
        elif not verdict:
            spread.append(str(p.name))
    return spread, unsure


def _jobs(
    objects: Sequence[kube.KubeObject], pools: Sequence[kube.KubeObject]
) -> Iterator[Violation]:
    for job in cap.of_kind(objects, "Job"):
        template = kube.pod_template(job)
        parallelism = kube.quantity(job.get("spec.parallelism"))
        gpus = cap.job_needs(job, cap.GPU)
        if template is None or parallelism is None or parallelism <= 1 or not gpus:
            continue
        selector = rs.get(template.spec, "nodeSelector")
        hosts = [p for p in pools if cap.matches(cap.template_labels(p), selector)]
        if not hosts:
            continue
        problems = []
        efa = cap.job_needs(job, cap.EFA)
        if efa == 0:
            problems.append(f"its {parallelism:g} pods ask for no {cap.EFA} devices")
        spread, unsure = _spread(hosts)
        if spread:
            problems.append(f"NodePool(s) {', '.join(spread)} may spread its nodes over zones")
        yield from resource_verdict(
            job.record.name,
            rs.subject(job.record),
            wrong=f"multi-node Job {job.namespace}/{job.name}: {'; '.join(problems)}"
            if problems
            else "",
            details={"problems": problems},
            unknown=f"the zones or EFA devices of Job {job.name} are unknown"
            if unsure or efa is None
            else "",
        )


def _flavors(
    objects: Sequence[kube.KubeObject], pools: Sequence[kube.KubeObject]
) -> Iterator[Violation]:
    """Flavors a queue gives EFA quota to (multi-node training lands there) must keep their
    nodes in one zone."""
    efa_flavors = {
        name
        for q in cap.of_kind(objects, "ClusterQueue")
        for name, resources in cap.flavor_quotas(q).items()
        if (kube.quantity(resources.get(cap.EFA, (0, None))[0]) or 0) > 0
    }
    for flavor in cap.of_kind(objects, "ResourceFlavor"):
        if str(flavor.name) not in efa_flavors:
            continue
        wanted = flavor.get("spec.nodeLabels")
        hosts = [p for p in pools if cap.matches(cap.template_labels(p), wanted)]
        spread, unsure = _spread(hosts)
        yield from resource_verdict(
            flavor.record.name,
            rs.subject(flavor.record),
            wrong=f"ResourceFlavor {flavor.name} admits multi-node EFA training, but "
            f"NodePool(s) {', '.join(spread)} may spread its nodes over zones"
            if spread
            else "",
            unknown=f"the zones of flavor {flavor.name}'s NodePools are unknown" if unsure else "",
        )


def check_resources(ctx: ResourceContext) -> Iterator[Violation]:
    objects = kube.kube_objects(ctx.resources)
    pools = cap.of_kind(objects, "NodePool")
    if not pools:
        return
    yield from _jobs(objects, pools)
    yield from _flavors(objects, pools)


RULE = Rule(
    id="HP-DEP-054",
    name="Ensure multi-node GPU training on Karpenter nodes has EFA in one zone",
    category=Category.DEPLOY,
    level=Level.MANDATORY,
    description="A training Job spread over several GPU nodes exchanges gradients every step: "
    "without EFA devices (vpc.amazonaws.com/efa) it falls back to TCP over ENA, and across "
    "zones it pays cross-zone latency and transfer on every step. Kueue admits the whole Job "
    "to one flavor, so the flavor's NodePools must keep their nodes in one zone.",
    fix="Request the instance's EFA devices in the training pods, and pin the NodePools of "
    "multi-node training to one zone (an In requirement with one value on "
    "topology.kubernetes.io/zone or topology.k8s.aws/zone-id), or use reserved capacity.",
    check_resources=check_resources,
    resource_scope="stack",
)
