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

import pulumi

from stacks import config_io
from stacks.kubernetes import KubernetesWorkloads
from stacks.kueue import GpuTrainingPool


def deploy(config: pulumi.Config) -> dict[str, pulumi.Resource]:
    """Instantiate the components the config asks for; returns them by logical name."""
    stack_config = config_io.parse_stack_config(
        {key: config.get_object(key) for key in config_io.SECTIONS}
    )
    stack = stack_config.stack
    out: dict[str, pulumi.Resource] = {}
    workloads: KubernetesWorkloads | None = None
    kube = config_io.kubernetes_args(stack_config)
    if kube is not None:
        workloads = KubernetesWorkloads("workloads", kube)
        out["workloads"] = workloads
    training = config_io.training_args(stack_config)
    if training is not None:
        deps: list[pulumi.Resource] = [workloads] if workloads is not None else []
        out["training"] = GpuTrainingPool(
            "training", training, pulumi.ResourceOptions(depends_on=deps)
        )
    burst = config_io.aws_burst_args(stack_config)
    budget = config_io.cost_guard_args(stack_config)
    if burst is not None or budget is not None:
        # Imported only for AWS stacks: pulumi_aws takes a second to import.
        from stacks.aws import AwsBurst, AwsCostGuard
    if burst is not None:
        out["burst"] = AwsBurst("burst", burst)
    if budget is not None:
        out["cost-guard"] = AwsCostGuard("cost-guard", budget)
    pulumi.export("site", stack.site)
    pulumi.export("plan", stack.plan_id)
    pulumi.export("usd_per_month", stack.usd_per_month)
    return out
