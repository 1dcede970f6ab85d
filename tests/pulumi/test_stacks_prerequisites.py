"""Kueue is a declared prerequisite that ``pulumi preview`` checks: the version read from
the cluster's controller Deployment must be the release line the objects are written for."""

from __future__ import annotations

import pytest

from stacks.prerequisites import KUEUE_MINOR, PrerequisiteError, check_kueue, kueue_version


def _spec(image: str) -> dict[str, object]:
    return {"template": {"spec": {"containers": [{"name": "manager", "image": image}]}}}


@pytest.mark.parametrize(
    ("image", "tag"),
    [
        ("registry.k8s.io/kueue/kueue:v0.19.2", "v0.19.2"),
        ("us-central1-docker.pkg.dev/k8s-staging-images/kueue/kueue:v0.19.0", "v0.19.0"),
        ("registry.k8s.io/ingress-nginx/controller:v1.11.0", None),
    ],
)
def test_kueue_version_is_read_from_the_manager_image(image: str, tag: str | None) -> None:
    """The tag of the kueue image; none when the Deployment runs something else."""
    assert kueue_version(_spec(image)) == tag


def test_an_offline_read_decides_nothing() -> None:
    """Under mocks the Deployment reads back empty: no version, no failure."""
    assert kueue_version({}) is None
    assert kueue_version(None) is None
    assert check_kueue(None) == ""


def test_another_kueue_minor_fails_the_preview() -> None:
    """Kueue v0.18 on the cluster: the preview fails, saying which release is needed."""
    assert check_kueue(f"{KUEUE_MINOR}.2") == f"{KUEUE_MINOR}.2"
    with pytest.raises(PrerequisiteError, match=r"Kueue v0\.18\.4 runs on this cluster"):
        check_kueue("v0.18.4")
