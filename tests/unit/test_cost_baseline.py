"""What a workload pays today: the one definition (``baseline_items``), used by the plan's
"before" (``pipeline.baseline_costs``) and by the double running of a move."""

from __future__ import annotations

from dataclasses import replace

import pytest
from cost_world import cloud, colo, service, tiny_catalogue, usd

from planner.cost import baseline_items, baseline_option, offers_for
from planner.cost.common import total
from planner.fx import plain
from planner.model import CloudCost, PricingOption, Project, Residency, Settings
from planner.pipeline import baseline_costs

CAT = tiny_catalogue()
S = Settings()


def committed_cloud():
    """A cloud site that buys only commit-1y and spot (no on-demand)."""
    site = cloud()
    return replace(
        site,
        cloud_cost=CloudCost(
            price_region="r1", options=(PricingOption.COMMIT_1Y, PricingOption.SPOT)
        ),
    )


def test_a_cloud_site_without_on_demand_keeps_its_workloads_in_before() -> None:
    """Issue #11: with `options: [commit-1y, spot]` every cloud workload vanished from
    "before" (the pipeline looked for an on-demand offer only). Now each pays the site's first
    option, commit-1y: 438 x 0.7 = 306.60 + storage 30 + egress 115 = 451.60 USD/month."""
    site = committed_cloud()
    a = service(name="a", current_site="cloud")
    b = service(name="b", current_site="cloud", replicas=1)
    new = service(name="new")
    project = Project(root=".", workloads=(a, b, new), sites=(site, colo()))
    got = baseline_costs(project, CAT)
    assert sorted(got) == ["a", "b"]
    assert got["a"] == usd("451.60")
    assert baseline_option(site) is PricingOption.COMMIT_1Y


def test_the_plan_baseline_and_the_double_running_agree() -> None:
    """The monthly figure in "before" is the figure a move's double running charges."""
    site = committed_cloud()
    w = service(current_site="cloud")
    project = Project(root=".", workloads=(w,), sites=(site, colo()))
    before = baseline_costs(project, CAT)["api"]
    (move,) = offers_for(w, w.resources, colo(), CAT, S, current=site)
    assert move.migration_items[-1].name == "double running"
    assert move.migration_items[-1].amount == before


@pytest.mark.parametrize(
    "workload",
    [
        service(current_site="cloud", pinned_site="colo"),
        service(current_site="cloud", data=replace(service().data, residency=Residency.US)),
        service(current_site="cloud", tier=1, current_option=PricingOption.SPOT),
    ],
    ids=["pinned-elsewhere", "residency-elsewhere", "tier1-on-spot-today"],
)
def test_rules_about_placing_never_drop_what_is_paid_today(workload) -> None:
    """A pin to another site, a residency rule the current site breaks, or spot for tier 1
    make the current offer ineligible for the plan, but the workload still pays it today."""
    project = Project(root=".", workloads=(workload,), sites=(cloud(), colo()))
    got = baseline_costs(project, CAT)
    opt = baseline_option(cloud(), workload.current_option)
    expected = next(
        o.per_month
        for o in offers_for(workload, workload.resources, cloud(), CAT, S)
        if o.option is opt
    )
    assert got == {"api": expected}


def test_baseline_prices_the_declared_size_not_the_right_sized_one() -> None:
    """baseline_items prices workload.resources (what runs today)."""
    w = service(current_site="cloud")
    items = baseline_items(w, cloud(), CAT, S)
    assert total(items, "USD") == usd(583)
    assert plain(items[0].formula) == "3 x m6i.xlarge x 730 h x 0.2 USD/h"
