"""``hybridplan cost``: one workload priced on every site, line by line."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer

from planner import app as services
from planner.catalogue import load_default_catalogue
from planner.cli import console
from planner.cli.common import Ending, OutputFormat, guarded
from planner.errors import UsageError
from planner.fx import CODE, said_number
from planner.money import Money


def _money(x: Money) -> str:
    return x.format(unit=False)


def _rate(usd: Decimal | float, places: int) -> str:
    """An owned hourly rate (USD) to ``places`` decimals, marked: shown in the project
    currency by the console (``planner.fx.render_text``)."""
    return said_number(usd, f"{usd:.{places}f}")


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


def _render(usd_view: dict[str, Any]) -> None:
    """The tables, amounts in the project currency (``shown_currency``): the view's amounts
    converted by ``shown``, the prices in formulas and the owned sites' hourly rates marked
    and converted by the console."""
    from planner.report.shown import rate_of, shown  # the report package loads when used

    rate = rate_of(usd_view["shown_currency"])
    console.show_in(rate)
    view, u = shown(usd_view, rate), rate.code
    prices = (
        "catalogue prices in USD"
        if rate.identity
        else f"catalogue prices converted at {rate.usd_per_unit} USD per {u}, {rate.date}"
    )
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
        f"all figures {u}/month unless marked {u} (formulas: {prices}).",
        markup=False,
    )
    if view["current_site"]:
        cur = view["current_usd_per_month"]
        cur_txt = f"{_money(cur)} {u}/month" if cur is not None else "not priced"
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
                "-" if not h else ("never" if be is None else f"{h['payback_months']:.1f} ({be})"),
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
            ["line item", f"{u}/month", "formula", "sources"],
            cur_rows,
        )
    console.table(
        f"Offers at the {req['basis']} request (* cheapest eligible)",
        [
            "",
            "site",
            "option",
            "instance",
            f"{u}/month",
            f"move {u}",
            "payback months (month)",
            f"NPV {u}",
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
            ["line item", f"{u}/month", "formula", "sources"],
            items,
        )
        if o["migration_items"]:
            mig = [
                [li["name"], _money(li["usd_per_month"]), li["formula"], ", ".join(li["sources"])]
                for li in o["migration_items"]
            ]
            mig.append(["total one-off", _money(o["migration_usd"]), "", ""])
            console.table(
                f"move to {o['site']} (one-off)", ["line item", u, "formula", "sources"], mig
            )
    for name, r in view["owned_rates"].items():
        gpus = ", ".join(f"{t} {_rate(v, 4)}" for t, v in r["usd_per_gpu_hour"].items()) or "-"
        est = [
            [li["name"], _money(li["usd_per_month"]), li["formula"], ", ".join(li["sources"])]
            for li in r["estate_items"]
        ]
        est.append(["total", _money(r["estate_usd_per_month"]), "", ""])
        console.table(
            f"owned rates {name} ({r['basis']} cost, utilisation {r['utilisation']:g}): "
            f"{_rate(r['usd_per_core_hour'], 6)} {CODE}/core-h, "
            f"{_rate(r['usd_per_gib_hour'], 6)} {CODE}/GiB-h, GPU {CODE}/GPU-h: {gpus}",
            ["estate line item", f"{u}/month", "formula", "sources"],
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
    ) -> Ending:
        """Price one workload on every site and pricing option, line by line (per month, in
        the project currency: settings.currency):
        eligible offers sorted by cost with the cheapest marked, ineligible ones with their
        reason, the one-off cost of moving from the current site, break-even month and NPV
        over the horizon, and the effective rates of owned sites. The per-replica request is
        the right-sized one from telemetry when there is some (as `plan` uses), else the
        declared one. Exits 2 on bad input.

        Example: hybridplan cost examples/acme --workload checkout-api
        """
        if not workload:
            raise UsageError("missing --workload", fix="name a workload: --workload NAME")
        with console.progress("pricing", total=len(services.LOAD_STEPS)) as step:
            view = services.cost_workload(
                project_dir,
                workload,
                catalogue=load_default_catalogue(),
                declared=declared,
                progress=step,
            )
        from planner.report.shown import rate_of  # the report package loads when used

        console.show_in(rate_of(view["shown_currency"]))
        if fmt is OutputFormat.JSON:
            console.emit_json(view)
        else:
            _render(view)
        return None
