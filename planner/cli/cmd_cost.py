"""``hybridplan cost``: one workload priced on every site, line by line."""

from __future__ import annotations

import difflib
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer

from planner.catalogue import Catalogue, load_default_catalogue
from planner.cli import console
from planner.cli.common import OutputFormat, guarded
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
from planner.errors import UsageError
from planner.load import load_project
from planner.model import LineItem, Offer, Project, Resources
from planner.money import Money

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
    names = [w.name for w in project.workloads]
    if workload_name not in names:
        near = difflib.get_close_matches(workload_name, names, n=3)
        hint = f"did you mean {', '.join(near)}?" if near else f"known: {', '.join(names)}"
        raise UsageError(f"unknown workload {workload_name!r}", fix=hint)
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
                "npv_usd": h.npv,
            }
        out_offers.append(entry)
    dec = w.resources
    return {
        "workload": w.name,
        "currency": catalogue.currency,
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


def _request(project: Project, name: str, *, declared: bool) -> tuple[Resources | None, str]:
    """The request ``plan`` would price: right-sized from telemetry when available."""
    w = next((x for x in project.workloads if x.name == name), None)
    if declared or w is None or not project.telemetry_files:
        return None, "declared"
    from planner.classify import classify_project  # the telemetry stack, only when needed
    from planner.ingest import load_telemetry
    from planner.pipeline import requests_from

    classifications = classify_project(project, load_telemetry(project))
    req = requests_from(project, classifications)[name]
    return req, "declared" if req == w.resources else "right-sized"


def _money(x: Money) -> str:
    return x.format(unit=False)


def _shape(req: dict[str, Any]) -> str:
    gpu = f", {req['gpus']} x {req['gpu_type']}" if req["gpus"] else ""
    return (
        f"{req['replicas']} x ({req['cpu']:g} cores, {req['memory_gib']:g} GiB{gpu}, "
        f"{req['storage_gib']:g} GiB storage)"
    )


def _above_declared(req: dict[str, Any], dec: dict[str, Any]) -> str:
    """'cpu, memory' where the priced request exceeds the declared one ('' if none)."""
    names = {"cpu": "cpu", "memory_gib": "memory"}
    return ", ".join(n for k, n in names.items() if req[k] > dec[k] + 1e-9)


def _render(view: dict[str, Any]) -> None:
    req, dec = view["request"], view["declared_request"]
    if req["basis"] == "declared":
        priced = f"offers priced at the declared request {_shape(dec)}"
    else:
        priced = f"offers priced at the right-sized request {_shape(req)} (declared: {_shape(dec)})"
        above = _above_declared(req, dec)
        if above:
            priced += f"; right-sized {above} is ABOVE the declared request"
    if req.get("gpu_hours_per_month") is not None:
        priced += (
            f"; training compute is priced per GPU-hour "
            f"({req['gpu_hours_per_month']:,.2f} GPU-h/month), the request picks "
            f"the instance and sizes storage"
        )
    console.out.print(
        f"{view['workload']}: {priced}; "
        f"catalogue {view['catalogue']['version']} (captured {view['catalogue']['captured']}); "
        f"all figures USD/month unless marked USD.",
        markup=False,
    )
    if view["current_site"]:
        cur = view["current_usd_per_month"]
        cur_txt = f"{_money(cur)} USD/month" if cur is not None else "not priced"
        console.out.print(
            f"current site: {view['current_site']}, {view['current_option']}, at the declared "
            f"request {_shape(dec)}: {cur_txt}. Break-even and NPV compare each offer with "
            f"this figure.",
            markup=False,
        )
    rows = []
    for o in view["offers"]:
        h = o.get("horizon") or {}
        be = h.get("breakeven_month")
        rows.append(
            [
                "*" if o["cheapest"] else "",
                o["site"],
                o["option"],
                o["instance_type"] or "-",
                _money(o["usd_per_month"]) if o["line_items"] else "-",
                _money(o["migration_usd"]) if o["line_items"] else "-",
                "-" if not h else ("never" if be is None else str(be)),
                _money(h["npv_usd"]) if h else "-",
                "eligible" if o["eligible"] else "no (below)",
            ]
        )
    if view["current_line_items"]:
        cur_rows = [
            [li["name"], _money(li["usd_per_month"]), li["formula"], ", ".join(li["sources"])]
            for li in view["current_line_items"]
        ]
        cur_rows.append(["total", _money(view["current_usd_per_month"]), "", ""])
        console.table(
            f"today: {view['current_site']} / {view['current_option']} (declared request)",
            ["line item", "USD/month", "formula", "sources"],
            cur_rows,
        )
    console.table(
        f"Offers at the {req['basis']} request (* cheapest eligible)",
        [
            "",
            "site",
            "option",
            "instance",
            "USD/month",
            "move USD",
            "break-even month",
            "NPV USD",
            "status",
        ],
        rows,
    )
    for o in view["offers"]:
        if not o["eligible"]:
            console.out.print(
                f"  ineligible {o['site']}/{o['option']}: {o['reason']}", markup=False
            )
    for o in view["offers"]:
        if not o["eligible"]:
            continue
        items = [
            [li["name"], _money(li["usd_per_month"]), li["formula"], ", ".join(li["sources"])]
            for li in o["line_items"]
        ]
        items.append(["total", _money(o["usd_per_month"]), "", ""])
        mark = " (cheapest)" if o["cheapest"] else ""
        console.table(
            f"{o['site']} / {o['option']}{mark}",
            ["line item", "USD/month", "formula", "sources"],
            items,
        )
        if o["migration_items"]:
            mig = [
                [li["name"], _money(li["usd_per_month"]), li["formula"], ", ".join(li["sources"])]
                for li in o["migration_items"]
            ]
            mig.append(["total one-off", _money(o["migration_usd"]), "", ""])
            console.table(
                f"move to {o['site']} (one-off)", ["line item", "USD", "formula", "sources"], mig
            )
    for name, r in view["owned_rates"].items():
        gpus = ", ".join(f"{t} {v:.4f}" for t, v in r["usd_per_gpu_hour"].items()) or "-"
        est = [
            [li["name"], _money(li["usd_per_month"]), li["formula"], ", ".join(li["sources"])]
            for li in r["estate_items"]
        ]
        est.append(["total", _money(r["estate_usd_per_month"]), "", ""])
        console.table(
            f"owned rates {name} ({r['basis']} cost, utilisation {r['utilisation']:g}): "
            f"{r['usd_per_core_hour']:.6f} USD/core-h, {r['usd_per_gib_hour']:.6f} USD/GiB-h, "
            f"GPU USD/GPU-h: {gpus}",
            ["estate line item", "USD/month", "formula", "sources"],
            est,
        )


def register(app: typer.Typer) -> None:
    @app.command("cost")
    @guarded
    def cost_cmd(
        project_dir: Annotated[
            Path, typer.Argument(help="Planning project folder (inventory.yaml, sites.yaml...).")
        ] = Path("."),
        workload: Annotated[
            str, typer.Option("--workload", "-w", help="Workload to price on every site.")
        ] = "",
        fmt: Annotated[
            OutputFormat, typer.Option("--format", help="Output format: table or json.")
        ] = OutputFormat.TABLE,
        declared: Annotated[
            bool,
            typer.Option(
                "--declared",
                help="Price the declared request instead of the right-sized one from telemetry.",
            ),
        ] = False,
    ) -> None:
        """Price one workload on every site and pricing option, line by line (USD/month):
        eligible offers sorted by cost with the cheapest marked, ineligible ones with their
        reason, the one-off cost of moving from the current site, break-even month and NPV
        over the horizon, and the effective rates of owned sites. The per-replica request is
        the right-sized one from telemetry when there is some (as `plan` uses), else the
        declared one. Exits 2 on bad input.

        Example: hybridplan cost examples/acme --workload checkout-api
        """
        if not workload:
            raise UsageError("missing --workload", fix="name a workload: --workload NAME")
        project = load_project(project_dir)
        request, basis = _request(project, workload, declared=declared)
        view = cost_view(project, workload, load_default_catalogue(), request=request, basis=basis)
        if fmt is OutputFormat.JSON:
            console.emit_json(view)
            return
        _render(view)
