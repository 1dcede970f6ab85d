"""The body of every emitted stack: read structured config, instantiate components.

Config keys (all under the stack's project namespace, written by ``hybridplan``):

==============  ==========================================================================
``stack``       which site and plan (always)
``kubernetes``  teams and workloads for :class:`~stacks.kubernetes.KubernetesWorkloads`
``training``    Kueue flavors, queues, jobs for :class:`~stacks.kueue.GpuTrainingPool`
``eks``         the EKS cluster of an AWS site (looked up, never created)
``aws_burst``   Karpenter GPU capacity for :class:`~stacks.aws_burst.AwsBurst` (AWS sites)
``budget``      monthly budget for :class:`~stacks.aws_budget.AwsCostGuard` (AWS sites)
``network``     optional operator override of subnet / security group ids (AWS sites)
==============  ==========================================================================

Providers are explicit on AWS sites: an ``aws.Provider`` from ``aws:region`` (emitted) and
``aws:profile`` (optional), and a Kubernetes provider built from the EKS cluster (endpoint,
CA, ``aws eks get-token``). Elsewhere the Kubernetes provider's own config
(``kubernetes:kubeconfig`` / ``kubernetes:context``) or ``KUBECONFIG`` selects the cluster.

A MultiKueue worker exports ``multikueue_kubeconfig`` (secret): its API server (the EKS
endpoint, or the operator's ``multikueue_api_server`` config elsewhere) and the token of
the ServiceAccount it creates for the manager, which reads it by ``pulumi.StackReference``.
"""

from __future__ import annotations

import pulumi

from . import config_io
from .kubernetes import KubernetesWorkloads
from .kueue import GpuTrainingPool
from .multikueue import KUBECONFIG_OUTPUT, worker_kubeconfig

API_SERVER_KEY = "multikueue_api_server"
"""Operator config of a non-EKS MultiKueue worker: the API server URL the manager uses."""


def deploy(config: pulumi.Config) -> dict[str, pulumi.Resource]:
    """Instantiate the components the config asks for; returns them by logical name."""
    stack_config = config_io.parse_stack_config(
        {key: config.get_object(key) for key in config_io.SECTIONS}
    )
    stack = stack_config.stack
    out: dict[str, pulumi.Resource] = {}
    on_cluster = pulumi.ResourceOptions()
    on_aws = pulumi.ResourceOptions()
    server: pulumi.Input[str] | None = config.get(API_SERVER_KEY)
    cluster = None
    if stack_config.eks is not None:
        # Imported only for AWS stacks: pulumi_aws takes a second to import.
        from .aws_cluster import aws_provider, eks_kubernetes_provider, lookup_cluster

        aws_config = pulumi.Config("aws")
        aws = aws_provider(aws_config)
        cluster = lookup_cluster(stack_config.eks.cluster_name, aws)
        kubernetes = eks_kubernetes_provider(cluster, aws_config)
        out["aws-provider"] = aws
        out["kubernetes-provider"] = kubernetes
        on_cluster = pulumi.ResourceOptions(providers={"kubernetes": kubernetes})
        on_aws = pulumi.ResourceOptions(providers={"aws": aws, "kubernetes": kubernetes})
        server = cluster.endpoint
    workloads: KubernetesWorkloads | None = None
    kube = config_io.kubernetes_args(stack_config)
    if kube is not None:
        workloads = KubernetesWorkloads("workloads", kube, on_cluster)
        out["workloads"] = workloads
    training = config_io.training_args(stack_config)
    if training is not None:
        deps: list[pulumi.Resource] = [workloads] if workloads is not None else []
        pool = GpuTrainingPool(
            "training",
            training,
            pulumi.ResourceOptions.merge(on_cluster, pulumi.ResourceOptions(depends_on=deps)),
        )
        out["training"] = pool
        if pool.multikueue_token is not None:
            if server is None:
                pulumi.log.warn(
                    f"MultiKueue worker {stack.site}: set `pulumi config set {API_SERVER_KEY} "
                    "https://...` (the API server the manager reaches) to export its kubeconfig"
                )
            else:
                pulumi.export(
                    KUBECONFIG_OUTPUT, worker_kubeconfig(stack.site, server, pool.multikueue_token)
                )
    burst = config_io.aws_burst_args(stack_config)
    budget = config_io.cost_guard_args(stack_config)
    if burst is not None or budget is not None:
        from .aws import AwsBurst, AwsCostGuard
    if burst is not None:
        assert cluster is not None  # aws_burst_args requires the eks section
        out["burst"] = AwsBurst("burst", burst, on_aws, cluster=cluster)
    if budget is not None:
        out["cost-guard"] = AwsCostGuard("cost-guard", budget, on_aws)
    pulumi.export("site", stack.site)
    pulumi.export("plan", stack.plan_id)
    pulumi.export("usd_per_month", stack.usd_per_month)
    return out
