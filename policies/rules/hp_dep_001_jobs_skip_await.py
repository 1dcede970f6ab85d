"""HP-DEP-001: Ensure Jobs that Pulumi must not wait for carry ``pulumi.com/skipAwait``."""

from __future__ import annotations

from collections.abc import Iterator

from planner.model import Category, Level
from planner.policy import resources as rs
from planner.policy.rule import ResourceContext, Rule, Violation, resource_verdict

JOB = "kubernetes:batch/v1:Job"
SKIP_AWAIT = "pulumi.com/skipAwait"
QUEUE_LABEL = "kueue.x-k8s.io/queue-name"


def check_resources(ctx: ResourceContext) -> Iterator[Violation]:
    for r in ctx.resources:
        if r.type != JOB:
            continue
        skip = rs.annotation(r, SKIP_AWAIT)
        suspended = rs.get(r.props, "spec.suspend")
        queued = rs.labels(r).get(QUEUE_LABEL)
        wrong = ""
        if skip != "true" and not rs.is_unknown(skip):
            if suspended is True:
                wrong = f"{r.name} is created suspended: Pulumi waits for it to complete"
            elif isinstance(queued, str) and queued:
                wrong = f"{r.name} waits for Kueue admission (queue {queued!r})"
            elif not rs.is_unknown(suspended) and not rs.is_unknown(queued):
                wrong = f"{r.name} runs to completion while `pulumi up` waits for it"
        yield from resource_verdict(
            r.name,
            rs.subject(r),
            wrong=f"{wrong} (10 minutes, then the update fails)" if wrong else "",
            unknown=f"whether {r.name} is suspended or skips await is unknown"
            if rs.is_unknown(skip) or rs.is_unknown(suspended)
            else "",
        )


RULE = Rule(
    id="HP-DEP-001",
    name="Ensure Jobs that Pulumi must not wait for carry pulumi.com/skipAwait",
    category=Category.DEPLOY,
    level=Level.MANDATORY,
    description="pulumi-kubernetes waits on create and update until a Job has completed: a "
    "suspended Job (a Kueue or scheduler-resumed one) never does, a long batch or training "
    "run outlasts the 10-minute timeout, and `pulumi up` fails.",
    fix='Annotate the Job pulumi.com/skipAwait: "true" (or make it a CronJob).',
    check_resources=check_resources,
)
