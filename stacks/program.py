"""The body of every emitted stack: read structured config, instantiate components.

Config keys (all under the stack's project namespace, written by ``hybridplan``):

==============  ==========================================================================
``stack``       which site and plan (always)
``kubernetes``  teams and workloads for :class:`~stacks.kubernetes.KubernetesWorkloads`
``training``    Kueue flavors, queues, jobs for :class:`~stacks.kueue.GpuTrainingPool`
``aws_burst``   GPU node groups for :class:`~stacks.aws.AwsBurst` (cloud sites)
``budget``      monthly budget for :class:`~stacks.aws.AwsCostGuard` (cloud sites)
``network``     optional operator override of subnet / security group ids (cloud sites)
==============  ==========================================================================

Provider settings are the providers' own config keys (``aws:region`` is emitted;
``kubernetes:kubeconfig`` / ``kubernetes:context`` or ``KUBECONFIG`` select the cluster).
"""

from __future__ import annotations

from typing import Any

import pulumi

from stacks import spec
from stacks.kubernetes import KubernetesWorkloads
from stacks.kueue import GpuTrainingPool


def deploy(config: pulumi.Config) -> dict[str, pulumi.Resource]:
    """Instantiate the components the config asks for; returns them by logical name."""
    stack = spec.parse_stack(config.require_object("stack"))
    out: dict[str, pulumi.Resource] = {}
    kube: Any = config.get_object("kubernetes")
    workloads: KubernetesWorkloads | None = None
    if kube is not None:
        workloads = KubernetesWorkloads("workloads", spec.parse_kubernetes(stack, kube))
        out["workloads"] = workloads
    training: Any = config.get_object("training")
    if training is not None:
        deps: list[pulumi.Resource] = [workloads] if workloads is not None else []
        out["training"] = GpuTrainingPool(
            "training",
            spec.parse_training(stack, training),
            pulumi.ResourceOptions(depends_on=deps),
        )
    burst: Any = config.get_object("aws_burst")
    budget: Any = config.get_object("budget")
    if burst is not None or budget is not None:
        # Imported only for AWS stacks: pulumi_aws takes a second to import.
        from stacks.aws import AwsBurst, AwsCostGuard
    if burst is not None:
        out["burst"] = AwsBurst(
            "burst", spec.parse_aws_burst(stack, burst, config.get_object("network"))
        )
    if budget is not None:
        out["cost-guard"] = AwsCostGuard("cost-guard", spec.parse_cost_guard(stack, budget))
    pulumi.export("site", stack.site)
    pulumi.export("plan", stack.plan_id)
    pulumi.export("usd_per_month", stack.usd_per_month)
    return out
