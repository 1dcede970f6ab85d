"""HP-HYG-011: Ensure no container's limit is below its request."""

from __future__ import annotations

from collections.abc import Iterator

from planner.model import Category, Level
from planner.policy import kube
from planner.policy import resources as rs
from planner.policy.rule import ResourceContext, Rule, Violation, resource_verdict


def check_resources(ctx: ResourceContext) -> Iterator[Violation]:
    for r in ctx.resources:
        below: list[str] = []
        unknown: list[str] = []
        for path, c in rs.containers(r):
            name = rs.get(c, "name")
            label = repr(name) if isinstance(name, str) else path
            if rs.is_unknown(c):
                unknown.append(label)
                continue
            requests = rs.get(c, "resources.requests")
            limits = rs.get(c, "resources.limits")
            if rs.is_unknown(requests) or rs.is_unknown(limits):
                unknown.append(label)
                continue
            wanted = rs.as_mapping(requests)
            for resource, limit in sorted(rs.as_mapping(limits).items()):
                request = wanted.get(resource)
                if rs.is_unknown(limit) or rs.is_unknown(request):
                    unknown.append(f"{label} {resource}")
                    continue
                low, high = kube.quantity(request), kube.quantity(limit)
                if low is not None and high is not None and high < low:
                    below.append(f"container {label}: {resource} limit {limit} < request {request}")
        yield from resource_verdict(
            r.name,
            rs.subject(r),
            wrong=f"{r.name}: {'; '.join(below)}" if below else "",
            details={"problems": below},
            unknown=f"requests or limits of {', '.join(unknown)} in {r.name} unknown"
            if unknown
            else "",
        )


RULE = Rule(
    id="HP-HYG-011",
    name="Ensure no container's limit is below its request",
    category=Category.HYGIENE,
    level=Level.MANDATORY,
    description="The API server rejects a pod whose limit is below its request, so the "
    "controller creates no pod at all; the planner's right-sizing writes both.",
    fix="Raise the limit to at least the request (or lower the request).",
    check_resources=check_resources,
)
