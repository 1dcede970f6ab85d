"""Hypothesis properties of the cost model: monotone in size, price and hours; discounts
never raise cost; owned USD/GPU-hour falls as utilisation rises; every total is exactly the
sum of the line items shown."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from cost_world import cloud, colo, leased_pool, pool, service, tiny_catalogue, trainer
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.cost import horizon_summary, offers_for, owned_rates
from planner.model import DataSpec, PricingOption, Resources, Settings
from planner.money import Money

CAT = tiny_catalogue()
S = Settings()
FAST = settings(max_examples=40, deadline=None)

cpu = st.floats(min_value=0.25, max_value=4, allow_nan=False)
mem = st.floats(min_value=0.5, max_value=32, allow_nan=False)
replicas = st.integers(min_value=1, max_value=6)
egress = st.floats(min_value=0, max_value=200_000, allow_nan=False)
storage = st.floats(min_value=0, max_value=10_000, allow_nan=False)


def _costs(w, site, **kw) -> dict[PricingOption, Money]:
    return {
        o.option: o.per_month
        for o in offers_for(w, w.resources, site, CAT, S, **kw)
        if o.line_items
    }


@FAST
@given(
    st.tuples(cpu, mem, replicas, egress, storage),
    st.tuples(st.floats(0, 2), st.floats(0, 8), st.integers(0, 3)),
    st.sampled_from([1, 2]),
)
def test_cost_never_falls_when_size_rises(size, grow, tier) -> None:
    """Growing cpu, memory, replicas, egress or storage never lowers any offer's cost, for
    tier 1 (one replica per cloud instance) as for tier 2 (packed)."""
    c, m, n, e, s = size
    dc, dm, dn = grow
    small = service(
        replicas=n,
        tier=tier,
        resources=Resources(cpu=c, memory_gib=m, storage_gib=s),
        data=DataSpec(egress_gib_per_month=e),
    )
    big = service(
        replicas=n + dn,
        tier=tier,
        resources=Resources(cpu=min(c + dc, 4), memory_gib=min(m + dm, 32), storage_gib=s * 1.5),
        data=DataSpec(egress_gib_per_month=e * 2),
    )
    for site in (cloud(), colo()):
        a, b = _costs(small, site), _costs(big, site)
        for opt, usd in a.items():
            if opt in b:
                assert b[opt] >= usd


@FAST
@given(st.floats(0.01, 5), st.floats(1.0, 3.0))
def test_cost_never_falls_when_price_rises(p, factor) -> None:
    """Raising an instance price (site override) never lowers the on-demand cost."""
    w = service()
    lo = cloud(price_overrides={"aws.m6i.xlarge.r1.on-demand": p})
    hi = cloud(price_overrides={"aws.m6i.xlarge.r1.on-demand": p * factor})
    assert _costs(w, hi)[PricingOption.ON_DEMAND] >= _costs(w, lo)[PricingOption.ON_DEMAND]


@FAST
@given(st.floats(1, 5000), st.floats(0, 5000))
def test_cost_never_falls_when_hours_rise(h, dh) -> None:
    """More GPU-hours never cost less, on the cloud or on the owned pool."""
    for site in (cloud(), pool()):
        a, b = _costs(trainer(hours=h), site), _costs(trainer(hours=h + dh), site)
        for opt, usd in a.items():
            assert b[opt] >= usd


@FAST
@given(st.floats(0, 99), st.floats(0, 99))
def test_discounts_never_raise_cost(site_pct, commit_pct) -> None:
    """A negotiated discount or a commitment discount never raises cost above on-demand."""
    w = service()
    base = _costs(w, cloud())[PricingOption.ON_DEMAND]
    discounted = _costs(w, cloud(discount_pct=site_pct))
    assert discounted[PricingOption.ON_DEMAND] <= base
    site = cloud(price_overrides={"aws.discount.commit-1y-pct": commit_pct})
    assert _costs(w, site)[PricingOption.COMMIT_1Y] <= base


@FAST
@given(st.floats(0.05, 1.0), st.floats(0.0, 0.95))
def test_owned_gpu_hour_falls_as_utilisation_rises(u, du) -> None:
    """Effective owned USD/GPU-hour is non-increasing in utilisation."""
    u2 = min(1.0, u + du)
    lo = owned_rates(pool(utilisation=u), CAT).usd_per_gpu_hour["h100"]
    hi = owned_rates(pool(utilisation=u2), CAT).usd_per_gpu_hour["h100"]
    assert hi <= lo


@FAST
@given(st.floats(0.05, 1.0))
def test_owned_rates_scale_as_one_over_utilisation(u) -> None:
    """Owned cost per used core-hour x utilisation is constant."""
    site = dataclasses.replace(colo(), target_utilisation=u)
    r = owned_rates(site, CAT)
    expected = Decimal(3600) / (640 * 730)
    assert abs(r.usd_per_core_hour * Decimal(repr(u)) - expected) < Decimal("1e-20")


amounts = st.integers(min_value=0, max_value=10**9).map(lambda c: Money(c, "USD"))


@FAST
@given(amounts, amounts, amounts, st.integers(1, 120), st.floats(0, 30))
def test_horizon_invariants(before, after, one_off, months, rate) -> None:
    """Savings = before - after totals, exactly; NPV never exceeds the undiscounted savings
    when the move saves money; a break-even month, when given, really breaks even, and the
    month before does not."""
    h = horizon_summary(before, after, one_off, months, rate)
    assert h.savings == before * months - one_off - after * months
    if before >= after:
        assert h.npv <= h.savings
    if h.breakeven_month is not None:
        m = h.breakeven_month
        assert one_off + after * m <= before * m
        if m > 0:
            assert one_off + after * (m - 1) > before * (m - 1)


sites = st.sampled_from(["cloud", "discounted", "colo", "pool", "leased"])


def _site(name: str):
    return {
        "cloud": cloud(),
        "discounted": cloud(discount_pct=7.5),
        "colo": colo(),
        "pool": pool(),
        "leased": leased_pool(2.5),
    }[name]


@FAST
@given(
    st.tuples(cpu, mem, replicas, egress, storage),
    st.floats(1, 5000),
    sites,
    st.booleans(),
)
def test_every_offer_total_is_the_sum_of_its_line_items(size, hours, site_name, moving) -> None:
    """For services and training on every kind of site: ``per_month`` is exactly the sum of
    the line items, ``migration`` of the migration items, and every amount is Money (no
    float anywhere in an offer's money)."""
    c, m, n, e, s = size
    workloads = [
        service(
            replicas=n,
            resources=Resources(cpu=c, memory_gib=m, storage_gib=s),
            data=DataSpec(egress_gib_per_month=e, dataset_gib=s),
            current_site="cloud" if moving else None,
        ),
        trainer(hours=hours, current_site="cloud" if moving else None),
    ]
    site = _site(site_name)
    for w in workloads:
        for o in offers_for(w, w.resources, site, CAT, S, current=cloud()):
            assert isinstance(o.per_month, Money)
            assert Money.total((i.amount for i in o.line_items), "USD") == o.per_month
            assert Money.total((i.amount for i in o.migration_items), "USD") == o.migration
            if o.fixed_per_month is not None:
                assert isinstance(o.usd_per_gpu_hour, Decimal)


@FAST
@given(st.floats(0.05, 1.0), st.floats(0, 5000), st.floats(0, 5000))
def test_owned_estate_total_is_the_sum_of_its_lines(u, space, labour) -> None:
    """An owned estate's monthly cost is exactly the sum of its lines, at any utilisation."""
    site = dataclasses.replace(
        colo(space_usd_per_month=space, labour_usd_per_month=labour), target_utilisation=u
    )
    r = owned_rates(site, CAT)
    assert Money.total((i.amount for i in r.items), "USD") == r.per_month
