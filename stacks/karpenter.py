"""Karpenter objects (v1.14: ``karpenter.sh/v1`` NodePool, ``karpenter.k8s.aws/v1``
EC2NodeClass, ``karpenter.sh/v1alpha1`` NodeOverlay) for the GPU capacity the plan priced.

- EC2NodeClass ``hybridplan-gpu``: the node role, the EKS-optimised AL2023 AMI alias, the
  cluster's subnets and security group (or the operator's ``network`` override), IMDSv2 only
  with a hop limit of 1 (pods cannot reach the node's credentials; they use Pod Identity),
  an encrypted gp3 root volume, the cost tags. ``hybridplan-gpu-reserved`` adds the
  capacity-reservation selector of the site's Capacity Blocks (tag
  ``hybridplan.io/capacity-block: <site>``) for ``reserved`` pools.
- NodePool ``hybridplan-<pool>`` per :class:`~stacks.spec.NodePoolSpec`: capacity type,
  instance type and (multi-node training) zone requirements, the GPU limit, the weight, the
  GPU taint (plus ``hybridplan.io/training`` on training pools, ``hybridplan.io/spot`` on
  spot pools), labels the Kueue flavors and GPU pods select. Training pools never expire
  nodes and consolidate only empty ones (a running Job's pods also carry
  ``karpenter.sh/do-not-disrupt``); service pools consolidate under-used nodes.
- NodeOverlay per :class:`~stacks.spec.PriceOverlaySpec` (the ``NodeOverlay`` feature gate).
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from .aws_names import workloads_tag
from .labels import USD_ANNOTATION
from .spec import (
    CAPACITY_BLOCK_TAG,
    GPU_TAINT,
    GPU_TYPE_LABEL,
    NODE_POOL_LABEL,
    SPOT_TAINT,
    TRAINING_TAINT,
    NodePoolSpec,
    PriceOverlaySpec,
)

NODEPOOL_API = "karpenter.sh/v1"
NODECLASS_API = "karpenter.k8s.aws/v1"
OVERLAY_API = "karpenter.sh/v1alpha1"
NODECLASS_GROUP = "karpenter.k8s.aws"
CAPACITY_TYPE_LABEL = "karpenter.sh/capacity-type"
INSTANCE_TYPE_LABEL = "node.kubernetes.io/instance-type"
PRICED_OPTION_ANNOTATION = "hybridplan.io/priced-option"
"""The pricing option the plan priced a NodePool's nodes at (HP-DEP-052 compares it with the
pool's capacity types)."""
NODE_CLASS = "hybridplan-gpu"
RESERVED_NODE_CLASS = "hybridplan-gpu-reserved"
ROOT_VOLUME = "200Gi"
IMDS = {
    "httpEndpoint": "enabled",
    "httpProtocolIPv6": "disabled",
    "httpPutResponseHopLimit": 1,
    "httpTokens": "required",
}
"""IMDSv2 only, one network hop: a pod (one hop further) gets no answer from IMDS."""


def pool_object_name(pool: str) -> str:
    """The cluster-scoped name of a NodePool (prefixed: the cluster has others)."""
    return f"hybridplan-{pool}"


def node_class(
    name: str,
    *,
    role: pulumi.Input[str],
    subnet_ids: pulumi.Input[list[str]],
    security_group_ids: pulumi.Input[list[str]],
    ami_alias: str,
    tags: dict[str, str],
    labels: dict[str, str],
    reservation_site: str | None,
    opts: pulumi.ResourceOptions,
) -> k8s.apiextensions.CustomResource:
    """An EC2NodeClass (with the Capacity Block selector when ``reservation_site`` is set)."""
    spec: dict[str, Any] = {
        "role": role,
        "amiSelectorTerms": [{"alias": ami_alias}],
        "subnetSelectorTerms": pulumi.Output.from_input(subnet_ids).apply(
            lambda ids: [{"id": i} for i in ids]
        ),
        "securityGroupSelectorTerms": pulumi.Output.from_input(security_group_ids).apply(
            lambda ids: [{"id": i} for i in ids]
        ),
        "metadataOptions": dict(IMDS),
        "blockDeviceMappings": [
            {
                "deviceName": "/dev/xvda",
                "rootVolume": True,
                "ebs": {
                    "volumeSize": ROOT_VOLUME,
                    "volumeType": "gp3",
                    "encrypted": True,
                    "deleteOnTermination": True,
                },
            }
        ],
        "tags": dict(tags),
    }
    if reservation_site is not None:
        spec["capacityReservationSelectorTerms"] = [
            {"tags": {CAPACITY_BLOCK_TAG: reservation_site}}
        ]
    return k8s.apiextensions.CustomResource(
        f"{name}-ec2nodeclass",
        api_version=NODECLASS_API,
        kind="EC2NodeClass",
        metadata={"name": name, "labels": labels},
        spec=spec,
        opts=opts,
    )


def _taints(pool: NodePoolSpec) -> list[dict[str, str]]:
    keys = [GPU_TAINT]
    if pool.role == "training":
        keys.append(TRAINING_TAINT)
    if pool.capacity_type == "spot":
        keys.append(SPOT_TAINT)
    return [{"key": k, "value": "true", "effect": "NoSchedule"} for k in keys]


def _requirements(pool: NodePoolSpec) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [
        {"key": CAPACITY_TYPE_LABEL, "operator": "In", "values": [pool.capacity_type]},
        {"key": INSTANCE_TYPE_LABEL, "operator": "In", "values": list(pool.instance_types)},
    ]
    if pool.zone is not None and pool.zone_label is not None:
        out.append({"key": pool.zone_label, "operator": "In", "values": [pool.zone]})
    return out


def node_pool(
    pool: NodePoolSpec, *, site: str, labels: dict[str, str], opts: pulumi.ResourceOptions
) -> k8s.apiextensions.CustomResource:
    """The NodePool of ``pool`` (see the module docstring)."""
    training = pool.role == "training"
    name = pool_object_name(pool.name)
    reserved = pool.capacity_type == "reserved"
    return k8s.apiextensions.CustomResource(
        f"{pool.name}-nodepool",
        api_version=NODEPOOL_API,
        kind="NodePool",
        metadata={
            "name": name,
            "labels": {**labels, GPU_TYPE_LABEL: pool.gpu_type},
            "annotations": {
                PRICED_OPTION_ANNOTATION: pool.option,
                USD_ANNOTATION: pool.usd_per_month,
                "hybridplan.io/workloads": workloads_tag(pool.workloads),
            },
        },
        spec={
            "weight": pool.weight,
            "limits": {GPU_TAINT: str(pool.max_nodes * pool.gpus_per_node)},
            "template": {
                "metadata": {
                    "labels": {
                        GPU_TYPE_LABEL: pool.gpu_type,
                        NODE_POOL_LABEL: pool.name,
                        "hybridplan.io/site": site,
                    }
                },
                "spec": {
                    "nodeClassRef": {
                        "group": NODECLASS_GROUP,
                        "kind": "EC2NodeClass",
                        "name": RESERVED_NODE_CLASS if reserved else NODE_CLASS,
                    },
                    "requirements": _requirements(pool),
                    "taints": _taints(pool),
                    "expireAfter": "Never" if training else "720h",
                },
            },
            "disruption": {
                "consolidationPolicy": "WhenEmpty" if training else "WhenEmptyOrUnderutilized",
                "consolidateAfter": "10m" if training else "5m",
            },
        },
        opts=opts,
    )


def node_overlay(
    overlay: PriceOverlaySpec, *, labels: dict[str, str], opts: pulumi.ResourceOptions
) -> k8s.apiextensions.CustomResource:
    """A NodeOverlay that tells Karpenter the negotiated price of matching instances."""
    requirements: list[dict[str, Any]] = [
        {"key": CAPACITY_TYPE_LABEL, "operator": "In", "values": list(overlay.capacity_types)}
    ]
    if overlay.instance_types:
        requirements.append(
            {"key": INSTANCE_TYPE_LABEL, "operator": "In", "values": list(overlay.instance_types)}
        )
    spec: dict[str, Any] = {"weight": overlay.weight, "requirements": requirements}
    if overlay.price is not None:
        spec["price"] = overlay.price
    if overlay.price_adjustment is not None:
        spec["priceAdjustment"] = overlay.price_adjustment
    return k8s.apiextensions.CustomResource(
        f"{overlay.name}-nodeoverlay",
        api_version=OVERLAY_API,
        kind="NodeOverlay",
        metadata={"name": f"hybridplan-{overlay.name}", "labels": labels},
        spec=spec,
        opts=opts,
    )
