"""HP-DEP-005: Ensure databases planned with several replicas have an operator to run them."""

from __future__ import annotations

from collections.abc import Iterator

from planner.images import SINGLE_PRIMARY, profile
from planner.model import STATEFUL_KINDS, Category, Level, SiteKind, WorkloadKind
from planner.policy import facts
from planner.policy.rule import PlanContext, Rule, Violation

OPERATOR_FOR = {"postgres": "cloudnative-pg"}
"""The operator hybridplan can run each engine under."""


def check(ctx: PlanContext) -> Iterator[Violation]:
    sites = {s.name: s for s in ctx.project.sites}
    for p in ctx.plan.placements:
        w = facts.workload_of(ctx.project, p.workload)
        if w is None or w.kind not in STATEFUL_KINDS:
            continue
        known = profile(w.image or "")
        if known is None or known.engine not in SINGLE_PRIMARY:
            continue
        per_site: dict[str, int] = {}
        for a in p.assignments:
            per_site[a.site] = per_site.get(a.site, 0) + a.replicas
        for site, replicas in sorted(per_site.items()):
            operator = OPERATOR_FOR.get(known.engine)
            here = sites.get(site)
            if replicas <= 1 or here is None or (operator in here.cluster.operators):
                continue
            if w.kind is not WorkloadKind.DATABASE and here.kind is SiteKind.CLOUD:
                continue  # a managed kind on a cloud site is the managed service
            how = (
                f"declare {operator} in sites.yaml cluster.operators of {site}"
                if operator
                else f"no operator for {known.engine} is supported yet"
            )
            yield Violation(
                "workload",
                w.name,
                f"{w.name} is planned with {replicas} {known.engine} replicas on {site}, "
                f"which runs no operator for it: the stack runs one primary ({how})",
                {
                    **facts.workload_evidence(w, w.name),
                    "site": site,
                    "replicas": replicas,
                    "engine": known.engine,
                },
            )


RULE = Rule(
    id="HP-DEP-005",
    name="Ensure databases planned with several replicas have an operator to run them",
    category=Category.DEPLOY,
    level=Level.ADVISORY,
    description="Without an operator a single-node database runs as one primary (more "
    "replicas would be unrelated copies), so the availability the plan priced for its "
    "replicas is not delivered.",
    fix="Install the operator and declare it in sites.yaml (cluster.operators), or plan "
    "the database with one replica and waive the tier's replica minimum with a reason.",
    check_plan=check,
)
