"""HP-HYG-005: Ensure resources carry the cost-allocation tags and labels."""

from __future__ import annotations

from collections.abc import Iterator

from planner.model import Category, Level
from planner.policy import params as pm
from planner.policy import resources as rs
from planner.policy.rule import Param, ParamKind, ResourceContext, Rule, Violation

TAGS = "required_tags"
LABELS = "required_labels"
TYPES = "aws_taggable_types"

# The tags and labels ``stacks/labels.py`` puts on every resource (issue #6).
DEFAULT_TAGS = ["hybridplan:env", "hybridplan:plan", "hybridplan:site"]
DEFAULT_LABELS = ["app.kubernetes.io/name", "hybridplan.io/team"]
DEFAULT_TYPES = [
    "aws:autoscaling/group:Group",
    "aws:budgets/budget:Budget",
    "aws:ebs/volume:Volume",
    "aws:ec2/instance:Instance",
    "aws:ec2/launchTemplate:LaunchTemplate",
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:eks/cluster:Cluster",
    "aws:eks/nodeGroup:NodeGroup",
    "aws:iam/instanceProfile:InstanceProfile",
    "aws:iam/role:Role",
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketV2:BucketV2",
    "aws:sns/topic:Topic",
]


def _aws(r: rs.ResourceRecord, required: tuple[str, ...]) -> Violation | None:
    raw = rs.get(r.props, "tags")
    defaults = rs.as_mapping(rs.get(r.provider_props, "defaultTags.tags"))
    if rs.is_unknown(raw) and not all(k in defaults for k in required):
        return Violation(
            "resource",
            r.name,
            f"the tags of {r.name} are unknown",
            rs.subject(r),
            cannot_evaluate=True,
        )
    present = {**defaults, **rs.tag_map(r.props)}
    missing = [k for k in required if k not in present]
    if not missing:
        return None
    return Violation(
        "resource",
        r.name,
        f"{r.name} lacks cost-allocation tag(s) {', '.join(missing)}",
        {**rs.subject(r), "missing": missing},
    )


def _k8s(r: rs.ResourceRecord, required: tuple[str, ...]) -> Violation | None:
    raw = rs.get(r.props, "metadata.labels")
    if rs.is_unknown(raw):
        return Violation(
            "resource",
            r.name,
            f"the labels of {r.name} are unknown",
            rs.subject(r),
            cannot_evaluate=True,
        )
    present = rs.as_mapping(raw)
    missing = [k for k in required if k not in present]
    if not missing:
        return None
    return Violation(
        "resource",
        r.name,
        f"{r.name} lacks cost-allocation label(s) {', '.join(missing)}",
        {**rs.subject(r), "missing": missing},
    )


def check_resources(ctx: ResourceContext) -> Iterator[Violation]:
    tags, labels = pm.strings(ctx.params, TAGS), pm.strings(ctx.params, LABELS)
    types = set(pm.strings(ctx.params, TYPES))
    for r in ctx.resources:
        v = None
        if r.type in types and tags:
            v = _aws(r, tags)
        elif r.type in rs.K8S_POD_CONTROLLERS and labels:
            v = _k8s(r, labels)
        if v is not None:
            yield v


RULE = Rule(
    id="HP-HYG-005",
    name="Ensure resources carry the cost-allocation tags and labels",
    category=Category.HYGIENE,
    level=Level.MANDATORY,
    description="Spend can only be attributed to teams, sites and plans if every AWS "
    "resource carries the cost-allocation tags and every workload the labels that "
    "Kubernetes cost tools (OpenCost, Kubecost) group by.",
    fix="Add the missing tags (or the provider's defaultTags) and labels.",
    params=(
        Param(
            TAGS,
            ParamKind.STRING_LIST,
            DEFAULT_TAGS,
            "Tag keys every taggable AWS resource must carry.",
        ),
        Param(
            LABELS,
            ParamKind.STRING_LIST,
            DEFAULT_LABELS,
            "Label keys every Kubernetes workload object must carry.",
        ),
        Param(
            TYPES,
            ParamKind.STRING_LIST,
            DEFAULT_TYPES,
            "AWS resource types that support tags and are checked.",
        ),
    ),
    check_resources=check_resources,
)
