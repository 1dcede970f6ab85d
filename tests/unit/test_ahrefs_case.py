"""The published Ahrefs case reproduced with the tool's own model and catalogue.

Source: Efim Mirochnik, "How Ahrefs Saved US$400M in 3 Years by NOT Going to the Cloud",
Ahrefs tech blog on Medium, March 2023; figures as quoted by secondary coverage
(techerati.com "Ahrefs claims $400m savings...", blog.vonng.com/en/cloud/ahrefs-saving,
computernetworktopology.com): one colocated server in Singapore would cost **17,557 USD/month**
on AWS, **11.3x** its own cost (so about 17,557 / 11.3 = 1,554 USD/month owned), hardware
amortised to zero over 5 years. The AWS figure was EC2 5,606 + EBS gp3 11,486 (65 %) + data
transfer 464 USD/month, for TWO EC2 instances "with half the cores and 1 TB RAM" each.

The server, as we read the public post (UNCERTAIN where marked):

* "high core-count CPUs": we assume 2 x 64-core AMD EPYC = 128 cores / 256 threads
  (ASSUMPTION: the post gives no count; "half the cores" per EC2 instance -> 128 vCPU);
* 2 TB RAM, 2 x 100 Gbps, on average 16 x 15 TB NVMe drives (stated);
* capex: not published. We take the catalogue's general-purpose node (30,000 USD, Dell
  R7625 class) plus 16 x 2,000 USD for 15 TB NVMe drives (ASSUMPTION) = 62,000 USD;
* power 1.5 kW (ASSUMPTION: catalogue node 0.6 kW + 16 NVMe + 2 TB DRAM + NICs), at the
  catalogue's global colo average 217.30 USD/kW-month (CBRE Q1 2025; Singapore is not in
  CBRE's North-America series), support at the catalogue's 10 %/yr, no labour (the post's
  per-server cost was hardware, colo, energy and transit).

On the AWS side the tool picks the cheapest instance that fits 128 vCPU / 1,024 GiB in its
catalogue (r6i.32xlarge, us-east-1: the catalogue has no ap-southeast-1 prices) and prices
the drives' raw capacity on gp3.

Result (USD/month):

==========================  ========  ============  =======================================
item                        Ahrefs    this model    why they differ
==========================  ========  ============  =======================================
EC2, 2 instances            5,606     5,887 (3y)    commit-3y r6i vs their (unstated) terms
EBS gp3                     11,486    17,881        we price all 240 TB raw; they priced
                                                    about 120-140 TB (usable?) - unknown
data transfer               464       452           5 TB/month assumed
AWS total                   17,557    24,220 (3y)   dominated by the storage volume
owned server                ~1,554    1,876         capex and power are our assumptions
ratio                       11.3x     12.9x (3y)    +14 %; 16.0x on demand, 14.3x commit-1y
==========================  ========  ============  =======================================

So the ratio lands within 15 % of the published 11.3x on the tool's cheapest cloud option
(3-year commitment), and compute alone is within 5 % of Ahrefs' EC2 figure. The gap is
explained by the storage volume priced (the largest line, 65-74 % of the AWS bill) and by
the owned capex, neither of which the post states; had we priced Ahrefs' own EBS figure the
AWS total would be 5,887 + 11,486 + 452 = 17,825 (1.5 % above 17,557).
"""

from __future__ import annotations

import pytest
from cost_world import usd

from planner.catalogue import Catalogue, load_default_catalogue
from planner.cost import offers_for
from planner.model import (
    Capacity,
    CloudCost,
    DataSpec,
    NodeClass,
    OwnedCost,
    PricingOption,
    Residency,
    Resources,
    Settings,
    Site,
    SiteKind,
    Workload,
    WorkloadKind,
)

PUBLISHED_AWS_USD_PER_MONTH = 17_557.0
PUBLISHED_RATIO = 11.3
PUBLISHED_EC2_USD_PER_MONTH = 5_606.0
GIB_PER_TB = 1e12 / 2**30  # 931.32 GiB in a (decimal) drive terabyte


def _world() -> tuple[Catalogue, Site, Site, Workload]:
    cat = load_default_catalogue()
    # a site as sites.yaml gives it (cost inputs are loaded as numbers, read exactly)
    capex = float(cat.prices["owned.node.general-purpose.capex-usd"].value) + 16 * 2_000.0
    colo = Site(
        name="ahrefs-sg",
        kind=SiteKind.KUBERNETES,
        provider="colo",
        region="sg",
        jurisdiction=Residency.ANY,
        failure_domains=("sg",),
        availability_pct=99.99,
        capacity=Capacity(256, 2048),
        target_utilisation=1.0,
        owned_cost=OwnedCost(
            node_classes=(NodeClass("ahrefs-server", 1, 256, 2048, capex, 1.5),),
            colo_usd_per_kw_month=float(cat.prices["owned.colo-usd-per-kw-month.global"].value),
        ),
    )
    aws = Site(
        name="aws",
        kind=SiteKind.CLOUD,
        provider="aws",
        region="us-east-1",
        jurisdiction=Residency.ANY,
        failure_domains=("a", "b", "c"),
        availability_pct=99.99,
        capacity=None,
        cloud_cost=CloudCost(price_region="us-east-1"),
    )
    drives_gib = 16 * 15 * GIB_PER_TB
    server = Workload(
        name="ahrefs-server",
        team="ahrefs",
        kind=WorkloadKind.DATABASE,
        tier=2,
        replicas=2,
        resources=Resources(cpu=128, memory_gib=1024, storage_gib=drives_gib / 2),
        data=DataSpec(egress_gib_per_month=5 * 1024),
    )
    return cat, colo, aws, server


def test_ahrefs_ratio_within_15_percent_of_published() -> None:
    """AWS (cheapest option, commit-3y) / owned = 12.9x vs the published 11.3x (+14 %)."""
    cat, colo, aws, server = _world()
    (owned,) = offers_for(server, server.resources, colo, cat, Settings())
    cloud = {
        o.option: o
        for o in offers_for(server, server.resources, aws, cat, Settings())
        if o.eligible
    }
    best = min(cloud.values(), key=lambda o: o.per_month)
    assert best.option is PricingOption.COMMIT_3Y
    assert best.instance_type == "r6i.32xlarge"
    # owned: capex 62,000 / 60 = 1,033.33 + power 1.5 kW x 217.30 = 325.95
    #        + support 62,000 x 10 % / 12 = 516.67 -> 1,875.95 USD/month
    assert owned.per_month == usd("1875.95")
    ratio = float(best.per_month.ratio(owned.per_month))
    assert ratio == pytest.approx(12.91, abs=0.01)
    assert abs(ratio / PUBLISHED_RATIO - 1) < 0.15
    on_demand = float(cloud[PricingOption.ON_DEMAND].per_month.ratio(owned.per_month))
    assert on_demand == pytest.approx(16.05, abs=0.01)


def test_ahrefs_compute_matches_and_storage_explains_the_gap() -> None:
    """EC2 2 x r6i.32xlarge x 730 h x 8.064 x 0.5 = 5,886.72 (Ahrefs 5,606, +5 %); pricing
    Ahrefs' own EBS figure instead of the raw drives gives 17,825 (+1.5 % on 17,557)."""
    cat, _, aws, server = _world()
    best = next(
        o
        for o in offers_for(server, server.resources, aws, cat, Settings())
        if o.option is PricingOption.COMMIT_3Y
    )
    items = {i.name.split(" (")[0]: i.amount for i in best.line_items}
    assert items["compute"] == usd("5886.72")
    compute = float(items["compute"].to_decimal())
    assert abs(compute / PUBLISHED_EC2_USD_PER_MONTH - 1) < 0.06
    # 16 x 15 TB = 223,517 GiB x 0.08 USD/GiB-month = 17,881.39
    assert items["storage"] == usd("17881.39")
    with_their_ebs = compute + 11_486.0 + float(items["egress"].to_decimal())
    assert abs(with_their_ebs / PUBLISHED_AWS_USD_PER_MONTH - 1) < 0.02
