"""HP-HYG-009: Ensure every Kubernetes object a resource refers to is created by its stack."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from planner.model import Category, Level
from planner.policy import kube
from planner.policy import resources as rs
from planner.policy.rule import ResourceContext, Rule, Violation


def _namespace(o: kube.KubeObject, objects: Sequence[kube.KubeObject]) -> Iterator[str | None]:
    """A namespace set explicitly that the stack does not create (when it creates any)."""
    wanted = o.get("metadata.namespace")
    if rs.is_unknown(wanted):
        yield None
        return
    if not wanted:
        return
    created = [n for n in objects if n.kind == "Namespace"]
    if not created:
        return
    verdict = kube.find(created, "Namespace", wanted)
    if verdict is None:
        yield None
    elif not verdict:
        yield f"namespace {wanted!r} is not created by this stack"


def _priority_class(
    template: kube.PodTemplate, objects: Sequence[kube.KubeObject]
) -> Iterator[str | None]:
    priority = rs.get(template.spec, "priorityClassName")
    if rs.is_unknown(priority):
        yield None
        return
    if not priority or (isinstance(priority, str) and priority.startswith("system-")):
        return
    verdict = kube.find(objects, "PriorityClass", priority)
    if verdict is None:
        yield None
    elif not verdict:
        yield f"priority class {priority!r} is not created by this stack"


def _scale_target(o: kube.KubeObject, objects: Sequence[kube.KubeObject]) -> Iterator[str | None]:
    kind, name = o.get("spec.scaleTargetRef.kind"), o.get("spec.scaleTargetRef.name")
    if rs.is_unknown(kind):
        yield None
        return
    verdict = kube.find(objects, str(kind), name, o.namespace)
    if verdict is None:
        yield None
    elif not verdict:
        yield f"scale target {kind} {o.namespace}/{name} is not created by this stack"


def _headless_service(
    o: kube.KubeObject, objects: Sequence[kube.KubeObject]
) -> Iterator[str | None]:
    wanted = o.get("spec.serviceName")
    if rs.is_unknown(wanted) or rs.is_unknown(o.namespace):
        yield None
        return
    services = [s for s in objects if s.kind == "Service"]
    if any(not s.known for s in services):
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
    template = kube.pod_template(o)
    if template is not None and not rs.is_unknown(template.spec):
        yield from _priority_class(template, objects)
    elif template is not None:
        yield None
    if o.kind == "HorizontalPodAutoscaler":
        yield from _scale_target(o, objects)
    if o.kind == "StatefulSet":
        yield from _headless_service(o, objects)


def check_resources(ctx: ResourceContext) -> Iterator[Violation]:
    objects = kube.kube_objects(ctx.resources)
    for o in objects:
        found = list(_problems(o, objects))
        missing = [p for p in found if p is not None]
        evidence = rs.subject(o.record)
        if missing:
            yield Violation(
                "resource",
                o.record.name,
                f"{o.where()}: {'; '.join(missing)}",
                {**evidence, "problems": missing},
            )
        elif None in found:
            yield Violation(
                "resource",
                o.record.name,
                f"an object {o.record.name} refers to has an unknown name or namespace",
                evidence,
                cannot_evaluate=True,
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
