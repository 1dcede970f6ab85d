"""Cloud cost: instance choice, options, spot overhead, discounts, storage, egress tiers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from cost_world import cloud, service, tiny_catalogue, trainer, usd

from planner.cost import offers_for
from planner.errors import InputError
from planner.fx import plain
from planner.model import (
    DataSpec,
    Offer,
    PricingOption,
    Residency,
    Resources,
    Settings,
    WorkloadKind,
)
from planner.money import Money

CAT = tiny_catalogue()
S = Settings()


def _by_option(offers: tuple[Offer, ...]) -> dict[PricingOption, Offer]:
    return {o.option: o for o in offers}


def _items(o: Offer) -> dict[str, Money]:
    return {i.name: i.amount for i in o.line_items}


def test_on_demand_service_line_by_line() -> None:
    """3 cores/12 GiB fits m6i.xlarge (0.2/h; r6i.xlarge 0.3/h is dearer):
    compute 3 x 730 x 0.2 = 438; storage 3 x 100 GiB x 0.1 = 30;
    egress 1,500 GiB = 100 x 0 + 900 x 0.1 + 500 x 0.05 = 115; total 583."""
    o = _by_option(offers_for(service(), service().resources, cloud(), CAT, S))
    od = o[PricingOption.ON_DEMAND]
    assert od.eligible
    assert od.instance_type == "m6i.xlarge"
    assert _items(od) == {
        "compute (m6i.xlarge, on-demand)": usd(438),
        "storage (EBS gp3)": usd(30),
        "egress": usd(115),
    }
    assert od.per_month == usd(583.0)
    assert plain(od.line_items[0].formula) == "3 x m6i.xlarge x 730 h x 0.2 USD/h"
    assert od.line_items[0].sources == ("aws.m6i.xlarge.r1.on-demand",)
    assert plain(od.line_items[2].formula) == (
        "1,500 GiB/month by tier: 100 GiB x 0 + 900 GiB x 0.1 + 500 GiB x 0.05 USD/GiB"
    )


def test_commitments_apply_the_catalogue_discount() -> None:
    """1y: 438 x (1 - 0.30) = 306.6 -> 451.6; 3y: 438 x 0.5 = 219 -> 364."""
    o = _by_option(offers_for(service(), service().resources, cloud(), CAT, S))
    assert o[PricingOption.COMMIT_1Y].per_month == usd(306.6 + 30 + 115)
    assert o[PricingOption.COMMIT_3Y].per_month == usd(219 + 30 + 115)
    assert "aws.discount.commit-1y-pct" in o[PricingOption.COMMIT_1Y].line_items[0].sources


def test_spot_adds_interruption_overhead() -> None:
    """Spot 0.08/h: 3 x 730 x 0.08 = 175.2, +20 % overhead 35.04, + 30 + 115 = 355.24."""
    spot = _by_option(offers_for(service(), service().resources, cloud(), CAT, S))[
        PricingOption.SPOT
    ]
    assert spot.eligible
    assert _items(spot)["spot interruption overhead"] == usd("35.04")
    assert spot.per_month == usd(355.24)


def test_spot_never_for_tier1_or_when_disallowed() -> None:
    """Tier 1 and allow_spot: false make spot ineligible, still priced for diagnosis."""
    for w in (service(tier=1), service(allow_spot=False)):
        spot = _by_option(offers_for(w, w.resources, cloud(), CAT, S))[PricingOption.SPOT]
        assert not spot.eligible
        assert "spot" in (spot.reason or "")
        assert spot.per_month == usd(355.24)


def test_capacity_block_is_gpu_only() -> None:
    """A CPU service gets an unpriced, ineligible capacity-block offer."""
    cb = _by_option(offers_for(service(), service().resources, cloud(), CAT, S))[
        PricingOption.CAPACITY_BLOCK
    ]
    assert not cb.eligible
    assert cb.reason == "capacity blocks are sold for GPU instances only"
    assert cb.per_month == usd(0)


def test_negotiated_discount_is_a_negative_line() -> None:
    """Site discount 10 %: -438 x 10 % = -43.8 -> 583 - 43.8 = 539.2."""
    od = _by_option(offers_for(service(), service().resources, cloud(discount_pct=10), CAT, S))[
        PricingOption.ON_DEMAND
    ]
    assert _items(od)["negotiated discount"] == usd("-43.80")
    assert od.per_month == usd(539.2)


def test_site_price_override_wins() -> None:
    """An override of m6i.xlarge to 0.1/h: compute 3 x 730 x 0.1 = 219 -> 364."""
    site = cloud(price_overrides={"aws.m6i.xlarge.r1.on-demand": 0.1})
    od = _by_option(offers_for(service(), service().resources, site, CAT, S))[
        PricingOption.ON_DEMAND
    ]
    assert od.per_month == usd(219 + 30 + 115)


def test_training_is_linear_in_gpu_hours() -> None:
    """800 GPU-h on p5 (100/h, 8 GPUs): 800 x 12.5 = 10,000 + checkpoints 500 x 0.02 = 10."""
    w = trainer()
    o = _by_option(offers_for(w, w.resources, cloud(), CAT, S))
    od = o[PricingOption.ON_DEMAND]
    assert od.per_month == usd(10010.0)
    assert od.usd_per_gpu_hour == Decimal("12.5")
    assert od.fixed_per_month == usd(10)
    assert plain(od.line_items[0].formula) == "800 GPU-h x 100 USD/h / 8 GPUs"
    # spot: 800 x 30 / 8 = 3,000 + 10 % = 300 -> slope 3.75 x 1.1 = 4.125
    sp = o[PricingOption.SPOT]
    assert sp.per_month == usd(3310.0)
    assert sp.usd_per_gpu_hour == Decimal("4.125")
    # capacity block: 800 x 40 / 8 = 4,000
    assert o[PricingOption.CAPACITY_BLOCK].per_month == usd(4010.0)
    w2 = trainer(hours=1600)
    od2 = _by_option(offers_for(w2, w2.resources, cloud(), CAT, S))[PricingOption.ON_DEMAND]
    assert od.fixed_per_month is not None
    assert od.usd_per_gpu_hour is not None
    assert od2.per_month == od.fixed_per_month + Money.of(1600 * od.usd_per_gpu_hour, "USD")


def test_training_usage_average_and_peak() -> None:
    """800 GPU-h -> 800 / 730 = 1.0959 average GPUs; deadline 10 days -> 800 / 240 = 3.33."""
    w = trainer()
    od = offers_for(w, w.resources, cloud(), CAT, S)[0]
    assert od.usage["gpus:h100"] == pytest.approx(800 / 730)
    assert od.usage["peak_gpus:h100"] == pytest.approx(800 / 240)
    assert od.usage["cpu"] == pytest.approx(800 / 730 * 12)


def test_gpu_type_absent_in_region() -> None:
    """An a100 request in r1 (only h100 priced) is ineligible and names the GPU type."""
    w = trainer(resources=Resources(cpu=8, memory_gib=64, gpus=1, gpu_type="a100"))
    o = offers_for(w, w.resources, cloud(), CAT, S)[0]
    assert not o.eligible
    assert "GPU type a100 absent" in (o.reason or "")


def test_nothing_fits_names_the_largest() -> None:
    """64 cores fit no CPU instance in r1: reason names the largest (r6i.xlarge)."""
    w = service(resources=Resources(cpu=64, memory_gib=16))
    o = offers_for(w, w.resources, cloud(), CAT, S)[0]
    assert not o.eligible
    assert "largest: r6i.xlarge" in (o.reason or "")


def test_missing_family_price_names_family_and_site() -> None:
    """Region r2 has only a p5 price: a CPU workload there is an InputError naming the
    instance families and the site."""
    w = service(data=service().data)
    with pytest.raises(InputError) as exc:
        offers_for(w, w.resources, cloud(region="r2"), CAT, S)
    text = exc.value.render()
    assert "m6i" in text
    assert "r6i" in text
    assert "sites.cloud" in text
    assert "To fix" in text or "use a priced region" in text


def test_unknown_region_is_an_input_error() -> None:
    """A price region without any prices is reported with the known regions."""
    with pytest.raises(InputError, match="invalid cost inputs"):
        offers_for(service(), service().resources, cloud(region="mars-1"), CAT, S)


def test_replicas_are_packed_onto_big_gpu_instances() -> None:
    """3 replicas x (16 cores, 160 GiB, 2 h100) on p5 (192/2048/8): k = min(3, 12, 12.8, 4)
    = 3 per instance, instances = max(ceil(3 / 3), min(3, 2)) = 2 -> 2 x 730 x 100 = 146,000."""
    w = service(
        kind=trainer().kind,
        training=None,
        resources=Resources(cpu=16, memory_gib=160, gpus=2, gpu_type="h100"),
        data=DataSpec(residency=Residency.EU),
    )
    od = _by_option(offers_for(w, w.resources, cloud(), CAT, S))[PricingOption.ON_DEMAND]
    assert od.per_month == usd(146000.0)
    assert plain(od.line_items[0].formula) == (
        "2 x p5.48xlarge x 730 h x 100 USD/h (3 replicas as 2 + 1: up to 3 per instance, "
        "never all on one instance)"
    )


def test_zero_request_packs_all_replicas() -> None:
    """A request of 0 cores and 0 GiB fits any instance: two of the cheapest (m6i.large)."""
    w = service(resources=Resources(cpu=0, memory_gib=0), data=DataSpec())
    od = _by_option(offers_for(w, w.resources, cloud(), CAT, S))[PricingOption.ON_DEMAND]
    assert od.instance_type == "m6i.large"
    assert od.per_month == usd(2 * 730 * 0.1)


SMALL = Resources(cpu=0.5, memory_gib=2)
"""Four fit one m6i.large (2 vCPU / 8 GiB, 0.1 USD/h in the tiny catalogue)."""


def test_tier2_replicas_share_instances_but_never_all_on_one() -> None:
    """Tier 2, 3 replicas x (0.5 cores, 2 GiB): 4 fit an m6i.large, but never all on one
    instance -> 2 instances (2 + 1): 2 x 730 x 0.1 = 146; the line says the layout."""
    w = service(resources=SMALL, data=DataSpec())
    od = _by_option(offers_for(w, w.resources, cloud(), CAT, S))[PricingOption.ON_DEMAND]
    assert od.per_month == usd(146.0)
    assert plain(od.line_items[0].formula) == (
        "2 x m6i.large x 730 h x 0.1 USD/h (3 replicas as 2 + 1: up to 3 per instance, "
        "never all on one instance)"
    )


def test_tier1_database_replicas_one_per_instance() -> None:
    """Tier-1 database, 3 replicas: 2 + 1 would lose quorum with the 2-replica instance, so
    one per instance -> 3 x 730 x 0.1 = 219 (tier 2 above: 146)."""
    w = service(kind=WorkloadKind.DATABASE, tier=1, resources=SMALL, data=DataSpec())
    od = _by_option(offers_for(w, w.resources, cloud(), CAT, S))[PricingOption.ON_DEMAND]
    assert od.per_month == usd(219.0)
    assert plain(od.line_items[0].formula) == (
        "3 x m6i.large x 730 h x 0.1 USD/h (3 replicas, one per instance; tier 1: one per "
        "instance, so losing an instance loses one replica)"
    )


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6], ids=lambda n: f"{n}-replicas")
def test_tier1_cost_is_one_instance_per_replica_and_monotone(n: int) -> None:
    """Tier 1, n replicas of (0.5 cores, 2 GiB): n x 730 x 0.1 USD (monotone in n, unlike a
    quorum cap (n - 1) // 2 per instance, under which 5 replicas (3 instances) would cost
    less than 4 (4 instances))."""
    w = service(tier=1, replicas=n, resources=SMALL, data=DataSpec())
    od = _by_option(offers_for(w, w.resources, cloud(), CAT, S))[PricingOption.ON_DEMAND]
    assert od.per_month == usd(n * 730 * 0.1)


def test_one_replica_gpu_service_pays_for_the_instance_not_per_gpu() -> None:
    """A 1-replica service needing 1 h100: p5.48xlarge is cheaper per GPU (100 / 8 = 12.5)
    than a 1-GPU p5.4xlarge at 20/h, but the service pays for the whole instance:
    p5.4xlarge 730 x 20 = 14,600, not 730 x 100 = 73,000. Training, priced per GPU-hour,
    still takes the cheapest per GPU."""
    from cost_world import tiny_data

    from planner.catalogue import parse_catalogue

    data = tiny_data()
    data["instances"]["aws.p5.4xlarge"] = {
        "family": "p5",
        "vcpu": 16,
        "memory_gib": 256,
        "gpus": 1,
        "gpu_type": "h100",
    }
    data["prices"]["aws.p5.4xlarge.r1.on-demand"] = dict(
        data["prices"]["aws.p5.48xlarge.r1.on-demand"], value=20.0
    )
    cat = parse_catalogue(data, source="t")
    w = service(
        replicas=1,
        resources=Resources(cpu=8, memory_gib=64, gpus=1, gpu_type="h100"),
        data=DataSpec(),
    )
    od = _by_option(offers_for(w, w.resources, cloud(), cat, S))[PricingOption.ON_DEMAND]
    assert od.instance_type == "p5.4xlarge"
    assert od.per_month == usd(14600.0)
    t = trainer(hours=800, resources=Resources(cpu=8, memory_gib=64, gpus=1, gpu_type="h100"))
    tr = _by_option(offers_for(t, t.resources, cloud(), cat, S))[PricingOption.ON_DEMAND]
    assert tr.instance_type == "p5.48xlarge"  # per GPU-hour: 800 x 100 / 8 = 10,000
    assert tr.line_items[0].amount == usd(10000)


def test_batch_duty_cycle_is_priced_by_hours_used_but_commitments_bill_every_hour() -> None:
    """The service as a batch job running 153.3 h a month (21 % of 730): on-demand compute
    is 3 x 153.3 x 0.2 = 91.98 (not 438); a 1-year commitment bills every hour of its term:
    438 x (1 - 0.30) = 306.6, as for an always-on service."""
    w = service(kind=WorkloadKind.BATCH, hours_per_month=153.3)
    o = _by_option(offers_for(w, w.resources, cloud(), CAT, S))
    od = o[PricingOption.ON_DEMAND]
    assert _items(od)["compute (m6i.xlarge, on-demand)"] == usd("91.98")
    assert plain(od.line_items[0].formula) == (
        "3 x m6i.xlarge x 153.3 h (hours_per_month; 730 h if always on) x 0.2 USD/h"
    )
    assert od.line_items[0].sources[-1] == "workloads.api.hours_per_month"
    assert o[PricingOption.COMMIT_1Y].per_month == usd(306.6 + 30 + 115)
