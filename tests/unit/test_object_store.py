"""Object storage priced on both sides (issue #13): an estate whose bill is 30 % S3 gets its
"before" from the bill and its object store priced as S3 and as an owned storage array."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date
from fractions import Fraction
from pathlib import Path

import pytest
from world import usd

from planner.app import load_inputs, plan_project
from planner.catalogue import load_default_catalogue
from planner.cost import offers_for
from planner.model import BaselineSource, Offer, PricingOption

BILLED = Path(__file__).resolve().parents[1] / "data" / "billed"
CSV = "bills/aws-focus-2025q2.csv"
MONTHS = ("04", "05", "06")

OBJECT_STORE = """\
  - name: media-objects
    team: media
    kind: object-store
    tier: 2
    replicas: 2
    resources: {cpu: 2, memory_gib: 8, storage_gib: 0}
    image: minio/minio:RELEASE.2025-04-22T22-12-26Z
    data: {residency: any, egress_gib_per_month: 2000, dataset_gib: 51200}
    current_site: aws-us-east-1
    objects:
      stored_gib: 51200
      infrequent_pct: 40
      put_requests_per_month: 10000000
      get_requests_per_month: 100000000
"""


def _s3_row(month: str) -> str:
    end = f"{int(month) + 1:02d}"
    return (
        f"USD,925.00,925.00,925.00,Usage,,2025-{month}-01T00:00:00Z,2025-{end}-01T00:00:00Z,"
        "arn:aws:s3:::media-objects,Amazon Simple Storage Service,Storage,111111111111,"
        'us-east-1,Standard,,,"{""app"":""media-objects""}"'
    )


@pytest.fixture
def estate(tmp_path: Path) -> Path:
    """tests/data/billed plus an object store whose S3 bill is 925 USD a month: 30 % of it."""
    root = tmp_path / "billed"
    shutil.copytree(BILLED, root)
    inventory = root / "inventory.yaml"
    inventory.write_text(inventory.read_text(encoding="utf-8") + OBJECT_STORE, encoding="utf-8")
    bill = root / CSV
    rows = bill.read_text(encoding="utf-8").rstrip("\n").split("\n")
    bill.write_text("\n".join(rows + [_s3_row(m) for m in MONTHS]) + "\n", encoding="utf-8")
    return root


def _offer(offers: tuple[Offer, ...], option: PricingOption) -> Offer:
    return next(o for o in offers if o.option is option)


def _lines(offer: Offer) -> dict[str, object]:
    return {li.name: li.amount for li in offer.line_items}


def test_the_bill_is_30_pct_object_storage(estate: Path) -> None:
    """The estate's bill: S3 is 30 % of the EffectiveCost, and it is the object store's before."""
    inputs = load_inputs(estate)
    assert inputs.bill is not None
    media = next(w for w in inputs.bill.workloads if w.workload == "media-objects")
    storage = dict(media.by_category)["Storage"]
    share = storage.ratio(inputs.bill.coverage.total)
    assert Fraction(295, 1000) < share < Fraction(305, 1000)
    plan = plan_project(inputs, catalogue=load_default_catalogue(), today=date(2026, 1, 15)).plan
    assert plan.baseline_source["media-objects"] is BaselineSource.BILL
    assert plan.workload_baseline_per_month["media-objects"] == media.effective


def test_object_store_priced_as_s3_and_as_an_owned_array(estate: Path) -> None:
    """S3 by class, requests and egress on the cloud; array capex, power and the gateway
    owned: every line from a cited catalogue price, to the cent."""
    project = load_inputs(estate).project
    cat = load_default_catalogue()
    w = next(w for w in project.workloads if w.name == "media-objects")
    s3 = _offer(
        offers_for(w, w.resources, project.site("aws-us-east-1"), cat, project.settings),
        PricingOption.ON_DEMAND,
    )
    assert s3.eligible
    assert _lines(s3) == {
        "object storage (S3 Standard)": usd("706.56"),  # 30,720 GiB x 0.023
        "object storage (S3 Standard-IA)": usd("256.00"),  # 20,480 GiB x 0.0125
        "object requests (PUT/COPY/POST/LIST)": usd("50.00"),  # 10 M / 1,000 x 0.005
        "object requests (GET)": usd("40.00"),  # 100 M / 1,000 x 0.0004
        "egress": usd("171.00"),  # 100 GiB free + 1,900 GiB x 0.09
    }
    owned = _offer(
        offers_for(
            w,
            w.resources,
            project.site("colo-eu"),
            cat,
            project.settings,
            current=project.site("aws-us-east-1"),
        ),
        PricingOption.OWNED,
    )
    assert owned.eligible
    lines = _lines(owned)
    # 51,200 GiB x 1.073741824 / 1000 x 3 copies = 164.9267441664 TB raw
    assert lines["storage array capex (owned)"] == usd("98.96")  # x 36 USD/TB / 60 months
    assert lines["storage array power and space (owned)"] == usd("806.37")  # x 0.0225 x 217.30
    assert {"cpu", "memory"} <= {name.split(" ")[0] for name in lines}  # the gateway
    assert owned.migration > usd("0")  # moving 50 TiB out of S3 is priced


def test_other_options_and_unpriced_regions_are_refused_with_the_key(estate: Path) -> None:
    """Spot S3 does not exist; a region without an IA price names the key to add (every
    shipped region has one now, so the key is dropped from a copy of the catalogue)."""
    project = load_inputs(estate).project
    cat = load_default_catalogue()
    w = next(w for w in project.workloads if w.name == "media-objects")
    us = offers_for(w, w.resources, project.site("aws-us-east-1"), cat, project.settings)
    assert _offer(us, PricingOption.SPOT).reason == "object storage is sold on-demand, not spot"
    key = "aws.s3.standard-ia.eu-west-1"
    without = replace(cat, prices={k: p for k, p in cat.prices.items() if k != key})
    eu = offers_for(w, w.resources, project.site("aws-eu-west-1"), without, project.settings)
    reason = _offer(eu, PricingOption.ON_DEMAND).reason or ""
    assert key in reason
    assert "price_overrides" in reason


@pytest.mark.parametrize(
    ("region", "lines"),
    [
        # Ireland, all four S3 rates from the 2024-09-25 feed but Standard (0.023):
        # 30,720 x 0.023; 20,480 x 0.0125; 10 M / 1,000 x 0.005; 100 M / 1,000 x 0.0004
        ("eu-west-1", ("706.56", "256.00", "50.00", "40.00")),
        # London: Standard 0.024; IA 0.0131 (feed) = 268.288; PUT 0.0053; GET 0.00042
        ("eu-west-2", ("737.28", "268.29", "53.00", "42.00")),
        # Frankfurt: Standard 0.0245; IA 0.0135; PUT 0.0054 (feed); GET 0.00043
        ("eu-central-1", ("752.64", "276.48", "54.00", "43.00")),
    ],
)
def test_object_store_is_priced_in_the_eu_regions(
    estate: Path, region: str, lines: tuple[str, str, str, str]
) -> None:
    """media-objects (50 TiB, 40 % infrequent, 10 M PUT and 100 M GET a month) on an AWS site
    in ``region``: every S3 line from that region's catalogue key, to the cent; egress
    100 GiB free + 1,900 GiB x 0.09 = 171.00."""
    project = load_inputs(estate).project
    cat = load_default_catalogue()
    w = next(w for w in project.workloads if w.name == "media-objects")
    base = project.site("aws-eu-west-1")
    assert base.cloud_cost is not None
    site = replace(
        base,
        name=f"aws-{region}",
        region=region,
        cloud_cost=replace(base.cloud_cost, price_region=region),
    )
    o = _offer(offers_for(w, w.resources, site, cat, project.settings), PricingOption.ON_DEMAND)
    assert o.eligible, o.reason
    standard, ia, put, get = lines
    assert _lines(o) == {
        "object storage (S3 Standard)": usd(standard),
        "object storage (S3 Standard-IA)": usd(ia),
        "object requests (PUT/COPY/POST/LIST)": usd(put),
        "object requests (GET)": usd(get),
        "egress": usd("171.00"),
    }
    keys = {li.sources[0] for li in o.line_items if li.name.startswith("object")}
    assert keys == {
        f"aws.s3.standard.{region}",
        f"aws.s3.standard-ia.{region}",
        f"aws.s3.put-requests.{region}",
        f"aws.s3.get-requests.{region}",
    }
