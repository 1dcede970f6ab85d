"""HP-SLA-002: Ensure tier-1 workloads span at least two failure domains."""

from __future__ import annotations

from collections.abc import Iterator

from planner.model import Category, Level
from planner.policy import facts
from planner.policy import params as pm
from planner.policy import resources as rs
from planner.policy.rule import (
    ConstraintPart,
    Param,
    ParamKind,
    PlanContext,
    ProjectContext,
    ResourceContext,
    Rule,
    Violation,
)

TIERS = "tiers"
MIN = "min_failure_domains"
KINDS = "kinds"
ZONE_KEYS = frozenset({"topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone"})


def check(ctx: PlanContext) -> Iterator[Violation]:
    tiers, kinds = pm.integers(ctx.params, TIERS), pm.strings(ctx.params, KINDS)
    need_max = pm.integer(ctx.params, MIN) or 2
    domains_of = {s.name: len(s.failure_domains) for s in ctx.project.sites}
    for p in ctx.plan.placements:
        w = facts.workload_of(ctx.project, p.workload)
        if w is None or w.tier not in tiers or w.kind.value not in kinds:
            continue
        replicas_on: dict[str, int] = {}
        for a in p.assignments:
            replicas_on[a.site] = replicas_on.get(a.site, 0) + a.replicas
        # Replicas spread evenly over a site's domains: a site contributes at most one
        # domain per replica. A workload cannot span more domains than it has replicas
        # (as in the solver); too few replicas is HP-SLA-001's finding.
        have = sum(min(n, domains_of.get(site, 1)) for site, n in replicas_on.items())
        need = min(need_max, sum(replicas_on.values()))
        if have < need:
            yield Violation(
                "workload",
                w.name,
                f"{w.name} (tier {w.tier}) spans {have} failure domain(s) on "
                f"{', '.join(sorted(replicas_on)) or 'no site'}; it needs at least {need}",
                {
                    **facts.workload_evidence(w, w.name),
                    "tier": w.tier,
                    "failure_domains": have,
                    "min_failure_domains": need,
                    "sites": sorted(replicas_on),
                },
            )


def _spread_keys(r: rs.ResourceRecord) -> set[str] | None:
    """Topology keys the pods are spread or anti-affine over (None if unknown)."""
    spec = rs.get(r.props, "spec.template.spec")
    if rs.is_unknown(spec):
        return None
    keys: set[str] = set()
    for c in rs.as_list(rs.get(spec, "topologySpreadConstraints")):
        keys.add(str(rs.get(c, "topologyKey")))
    anti = rs.get(spec, "affinity.podAntiAffinity")
    for mode in (
        "requiredDuringSchedulingIgnoredDuringExecution",
        "preferredDuringSchedulingIgnoredDuringExecution",
    ):
        for term in rs.as_list(rs.get(anti, mode)):
            key = rs.get(term, "topologyKey") or rs.get(term, "podAffinityTerm.topologyKey")
            keys.add(str(key))
    return keys


def check_resources(ctx: ResourceContext) -> Iterator[Violation]:
    tiers = pm.integers(ctx.params, TIERS)
    for r in ctx.resources:
        if r.type not in rs.K8S_REPLICATED:
            continue
        try:
            tier = int(str(rs.labels(r).get(rs.LABEL_TIER)))
        except ValueError:
            continue
        if tier not in tiers:
            continue
        evidence = {**rs.subject(r), "tier": tier}
        replicas = rs.get(r.props, "spec.replicas")
        if isinstance(replicas, int | float) and replicas < 2:
            continue  # one replica spans one domain whatever the spec; HP-SLA-001 says why
        if rs.split_over_sites(r) is not None:
            continue  # replicas spread over sites: domains are counted on the plan
        keys = _spread_keys(r)
        if keys is None:
            yield Violation(
                "resource",
                r.name,
                f"the pod spec of {r.name} is unknown",
                evidence,
                cannot_evaluate=True,
            )
        elif not keys & ZONE_KEYS:
            yield Violation(
                "resource",
                r.name,
                f"{r.name} (tier {tier}) has no topology spread or anti-affinity over "
                "topology.kubernetes.io/zone",
                evidence,
            )


def constrain(ctx: ProjectContext) -> ConstraintPart:
    if 1 not in pm.integers(ctx.params, TIERS):
        return ConstraintPart()
    return ConstraintPart(min_failure_domains_tier1=pm.integer(ctx.params, MIN) or 2)


RULE = Rule(
    id="HP-SLA-002",
    name="Ensure tier-1 workloads span at least two failure domains",
    category=Category.SLA,
    level=Level.MANDATORY,
    description="A tier-1 workload must survive the loss of one zone or one site: its "
    "replicas span at least min_failure_domains failure domains, and its pods are spread "
    "over zones.",
    fix="Place replicas on a site with several failure domains or on two sites, and add a "
    "topologySpreadConstraint on topology.kubernetes.io/zone.",
    params=(
        Param(TIERS, ParamKind.INTEGER_LIST, [1], "Tiers the rule applies to."),
        Param(MIN, ParamKind.INTEGER, 2, "Minimum number of failure domains."),
        Param(
            KINDS,
            ParamKind.STRING_LIST,
            ["service", "database", "inference"],
            "Workload kinds the rule applies to.",
        ),
    ),
    check_plan=check,
    check_resources=check_resources,
    constrain=constrain,
)
