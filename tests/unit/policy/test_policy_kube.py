"""planner.policy.kube: the one reading of Kubernetes objects, label selectors and quantities
that the resource rules share."""

from __future__ import annotations

from decimal import Decimal

import pytest

from planner.policy import UNKNOWN, ResourceRecord
from planner.policy.kube import (
    find,
    kube_object,
    kube_objects,
    pod_templates,
    quantity,
    selects,
    selects_any,
)

SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
LABELS = {"app": "web", "tier": "1"}


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ({"matchLabels": {"app": "web"}}, True),
        ({"matchLabels": {"app": "web", "tier": "2"}}, False),
        ({"matchExpressions": [{"key": "app", "operator": "In", "values": ["web", "api"]}]}, True),
        ({"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["web"]}]}, False),
        ({"matchExpressions": [{"key": "tier", "operator": "Exists"}]}, True),
        ({"matchExpressions": [{"key": "canary", "operator": "DoesNotExist"}]}, True),
        (
            {
                "matchLabels": {"app": "web"},
                "matchExpressions": [{"key": "tier", "operator": "In", "values": ["2"]}],
            },
            False,
        ),
        ({}, False),
        (None, False),
        ({"matchLabels": {"app": SENTINEL}}, None),
        (SENTINEL, None),
        ({"matchLabels": {"app": SENTINEL, "tier": "2"}}, False),
    ],
    ids=[
        "labels-match",
        "labels-differ",
        "in",
        "not-in",
        "exists",
        "does-not-exist",
        "both-forms-must-hold",
        "empty-selects-nothing",
        "absent-selects-nothing",
        "unknown-value",
        "unknown-selector",
        "definite-mismatch-beats-unknown",
    ],
)
def test_selects(selector: object, expected: bool | None) -> None:
    """matchLabels and matchExpressions both hold; unknown values give None, not a guess."""
    assert selects(selector, LABELS) is expected


def _record(type_: str, name: str, metadata: dict[str, object]) -> ResourceRecord:
    return ResourceRecord(type=type_, name=name, props={"metadata": metadata})


def test_objects_identity_and_lookup() -> None:
    """apiVersion and kind come from the type token; a missing namespace is "default";
    patches and providers are no objects; lookups say None when a name is unknown."""
    svc = kube_object(_record("kubernetes:core/v1:Service", "s", {"name": "api"}))
    assert svc is not None
    assert (svc.api_version, svc.kind, svc.namespace, svc.name) == (
        "v1",
        "Service",
        "default",
        "api",
    )
    assert kube_object(_record("kubernetes:apps/v1:DeploymentPatch", "p", {"name": "x"})) is None
    assert kube_object(_record("pulumi:providers:kubernetes", "k", {})) is None
    objects = kube_objects(
        [
            _record("kubernetes:core/v1:Namespace", "a", {"name": "team-a"}),
            _record("kubernetes:core/v1:Namespace", "b", {"name": SENTINEL}),
        ]
    )
    assert find(objects, "Namespace", "team-a") is True
    assert find(objects, "Namespace", "team-b") is None
    assert find(objects[:1], "Namespace", "team-b") is False
    assert find(objects, "Namespace", UNKNOWN) is None


def test_selects_any_needs_the_namespace() -> None:
    """A selector selects pods of its own namespace only."""
    deployment = ResourceRecord(
        type="kubernetes:apps/v1:Deployment",
        name="web",
        props={
            "metadata": {"name": "web", "namespace": "team-a"},
            "spec": {"template": {"metadata": {"labels": LABELS}, "spec": {}}},
        },
    )
    objects = kube_objects([deployment])

    templates = pod_templates(objects)
    assert selects_any({"matchLabels": {"app": "web"}}, "team-a", templates) is True
    assert selects_any({"matchLabels": {"app": "web"}}, "team-b", templates) is False
    assert selects_any({"matchLabels": {"app": "web"}}, UNKNOWN, templates) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1500m", Decimal("1.5")),
        ("1.5", Decimal("1.5")),
        ("4Gi", Decimal(4 * 2**30)),
        ("4096Mi", Decimal(4 * 2**30)),
        ("1k", Decimal(1000)),
        (2, Decimal(2)),
        (0.5, Decimal("0.5")),
        ("100m", Decimal("0.1")),
        ("lots", None),
        (True, None),
        (SENTINEL, None),
    ],
    ids=str,
)
def test_quantity(value: object, expected: Decimal | None) -> None:
    """Kubernetes quantities as exact numbers (no float drift between 100m and 0.1)."""
    assert quantity(value) == expected
