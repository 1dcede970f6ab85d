"""Plan -> the ``plan.json`` document (schema: ``planner/schemas/plan.json``). Pure.

``plan.json`` is the machine contract; ``plan.md`` is rendered from the same dictionary,
:func:`plan_to_dict`, so every figure in the Markdown is a figure in the JSON.

Stability rules (generated files never churn): keys sorted, lists sorted by name, money
exact in cents (``Money``, written by ``planner.money.json_text`` as the JSON numbers plans
always had: ``139748.38``, never through a float), ratios to 4 decimals, no timestamps and
no wall-clock solver time.

Derived totals (documented again in the schema). Owned sites count as whole estates
(:mod:`planner.report.cash`): the monthly totals include the idle owned capacity, its own
line (``idle_owned``).

- ``delta_usd_per_month = usd_per_month - baseline_usd_per_month`` (negative is a saving);
- ``horizon_tco_usd`` / ``baseline_horizon_tco_usd``: the cash paid over the horizon with the
  plan (migration and hardware bought included) and today's way (undiscounted);
- ``payback_months``: when the cumulative cash saving first gets back to 0 (3.67),
  ``break_even_month`` its month (``ceil``); ``null`` when it does not within the horizon;
- ``horizon_savings_npv_usd``: the monthly cash savings discounted at
  ``settings.discount_rate_pct`` (annual, compounded monthly as ``(1 + r) ** (m / 12)``);
- ``cash_flow``: month by month, both views (cash and accrual) of both sides, the cumulative
  cash saving, and the one-off items (every move at the start of month 1: "all at once");
- ``migration``: the waves (``planner.waves``) with each one's cash position, and the
  payback with waves beside "all at once" (:mod:`planner.report.waves`); also
  ``totals.payback_months_waves``.

The horizon figures are :func:`planner.cost.horizon.compare`'s for the plan's ledgers
(:func:`planner.report.figures.plan_totals`), the arithmetic ``hybridplan cost`` shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from planner.fx import FxRate, render_text, to_currency
from planner.model import (
    Assignment,
    Classification,
    Offer,
    Placement,
    Plan,
    Project,
    Purchase,
    SiteUsage,
    SolverInfo,
)
from planner.money import Money, json_text
from planner.policy.output import finding_sort_key, finding_to_dict
from planner.report.amounts import round_ratio
from planner.report.figures import (
    SiteFigures,
    TeamFigures,
    plan_totals,
    primary_assignment,
    site_figures,
    team_figures,
)
from planner.report.plan_baseline import baseline_dict, billing_dict
from planner.report.plan_json_totals import cash_flow, migration_dict, totals_dict
from planner.report.plan_purchasing import purchasing_dict

SCHEMA_VERSION = 2
"""Bumped on any incompatible change to the ``plan.json`` structure (2: ``currency`` is an
object, the project currency and its dated rate, instead of the code)."""

API_VERSION = "hybridplan/v1"


def _classification_dict(c: Classification | None) -> dict[str, Any] | None:
    if c is None:
        return None
    return {
        "class": c.cls.value,
        "confidence": round_ratio(c.confidence),
        "reasons": list(c.reasons),
        "declared": c.declared.value if c.declared is not None else None,
        "telemetry_class": c.telemetry_class.value if c.telemetry_class is not None else None,
        "disagreement": c.disagreement,
    }


def _assignment_dict(a: Assignment) -> dict[str, Any]:
    out: dict[str, Any] = {
        "site": a.site,
        "option": a.option.value,
        "instance_type": a.instance_type,
        "replicas": a.replicas,
        "usd_per_month": a.per_month,
        "gpu_hours_per_month": (
            None if a.gpu_hours_per_month is None else round(a.gpu_hours_per_month, 2)
        ),
    }
    if a.bought:
        out["bought"] = a.bought
        out["arrival_month"] = a.arrival_month
        if a.waits_on and a.waiting_per_month is not None:
            out["waits_on"] = a.waits_on
            out["waiting_usd_per_month"] = a.waiting_per_month
    return out


def _purchase_dict(b: Purchase) -> dict[str, Any]:
    return {
        "site": b.site,
        "node_class": b.node_class,
        "units": b.units,
        "capex_usd": b.capex,
        "month": b.month,
        "usd_per_month": b.per_month,
        "amortised_usd_per_month": b.capex_per_month,
        "depreciation_months": b.depreciation_months,
        "idle_usd_per_month": b.idle_per_month,
        "workloads": list(b.workloads),
    }


def _alternative_dict(offer: Offer, chosen_per_month: Money) -> dict[str, Any]:
    return {
        "site": offer.site,
        "option": offer.option.value,
        "instance_type": offer.instance_type,
        "usd_per_month": offer.per_month,
        "migration_usd": offer.migration,
        "extra_usd_per_month": offer.per_month - chosen_per_month,
        "eligible": offer.eligible,
        "reason": offer.reason,
    }


def _workload_dict(
    p: Placement, team: str, c: Classification | None, baseline: Money | None, project: Project
) -> dict[str, Any]:
    main = primary_assignment(p)
    kind = tier = None
    w = project.find_workload(p.workload)
    if w is not None:
        kind, tier = w.kind.value, w.tier
    sites = p.sites  # sorted once (a property): read four times below
    previous = p.previous_site
    parts = p.assignments
    if len(parts) > 1:
        parts = tuple(sorted(parts, key=_site_option))
    return {
        "name": p.workload,
        "team": team,
        "kind": kind,
        "tier": tier,
        "classification": _classification_dict(c),
        "sites": list(sites),
        "offer": (
            None
            if main is None
            else {
                "site": main.site,
                "option": main.option.value,
                "instance_type": main.instance_type,
            }
        ),
        "assignments": [_assignment_dict(a) for a in parts],
        "usd_per_month": p.per_month,
        "baseline_usd_per_month": baseline,
        "delta_usd_per_month": None if baseline is None else p.per_month - baseline,
        "migration": {
            "from": previous,
            "to": list(sites),
            "moved": previous is not None and previous not in sites,  # Placement.moved
            "partial": previous is not None and previous in sites and len(sites) > 1,
            "usd": p.migration,
            "items": [
                {"name": li.name, "usd": li.amount, "formula": li.formula}
                for li in p.migration_items
            ],
        },
        "reason": p.reason,
        "binding": sorted(p.binding),
        "alternatives": (
            [] if p.runner_up is None else [_alternative_dict(p.runner_up, p.per_month)]
        ),
    }


def _site_option(a: Assignment) -> tuple[str, str]:
    return (a.site, a.option.value)


def _resources_dict(u: SiteUsage | None) -> dict[str, dict[str, float | None]]:
    resources: dict[str, dict[str, float | None]] = {}
    if u is not None:
        for res in sorted(set(u.used) | set(u.capacity)):
            used = float(u.used.get(res, 0.0))
            cap = u.capacity.get(res)
            resources[res] = {
                "used": round(used, 3),
                "capacity": None if cap is None else round(float(cap), 3),
                "utilisation": None if not cap else round_ratio(used / float(cap)),
            }
    return resources


def _site_dict(s: SiteFigures, project: Project, usage: SiteUsage | None) -> dict[str, Any]:
    kind = provider = region = None
    try:
        site = project.site(s.name)
        kind, provider, region = site.kind.value, site.provider, site.region
    except KeyError:
        pass
    return {
        "name": s.name,
        "kind": kind,
        "provider": provider,
        "region": region,
        "usd_per_month": s.per_month,
        "baseline_usd_per_month": s.baseline_per_month,
        "delta_usd_per_month": s.per_month - s.baseline_per_month,
        "workloads": list(s.workloads),
        "moved_in": s.moved_in,
        "moved_out": s.moved_out,
        "resources": _resources_dict(usage),
    }


def _team_dict(t: TeamFigures) -> dict[str, Any]:
    return {
        "name": t.name,
        "usd_per_month": t.per_month,
        "baseline_usd_per_month": t.baseline_per_month,
        "delta_usd_per_month": t.per_month - t.baseline_per_month,
        "migration_usd": t.migration,
        "workloads": t.workloads,
        "moved": t.moved,
        "partly_moved": t.partly_moved,
    }


def with_twins(totals: dict[str, Any], rate: FxRate) -> dict[str, Any]:
    """``totals`` with, for a project shown in another currency, each USD amount's converted
    twin (``usd_per_month`` -> ``eur_per_month``, ``horizon_tco_usd`` -> ``horizon_tco_eur``:
    ``planner.fx.to_currency``, once); a USD project's totals as they are."""
    if rate.identity:
        return totals
    code = rate.code.lower()
    twins = {
        k.replace("usd", code): to_currency(v, rate)
        for k, v in totals.items()
        if isinstance(v, Money) and "usd" in k
    }
    return {**totals, **twins}


def currency_dict(rate: FxRate) -> dict[str, Any]:
    """``currency``: the project currency the reports show amounts in and its rate (USD per
    unit, date, catalogue source id); amounts in ``plan.json`` stay USD (``*_usd``)."""
    return {
        "code": rate.code,
        "usd_per_unit": rate.usd_per_unit,
        "date": rate.date or None,
        "source": rate.source or None,
    }


def team_of(project: Project) -> dict[str, str]:
    """Workload name -> its team."""
    return {w.name: w.team for w in project.workloads}


def _greedy(solver: SolverInfo, currency: str) -> dict[str, Any]:
    """The greedy baseline's objective and how much cheaper the plan is (``None`` without
    a greedy plan)."""
    greedy = solver.greedy_objective_usd
    if greedy is None:
        return {"greedy_objective_usd": None, "cheaper_than_greedy": None}
    cheaper = (greedy - solver.objective_usd) / greedy if greedy > 0 else 0.0
    return {
        "greedy_objective_usd": Money.from_float(greedy, currency),
        "cheaper_than_greedy": round_ratio(cheaper),
    }


def plan_to_dict(plan: Plan, project: Project, *, command: str | None = None) -> dict[str, Any]:
    """The ``plan.json`` document as data (validated by ``planner/schemas/plan.json``):
    plain values, amounts as ``Money`` (write it with ``planner.money.json_text``).

    ``command`` is the command line that reproduces the file; by default
    ``hybridplan plan <project.root>``. The solver's objective and bound are the LP's
    floats, shown to the cent (``Money.from_float``).
    """
    teams = team_of(project)
    classes = {c.workload: c for c in plan.classifications}
    usage = {u.site: u for u in plan.site_usage}
    s = project.settings
    cur = plan.per_month.currency
    totals = plan_totals(plan, s.discount_rate_pct)
    out: dict[str, Any] = {
        "apiVersion": API_VERSION,
        "kind": "Plan",
        "schema_version": SCHEMA_VERSION,
        "generated_by": command or f"hybridplan plan {project.root}",
        "currency": currency_dict(plan.currency),
        "input_digest": plan.input_digest,
        "catalogue_version": plan.catalogue_version,
        "inputs": {k: project.digests[k] for k in sorted(project.digests)},
        "settings": {
            "horizon_months": plan.horizon_months,
            "discount_rate_pct": s.discount_rate_pct,
            "headroom": s.headroom,
            "engineering_usd_per_move": Money.from_float(s.engineering_usd_per_move, cur),
            "double_running_months": s.double_running_months,
        },
        "totals": with_twins(totals_dict(totals), plan.currency),
        "baseline": baseline_dict(plan, totals.horizon.savings),
        "billing": billing_dict(plan),
        "cash_flow": cash_flow(totals),
        "purchasing": purchasing_dict(plan),
        "solver": {
            "method": plan.solver.method,
            "status": plan.solver.status,
            "objective_usd": Money.from_float(plan.solver.objective_usd, cur),
            "lp_bound_usd": (
                None
                if plan.solver.lp_bound_usd is None
                else Money.from_float(plan.solver.lp_bound_usd, cur)
            ),
            "gap": None if plan.solver.gap is None else round(plan.solver.gap, 6),
            "time_limited": plan.solver.time_limited,
            "note": plan.solver.note,
            **_greedy(plan.solver, cur),
        },
        "workloads": [
            _workload_dict(
                p,
                teams.get(p.workload, "unknown"),
                classes.get(p.workload),
                plan.workload_baseline_per_month.get(p.workload),
                project,
            )
            for p in sorted(plan.placements, key=lambda p: p.workload)
        ],
        "sites": [
            _site_dict(f, project, usage.get(f.name))
            for f in site_figures(plan, (site.name for site in project.sites))
        ],
        "teams": [_team_dict(t) for t in team_figures(plan, teams)],
        "findings": [finding_to_dict(f) for f in sorted(plan.findings, key=finding_sort_key)],
    }
    if plan.purchases:
        out["purchases"] = [_purchase_dict(b) for b in plan.purchases]
    migration = migration_dict(plan, totals)
    if migration is not None:
        out["migration"] = migration
    return out


def render_plan_json(
    plan: Plan,
    project: Project,
    *,
    command: str | None = None,
    data: Mapping[str, Any] | None = None,
) -> str:
    """``plan.json`` text: indented, keys sorted, money exact, trailing newline. A NaN or
    infinity is a ``ValueError`` (a bug: the input bounds keep every figure finite), never
    invalid JSON. ``data``: this plan's ``plan_to_dict(plan, project, command=command)``
    when the caller has it (it is not built again)."""
    text = json_text(plan_to_dict(plan, project, command=command) if data is None else data) + "\n"
    return render_text(text, plan.currency)  # the prose's amounts (the fields stay USD)
