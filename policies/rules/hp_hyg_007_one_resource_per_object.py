"""HP-HYG-007: Ensure no two resources apply the same Kubernetes object."""

from __future__ import annotations

from collections.abc import Iterator

from planner.model import Category, Level
from planner.policy import kube
from planner.policy import resources as rs
from planner.policy.rule import ResourceContext, Rule, Violation


def check_resources(ctx: ResourceContext) -> Iterator[Violation]:
    owners: dict[tuple[str, str, object, object], kube.KubeObject] = {}
    for o in sorted(kube.kube_objects(ctx.resources), key=lambda o: o.record.key):
        r = o.record
        if not o.known:
            yield Violation(
                "resource",
                r.name,
                f"the namespace or name of {r.name} is unknown, so it cannot be told apart "
                "from the other objects of the stack",
                rs.subject(r),
                cannot_evaluate=True,
            )
            continue
        if not o.name:
            continue
        key = (o.api_version, o.kind, o.namespace, o.name)
        first = owners.setdefault(key, o)
        if first is not o:
            yield Violation(
                "resource",
                r.name,
                f"{o.where()} is also applied by {first.record.name} (server-side apply "
                "would let one overwrite the other)",
                {**rs.subject(r), "also_applied_by": first.record.name},
            )


RULE = Rule(
    id="HP-HYG-007",
    name="Ensure no two resources apply the same Kubernetes object",
    category=Category.HYGIENE,
    level=Level.MANDATORY,
    description="Two Pulumi resources that apply one object (same apiVersion, kind, namespace "
    "and name) fight over it: server-side apply lets the last one silently take over, and "
    "deleting either deletes the object both manage.",
    fix="Give each object its own name, or keep one of the two resources.",
    check_resources=check_resources,
    resource_scope="stack",
)
