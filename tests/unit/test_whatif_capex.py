"""A what-if that adds owned capacity buys it (issue #12): its capex is cash in month 1 and
amortised while it depreciates, shown in the scenario's notes and in its cash flow."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import world

from planner import whatif
from planner.catalogue import Catalogue, load_default_catalogue
from planner.cost.estates import estates_for
from planner.fx import plain
from planner.ingest import TelemetrySet
from planner.model import Classification, Plan, Project
from planner.money import Money
from planner.pipeline import build_plan
from planner.report.cash import estates_after
from planner.report.figures import plan_totals


def _plan(project: Project, catalogue: Catalogue, cls: tuple[Classification, ...]) -> Plan:
    return build_plan(
        project,
        catalogue=catalogue,
        telemetry=TelemetrySet(series=()),
        today=date(2026, 12, 1),
        classifications=cls or None,
    ).plan


def test_added_gpus_are_capex_cash_in_month_1_and_amortised() -> None:
    """The mini pool has 8 hgx-h100 (310,000 USD each, 60 months, owned today: sunk).
    +16 H100 = 2 more servers, bought now: 2 x 310,000 = 620,000 cash at the start of month
    1, amortised 620,000 / 60 = 10,333.33 a month (the pool's charge, 10 x 310,000 / 60 =
    51,666.67, split by capex: 2/10 of it), for 60 months; the pool's own 8 stay sunk."""
    catalogue = load_default_catalogue()
    project = world.mini_project()
    base = _plan(project, catalogue, ())
    out = whatif.run_scenario(
        project,
        catalogue,
        [whatif.parse_change("capacity", "gpu-pool-us.gpus.h100=+16")],
        plan_fn=_plan,
        classifications=base.classifications,
        base=base,
    )
    assert out.plan is not None
    assert (
        "gpu-pool-us: 2 x hgx-h100-added bought: capex 620,000.00 USD cash in month 1, "
        "amortised 10,333.33 USD/month over 60 months"
    ) in tuple(map(plain, out.notes))
    added = [e for e in estates_after(out.plan) if e.label]
    assert [(e.capex, e.purchase_month) for e in added] == [(Money.of(620_000, "USD"), 1)]
    owned = [e for e in out.plan.estates if e.site == "gpu-pool-us"]
    charge = Money.total((e.capex_per_month for e in owned), "USD")
    assert charge == Money.of("51666.67", "USD")
    after = plan_totals(out.plan, 8.0).horizon.after
    assert after is not None
    hardware = [i for i in after.items if i.label == "hardware: gpu-pool-us"]
    assert [(i.month, i.amount) for i in hardware] == [(1, Money.of(620_000, "USD"))]


def test_capacity_on_a_site_priced_from_catalogue_defaults_is_bought() -> None:
    """colo-eu lists no node classes: the catalogue's general-purpose node (192 cores,
    30,000 USD) prices it, ceil(512 / 192) = 3 nodes. +25 % cpu (640 cores) needs
    ceil(640 / 192) = 4: one more node, bought in month 1 as its own estate: 30,000 USD
    cash then, amortised 30,000 / 60 = 500.00 a month; the 3 owned today stay sunk
    (90,000, 1,500.00 a month)."""
    catalogue = load_default_catalogue()
    project = replace(
        world.mini_project(),
        sites=tuple(replace(s, owned_cost=None) for s in world.mini_project().sites),
    )
    applied = whatif.apply_changes(
        project, catalogue, [whatif.parse_change("capacity", "colo-eu.cpu=+25%")]
    )
    assert "(1 x general-purpose-added bought in month 1, capex cash then)" in plain(
        applied.notes[0]
    )
    colo = [e for e in estates_for(applied.project, catalogue) if e.site == "colo-eu"]
    assert [(e.purchase_month, e.capex, e.capex_per_month) for e in colo] == [
        (0, Money.of(90_000, "USD"), Money.of(1_500, "USD")),
        (1, Money.of(30_000, "USD"), Money.of(500, "USD")),
    ]
