"""AWS components: ``AwsBurst`` (GPU burst capacity) and ``AwsCostGuard`` (site budget).

``AwsBurst`` adds GPU nodes to an existing EKS cluster (the MultiKueue worker, or the
cluster that runs training the plan puts wholly in AWS): per GPU type a LaunchTemplate
(EKS-optimised accelerated AL2023 AMI from SSM, IMDSv2 only, encrypted root volume, a
nodeadm config that labels and taints the nodes) and an AutoScalingGroup with a mixed
instances policy (on-demand base and spot share from the plan, min 0, max from the plan,
cluster-autoscaler tags for scale-from-zero). Shared: an S3 bucket for checkpoints
(KMS encryption, versioning, public access block, TLS-only policy, lifecycle expiry), and a
least-privilege node role (EKS worker and ECR read-only managed policies plus read/write on
that bucket only) with its instance profile. Network ids come from stack config
(``network``) and default to the EKS cluster's own subnets and cluster security group.

``AwsCostGuard`` puts an ``aws.budgets.Budget`` on the site, filtered by the
``hybridplan:site`` cost-allocation tag, alerting an SNS topic (and optional e-mails) at
thresholds of the plan's monthly cost.

Lookups use only the ``*_output`` invoke forms (no blocking calls).
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import pulumi
import pulumi_aws as aws

from stacks.labels import cost_tags
from stacks.spec import AwsBurstArgs, AwsCostGuardArgs, BurstGroupSpec

BURST_TYPE = "hybridplan:aws:AwsBurst"
GUARD_TYPE = "hybridplan:aws:AwsCostGuard"

NODE_POLICIES = (
    "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
    "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
)
"""The minimum managed policies an EKS node needs (AWS EKS user guide, "Amazon EKS node
IAM role", checked 2026-11)."""

ROOT_VOLUME_GIB = 200
TAG_VALUE_MAX = 256
"""AWS tag values hold at most 256 characters (AWS "Tagging best practices", tag limits)."""


BUCKET_PREFIX_MAX = 37
"""Longest ``bucket_prefix`` the provider accepts (a 26-character unique suffix follows)."""
BUDGET_NAME_MAX = 100
"""Longest AWS Budgets budget name."""


def _short(name: str, keep: int) -> str:
    """``name`` cut to ``keep`` characters plus a 6-hex digest of the whole (still unique)."""
    digest = hashlib.sha256(name.encode()).hexdigest()[:6]
    return f"{name[:keep].rstrip('-')}-{digest}"


def checkpoint_bucket_prefix(site: str) -> str:
    """``hybridplan-<site>-ckpt-``, shortened (with a digest) only when it would exceed the
    37 characters S3 bucket prefixes allow: a site name of 21+ characters is valid."""
    prefix = f"hybridplan-{site}-ckpt-"
    if len(prefix) <= BUCKET_PREFIX_MAX:
        return prefix
    return f"hp-{_short(site, BUCKET_PREFIX_MAX - 3 - 7 - 6)}-ckpt-"


def budget_name(site: str, env: str) -> str:
    """``hybridplan-<site>-<env>``, shortened (with a digest) beyond the 100 characters a
    budget name allows."""
    name = f"hybridplan-{site}-{env}"
    return name if len(name) <= BUDGET_NAME_MAX else _short(name, BUDGET_NAME_MAX - 7)


def ami_parameter(kubernetes_version: str) -> str:
    """SSM parameter of the EKS-optimised accelerated (NVIDIA) AL2023 x86_64 AMI."""
    return (
        f"/aws/service/eks/optimized-ami/{kubernetes_version}"
        "/amazon-linux-2023/x86_64/nvidia/recommended/image_id"
    )


def workloads_tag(workloads: tuple[str, ...]) -> str:
    """The ``hybridplan:workloads`` tag value: the workload names, space-separated, cut to
    fit a tag value (``" +N more"`` names what was left out) instead of failing the create
    of the launch template and auto scaling group when many workloads share a GPU type."""
    names = list(workloads)
    text = " ".join(names)
    kept = len(names)
    while len(text) > TAG_VALUE_MAX and kept > 0:
        kept -= 1
        text = " ".join([*names[:kept], f"+{len(names) - kept} more"])
    return text[:TAG_VALUE_MAX]


def budget_notifications(
    thresholds_pct: tuple[int, ...], emails: tuple[str, ...], topic_arn: pulumi.Input[str]
) -> list[dict[str, Any]]:
    """Budget notifications: actual spend above each threshold, and forecast above 100 %,
    each to the SNS topic and the alert e-mails (if any)."""
    subscribers: dict[str, Any] = {"subscriber_sns_topic_arns": [topic_arn]}
    if emails:
        subscribers["subscriber_email_addresses"] = list(emails)
    alerts = [("ACTUAL", pct) for pct in sorted(set(thresholds_pct))] + [("FORECASTED", 100)]
    return [
        {
            "comparison_operator": "GREATER_THAN",
            "notification_type": kind,
            "threshold": pct,
            "threshold_type": "PERCENTAGE",
            **subscribers,
        }
        for kind, pct in alerts
    ]


def _policy_short(arn: str) -> str:
    return arn.rsplit("/", 1)[-1].lower().replace("_", "-")


def nodeadm_user_data(
    *, cluster: str, endpoint: str, ca: str, cidr: str, labels: dict[str, str], taint: str
) -> str:
    """MIME user data with a nodeadm ``NodeConfig`` (AL2023 EKS AMIs), base64-encoded."""
    node_config = {
        "apiVersion": "node.eks.aws/v1alpha1",
        "kind": "NodeConfig",
        "spec": {
            "cluster": {
                "name": cluster,
                "apiServerEndpoint": endpoint,
                "certificateAuthority": ca,
                "cidr": cidr,
            },
            "kubelet": {
                "flags": [
                    "--node-labels=" + ",".join(f"{k}={v}" for k, v in sorted(labels.items())),
                    f"--register-with-taints={taint}",
                ]
            },
        },
    }
    body = (
        'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="BOUNDARY"\n\n'
        "--BOUNDARY\nContent-Type: application/node.eks.aws\n\n"
        + json.dumps(node_config, indent=2, sort_keys=True)
        + "\n\n--BOUNDARY--\n"
    )
    return base64.b64encode(body.encode()).decode()


class AwsBurst(pulumi.ComponentResource):
    """GPU burst node groups, checkpoint bucket and node IAM for one AWS site."""

    bucket: aws.s3.Bucket
    role: aws.iam.Role

    def __init__(
        self, name: str, args: AwsBurstArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(BURST_TYPE, name, None, opts)
        self._args = args
        stack = args.stack
        tags = cost_tags(stack, **{"hybridplan:component": "gpu-burst"})
        child = pulumi.ResourceOptions(parent=self)

        cluster = aws.eks.get_cluster_output(
            name=args.eks_cluster_name, opts=pulumi.InvokeOutputOptions(parent=self)
        )
        # The AMI of the cluster's own Kubernetes version unless config pins one: a kubelet
        # newer than the control plane is unsupported.
        version: pulumi.Input[str] = args.eks_version or cluster.version
        ami = aws.ssm.get_parameter_output(
            name=pulumi.Output.from_input(version).apply(ami_parameter),
            opts=pulumi.InvokeOutputOptions(parent=self),
        )
        subnets: pulumi.Input[list[str]] = (
            list(args.network.subnet_ids)
            if args.network.subnet_ids
            else cluster.vpc_config.subnet_ids
        )
        security_groups: pulumi.Input[list[str]] = (
            list(args.network.security_group_ids)
            if args.network.security_group_ids
            else cluster.vpc_config.apply(lambda v: [v.cluster_security_group_id])
        )

        # -------------------------------------------------------------- checkpoints
        self.bucket = aws.s3.Bucket(
            "checkpoints",
            bucket_prefix=checkpoint_bucket_prefix(stack.site),
            force_destroy=False,
            tags=tags,
            opts=child,
        )
        aws.s3.BucketPublicAccessBlock(
            "checkpoints-public-access-block",
            bucket=self.bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            "checkpoints-encryption",
            bucket=self.bucket.id,
            rules=[
                {
                    "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms"},
                    "bucket_key_enabled": True,
                }
            ],
            opts=child,
        )
        aws.s3.BucketVersioning(
            "checkpoints-versioning",
            bucket=self.bucket.id,
            versioning_configuration={"status": "Enabled"},
            opts=child,
        )
        aws.s3.BucketLifecycleConfiguration(
            "checkpoints-lifecycle",
            bucket=self.bucket.id,
            rules=[
                {
                    "id": "expire-checkpoints",
                    "status": "Enabled",
                    "filter": {"prefix": ""},
                    "expiration": {"days": args.checkpoint_retention_days},
                    "noncurrent_version_expiration": {"noncurrent_days": 7},
                    "abort_incomplete_multipart_upload": {"days_after_initiation": 2},
                }
            ],
            opts=child,
        )
        aws.s3.BucketPolicy(
            "checkpoints-tls-only",
            bucket=self.bucket.id,
            policy=self.bucket.arn.apply(_tls_only_policy),
            opts=child,
        )

        # -------------------------------------------------------------- node IAM
        self.role = aws.iam.Role(
            "node-role",
            assume_role_policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "ec2.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            ),
            description=f"hybridplan GPU burst nodes of {stack.site}",
            tags=tags,
            opts=child,
        )
        for arn in NODE_POLICIES:
            aws.iam.RolePolicyAttachment(
                f"node-role-{_policy_short(arn)}", role=self.role.name, policy_arn=arn, opts=child
            )
        aws.iam.RolePolicy(
            "node-role-checkpoints",
            role=self.role.id,
            policy=self.bucket.arn.apply(_checkpoint_policy),
            opts=child,
        )
        profile = aws.iam.InstanceProfile(
            "node-instance-profile", role=self.role.name, tags=tags, opts=child
        )

        # -------------------------------------------------------------- node groups
        for group in args.groups:
            self._group(
                group,
                cluster=cluster,
                image_id=ami.value,
                profile=profile,
                subnets=subnets,
                security_groups=security_groups,
            )
        self.register_outputs({"checkpoint_bucket": self.bucket.bucket})

    def _group(
        self,
        group: BurstGroupSpec,
        *,
        cluster: pulumi.Output[Any],
        image_id: pulumi.Output[str],
        profile: aws.iam.InstanceProfile,
        subnets: pulumi.Input[list[str]],
        security_groups: pulumi.Input[list[str]],
    ) -> None:
        args = self._args
        stack = args.stack
        tags = cost_tags(
            stack,
            **{
                "hybridplan:component": "gpu-burst",
                "hybridplan:gpu-type": group.gpu_type,
                "hybridplan:workloads": workloads_tag(group.workloads),
            },
        )
        node_labels = {"hybridplan.io/gpu-type": group.gpu_type, "hybridplan.io/site": stack.site}
        taint = "nvidia.com/gpu=true:NoSchedule"
        user_data = cluster.apply(
            lambda c: nodeadm_user_data(
                cluster=c.name,
                endpoint=c.endpoint,
                ca=c.certificate_authorities[0].data,
                cidr=c.kubernetes_network_configs[0].service_ipv4_cidr,
                labels=node_labels,
                taint=taint,
            )
        )
        template = aws.ec2.LaunchTemplate(
            f"{group.name}-launch-template",
            name_prefix=f"hybridplan-{stack.site}-{group.name}-",
            image_id=image_id,
            instance_type=group.instance_types[0],
            iam_instance_profile={"arn": profile.arn},
            vpc_security_group_ids=security_groups,
            user_data=user_data,
            metadata_options={
                "http_endpoint": "enabled",
                "http_tokens": "required",
                "http_put_response_hop_limit": 2,
            },
            block_device_mappings=[
                {
                    "device_name": "/dev/xvda",
                    "ebs": {
                        "volume_size": ROOT_VOLUME_GIB,
                        "volume_type": "gp3",
                        "encrypted": "true",
                        "delete_on_termination": "true",
                    },
                }
            ],
            tag_specifications=[
                {"resource_type": "instance", "tags": tags},
                {"resource_type": "volume", "tags": tags},
            ],
            update_default_version=True,
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        autoscaler_tags = {
            "k8s.io/cluster-autoscaler/enabled": "true",
            f"k8s.io/cluster-autoscaler/{args.eks_cluster_name}": "owned",
            **{
                f"k8s.io/cluster-autoscaler/node-template/label/{k}": v
                for k, v in node_labels.items()
            },
            "k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu": "true:NoSchedule",
        }
        all_tags = {**tags, **autoscaler_tags, "Name": f"hybridplan-{stack.site}-{group.name}"}
        aws.autoscaling.Group(
            f"{group.name}-asg",
            name_prefix=f"hybridplan-{stack.site}-{group.name}-",
            min_size=0,
            max_size=group.max_size,
            vpc_zone_identifiers=subnets,
            capacity_rebalance=True,
            mixed_instances_policy={
                "instances_distribution": {
                    "on_demand_base_capacity": group.on_demand_base,
                    "on_demand_percentage_above_base_capacity": group.on_demand_pct_above_base,
                    "spot_allocation_strategy": "price-capacity-optimized",
                },
                "launch_template": {
                    "launch_template_specification": {
                        "launch_template_id": template.id,
                        "version": "$Latest",
                    },
                    "overrides": [{"instance_type": t} for t in group.instance_types],
                },
            },
            tags=[
                {"key": k, "value": v, "propagate_at_launch": not k.startswith("k8s.io/")}
                for k, v in sorted(all_tags.items())
            ],
            opts=pulumi.ResourceOptions(
                parent=self,
                # The cluster autoscaler owns the desired size between 0 and max.
                ignore_changes=["desiredCapacity"],
            ),
        )


def _tls_only_policy(bucket_arn: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [bucket_arn, f"{bucket_arn}/*"],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                }
            ],
        },
        sort_keys=True,
    )


def _checkpoint_policy(bucket_arn: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "ListCheckpoints",
                    "Effect": "Allow",
                    "Action": ["s3:ListBucket"],
                    "Resource": [bucket_arn],
                },
                {
                    "Sid": "ReadWriteCheckpoints",
                    "Effect": "Allow",
                    "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                    "Resource": [f"{bucket_arn}/*"],
                },
            ],
        },
        sort_keys=True,
    )


class AwsCostGuard(pulumi.ComponentResource):
    """A monthly cost budget on the site's tagged spend, alerting an SNS topic."""

    topic: aws.sns.Topic
    budget: aws.budgets.Budget

    def __init__(
        self, name: str, args: AwsCostGuardArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(GUARD_TYPE, name, None, opts)
        stack = args.stack
        tags = cost_tags(stack, **{"hybridplan:component": "cost-guard"})
        child = pulumi.ResourceOptions(parent=self)
        self.topic = aws.sns.Topic(
            "budget-alerts",
            name_prefix=f"hybridplan-{stack.site}-budget-",
            # No SSE with the AWS-managed SNS key: AWS Budgets cannot publish to it.
            tags=tags,
            opts=child,
        )
        identity = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self))
        aws.sns.TopicPolicy(
            "budget-alerts-policy",
            arn=self.topic.arn,
            policy=pulumi.Output.all(self.topic.arn, identity.account_id).apply(
                lambda v: _budget_topic_policy(v[0], v[1])
            ),
            opts=child,
        )
        notifications = budget_notifications(
            args.alert_thresholds_pct, args.alert_emails, self.topic.arn
        )
        self.budget = aws.budgets.Budget(
            "budget",
            name=budget_name(stack.site, stack.env),
            budget_type="COST",
            limit_amount=args.usd_per_month,
            limit_unit="USD",
            time_unit="MONTHLY",
            cost_filters=[
                {"name": "TagKeyValue", "values": [f"user:hybridplan:site${stack.site}"]}
            ],
            notifications=notifications,
            tags=tags,
            opts=child,
        )
        self.register_outputs({"budget": self.budget.name})


def _budget_topic_policy(topic_arn: str, account_id: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AllowBudgetsToPublish",
                    "Effect": "Allow",
                    "Principal": {"Service": "budgets.amazonaws.com"},
                    "Action": "SNS:Publish",
                    "Resource": topic_arn,
                    "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
                }
            ],
        },
        sort_keys=True,
    )
