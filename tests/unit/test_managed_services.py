"""Managed databases, search and caches (issue #13): priced as RDS, OpenSearch Service and
ElastiCache on a cloud site and as pods on an owned one, every line from a cited catalogue
price; their FOCUS bill rows give the "before" to the cent. Project: tests/data/managed."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from world import usd

from planner.app import load_inputs, plan_project
from planner.catalogue import load_default_catalogue, parse_catalogue
from planner.cost import offers_for
from planner.emit import default_environment, render_stacks
from planner.errors import InputError
from planner.load import load_project
from planner.model import Assignment, BaselineSource, Offer, PricingOption, Project
from stacks import config_io

MANAGED = Path(__file__).resolve().parents[1] / "data" / "managed"


@pytest.fixture(scope="module")
def project() -> Project:
    return load_project(MANAGED)


def _offers(project: Project, workload: str, site: str) -> tuple[Offer, ...]:
    w = project.workload(workload)
    cat = load_default_catalogue()
    return offers_for(w, w.resources, project.site(site), cat, project.settings)


def _on_demand(offers: tuple[Offer, ...]) -> Offer:
    return next(o for o in offers if o.option is PricingOption.ON_DEMAND)


def _lines(offer: Offer) -> dict[str, object]:
    return {li.name: li.amount for li in offer.line_items}


def test_postgres_multi_az_priced_as_rds(project: Project) -> None:
    """orders-db: 4 cores, 32 GiB, 500 GiB, tier 1, 2 replicas -> the cheapest class holding
    it is db.r6g.xlarge (0.43 USD/h), Multi-AZ bills 2 instances:
    2 x 730 x 0.43 = 627.80; storage 2 x 500 x 0.115 = 115.00; backups 200 x 0.095 = 19.00;
    egress 10 GiB inside the free 100 GiB = 0.00. Total 761.80."""
    o = _on_demand(_offers(project, "orders-db", "aws-us-east-1"))
    assert o.eligible
    assert o.instance_type == "db.r6g.xlarge"
    assert _lines(o) == {
        "RDS db.r6g.xlarge, Multi-AZ (instances)": usd("627.80"),
        "RDS storage (gp3)": usd("115.00"),
        "RDS backup storage": usd("19.00"),
        "egress": usd("0.00"),
    }
    assert o.per_month == usd("761.80")
    first = o.line_items[0]
    assert first.sources == (
        "aws.rds.postgres.db.r6g.xlarge.us-east-1",
        "source rds-us-east-1-offer-2026 (2026-09-24)",
    )


def test_mysql_single_az(project: Project) -> None:
    """inventory-db: 2 cores, 8 GiB, tier 2, 1 replica -> Single-AZ db.m6g.large (0.152 USD/h,
    cheaper than db.m6i.large at 0.171): 730 x 0.152 = 110.96; 100 x 0.115 = 11.50."""
    o = _on_demand(_offers(project, "inventory-db", "aws-us-east-1"))
    assert _lines(o) == {
        "RDS db.m6g.large, Single-AZ (instance)": usd("110.96"),
        "RDS storage (gp3)": usd("11.50"),
    }


def test_read_replicas_beyond_the_multi_az_pair(project: Project) -> None:
    """4 replicas: the Multi-AZ pair plus 2 read replicas = 4 instances of db.m6g.large:
    4 x 730 x 0.152 = 443.84; storage 4 x 100 x 0.115 = 46.00."""
    w = replace(project.workload("inventory-db"), replicas=4)
    cat = load_default_catalogue()
    o = _on_demand(offers_for(w, w.resources, project.site("aws-us-east-1"), cat, project.settings))
    assert _lines(o) == {
        "RDS db.m6g.large, Multi-AZ + 2 read replicas (instances)": usd("443.84"),
        "RDS storage (gp3)": usd("46.00"),
    }


def test_search_priced_as_opensearch_nodes_and_storage(project: Project) -> None:
    """catalog-search: 3 x (2 cores, 16 GiB, 200 GiB) -> r6g.large.search (0.167 USD/h):
    3 x 730 x 0.167 = 365.73; storage 3 x 200 x 0.122 = 73.20."""
    o = _on_demand(_offers(project, "catalog-search", "aws-us-east-1"))
    assert _lines(o) == {
        "OpenSearch Service r6g.large.search (nodes)": usd("365.73"),
        "OpenSearch Service storage (gp3)": usd("73.20"),
    }


def test_cache_priced_as_elasticache_valkey_nodes(project: Project) -> None:
    """session-cache: 2 x (2 cores, 12 GiB) -> cache.r7g.large (13.07 GiB) on Valkey at
    0.1752 USD/h: 2 x 730 x 0.1752 = 255.792 -> 255.79."""
    o = _on_demand(_offers(project, "session-cache", "aws-us-east-1"))
    assert _lines(o) == {"ElastiCache cache.r7g.large (nodes)": usd("255.79")}


def test_owned_side_prices_the_same_workload_as_pods(project: Project) -> None:
    """On the owned colo the cache runs as pods: cpu and memory at the site's rates, so the
    solver sees both sides."""
    owned = next(
        o for o in _offers(project, "session-cache", "colo-eu") if o.option is PricingOption.OWNED
    )
    assert owned.eligible
    assert {name.split(" ")[0] for name in _lines(owned)} == {"cpu", "memory"}


def test_a_region_without_a_price_names_the_key(project: Project) -> None:
    """Without a sourced OpenSearch gp3 price for eu-west-1 (the key dropped from the catalogue;
    its OpenSearch nodes stay priced) the offer is refused, naming the key (the shipped
    catalogue prices every family there: tests/unit/test_catalogue_regions.py)."""
    key = "aws.opensearch.gp3.eu-west-1"
    cat = load_default_catalogue()
    cat = replace(cat, prices={k: p for k, p in cat.prices.items() if k != key})
    w = project.workload("catalog-search")
    site = project.site("aws-eu-west-1")
    o = _on_demand(offers_for(w, w.resources, site, cat, project.settings))
    assert not o.eligible
    assert o.reason is not None
    assert key in o.reason
    assert "price_overrides" in o.reason


def test_an_override_prices_the_region(project: Project) -> None:
    """A site's price_overrides wins over the catalogue's price (cited as the site's override;
    the catalogue's eu-west-1 Valkey rate is 0.1944)."""
    site = project.site("aws-eu-west-1")
    site = replace(site, price_overrides={"aws.elasticache.valkey.cache.r7g.large.eu-west-1": 0.2})
    w = project.workload("session-cache")
    cat = load_default_catalogue()
    o = _on_demand(offers_for(w, w.resources, site, cat, project.settings))
    assert _lines(o) == {"ElastiCache cache.r7g.large (nodes)": usd("292.00")}  # 2 x 730 x 0.2
    assert o.line_items[0].sources[1] == "sites.aws-eu-west-1.price_overrides"


def test_commitments_and_oversized_requests_are_refused(project: Project) -> None:
    """Only on-demand is priced; a request larger than every class says so."""
    offers = _offers(project, "orders-db", "aws-us-east-1")
    commit = next(o for o in offers if o.option is PricingOption.COMMIT_1Y)
    assert commit.reason == "RDS is priced on-demand only, not commit-1y"
    w = project.workload("orders-db")
    big = replace(w, resources=replace(w.resources, cpu=64))
    cat = load_default_catalogue()
    o = _on_demand(
        offers_for(big, big.resources, project.site("aws-us-east-1"), cat, project.settings)
    )
    assert o.reason == "no RDS class in catalogue 2025-h1 holds 64 vCPU and 32 GiB per replica"


def test_focus_bill_gives_the_before_to_the_cent(tmp_path: Path) -> None:
    """The hand-written FOCUS bill (tests/data/managed/bills): RDS, OpenSearch and ElastiCache
    rows mapped by ResourceId and ServiceName; before = mean monthly EffectiveCost:
    orders-db (761.80 + 758.40 + 765.20) / 3 = 761.80; inventory-db 122.46;
    catalog-search (438.93 + 441.07 + 436.79) / 3 = 438.93; session-cache 255.79."""
    root = tmp_path / "managed"
    shutil.copytree(MANAGED, root)
    inputs = load_inputs(root)
    assert inputs.bill is not None
    assert inputs.bill.coverage.unmapped.cents == 0
    plan = plan_project(inputs, catalogue=load_default_catalogue(), today=date(2026, 1, 15)).plan
    expected = {
        "orders-db": "761.80",
        "inventory-db": "122.46",
        "catalog-search": "438.93",
        "session-cache": "255.79",
    }
    for name, amount in expected.items():
        assert plan.baseline_source[name] is BaselineSource.BILL, name
        assert plan.workload_baseline_per_month[name] == usd(amount), name


def test_the_engine_must_fit_the_kind(tmp_path: Path) -> None:
    """A cache declared with engine postgres is refused at its line in inventory.yaml."""
    root = tmp_path / "managed"
    shutil.copytree(MANAGED, root)
    inv = root / "inventory.yaml"
    text = inv.read_text(encoding="utf-8")
    inv.write_text(
        text.replace("managed: {engine: valkey}", "managed: {engine: postgres}"), "utf-8"
    )
    with pytest.raises(InputError) as err:
        load_project(root)
    lines = text.splitlines()
    line = next(i for i, s in enumerate(lines, 1) if "engine: valkey" in s)
    problems = err.value.problems
    assert any(p.file.endswith("inventory.yaml") and p.line == line for p in problems), problems


def test_a_managed_kind_needs_its_block(tmp_path: Path) -> None:
    """kind: search without a managed block is refused, located at the workload."""
    root = tmp_path / "managed"
    shutil.copytree(MANAGED, root)
    inv = root / "inventory.yaml"
    text = inv.read_text(encoding="utf-8")
    inv.write_text(text.replace("    managed: {engine: opensearch}\n", ""), "utf-8")
    with pytest.raises(InputError) as err:
        load_project(root)
    assert any("managed" in p.message and p.line > 0 for p in err.value.problems)


def test_a_bad_managed_class_is_refused() -> None:
    """A managed class without a positive memory is a catalogue error naming the entry."""
    data = {
        "version": "t",
        "captured": "2025-01-01",
        "currency": "USD",
        "sources": {},
        "prices": {},
        "managed_classes": {"aws.rds.db.x.large": {"vcpu": 2, "memory_gib": 0}},
    }
    with pytest.raises(InputError) as err:
        parse_catalogue(data, source="t.yaml")
    fields = [p.field for p in err.value.problems]
    assert "managed_classes.aws.rds.db.x.large" in fields


def test_owned_placement_is_emitted_as_a_self_run_database(tmp_path: Path) -> None:
    """Planned onto the colo (which runs CloudNativePG), the postgres managed-db is emitted
    as a CloudNativePG database and the search cluster as a StatefulSet database with its
    declared data path: the stacks see kind ``database`` for both."""
    inputs = load_inputs(MANAGED)
    plan = plan_project(inputs, catalogue=load_default_catalogue(), today=date(2026, 1, 15)).plan
    moved = []
    for p in plan.placements:
        if p.workload in ("orders-db", "catalog-search"):
            w = inputs.project.workload(p.workload)
            a = Assignment("colo-eu", PricingOption.OWNED, w.replicas, p.per_month)
            moved.append(replace(p, assignments=(a,)))
        else:
            moved.append(p)
    plan = replace(plan, placements=tuple(moved))
    files = render_stacks(plan, inputs.project, default_environment(), command="t")
    doc = yaml.safe_load(files["stacks/colo-eu/Pulumi.prod.yaml"])["config"]
    prefix = "hybridplan-colo-eu:"
    cfg = config_io.parse_stack_config({k.removeprefix(prefix): v for k, v in doc.items()})
    assert cfg.kubernetes is not None
    by_name = {w.name: w for w in cfg.kubernetes.workloads}
    orders, search = by_name["orders-db"], by_name["catalog-search"]
    assert orders.kind == search.kind == "database"
    assert orders.database is not None
    assert orders.database.operator == "cloudnative-pg"
    assert search.database is not None
    assert search.database.data_path == "/usr/share/opensearch/data"


def test_absent_regional_keys_may_be_overridden_but_typos_may_not() -> None:
    """A key the catalogue leaves absent for want of a source may be set by a site or a
    what-if (managed class prices, RDS/OpenSearch storage, S3); any other unknown key is
    refused with the nearest known keys."""
    cat = load_default_catalogue()
    assert cat.overridable("aws.rds.postgres.db.r6g.xlarge.eu-west-1")
    assert cat.overridable("aws.elasticache.valkey.cache.r7g.large.ap-southeast-2")
    assert cat.overridable("aws.opensearch.r6g.large.search.eu-west-1")
    assert cat.overridable("aws.opensearch.gp3.ap-southeast-2")
    assert cat.overridable("aws.s3.standard-ia.eu-west-1")
    assert not cat.overridable("aws.rds.postgres.db.x9.large.eu-west-1")
    assert not cat.overridable("aws.rdss.gp3.eu-west-1")
    assert not cat.overridable("aws.rds.postgress.db.r6g.xlarge.eu-west-1")
    what_if = cat.with_overrides({"aws.rds.gp3.eu-west-1": 0.127}, label="--price")
    assert what_if.value("aws.rds.gp3.eu-west-1") == Decimal("0.127")
    with pytest.raises(InputError):
        cat.with_overrides({"aws.rds.gp3x.eu-west-1": 1})


def test_cdn_egress_is_priced_at_the_cloudfront_tiers_on_both_sides(project: Project) -> None:
    """60 TiB a month through the CDN: 10,240 GiB x 0.085 + 40,960 x 0.080 + 10,240 x 0.060
    = 870.40 + 3,276.80 + 614.40 = 4,761.60 USD, the same line on the cloud and the colo (a
    CDN in front of an owned origin bills the same per GiB delivered)."""
    w = project.workload("catalog-search")
    w = replace(w, data=replace(w.data, cdn_egress_gib_per_month=61440))
    cat = load_default_catalogue()
    cloud = _on_demand(
        offers_for(w, w.resources, project.site("aws-us-east-1"), cat, project.settings)
    )
    owned = next(
        o
        for o in offers_for(w, w.resources, project.site("colo-eu"), cat, project.settings)
        if o.option is PricingOption.OWNED
    )
    for offer in (cloud, owned):
        cdn = next(li for li in offer.line_items if li.name == "CDN egress")
        assert cdn.amount == usd("4761.60")
        assert cdn.sources[:3] == (
            "aws.cloudfront.tier-1",
            "aws.cloudfront.tier-2",
            "aws.cloudfront.tier-3",
        )
    assert cloud.per_month == usd("438.93") + usd("4761.60")


def test_a_cloud_site_leaves_its_managed_services_out_of_the_stack() -> None:
    """Kept on AWS, the MySQL database and the Valkey cache are RDS and ElastiCache: the
    site's stack creates no pods for them and its README lists them with their class."""
    inputs = load_inputs(MANAGED)
    plan = plan_project(inputs, catalogue=load_default_catalogue(), today=date(2026, 1, 15)).plan
    kept = {
        p.workload
        for p in plan.placements
        if any(a.site == "aws-us-east-1" and a.replicas for a in p.assignments)
    }
    assert kept  # the plan keeps some managed services on AWS
    files = render_stacks(plan, inputs.project, default_environment(), command="t")
    doc = yaml.safe_load(files["stacks/aws-us-east-1/Pulumi.prod.yaml"])["config"]
    prefix = "hybridplan-aws-us-east-1:"
    cfg = config_io.parse_stack_config({k.removeprefix(prefix): v for k, v in doc.items()})
    in_stack = {w.name for w in cfg.kubernetes.workloads} if cfg.kubernetes else set()
    assert in_stack.isdisjoint(kept)
    readme = files["stacks/aws-us-east-1/README.md"]
    assert "not created by this stack" in readme
    for name in kept:
        assert f"| {name} |" in readme


def test_a_managed_block_on_another_kind_is_refused(tmp_path: Path) -> None:
    """kind: service with a managed block is refused at the block's line."""
    root = tmp_path / "managed"
    shutil.copytree(MANAGED, root)
    inv = root / "inventory.yaml"
    text = inv.read_text(encoding="utf-8")
    inv.write_text(text.replace("kind: cache", "kind: service"), "utf-8")
    with pytest.raises(InputError) as err:
        load_project(root)
    line = next(i for i, s in enumerate(text.splitlines(), 1) if "engine: valkey" in s)
    assert any(
        p.line == line and "only managed-db, search and cache" in p.message
        for p in err.value.problems
    ), err.value.problems
