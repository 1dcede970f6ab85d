"""Owned cost model: estate line items, split rule, effective rates, basis, break-even."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from cost_world import colo, pool, tiny_catalogue, usd

from planner.cost import amortised_usd_per_month, breakeven_utilisation, owned_rates, split_weights
from planner.fx import plain
from planner.model import (
    Amortisation,
    Capacity,
    CostBasis,
    NodeClass,
    OwnedCost,
    PowerBilling,
    Residency,
    Settings,
    Site,
    SiteKind,
)
from planner.money import Money

CAT = tiny_catalogue()


def _items(rates) -> dict[str, Money]:
    return {i.name: i.amount for i in rates.items}


def test_split_weights_solve_the_reference_prices() -> None:
    """4c + 16g = 0.2 and 4c + 32g = 0.3 -> g = 0.1/16 = 0.00625, c = (0.2 - 0.1)/4 = 0.025;
    h100 = (100 - 192 x 0.025 - 2048 x 0.00625) / 8 = (100 - 4.8 - 12.8) / 8 = 10.3."""
    w = split_weights(CAT)
    assert w.usd_per_vcpu_hour == Decimal("0.025")
    assert w.usd_per_gib_hour == Decimal("0.00625")
    assert w.usd_per_gpu_hour["h100"] == Decimal("10.3")


def test_estate_line_items_straight_line() -> None:
    """capex 10 x 12,000 / 60 = 2,000; power 10 x 0.5 kW x 200 = 1,000; space 1,000;
    labour 2,000; support 120,000 x 12 % / 12 = 1,200; total 7,200 USD/month."""
    r = owned_rates(colo(), CAT)
    assert _items(r) == {
        "capex (amortised)": usd(2000),
        "power": usd(1000),
        "space": usd(1000),
        "labour": usd(2000),
        "support": usd(1200),
    }
    assert r.per_month == usd(7200.0)
    assert plain(r.items[0].formula) == "(10 x 12,000 USD (std)) = 120,000 USD / 60 months"
    assert r.items[0].sources == (
        "sites.colo.cost.owned.node_classes",
        "sites.colo.cost.owned.depreciation_months",
    )


def test_effective_rates_at_target_utilisation() -> None:
    """A 64-core/256-GiB node weighs 64 x 0.025 = 1.6 vs 256 x 0.00625 = 1.6: 50/50, so
    3,600 each; USD/core-h = 3,600 / (640 x 0.5 x 730) = 0.0154110;
    USD/GiB-h = 3,600 / (2,560 x 0.5 x 730) = 0.00385274."""
    r = owned_rates(colo(), CAT)
    assert r.shares["cpu"] == 3600
    assert r.usd_per_core_hour == Decimal(3600) / (640 * Decimal("0.5") * 730)
    assert float(r.usd_per_core_hour) == pytest.approx(0.0154110, rel=1e-5)
    assert float(r.usd_per_gib_hour) == pytest.approx(0.00385274, rel=1e-5)
    assert r.usd_per_gpu_hour == {}


def test_annuity_amortisation() -> None:
    """Annuity at 10 %/yr: r = 1.1^(1/12) - 1 = 0.00797414; 120,000 x r / (1 - 1.1^-5)
    = 120,000 x 0.00797414 / 0.379079 = 2,524.27 USD/month (vs 2,000 straight line)."""
    charge = amortised_usd_per_month(120000, 60, Amortisation.ANNUITY, 10.0)
    assert Money.of(charge, "USD") == usd("2524.27")
    r = owned_rates(colo(amortisation=Amortisation.ANNUITY, discount_rate_pct=10.0), CAT)
    assert _items(r)["capex (amortised)"] == usd("2524.27")
    assert amortised_usd_per_month(120000, 60, Amortisation.ANNUITY, 0.0) == 2000


def test_annuity_rate_falls_back_to_settings() -> None:
    """Without a site rate the project's discount rate is used (0 % -> straight line)."""
    r = owned_rates(colo(amortisation=Amortisation.ANNUITY), CAT, Settings(discount_rate_pct=0.0))
    assert _items(r)["capex (amortised)"] == usd(2000)


def test_metered_power() -> None:
    """Per kWh: 5 kW x PUE 1.5 x 0.1 USD/kWh x 730 h = 547.50 USD/month."""
    r = owned_rates(colo(power_billing=PowerBilling.PER_KWH, pue=1.5, usd_per_kwh=0.1), CAT)
    assert _items(r)["power"] == usd("547.50")


def test_catalogue_defaults_fill_missing_inputs() -> None:
    """No depreciation/colo/support on the site -> catalogue 60 months, 200 USD/kW, 12 %."""
    r = owned_rates(
        colo(
            depreciation_months=None, colo_usd_per_kw_month=None, support_pct_of_capex_per_year=None
        ),
        CAT,
    )
    assert r.per_month == usd(7200.0)
    assert "owned.depreciation-months" in r.items[0].sources


def test_marginal_basis_prices_power_only() -> None:
    """Marginal: only power 1,000; CPU share 500 -> 500 / (640 x 0.5 x 730) USD/core-h."""
    r = owned_rates(colo(cost_basis=CostBasis.MARGINAL), CAT)
    assert r.per_month == usd(1000.0)
    assert r.usd_per_core_hour == Decimal(500) / (640 * Decimal("0.5") * 730)
    assert _items(r)["capex (amortised)"] == usd(0)


def test_gpu_pool_puts_node_cost_on_gpus() -> None:
    """Pool: 2 x 240,000 / 60 = 8,000 + 20 kW x 200 = 4,000 -> 12,000 USD/month on 16 GPUs;
    at realised utilisation 0.5: 12,000 / (16 x 0.5 x 730) = 2.05479 USD/GPU-h."""
    r = owned_rates(pool(), CAT)
    assert r.per_month == usd(12000.0)
    assert r.usd_per_gpu_hour["h100"] == Decimal(12000) / 5840
    assert r.usd_per_core_hour == 0
    assert abs(r.usd_per_gpu_hour_at(1.0, "h100") - Decimal(12000) / 11680) < Decimal("1e-25")


def test_mixed_kubernetes_node_splits_gpu_by_reference_price() -> None:
    """On a kubernetes site a GPU node (100 cores, 1,000 GiB, 8 h100) splits by weight:
    cpu 100 x 0.025 = 2.5, mem 1,000 x 0.00625 = 6.25, gpu 8 x 10.3 = 82.4 (of 91.15)."""
    site = Site(
        name="k",
        kind=SiteKind.KUBERNETES,
        provider="p",
        region="r",
        jurisdiction=Residency.US,
        failure_domains=("a",),
        availability_pct=99.9,
        capacity=Capacity(100, 1000, {"h100": 8}),
        target_utilisation=1.0,
        owned_cost=OwnedCost(
            node_classes=(
                NodeClass("g", 1, 100, 1000, 91150 * 60 / 100, 0.0, gpus=8, gpu_type="h100"),
            ),
            depreciation_months=60,
            support_pct_of_capex_per_year=0.0,
        ),
    )
    r = owned_rates(site, CAT)
    # monthly cost = 91,150 x 60 / 100 / 60 = 911.5 USD; GPU share 82.4 / 91.15 -> 824 USD
    assert float(r.shares["gpus:h100"]) == pytest.approx(824.0)
    assert float(r.usd_per_gpu_hour["h100"]) == pytest.approx(824 / (8 * 730))
    assert float(r.shares["cpu"]) == pytest.approx(25.0)


def test_default_node_classes_from_capacity() -> None:
    """No node classes: 640 cores -> ceil(640 / 64) = 10 catalogue nodes of 12,000 USD."""
    site = colo(node_classes=())
    r = owned_rates(site, CAT)
    assert r.node_classes[0].count == 10
    assert r.node_classes[0].capex_usd == 12000
    assert r.per_month == usd(7200.0)


def test_breakeven_utilisation() -> None:
    """At 100 % the pool costs 12,000 / (16 x 730) = 1.02740 USD/GPU-h; against 3.0 rent
    owning wins above u* = 1.02740 / 3 = 0.34247."""
    u = breakeven_utilisation(pool(), CAT, 3.0)
    assert u == pytest.approx(12000 / (16 * 730) / 3.0)
    assert u == pytest.approx(0.34247, rel=1e-4)
    assert breakeven_utilisation(pool(), CAT, 0.0) == math.inf


def test_split_with_same_shaped_references_names_field_and_fix() -> None:
    """A hand-built catalogue whose split references share a shape (4 GiB per vCPU) is an
    InputError naming split.memory with a fix, not a bare message."""
    import dataclasses

    from planner.errors import InputError

    cat = dataclasses.replace(CAT, split=dataclasses.replace(CAT.split, memory="aws.m6i.large"))
    with pytest.raises(InputError) as exc:
        split_weights(cat)
    (p,) = exc.value.problems
    assert p.field == "split.memory"
    assert p.fix.startswith("name a memory-optimised instance")


def test_missing_space_and_labour_are_called_out() -> None:
    """A site that gives no labour or space pays 0 for them (no catalogue default): the
    estate lines say so instead of reading like a sourced 0; given values print as is."""
    r = owned_rates(colo(labour_usd_per_month=0.0, space_usd_per_month=0.0), CAT)
    lines = {i.name: i for i in r.items}
    assert lines["labour"].amount == usd(0)
    assert plain(lines["labour"].formula) == (
        "0 USD/month (none given: set labour_usd_per_month for the staff share that runs the site)"
    )
    assert plain(lines["space"].formula) == (
        "0 USD/month (none given: set space_usd_per_month for racks, cross-connects or rent)"
    )
    assert r.per_month == usd(7200.0 - 2000.0 - 1000.0)
    given = {i.name: plain(i.formula) for i in owned_rates(colo(), CAT).items}
    assert given["labour"] == "2,000 USD/month"


def test_shared_owned_lines_equal_owned_lines_whatever_was_priced_first() -> None:
    """One memo per site: workloads that repeat a quantity (2 and 2.0 cores, the same
    storage, egress or GPUs) share its line, and every workload gets ``owned_lines``'
    lines field for field, training GPU-hours included."""
    from cost_world import service, trainer

    from planner.cost.owned_lines import owned_lines, owned_shape, owned_site, shared_owned_lines
    from planner.model import DataSpec, Resources

    def data(egress: float) -> DataSpec:
        return DataSpec(residency=Residency.EU, egress_gib_per_month=egress)

    workloads = [
        service(resources=Resources(cpu=2, memory_gib=8, storage_gib=100), data=data(1500)),
        service(resources=Resources(cpu=2.0, memory_gib=8.0, storage_gib=100.0), data=data(0)),
        service(replicas=4, resources=Resources(cpu=2, memory_gib=9, storage_gib=0)),
        service(resources=Resources(cpu=0.1234567, memory_gib=1, gpus=1, gpu_type="h100")),
        service(resources=Resources(cpu=0.1234568, memory_gib=1, gpus=1, gpu_type="h100")),
        trainer(),
    ]
    for site in (colo(), pool()):
        rates = owned_rates(site, CAT)
        facts = owned_site(site, CAT, rates)
        memo: dict = {}
        for w in workloads * 2:
            req = w.resources
            shape = owned_shape(w, req)
            want = owned_lines(w, req, site, CAT, rates, facts=facts, shape=shape)
            got = shared_owned_lines(w, req, site, CAT, rates, facts=facts, shape=shape, memo=memo)
            assert got == want
            assert [repr(i) for i in got.items] == [repr(i) for i in want.items]
        assert memo  # the lines were shared through it
