"""MultiKueue across stacks: the worker stack creates what the manager needs to reach it,
the manager stack reads it by ``pulumi.StackReference``.

Worker (a cluster the plan bursts training to, ``training.serves_burst``): a ServiceAccount
``hybridplan-multikueue`` in ``kueue-system``, a ClusterRole with what the MultiKueue
controller does on a worker (create, watch and delete Jobs and Kueue Workloads, read Job
status, update Workload status; kubernetes-sigs/kueue ``create-multikueue-kubeconfig.sh``),
its binding, and a long-lived token Secret. The stack exports ``multikueue_kubeconfig`` (a
secret output): the API server, the cluster CA and the token from that Secret.

Manager (the pool whose plan bursts, ``training.burst``): per worker a StackReference to
``<org>/<worker project>/<this stack's name>``, a Secret ``multikueue-<worker>`` in
``kueue-system`` holding the kubeconfig output, and the MultiKueueCluster pointing at it;
a MultiKueueConfig listing the workers in the plan's cost order and the AdmissionCheck
(controller ``kueue.x-k8s.io/multikueue``). Deploy the workers' stacks first (the generated
workflow does); until a worker's output exists the Secret holds a comment and the
MultiKueueCluster stays inactive, with a warning.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from .spec import BURST_QUEUE, BurstSpec

API = "kueue.x-k8s.io/v1beta2"
MULTIKUEUE_CONTROLLER = "kueue.x-k8s.io/multikueue"
KUEUE_NAMESPACE = "kueue-system"
WORKER_ACCOUNT = "hybridplan-multikueue"
KUBECONFIG_OUTPUT = "multikueue_kubeconfig"
"""The worker stack's output the manager reads."""
DIY_ORGANIZATION = "organization"
"""The organization part of a stack name on a self-managed (DIY) backend."""
KUBECONFIG_KEY = "kubeconfig"
"""The key of the kubeconfig in the Secret a MultiKueueCluster refers to."""
WORKER_RULES: list[dict[str, Any]] = [
    {
        "apiGroups": ["batch"],
        "resources": ["jobs"],
        "verbs": ["create", "delete", "get", "list", "watch"],
    },
    {"apiGroups": ["batch"], "resources": ["jobs/status"], "verbs": ["get"]},
    {
        "apiGroups": ["kueue.x-k8s.io"],
        "resources": ["workloads"],
        "verbs": ["create", "delete", "get", "list", "watch"],
    },
    {
        "apiGroups": ["kueue.x-k8s.io"],
        "resources": ["workloads/status"],
        "verbs": ["get", "patch", "update"],
    },
]


def worker_access(parent: pulumi.Resource, labels: dict[str, str]) -> k8s.core.v1.Secret:
    """The ServiceAccount, ClusterRole, binding and token Secret of the MultiKueue manager."""
    opts = pulumi.ResourceOptions(parent=parent)
    account = k8s.core.v1.ServiceAccount(
        "multikueue-serviceaccount",
        metadata={"name": WORKER_ACCOUNT, "namespace": KUEUE_NAMESPACE, "labels": labels},
        automount_service_account_token=False,
        opts=opts,
    )
    role = k8s.rbac.v1.ClusterRole(
        "multikueue-clusterrole",
        metadata={"name": WORKER_ACCOUNT, "labels": labels},
        rules=WORKER_RULES,
        opts=opts,
    )
    k8s.rbac.v1.ClusterRoleBinding(
        "multikueue-clusterrolebinding",
        metadata={"name": WORKER_ACCOUNT, "labels": labels},
        role_ref={
            "apiGroup": "rbac.authorization.k8s.io",
            "kind": "ClusterRole",
            "name": WORKER_ACCOUNT,
        },
        subjects=[{"kind": "ServiceAccount", "name": WORKER_ACCOUNT, "namespace": KUEUE_NAMESPACE}],
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[account, role]),
    )
    # pulumi-kubernetes waits until the token controller has filled in the token.
    return k8s.core.v1.Secret(
        "multikueue-token",
        metadata={
            "name": f"{WORKER_ACCOUNT}-token",
            "namespace": KUEUE_NAMESPACE,
            "labels": labels,
            "annotations": {"kubernetes.io/service-account.name": WORKER_ACCOUNT},
        },
        type="kubernetes.io/service-account-token",
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[account]),
    )


def kubeconfig_text(*, cluster: str, server: str, ca_data: str, token: str) -> str:
    """The kubeconfig MultiKueue uses to reach a worker (token authentication)."""
    doc = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {"name": cluster, "cluster": {"server": server, "certificate-authority-data": ca_data}}
        ],
        "users": [{"name": WORKER_ACCOUNT, "user": {"token": token}}],
        "contexts": [{"name": cluster, "context": {"cluster": cluster, "user": WORKER_ACCOUNT}}],
        "current-context": cluster,
    }
    return json.dumps(doc, sort_keys=True)


def worker_kubeconfig(
    cluster: str, server: pulumi.Input[str], token_secret: k8s.core.v1.Secret
) -> pulumi.Output[str]:
    """The worker's kubeconfig for the manager, as a secret output (the Secret's ``data``
    holds the token and CA base64-encoded; a kubeconfig wants the token in plain text)."""

    def build(values: list[Any]) -> str:
        server_url, data = values
        data = data or {}
        token = base64.b64decode(data.get("token", "")).decode() if data.get("token") else ""
        return kubeconfig_text(
            cluster=cluster, server=server_url or "", ca_data=data.get("ca.crt", ""), token=token
        )

    return pulumi.Output.secret(pulumi.Output.all(server, token_secret.data).apply(build))


def _kubeconfig_or_note(value: Any, source: str) -> str:
    if value:
        return str(value)
    pulumi.log.warn(
        f"{source} has no {KUBECONFIG_OUTPUT} output yet: deploy that worker stack first; "
        "its MultiKueueCluster stays inactive until then"
    )
    return f"# {source} has no {KUBECONFIG_OUTPUT} output yet\n"


def manager_objects(
    parent: pulumi.Resource, burst: BurstSpec, labels: dict[str, str]
) -> pulumi.Resource:
    """The manager's StackReferences, kubeconfig Secrets, MultiKueueClusters,
    MultiKueueConfig and AdmissionCheck; returns the AdmissionCheck."""
    opts = pulumi.ResourceOptions(parent=parent)
    clusters = []
    for cluster in burst.clusters:
        source = (
            f"{pulumi.get_organization()}/{burst.worker_projects[cluster]}/{pulumi.get_stack()}"
        )
        ref = pulumi.StackReference(f"{cluster}-stack", source, opts=opts)
        text = ref.get_output(KUBECONFIG_OUTPUT).apply(
            lambda v, s=source: _kubeconfig_or_note(v, s)
        )
        secret = k8s.core.v1.Secret(
            f"{cluster}-multikueue-kubeconfig",
            metadata={
                "name": burst.kubeconfig_secrets[cluster],
                "namespace": KUEUE_NAMESPACE,
                "labels": labels,
            },
            string_data={KUBECONFIG_KEY: pulumi.Output.secret(text)},
            opts=opts,
        )
        clusters.append(
            k8s.apiextensions.CustomResource(
                f"{cluster}-multikueuecluster",
                api_version=API,
                kind="MultiKueueCluster",
                metadata={"name": cluster, "labels": labels},
                spec={
                    "clusterSource": {
                        "kubeConfig": {
                            "locationType": "Secret",
                            "location": burst.kubeconfig_secrets[cluster],
                        }
                    }
                },
                opts=pulumi.ResourceOptions(parent=parent, depends_on=[secret]),
            )
        )
    config = k8s.apiextensions.CustomResource(
        "burst-multikueueconfig",
        api_version=API,
        kind="MultiKueueConfig",
        metadata={"name": BURST_QUEUE, "labels": labels},
        # The plan's cost order: Kueue's incremental dispatcher nominates in this order.
        spec={"clusters": list(burst.clusters)},
        opts=pulumi.ResourceOptions(parent=parent, depends_on=clusters),
    )
    return k8s.apiextensions.CustomResource(
        "burst-admissioncheck",
        api_version=API,
        kind="AdmissionCheck",
        metadata={"name": BURST_QUEUE, "labels": labels},
        spec={
            "controllerName": MULTIKUEUE_CONTROLLER,
            "parameters": {
                "apiGroup": "kueue.x-k8s.io",
                "kind": "MultiKueueConfig",
                "name": BURST_QUEUE,
            },
        },
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[config]),
    )
