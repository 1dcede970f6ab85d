"""Pure helpers of ``stacks.aws``: values AWS would reject or alerts that miss someone."""

from __future__ import annotations

import re

import pytest

from stacks.aws import (
    TAG_VALUE_MAX,
    budget_name,
    budget_notifications,
    checkpoint_bucket_prefix,
    workloads_tag,
)


def test_workloads_tag_fits_an_aws_tag_value() -> None:
    """Many workloads on one GPU type still give a valid (<= 256 chars) tag value."""
    many = tuple(f"training-workload-{i:03d}" for i in range(40))
    value = workloads_tag(many)
    assert len(value) <= TAG_VALUE_MAX
    assert value.startswith("training-workload-000 ")
    kept = value.rsplit(" +", 1)
    assert kept[1].endswith(" more")
    assert len(kept[0].split()) + int(kept[1].split()[0]) == 40


def test_workloads_tag_keeps_short_lists_whole() -> None:
    """A few names are written out in full."""
    assert workloads_tag(("a", "b")) == "a b"


@pytest.mark.parametrize("emails", [(), ("finops@example.com",)], ids=["no-email", "email"])
def test_every_budget_alert_reaches_every_subscriber(emails: tuple[str, ...]) -> None:
    """Actual and forecast alerts alike go to the topic and the e-mails; thresholds are
    unique (AWS rejects two identical notifications)."""
    notes = budget_notifications((80, 100, 80), emails, "arn:topic")
    assert [(n["notification_type"], n["threshold"]) for n in notes] == [
        ("ACTUAL", 80),
        ("ACTUAL", 100),
        ("FORECASTED", 100),
    ]
    for n in notes:
        assert n["subscriber_sns_topic_arns"] == ["arn:topic"]
        assert n.get("subscriber_email_addresses", []) == list(emails)


@pytest.mark.parametrize("site", ["aws-us-east-1", "aws-ap-southeast-2-prod", "a" * 63])
def test_checkpoint_bucket_prefix_fits_s3(site: str) -> None:
    """The bucket prefix stays within 37 lower-case characters for any valid site name,
    unchanged where it already fit (no bucket replacement), distinct per site."""
    prefix = checkpoint_bucket_prefix(site)
    assert len(prefix) <= 37
    assert re.fullmatch(r"[a-z0-9][a-z0-9-]*-", prefix)
    if len(f"hybridplan-{site}-ckpt-") <= 37:
        assert prefix == f"hybridplan-{site}-ckpt-"
    assert checkpoint_bucket_prefix(site + "x") != prefix


def test_budget_name_fits_aws_budgets() -> None:
    """Budget names stay within 100 characters; short ones are unchanged."""
    assert budget_name("aws-eu-west-1", "prod") == "hybridplan-aws-eu-west-1-prod"
    long = budget_name("s" * 63, "e" * 40)
    assert len(long) <= 100
    assert long != budget_name("s" * 63, "e" * 39)
