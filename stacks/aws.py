"""AWS components, by job: :mod:`stacks.aws_burst` (``AwsBurst``: Karpenter GPU capacity,
checkpoints, node IAM), :mod:`stacks.aws_budget` (``AwsCostGuard``: the site's budget),
:mod:`stacks.aws_cluster` (providers and the EKS cluster), :mod:`stacks.aws_names` (names
that fit AWS's limits). This module keeps their public names importable in one place."""

from __future__ import annotations

from .aws_budget import GUARD_TYPE, AwsCostGuard, budget_notifications
from .aws_burst import BURST_TYPE, AwsBurst
from .aws_names import (
    TAG_VALUE_MAX,
    budget_name,
    checkpoint_bucket_prefix,
    role_name,
    workloads_tag,
)
from .aws_nodes import NODE_POLICIES

__all__ = [
    "BURST_TYPE",
    "GUARD_TYPE",
    "NODE_POLICIES",
    "TAG_VALUE_MAX",
    "AwsBurst",
    "AwsCostGuard",
    "budget_name",
    "budget_notifications",
    "checkpoint_bucket_prefix",
    "role_name",
    "workloads_tag",
]
