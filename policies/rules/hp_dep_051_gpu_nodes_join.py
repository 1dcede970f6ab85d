"""HP-DEP-051: Ensure GPU nodes can join their EKS cluster."""

from __future__ import annotations

import json
from collections.abc import Iterator

from planner.model import Category, Level
from planner.policy import capacity as cap
from planner.policy import kube
from planner.policy import resources as rs
from planner.policy.rule import ResourceContext, Rule, Violation, resource_verdict

ACCESS_ENTRY = "aws:eks/accessEntry:AccessEntry"
ROLE = "aws:iam/role:Role"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
PROFILE = "aws:iam/instanceProfile:InstanceProfile"
NODE_ENTRY_TYPE = "EC2_LINUX"
JOIN_POLICIES = ("AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly")
"""Managed policies a node cannot register or pull its images without (EKS user guide,
"Amazon EKS node IAM role")."""


def _named(value: object, role: str) -> bool:
    """Whether an IAM principal ARN names role ``role`` (any path)."""
    return isinstance(value, str) and ":role/" in value and value.rsplit("/", 1)[-1] == role


def _role_of(nc: kube.KubeObject, ctx: ResourceContext) -> object:
    """The node role of an EC2NodeClass: ``spec.role``, or its instance profile's role."""
    role = nc.get("spec.role")
    if role:
        return role
    profile = nc.get("spec.instanceProfile")
    if rs.is_unknown(profile):
        return profile
    for r in ctx.resources:
        if r.type == PROFILE and rs.get(r.props, "name") == profile:
            return rs.get(r.props, "role")
    return rs.UNKNOWN


def _trusts_ec2(policy: object) -> bool | None:
    if rs.is_unknown(policy) or not isinstance(policy, str):
        return None
    try:
        doc = json.loads(policy)
    except json.JSONDecodeError:
        return False
    for st in rs.as_list(rs.get(doc, "Statement")):
        service = rs.get(rs.get(st, "Principal"), "Service")
        services = service if isinstance(service, list) else [service]
        if rs.get(st, "Effect") == "Allow" and "ec2.amazonaws.com" in services:
            return True
    return False


def _problems(role: str, ctx: ResourceContext) -> tuple[list[str], bool]:
    problems: list[str] = []
    unsure = False
    entries = [r for r in ctx.resources if r.type == ACCESS_ENTRY]
    mine = [e for e in entries if _named(rs.get(e.props, "principalArn"), role)]
    if any(rs.is_unknown(rs.get(e.props, "principalArn")) for e in entries) and not mine:
        unsure = True
    elif not any(rs.get(e.props, "type") == NODE_ENTRY_TYPE for e in mine):
        kinds = sorted({str(rs.get(e.props, "type") or "STANDARD") for e in mine})
        problems.append(
            f"no {NODE_ENTRY_TYPE} EKS access entry names its node role {role}"
            + (f" (the role's entry is of type {', '.join(kinds)})" if kinds else "")
            + ": the kubelet's credentials are refused and the nodes never join"
        )
    roles = [r for r in ctx.resources if r.type == ROLE and rs.get(r.props, "name") == role]
    for r in roles:
        trusts = _trusts_ec2(rs.get(r.props, "assumeRolePolicy"))
        if trusts is None:
            unsure = True
        elif not trusts:
            problems.append(f"role {role} cannot be assumed by EC2 instances")
        attached = {
            str(rs.get(a.props, "policyArn")).rsplit("/", 1)[-1]
            for a in ctx.resources
            if a.type == ATTACHMENT and rs.get(a.props, "role") == role
        }
        lacking = [p for p in JOIN_POLICIES if p not in attached]
        if lacking:
            problems.append(f"role {role} lacks {', '.join(lacking)}")
    return problems, unsure


def check_resources(ctx: ResourceContext) -> Iterator[Violation]:
    for nc in cap.of_kind(kube.kube_objects(ctx.resources), "EC2NodeClass"):
        role = _role_of(nc, ctx)
        if rs.is_unknown(role) or not isinstance(role, str):
            yield from resource_verdict(
                nc.record.name,
                rs.subject(nc.record),
                unknown=f"the node role of EC2NodeClass {nc.name} is unknown",
            )
            continue
        problems, unsure = _problems(role, ctx)
        yield from resource_verdict(
            nc.record.name,
            rs.subject(nc.record),
            wrong=f"EC2NodeClass {nc.name}: {'; '.join(problems)}" if problems else "",
            details={"role": role, "problems": problems},
            unknown=f"the access entries of role {role} are unknown" if unsure else "",
        )


RULE = Rule(
    id="HP-DEP-051",
    name="Ensure GPU nodes can join their EKS cluster",
    category=Category.DEPLOY,
    level=Level.MANDATORY,
    description="An EKS cluster with access entries admits a node only if an EC2_LINUX "
    "access entry names its IAM role: without it (or with one for another role, or of "
    "another type) Karpenter launches GPU instances that are billed but never become "
    "nodes. The role must also trust EC2 and carry the worker-node and ECR read policies.",
    fix="Create an aws.eks.AccessEntry of type EC2_LINUX for the role the EC2NodeClass "
    "names, in the same stack, and attach AmazonEKSWorkerNodePolicy and "
    "AmazonEC2ContainerRegistryReadOnly to that role.",
    check_resources=check_resources,
    resource_scope="stack",
)
