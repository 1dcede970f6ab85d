"""HP-RES-001: Ensure workload data stays in its allowed jurisdictions."""

from __future__ import annotations

from collections.abc import Iterator

from planner.model import Category, Level, Prune, Site, Workload
from planner.policy import facts
from planner.policy import params as pm
from planner.policy.rule import (
    ConstraintPart,
    Param,
    ParamKind,
    PlanContext,
    ProjectContext,
    Rule,
    Violation,
)

ALLOWED = "allowed_jurisdictions"


def _allowed(w: Workload, site: Site, allowed: dict[str, tuple[str, ...]]) -> bool:
    """A residency class not listed in ``allowed`` is unrestricted."""
    cls = w.data.residency.value
    return cls not in allowed or site.jurisdiction.value in allowed[cls]


def check(ctx: PlanContext) -> Iterator[Violation]:
    allowed = pm.string_list_map(ctx.params, ALLOWED)
    sites = {s.name: s for s in ctx.project.sites}
    for p in ctx.plan.placements:
        w = facts.workload_of(ctx.project, p.workload)
        if w is None:
            continue
        for name in p.sites:
            site = sites.get(name)
            if site is not None and not _allowed(w, site, allowed):
                ok = ", ".join(allowed.get(w.data.residency.value, ())) or "none"
                yield Violation(
                    "workload",
                    w.name,
                    f"{w.name} holds {w.data.residency.value} data but runs on {name} in "
                    f"jurisdiction {site.jurisdiction.value} (allowed: {ok})",
                    {
                        **facts.workload_evidence(w, w.name),
                        "site": name,
                        "residency": w.data.residency.value,
                        "jurisdiction": site.jurisdiction.value,
                    },
                )


def constrain(ctx: ProjectContext) -> ConstraintPart:
    allowed = pm.string_list_map(ctx.params, ALLOWED)
    sites = ctx.project.sites
    # whether a site is allowed depends on the residency class alone: worked out once per
    # class, not per workload x site (a fleet is 10k x 20 pairs)
    barred: dict[str, tuple[tuple[str, ...], str]] = {}
    prunes: list[Prune] = []
    for w in ctx.project.workloads:
        cls = w.data.residency.value
        known = barred.get(cls)
        if known is None:
            names = tuple(s.name for s in sites if not _allowed(w, s, allowed))
            reason = (
                f"{cls} data may not leave {'/'.join(allowed.get(cls, ())) or 'its jurisdiction'}"
            )
            known = barred[cls] = (names, reason)
        names, reason = known
        prunes.extend(Prune(w.name, name, None, "HP-RES-001", reason) for name in names)
    return ConstraintPart(prunes=tuple(prunes))


RULE = Rule(
    id="HP-RES-001",
    name="Ensure workload data stays in its allowed jurisdictions",
    category=Category.RESIDENCY,
    level=Level.MANDATORY,
    description="Data protection law and contracts bind data to jurisdictions (GDPR for EU "
    "personal data); a workload runs only on sites in a jurisdiction its data may live in.",
    fix="Place the workload on a site in an allowed jurisdiction, or correct its data.residency.",
    params=(
        Param(
            ALLOWED,
            ParamKind.STRING_LIST_MAP,
            {"eu": ["eu"], "us": ["us"]},
            "Jurisdictions each residency class may be placed in (a class not listed, "
            "such as any, is unrestricted).",
        ),
    ),
    check_plan=check,
    constrain=constrain,
)
