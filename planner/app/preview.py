"""Previewing one emitted stack offline (``hybridplan preview``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from planner.model import Finding

if TYPE_CHECKING:
    from planner.preview import PreviewError, PreviewResult


@dataclass(frozen=True, slots=True)
class StackPreview:
    """One stack run under Pulumi mocks, and what the preview rules found among its
    objects."""

    result: PreviewResult
    findings: tuple[Finding, ...]

    @property
    def problems(self) -> tuple[str, ...]:
        """Why the stack fails its preview: the run's problems, then each unwaived
        mandatory finding."""
        from planner.preview import failures

        return failures(self.result, self.findings)

    @property
    def notes(self) -> tuple[str, ...]:
        """The findings that do not fail the preview, one line each."""
        from planner.preview import finding_line

        problems = self.problems
        return tuple(line for line in map(finding_line, self.findings) if line not in problems)

    @property
    def failure(self) -> PreviewError | None:
        """Why the preview fails (``None`` when the stack previews cleanly)."""
        from planner.preview import PreviewError

        problems = self.problems
        if not problems:
            return None
        result = self.result
        return PreviewError(
            f"{result.project} ({result.stack}) does not preview cleanly",
            problems=problems,
            fix="fix the stack config or the component named above, then re-run",
        )


def preview_stack(
    stack_dir: Path, *, stack: str | None, k8s_version: str, today: date
) -> StackPreview:
    """Run the stack in ``stack_dir`` under Pulumi mocks, validate its Kubernetes objects
    against ``k8s_version`` and run the preview rules on them as of ``today`` (a stack that
    previews badly is described by the result, not raised)."""
    from planner.preview import preview_findings, run_preview  # kubernetes-validate
    from policies.registry import PREVIEW_RULES

    result = run_preview(stack_dir, stack=stack, k8s_version=k8s_version)
    return StackPreview(result, preview_findings(result, rules=PREVIEW_RULES, today=today))
