"""The training checkpoint bucket of an AWS site and who may use it.

The bucket: SSE-KMS with a bucket key, versioning, all public access blocked, a TLS-only
policy, lifecycle expiry. Access: training pods, through EKS Pod Identity - a role trusted by
``pods.eks.amazonaws.com`` with read/write on this bucket only, associated with the
``hybridplan-training`` ServiceAccount of each team that trains here. Nodes get no bucket
access (IMDSv2 with hop limit 1 keeps pods off the node role anyway).
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from .aws_names import checkpoint_bucket_prefix, policy_document, role_name
from .spec_kueue import TRAINING_SERVICE_ACCOUNT

POD_IDENTITY_PRINCIPAL = "pods.eks.amazonaws.com"
CHECKPOINT_ROLE_PURPOSE = "checkpoints"


def tls_only_policy(bucket_arn: str) -> str:
    """Deny every request to the bucket that does not use TLS."""
    return policy_document(
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [bucket_arn, f"{bucket_arn}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    )


def checkpoint_policy(bucket_arn: str) -> str:
    """List the bucket, read, write and delete its objects: nothing else."""
    return policy_document(
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
    )


def pod_identity_trust() -> str:
    """Trust policy of a role EKS Pod Identity hands to pods."""
    return policy_document(
        {
            "Effect": "Allow",
            "Principal": {"Service": POD_IDENTITY_PRINCIPAL},
            "Action": ["sts:AssumeRole", "sts:TagSession"],
        }
    )


def checkpoint_bucket(
    parent: pulumi.Resource, *, site: str, retention_days: int, tags: dict[str, str]
) -> aws.s3.Bucket:
    """The bucket and its encryption, versioning, public access block, TLS-only policy and
    lifecycle, as children of ``parent``."""
    child = pulumi.ResourceOptions(parent=parent)
    bucket = aws.s3.Bucket(
        "checkpoints",
        bucket_prefix=checkpoint_bucket_prefix(site),
        force_destroy=False,
        tags=tags,
        opts=child,
    )
    aws.s3.BucketPublicAccessBlock(
        "checkpoints-public-access-block",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        opts=child,
    )
    aws.s3.BucketServerSideEncryptionConfiguration(
        "checkpoints-encryption",
        bucket=bucket.id,
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
        bucket=bucket.id,
        versioning_configuration={"status": "Enabled"},
        opts=child,
    )
    aws.s3.BucketLifecycleConfiguration(
        "checkpoints-lifecycle",
        bucket=bucket.id,
        rules=[
            {
                "id": "expire-checkpoints",
                "status": "Enabled",
                "filter": {"prefix": ""},
                "expiration": {"days": retention_days},
                "noncurrent_version_expiration": {"noncurrent_days": 7},
                "abort_incomplete_multipart_upload": {"days_after_initiation": 2},
            }
        ],
        opts=child,
    )
    aws.s3.BucketPolicy(
        "checkpoints-tls-only",
        bucket=bucket.id,
        policy=bucket.arn.apply(tls_only_policy),
        opts=child,
    )
    return bucket


def checkpoint_access(
    parent: pulumi.Resource,
    bucket: aws.s3.Bucket,
    *,
    site: str,
    cluster_name: str,
    teams: tuple[str, ...],
    tags: dict[str, str],
) -> aws.iam.Role:
    """The Pod Identity role of the bucket and one association per training team."""
    child = pulumi.ResourceOptions(parent=parent)
    role = aws.iam.Role(
        "checkpoint-role",
        name=role_name(site, CHECKPOINT_ROLE_PURPOSE),
        assume_role_policy=pod_identity_trust(),
        description=f"hybridplan training pods of {site}: checkpoint bucket (EKS Pod Identity)",
        tags=tags,
        opts=child,
    )
    aws.iam.RolePolicy(
        "checkpoint-role-bucket",
        role=role.id,
        policy=bucket.arn.apply(checkpoint_policy),
        opts=child,
    )
    for team in teams:
        aws.eks.PodIdentityAssociation(
            f"{team}-checkpoint-identity",
            cluster_name=cluster_name,
            namespace=team,
            service_account=TRAINING_SERVICE_ACCOUNT,
            role_arn=role.arn,
            tags=tags,
            opts=child,
        )
    return role
