"""Budget diagnosis names the true minimum (issue #12): the cheapest spend the budgeted row
can reach with every other constraint kept, and a budget of that figure is feasible."""

from __future__ import annotations

import pytest
from cost_world import usd
from strategies import site, standard_offers, workload

from planner.errors import InfeasibleError
from planner.fx import plain
from planner.model import Constraints, Offer, Site, SiteKind, Workload
from planner.solve import solve_offers


def _world() -> tuple[list[Workload], list[Site], dict[str, tuple[Offer, ...]]]:
    """Team t: t1 (100 USD/month on the one-core owned site a, 1,000 in the clouds) and t2
    (10 USD/month on cloud d, 10,000,000 elsewhere: a huge possible overspend, which made the
    old budget slack nearly free); team u: u1 (100 on a, 2,000 in the clouds). Site a fits
    one workload. Cloud offers also come as commitments and spot (cheaper)."""
    a = site("a", cpu=1.0)
    c = site("c", kind=SiteKind.CLOUD)
    d = site("d", kind=SiteKind.CLOUD)
    ws = [workload("t1", team="t"), workload("t2", team="t"), workload("u1", team="u")]
    prices = {
        ("t1", "a"): 100.0,
        ("t1", "c"): 1000.0,
        ("t1", "d"): 1000.0,
        ("t2", "a"): 10_000_000.0,
        ("t2", "c"): 10_000_000.0,
        ("t2", "d"): 10.0,
        ("u1", "a"): 100.0,
        ("u1", "c"): 2000.0,
        ("u1", "d"): 2000.0,
    }
    return ws, [a, c, d], standard_offers(ws, [a, c, d], prices)


def test_budget_diagnosis_gives_the_true_minimum() -> None:
    """A 50 USD/month budget for team t: the cheapest t can spend is 104 USD/month (t1 on a
    at 100, t2 on d's cheapest option at 4; u1 goes to the cloud). The old diagnosis read the
    elastic model's slack, where cost is only a tie-breaker, and said 24,001,598."""
    ws, sites, offers = _world()
    with pytest.raises(InfeasibleError) as err:
        solve_offers(ws, sites, offers, Constraints(team_budget_per_month={"t": usd(50)}))
    assert tuple(map(plain, err.value.diagnosis)) == (
        "team t budget is 50 USD/month; the cheapest plan within the other constraints "
        "needs 104 USD/month",
    )
    assert plain(err.value.fix) == "raise the team t budget by 54 USD/month"
    # and the figure is feasible: a budget of 104 USD/month plans
    result = solve_offers(ws, sites, offers, Constraints(team_budget_per_month={"t": usd(104)}))
    spend = sum(p.per_month.cents for p in result.placements if p.workload in ("t1", "t2"))
    assert spend == 10400
