"""Catalogue coverage by region (issue #13): every shipped AWS region has each managed-service,
RDS storage, object-storage and CDN price family or is listed as not covered (docs/billing.md
shows the table ``planner.catalogue.coverage`` computes); transcribed figures equal their
source; a region without a price refuses the offer naming the key, one with prices is priced
from them. Project: tests/data/managed."""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from world import usd

from planner.catalogue import Catalogue, load_default_catalogue
from planner.catalogue.coverage import (
    FAMILIES,
    Status,
    coverage,
    coverage_table,
    shipped_regions,
)
from planner.catalogue.values import Price
from planner.cost import offers_for
from planner.load import load_project
from planner.model import Offer, PricingOption, Project, Site

ROOT = Path(__file__).resolve().parents[2]
MANAGED = ROOT / "tests" / "data" / "managed"
BILLING_DOC = ROOT / "docs" / "billing.md"


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return load_default_catalogue()


@pytest.fixture(scope="module")
def project() -> Project:
    return load_project(MANAGED)


def _doc_table() -> str:
    text = BILLING_DOC.read_text(encoding="utf-8")
    m = re.search(r"<!-- coverage:begin -->\n(.*?)<!-- coverage:end -->", text, re.S)
    assert m is not None, "docs/billing.md lost its <!-- coverage:begin/end --> markers"
    return m.group(1)


def test_shipped_regions_are_the_regions_the_catalogue_names(cat: Catalogue) -> None:
    """The six AWS regions of catalogue 2025-h1 (EC2, EBS or S3 keys name them)."""
    assert shipped_regions(cat) == (
        "eu-central-1",
        "eu-north-1",
        "eu-west-1",
        "eu-west-2",
        "us-east-1",
        "us-east-2",
    )


def test_every_region_has_each_family_or_is_listed_as_not_covered(cat: Catalogue) -> None:
    """docs/billing.md shows exactly the computed coverage: a priced cell cites its sources,
    a refused one names the missing key, so no region silently lacks a family."""
    assert _doc_table() == coverage_table(cat), (
        "docs/billing.md coverage table is stale; regenerate it with "
        "`python -c 'from planner.catalogue import load_default_catalogue as l; "
        'from planner.catalogue.coverage import coverage_table as t; print(t(l()), end="")\'`'
    )
    cells = coverage(cat)
    assert len(cells) == len(FAMILIES) * len(shipped_regions(cat))
    for c in cells:
        if c.status is Status.REFUSED:
            assert c.missing, c
            assert not c.cited, c
            assert f"refused (`{c.missing[0]}`)" in _doc_table()
        else:
            assert c.cited, c


@pytest.mark.parametrize(
    ("family", "region", "status"),
    [
        ("rds-postgres", "eu-west-1", Status.PRICED),
        ("rds-postgres", "eu-central-1", Status.PRICED),
        ("rds-postgres", "us-east-2", Status.PRICED),
        ("rds-postgres", "eu-west-2", Status.PRICED),
        ("rds-postgres", "eu-north-1", Status.PRICED),
        ("rds-mysql", "eu-west-1", Status.PRICED),
        ("rds-mysql", "eu-central-1", Status.PRICED),
        ("rds-mysql", "us-east-2", Status.PRICED),
        ("rds-mysql", "eu-west-2", Status.PRICED),
        ("rds-mysql", "eu-north-1", Status.PRICED),
        ("rds-gp3", "eu-west-1", Status.PRICED),
        ("rds-gp3", "us-east-2", Status.PRICED),
        ("rds-backup", "us-east-2", Status.PRICED),
        ("rds-gp3", "eu-north-1", Status.PRICED),
        ("rds-gp3", "eu-west-2", Status.PRICED),
        ("rds-backup", "eu-west-2", Status.PRICED),
        ("rds-backup", "eu-north-1", Status.PRICED),
        ("rds-backup", "eu-central-1", Status.PRICED),
        ("opensearch", "us-east-2", Status.PRICED),
        ("opensearch", "eu-west-1", Status.PRICED),
        ("opensearch", "eu-central-1", Status.PRICED),
        ("opensearch", "eu-west-2", Status.PRICED),
        ("opensearch", "eu-north-1", Status.PRICED),
        ("opensearch-gp3", "us-east-2", Status.PRICED),
        ("opensearch-gp3", "eu-west-1", Status.PRICED),
        ("opensearch-gp3", "eu-central-1", Status.PRICED),
        ("opensearch-gp3", "eu-west-2", Status.PRICED),
        ("opensearch-gp3", "eu-north-1", Status.PRICED),
        ("s3-put", "eu-west-2", Status.PRICED),
        ("s3-get", "eu-west-2", Status.PRICED),
        ("s3-put", "eu-west-1", Status.PRICED),
        ("s3-put", "eu-central-1", Status.PRICED),
        ("s3-get", "eu-north-1", Status.PRICED),
        ("s3-standard-ia", "us-east-2", Status.PRICED),
        ("s3-standard-ia", "eu-west-2", Status.PRICED),
        ("cloudfront", "eu-north-1", Status.PRICED),
        ("elasticache-redis", "us-east-2", Status.PRICED),
        ("elasticache-redis", "eu-west-1", Status.PRICED),
        ("elasticache-redis", "eu-central-1", Status.PRICED),
        ("elasticache-redis", "eu-west-2", Status.PRICED),
        ("elasticache-redis", "eu-north-1", Status.PRICED),
        ("elasticache-valkey", "eu-west-1", Status.PRICED),
        ("elasticache-valkey", "us-east-2", Status.PRICED),
        ("elasticache-valkey", "eu-central-1", Status.PRICED),
        ("elasticache-valkey", "eu-west-2", Status.PRICED),
        ("elasticache-valkey", "eu-north-1", Status.PRICED),
    ],
)
def test_coverage_cells(cat: Catalogue, family: str, region: str, status: Status) -> None:
    """The cells this issue changed: priced where a dated source gave every key (no shipped
    region is refused any family now; see test_what_has_no_source_is_refused)."""
    c = next(c for c in coverage(cat) if c.family == family and c.region == region)
    assert c.status is status


def test_a_missing_class_makes_the_family_partial(cat: Catalogue) -> None:
    """Dropping one PostgreSQL class of eu-west-1 leaves the family partial, naming that key."""
    key = "aws.rds.postgres.db.r7g.2xlarge.eu-west-1"
    smaller = replace(cat, prices={k: p for k, p in cat.prices.items() if k != key})
    c = next(c for c in coverage(smaller) if c.family == "rds-postgres" and c.region == "eu-west-1")
    assert c.status is Status.PARTIAL
    assert c.missing == (key,)


@pytest.mark.parametrize(
    ("key", "value", "source"),
    [
        # OnDemand:PricePerUnit, data/rds/<region>-rds-postgresql-reservedinstance-*-1y.json
        ("aws.rds.postgres.db.r6g.xlarge.eu-west-1", "0.504", "ec2shop-rds-2024-09-28"),
        ("aws.rds.postgres.db.m6i.large.eu-west-1", "0.197", "ec2shop-rds-2024-09-28"),
        ("aws.rds.postgres.db.r7g.2xlarge.eu-west-1", "1.071", "ec2shop-rds-2024-09-28"),
        ("aws.rds.postgres.db.r6i.large.eu-central-1", "0.305", "ec2shop-rds-2024-09-28"),
        ("aws.rds.postgres.db.m6g.2xlarge.eu-central-1", "0.757", "ec2shop-rds-2024-09-28"),
        ("aws.rds.postgres.db.r6g.large.us-east-2", "0.225", "ec2shop-rds-2024-09-28"),
        ("aws.rds.postgres.db.r6i.2xlarge.us-east-2", "1.0", "ec2shop-rds-2024-09-28"),
        ("aws.rds.mysql.db.m6g.large.eu-west-1", "0.168", "ec2shop-rds-mysql-2024-09-28"),
        ("aws.rds.mysql.db.r6g.2xlarge.eu-west-1", "0.949", "ec2shop-rds-mysql-2024-09-28"),
        ("aws.rds.mysql.db.m6i.xlarge.eu-central-1", "0.406", "ec2shop-rds-mysql-2024-09-28"),
        ("aws.rds.mysql.db.m6g.large.us-east-2", "0.152", "ec2shop-rds-mysql-2024-09-28"),
        ("aws.rds.mysql.db.r7g.2xlarge.us-east-2", "0.956", "ec2shop-rds-mysql-2024-09-28"),
        ("aws.rds.postgres.db.r6g.xlarge.eu-west-2", "0.529", "ec2shop-rds-2024-09-28"),
        ("aws.rds.postgres.db.r7g.large.eu-west-2", "0.2805", "ec2shop-rds-2024-09-28"),
        ("aws.rds.mysql.db.m6g.large.eu-west-2", "0.176", "ec2shop-rds-mysql-2024-09-28"),
        ("aws.rds.mysql.db.r6i.2xlarge.eu-west-2", "1.12", "ec2shop-rds-mysql-2024-09-28"),
        ("aws.rds.postgres.db.m6i.xlarge.eu-north-1", "0.374", "ec2shop-rds-2024-09-28"),
        ("aws.rds.postgres.db.r7g.2xlarge.eu-north-1", "0.9816", "ec2shop-rds-2024-09-28"),
        ("aws.rds.mysql.db.r6g.xlarge.eu-north-1", "0.439", "ec2shop-rds-mysql-2024-09-28"),
        ("aws.rds.mysql.db.m6g.2xlarge.eu-north-1", "0.64", "ec2shop-rds-mysql-2024-09-28"),
        # Database Storage Single AZ General Purpose-GP3 / Storage Snapshot lines
        ("aws.rds.gp3.eu-west-1", "0.127", "ec2shop-rds-ondemand-2024-09-28"),
        ("aws.rds.backup.eu-west-1", "0.095", "ec2shop-rds-ondemand-2024-09-28"),
        ("aws.rds.gp3.eu-central-1", "0.137", "ec2shop-rds-ondemand-2024-09-28"),
        ("aws.rds.backup.eu-central-1", "0.103", "ec2shop-rds-ondemand-2024-09-28"),
        ("aws.rds.gp3.us-east-2", "0.115", "ec2shop-rds-ondemand-2024-09-28"),
        ("aws.rds.backup.us-east-2", "0.095", "ec2shop-rds-ondemand-2024-09-28"),
        ("aws.rds.gp3.eu-north-1", "0.12", "ec2shop-rds-ondemand-2024-09-28"),
        ("aws.rds.backup.eu-north-1", "0.09", "ec2shop-rds-ondemand-2024-09-28"),
    ],
)
def test_transcribed_figures_equal_the_source(
    cat: Catalogue, key: str, value: str, source: str
) -> None:
    """Exact decimals as the 2024-09-28 AWS feed prints them, cited with source and date."""
    p = cat.prices[key]
    assert p.value == Decimal(value)
    assert p.source == source
    assert p.date == "2024-09-28"
    assert "44337592ba034dd0cdd1e71a1670b17f8c3f6002" in cat.sources[source].ref


def _cited(
    cat: Catalogue, key: str, value: str, source: str, date: str, *, commit: str | None = None
) -> Price:
    """``key``'s price: exactly ``value``, from ``source`` dated ``date`` (whose reference
    names ``commit``, when given)."""
    p = cat.prices[key]
    assert (p.value, p.source, p.date) == (Decimal(value), source, date)
    if commit is not None:
        assert commit in cat.sources[p.source].ref
    return p


def _site(project: Project, region: str) -> Site:
    site = project.site("aws-eu-west-1")
    assert site.cloud_cost is not None
    return replace(
        site,
        name=f"aws-{region}",
        region=region,
        cloud_cost=replace(site.cloud_cost, price_region=region),
    )


def _on_demand(project: Project, workload: str, site: Site, cat: Catalogue) -> Offer:
    w = project.workload(workload)
    offers = offers_for(w, w.resources, site, cat, project.settings)
    return next(o for o in offers if o.option is PricingOption.ON_DEMAND)


@pytest.mark.parametrize(
    ("region", "lines", "total"),
    [
        (
            # 2 x 730 x 0.504 = 735.84; 2 x 500 x 0.127 = 127.00; 200 x 0.095 = 19.00
            "eu-west-1",
            {"instances": "735.84", "storage": "127.00", "backup": "19.00"},
            "881.84",
        ),
        (
            # 2 x 730 x 0.549 = 801.54; 2 x 500 x 0.137 = 137.00; 200 x 0.103 = 20.60
            "eu-central-1",
            {"instances": "801.54", "storage": "137.00", "backup": "20.60"},
            "959.14",
        ),
        (
            # 2 x 730 x 0.45 = 657.00; 2 x 500 x 0.115 = 115.00; 200 x 0.095 = 19.00
            "us-east-2",
            {"instances": "657.00", "storage": "115.00", "backup": "19.00"},
            "791.00",
        ),
        (
            # 2 x 730 x 0.462 = 674.52; 2 x 500 x 0.12 = 120.00; 200 x 0.09 = 18.00
            "eu-north-1",
            {"instances": "674.52", "storage": "120.00", "backup": "18.00"},
            "812.52",
        ),
    ],
)
def test_postgres_is_priced_in_the_new_regions(
    project: Project, cat: Catalogue, region: str, lines: dict[str, str], total: str
) -> None:
    """orders-db (4 cores, 32 GiB, 500 GiB, Multi-AZ, 200 GiB extra backups) takes the
    region's cheapest holding class, db.r6g.xlarge, and its storage and backup prices."""
    o = _on_demand(project, "orders-db", _site(project, region), cat)
    assert o.eligible, o.reason
    assert o.instance_type == "db.r6g.xlarge"
    amounts = {li.name: li.amount for li in o.line_items}
    assert amounts == {
        "RDS db.r6g.xlarge, Multi-AZ (instances)": usd(lines["instances"]),
        "RDS storage (gp3)": usd(lines["storage"]),
        "RDS backup storage": usd(lines["backup"]),
        "egress": usd("0.00"),
    }
    assert o.per_month == usd(total)
    assert o.line_items[0].sources == (
        f"aws.rds.postgres.db.r6g.xlarge.{region}",
        "source ec2shop-rds-2024-09-28 (2024-09-28)",
    )


def test_mysql_is_priced_in_eu_west_1(project: Project, cat: Catalogue) -> None:
    """inventory-db (2 cores, 8 GiB, 100 GiB, Single-AZ) on MySQL's own eu-west-1 rates:
    db.m6g.large 0.168 USD/h (PostgreSQL's is 0.176): 730 x 0.168 = 122.64;
    100 x 0.127 = 12.70."""
    o = _on_demand(project, "inventory-db", _site(project, "eu-west-1"), cat)
    assert {li.name: li.amount for li in o.line_items} == {
        "RDS db.m6g.large, Single-AZ (instance)": usd("122.64"),
        "RDS storage (gp3)": usd("12.70"),
    }


@pytest.mark.parametrize(
    ("workload", "key", "instance"),
    [
        # 730 x 0.152 (MySQL, us-east-2)
        ("inventory-db", "aws.rds.mysql.db.m6g.large.us-east-2", "110.96"),
        # 730 x 0.176 (MySQL, eu-west-2)
        ("inventory-db", "aws.rds.mysql.db.m6g.large.eu-west-2", "128.48"),
    ],
)
def test_the_new_classes_price_the_instance_once_storage_is_overridden(
    project: Project, cat: Catalogue, workload: str, key: str, instance: str
) -> None:
    """With the region's gp3 and backup keys set in price_overrides (test inputs that win over
    the catalogue's), the instance line still comes from the transcribed class rate."""
    region = key.rsplit(".", 1)[1]
    site = replace(
        _site(project, region),
        price_overrides={f"aws.rds.gp3.{region}": 0.1, f"aws.rds.backup.{region}": 0.1},
    )
    o = _on_demand(project, workload, site, cat)
    assert o.eligible, o.reason
    first = o.line_items[0]
    assert first.amount == usd(instance)
    source = "ec2shop-rds-2024-09-28" if ".postgres." in key else "ec2shop-rds-mysql-2024-09-28"
    assert first.sources == (key, f"source {source} (2024-09-28)")


@pytest.mark.parametrize(
    ("workload", "region", "key"),
    [
        ("catalog-search", "eu-west-2", "aws.opensearch.gp3.eu-west-2"),
        ("catalog-search", "us-east-2", "aws.opensearch.gp3.us-east-2"),
        ("orders-db", "eu-north-1", "aws.rds.gp3.eu-north-1"),
    ],
)
def test_what_has_no_source_is_refused(
    project: Project, cat: Catalogue, workload: str, region: str, key: str
) -> None:
    """A missing price is never guessed: with the key dropped from the catalogue (as for a
    region without a source) the offer is ineligible and names the key to add."""
    assert key in cat.prices
    smaller = replace(cat, prices={k: p for k, p in cat.prices.items() if k != key})
    o = _on_demand(project, workload, _site(project, region), smaller)
    assert not o.eligible
    assert o.reason is not None
    assert key in o.reason
    assert "price_overrides" in o.reason


def test_mysql_is_priced_in_stockholm(project: Project, cat: Catalogue) -> None:
    """inventory-db (2 cores, 8 GiB, 100 GiB, Single-AZ) in eu-north-1: db.m6g.large at MySQL's
    0.16 USD/h, 730 x 0.16 = 116.80; gp3 100 x 0.12 = 12.00 (the Stockholm storage line);
    total 128.80."""
    o = _on_demand(project, "inventory-db", _site(project, "eu-north-1"), cat)
    assert o.eligible, o.reason
    assert {li.name: li.amount for li in o.line_items} == {
        "RDS db.m6g.large, Single-AZ (instance)": usd("116.80"),
        "RDS storage (gp3)": usd("12.00"),
    }
    assert o.per_month == usd("128.80")
    storage = next(li for li in o.line_items if li.name == "RDS storage (gp3)")
    assert storage.sources == (
        "aws.rds.gp3.eu-north-1",
        "source ec2shop-rds-ondemand-2024-09-28 (2024-09-28)",
    )


@pytest.mark.parametrize(
    ("key", "value"),
    [
        # outputs/aws_s3_cost_s3-standard-infrequent_2024-09-25T20_02_34.csv, per GB-Mo
        ("aws.s3.standard-ia.us-east-2", "0.0125"),
        ("aws.s3.standard-ia.eu-west-1", "0.0125"),
        ("aws.s3.standard-ia.eu-west-2", "0.0131"),
        ("aws.s3.standard-ia.eu-north-1", "0.0125"),
        # outputs/aws_s3_cost_s3-standard_2024-09-25T20_02_34.csv, per request x 1,000
        ("aws.s3.put-requests.us-east-2", "0.005"),
        ("aws.s3.get-requests.us-east-2", "0.0004"),
        ("aws.s3.put-requests.eu-west-1", "0.005"),
        ("aws.s3.get-requests.eu-west-1", "0.0004"),
        ("aws.s3.put-requests.eu-north-1", "0.005"),
        ("aws.s3.get-requests.eu-north-1", "0.0004"),
        ("aws.s3.put-requests.eu-central-1", "0.0054"),
    ],
)
def test_s3_figures_equal_the_2024_09_25_feed(cat: Catalogue, key: str, value: str) -> None:
    """Exact decimals of the S3 pricing-page feed as saved on 2024-09-25 (requests quoted per
    request there, per 1,000 here), cited with the scraper repository's commit."""
    _cited(
        cat,
        key,
        value,
        "s3-pricing-feed-2024-09-25",
        "2024-09-25",
        commit="1466b74290e28057a8cf01e71d70db50c6acc975",
    )


@pytest.mark.parametrize(
    ("key", "value"),
    [
        # OnDemand:PricePerUnit, data/es/es-reservedinstance-1 year-No Upfront-<region>-*.json
        ("aws.opensearch.m6g.large.search.us-east-2", "0.128"),
        ("aws.opensearch.r6g.2xlarge.search.us-east-2", "0.669"),
        ("aws.opensearch.r6g.xlarge.search.eu-west-1", "0.374"),
        ("aws.opensearch.m6g.2xlarge.search.eu-west-1", "0.571"),
        ("aws.opensearch.r6g.large.search.eu-central-1", "0.202"),
        ("aws.opensearch.r7g.xlarge.search.eu-central-1", "0.429"),
        ("aws.opensearch.m6g.xlarge.search.eu-west-2", "0.295"),
        ("aws.opensearch.r7g.2xlarge.search.eu-west-2", "0.835"),
        ("aws.opensearch.r6g.2xlarge.search.eu-north-1", "0.71"),
        ("aws.opensearch.r7g.large.search.eu-north-1", "0.189"),
    ],
)
def test_opensearch_nodes_equal_the_2024_09_26_feed(cat: Catalogue, key: str, value: str) -> None:
    """Exact decimals of the archived OpenSearch feed (on-demand rate of each entry)."""
    _cited(
        cat,
        key,
        value,
        "ec2shop-opensearch-2024-09-26",
        "2024-09-26",
        commit="44337592ba034dd0cdd1e71a1670b17f8c3f6002",
    )


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("aws.rds.gp3.eu-west-2", "0.133"),
        ("aws.rds.backup.eu-west-2", "0.10"),
        ("aws.s3.put-requests.eu-west-2", "0.0053"),
        ("aws.s3.get-requests.eu-west-2", "0.00042"),
    ],
)
def test_london_storage_and_requests_equal_the_price_list(
    cat: Catalogue, key: str, value: str
) -> None:
    """EUW2 offer-file lines read on 2026-10-06 (GET is 0.0042 per 10,000 there)."""
    _cited(cat, key, value, "aws-price-list-eu-west-2-2026", "2026-10-06")


def test_postgres_is_priced_in_london(project: Project, cat: Catalogue) -> None:
    """orders-db in eu-west-2: db.r6g.xlarge (0.529 USD/h) Multi-AZ 2 x 730 x 0.529 = 772.34;
    gp3 2 x 500 x 0.133 = 133.00; 200 GiB extra backups x 0.10 = 20.00; total 925.34."""
    o = _on_demand(project, "orders-db", _site(project, "eu-west-2"), cat)
    assert o.eligible, o.reason
    assert {li.name: li.amount for li in o.line_items} == {
        "RDS db.r6g.xlarge, Multi-AZ (instances)": usd("772.34"),
        "RDS storage (gp3)": usd("133.00"),
        "RDS backup storage": usd("20.00"),
        "egress": usd("0.00"),
    }
    assert o.per_month == usd("925.34")


def test_opensearch_nodes_price_once_gp3_is_overridden(project: Project, cat: Catalogue) -> None:
    """catalog-search (3 x 2 cores, 16 GiB, 200 GiB) in eu-central-1 takes r6g.large.search
    at 0.202 USD/h: 3 x 730 x 0.202 = 442.38; the gp3 key is a test override (0.1 USD), which
    wins over the catalogue's 0.1452: 3 x 200 x 0.1 = 60.00."""
    site = replace(
        _site(project, "eu-central-1"), price_overrides={"aws.opensearch.gp3.eu-central-1": 0.1}
    )
    o = _on_demand(project, "catalog-search", site, cat)
    assert o.eligible, o.reason
    first = o.line_items[0]
    assert first.amount == usd("442.38")
    assert first.sources == (
        "aws.opensearch.r6g.large.search.eu-central-1",
        "source ec2shop-opensearch-2024-09-26 (2024-09-26)",
    )
    assert o.line_items[1].amount == usd("60.00")


_OPENSEARCH_GP3_2024_08_24 = {
    # region: ('EBS Volume GP3' price of the region's block in data/es/es-ondemand.json, rate code)
    "us-east-2": ("0.122", "5WU9GJJCTV45VZ3U"),
    "eu-west-1": ("0.1342", "47XRMKCWC7TSB7R9"),
    "eu-central-1": ("0.1452", "EYYY32RPWGSHMVXF"),
    "eu-west-2": ("0.1415", "HEWTSS3U9KJV6QRD"),
    "eu-north-1": ("0.1275", "6ZN8J64VWP2ADHW8"),
}


@pytest.mark.parametrize(("region", "value", "rate_code"), [
    (r, v, c) for r, (v, c) in _OPENSEARCH_GP3_2024_08_24.items()
])  # fmt: skip
def test_opensearch_gp3_equals_the_2024_08_24_feed(
    cat: Catalogue, region: str, value: str, rate_code: str
) -> None:
    """Exact decimals of the archived OpenSearch on-demand feed's 'EBS Volume GP3' line, cited
    with the archive's commit and the line's rate code."""
    p = _cited(
        cat,
        f"aws.opensearch.gp3.{region}",
        value,
        "ec2shop-opensearch-ondemand-2024-08-24",
        "2024-08-24",
        commit="763659b92b1198ca3641c80d8afc55e808d0f30b",
    )
    assert p.note is not None
    assert f"{rate_code}.JRTCKXETXF.6YS6EN2CT7" in p.note


@pytest.mark.parametrize("region", sorted(_OPENSEARCH_GP3_2024_08_24))
def test_opensearch_gp3_follows_the_regions_ebs_gp3_ratio(cat: Catalogue, region: str) -> None:
    """Cross-check of independent transcriptions, not a derivation: each region's OpenSearch gp3
    read is the us-east-1 OpenSearch gp3 (0.122, another source) times the region's EBS gp3
    ratio to us-east-1 (a 2021 copy of the EBS page), to four decimals (half up)."""

    def v(key: str) -> Decimal:
        return cat.prices[key].value

    ratio = v(f"aws.ebs.gp3.{region}") / v("aws.ebs.gp3.us-east-1")
    expected = (v("aws.opensearch.gp3.us-east-1") * ratio).quantize(
        Decimal("0.0001"), rounding=ROUND_HALF_UP
    )
    assert v(f"aws.opensearch.gp3.{region}") == expected


@pytest.mark.parametrize(
    ("region", "amounts"),
    [
        # 3 x 730 x 0.167 = 365.73; 3 x 200 x 0.122 = 73.20
        ("us-east-2", ("365.73", "73.20", "438.93")),
        # 3 x 730 x 0.187 = 409.53; 3 x 200 x 0.1342 = 80.52
        ("eu-west-1", ("409.53", "80.52", "490.05")),
        # 3 x 730 x 0.202 = 442.38; 3 x 200 x 0.1452 = 87.12
        ("eu-central-1", ("442.38", "87.12", "529.50")),
        # 3 x 730 x 0.197 = 431.43; 3 x 200 x 0.1415 = 84.90
        ("eu-west-2", ("431.43", "84.90", "516.33")),
        # 3 x 730 x 0.178 = 389.82; 3 x 200 x 0.1275 = 76.50
        ("eu-north-1", ("389.82", "76.50", "466.32")),
    ],
)
def test_search_is_priced_in_every_region(
    project: Project, cat: Catalogue, region: str, amounts: tuple[str, str, str]
) -> None:
    """catalog-search (3 x 2 cores, 16 GiB, 200 GiB) takes r6g.large.search and its gp3
    volumes at the region's transcribed rates (nodes, storage, total), each line citing its
    source."""
    nodes, storage, total = amounts
    o = _on_demand(project, "catalog-search", _site(project, region), cat)
    assert o.eligible, o.reason
    assert {li.name: li.amount for li in o.line_items} == {
        "OpenSearch Service r6g.large.search (nodes)": usd(nodes),
        "OpenSearch Service storage (gp3)": usd(storage),
    }
    assert o.per_month == usd(total)
    assert o.line_items[1].sources == (
        f"aws.opensearch.gp3.{region}",
        "source ec2shop-opensearch-ondemand-2024-08-24 (2024-08-24)",
    )


_REDIS_2024_06_28 = {
    # OnDemand:PricePerUnit of cache.<m7g|r7g>.<large|xlarge|2xlarge> in
    # data/elasticache/elasticache-reservedinstance-1 year-No Upfront-<region>-<family>.json
    "us-east-2": ("0.158", "0.315", "0.629", "0.219", "0.437", "0.873"),
    "eu-west-1": ("0.174", "0.347", "0.693", "0.243", "0.487", "0.974"),
    "eu-central-1": ("0.188", "0.375", "0.749", "0.263", "0.525", "1.05"),
    "eu-west-2": ("0.182", "0.363", "0.727", "0.256", "0.512", "1.022"),
    "eu-north-1": ("0.166", "0.331", "0.662", "0.231", "0.462", "0.924"),
}
_NODES = ("m7g.large", "m7g.xlarge", "m7g.2xlarge", "r7g.large", "r7g.xlarge", "r7g.2xlarge")


@pytest.mark.parametrize(
    ("key", "value"),
    [
        (f"aws.elasticache.redis.cache.{node}.{region}", value)
        for region, values in _REDIS_2024_06_28.items()
        for node, value in zip(_NODES, values, strict=True)
    ],
)
def test_redis_nodes_equal_the_2024_06_28_feed(cat: Catalogue, key: str, value: str) -> None:
    """Exact decimals of the archived ElastiCache feed (on-demand rate of each entry), cited
    with the archive's commit and the feed's publication date."""
    _cited(
        cat,
        key,
        value,
        "ec2shop-elasticache-2024-06-28",
        "2024-06-28",
        commit="6f8701d9f16c2d7e2afdb8c7f57f8bb5b0a32510",
    )


_VALKEY_2025_03_14 = {
    # price of the region's Valkey entry (RegionlessRateCode listed in the source) in
    # data/elasticache/elasticache.json, m7g then r7g, large/xlarge/2xlarge
    "us-east-2": ("0.1264", "0.252", "0.5032", "0.1752", "0.3496", "0.6984"),
    "eu-west-1": ("0.1392", "0.2776", "0.5544", "0.1944", "0.3896", "0.7792"),
    "eu-central-1": ("0.1504", "0.3", "0.5992", "0.2104", "0.42", "0.84"),
    "eu-west-2": ("0.1456", "0.2904", "0.5816", "0.2048", "0.4096", "0.8176"),
    "eu-north-1": ("0.1328", "0.2648", "0.5296", "0.1848", "0.3696", "0.7392"),
}


@pytest.mark.parametrize(
    ("key", "value"),
    [
        (f"aws.elasticache.valkey.cache.{node}.{region}", value)
        for region, values in _VALKEY_2025_03_14.items()
        for node, value in zip(_NODES, values, strict=True)
    ],
)
def test_valkey_nodes_equal_the_2025_03_14_feed(cat: Catalogue, key: str, value: str) -> None:
    """Exact decimals of the archived ElastiCache on-demand feed, cited with its commit."""
    _cited(
        cat,
        key,
        value,
        "ec2shop-elasticache-2025-03-14",
        "2025-03-14",
        commit="73696e380ae600b175f859850a726edebd1de72f",
    )


def test_valkey_is_read_not_derived_from_redis(cat: Catalogue) -> None:
    """Every Valkey key (six nodes in each of the six regions) cites a source that names
    Valkey - the us-east-1 Price List table or the 2025-03-14 on-demand feed - never the
    engine-less 2024-06-28 feed the Redis OSS rates come from."""
    valkey = {k: p for k, p in cat.prices.items() if k.startswith("aws.elasticache.valkey.")}
    assert len(valkey) == 36
    assert {k.rsplit(".", 1)[1] for k in valkey} == set(shipped_regions(cat))
    assert {p.source for p in valkey.values()} == {
        "elasticache-opensearch-offer-2026",
        "ec2shop-elasticache-2025-03-14",
    }


@pytest.mark.parametrize(
    "region", ["us-east-1", "us-east-2", "eu-west-1", "eu-central-1", "eu-west-2", "eu-north-1"]
)
def test_valkey_reads_are_four_fifths_of_the_regions_redis_rate(
    cat: Catalogue, region: str
) -> None:
    """Cross-check of two independent transcriptions, not a derivation: in every region the
    Valkey rate read is exactly 0.8 x the Redis OSS rate the catalogue holds for that node
    (a typo in either feed's copy breaks it)."""
    for node in _NODES:
        valkey = cat.prices[f"aws.elasticache.valkey.cache.{node}.{region}"].value
        redis = cat.prices[f"aws.elasticache.redis.cache.{node}.{region}"].value
        assert valkey == redis * Decimal("0.8"), node


@pytest.mark.parametrize(
    ("region", "amount"),
    [
        # 2 x 730 x 0.1944 = 283.824
        ("eu-west-1", "283.82"),
        # 2 x 730 x 0.2104 = 307.184
        ("eu-central-1", "307.18"),
        # 2 x 730 x 0.2048 = 299.008
        ("eu-west-2", "299.01"),
        # 2 x 730 x 0.1848 = 269.808
        ("eu-north-1", "269.81"),
    ],
)
def test_a_valkey_cache_is_priced_in_the_european_regions(
    project: Project, cat: Catalogue, region: str, amount: str
) -> None:
    """session-cache (2 x 2 cores, 12 GiB, Valkey) takes cache.r7g.large (13.07 GiB) at the
    region's Valkey rate from the 2025-03-14 feed."""
    o = _on_demand(project, "session-cache", _site(project, region), cat)
    assert o.eligible, o.reason
    assert {li.name: li.amount for li in o.line_items} == {
        "ElastiCache cache.r7g.large (nodes)": usd(amount)
    }
    assert o.line_items[0].sources == (
        f"aws.elasticache.valkey.cache.r7g.large.{region}",
        "source ec2shop-elasticache-2025-03-14 (2025-03-14)",
    )


@pytest.mark.parametrize(
    ("region", "node", "amount"),
    [
        # 2 x 730 x 0.263: cache.r7g.large (13.07 GiB) is the cheapest node holding 12 GiB
        ("eu-central-1", "r7g.large", "383.98"),
        # 2 x 730 x 0.231
        ("eu-north-1", "r7g.large", "337.26"),
    ],
)
def test_a_redis_cache_is_priced_in_the_new_regions(
    project: Project, cat: Catalogue, region: str, node: str, amount: str
) -> None:
    """session-cache (2 x 2 cores, 12 GiB) declared on Redis OSS is priced from the region's
    own node rate (on Valkey it takes the region's Valkey rate, see above)."""
    w = project.workload("session-cache")
    assert w.managed is not None
    redis = replace(w, managed=replace(w.managed, engine="redis"), image="redis:7.2")
    offers = offers_for(redis, redis.resources, _site(project, region), cat, project.settings)
    o = next(o for o in offers if o.option is PricingOption.ON_DEMAND)
    assert o.eligible, o.reason
    assert {li.name: li.amount for li in o.line_items} == {
        f"ElastiCache cache.{node} (nodes)": usd(amount)
    }
    assert o.line_items[0].sources == (
        f"aws.elasticache.redis.cache.{node}.{region}",
        "source ec2shop-elasticache-2024-06-28 (2024-06-28)",
    )
