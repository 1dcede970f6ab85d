"""Cluster prerequisites the stacks declare rather than install, checked by ``pulumi
preview`` itself.

Kueue is cluster infrastructure shared with every other tenant (one controller and one
Configuration per cluster: feature gates, integrations, the MultiKueue dispatcher), so the
platform team installs it (Helm chart or release manifests, v0.19) and these stacks only
create queues and Jobs on it; a per-site placement stack owning the controller would
uninstall Kueue - and every queue on the cluster - when the plan moves away. What the
stacks need is then checked where it matters: ``pulumi preview`` reads the
``kueue-system/kueue-controller-manager`` Deployment (a read: nothing is created) and fails
if it is missing or runs another minor version than the ``kueue.x-k8s.io/v1beta2`` objects
are written for. Offline, ``hybridplan preview`` validates those objects against the
v0.19.2 CRDs. Karpenter (v1, with the ``ReservedCapacity`` and ``NodeOverlay`` feature gates)
needs no read: ``pulumi preview`` already fails on a NodePool whose CRD is not installed.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

KUEUE_MINOR = "v0.19"
"""The Kueue release line the emitted objects are written and validated for."""
KUEUE_DEPLOYMENT = "kueue-system/kueue-controller-manager"


class PrerequisiteError(RuntimeError):
    """A cluster prerequisite is missing or of another version (fails the preview)."""


def _field(value: Any, name: str) -> Any:
    """A field of a Deployment read back: a mapping or the SDK's output type."""
    if value is None:
        return None
    return value.get(name) if isinstance(value, dict) else getattr(value, name, None)


def kueue_version(spec: Any) -> str | None:
    """The image tag of the Kueue manager container of a Deployment ``spec``; ``None`` when
    not known (an offline preview reads no cluster)."""
    pod = _field(_field(spec, "template"), "spec")
    for container in _field(pod, "containers") or []:
        image = str(_field(container, "image") or "")
        if "/kueue:" in image or image.startswith("kueue:"):
            return image.rsplit(":", 1)[-1]
    return None


def check_kueue(tag: str | None) -> str:
    """``tag`` if it is of :data:`KUEUE_MINOR` (or unknown), else raise."""
    if tag is not None and not tag.startswith(KUEUE_MINOR + "."):
        raise PrerequisiteError(
            f"Kueue {tag} runs on this cluster; the stack's Kueue objects are written for "
            f"{KUEUE_MINOR} (kueue.x-k8s.io/v1beta2). To fix: install Kueue {KUEUE_MINOR}.x "
            "or plan with a hybridplan release written for the installed one"
        )
    return tag or ""


def require_kueue(parent: pulumi.Resource) -> pulumi.Output[str]:
    """Read the Kueue controller Deployment (a missing one fails the preview with the
    provider's "not found") and check its version; returns the version read."""
    manager = k8s.apps.v1.Deployment.get(
        "kueue-controller-manager",
        KUEUE_DEPLOYMENT,
        opts=pulumi.ResourceOptions(parent=parent),
    )
    return manager.spec.apply(lambda spec: check_kueue(kueue_version(spec)))
