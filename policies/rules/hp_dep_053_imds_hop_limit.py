"""HP-DEP-053: Ensure nodes require IMDSv2 with a hop limit of 1."""

from __future__ import annotations

from collections.abc import Iterator

from planner.model import Category, Level
from planner.policy import capacity as cap
from planner.policy import kube
from planner.policy import resources as rs
from planner.policy.rule import ResourceContext, Rule, Violation, resource_verdict

LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"


def _verdict(
    record: rs.ResourceRecord, what: str, tokens: object, hops: object
) -> Iterator[Violation]:
    problems = []
    if not rs.is_unknown(tokens) and tokens != "required":
        problems.append(f"httpTokens is {tokens or 'not set'} (IMDSv1 stays open)")
    if not rs.is_unknown(hops) and kube.quantity(hops) != 1:
        problems.append(
            f"httpPutResponseHopLimit is {hops if hops is not None else 'not set'}, not 1 "
            "(pods reach the node role's credentials)"
        )
    yield from resource_verdict(
        record.name,
        rs.subject(record),
        wrong=f"{what}: {'; '.join(problems)}" if problems else "",
        details={"problems": problems},
        unknown=f"{what}'s metadata options are unknown"
        if rs.is_unknown(tokens) or rs.is_unknown(hops)
        else "",
    )


def check_resources(ctx: ResourceContext) -> Iterator[Violation]:
    for nc in cap.of_kind(kube.kube_objects(ctx.resources), "EC2NodeClass"):
        yield from _verdict(
            nc.record,
            f"EC2NodeClass {nc.name}",
            nc.get("spec.metadataOptions.httpTokens"),
            nc.get("spec.metadataOptions.httpPutResponseHopLimit"),
        )
    for lt in ctx.resources:
        if lt.type == LAUNCH_TEMPLATE:
            yield from _verdict(
                lt,
                f"launch template {lt.name}",
                rs.get(lt.props, "metadataOptions.httpTokens"),
                rs.get(lt.props, "metadataOptions.httpPutResponseHopLimit"),
            )


RULE = Rule(
    id="HP-DEP-053",
    name="Ensure nodes require IMDSv2 with a hop limit of 1",
    category=Category.DEPLOY,
    level=Level.MANDATORY,
    description="With IMDSv1 or a response hop limit above 1, any pod on a GPU node can read "
    "the node role's credentials from the instance metadata service; pods get AWS access "
    "through EKS Pod Identity instead. The setting must be explicit: EC2's own default "
    "leaves IMDSv1 on.",
    fix="Set metadataOptions httpTokens: required and httpPutResponseHopLimit: 1 on every "
    "EC2NodeClass and launch template.",
    check_resources=check_resources,
    resource_scope="resource",
)
