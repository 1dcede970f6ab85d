"""HP-HYG-004: Ensure S3 buckets block all public access."""

from __future__ import annotations

from collections.abc import Iterator

from planner.model import Category, Level
from planner.policy import resources as rs
from planner.policy.rule import ResourceContext, Rule, Violation

BUCKETS = frozenset({"aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"})
BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
ACCOUNT_BLOCK = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"
FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")


def _state(block: rs.ResourceRecord) -> tuple[list[str], list[str]]:
    """Flags of a public access block that are not true, and those that are unknown."""
    off, unknown = [], []
    for flag in FLAGS:
        value = rs.get(block.props, flag)
        if rs.is_unknown(value):
            unknown.append(flag)
        elif value is not True:
            off.append(flag)
    return off, unknown


def check_resources(ctx: ResourceContext) -> Iterator[Violation]:
    blocks = [r for r in ctx.resources if r.type == BLOCK]
    account = [r for r in ctx.resources if r.type == ACCOUNT_BLOCK]
    if any(_state(a) == ([], []) for a in account):
        return
    for b in ctx.resources:
        if b.type not in BUCKETS:
            continue
        evidence = rs.subject(b)
        mine = []
        undecided = False
        for blk in blocks:
            refers = rs.refers_to(blk, "bucket", b)
            if refers is None:
                undecided = True
            elif refers:
                mine.append(_state(blk))
        if any(state == ([], []) for state in mine):
            continue
        if undecided or any(unknown for _, unknown in mine):
            yield Violation(
                "resource",
                b.name,
                f"the public access block of bucket {b.name} is unknown",
                evidence,
                cannot_evaluate=True,
            )
        elif mine:
            off = sorted({flag for flags, _ in mine for flag in flags})
            yield Violation(
                "resource",
                b.name,
                f"bucket {b.name}'s public access block leaves {', '.join(off)} off",
                {**evidence, "flags_off": off},
            )
        else:
            yield Violation(
                "resource", b.name, f"bucket {b.name} has no public access block", evidence
            )


RULE = Rule(
    id="HP-HYG-004",
    name="Ensure S3 buckets block all public access",
    category=Category.HYGIENE,
    level=Level.MANDATORY,
    description="A bucket of checkpoints or data must never become public through an ACL "
    "or a bucket policy; all four public access block settings must be on.",
    fix="Add an aws.s3.BucketPublicAccessBlock for the bucket with blockPublicAcls, "
    "blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets true.",
    check_resources=check_resources,
    resource_scope="stack",
)
