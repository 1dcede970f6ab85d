"""Evaluation: rules x (project, plan | resources) -> findings; rules -> solver constraints.

Every public function is pure: the date and the rule set are passed in, nothing is read or
mutated. The built-in rule set is ``policies.registry.RULES``; this package never imports it
(the rules import this package's rule model, so the dependency goes one way).

Levels: each rule's default level, overridden by ``policies.yaml``. ``disabled`` rules do
not run. Only ``mandatory`` rules constrain the solver. A check that cannot decide yields an
``advisory`` finding saying "cannot evaluate" (whatever the rule's level) so that an unknown
value is visible without blocking, the way CrossGuard treats unknowns during preview.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import TypeVar

from planner.model import (
    Category,
    Constraints,
    Finding,
    Level,
    Plan,
    PricingOption,
    Project,
    Prune,
    RuleConfig,
    Waiver,
)
from planner.money import Money
from planner.policy import params as pm
from planner.policy.output import finding_sort_key
from planner.policy.resources import ResourceRecord
from planner.policy.rule import (
    ConstraintPart,
    PlanContext,
    ProjectContext,
    ResourceContext,
    Rule,
    Violation,
)
from planner.policy.waivers import apply_waivers, covers_subject, is_active


def rule_config(project: Project, rule_id: str) -> RuleConfig | None:
    """The project's override of a rule (the last one wins if repeated)."""
    found = None
    for rc in project.policies.rules:
        if rc.rule_id == rule_id:
            found = rc
    return found


def effective_level(rule: Rule, project: Project | None) -> Level:
    rc = rule_config(project, rule.id) if project is not None else None
    return rc.level if rc is not None and rc.level is not None else rule.level


def effective_params(rule: Rule, project: Project | None) -> dict[str, object]:
    rc = rule_config(project, rule.id) if project is not None else None
    return pm.resolve(rule, project, rc.params if rc is not None else {})


def to_finding(rule: Rule, level: Level, v: Violation) -> Finding:
    """A violation of ``rule`` at ``level`` as a Finding (cannot-evaluate: advisory)."""
    if v.cannot_evaluate:
        evidence = {**v.evidence, "cannot_evaluate": True, "configured_level": level.value}
        return Finding(
            rule_id=rule.id,
            name=rule.name,
            category=rule.category,
            level=Level.ADVISORY,
            scope_kind=v.scope_kind,
            scope=v.scope,
            message=f"cannot evaluate: {v.message}",
            evidence=evidence,
        )
    return Finding(
        rule_id=rule.id,
        name=rule.name,
        category=rule.category,
        level=level,
        scope_kind=v.scope_kind,
        scope=v.scope,
        message=v.message,
        evidence=dict(v.evidence),
    )


def _run(
    rule: Rule, level: Level, check: Callable[[], Iterable[Violation]], scope: tuple[str, str]
) -> list[Finding]:
    try:
        violations = list(check())
    except Exception as exc:  # a rule must never break the run; say so instead
        violations = [
            Violation(
                scope[0],
                scope[1],
                f"rule {rule.id} failed: {type(exc).__name__}: {exc}",
                cannot_evaluate=True,
            )
        ]
    return [to_finding(rule, level, v) for v in violations]


def finalize(
    findings: Iterable[Finding], waivers: Iterable[Waiver], today: date
) -> tuple[Finding, ...]:
    """Apply waivers, drop exact duplicates, sort deterministically."""
    unique = {finding_sort_key(f): f for f in findings}
    ordered = sorted(unique.values(), key=finding_sort_key)
    return apply_waivers(ordered, waivers, today)


def evaluate_plan(
    project: Project,
    plan: Plan,
    *,
    today: date,
    rules: Sequence[Rule],
) -> tuple[Finding, ...]:
    """Check every enabled plan rule on the finished plan; waivers applied; sorted by
    (rule id, scope kind, scope, message)."""
    findings: list[Finding] = []
    for rule in rules:
        level = effective_level(rule, project)
        check = rule.check_plan
        if level is Level.DISABLED or check is None:
            continue
        ctx = PlanContext(project, plan, effective_params(rule, project), today)
        findings += _run(rule, level, functools.partial(check, ctx), ("plan", "plan"))
    return finalize(findings, project.policies.waivers, today)


def check_resource_rule(
    rule: Rule,
    level: Level,
    params: Mapping[str, object],
    resources: Sequence[ResourceRecord],
    project: Project | None = None,
) -> tuple[Finding, ...]:
    """Run one resource rule at ``level`` with ``params`` over records (no waivers).

    ``resource``-scope rules see one record at a time; ``stack``-scope rules see all the
    records of one stack at once (records are grouped by ``ResourceRecord.stack``). This is
    the function CrossGuard calls too.
    """
    check = rule.check_resources
    if level is Level.DISABLED or check is None:
        return ()
    findings: list[Finding] = []
    if rule.resource_scope == "stack":
        stacks: dict[str, list[ResourceRecord]] = {}
        for r in resources:
            stacks.setdefault(r.stack, []).append(r)
        for stack in sorted(stacks):
            ctx = ResourceContext(tuple(stacks[stack]), params, project)
            findings += _run(
                rule, level, functools.partial(check, ctx), ("stack", stack or "stack")
            )
    else:
        for r in resources:
            ctx = ResourceContext((r,), params, project)
            findings += _run(rule, level, functools.partial(check, ctx), ("resource", r.name))
    return tuple(findings)


def evaluate_resources(
    resources: Sequence[ResourceRecord],
    project: Project | None,
    today: date,
    *,
    rules: Sequence[Rule],
) -> tuple[Finding, ...]:
    """Check every enabled resource rule on emitted resources; waivers of ``project``
    applied; sorted like :func:`evaluate_plan`."""
    findings: list[Finding] = []
    for rule in rules:
        findings += check_resource_rule(
            rule,
            effective_level(rule, project),
            effective_params(rule, project),
            resources,
            project,
        )
    waivers = project.policies.waivers if project is not None else ()
    return finalize(findings, waivers, today)


def mandatory_failures(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """The findings that fail a check: mandatory and not waived."""
    return tuple(f for f in findings if f.level is Level.MANDATORY and not f.waived)


# --------------------------------------------------------------------------- constraints


def _waive_part(
    part: ConstraintPart, rule_id: str, project: Project, active: Sequence[Waiver]
) -> ConstraintPart:
    """Drop the parts of a rule's constraints that an active waiver covers."""
    mine = [w for w in active if w.rule_id == rule_id]
    if not mine:
        return part
    teams = {w.name: w.team for w in project.workloads}

    def waived(*, workload: str = "", team: str = "", site: str = "") -> bool:
        return any(
            covers_subject(w, rule_id, workload=workload, team=team, site=site) for w in mine
        )

    return dataclasses.replace(
        part,
        team_budget_per_month={
            t: v for t, v in part.team_budget_per_month.items() if not waived(team=t)
        },
        site_budget_per_month={
            s: v for s, v in part.site_budget_per_month.items() if not waived(site=s)
        },
        prunes=tuple(
            p
            for p in part.prunes
            if not waived(workload=p.workload, team=teams.get(p.workload, ""), site=p.site)
        ),
    )


T = TypeVar("T", float, Money)


def _tightest(values: Iterable[T | None]) -> T | None:
    present = [v for v in values if v is not None]
    return min(present) if present else None


def merge_parts(parts: Iterable[ConstraintPart]) -> Constraints:
    """One Constraints from many parts: the tightest budget and share, the largest minimum
    number of failure domains (1 when no mandatory rule asks for spread), every prune once,
    sorted."""
    parts = list(parts)
    team: dict[str, Money] = {}
    site: dict[str, Money] = {}
    for part in parts:
        for k, v in part.team_budget_per_month.items():
            team[k] = min(v, team.get(k, v))
        for k, v in part.site_budget_per_month.items():
            site[k] = min(v, site.get(k, v))
    domains = [p.min_failure_domains_tier1 for p in parts if p.min_failure_domains_tier1]
    prunes: dict[tuple[str, str, str, str], Prune] = {}
    options: dict[PricingOption | None, str] = {None: ""}  # an option's value, read once
    for part in parts:
        for pr in part.prunes:
            option = options.get(pr.option)
            if option is None:
                option = options[pr.option] = pr.option.value if pr.option else ""
            prunes.setdefault((pr.workload, pr.site, option, pr.rule_id), pr)
    return Constraints(
        team_budget_per_month=dict(sorted(team.items())),
        site_budget_per_month=dict(sorted(site.items())),
        total_budget_per_month=_tightest(p.total_budget_per_month for p in parts),
        max_cloud_share=_tightest(p.max_cloud_share for p in parts),
        min_failure_domains_tier1=max(domains) if domains else 1,
        prunes=tuple(prunes[k] for k in sorted(prunes)),
    )


def constraints_for(
    project: Project,
    *,
    rules: Sequence[Rule],
    today: date | None = None,
) -> Constraints:
    """The solver's constraints from the project's mandatory rules.

    With ``today``, active waivers lift the constraints they cover (a prune for the waived
    workload, team or site; a waived team's or site's budget). Without it waivers are
    ignored here, which can only make the solver stricter than the check.
    """
    active = [w for w in project.policies.waivers if today is not None and is_active(w, today)]
    parts: list[ConstraintPart] = []
    for rule in rules:
        if rule.constrain is None or effective_level(rule, project) is not Level.MANDATORY:
            continue
        ctx = ProjectContext(project, effective_params(rule, project))
        part = rule.constrain(ctx)
        parts.append(_waive_part(part, rule.id, project, active))
    return merge_parts(parts)


def relax_cost_limits(project: Project, *, rules: Sequence[Rule]) -> Project:
    """``project`` with every cost rule that constrains the solver made advisory.

    When budgets make planning infeasible, planning this relaxed project gives the cheapest
    plan under the other constraints; checking it against the original project then names
    each budget rule that cannot be met, with the figures (what ``hybridplan check`` does).
    """
    relaxed = [
        RuleConfig(rule.id, Level.ADVISORY, dict(rc.params) if rc else {})
        for rule in rules
        if rule.category is Category.COST
        and rule.constrain is not None
        and effective_level(rule, project) is Level.MANDATORY
        for rc in (rule_config(project, rule.id),)
    ]
    if not relaxed:
        return project
    ids = {rc.rule_id for rc in relaxed}
    kept = tuple(rc for rc in project.policies.rules if rc.rule_id not in ids)
    policies = dataclasses.replace(project.policies, rules=kept + tuple(relaxed))
    return dataclasses.replace(project, policies=policies)
