"""HP-HYG-010: Ensure every Kueue queue, flavor, admission check and cluster referred to is
created by the stack."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from planner.model import Category, Level
from planner.policy import kube
from planner.policy import resources as rs
from planner.policy.rule import ResourceContext, Rule, Violation

QUEUE_LABEL = "kueue.x-k8s.io/queue-name"


def _names(value: object, key: str | None) -> Iterator[object]:
    """The names in a list of references (``{name: ...}`` entries when ``key`` is set)."""
    if rs.is_unknown(value):
        yield value
        return
    for item in rs.as_list(value):
        yield rs.get(item, key) if key else item


def _problems(o: kube.KubeObject, objects: Sequence[kube.KubeObject]) -> Iterator[str | None]:
    if kube.pod_template(o) is not None:
        labels = o.get("metadata.labels")
        queue = labels if rs.is_unknown(labels) else rs.as_mapping(labels).get(QUEUE_LABEL)
        if rs.is_unknown(queue):
            yield None
        elif queue:
            yield from kube.missing(objects, "LocalQueue", queue, o.namespace)
    if o.kind == "LocalQueue":
        yield from kube.missing(objects, "ClusterQueue", o.get("spec.clusterQueue"))
    if o.kind == "ClusterQueue":
        groups = o.get("spec.resourceGroups")
        if rs.is_unknown(groups):
            yield None
        for group in rs.as_list(groups):
            for flavor in _names(rs.get(group, "flavors"), "name"):
                yield from kube.missing(objects, "ResourceFlavor", flavor)
        checks = o.get("spec.admissionChecksStrategy.admissionChecks")
        for check in _names(checks, "name"):
            yield from kube.missing(objects, "AdmissionCheck", check)
    if o.kind == "MultiKueueConfig":
        for cluster in _names(o.get("spec.clusters"), None):
            yield from kube.missing(objects, "MultiKueueCluster", cluster)


def check_resources(ctx: ResourceContext) -> Iterator[Violation]:
    return kube.object_violations(
        ctx.resources,
        _problems,
        unknown="a Kueue object {name} refers to has an unknown name",
    )


RULE = Rule(
    id="HP-HYG-010",
    name="Ensure every Kueue queue, flavor, admission check and cluster referred to is "
    "created by the stack",
    category=Category.HYGIENE,
    level=Level.MANDATORY,
    description="Kueue admits nothing through a dangling reference: a Job labelled for a "
    "LocalQueue that does not exist stays suspended forever, and a queue whose ClusterQueue, "
    "ResourceFlavor, AdmissionCheck or MultiKueue cluster is missing is inactive.",
    fix="Create the LocalQueue, ClusterQueue, ResourceFlavor, AdmissionCheck or "
    "MultiKueueCluster in the same stack, or correct the reference.",
    check_resources=check_resources,
    resource_scope="stack",
)
