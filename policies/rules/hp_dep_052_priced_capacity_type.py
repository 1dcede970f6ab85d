"""HP-DEP-052: Ensure NodePools provision the capacity type the plan priced."""

from __future__ import annotations

from collections.abc import Iterator

from planner.model import Category, Level, PricingOption
from planner.policy import capacity as cap
from planner.policy import kube
from planner.policy import resources as rs
from planner.policy.rule import ResourceContext, Rule, Violation, resource_verdict


def check_resources(ctx: ResourceContext) -> Iterator[Violation]:
    objects = kube.kube_objects(ctx.resources)
    classes = {str(c.name): c for c in cap.of_kind(objects, "EC2NodeClass") if c.known}
    for pool in cap.of_kind(objects, "NodePool"):
        notes = pool.get("metadata.annotations")
        priced = (
            None if rs.is_unknown(notes) else rs.as_mapping(notes).get(cap.PRICED_OPTION_ANNOTATION)
        )
        if priced is None:
            continue  # not a pool the plan priced
        evidence = {**rs.subject(pool.record), "priced_option": str(priced)}
        values = cap.requirement(pool, cap.CAPACITY_TYPE_LABEL)
        try:
            wanted = cap.CAPACITY_TYPE[PricingOption(str(priced))]
        except (KeyError, ValueError):
            yield from resource_verdict(
                pool.record.name,
                evidence,
                wrong=f"NodePool {pool.name} is priced {priced!r}, which no cloud capacity "
                "type provides",
            )
            continue
        if rs.is_unknown(values):
            yield from resource_verdict(
                pool.record.name, evidence, unknown=f"NodePool {pool.name}'s capacity types"
            )
            continue
        got = (
            sorted(str(v) for v in rs.as_list(values))
            if values is not None
            else [cap.KARPENTER_DEFAULT_CAPACITY_TYPE]
        )
        problems = []
        if got != [wanted]:
            problems.append(
                f"priced {priced} ({wanted} capacity) but may launch {', '.join(got)}"
                + ("" if values is not None else " (no capacity-type requirement)")
            )
        if wanted == "reserved":
            ref = pool.get("spec.template.spec.nodeClassRef.name")
            nc = classes.get(str(ref))
            terms = nc.get("spec.capacityReservationSelectorTerms") if nc else None
            if nc is not None and not rs.is_unknown(terms) and not rs.as_list(terms):
                problems.append(
                    f"its EC2NodeClass {ref} selects no capacity reservation, so no "
                    "Capacity Block can be used"
                )
        yield from resource_verdict(
            pool.record.name,
            evidence,
            wrong=f"NodePool {pool.name}: {'; '.join(problems)}" if problems else "",
            details={"capacity_types": got, "expected": wanted},
        )


RULE = Rule(
    id="HP-DEP-052",
    name="Ensure NodePools provision the capacity type the plan priced",
    category=Category.DEPLOY,
    level=Level.MANDATORY,
    description="The plan's cost assumes each share is bought as priced: spot as spot, "
    "commitments and on-demand as on-demand, Capacity Blocks as reserved capacity. A NodePool "
    "that allows another capacity type (or none, which Karpenter reads as on-demand) spends "
    "what the plan did not price, or puts a share the plan kept off spot on spot.",
    fix="Give the NodePool a karpenter.sh/capacity-type requirement with exactly the capacity "
    "type of its priced option (and, for reserved, an EC2NodeClass with "
    "capacityReservationSelectorTerms).",
    check_resources=check_resources,
    resource_scope="stack",
)
