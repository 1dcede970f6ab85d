"""Cash and accrual views, payback and whole estates (issue #12, part A): the published-style
cases with their inputs stated here, and the plan's whole-estate totals."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import world
from cost_world import colo, tiny_catalogue
from plan_fakes import sample_project

from planner import report
from planner.cost import owned_rates
from planner.cost.estates import estate_flows, estates_for
from planner.cost.horizon import CashItem, Ledger, compare, cumulative_saving, ledger
from planner.model import CostBasis, Estate, Plan, PricingOption
from planner.money import Money
from planner.report.cash import plan_ledgers
from planner.report.figures import plan_totals, site_figures
from planner.report.plan_json import plan_to_dict

usd = world.usd
OWNED = PricingOption.OWNED


def _estate(capex: str, months: int, run: str, **changes: object) -> Estate:
    """An estate amortised straight line: capex / months a month, plus ``run`` a month."""
    cap = usd(capex)
    return Estate(
        site="colo-eu",
        capex=cap,
        capex_per_month=cap.times(Fraction(1, months)),
        run_per_month=usd(run),
        depreciation_months=months,
        **changes,  # type: ignore[arg-type]  # test keyword overrides of Estate's fields
    )


def _side(months: int, estate: Estate, items: tuple[CashItem, ...] = ()) -> Ledger:
    run, bought = estate_flows(estate, months)
    return ledger(months, "USD", run, (*bought, *items))


def test_steady_estate_five_year_saving_within_2_pct() -> None:
    """Steady estate: 2.3 M USD/yr of cloud replaced by 600 k USD of servers depreciated over
    5 years (bought in month 1) and 840 k USD/yr of run cost incl. the amortised hardware
    (720 k/yr power, space, labour, support + 120 k/yr amortisation): the 5-year saving is
    within 2 % of (2.3 - 0.84) x 5 = 7.3 M USD, in cash and in accrual."""
    months = 60
    before = ledger(months, "USD", Money.of(Decimal(2_300_000) / 12, "USD"))
    after = _side(months, _estate("600000", 60, "60000", purchase_month=1))
    h = compare(before, after, months, 0.0, (before.accrual[0], after.accrual[0]))
    target = Decimal("7300000")
    assert abs(h.savings.to_decimal() - target) <= target * Decimal("0.02")
    assert after.cash[0] == usd("660000")  # servers + a month's run
    assert set(after.accrual) == {usd("70000")}  # 840 k / 12
    accrual_saving = before.accrual_total() - after.accrual_total()
    assert abs(accrual_saving.to_decimal() - target) <= target * Decimal("0.02")


def test_managed_search_pays_back_in_3_5_to_3_9_months() -> None:
    """Managed search: 43,333 USD/month of cloud replaced by 150 k USD of hardware (5-year
    depreciation, paid at the start of month 1) and 2,500 USD/month run: the cumulative cash
    saving is back at 0 after 150,000 / 40,833 = 3.67 months (month 4)."""
    months = 36
    before = ledger(months, "USD", usd("43333"))
    after = _side(months, _estate("150000", 60, "2500", purchase_month=1))
    h = compare(before, after, months, 0.0, (usd("43333"), usd("5000")))
    assert h.payback_months == Decimal("3.67")
    assert Decimal("3.5") <= h.payback_months <= Decimal("3.9")
    assert h.breakeven_month == 4
    cum = cumulative_saving(before, after)
    assert cum[2].sign < 0 <= cum[3].sign


def test_amortisation_stops_at_the_end_of_depreciation() -> None:
    """An 84-month horizon does not keep paying for 60-month servers: the accrual view
    charges 1,000 USD/month of amortisation in months 1-60 only; with refresh the servers
    are bought again (cash) in month 61 and amortised again."""
    e = _estate("60000", 60, "500", purchase_month=1)
    side = _side(84, e)
    assert side.accrual[59] == usd("1500")
    assert side.accrual[60] == usd("500")
    assert side.cash[60] == usd("500")
    refreshed = _side(84, _estate("60000", 60, "500", purchase_month=1, refresh=True))
    assert refreshed.cash[60] == usd("60500")
    assert refreshed.accrual[60] == usd("1500")


def test_existing_estate_is_sunk_but_amortised_for_its_remaining_life() -> None:
    """An estate owned today (purchase month -40, 60-month depreciation) has no capex cash
    in the horizon, and its amortisation ends after month 19 (bought 40 months before
    month 0: months -40..19)."""
    side = _side(36, _estate("60000", 60, "500", purchase_month=-40))
    assert set(side.cash) == {usd("500")}
    assert side.accrual[18] == usd("1500")
    assert side.accrual[19] == usd("500")


def test_residual_value_comes_back_when_refreshed() -> None:
    """A refreshed generation is sold for its residual value (10 % of 60,000) as the next
    is bought: month 61 pays 60,000 - 6,000 + run; amortisation is (60,000 - 6,000) / 60."""
    e = _estate("60000", 60, "0", purchase_month=1, refresh=True, residual=usd("6000"))
    side = _side(72, e)
    assert side.cash[60] == usd("54000")
    assert side.accrual[0] == usd("900")


def test_payback_fraction_and_month_edge_cases() -> None:
    """Nothing to recover: payback 0 (immediately); never recovered: None."""
    same = ledger(12, "USD", usd("100"))
    h = compare(same, same, 12, 0.0, (usd("100"), usd("100")))
    assert (h.payback_months, h.breakeven_month) == (Decimal("0.00"), 0)
    dearer = ledger(12, "USD", usd("100"), (CashItem(1, usd("5000"), "hardware"),))
    h = compare(same, dearer, 12, 0.0, (usd("100"), usd("100")))
    assert h.payback_months is None
    assert h.breakeven_month is None


def _search_plan(estate: Estate, charged: str) -> Plan:
    """search-api moved from AWS (43,333 USD/month) to colo-eu, charged ``charged`` there."""
    p = world.placement(
        "search-api",
        [world.assignment("colo-eu", OWNED, 2, charged)],
        previous_site="aws-eu-west-1",
    )
    return world.plan(
        [p],
        baseline_per_month=usd("43333"),
        workload_baseline_per_month={"search-api": usd("43333")},
        horizon_months=36,
        estates=(estate,),
    )


def test_managed_search_payback_is_shown_in_plan_md_and_json() -> None:
    """The plan with the managed-search estate bought in month 1 says "after 3.7 months
    (month 4)" in plan.md and carries the month-by-month cash series in plan.json."""
    plan = _search_plan(_estate("150000", 60, "2500", purchase_month=1), "5000")
    project = sample_project()
    text = report.render_plan_md(plan, project)
    assert "pays back **after 3.7 months (month 4)**" in text
    assert "150,000.00 USD** of hardware" in text
    assert '"4 payback"' in text  # the chart marks the payback month
    d = plan_to_dict(plan, project)
    assert d["totals"]["payback_months"] == Decimal("3.67")
    cf = d["cash_flow"]
    assert len(cf["after_cash_usd"]) == 36
    assert cf["after_cash_usd"][0] == usd("152500")
    assert cf["one_off"] == [
        {"month": 1, "usd": usd("150000"), "label": "hardware: colo-eu", "side": "after"}
    ]


def test_idle_owned_site_costs_its_full_estate() -> None:
    """An estate owned today that the plan leaves empty still costs its whole 5,000
    USD/month with the plan, on its own line (100 % idle), and in the site's row."""
    estate = _estate("150000", 60, "2500")  # owned today (purchase month 0)
    p = world.placement(
        "search-api",
        [world.assignment("aws-eu-west-1", PricingOption.ON_DEMAND, 2, "1000")],
        previous_site="aws-eu-west-1",
    )
    plan = world.plan(
        [p],
        baseline_per_month=usd("1000"),
        workload_baseline_per_month={"search-api": usd("1000")},
        estates=(estate,),
    )
    t = plan_totals(plan, 0.0)
    assert t.per_month == usd("6000")
    assert t.baseline_per_month == usd("6000")
    assert t.idle_after_per_month == usd("5000")
    assert t.idle_after[0].idle_share == 1
    sites = {s.name: s for s in site_figures(plan)}
    assert sites["colo-eu"].per_month == usd("5000")
    d = plan_to_dict(plan, sample_project())
    assert d["totals"]["idle_owned"][0]["idle_pct"] == 100.0
    text = report.render_plan_md(plan, sample_project())
    assert "| colo-eu | 5,000.00 | 0.00 | 5,000.00 | 100.0 % |" in text


def test_partly_used_estate_shows_its_idle_share() -> None:
    """Workloads charged 3,000 of a 5,000 USD/month estate: 2,000 idle (40 %), and the
    plan's total is the whole estate, not the 3,000 charged."""
    plan = _search_plan(_estate("150000", 60, "2500"), "3000")
    t = plan_totals(plan, 0.0)
    assert t.idle_after_per_month == usd("2000")
    assert t.idle_after[0].idle_share == Fraction(2, 5)
    assert t.per_month == usd("5000")
    # owned today, so in "before" too: 43,333 on AWS + the whole 5,000 estate
    assert t.baseline_per_month == usd("48333")


def test_new_estate_the_plan_does_not_use_is_not_bought() -> None:
    """A site to buy in month 3 that no workload uses costs nothing on either side."""
    estate = _estate("150000", 60, "2500", purchase_month=3)
    plan = world.plan(
        [world.placement("a", [world.assignment("aws-eu-west-1", OWNED, 1, "10")])],
        estates=(estate,),
    )
    before, after = plan_ledgers(plan, 12)
    assert set(after.cash) == {usd("10")}
    assert set(before.cash) == {usd("0")}


def test_racks_and_power_paid_charges_the_servers_only() -> None:
    """The colo world (7,200 USD/month: capex 2,000, power 1,000, space 1,000, labour 2,000,
    support 1,200) with its servers going into racks and per-kW power already paid: power and
    space are 0, so 5,200 USD/month (capex, labour, support)."""
    r = owned_rates(colo(racks_and_power_paid=True), tiny_catalogue())
    items = {i.name: i.amount for i in r.items}
    assert items["power"] == usd(0)
    assert items["space"] == usd(0)
    assert r.per_month == usd(5200)


def test_marginal_basis_changes_the_charge_not_the_estate() -> None:
    """cost_basis: marginal charges workloads the power they add (1,000 USD/month of the colo
    world's 7,200), but the estate still costs 7,200: capex 2,000 (120,000 / 60) and 5,200
    of run costs, whichever the basis."""
    cat = tiny_catalogue()
    average = world.project([], [colo()])
    marginal = world.project([], [colo(cost_basis=CostBasis.MARGINAL)])
    assert owned_rates(colo(cost_basis=CostBasis.MARGINAL), cat).per_month == usd(1000)
    (e_avg,) = estates_for(average, cat)
    (e_marg,) = estates_for(marginal, cat)
    assert e_avg == e_marg
    assert (e_marg.capex, e_marg.capex_per_month, e_marg.run_per_month) == (
        usd(120000),
        usd(2000),
        usd(5200),
    )
