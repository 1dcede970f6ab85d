"""Tests of planner.catalogue: the packaged catalogue, parsing, validation, overrides, digest."""

from __future__ import annotations

from decimal import Decimal

import pytest
from cost_world import tiny_data

from planner.catalogue import load_default_catalogue, parse_catalogue
from planner.errors import InputError


@pytest.fixture(scope="module")
def default():
    """The catalogue shipped with the package."""
    return load_default_catalogue()


def test_default_catalogue_is_versioned_and_dated(default) -> None:
    """The packaged catalogue has a version, a capture date, USD and a sha256 digest."""
    assert default.version == "2025-h1"
    assert default.captured == "2025-06-30"
    assert default.currency == "USD"
    assert len(default.digest) == 64
    assert int(default.digest, 16) >= 0


def test_every_price_cites_a_known_source_and_date(default) -> None:
    """Each entry names a source listed under `sources` and carries a date and a unit."""
    for key, p in default.prices.items():
        assert p.source in default.sources, key
        assert p.date, key
        assert p.unit, key
        assert p.value >= 0, key


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("aws.p5.48xlarge.us-east-1.on-demand", "98.32"),
        ("aws.m6i.xlarge.us-east-1.on-demand", "0.192"),
        ("aws.m6i.xlarge.eu-west-1.on-demand", "0.214"),
        ("aws.m7i.xlarge.eu-central-1.on-demand", "0.2415"),
        ("aws.p4d.24xlarge.eu-west-1.on-demand", "35.39655"),
        ("aws.p5.48xlarge.us-east-1.capacity-block", "39.33"),
        ("gpuaas.lambda.h100", "2.99"),
        ("owned.colo-usd-per-kw-month", "184.06"),
        ("owned.node.hgx-h100.power-kw", "10.2"),
        ("aws.egress.internet.tier-2", "0.09"),
    ],
    ids=[
        "p5",
        "m6i-use1",
        "m6i-euw1",
        "m7i-euc1",
        "p4d-euw1",
        "capacity-block",
        "lambda",
        "colo",
        "dgx-power",
        "egress",
    ],
)
def test_reference_values_copied_exactly(default, key: str, value: str) -> None:
    """Values from the published price lists appear unchanged, as exact decimals of the
    catalogue's text (no binary float in between)."""
    assert default.prices[key].value == Decimal(value)
    assert isinstance(default.prices[key].value, Decimal)


def test_every_price_is_an_exact_decimal(default) -> None:
    """Every value and tier bound is a ``Decimal`` (prices feed money, which is exact)."""
    for key, p in default.prices.items():
        assert type(p.value) is Decimal, key
        assert p.up_to_gib is None or type(p.up_to_gib) is Decimal, key


def test_digest_is_unchanged_by_exact_prices(default) -> None:
    """The digest hashes prices as the catalogue always wrote them, so plans made before
    prices became decimals keep their input digest (the float-era hashing; the value changed
    when issue #13 added the managed-service prices and classes and sourced the EBS, S3
    and r6i entries that were recalled, and again when it added the RDS for PostgreSQL
    classes of us-east-2, eu-west-1 and eu-central-1, the RDS for MySQL classes of eu-west-1
    and eu-central-1 and the RDS storage and backup prices of eu-west-1 and eu-central-1
    from the 2024-09-28 AWS feed, and again when it added from the same feed the RDS for
    MySQL classes of us-east-2, eu-west-2 and eu-north-1 and the RDS for PostgreSQL classes of
    eu-west-2 and eu-north-1, and again when it added the OpenSearch data nodes of the five
    other regions (2024-09-26 feed) and London's RDS storage, backup and S3 request prices
    (2026-10-06 price list), and again when it added the ElastiCache (Redis OSS) nodes of the
    five other regions (2024-06-28 feed) and the RDS storage and backup prices of us-east-2
    (2024-09-28 feed), and again when it added the RDS storage and backup prices of eu-north-1
    (2024-09-28 feed), the S3 Standard-IA and request prices of the other regions (2024-09-25
    S3 feed) and the ElastiCache for Valkey nodes of us-east-2 and eu-west-1 (2025-03-14 feed),
    and again when it added those of eu-central-1, eu-west-2 and eu-north-1 (same feed), and
    again when it added the OpenSearch gp3 storage of the five other regions (2024-08-24
    feed): new keys are new inputs; no existing entry changed)."""
    assert default.digest == "56a2d0c1c74d029343dbc033cbcfd4b39ab1c6bb2a75d5e5401bdc58ec8e79d3"


def test_spot_is_the_mean_of_the_sampled_range(default) -> None:
    """p5 us-east-1 spot = (20.9934 + 30.326) / 2 = 25.6597 USD/h."""
    assert default.prices["aws.p5.48xlarge.us-east-1.spot"].value == Decimal("25.6597")


def test_derived_sizes_scale_linearly(default) -> None:
    """m6i.2xlarge us-east-1 = 2 x 0.192 = 0.384 USD/h, marked as derived."""
    p = default.prices["aws.m6i.2xlarge.us-east-1.on-demand"]
    assert p.value == 2 * Decimal("0.192")
    assert p.note.startswith("D:")


def test_instances_in_region_and_egress_tiers(default) -> None:
    """eu-west-1 has m6i/m7i and p4d but no p5; egress tiers come in order."""
    fams = {i.family for i in default.instances_in("aws", "eu-west-1")}
    assert {"m6i", "m7i", "p4d"} <= fams
    assert "p5" not in fams
    tiers = default.egress_tiers("aws")
    assert [t.key[-1] for t in tiers] == ["1", "2", "3", "4", "5"]
    assert tiers[-1].up_to_gib is None


def test_digest_is_stable_and_follows_prices() -> None:
    """Same data -> same digest; an override changes it; the input mapping is not mutated."""
    data = tiny_data()
    a = parse_catalogue(data, source="a")
    b = parse_catalogue(tiny_data(), source="b")
    assert a.digest == b.digest
    c = a.with_overrides({"aws.m6i.large.r1.on-demand": 0.05}, label="what-if")
    assert c.digest != a.digest
    assert c.prices["aws.m6i.large.r1.on-demand"].value == Decimal("0.05")
    assert a.prices["aws.m6i.large.r1.on-demand"].value == Decimal("0.1")
    assert data == tiny_data()


def _errors(data: dict) -> str:
    with pytest.raises(InputError) as exc:
        parse_catalogue(data, source="cat.yaml")
    return exc.value.render()


def test_negative_price_is_rejected() -> None:
    """A negative price names the key and says prices must be >= 0."""
    data = tiny_data()
    data["prices"]["aws.m6i.large.r1.on-demand"]["value"] = -0.1
    text = _errors(data)
    assert "prices.aws.m6i.large.r1.on-demand" in text
    assert "negative price" in text
    assert "To fix: prices must be >= 0" in text


def test_zero_depreciation_months_is_rejected() -> None:
    """owned.depreciation-months of 0 is an error with a fix."""
    data = tiny_data()
    data["prices"]["owned.depreciation-months"]["value"] = 0
    text = _errors(data)
    assert "depreciation of 0 months" in text
    assert "at least 1 month" in text


def test_unknown_currency_is_rejected() -> None:
    """Only USD is supported; EUR is reported with the fix."""
    data = tiny_data()
    data["currency"] = "EUR"
    text = _errors(data)
    assert "unknown currency 'EUR'" in text
    assert "USD" in text


def test_percentages_and_sources_are_checked() -> None:
    """A 150 % discount and an unknown source are both reported in one error."""
    data = tiny_data()
    data["prices"]["aws.discount.commit-1y-pct"]["value"] = 150
    data["prices"]["aws.m6i.large.r1.spot"]["source"] = "nowhere"
    text = _errors(data)
    assert "150 pct is outside [0, 100]" in text
    assert "unknown source 'nowhere'" in text


def test_price_for_unknown_instance_is_rejected() -> None:
    """A price whose instance has no shape cannot be used and is reported."""
    data = tiny_data()
    data["prices"]["aws.c9.huge.r1.on-demand"] = dict(data["prices"]["aws.m6i.large.r1.spot"])
    assert "unknown instance 'aws.c9.huge'" in _errors(data)


def test_override_of_unknown_key_suggests_the_nearest() -> None:
    """A typo in --price KEY=... is an InputError suggesting the closest key."""
    cat = parse_catalogue(tiny_data(), source="t")
    with pytest.raises(InputError) as exc:
        cat.with_overrides({"aws.m6i.larg.r1.on-demand": 0.1})
    assert "did you mean aws.m6i.large.r1.on-demand" in exc.value.render()
    with pytest.raises(InputError, match="invalid price override"):
        cat.with_overrides({"aws.m6i.large.r1.on-demand": -1.0})


def test_malformed_sections_are_rejected() -> None:
    """A list where a mapping belongs, or a non-mapping document, is an InputError."""
    data = tiny_data()
    data["prices"] = ["not", "a", "mapping"]
    assert "`prices` must be a mapping" in _errors(data)
    with pytest.raises(InputError, match="invalid price catalogue"):
        parse_catalogue(["x"], source="cat.yaml")  # type: ignore[arg-type]


def test_split_reference_instances_must_differ_in_shape() -> None:
    """m6i.large (2 vCPU / 8 GiB) and m6i.xlarge (4 / 16) have the same 4 GiB per vCPU: the
    two equations c x vcpu + g x GiB = price cannot be solved, so the catalogue is rejected
    with the field and a fix (it used to fail later, without either)."""
    data = tiny_data()
    data["split"]["memory"] = "aws.m6i.large"
    text = _errors(data)
    assert (
        "cat.yaml: split.memory: aws.m6i.large has the same GiB per vCPU as aws.m6i.xlarge "
        "(4), so CPU and memory prices cannot be told apart. To fix: name a "
        "memory-optimised instance (such as aws.r6i.xlarge) as split.memory"
    ) in text
