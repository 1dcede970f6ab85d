"""Two plans -> what changed. Pure.

Used by ``hybridplan diff BASE HEAD`` (two ``plan.json`` files from two commits) and by
``hybridplan what-if`` (the base plan against a scenario's plan). Each side is first read
into :class:`PlanFigures`, the figures a reviewer compares, as reported (money in cents):
from a ``Plan`` and its ``Project`` (:func:`figures_of_plan`, what-if) or from a
``plan.json`` document (:func:`figures_of_json`, diff). :func:`compare_plans` compares two
of them into a :class:`PlanDiff`; :func:`diff_to_dict` renders it as JSON-ready data.

What the diff holds (every list sorted by name, ``delta = head - base`` so a negative delta
is a saving):

- ``totals``: monthly cost, migration, horizon TCO and break-even of both plans;
- ``moves``: workloads present in both whose sites differ;
- ``cost_changes``: workloads present in both, same sites, whose monthly cost or pricing
  option changed;
- ``added`` / ``removed``: workloads only in HEAD / only in BASE;
- ``sites`` / ``teams``: monthly cost per site and team in both, changed ones only;
- ``findings_added`` / ``findings_resolved``: unwaived findings, keyed by rule id and scope.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from planner.errors import UsageError
from planner.model import Finding, Plan, Project
from planner.money import Money
from planner.policy.output import finding_from_dict, finding_sort_key, finding_to_dict
from planner.report.amounts import delta_pct
from planner.report.figures import (
    plan_totals,
    primary_assignment,
    site_figures,
    team_figures,
)
from planner.report.plan_json import team_of

DIFF_SCHEMA_VERSION = 1

_SUPPORTED_PLAN_SCHEMAS = (1, 2)
"""plan.json schemas ``diff`` reads: 1 (``currency`` the code) and 2 (``currency`` an object
with the project currency's rate); in both every amount is USD."""

DIFF_FINDING_FIELDS: tuple[str, ...] = (
    "rule_id",
    "level",
    "scope_kind",
    "scope",
    "message",
    "waived",
)
"""The fields of a finding (as ``plan.json`` writes it) that a diff lists."""


@dataclass(frozen=True, slots=True)
class WorkloadFigures:
    """One workload as a diff compares it."""

    name: str
    team: str
    sites: tuple[str, ...]
    option: str | None
    """The pricing option of its largest part (``None`` when it has no part)."""
    per_month: Money
    reason: str


@dataclass(frozen=True, slots=True)
class PlanFigures:
    """One plan's figures as reported (exact money), the side of a diff."""

    input_digest: str
    catalogue_version: str
    per_month: Money
    baseline_per_month: Money
    migration: Money
    horizon_months: int
    horizon_tco: Money
    break_even_month: int | None
    moved: int
    workloads: tuple[WorkloadFigures, ...]
    """Sorted by name."""
    site_per_month: Mapping[str, Money]
    team_per_month: Mapping[str, Money]
    findings: tuple[Finding, ...]
    """In ``plan.json`` order."""
    waves: int = 0
    """Migration waves (``plan.json`` ``migration``); 0 when nothing moves."""
    break_even_month_waves: int | None = None
    """The payback month when the moves happen wave by wave."""


def figures_of_plan(plan: Plan, project: Project) -> PlanFigures:
    """The figures ``plan.json`` reports for ``plan`` (see :mod:`planner.report.plan_json`)."""
    teams = team_of(project)
    totals = plan_totals(plan, project.settings.discount_rate_pct)
    workloads = []
    for p in sorted(plan.placements, key=lambda p: p.workload):
        main = primary_assignment(p)
        workloads.append(
            WorkloadFigures(
                name=p.workload,
                team=teams.get(p.workload, "unknown"),
                sites=p.sites,
                option=None if main is None else main.option.value,
                per_month=p.per_month,
                reason=p.reason,
            )
        )
    sites = site_figures(plan, (s.name for s in project.sites))
    return PlanFigures(
        input_digest=plan.input_digest,
        catalogue_version=plan.catalogue_version,
        per_month=totals.per_month,
        baseline_per_month=totals.baseline_per_month,
        migration=totals.migration,
        horizon_months=totals.horizon.months,
        horizon_tco=totals.horizon.total_after,
        break_even_month=totals.horizon.breakeven_month,
        moved=totals.moved,
        workloads=tuple(workloads),
        site_per_month={s.name: s.per_month for s in sites},
        team_per_month={t.name: t.per_month for t in team_figures(plan, teams)},
        findings=tuple(sorted(plan.findings, key=finding_sort_key)),
        waves=0 if totals.waves is None else len(totals.waves.waves),
        break_even_month_waves=(
            None if totals.waves is None else totals.waves.horizon.breakeven_month
        ),
    )


def _check(plan: Mapping[str, Any], label: str) -> None:
    if plan.get("kind") != "Plan" or plan.get("schema_version") not in _SUPPORTED_PLAN_SCHEMAS:
        raise UsageError(
            f"{label} is not a hybridplan plan.json (kind {plan.get('kind')!r}, "
            f"schema_version {plan.get('schema_version')!r})",
            fix="pass two plan.json files written by `hybridplan plan DIR --out OUT`",
        )


def figures_of_json(plan: Mapping[str, Any], label: str = "the plan") -> PlanFigures:
    """The figures of a ``plan.json`` document (as ``plan_to_dict`` gives it, or parsed from
    a file: amounts read by ``Money.from_json``, exactly when the file was parsed with
    ``parse_float=Decimal``); ``UsageError`` naming ``label`` if it is not one this version
    reads."""
    _check(plan, label)
    t = plan["totals"]
    cur = "USD"  # schema 1 and 2: every amount in plan.json is USD (2 states the shown currency)

    def usd(value: Any) -> Money:
        return Money.from_json(value, cur)

    return PlanFigures(
        input_digest=plan["input_digest"],
        catalogue_version=plan["catalogue_version"],
        per_month=usd(t["usd_per_month"]),
        baseline_per_month=usd(t["baseline_usd_per_month"]),
        migration=usd(t["migration_usd"]),
        horizon_months=int(t["horizon_months"]),
        horizon_tco=usd(t["horizon_tco_usd"]),
        break_even_month=t["break_even_month"],
        moved=int(t["moved"]),
        workloads=tuple(
            WorkloadFigures(
                name=str(w["name"]),
                team=w["team"],
                sites=tuple(w["sites"]),
                option=(w.get("offer") or {}).get("option"),
                per_month=usd(w["usd_per_month"]),
                reason=w.get("reason", ""),
            )
            for w in sorted(plan["workloads"], key=lambda w: str(w["name"]))
        ),
        site_per_month={str(s["name"]): usd(s["usd_per_month"]) for s in plan["sites"]},
        team_per_month={str(t["name"]): usd(t["usd_per_month"]) for t in plan["teams"]},
        findings=tuple(finding_from_dict(f) for f in plan["findings"]),
        waves=len((plan.get("migration") or {}).get("waves", [])),
        break_even_month_waves=(plan.get("migration") or {}).get("break_even_month_with_waves"),
    )


@dataclass(frozen=True, slots=True)
class WorkloadChange:
    """A workload in both plans that moved, or changed cost or option in place."""

    name: str
    team: str
    """Its team in HEAD."""
    base: WorkloadFigures
    head: WorkloadFigures
    delta_per_month: Money


@dataclass(frozen=True, slots=True)
class CostChange:
    """A site's or team's monthly cost in both plans (0 where it is absent)."""

    name: str
    base_per_month: Money
    head_per_month: Money
    delta_per_month: Money


@dataclass(frozen=True, slots=True)
class PlanDiff:
    """What changed from ``base`` to ``head`` (see the module docstring)."""

    base: PlanFigures
    head: PlanFigures
    moves: tuple[WorkloadChange, ...]
    cost_changes: tuple[WorkloadChange, ...]
    added: tuple[WorkloadFigures, ...]
    removed: tuple[WorkloadFigures, ...]
    sites: tuple[CostChange, ...]
    teams: tuple[CostChange, ...]
    findings_added: tuple[Finding, ...]
    findings_resolved: tuple[Finding, ...]

    @property
    def delta_per_month(self) -> Money:
        return self.head.per_month - self.base.per_month


def _cost_changes(base: Mapping[str, Money], head: Mapping[str, Money]) -> list[CostChange]:
    rows = []
    for name in sorted(set(base) | set(head)):
        zero = Money.zero((base.get(name) or head[name]).currency)
        before, after = base.get(name, zero), head.get(name, zero)
        if after != before or (name in base) != (name in head):
            rows.append(CostChange(name, before, after, after - before))
    return rows


def _open_findings(figures: PlanFigures) -> dict[tuple[str, str, str], Finding]:
    return {(f.rule_id, f.scope_kind, f.scope): f for f in figures.findings if not f.waived}


def compare_plans(base: PlanFigures, head: PlanFigures) -> PlanDiff:
    """What changed from ``base`` to ``head``."""
    bw = {w.name: w for w in base.workloads}
    hw = {w.name: w for w in head.workloads}
    moves, cost_changes = [], []
    for name in sorted(set(bw) & set(hw)):
        b, h = bw[name], hw[name]
        change = WorkloadChange(name, h.team, b, h, h.per_month - b.per_month)
        if b.sites != h.sites:
            moves.append(change)
        elif change.delta_per_month or b.option != h.option:
            cost_changes.append(change)
    bf, hf = _open_findings(base), _open_findings(head)
    return PlanDiff(
        base=base,
        head=head,
        moves=tuple(moves),
        cost_changes=tuple(cost_changes),
        added=tuple(hw[n] for n in sorted(set(hw) - set(bw))),
        removed=tuple(bw[n] for n in sorted(set(bw) - set(hw))),
        sites=tuple(_cost_changes(base.site_per_month, head.site_per_month)),
        teams=tuple(_cost_changes(base.team_per_month, head.team_per_month)),
        findings_added=tuple(hf[k] for k in sorted(set(hf) - set(bf))),
        findings_resolved=tuple(bf[k] for k in sorted(set(bf) - set(hf))),
    )


# --------------------------------------------------------------------------- rendering


def _side_dict(f: PlanFigures) -> dict[str, Any]:
    return {
        "input_digest": f.input_digest,
        "catalogue_version": f.catalogue_version,
        "usd_per_month": f.per_month,
        "baseline_usd_per_month": f.baseline_per_month,
        "migration_usd": f.migration,
        "horizon_tco_usd": f.horizon_tco,
        "horizon_months": f.horizon_months,
        "break_even_month": f.break_even_month,
        "break_even_month_waves": f.break_even_month_waves,
        "waves": f.waves,
        "workloads": len(f.workloads),
        "moved": f.moved,
    }


def _change_dict(c: WorkloadChange) -> dict[str, Any]:
    return {
        "name": c.name,
        "team": c.team,
        "base_sites": list(c.base.sites),
        "head_sites": list(c.head.sites),
        "base_option": c.base.option,
        "head_option": c.head.option,
        "base_usd_per_month": c.base.per_month,
        "head_usd_per_month": c.head.per_month,
        "delta_usd_per_month": c.delta_per_month,
        "reason": c.head.reason,
    }


def _workload_dict(w: WorkloadFigures) -> dict[str, Any]:
    return {
        "name": w.name,
        "team": w.team,
        "sites": list(w.sites),
        "usd_per_month": w.per_month,
    }


def _cost_dict(c: CostChange) -> dict[str, Any]:
    return {
        "name": c.name,
        "base_usd_per_month": c.base_per_month,
        "head_usd_per_month": c.head_per_month,
        "delta_usd_per_month": c.delta_per_month,
    }


def _finding_fields(f: Finding) -> dict[str, Any]:
    written = finding_to_dict(f)
    return {k: written[k] for k in DIFF_FINDING_FIELDS}


def diff_to_dict(diff: PlanDiff) -> dict[str, Any]:
    """The diff as data for ``planner.money.json_text`` (what ``hybridplan diff --format
    json`` writes): plain values and ``Money``."""
    b, h = diff.base, diff.head
    return {
        "kind": "PlanDiff",
        "schema_version": DIFF_SCHEMA_VERSION,
        "base": _side_dict(b),
        "head": _side_dict(h),
        "totals": {
            "delta_usd_per_month": diff.delta_per_month,
            "delta_pct": delta_pct(b.per_month, h.per_month),
            "delta_migration_usd": h.migration - b.migration,
            "delta_horizon_tco_usd": h.horizon_tco - b.horizon_tco,
        },
        "moves": [_change_dict(c) for c in diff.moves],
        "cost_changes": [_change_dict(c) for c in diff.cost_changes],
        "added": [_workload_dict(w) for w in diff.added],
        "removed": [_workload_dict(w) for w in diff.removed],
        "sites": [_cost_dict(c) for c in diff.sites],
        "teams": [_cost_dict(c) for c in diff.teams],
        "findings_added": [_finding_fields(f) for f in diff.findings_added],
        "findings_resolved": [_finding_fields(f) for f in diff.findings_resolved],
    }


def diff_plans(base: Mapping[str, Any], head: Mapping[str, Any]) -> dict[str, Any]:
    """What changed from ``base`` to ``head`` (two ``plan.json`` dictionaries), as data."""
    return diff_to_dict(compare_plans(figures_of_json(base, "BASE"), figures_of_json(head, "HEAD")))


def is_empty(diff: Mapping[str, Any]) -> bool:
    """True when nothing a reviewer would care about changed (``diff``: a diff's data)."""
    return not diff["totals"]["delta_usd_per_month"] and not any(
        diff[k]
        for k in (
            "moves",
            "cost_changes",
            "added",
            "removed",
            "sites",
            "teams",
            "findings_added",
            "findings_resolved",
        )
    )
