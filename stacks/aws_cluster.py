"""The providers of an AWS site's stack: an explicit AWS provider (region from the stack's
``aws:region``, profile from ``aws:profile`` when set, else the ambient credentials: OIDC in
CI), the EKS cluster (looked up with an ``*_output`` invoke, never created here) and the
Kubernetes provider that talks to that cluster with a kubeconfig built from it (the token
comes from ``aws eks get-token`` at run time, so no credential is stored in the state).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

KUBECONFIG_USER = "aws"


@dataclass(frozen=True)
class EksCluster:
    """An existing EKS cluster, as the stack reads it."""

    name: str
    endpoint: pulumi.Output[str]
    certificate_authority: pulumi.Output[str]
    """Base64 PEM of the cluster CA (as a kubeconfig's ``certificate-authority-data``)."""
    service_cidr: pulumi.Output[str]
    subnet_ids: pulumi.Output[list[str]]
    security_group_id: pulumi.Output[str]
    """The EKS-managed cluster security group (nodes and control plane talk through it)."""


def aws_provider(config: pulumi.Config) -> aws.Provider:
    """The stack's AWS provider: ``aws:region`` (emitted) and ``aws:profile`` (optional)."""
    return aws.Provider("aws", region=config.require("region"), profile=config.get("profile"))


def lookup_cluster(name: str, provider: aws.Provider) -> EksCluster:
    """The EKS cluster ``name`` through ``provider`` (a non-blocking ``*_output`` invoke)."""
    c = aws.eks.get_cluster_output(name=name, opts=pulumi.InvokeOutputOptions(provider=provider))
    return EksCluster(
        name=name,
        endpoint=c.endpoint,
        certificate_authority=c.certificate_authorities.apply(lambda cas: cas[0].data),
        service_cidr=c.kubernetes_network_configs.apply(lambda n: n[0].service_ipv4_cidr),
        subnet_ids=c.vpc_config.apply(lambda v: list(v.subnet_ids)),
        security_group_id=c.vpc_config.apply(lambda v: v.cluster_security_group_id),
    )


def kubeconfig_text(
    *, name: str, endpoint: str, certificate_authority: str, region: str, profile: str | None
) -> str:
    """A kubeconfig for ``name`` that gets a token from ``aws eks get-token`` (the AWS CLI
    of the machine running Pulumi, with its credentials) instead of holding one."""
    env: list[dict[str, str]] = [{"name": "AWS_PROFILE", "value": profile}] if profile else []
    exec_: dict[str, Any] = {
        "apiVersion": "client.authentication.k8s.io/v1beta1",
        "command": "aws",
        "args": ["eks", "get-token", "--cluster-name", name, "--region", region],
        "interactiveMode": "Never",
    }
    if env:
        exec_["env"] = env
    doc = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": name,
                "cluster": {
                    "server": endpoint,
                    "certificate-authority-data": certificate_authority,
                },
            }
        ],
        "users": [{"name": KUBECONFIG_USER, "user": {"exec": exec_}}],
        "contexts": [{"name": name, "context": {"cluster": name, "user": KUBECONFIG_USER}}],
        "current-context": name,
    }
    return json.dumps(doc, sort_keys=True)


def eks_kubernetes_provider(cluster: EksCluster, config: pulumi.Config) -> k8s.Provider:
    """The Kubernetes provider of the EKS cluster (server-side apply: fields other
    controllers own, such as an HPA's replicas, are merged rather than overwritten)."""
    region = config.require("region")
    profile = config.get("profile")
    text = pulumi.Output.all(cluster.endpoint, cluster.certificate_authority).apply(
        lambda v: kubeconfig_text(
            name=cluster.name,
            endpoint=v[0],
            certificate_authority=v[1],
            region=region,
            profile=profile,
        )
    )
    return k8s.Provider("kubernetes", kubeconfig=text, enable_server_side_apply=True)
