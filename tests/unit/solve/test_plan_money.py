"""A planned project's money is traceable: every figure is the exact sum of line items."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from planner.catalogue import load_default_catalogue
from planner.cost import PriceCache, baseline_items
from planner.ingest import load_telemetry
from planner.load import load_project
from planner.money import Money
from planner.pipeline import PlanBundle, build_plan

MINI = Path(__file__).resolve().parents[2] / "data" / "mini"


@pytest.fixture(scope="module")
def bundle() -> PlanBundle:
    """The mini project, planned."""
    project = load_project(MINI)
    return build_plan(
        project,
        catalogue=load_default_catalogue(),
        telemetry=load_telemetry(project),
        today=date(2026, 11, 27),
    )


def test_whole_placements_cost_their_offers_line_items(bundle: PlanBundle) -> None:
    """A workload placed whole on one offer costs exactly that offer's line items, and pays
    exactly its migration items."""
    checked = 0
    for p in bundle.plan.placements:
        if len(p.assignments) != 1 or p.assignments[0].gpu_hours_per_month is not None:
            continue
        a = p.assignments[0]
        offer = next(
            o
            for o in bundle.candidates.get(p.workload).offers
            if o.site == a.site and o.option is a.option
        )
        assert p.per_month == Money.total((i.amount for i in offer.line_items), "USD")
        assert p.migration == Money.total((i.amount for i in offer.migration_items), "USD")
        checked += 1
    assert checked >= 2  # the mini project places two services whole


def test_plan_totals_are_sums_of_what_is_shown(bundle: PlanBundle) -> None:
    """The plan's monthly total, migration and baseline are the exact sums of the
    placements' and baselines' figures, and the sites' spend adds up to the total."""
    plan = bundle.plan
    assert plan.per_month == Money.total((p.per_month for p in plan.placements), "USD")
    assert plan.migration == Money.total((p.migration for p in plan.placements), "USD")
    assert plan.baseline_per_month == Money.total(plan.workload_baseline_per_month.values(), "USD")
    assert Money.total((u.per_month for u in plan.site_usage), "USD") == plan.per_month


def test_baselines_are_the_line_items_paid_today(bundle: PlanBundle) -> None:
    """Each workload's "before" is the sum of baseline_items at its current site."""
    project = load_project(MINI)
    cache = PriceCache()
    for name, before in bundle.plan.workload_baseline_per_month.items():
        w = project.workload(name)
        assert w.current_site is not None
        items = baseline_items(
            w, project.site(w.current_site), load_default_catalogue(), project.settings, cache=cache
        )
        assert before == Money.total((i.amount for i in items), "USD")
