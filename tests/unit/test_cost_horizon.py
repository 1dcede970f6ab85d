"""Horizon totals, break-even month and NPV (the one-off move form), and the cost-input digest."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from fractions import Fraction

import pytest
from cost_world import cloud, colo, service, tiny_catalogue, usd

from planner.cost import annuity_factor, cost_input_digest, horizon_summary
from planner.cost.horizon import CashItem, ledger, payback_month, payback_months
from planner.model import Project, Settings
from planner.money import Money


def test_totals_breakeven_and_npv_at_zero_rate() -> None:
    """1,000 -> 600 USD/month after a 2,000 one-off over 36 months: before 36,000, after
    2,000 + 21,600 = 23,600, savings 12,400; break-even ceil(2,000 / 400) = month 5;
    NPV at 0 % = -2,000 + 400 x 36 = 12,400. All exact."""
    h = horizon_summary(usd(1000), usd(600), usd(2000), 36, 0.0)
    assert h.total_before == usd(36000)
    assert h.total_after == usd(23600)
    assert h.savings == usd(12400)
    assert h.breakeven_month == 5
    assert h.npv == usd(12400)
    assert h.totals[12] == (usd(12000), usd(9200))
    assert h.totals[60] == (usd(60000), usd(38000))


def test_npv_with_discounting() -> None:
    """12 %/yr: r = 1.12^(1/12) - 1 = 0.0094888; factor (1 - 1.12^-3) / r = 30.37475;
    NPV = -2,000 + 400 x 30.3747... = 10,149.90, rounded to the cent once."""
    assert float(annuity_factor(36, 12.0)) == pytest.approx(30.37475, rel=1e-6)
    h = horizon_summary(usd(1000), usd(600), usd(2000), 36, 12.0)
    assert h.npv == usd("10149.90")


def test_npv_matches_the_sum_of_discounted_months() -> None:
    """The annuity form equals summing each month's saving discounted at (1 + i)^(m/12)."""
    saving, months, rate = Decimal("1234.56"), 60, Decimal(8)
    by_month = sum(
        (saving / (1 + rate / 100) ** (Decimal(m) / 12) for m in range(1, months + 1)),
        Decimal(0),
    )
    got = horizon_summary(usd("2234.56"), usd(1000), usd(0), months, 8.0).npv
    assert got == Money.of(by_month, "USD")


@pytest.mark.parametrize(
    ("before", "after", "one_off", "month"),
    [
        ("1000", "600", "2000", 5),
        ("1000", "600", "2001", 6),
        ("1000", "1000", "0", 0),
        ("1000", "1200", "0", None),
        ("1000", "1000", "10", None),
        ("600", "1000", "500", None),
        ("1000", "600", "0", 0),
        ("1000", "999.99", "0.01", 1),
        ("1000", "999.99", "0.02", 2),
        ("10000", "0", "0.01", 1),
    ],
    ids=[
        "exact",
        "just-over",
        "no-change",
        "dearer",
        "flat-with-cost",
        "never",
        "free-move",
        "one-cent-is-a-saving",
        "two-cents-two-months",
        "tiny-one-off-is-recovered-in-month-1",
    ],
)
def test_breakeven_month_cases(before: str, after: str, one_off: str, month: int | None) -> None:
    """Break-even is ceil(one-off / saving) on exact cents, 0 with nothing to recover, None
    if never (no float noise can make equal costs read as a loss)."""
    assert horizon_summary(usd(before), usd(after), usd(one_off), 36, 0.0).breakeven_month == month


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


def test_payback_is_the_last_recovery() -> None:
    """1,000 a month today; with the change 500 a month, 100 up front in month 1 and 3,000
    of servers in month 4. C: -100 at the start, back to 0 at 0.2 months, 1,400 by the end
    of month 3, -1,600 after the servers, then +500 a month: -100 at the end of month 6,
    back to 0 at 6 + 100 / 500 = 6.2 months (month 7), not 0.2."""
    before = ledger(12, "USD", Money.of(1000, "USD"))
    after = ledger(
        12,
        "USD",
        Money.of(500, "USD"),
        (CashItem(1, Money.of(100, "USD"), "migration"), CashItem(4, Money.of(3000, "USD"), "x")),
    )
    assert payback_months(before, after) == Fraction(31, 5)
    assert payback_month(payback_months(before, after)) == 7
