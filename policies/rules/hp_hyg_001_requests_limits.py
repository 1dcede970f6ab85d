"""HP-HYG-001: Ensure containers set CPU and memory requests and limits."""

from __future__ import annotations

from collections.abc import Iterator

from planner.model import Category, Level
from planner.policy import params as pm
from planner.policy import resources as rs
from planner.policy.rule import (
    Param,
    ParamKind,
    ResourceContext,
    Rule,
    Violation,
    resource_verdict,
)

CPU_LIMIT = "require_cpu_limit"


def check_resources(ctx: ResourceContext) -> Iterator[Violation]:
    wanted = ["requests.cpu", "requests.memory", "limits.memory"]
    if pm.boolean(ctx.params, CPU_LIMIT, default=True):
        wanted.append("limits.cpu")
    for r in ctx.resources:
        evidence = rs.subject(r)
        missing: list[str] = []
        unknown: list[str] = []
        for path, c in rs.containers(r):
            if rs.is_unknown(c):
                unknown.append(path)
                continue
            name = rs.get(c, "name")
            label = name if isinstance(name, str) else path
            for field in wanted:
                value = rs.get(c, f"resources.{field}")
                if rs.is_unknown(value):
                    unknown.append(f"{label}: resources.{field}")
                elif value in (None, ""):
                    missing.append(f"{label}: resources.{field}")
        yield from resource_verdict(
            r.name,
            evidence,
            wrong=f"{r.name} does not set {', '.join(missing)}" if missing else "",
            details={"missing": missing},
            unknown=f"{', '.join(unknown)} of {r.name} unknown" if unknown else "",
        )


RULE = Rule(
    id="HP-HYG-001",
    name="Ensure containers set CPU and memory requests and limits",
    category=Category.HYGIENE,
    level=Level.MANDATORY,
    description="Requests are what the scheduler, the quota and cost allocation see; limits "
    "stop one container starving its neighbours. The planner's right-sizing is only real "
    "if the emitted containers carry it.",
    fix="Set resources.requests and resources.limits (cpu and memory) on every container.",
    params=(
        Param(
            CPU_LIMIT,
            ParamKind.BOOLEAN,
            True,
            "Also require a CPU limit (set false to allow CPU bursting).",
        ),
    ),
    check_resources=check_resources,
)
