"""HP-DEP-006: Ensure custom resources have their CRDs installed or declared."""

from __future__ import annotations

from collections.abc import Iterator

from planner.model import Category, Level
from planner.policy import params as pm
from planner.policy import resources as rs
from planner.policy.rule import Param, ParamKind, ResourceContext, Rule, Violation

PREREQUISITE_ANNOTATION = "hybridplan.io/prerequisite"
"""On a custom resource: the operator it needs, which the site declares installed."""
CRD = "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition"
INSTALLED = "installed_groups"


def _group(resource_type: str) -> str | None:
    """The API group of a ``kubernetes:<group>/<version>:<Kind>`` custom resource type
    (``None`` for built-in kinds, whose group has no dot or ends in ``.k8s.io``)."""
    parts = resource_type.split(":")
    if len(parts) != 3 or parts[0] != "kubernetes" or "/" not in parts[1]:
        return None
    group = parts[1].split("/", 1)[0]
    builtin = "." not in group or (group.endswith(".k8s.io") and not group.endswith(".x-k8s.io"))
    return None if builtin else group


def check_resources(ctx: ResourceContext) -> Iterator[Violation]:
    installed = set(pm.strings(ctx.params, INSTALLED))
    for r in ctx.resources:
        if r.type == CRD:
            group = rs.get(r.props, "spec.group")
            if isinstance(group, str):
                installed.add(group)
    for r in ctx.resources:
        group = _group(r.type)
        if group is None or group in installed:
            continue
        declared = rs.annotation(r, PREREQUISITE_ANNOTATION)
        if rs.is_unknown(declared):
            yield Violation(
                "resource",
                r.name,
                f"the prerequisite of {r.name} is unknown",
                rs.subject(r),
                cannot_evaluate=True,
            )
        elif not declared:
            yield Violation(
                "resource",
                r.name,
                f"{r.name} is a {group} object, but the stack installs no CRD of {group} and "
                "declares no operator for it: the API server rejects it",
                {**rs.subject(r), "group": group},
            )


RULE = Rule(
    id="HP-DEP-006",
    name="Ensure custom resources have their CRDs installed or declared",
    category=Category.DEPLOY,
    level=Level.MANDATORY,
    description="An object of a custom resource kind is only accepted where its CRD is "
    "installed; `pulumi up` fails on a cluster without the operator.",
    fix="Install the CRD in the stack, declare the operator on the site (sites.yaml "
    "cluster.operators), or list its API group in the rule's installed_groups when the "
    "clusters have it as a prerequisite.",
    params=(
        Param(
            INSTALLED,
            ParamKind.STRING_LIST,
            ["kueue.x-k8s.io", "karpenter.sh", "karpenter.k8s.aws"],
            "API groups the clusters have installed as a prerequisite (stacks/README.md: "
            "Kueue v0.19 on clusters that run training, Karpenter v1 on the EKS clusters "
            "that get AwsBurst).",
        ),
    ),
    check_resources=check_resources,
    resource_scope="stack",
)
