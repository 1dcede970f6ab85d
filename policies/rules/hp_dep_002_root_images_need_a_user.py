"""HP-DEP-002: Ensure images that start as root run with an explicit non-root user."""

from __future__ import annotations

from collections.abc import Iterator

from planner.images import ROOT_IMAGES, base_name
from planner.model import Category, Level
from planner.policy import resources as rs
from planner.policy.rule import ResourceContext, Rule, Violation, resource_verdict


def check_resources(ctx: ResourceContext) -> Iterator[Violation]:
    for r in ctx.resources:
        spec_path = rs.pod_spec_path(r.type)
        if spec_path is None:
            continue
        pod = rs.get(r.props, f"{spec_path}.securityContext")
        refused: list[str] = []
        unknown: list[str] = []
        for path, c in rs.containers(r):
            image = rs.get(c, "image")
            if rs.is_unknown(c) or rs.is_unknown(image) or rs.is_unknown(pod):
                unknown.append(path)
                continue
            if not isinstance(image, str) or base_name(image) not in ROOT_IMAGES:
                continue
            own = rs.get(c, "securityContext")
            non_root = rs.get(own, "runAsNonRoot")
            if non_root is None:
                non_root = rs.get(pod, "runAsNonRoot")
            user = rs.get(own, "runAsUser")
            if user is None:
                user = rs.get(pod, "runAsUser")
            if rs.is_unknown(non_root) or rs.is_unknown(user):
                unknown.append(path)
            elif non_root is True and user is None:
                refused.append(f"{rs.get(c, 'name')} ({image})")
        yield from resource_verdict(
            r.name,
            rs.subject(r),
            wrong=f"{r.name}: runAsNonRoot without runAsUser for image(s) that start as root "
            f"- the kubelet refuses to start {', '.join(refused)}"
            if refused
            else "",
            details={"containers": refused},
            unknown=f"user or image of {', '.join(unknown)} in {r.name} unknown" if unknown else "",
        )


RULE = Rule(
    id="HP-DEP-002",
    name="Ensure images that start as root run with an explicit non-root user",
    category=Category.DEPLOY,
    level=Level.MANDATORY,
    description="The official database images (postgres, redis, mysql, mariadb, mongo) "
    "start as root and step down to their own user; under runAsNonRoot without runAsUser "
    "the kubelet refuses them (CreateContainerConfigError) and the StatefulSet never "
    "becomes ready: `pulumi up` fails after 10 minutes.",
    fix="Set runAsUser/runAsGroup/fsGroup to the image's user (999 for the Debian official "
    "images; inventory deploy.run_as_user), or use a non-root image variant.",
    check_resources=check_resources,
)
