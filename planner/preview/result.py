"""What an offline preview found: the registered resources, the problems that stop the stack
from previewing (program error, duplicate URNs, invalid objects), and the error raised for
them. Also the contract with the child process (:mod:`planner.preview.runner`): the mask of
a secret and the id the mocks give a resource."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planner.errors import CheckFailedError
from planner.preview.fake_cloud import mock_id

if TYPE_CHECKING:
    from planner.model import Finding
    from planner.policy import ResourceRecord, Rule

REDACTED = "[secret]"
"""What every secret value is replaced with before anything leaves the child process."""

CPU_LIMIT_ENV = "HYBRIDPLAN_PREVIEW_CPU_S"
"""The environment variable giving the preview child its CPU-time limit in seconds (the
runner sets ``RLIMIT_CPU`` on itself first thing; no ``preexec_fn``, unsafe with threads)."""


class PreviewError(CheckFailedError):
    """The stack does not preview cleanly (program error, duplicate URNs, invalid
    Kubernetes objects, a failing preview rule). Exit code 1."""

    def __init__(self, message: str, *, problems: tuple[str, ...] = (), fix: str = "") -> None:
        super().__init__(message, fix=fix)
        self.problems = problems

    def render(self) -> str:
        lines = [f"preview failed: {self.message}"]
        lines.extend(f"  - {p}" for p in self.problems)
        if self.fix:
            lines.append(f"To fix: {self.fix}")
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class PreviewResource:
    """One registered resource, inputs as the provider would receive them (camelCase)."""

    urn: str
    type: str
    name: str
    parent: str
    custom: bool
    inputs: Mapping[str, Any] = field(default_factory=dict)
    ignore_changes: tuple[str, ...] = ()
    """Properties Pulumi leaves to others (an HPA's replicas, Kueue's ``spec.suspend``)."""
    retain_on_delete: bool = False
    replace_on_changes: tuple[str, ...] = ()
    provider: str = ""
    """The provider reference (``<provider URN>::<id>``) of a custom resource; a default
    provider's URN ends in ``::default`` or ``::default_<version>``."""

    @property
    def parent_name(self) -> str:
        return self.parent.rsplit("::", 1)[-1] if self.parent else ""


@dataclass(frozen=True, slots=True)
class PreviewResult:
    stack_dir: str
    project: str
    stack: str
    k8s_version: str
    resources: tuple[PreviewResource, ...]
    problems: tuple[str, ...]
    """Why the stack does not preview: the program failed, a URN was registered twice, an
    object is invalid. What the objects do to each other is for the rules (see
    :func:`policy_records`)."""
    seconds: float
    validated: int
    """How many Kubernetes objects were schema-validated."""

    @property
    def ok(self) -> bool:
        return not self.problems

    def of_type(self, type_: str) -> tuple[PreviewResource, ...]:
        return tuple(r for r in self.resources if r.type == type_)

    def named(self, type_: str, name: str) -> PreviewResource:
        for r in self.resources:
            if r.type == type_ and r.name == name:
                return r
        raise KeyError(f"{type_} {name}")

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.resources:
            out[r.type] = out.get(r.type, 0) + 1
        return dict(sorted(out.items()))


def policy_records(result: PreviewResult, stack: str) -> tuple[ResourceRecord, ...]:
    """The previewed resources as policy records of stack ``stack`` (the site), for
    :func:`planner.policy.evaluate_resources`."""
    from planner.policy import ResourceRecord

    return tuple(
        ResourceRecord(
            type=r.type,
            name=r.name,
            props=r.inputs,
            urn=r.urn,
            parent=r.parent,
            stack=stack,
            id=mock_id(r.name),
        )
        for r in result.resources
    )


def preview_findings(
    result: PreviewResult, *, rules: Sequence[Rule], today: date
) -> tuple[Finding, ...]:
    """What ``rules`` (``policies.registry.PREVIEW_RULES``) find among the previewed
    resources, evaluated by the policy engine without a project: default levels and
    parameters, no waivers. The stack is named after its folder (the site)."""
    from planner.policy import evaluate_resources

    records = policy_records(result, Path(result.stack_dir).name)
    return evaluate_resources(records, None, today, rules=rules)
