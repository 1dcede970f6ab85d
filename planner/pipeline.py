"""The planning pipeline: classify -> right-size -> cost -> place -> check.

``build_plan`` is pure: the project, catalogue, telemetry and date are passed in, and a new
``Plan`` comes out. The CLI (``hybridplan plan``, ``what-if``, ``check``, ``emit``) and the
tests call it; nothing here reads files or the clock.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

from planner.billing import Baseline, baseline_view
from planner.billing.before import before_from_bill, committed_spend
from planner.catalogue import Catalogue
from planner.classify import classify_project
from planner.cost import PriceCache, baseline_items
from planner.cost.buy import project_buy_offers
from planner.cost.common import total
from planner.cost.duty import with_duty_hours
from planner.cost.estates import estates_for
from planner.cost.purchasing import purchasing_changes
from planner.errors import InfeasibleError, InputError, Problem
from planner.fx import project_rate, shown_error
from planner.headroom import workload_class
from planner.ingest import TelemetrySet
from planner.layout import PROJECT
from planner.model import (
    Classification,
    Constraints,
    Plan,
    Project,
    Resources,
    WorkloadClass,
)
from planner.money import Money, json_text
from planner.policy import constraints_for, evaluate_plan
from planner.reprice import (
    PriceTable,
    Reuse,
    price_table,
    reprice_candidates,
    reusable_constraints,
    reusable_estimates,
)
from planner.solve import PlacementResult, place
from planner.solve.candidates import Candidates, build_candidates
from planner.waves import plan_waves
from policies.registry import RULES


@dataclass(frozen=True, slots=True)
class PlanBundle:
    """A plan with the intermediate values that produced it (for explain, cost, what-if)."""

    plan: Plan
    candidates: Candidates
    constraints: Constraints
    requests: Mapping[str, Resources]
    result: PlacementResult
    """The solver's own result (row duals, greedy objective) for ``explain``."""
    prices: PriceTable | None = None
    """This run's offers per workload x site (``record_prices=True``), for a later
    ``build_plan(reuse=...)``."""
    reuse: Reuse | None = None
    """What this run priced again and what it reused (``reuse`` given)."""


def requests_from(
    project: Project, classifications: tuple[Classification, ...]
) -> dict[str, Resources]:
    """Per-replica requests the planner prices: the right-sized request where telemetry gave
    one (GPUs as right-sized from a GPU series, else as declared; the GPU type always as
    declared), the declared request otherwise."""
    by_name = {c.workload: c for c in classifications}
    out: dict[str, Resources] = {}
    for w in project.workloads:
        c = by_name.get(w.name)
        if c is None or c.rightsized is None or c.cls is WorkloadClass.UNKNOWN:
            out[w.name] = w.resources
        else:
            out[w.name] = replace(c.rightsized, gpu_type=w.resources.gpu_type)
    return out


def classes_from(project: Project, classifications: tuple[Classification, ...]) -> dict[str, str]:
    """Each workload's class as emit sizes its HPA (``planner.headroom.workload_class``):
    the headroom its offers' usage holds on an owned site."""
    by_name = {c.workload: c for c in classifications}
    return {w.name: workload_class(w, by_name.get(w.name)) for w in project.workloads}


def input_digest(project: Project, catalogue: Catalogue, bill: Baseline | None = None) -> str:
    """sha256 over every input file's digest and the catalogue's digest, and, for a project
    with a bill, over the bill's baseline as the plan uses it (exports may be gigabytes, so
    their sums are hashed, not their bytes; projects without a bill keep their digest)."""
    parts: dict[str, object] = {
        "files": dict(sorted(project.digests.items())),
        "catalogue": catalogue.digest,
    }
    if bill is not None:
        view = json_text(baseline_view(bill, files=(), sources=()))
        parts["bill"] = hashlib.sha256(view.encode()).hexdigest()
    rate = catalogue.fx_rates.get(project.settings.currency)
    if rate is not None:  # shown in another currency: its rate (USD projects keep their digest)
        parts["currency"] = [rate.code, str(rate.usd_per_unit), rate.date, rate.source]
    payload = json.dumps(parts, sort_keys=True)
    return "sha256:" + hashlib.sha256(payload.encode()).hexdigest()


def baseline_costs(
    project: Project,
    catalogue: Catalogue,
    *,
    cache: PriceCache | None = None,
    known: Mapping[str, Money | None] | None = None,
) -> dict[str, Money]:
    """What each workload pays today per month (``planner.cost.baseline_items``: declared
    size, current site, current or usual option), by workload name, sorted.

    Workloads without a ``current_site`` (new ones), or that cannot be priced there, have no
    baseline and are left out. ``known``: estimates already priced (``None``: none), by
    workload (a what-if's reuse, ``planner.reprice.reusable_estimates``)."""
    out: dict[str, Money] = {}
    known = known or {}
    for w in sorted(project.workloads, key=lambda w: w.name):
        if w.current_site is None:
            continue
        if w.name in known:
            got = known[w.name]
            if got is not None:
                out[w.name] = got
            continue
        site = project.site(w.current_site)
        items = baseline_items(w, site, catalogue, project.settings, cache=cache)
        if items:
            out[w.name] = total(items, catalogue.currency)
    return out


def _check_bill_currency(bill: Baseline | None, catalogue: Catalogue) -> None:
    if bill is not None and bill.currency != catalogue.currency:
        raise InputError(
            [
                Problem(
                    PROJECT,
                    0,
                    0,
                    "billing.currency",
                    f"the bill is in {bill.currency}, the price catalogue in "
                    f"{catalogue.currency}: the two cannot be compared",
                    f"plan with a catalogue in {bill.currency}, or export the bill in "
                    f"{catalogue.currency} (the planner never converts currencies)",
                )
            ]
        )


def build_plan(
    project: Project,
    *,
    catalogue: Catalogue,
    telemetry: TelemetrySet,
    today: date,
    classifications: tuple[Classification, ...] | None = None,
    method: str = "auto",
    bill: Baseline | None = None,
    reuse: PriceTable | None = None,
    record_prices: bool = False,
    threads: int = 1,
) -> PlanBundle:
    """Plan the whole portfolio. Raises ``InfeasibleError`` with a diagnosis if no plan fits.

    ``classifications`` may be passed to reuse a previous run's (what-if scenarios that do
    not change telemetry). ``bill`` is the project's bill (``planner.billing``): each
    workload's cost today is its bill where the bill maps spend to it, the catalogue
    estimate otherwise; commitments in force are owed by the workloads that move until
    they expire (``Plan.committed``).

    ``reuse``: a previous run's prices (``PlanBundle.prices``); only the workloads and sites
    this project or catalogue changed are priced again (``planner.reprice``), and
    ``PlanBundle.reuse`` says which. ``record_prices``: keep this run's prices in
    ``PlanBundle.prices``. Either gives the same plan as neither.

    ``threads``: classification computes its features on that many threads (the plan does
    not depend on it).
    """
    _check_bill_currency(bill, catalogue)
    rate = project_rate(project, catalogue)
    if classifications is None:
        classifications = classify_project(project, telemetry, threads=threads)
    # batch priced by the hours it runs: telemetry's duty cycle where no schedule is declared
    project = with_duty_hours(project, classifications)
    requests = requests_from(project, classifications)
    classes = classes_from(project, classifications)
    base_constraints = None if reuse is None else reusable_constraints(reuse, project, today)
    constraints = (
        base_constraints
        if base_constraints is not None
        else constraints_for(project, today=today, rules=RULES)
    )
    cache = PriceCache()  # this run's memo of prices (nothing is shared between runs)
    prices, reused, known = None, None, None
    if reuse is None:
        # the fleet's offers, priced with per-site work done once (FleetPricer: the same
        # offers as planner.cost.offers_for); the pricer's memos go with it
        candidates = build_candidates(
            project, requests, catalogue, constraints, cache=cache, classes=classes
        )
    else:
        candidates, touch, reused = reprice_candidates(
            project, requests, catalogue, constraints, cache=cache, reuse=reuse, classes=classes
        )
        known = reusable_estimates(project, requests, reuse, touch)
        reused = replace(
            reused, estimates_reused=len(known), constraints_reused=base_constraints is not None
        )
    buys = project_buy_offers(project.sites, catalogue, project.settings)
    warm = None
    if reuse is not None and reuse.placements:
        from planner.whatif.warm import warm_start

        warm = warm_start(reuse.placements)
    try:
        result = place(
            project,
            candidates,
            constraints,
            method=method,
            buys=buys,
            warm=warm,
            warm_basis=None if reuse is None else reuse.basis,
            keep_basis=record_prices,
            touched=None if reused is None else reused.repriced,
        )
    except InfeasibleError as err:  # the diagnosis' amounts in the project currency
        raise shown_error(err, rate) from None
    estimates = baseline_costs(project, catalogue, cache=cache, known=known)
    if record_prices:
        prices = price_table(
            project,
            requests,
            catalogue,
            constraints,
            candidates=candidates,
            estimates=estimates,
            placements=result.placements,
            basis=result.basis,
            cache=cache,
            classes=classes,
            today=today,
        )
    before = before_from_bill(estimates, bill)
    baseline = before.per_month
    cur = catalogue.currency
    plan = Plan(
        placements=result.placements,
        site_usage=result.site_usage,
        classifications=tuple(sorted(classifications, key=lambda c: c.workload)),
        solver=result.solver,
        baseline_per_month=Money.total(baseline.values(), cur),
        workload_baseline_per_month=baseline,
        per_month=Money.total(
            (
                *(p.per_month for p in result.placements),
                *(b.idle_per_month for b in result.purchases),
            ),
            cur,
        ),
        purchases=result.purchases,
        migration=Money.total((p.migration for p in result.placements), cur),
        horizon_months=project.settings.horizon_months,
        currency=rate,
        catalogue_captured=catalogue.captured,
        input_digest=input_digest(project, catalogue, bill),
        catalogue_version=catalogue.version,
        baseline_source=before.source,
        workload_estimate_per_month=estimates,
        bill=bill,
        committed=committed_spend(
            bill,
            (p.workload for p in result.placements if p.moved),
            today=today,
            horizon_months=project.settings.horizon_months,
        ),
        estates=estates_for(project, catalogue),
        purchasing=purchasing_changes(
            result.placements, project, candidates.all_offers(), baseline
        ),
    )
    start = project.settings.waves.start_month or f"{today.year:04d}-{today.month:02d}"
    plan = replace(
        plan, waves=plan_waves(plan, project, candidates.all_offers(), start_month=start)
    )
    findings = evaluate_plan(project, plan, today=today, rules=RULES)
    plan = replace(plan, findings=findings)
    return PlanBundle(
        plan=plan,
        candidates=candidates,
        constraints=constraints,
        requests=requests,
        result=result,
        prices=prices,
        reuse=reused,
    )
