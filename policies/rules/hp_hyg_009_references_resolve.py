"""HP-HYG-009: Ensure every Kubernetes object a resource refers to is created by its stack."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from planner.model import Category, Level
from planner.policy import kube
from planner.policy import resources as rs
from planner.policy.rule import ResourceContext, Rule, Violation

PREREQUISITE_NAMESPACES = frozenset({"kueue-system"})
"""Namespaces of the cluster's declared prerequisites (Kueue), like ``kube-*`` of the cluster
itself: a stack puts objects there (MultiKueue Secrets) without creating them."""


def _namespace(o: kube.KubeObject, objects: Sequence[kube.KubeObject]) -> Iterator[str | None]:
    """A namespace set explicitly that the stack does not create (when it creates any),
    other than the cluster's own and its prerequisites'."""
    wanted = o.get("metadata.namespace")
    created = [n for n in objects if n.kind == "Namespace"]
    if rs.is_unknown(wanted):
        yield None
    elif isinstance(wanted, str) and (
        wanted in PREREQUISITE_NAMESPACES or wanted.startswith("kube-")
    ):
        return
    elif wanted and created:
        yield from kube.missing(created, "Namespace", wanted, what="namespace")


def _priority_class(o: kube.KubeObject, objects: Sequence[kube.KubeObject]) -> Iterator[str | None]:
    template = kube.pod_template(o)
    if template is None:
        return
    priority = rs.get(template.spec, "priorityClassName")
    if rs.is_unknown(priority):
        yield None
    elif priority and not (isinstance(priority, str) and priority.startswith("system-")):
        yield from kube.missing(objects, "PriorityClass", priority, what="priority class")


def _scale_target(o: kube.KubeObject, objects: Sequence[kube.KubeObject]) -> Iterator[str | None]:
    kind, name = o.get("spec.scaleTargetRef.kind"), o.get("spec.scaleTargetRef.name")
    if rs.is_unknown(kind):
        yield None
    else:
        yield from kube.missing(objects, str(kind), name, o.namespace, what=f"scale target {kind}")


def _headless_service(
    o: kube.KubeObject, objects: Sequence[kube.KubeObject]
) -> Iterator[str | None]:
    wanted = o.get("spec.serviceName")
    services = [s for s in objects if s.kind == "Service"]
    if rs.is_unknown(wanted) or not o.known or not all(s.known for s in services):
        yield None
        return
    same = [s for s in services if (s.namespace, s.name) == (o.namespace, wanted)]
    ips = [s.get("spec.clusterIP") for s in same]
    if any(rs.is_unknown(ip) for ip in ips):
        yield None
    elif "None" not in ips:
        yield f"no headless Service {wanted!r} (clusterIP None) for its pods' DNS names"


def _problems(o: kube.KubeObject, objects: Sequence[kube.KubeObject]) -> Iterator[str | None]:
    yield from _namespace(o, objects)
    yield from _priority_class(o, objects)
    if o.kind == "HorizontalPodAutoscaler":
        yield from _scale_target(o, objects)
    if o.kind == "StatefulSet":
        yield from _headless_service(o, objects)


def check_resources(ctx: ResourceContext) -> Iterator[Violation]:
    return kube.object_violations(
        ctx.resources,
        _problems,
        unknown="an object {name} refers to has an unknown name or namespace",
    )


RULE = Rule(
    id="HP-HYG-009",
    name="Ensure every Kubernetes object a resource refers to is created by its stack",
    category=Category.HYGIENE,
    level=Level.MANDATORY,
    description="A reference to an object nobody creates fails at apply time or leaves the "
    "workload broken: a namespace that does not exist, a priority class the pods cannot be "
    "admitted with, an autoscaler without its target, a StatefulSet without the headless "
    "Service its pods' DNS names come from.",
    fix="Create the referred object in the same stack (same namespace), or correct the reference.",
    check_resources=check_resources,
    resource_scope="stack",
)
