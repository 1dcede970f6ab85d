"""AWS names, tag values and policy documents as AWS takes them: names and tags are cut to
fit AWS's limits with a digest of the whole (a long site name still gives a valid, unique
name); policy documents are written one way (version, sorted keys)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

TAG_VALUE_MAX = 256
"""AWS tag values hold at most 256 characters (AWS "Tagging best practices", tag limits)."""
BUCKET_PREFIX_MAX = 37
"""Longest ``bucket_prefix`` the provider accepts (a 26-character unique suffix follows)."""
BUDGET_NAME_MAX = 100
"""Longest AWS Budgets budget name."""
IAM_ROLE_NAME_MAX = 64
"""Longest IAM role name (IAM quotas, "Name length")."""
POLICY_VERSION = "2012-10-17"
"""The current IAM policy language version."""


def policy_document(*statements: dict[str, Any]) -> str:
    """An IAM (or resource) policy of ``statements``, as JSON with sorted keys."""
    return json.dumps({"Version": POLICY_VERSION, "Statement": list(statements)}, sort_keys=True)


def shortened(name: str, keep: int) -> str:
    """``name`` cut to ``keep`` characters plus a 6-hex digest of the whole (still unique)."""
    digest = hashlib.sha256(name.encode()).hexdigest()[:6]
    return f"{name[:keep].rstrip('-')}-{digest}"


def checkpoint_bucket_prefix(site: str) -> str:
    """``hybridplan-<site>-ckpt-``, shortened (with a digest) only when it would exceed the
    37 characters S3 bucket prefixes allow: a site name of 21+ characters is valid."""
    prefix = f"hybridplan-{site}-ckpt-"
    if len(prefix) <= BUCKET_PREFIX_MAX:
        return prefix
    return f"hp-{shortened(site, BUCKET_PREFIX_MAX - 3 - 7 - 6)}-ckpt-"


def budget_name(site: str, env: str) -> str:
    """``hybridplan-<site>-<env>``, shortened (with a digest) beyond the 100 characters a
    budget name allows."""
    name = f"hybridplan-{site}-{env}"
    return name if len(name) <= BUDGET_NAME_MAX else shortened(name, BUDGET_NAME_MAX - 7)


def role_name(site: str, purpose: str) -> str:
    """``hybridplan-<site>-<purpose>``, shortened beyond the 64 characters of an IAM role
    name. Roles are named (not auto-named) so that the EKS access entry and Karpenter's
    EC2NodeClass can name them before they exist, and a preview can check they match."""
    name = f"hybridplan-{site}-{purpose}"
    return name if len(name) <= IAM_ROLE_NAME_MAX else shortened(name, IAM_ROLE_NAME_MAX - 7)


def workloads_tag(workloads: tuple[str, ...]) -> str:
    """The ``hybridplan:workloads`` tag value: the workload names, space-separated, cut to
    fit a tag value (``" +N more"`` names what was left out) instead of failing the create
    when many workloads share a node pool."""
    names = list(workloads)
    text = " ".join(names)
    kept = len(names)
    while len(text) > TAG_VALUE_MAX and kept > 0:
        kept -= 1
        text = " ".join([*names[:kept], f"+{len(names) - kept} more"])
    return text[:TAG_VALUE_MAX]
