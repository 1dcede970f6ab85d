"""The IAM side of GPU nodes joining an EKS cluster: the node role Karpenter launches
instances with, its managed policies, and the EKS access entry (type ``EC2_LINUX``) without
which the kubelet's credentials are refused and the nodes never join.

The role has a fixed name (``hybridplan-<site>-gpu-nodes``) so the EC2NodeClass and the
access entry name it before it exists; the access entry's principal ARN is built from the
account and partition of the caller (known at preview) rather than read back from the role
(unknown until created), so a ``pulumi preview`` - and HP-DEP-051 - can check they match.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from .aws_names import policy_document, role_name

NODE_POLICIES = (
    "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
    "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
)
"""The managed policies an EKS node needs (AWS EKS user guide, "Amazon EKS node IAM role",
checked 2026-11). Checkpoints are reached by pods through EKS Pod Identity, not by the node:
IMDS hop limit 1 keeps pods off the node's credentials."""
NODE_ROLE_PURPOSE = "gpu-nodes"
ACCESS_ENTRY_TYPE = "EC2_LINUX"


def _policy_short(arn: str) -> str:
    return arn.rsplit("/", 1)[-1].lower().replace("_", "-")


def role_arn(partition_arn: str, account_id: str, name: str) -> str:
    """``arn:<partition>:iam::<account>:role/<name>``, the partition taken from any ARN of
    the account (the caller's)."""
    partition = partition_arn.split(":")[1] if partition_arn.count(":") >= 1 else "aws"
    return f"arn:{partition}:iam::{account_id}:role/{name}"


def node_role(
    parent: pulumi.Resource, *, site: str, cluster_name: str, tags: dict[str, str]
) -> aws.iam.Role:
    """The node role, its managed policies and its ``EC2_LINUX`` access entry, as children of
    ``parent``."""
    child = pulumi.ResourceOptions(parent=parent)
    name = role_name(site, NODE_ROLE_PURPOSE)
    role = aws.iam.Role(
        "node-role",
        name=name,
        assume_role_policy=policy_document(
            {
                "Effect": "Allow",
                "Principal": {"Service": "ec2.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ),
        description=f"hybridplan GPU nodes of {site} (Karpenter)",
        tags=tags,
        opts=child,
    )
    for arn in NODE_POLICIES:
        aws.iam.RolePolicyAttachment(
            f"node-role-{_policy_short(arn)}", role=role.name, policy_arn=arn, opts=child
        )
    identity = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=parent))
    aws.eks.AccessEntry(
        "node-access-entry",
        cluster_name=cluster_name,
        principal_arn=pulumi.Output.all(identity.arn, identity.account_id).apply(
            lambda v: role_arn(v[0], v[1], name)
        ),
        type=ACCESS_ENTRY_TYPE,
        tags=tags,
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[role]),
    )
    return role
