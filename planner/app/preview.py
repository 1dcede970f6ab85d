"""Previewing one emitted stack offline (``hybridplan preview``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from planner.preview import PreviewError, PreviewResult


def preview_stack(stack_dir: Path, *, stack: str | None, k8s_version: str) -> PreviewResult:
    """Run the stack in ``stack_dir`` under Pulumi mocks and validate its Kubernetes objects
    against ``k8s_version``; a stack that previews badly is described by the result."""
    from planner.preview import run_preview  # kubernetes-validate, only when previewing

    return run_preview(stack_dir, stack=stack, k8s_version=k8s_version)


def preview_failure(result: PreviewResult) -> PreviewError | None:
    """Why the preview fails (``None`` when the stack previews cleanly)."""
    from planner.preview import PreviewError

    if result.ok:
        return None
    return PreviewError(
        f"{result.project} ({result.stack}) does not preview cleanly",
        problems=result.problems,
        fix="fix the stack config or the component named above, then re-run",
    )
