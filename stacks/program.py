"""The body of every emitted stack: read structured config, instantiate components.

Config keys (all under the stack's project namespace, written by ``hybridplan``):

==============  ==========================================================================
``stack``       which site and plan (always)
``kubernetes``  teams and workloads for :class:`~stacks.kubernetes.KubernetesWorkloads`
``training``    Kueue flavors, queues, jobs for :class:`~stacks.kueue.GpuTrainingPool`
``aws_burst``   GPU node groups for :class:`~stacks.aws.AwsBurst` (cloud sites)
``budget``      monthly budget for :class:`~stacks.aws.AwsCostGuard` (cloud sites)
``network``     optional operator override of subnet / security group ids (cloud sites)
``cluster``     which cluster: the kubeconfig context (from ``sites.yaml``)
``kubeconfig``  optional secret (``pulumi config set --secret kubeconfig ...``), set by CI
==============  ==========================================================================

Every Kubernetes object goes through one explicit provider (:func:`kubernetes_provider`),
never the ambient default one: the cluster is the stack's config (kubeconfig secret, else
``KUBECONFIG``; the context named in ``cluster.context``), so a stack cannot apply to
whatever cluster the shell happens to point at under another context. ``aws:region`` is
the AWS provider's own key.
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from . import config_io
from .kubernetes import KubernetesWorkloads
from .kueue import GpuTrainingPool
from .spec import ClusterConfig

KUBECONFIG_KEY = "kubeconfig"
"""Stack config key of an optional kubeconfig (a secret: it holds credentials)."""


def kubernetes_provider(config: pulumi.Config, cluster: ClusterConfig) -> k8s.Provider:
    """The stack's Kubernetes provider: kubeconfig from the ``kubeconfig`` secret, else the
    ``KUBECONFIG`` environment variable; context ``cluster.context`` (``None``: the
    kubeconfig's current context). Server-side apply, so objects other controllers own
    fields of (an HPA's replicas) are merged, not overwritten."""
    return k8s.Provider(
        "kubernetes",
        kubeconfig=config.get_secret(KUBECONFIG_KEY),
        context=cluster.context,
        enable_server_side_apply=True,
    )


def deploy(config: pulumi.Config) -> dict[str, pulumi.Resource]:
    """Instantiate the components the config asks for; returns them by logical name."""
    stack_config = config_io.parse_stack_config(
        {key: config.get_object(key) for key in config_io.SECTIONS}
    )
    stack = stack_config.stack
    out: dict[str, pulumi.Resource] = {}
    workloads: KubernetesWorkloads | None = None
    kube = config_io.kubernetes_args(stack_config)
    training = config_io.training_args(stack_config)
    on_cluster = pulumi.ResourceOptions()
    if kube is not None or training is not None:
        provider = kubernetes_provider(config, stack_config.cluster or ClusterConfig())
        out["kubernetes-provider"] = provider
        on_cluster = pulumi.ResourceOptions(providers={"kubernetes": provider})
    if kube is not None:
        workloads = KubernetesWorkloads("workloads", kube, on_cluster)
        out["workloads"] = workloads
    if training is not None:
        deps: list[pulumi.Resource] = [workloads] if workloads is not None else []
        out["training"] = GpuTrainingPool(
            "training",
            training,
            pulumi.ResourceOptions.merge(on_cluster, pulumi.ResourceOptions(depends_on=deps)),
        )
    burst = config_io.aws_burst_args(stack_config)
    budget = config_io.cost_guard_args(stack_config)
    if burst is not None or budget is not None:
        # Imported only for AWS stacks: pulumi_aws takes a second to import.
        from .aws import AwsBurst, AwsCostGuard
    if burst is not None:
        out["burst"] = AwsBurst("burst", burst)
    if budget is not None:
        out["cost-guard"] = AwsCostGuard("cost-guard", budget)
    pulumi.export("site", stack.site)
    pulumi.export("plan", stack.plan_id)
    pulumi.export("usd_per_month", stack.usd_per_month)
    return out
