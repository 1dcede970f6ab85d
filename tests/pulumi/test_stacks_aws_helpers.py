"""Pure helpers of ``stacks.aws``: values AWS would reject or alerts that miss someone."""

from __future__ import annotations

import pytest

from stacks.aws import TAG_VALUE_MAX, budget_notifications, workloads_tag


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
