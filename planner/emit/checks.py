"""Input checks before anything is rendered: every name that becomes a Kubernetes name, a
path or a Python/YAML token must be an RFC 1123 label, images plain references, derived
names unique, and the header command and digest free of control characters."""

from __future__ import annotations

import re

from planner import names
from planner.emit.shares import used_sites
from planner.errors import InputError, Problem, UsageError
from planner.model import Plan, Project, WorkloadKind

STATEFULSET_NAME_MAX = 52
"""Longest StatefulSet name whose pods can be created: each pod is labelled
``controller-revision-hash: <name>-<10-character hash>``, a label value of at most 63."""
RESERVED_NAMESPACES = frozenset({"default", "kueue-system"})
"""Team names that would become a namespace the cluster or its add-ons already own (as would
any ``kube-*`` name): server-side apply adopts an existing Namespace, so the stack would put
the ``restricted`` Pod Security label and a quota on it, and delete it with the stack."""

_IMAGE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/:@+-]*$")
_DIGEST = re.compile(r"^[A-Za-z0-9:+._-]*$")


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
        if w.team in RESERVED_NAMESPACES or w.team.startswith("kube-"):
            problems.append(
                Problem(
                    "",
                    0,
                    0,
                    f"{where}.team",
                    f"team {w.team!r} would take over the cluster's own namespace {w.team!r}",
                    "name the team after the people who own it (its namespace is the team name)",
                )
            )
        if w.kind is WorkloadKind.TRAINING:
            label(f"{w.name}-burst", "training job name", where)
        if w.kind is WorkloadKind.DATABASE:
            label(f"{w.name}-headless", "headless Service name", where)
            if len(w.name) > STATEFULSET_NAME_MAX:
                problems.append(
                    Problem(
                        "",
                        0,
                        0,
                        where,
                        f"database name {w.name!r} has {len(w.name)} characters: its "
                        "StatefulSet could create no pod (the controller-revision-hash label "
                        f"'<name>-<hash>' exceeds 63), at most {STATEFULSET_NAME_MAX}",
                        f"shorten it to {STATEFULSET_NAME_MAX} characters or fewer",
                    )
                )
        if w.resources.gpu_type is not None:
            label(w.resources.gpu_type, "GPU type", f"{where}.resources.gpu_type")
            label(f"{w.resources.gpu_type}-burst", "burst flavor name", where)
        if w.image is None:
            problems.append(
                Problem("", 0, 0, f"{where}.image", "has no image", "set `image:` in the inventory")
            )
        elif not _IMAGE.fullmatch(w.image) or len(w.image) > 512:
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


def _derived_name_clashes(project: Project, placed: set[str]) -> list[Problem]:
    """Derived object names that another workload's objects of the same kind already use: a
    database's headless Service ``<db>-headless`` against a Service of a workload so named,
    a training burst Job ``<training>-burst`` against a Job (training or batch) so named.
    Either would register one Pulumi URN twice or make two resources apply one Kubernetes
    object (server-side apply upserts, so the second silently takes over the first). Checked
    across the whole plan (names are workload identities), not only per site."""
    workloads = [w for w in project.workloads if w.name in placed]
    services = {w.name for w in workloads if w.ports and w.kind is not WorkloadKind.DATABASE}
    jobs = {w.name for w in workloads if w.kind in (WorkloadKind.TRAINING, WorkloadKind.BATCH)}
    problems: list[Problem] = []
    for w in workloads:
        if w.kind is WorkloadKind.DATABASE and f"{w.name}-headless" in services:
            derived, what = f"{w.name}-headless", "headless Service"
        elif w.kind is WorkloadKind.TRAINING and f"{w.name}-burst" in jobs:
            derived, what = f"{w.name}-burst", "burst Job"
        else:
            continue
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
