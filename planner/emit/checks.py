"""Input checks before anything is rendered: every name that becomes a Kubernetes name, a
path or a Python/YAML token must be an RFC 1123 label, images plain references, derived
names unique, and the header command and digest free of control characters."""

from __future__ import annotations

import re

from planner import names
from planner.emit.shares import used_sites
from planner.errors import InputError, Problem, UsageError
from planner.images import profile
from planner.model import STATEFUL_KINDS, Plan, Project, Workload, WorkloadKind

STATEFULSET_NAME_MAX = names.STATEFULSET_NAME_MAX
RESERVED_NAMESPACES = names.RESERVED_NAMESPACES

_IMAGE = re.compile(names.IMAGE_PATTERN)
_DIGEST = re.compile(r"^[A-Za-z0-9:+._-]*$")
_DATA_PATH = re.compile(r"^/[A-Za-z0-9._/-]*$")


def check_inputs(plan: Plan, project: Project, *, stack_env: str, command: str) -> None:
    """Reject, before anything is rendered, every name that would become a Kubernetes
    name, a path or a Python/YAML token and is not an RFC 1123 label (this also rules out
    quotes, ``/``, ``..`` and newlines), every image reference with characters outside
    ``[A-Za-z0-9._/:@+-]``, and a header command or digest with control characters."""
    problems: list[Problem] = []

    def label(value: str, what: str, where: str) -> None:
        issue = names.check_label(value, what=what)
        if issue is not None:
            problems.append(Problem("", 0, 0, where, issue.message, issue.fix))

    label(stack_env, "stack environment", "--env")
    used = used_sites(plan)
    for s in project.sites:
        if s.name in used:
            label(s.name, "site name", f"sites[{s.name!r}]")
            for fd in s.failure_domains:
                label(fd, "failure domain", f"sites[{s.name!r}].failure_domains")
    placed = {p.workload for p in plan.placements}
    for w in project.workloads:
        if w.name not in placed:
            continue
        where = f"workloads[{w.name!r}]"
        label(w.name, "workload name", where)
        label(w.team, "team name", f"{where}.team")
        reserved = names.namespace_issue(w.team)
        if reserved is not None:
            problems.append(
                Problem("", 0, 0, f"{where}.team", reserved.message, names.NAMESPACE_FIX)
            )
        for derived, what in names.derived_names(w.name, w.kind, w.resources.gpu_type):
            label(derived, what, where)
        if w.kind in STATEFUL_KINDS:
            long_name = names.database_name_issue(w.name)
            if long_name is not None:
                problems.append(
                    Problem(
                        "",
                        0,
                        0,
                        where,
                        long_name.message,
                        f"shorten it to {STATEFULSET_NAME_MAX} characters or fewer",
                    )
                )
        problems.extend(_deploy_problems(w, where))
        if w.resources.gpu_type is not None:
            label(w.resources.gpu_type, "GPU type", f"{where}.resources.gpu_type")
        if w.image is None:
            problems.append(
                Problem("", 0, 0, f"{where}.image", "has no image", "set `image:` in the inventory")
            )
        elif not _IMAGE.fullmatch(w.image) or len(w.image) > names.IMAGE_MAX_LENGTH:
            problems.append(
                Problem(
                    "",
                    0,
                    0,
                    f"{where}.image",
                    f"image {w.image!r} is not a plain image reference",
                    "use registry/path:tag or registry/path@sha256:digest",
                )
            )
    problems.extend(_derived_name_clashes(project, placed))
    for p in plan.placements:
        for a in p.assignments:
            if a.instance_type is not None and not _IMAGE.fullmatch(a.instance_type):
                problems.append(
                    Problem(
                        "", 0, 0, f"plan.{p.workload}", f"bad instance type {a.instance_type!r}"
                    )
                )
    if problems:
        raise InputError(problems, message="names unsafe to emit as Pulumi stacks")
    if any(ord(c) < 32 or ord(c) == 127 for c in command):
        raise UsageError(
            "the regeneration command holds control characters",
            fix="pass the command line as one line of text",
        )
    if not _DIGEST.fullmatch(plan.input_digest):
        raise UsageError(f"input digest {plan.input_digest!r} is not a digest")


def _deploy_problems(w: Workload, where: str) -> list[Problem]:
    """A schedule on anything but batch; a database whose image is not a known one
    (``planner.images``) without the user and data path it needs."""
    out: list[Problem] = []
    if w.deploy.schedule is not None and w.kind is not WorkloadKind.BATCH:
        out.append(
            Problem(
                "",
                0,
                0,
                f"{where}.deploy.schedule",
                f"a schedule on a {w.kind.value} workload (only batch workloads run on one)",
                "remove deploy.schedule, or make the workload kind: batch",
            )
        )
    path = w.deploy.data_path
    if path is not None and not _DATA_PATH.fullmatch(path):
        out.append(
            Problem(
                "",
                0,
                0,
                f"{where}.deploy.data_path",
                f"data path {path!r} is not an absolute path of plain characters",
                "write it as /dir/sub (letters, digits, '.', '_', '-' and '/')",
            )
        )
    if w.kind in STATEFUL_KINDS and w.image is not None and profile(w.image) is None:
        missing = [
            key
            for key, value in (
                ("run_as_user", w.deploy.run_as_user),
                ("data_path", w.deploy.data_path),
            )
            if value is None
        ]
        if missing:
            out.append(
                Problem(
                    "",
                    0,
                    0,
                    f"{where}.deploy",
                    f"database image {w.image!r} is not one hybridplan knows (postgres, "
                    "redis, mysql, mariadb, mongo): its user and data directory are unknown, "
                    "so its volume would be mounted where it does not write or be unwritable",
                    f"declare deploy: {{{', '.join(f'{k}: ...' for k in missing)}}} for it "
                    "in the inventory (the image's numeric USER and where it writes its data)",
                )
            )
    return out


def _derived_name_clashes(project: Project, placed: set[str]) -> list[Problem]:
    """Derived object names that another workload's objects of the same kind already use: a
    database's headless Service ``<db>-headless`` against a Service of a workload so named,
    a training burst Job ``<training>-burst`` against a Job (training or batch) so named.
    Either would register one Pulumi URN twice or make two resources apply one Kubernetes
    object (server-side apply upserts, so the second silently takes over the first). Checked
    across the whole plan (names are workload identities), not only per site."""
    workloads = [w for w in project.workloads if w.name in placed]
    services = {w.name for w in workloads if w.ports and w.kind not in STATEFUL_KINDS}
    jobs = {w.name for w in workloads if w.kind in (WorkloadKind.TRAINING, WorkloadKind.BATCH)}
    problems: list[Problem] = []
    for w in workloads:
        clash = names.derived_name_clash(w.name, w.kind, services, jobs)
        if clash is None:
            continue
        derived, what = clash
        problems.append(
            Problem(
                "",
                0,
                0,
                f"workloads[{derived!r}]",
                f"the name {derived!r} is also the {what} of {w.name!r}",
                f"rename workload {derived!r} (or {w.name!r}) in the inventory",
            )
        )
    return problems
