"""Pricing one workload on every site, line by line, as plain data (``hybridplan cost``)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from planner.app.inputs import (
    LOAD_STEPS,
    Inputs,
    Progress,
    inputs_for,
    no_progress,
    require_workload,
)
from planner.catalogue import Catalogue
from planner.cost import (
    PriceCache,
    baseline_items,
    baseline_option,
    cost_input_digest,
    horizon_summary,
    offers_for,
    owned_rates_by_site,
    pool_commitment_items,
    validate_cost_inputs,
)
from planner.cost.common import total
from planner.fx import project_rate
from planner.load import load_project
from planner.model import LineItem, Offer, Project, Resources
from planner.money import Money
from planner.report.plan_json import currency_dict

_RATE = Decimal("0.000001")
_GPU_RATE = Decimal("0.0001")


def _item(li: LineItem) -> dict[str, Any]:
    return {
        "name": li.name,
        "usd_per_month": li.amount,
        "formula": li.formula,
        "sources": list(li.sources),
    }


def _usage(o: Offer) -> dict[str, Any]:
    """Capacity used, and for training the slope and fixed part the solver splits by."""
    out: dict[str, Any] = {k: round(v, 6) for k, v in o.usage.items()}
    if o.usd_per_gpu_hour is not None:
        out["usd_per_gpu_hour"] = o.usd_per_gpu_hour.quantize(_RATE)
        out["fixed_usd_per_month"] = o.fixed_per_month or Money.zero(o.per_month.currency)
    return dict(sorted(out.items()))


def _sorted(offers: list[Offer]) -> list[Offer]:
    eligible = sorted(
        (o for o in offers if o.eligible),
        key=lambda o: (o.per_month.cents, o.site, o.option.value),
    )
    other = sorted((o for o in offers if not o.eligible), key=lambda o: (o.site, o.option.value))
    return eligible + other


def cost_view(
    project: Project,
    workload_name: str,
    catalogue: Catalogue,
    *,
    request: Resources | None = None,
    basis: str = "declared",
) -> dict[str, Any]:
    """Everything ``hybridplan cost`` shows, as plain data (pure). ``request`` is the
    per-replica request to price (the declared one if ``None``); ``basis`` says which."""
    require_workload(workload_name, [w.name for w in project.workloads])
    validate_cost_inputs(project, catalogue)
    w = project.workload(workload_name)
    req = request if request is not None else w.resources
    settings = project.settings
    cache = PriceCache()
    rates = owned_rates_by_site(project.sites, catalogue, settings, cache=cache)
    current = project.site(w.current_site) if w.current_site else None
    offers: list[Offer] = []
    for site in project.sites:
        offers.extend(offers_for(w, req, site, catalogue, settings, current=current, cache=cache))
    baseline: Money | None = None
    current_items: tuple[LineItem, ...] = ()
    if current is not None:
        # what it pays today, as the plan's "before" prices it (the DECLARED request)
        current_items = baseline_items(w, current, catalogue, settings, cache=cache)
        baseline = total(current_items, catalogue.currency) if current_items else None
    ordered = _sorted(offers)
    cheapest = ordered[0].key if ordered and ordered[0].eligible else None
    out_offers: list[dict[str, Any]] = []
    for o in ordered:
        entry: dict[str, Any] = {
            "site": o.site,
            "option": o.option.value,
            "eligible": o.eligible,
            "reason": o.reason,
            "cheapest": o.key == cheapest,
            "instance_type": o.instance_type,
            "usd_per_month": o.per_month,
            "migration_usd": o.migration,
            "line_items": [_item(li) for li in o.line_items],
            "migration_items": [_item(li) for li in o.migration_items],
            "usage": _usage(o),
        }
        if baseline is not None and o.line_items:
            h = horizon_summary(
                baseline,
                o.per_month,
                o.migration,
                settings.horizon_months,
                settings.discount_rate_pct,
            )
            entry["horizon"] = {
                "months": h.months,
                "total_usd": h.total_after,
                "savings_usd": h.savings,
                "breakeven_month": h.breakeven_month,
                "payback_months": h.payback_months,
                "npv_usd": h.npv,
            }
        out_offers.append(entry)
    dec = w.resources
    return {
        "workload": w.name,
        "currency": catalogue.currency,
        "shown_currency": currency_dict(project_rate(project, catalogue)),
        "request": {
            "cpu": req.cpu,
            "memory_gib": req.memory_gib,
            "gpus": req.gpus,
            "gpu_type": req.gpu_type,
            "storage_gib": req.storage_gib,
            "replicas": w.replicas,
            "basis": basis,
            "gpu_hours_per_month": w.training.gpu_hours_per_month
            if w.training is not None
            else None,
        },
        "declared_request": {
            "cpu": dec.cpu,
            "memory_gib": dec.memory_gib,
            "gpus": dec.gpus,
            "gpu_type": dec.gpu_type,
            "storage_gib": dec.storage_gib,
            "replicas": w.replicas,
        },
        "current_site": w.current_site,
        "current_option": baseline_option(current, w.current_option).value
        if current is not None
        else None,
        "current_request_basis": "declared" if current is not None else None,
        "current_usd_per_month": baseline,
        "current_line_items": [_item(li) for li in current_items],
        "catalogue": {
            "version": catalogue.version,
            "captured": catalogue.captured,
            "digest": catalogue.digest,
        },
        "cost_input_digest": cost_input_digest(project, catalogue),
        "owned_rates": {
            name: {
                "basis": r.basis.value,
                "utilisation": r.utilisation,
                "usd_per_core_hour": r.usd_per_core_hour.quantize(_RATE),
                "usd_per_gib_hour": r.usd_per_gib_hour.quantize(_RATE),
                "usd_per_gpu_hour": {
                    k: v.quantize(_GPU_RATE) for k, v in r.usd_per_gpu_hour.items()
                },
                "estate_usd_per_month": r.per_month,
                "estate_items": [_item(li) for li in r.items],
            }
            for name, r in sorted(rates.items())
        },
        "site_commitments": {
            s.name: [_item(li) for li in pool_commitment_items(s, catalogue)]
            for s in project.sites
            if pool_commitment_items(s, catalogue)
        },
        "offers": out_offers,
    }


def priced_request(inputs: Inputs, name: str) -> tuple[Resources, str]:
    """The per-replica request ``plan`` prices for workload ``name``: right-sized from the
    telemetry where it gives one, else the declared one; and which of the two it is."""
    req, basis, _ = priced_world(inputs, name)
    return req, basis


def priced_world(inputs: Inputs, name: str) -> tuple[Resources, str, Project]:
    """``priced_request`` and the project as ``plan`` prices it: batch workloads' hours
    from their telemetry duty cycle (``planner.cost.duty``)."""
    from planner.classify import classify_project
    from planner.cost.duty import with_duty_hours
    from planner.pipeline import requests_from

    project = inputs.project
    classifications = classify_project(project, inputs.telemetry)
    req = requests_from(project, classifications)[name]
    basis = "declared" if req == project.workload(name).resources else "right-sized"
    return req, basis, with_duty_hours(project, classifications)


def cost_workload(
    project_dir: Path,
    workload: str,
    *,
    catalogue: Catalogue,
    declared: bool = False,
    progress: Progress = no_progress,
) -> dict[str, Any]:
    """Price ``workload`` of the project in ``project_dir`` on every site (``cost_view``), at
    the right-sized request when the project has telemetry and ``declared`` is false."""
    progress(LOAD_STEPS[0])
    project = load_project(project_dir)
    request: Resources | None = None
    basis = "declared"
    known = any(w.name == workload for w in project.workloads)
    if known and not declared and project.telemetry_files:
        request, basis, project = priced_world(inputs_for(project, progress=progress), workload)
    return cost_view(project, workload, catalogue, request=request, basis=basis)
