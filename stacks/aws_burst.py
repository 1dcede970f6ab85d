"""``AwsBurst``: GPU capacity for the workloads the plan puts on an AWS site, provisioned by
Karpenter into the site's existing EKS cluster (the MultiKueue worker, or the cluster that
runs training or GPU services the plan puts wholly in AWS).

Children: the checkpoint bucket and its Pod Identity access (:mod:`stacks.aws_checkpoints`),
the node role and its ``EC2_LINUX`` access entry (:mod:`stacks.aws_nodes`), and the
Karpenter EC2NodeClass(es), NodePools and NodeOverlays (:mod:`stacks.karpenter`). Network
ids come from stack config (``network``) and default to the EKS cluster's own subnets and
cluster security group.

Why Karpenter rather than managed node groups or auto scaling groups: one NodePool per
priced option makes "what was priced is what is provisioned" a property of the objects
(capacity type, instance type, GPU limit), Capacity Blocks are selected natively
(``reserved``), NodePool weights order the options by price, NodeOverlays carry negotiated
prices, and nodes scale from zero without per-group autoscaler tags.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from .aws_checkpoints import checkpoint_access, checkpoint_bucket
from .aws_cluster import EksCluster
from .aws_names import role_name
from .aws_nodes import NODE_ROLE_PURPOSE, node_role
from .karpenter import NODE_CLASS, RESERVED_NODE_CLASS, node_class, node_overlay, node_pool
from .labels import base_labels, cost_tags
from .spec import AwsBurstArgs

BURST_TYPE = "hybridplan:aws:AwsBurst"


class AwsBurst(pulumi.ComponentResource):
    """Karpenter GPU capacity, checkpoint bucket and node IAM for one AWS site."""

    bucket: aws.s3.Bucket
    role: aws.iam.Role

    def __init__(
        self,
        name: str,
        args: AwsBurstArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        cluster: EksCluster,
    ) -> None:
        super().__init__(BURST_TYPE, name, None, opts)
        stack = args.stack
        tags = cost_tags(stack, **{"hybridplan:component": "gpu-burst"})
        labels = base_labels(stack)
        subnets: pulumi.Input[list[str]] = (
            list(args.network.subnet_ids) if args.network.subnet_ids else cluster.subnet_ids
        )
        security_groups: pulumi.Input[list[str]] = (
            list(args.network.security_group_ids)
            if args.network.security_group_ids
            else cluster.security_group_id.apply(lambda sg: [sg])
        )
        cluster_name = args.eks.cluster_name

        self.bucket = checkpoint_bucket(
            self, site=stack.site, retention_days=args.checkpoint_retention_days, tags=tags
        )
        if args.training_teams:
            checkpoint_access(
                self,
                self.bucket,
                site=stack.site,
                cluster_name=cluster_name,
                teams=args.training_teams,
                tags=tags,
            )
        self.role = node_role(self, site=stack.site, cluster_name=cluster_name, tags=tags)

        class_opts = pulumi.ResourceOptions(parent=self, depends_on=[self.role])
        reserved = any(p.capacity_type == "reserved" for p in args.node_pools)
        classes = [
            node_class(
                class_name,
                # The literal name (the role depends_on): known at preview, where the
                # role's own output is not yet.
                role=role_name(stack.site, NODE_ROLE_PURPOSE),
                subnet_ids=subnets,
                security_group_ids=security_groups,
                ami_alias=args.ami_alias,
                tags=tags,
                labels=labels,
                reservation_site=stack.site if class_name == RESERVED_NODE_CLASS else None,
                opts=class_opts,
            )
            for class_name in ([NODE_CLASS, RESERVED_NODE_CLASS] if reserved else [NODE_CLASS])
        ]
        pool_opts = pulumi.ResourceOptions(parent=self, depends_on=classes)
        for pool in args.node_pools:
            node_pool(pool, site=stack.site, labels=labels, opts=pool_opts)
        for overlay in args.overlays:
            node_overlay(overlay, labels=labels, opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs(
            {"checkpoint_bucket": self.bucket.bucket, "node_role": self.role.name}
        )
