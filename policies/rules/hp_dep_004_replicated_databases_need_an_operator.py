"""HP-DEP-004: Ensure single-node databases run one replica unless an operator runs them."""

from __future__ import annotations

from collections.abc import Iterator

from planner.images import SINGLE_PRIMARY, profile
from planner.model import Category, Level
from planner.policy import resources as rs
from planner.policy.rule import ResourceContext, Rule, Violation, resource_verdict

STATEFULSET = "kubernetes:apps/v1:StatefulSet"


def check_resources(ctx: ResourceContext) -> Iterator[Violation]:
    for r in ctx.resources:
        if r.type != STATEFULSET:
            continue
        replicas = rs.get(r.props, "spec.replicas")
        engines = []
        unknown = rs.is_unknown(replicas)
        for _, c in rs.containers(r):
            image = rs.get(c, "image")
            if rs.is_unknown(c) or rs.is_unknown(image):
                unknown = True
                continue
            known = profile(image) if isinstance(image, str) else None
            if known is not None and known.engine in SINGLE_PRIMARY:
                engines.append(known.engine)
        count = 1 if replicas is None or rs.is_unknown(replicas) else int(float(str(replicas)))
        yield from resource_verdict(
            r.name,
            rs.subject(r),
            wrong=f"{r.name} runs {count} replicas of {engines[0]}: each is an unrelated "
            "primary with its own copy of the data"
            if engines and count > 1
            else "",
            details={"replicas": count, "engine": engines[0] if engines else None},
            unknown=f"replicas or image of {r.name} unknown" if unknown and not engines else "",
        )


RULE = Rule(
    id="HP-DEP-004",
    name="Ensure single-node databases run one replica unless an operator runs them",
    category=Category.DEPLOY,
    level=Level.MANDATORY,
    description="Replicas of a StatefulSet of postgres, redis, mysql, mariadb or mongo do "
    "not replicate: each initialises its own empty database and the Service spreads "
    "clients over them - writes land on one copy, reads on another.",
    fix="Run one replica, or let an operator run the database (sites.yaml "
    "cluster.operators: [cloudnative-pg] makes PostgreSQL a CloudNativePG Cluster).",
    check_resources=check_resources,
)
