"""Horizon totals, break-even month and NPV, and the cost-input digest."""

from __future__ import annotations

import dataclasses

import pytest
from cost_world import cloud, colo, service, tiny_catalogue

from planner.cost import annuity_factor, breakeven_month, cost_input_digest, horizon_summary
from planner.model import Project, Settings


def test_totals_breakeven_and_npv_at_zero_rate() -> None:
    """1,000 -> 600 USD/month after a 2,000 one-off over 36 months: before 36,000, after
    2,000 + 21,600 = 23,600, savings 12,400; break-even ceil(2,000 / 400) = month 5;
    NPV at 0 % = -2,000 + 400 x 36 = 12,400."""
    h = horizon_summary(1000, 600, 2000, 36, 0.0)
    assert h.total_before_usd == pytest.approx(36000)
    assert h.total_after_usd == pytest.approx(23600)
    assert h.savings_usd == pytest.approx(12400)
    assert h.breakeven_month == 5
    assert h.npv_usd == pytest.approx(12400)
    assert h.totals_usd[12] == pytest.approx((12000, 9200))
    assert h.totals_usd[60] == pytest.approx((60000, 38000))


def test_npv_with_discounting() -> None:
    """12 %/yr: r = 1.12^(1/12) - 1 = 0.0094888; factor (1 - 1.12^-3) / r = 30.37475;
    NPV = -2,000 + 400 x 30.37475 = 10,149.90."""
    assert annuity_factor(36, 12.0) == pytest.approx(30.37475, rel=1e-6)
    h = horizon_summary(1000, 600, 2000, 36, 12.0)
    assert h.npv_usd == pytest.approx(10149.90, abs=0.01)


@pytest.mark.parametrize(
    ("before", "after", "one_off", "month"),
    [
        (1000, 600, 2000, 5),
        (1000, 600, 2001, 6),
        (1000, 1000, 0, 0),
        (1000, 1200, 0, None),
        (1000, 1000, 10, None),
        (600, 1000, 500, None),
        (1000, 600, 0, 0),
        (0.3, 0.1 + 0.2, 0, 0),
        (2270.64, 2270.6400000000003, 0, 0),
        (1000, 999.99, 0.01, 1),
        (10000, 0, 1e-5, 1),
    ],
    ids=[
        "exact",
        "just-over",
        "no-change",
        "dearer",
        "flat-with-cost",
        "never",
        "free-move",
        "float-noise",
        "equal-costs-summed-differently",
        "one-cent-is-a-saving",
        "tiny-one-off-is-recovered-in-month-1",
    ],
)
def test_breakeven_month_cases(
    before: float, after: float, one_off: float, month: int | None
) -> None:
    """Break-even is ceil(one-off / saving), 0 with nothing to recover, None if never."""
    assert breakeven_month(before, after, one_off) == month


def test_cost_input_digest_tracks_cost_inputs_only() -> None:
    """The digest changes with a price or a workload size, not with file positions."""
    cat = tiny_catalogue()
    p = Project(root="x", workloads=(service(),), sites=(colo(), cloud()), settings=Settings())
    d1 = cost_input_digest(p, cat)
    assert d1.startswith("sha256:")
    assert cost_input_digest(p, cat) == d1
    bigger = dataclasses.replace(p, workloads=(service(replicas=4),))
    assert cost_input_digest(bigger, cat) != d1
    cheaper = cat.with_overrides({"aws.m6i.xlarge.r1.on-demand": 0.15})
    assert cost_input_digest(p, cheaper) != d1
