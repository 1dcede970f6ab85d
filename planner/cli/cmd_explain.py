"""``hybridplan explain``: why one workload runs where the plan puts it."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from planner import app as services
from planner.catalogue import load_default_catalogue
from planner.cli import console
from planner.cli.common import Ending, OutputFormat, guarded
from planner.fx import CODE, said
from planner.money import Money

if TYPE_CHECKING:  # the solver (numpy, HiGHS) is imported when a command explains
    from planner.solve.explain import Explanation


def _money(x: Money | None) -> str:
    """An amount without its unit, marked: the console shows it in the project currency."""
    return "-" if x is None else said(x, unit=False)


def _hours(x: float | None) -> str:
    return "-" if x is None else f"{x:,.2f}"


def _signed(x: Money | None) -> str:
    return "-" if x is None else said(x, unit=False, sign=True)


def _price(amount: Money, eligible: bool) -> str:
    """Ineligible offers that were never priced show ``-``, not a misleading 0.00."""
    return "-" if not eligible and not amount else said(amount, unit=False)


def render_table(e: Explanation) -> None:
    """The explanation for people: choice, runner-up, binding constraints, sites."""
    console.table(
        f"{e.workload}: placement",
        ["site", "option", "replicas", "GPU-h/month", f"{CODE}/month"],
        [
            [
                a.site,
                a.option.value,
                a.replicas,
                _hours(a.gpu_hours_per_month),
                _money(a.per_month),
            ]
            for a in e.assignments
        ],
    )
    from planner.solve.explain import move_text

    moved = move_text(e)
    console.out.print(
        f"{_money(e.per_month)} {CODE}/month + {_money(e.migration)} {CODE} migration "
        f"= {_money(e.horizon_total)} {CODE} over {e.horizon_months} months ({moved})",
        markup=False,
    )
    if e.runner_up is not None:
        r = e.runner_up
        console.out.print(
            f"runner-up: {r.site}/{r.option.value} at {_money(r.per_month)} {CODE}/month + "
            f"{_money(r.migration)} {CODE} migration "
            f"({_signed(e.runner_up_extra_per_month)} {CODE}/month, "
            f"{_signed(e.runner_up_extra_horizon)} {CODE} over the horizon"
            + (
                "; cheaper, but ruled out by the binding constraints below)"
                if e.runner_up_extra_horizon is not None and e.runner_up_extra_horizon.sign < 0
                else ": what this choice saves)"
            ),
            markup=False,
        )
    else:
        console.out.print("runner-up: none (no other eligible offer)", markup=False)
    console.out.print(f"why: {e.reason}", markup=False)
    for b in e.binding:
        console.out.print(f"  binding: {b}", markup=False)
    if e.wave is not None:
        wave = e.wave
        others = ", ".join(x for x in wave.with_workloads if x != e.workload)
        console.out.print(
            f"migration: {wave.text()}, with {others or 'no other workload'}", markup=False
        )
        for line in wave.reasons:
            console.out.print(f"  wave: {line}", markup=False)
    console.table(
        "offers (cheapest over the horizon first)",
        [
            "site",
            "option",
            f"{CODE}/month",
            f"migration {CODE}",
            f"horizon {CODE}",
            "chosen",
            "reason",
        ],
        [
            [
                o.site,
                o.option.value,
                _price(o.per_month, o.eligible),
                _price(o.migration, o.eligible or o.per_month.sign > 0),
                _price(o.horizon_total, o.eligible),
                "yes" if o.chosen else "",
                o.reason or ("" if o.eligible else "ineligible"),
            ]
            for o in e.offers
        ],
    )
    console.table(
        "site utilisation after planning",
        ["site", "resource", "used", "usable", "%", "at limit"],
        [
            [
                u.site,
                u.resource,
                _money(u.spend) if u.spend is not None else f"{u.used:,.2f}",
                "unlimited" if u.capacity is None else f"{u.capacity:,.2f}",
                "-" if u.pct is None else f"{u.pct:.1f}",
                "yes" if u.at_limit else "",
            ]
            for u in e.utilisation
        ],
    )
    if e.shadow_prices:
        cur = e.per_month.currency
        console.table(
            f"shadow prices (LP relaxation: {CODE} over the horizon one more unit would save)",
            ["row", "used", "limit", "at limit", f"{CODE}/unit"],
            [
                [
                    s.row,
                    f"{s.used:,.2f}",
                    f"{s.limit:,.2f}",
                    "yes" if s.at_limit else "",
                    said(Money.from_float(s.usd_over_horizon_per_unit, cur), unit=False),
                ]
                for s in e.shadow_prices
            ],
        )
    if e.budgets:
        console.table(
            f"budgets ({CODE}/month)",
            ["scope", f"limit {CODE}", f"used {CODE}", "at limit"],
            [
                [
                    b.scope,
                    _money(b.limit_per_month),
                    _money(b.used_per_month),
                    "yes" if b.at_limit else "",
                ]
                for b in e.budgets
            ],
        )
    s = e.solver
    gap = "-" if s.gap is None else f"{100 * s.gap:.3f} %"
    console.out.print(
        f"solver: {s.method} {s.status}, objective "
        f"{said(Money.from_float(s.objective_usd, e.per_month.currency))}, gap {gap}"
        + (" (time limit reached)" if s.time_limited else ""),
        markup=False,
    )


def register(app: typer.Typer) -> None:
    @app.command("explain")
    @guarded
    def explain_cmd(
        workload: Annotated[str, typer.Argument(help="Workload name, as in inventory.yaml.")],
        project_dir: Annotated[
            Path, typer.Argument(help="Planning project folder (inventory.yaml, sites.yaml...).")
        ] = Path("."),
        fmt: Annotated[
            OutputFormat, typer.Option("--format", help="Output format: table or json.")
        ] = OutputFormat.TABLE,
    ) -> Ending:
        """Explain where WORKLOAD runs in the plan of PROJECT_DIR: the chosen offer, the
        runner-up and the cost difference, the constraints that bound the choice, every
        offer (with the reason for each ineligible one) and each site's utilisation.

        Plans the whole project first (as ``hybridplan plan`` does; nothing is written).
        Exit 0 on success, 1 if the project is infeasible, 2 on an unknown workload or bad
        input.

        Example: hybridplan explain payments-db examples/acme
        """
        with console.progress("planning", total=len(services.EXPLAIN_STEPS)) as step:
            explanation = services.explain_project(
                project_dir,
                workload,
                catalogue=load_default_catalogue(),
                today=date.today(),
                progress=step,
            )
        console.show_in(explanation.currency)
        if fmt is OutputFormat.JSON:
            console.emit_json(explanation.to_dict())
        else:
            render_table(explanation)
        return None
