"""HP-HYG-002: Ensure containers do not run privileged."""

from __future__ import annotations

from collections.abc import Iterator

from planner.model import Category, Level
from planner.policy import resources as rs
from planner.policy.rule import ResourceContext, Rule, Violation, resource_verdict


def check_resources(ctx: ResourceContext) -> Iterator[Violation]:
    for r in ctx.resources:
        privileged: list[str] = []
        unknown: list[str] = []
        for path, c in rs.containers(r):
            flag = rs.get(c, "securityContext.privileged")
            name = rs.get(c, "name")
            label = name if isinstance(name, str) else path
            if rs.is_unknown(c) or rs.is_unknown(flag):
                unknown.append(label)
            elif flag is True:
                privileged.append(label)
        yield from resource_verdict(
            r.name,
            rs.subject(r),
            wrong=f"{r.name} runs privileged container(s): {', '.join(privileged)}"
            if privileged
            else "",
            details={"containers": privileged},
            unknown=f"securityContext of {', '.join(unknown)} in {r.name} unknown"
            if unknown
            else "",
        )


RULE = Rule(
    id="HP-HYG-002",
    name="Ensure containers do not run privileged",
    category=Category.HYGIENE,
    level=Level.MANDATORY,
    description="A privileged container has every capability of the host: one compromise "
    "is a node compromise.",
    fix="Remove securityContext.privileged (grant the specific capability needed instead).",
    check_resources=check_resources,
)
