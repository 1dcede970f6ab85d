"""HP-HYG-003: Ensure S3 buckets have server-side encryption configured."""

from __future__ import annotations

from collections.abc import Iterator

from planner.model import Category, Level
from planner.policy import params as pm
from planner.policy import resources as rs
from planner.policy.rule import Param, ParamKind, ResourceContext, Rule, Violation

ALGORITHMS = "allowed_algorithms"
BUCKETS = frozenset({"aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"})
SSE_CONFIGS = frozenset(
    {
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
    }
)
DEFAULT_PATH = "applyServerSideEncryptionByDefault.sseAlgorithm"


def _algorithms(
    bucket: rs.ResourceRecord, configs: list[rs.ResourceRecord]
) -> tuple[list[object], bool]:
    """SSE algorithms configured for ``bucket`` (inline or by a configuration resource), and
    whether some configuration's target is unknown."""
    found: list[object] = []
    inline = rs.get(bucket.props, f"serverSideEncryptionConfiguration.rule.{DEFAULT_PATH}")
    if inline is not None:
        found.append(inline)
    undecided = False
    for c in configs:
        refers = rs.refers_to(c, "bucket", bucket)
        if refers is None:
            undecided = True
        elif refers:
            rules = rs.get(c.props, "rules")
            if rs.is_unknown(rules):
                found.append(rs.UNKNOWN)
            for rule in rs.as_list(rules):
                found.append(rs.get(rule, DEFAULT_PATH))
    return found, undecided


def check_resources(ctx: ResourceContext) -> Iterator[Violation]:
    allowed = pm.strings(ctx.params, ALGORITHMS)
    configs = [r for r in ctx.resources if r.type in SSE_CONFIGS]
    for b in ctx.resources:
        if b.type not in BUCKETS:
            continue
        evidence = rs.subject(b)
        algorithms, undecided = _algorithms(b, configs)
        good = [a for a in algorithms if isinstance(a, str) and a in allowed]
        if good:
            continue
        if undecided or any(rs.is_unknown(a) for a in algorithms):
            yield Violation(
                "resource",
                b.name,
                f"the encryption configuration of bucket {b.name} is unknown",
                evidence,
                cannot_evaluate=True,
            )
        elif algorithms:
            yield Violation(
                "resource",
                b.name,
                f"bucket {b.name} is encrypted with {', '.join(map(str, algorithms))}; allowed: "
                f"{', '.join(allowed)}",
                {**evidence, "algorithms": [str(a) for a in algorithms]},
            )
        else:
            yield Violation(
                "resource",
                b.name,
                f"bucket {b.name} has no server-side encryption configuration",
                evidence,
            )


RULE = Rule(
    id="HP-HYG-003",
    name="Ensure S3 buckets have server-side encryption configured",
    category=Category.HYGIENE,
    level=Level.MANDATORY,
    description="Checkpoints and datasets in S3 must be encrypted at rest with an approved "
    "algorithm, declared in code rather than left to account defaults.",
    fix="Add an aws.s3.BucketServerSideEncryptionConfiguration for the bucket "
    "(sseAlgorithm aws:kms or AES256).",
    params=(
        Param(
            ALGORITHMS,
            ParamKind.STRING_LIST,
            ["aws:kms", "aws:kms:dsse", "AES256"],
            "Accepted sseAlgorithm values.",
        ),
    ),
    check_resources=check_resources,
    resource_scope="stack",
)
