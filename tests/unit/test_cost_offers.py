"""offers_for across site kinds: eligibility reasons, owned and leased offers, migration."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from cost_world import cloud, colo, leased_pool, pool, service, tiny_catalogue, trainer, usd

from planner.cost import PriceCache, offers_for, owned_rates_by_site, pool_commitment_items
from planner.fx import plain
from planner.model import DataSpec, PricingOption, Residency, Resources, Settings, WorkloadKind
from planner.money import Money

CAT = tiny_catalogue()
S = Settings()


def test_owned_service_offer() -> None:
    """3 x 3 cores x 730 x 0.0154110 = 101.25; 3 x 12 GiB x 730 x 0.00385274 = 101.25
    (each = share 3,600 x 9 / 320 used cores resp. 36 / 1,280 used GiB)."""
    w = service()
    (o,) = offers_for(w, w.resources, colo(), CAT, S)
    assert o.option is PricingOption.OWNED
    assert o.eligible
    by = {i.name.split(" ")[0]: i.amount for i in o.line_items}
    assert by["cpu"] == usd(3600 * 9 / 320)
    assert by["memory"] == usd(3600 * 36 / 1280)
    assert o.per_month == usd("202.50")
    assert o.usage == {"cpu": 9, "memory_gib": 36}


def test_residency_makes_offer_ineligible_but_priced() -> None:
    """EU data on a US cloud: ineligible with a residency reason, cost still shown."""
    w = service()
    offers = offers_for(w, w.resources, cloud(jurisdiction=Residency.US), CAT, S)
    od = offers[0]
    assert not od.eligible
    assert od.reason == "residency: data must stay in eu, site is in us"
    assert od.per_month == usd(583.0)


def test_availability_below_tier_target() -> None:
    """A tier-1 workload (target 99.95 %) on the 99.5 % pool is ineligible."""
    w = trainer(tier=1)
    (o,) = offers_for(w, w.resources, pool(), CAT, S)
    assert not o.eligible
    assert o.reason == "availability 99.5 % below the tier 1 target 99.95 %"


def test_gpu_workload_on_cpu_site_and_cpu_workload_on_pool() -> None:
    """GPU work on a site without GPUs, and CPU work on a GPU pool, are ineligible."""
    t = trainer(data=DataSpec(residency=Residency.ANY))
    (o,) = offers_for(t, t.resources, colo(), CAT, S)
    assert not o.eligible
    assert "site has no GPUs" in (o.reason or "")
    w = service(data=DataSpec(residency=Residency.ANY))
    (p,) = offers_for(w, w.resources, pool(), CAT, S)
    assert p.reason == "gpu-pool sites host GPU workloads only"


def test_pinned_elsewhere() -> None:
    """A workload pinned to another site is ineligible here."""
    w = service(pinned_site="cloud")
    (o,) = offers_for(w, w.resources, colo(), CAT, S)
    assert o.reason == "pinned to cloud"


def test_training_on_owned_pool() -> None:
    """1,000 GPU-h x 2.05479 USD/GPU-h (12,000 / 5,840) = 2,054.79; storage price 0."""
    w = trainer(hours=1000)
    (o,) = offers_for(w, w.resources, pool(), CAT, S)
    assert o.eligible
    assert o.per_month == usd("2054.79")
    assert o.usd_per_gpu_hour is not None
    assert abs(o.usd_per_gpu_hour - Decimal(12000) / 5840) < Decimal("1e-20")
    assert o.fixed_per_month == usd(0)


def test_leased_pool_and_commitment() -> None:
    """Leased at 2.5 USD/GPU-h: 800 GPU-h -> 2,000; the 1,000 GPU-h minimum is a site-level
    fixed cost of 1,000 x 2.5 = 2,500 (pool_commitment_items), not inside the offer."""
    w = trainer()
    site = leased_pool(2.5, minimum=1000)
    (o,) = offers_for(w, w.resources, site, CAT, S)
    assert o.option is PricingOption.LEASED
    assert o.per_month == usd(2000.0)
    assert "minimum of 1,000 GPU-h/month" in plain(o.line_items[0].formula)
    (c,) = pool_commitment_items(site, CAT)
    assert c.amount == usd(2500)


def test_gpuaas_falls_back_to_catalogue_price() -> None:
    """Without a contract price the catalogue's gpuaas.default.h100 (3.0) is used."""
    w = trainer()
    (o,) = offers_for(w, w.resources, leased_pool(None), CAT, S)
    assert o.per_month == usd(800 * 3.0)
    assert o.line_items[0].sources == ("gpuaas.default.h100",)


def test_migration_items() -> None:
    """Moving from the cloud to colo: dataset 1,000 GiB egress from the SOURCE cloud
    = 100 x 0 + 900 x 0.1 = 90; engineering 8,000; one month double running at the cloud's
    on-demand 583 -> 8,673 USD one-off."""
    w = service(current_site="cloud")
    (o,) = offers_for(w, w.resources, colo(), CAT, S, current=cloud())
    names = {i.name: i.amount for i in o.migration_items}
    assert names == {
        "dataset egress from cloud": usd(90),
        "engineering": usd(8000),
        "double running": usd(583),
    }
    assert o.migration == usd(8673.0)


def test_no_migration_when_staying() -> None:
    """An offer on the current site carries no migration cost."""
    w = service(current_site="cloud")
    od = offers_for(w, w.resources, cloud(), CAT, S, current=cloud())[0]
    assert od.migration == usd(0)
    assert od.migration_items == ()


def test_migration_from_owned_uses_owned_egress_and_settings() -> None:
    """From colo (owned egress 0) with 2 months double running at 202.5 and 5,000 per move:
    0 + 5,000 + 2 x 202.5 = 5,405."""
    w = service(current_site="colo")
    settings = Settings(engineering_usd_per_move=5000, double_running_months=2)
    od = offers_for(w, w.resources, cloud(), CAT, settings, current=colo())[0]
    assert od.migration == usd(5405.0)


def test_a_price_cache_gives_the_same_offers() -> None:
    """offers_for with a PriceCache (filled by owned_rates_by_site) equals the uncached
    result, for owned and cloud sites and a workload that moves."""
    w = service(current_site="cloud")
    cache = PriceCache()
    owned_rates_by_site((colo(), cloud()), CAT, S, cache=cache)
    for site in (colo(), cloud(), colo()):
        assert offers_for(w, w.resources, site, CAT, S, current=cloud(), cache=cache) == (
            offers_for(w, w.resources, site, CAT, S, current=cloud())
        )


def test_a_price_cache_never_returns_stale_prices_after_a_replace() -> None:
    """A site changed with dataclasses.replace (new labour, new override) is priced anew
    through the same cache: entries are checked against the site's content, not its name or
    identity."""
    w = service(current_site="cloud")
    cache = PriceCache()
    site = colo()
    (before,) = offers_for(w, w.resources, site, CAT, S, current=cloud(), cache=cache)
    dearer = replace(site, owned_cost=replace(site.owned_cost, labour_usd_per_month=20000.0))
    (after,) = offers_for(w, w.resources, dearer, CAT, S, current=cloud(), cache=cache)
    assert after.per_month > before.per_month
    assert after == offers_for(w, w.resources, dearer, CAT, S, current=cloud())[0]
    cheap_cloud = replace(cloud(), price_overrides={"aws.m6i.xlarge.r1.on-demand": 0.1})
    od = offers_for(w, w.resources, cheap_cloud, CAT, S, cache=cache)[0]
    assert od.per_month == usd(219 + 30 + 115)
    (moved,) = offers_for(w, w.resources, colo(), CAT, S, current=cheap_cloud, cache=cache)
    assert moved.migration_items[-1].amount == usd(364)  # double running at the new price


def test_inputs_are_not_mutated() -> None:
    """offers_for returns new values; the request and site are unchanged."""
    w = service()
    req = Resources(cpu=3, memory_gib=12, storage_gib=100)
    site = colo()
    offers_for(w, req, site, CAT, S)
    assert req == Resources(cpu=3, memory_gib=12, storage_gib=100)
    assert site == colo()


def test_inference_on_owned_pool_charges_gpus_only() -> None:
    """2 replicas x 2 GPUs x 730 h x 2.05479 (12,000 / 5,840) = 6,000; host CPU and memory
    are inside a pool's GPU rate, so there is no cpu or memory line."""
    w = trainer(
        training=None,
        replicas=2,
        resources=Resources(cpu=8, memory_gib=64, gpus=2, gpu_type="h100"),
    )
    (o,) = offers_for(w, w.resources, pool(), CAT, S)
    assert o.per_month == usd(6000.0)
    assert [i.name.split(" ")[0] for i in o.line_items] == ["GPUs"]


def test_double_running_uses_the_declared_current_option() -> None:
    """current_option commit-3y: double running at 219 + 30 + 115 = 364 (not on-demand 583);
    8,000 + 90 + 364 = 8,454."""
    w = service(current_site="cloud", current_option=PricingOption.COMMIT_3Y)
    (o,) = offers_for(w, w.resources, colo(), CAT, S, current=cloud())
    assert o.migration == usd(8454.0)
    assert "(commit-3y)" in plain(o.migration_items[-1].formula)


def test_zero_owned_storage_and_egress_say_they_are_assumptions() -> None:
    """The catalogue's owned storage and egress defaults are 0 and unsourced: the line says
    so; a site's own price (0.02 USD/GiB-month: 3 x 100 x 0.02 = 6) drops the note."""
    w = service()
    (o,) = offers_for(w, w.resources, colo(), CAT, S)
    lines = {i.name: i for i in o.line_items}
    assert lines["storage (owned)"].amount == Money.zero("USD")
    assert plain(lines["storage (owned)"].formula) == (
        "3 x 100 GiB x 0 USD/GiB-month (0: ASSUMPTION that node capex includes the disks; "
        "set price_overrides owned.storage.usd-per-gib-month if storage is bought separately)"
    )
    assert plain(lines["egress (owned transit)"].formula).startswith(
        "1,500 GiB x 0 USD/GiB (0: ASSUMPTION of flat-rate transit"
    )
    priced = replace(colo(), price_overrides={"owned.storage.usd-per-gib-month": 0.02})
    (o2,) = offers_for(w, w.resources, priced, CAT, S)
    storage = next(i for i in o2.line_items if i.name == "storage (owned)")
    assert storage.amount == usd(6)
    assert plain(storage.formula) == "3 x 100 GiB x 0.02 USD/GiB-month"


def test_batch_moves_without_double_running_by_default() -> None:
    """The service of test_migration_items as a batch job: it is stopped and resumed, so its
    double running is 0 (shown as a 0 line), and the move costs 90 + 8,000 = 8,090 USD."""
    w = service(current_site="cloud", kind=WorkloadKind.BATCH)
    (o,) = offers_for(w, w.resources, colo(), CAT, S, current=cloud())
    names = {i.name: i.amount for i in o.migration_items}
    assert names["double running"] == usd(0)
    assert o.migration == usd(8090)
    lines = {i.name: i for i in o.migration_items}
    assert lines["double running"].sources == ("settings.double_running_months_by_kind.batch",)


def test_exit_waiver_zeroes_the_dataset_egress_of_a_move_out() -> None:
    """With settings.egress_exit_waiver the 90 USD of dataset egress out of the cloud is
    waived: 8,000 engineering + 583 double running = 8,583 USD."""
    w = service(current_site="cloud")
    waived = replace(S, egress_exit_waiver=True)
    (o,) = offers_for(w, w.resources, colo(), CAT, waived, current=cloud())
    names = {i.name: i.amount for i in o.migration_items}
    assert names["dataset egress from cloud"] == usd(0)
    assert o.migration == usd(8583)


def test_marked_prices_keep_the_text_of_equal_decimals() -> None:
    """``pnum`` and ``unit_price`` mark each Decimal as it is written, whichever equal one
    (``0.23``, ``0.230``) was formatted first: the formula text does not depend on order."""
    from decimal import Decimal

    from planner.cost.common import pnum, unit_price

    assert "p0.23\x81" in pnum(Decimal("0.23"))
    assert "p0.230\x81" in pnum(Decimal("0.230"))
    assert "p0.4\x81" in unit_price(Decimal("0.4"))
    assert "p0.400\x81" in unit_price(Decimal("0.400"))
