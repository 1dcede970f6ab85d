"""HP-DEP-003: Ensure volume claims name a storage class."""

from __future__ import annotations

from collections.abc import Iterator

from planner.model import Category, Level
from planner.policy import resources as rs
from planner.policy.rule import ResourceContext, Rule, Violation, resource_verdict

STATEFULSET = "kubernetes:apps/v1:StatefulSet"
PVC = "kubernetes:core/v1:PersistentVolumeClaim"
CNPG_CLUSTER = "kubernetes:postgresql.cnpg.io/v1:Cluster"


def _claims(r: rs.ResourceRecord) -> list[tuple[str, object]]:
    """``(claim, storage class)`` of every volume claim the object makes."""
    if r.type == PVC:
        return [(r.name, rs.get(r.props, "spec.storageClassName"))]
    if r.type == CNPG_CLUSTER:
        storage = rs.get(r.props, "spec.storage")
        return [] if storage is None else [("storage", rs.get(storage, "storageClass"))]
    if r.type == STATEFULSET:
        templates = rs.get(r.props, "spec.volumeClaimTemplates")
        if rs.is_unknown(templates):
            return [("volumeClaimTemplates", templates)]
        return [
            (str(rs.get(t, "metadata.name")), rs.get(t, "spec.storageClassName"))
            for t in rs.as_list(templates)
        ]
    return []


def check_resources(ctx: ResourceContext) -> Iterator[Violation]:
    for r in ctx.resources:
        claims = _claims(r)
        missing = [name for name, cls in claims if cls is None or cls == ""]
        unknown = [name for name, cls in claims if rs.is_unknown(cls)]
        yield from resource_verdict(
            r.name,
            rs.subject(r),
            wrong=f"{r.name}: volume claim(s) {', '.join(missing)} name no storage class"
            if missing
            else "",
            details={"claims": missing},
            unknown=f"storage class of {r.name} unknown" if unknown else "",
        )


RULE = Rule(
    id="HP-DEP-003",
    name="Ensure volume claims name a storage class",
    category=Category.DEPLOY,
    level=Level.ADVISORY,
    description="A claim without storageClassName takes the cluster's default class; "
    "without one it stays Pending, the database never starts and `pulumi up` waits 10 "
    "minutes for the StatefulSet and fails.",
    fix="Name the site's class in sites.yaml (cluster.storage_class).",
    check_resources=check_resources,
)
