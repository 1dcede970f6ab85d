"""``hybridplan preview``: run an emitted stack offline under Pulumi mocks."""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from planner import app as services
from planner.cli import console
from planner.cli.common import Ending, guarded


class PreviewFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


def _short(value: Any, limit: int = 90) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"))
    return text if len(text) <= limit else text[: limit - 3] + "..."


def register(app: typer.Typer) -> None:
    @app.command("preview")
    @guarded
    def preview_cmd(
        stack_dir: Annotated[
            Path, typer.Argument(help="An emitted stack folder, e.g. out/stacks/colo-eu.")
        ],
        fmt: Annotated[
            PreviewFormat, typer.Option("--format", help="Output: table or json.")
        ] = PreviewFormat.TABLE,
        k8s_version: Annotated[
            str,
            typer.Option("--k8s-version", help="Kubernetes version to validate objects against."),
        ] = "1.33",
        stack: Annotated[
            str | None,
            typer.Option("--stack", help="Stack name (default: the only Pulumi.<stack>.yaml)."),
        ] = None,
    ) -> Ending:
        """Preview a stack offline: run its __main__.py under Pulumi mocks (no CLI, no
        cloud credentials), list every resource (type, name, key inputs), validate every
        Kubernetes object against the Kubernetes (and Kueue CRD) schemas in strict mode, and
        run the preview rules on the objects together (HP-SLA-005, HP-HYG-007 to 012:
        selectors, references, disruption budgets, limits, one resource per object).

        Secrets are redacted. Exit 0 when the stack previews cleanly, 1 when the program
        fails, a URN is registered twice, an object is invalid or a preview rule fails, 2 on
        bad arguments.

        Example: hybridplan preview out/stacks/colo-eu --format json
        """
        from planner.preview import as_json, key_inputs

        with console.progress("previewing the stack offline", total=1):
            preview = services.preview_stack(
                stack_dir, stack=stack, k8s_version=k8s_version, today=date.today()
            )
        result = preview.result
        if fmt is PreviewFormat.JSON:
            console.emit_json(as_json(result, preview.findings))
        else:
            rows = [
                [r.type, r.name, r.parent_name, _short(key_inputs(r))] for r in result.resources
            ]
            console.table(
                f"{result.project} ({result.stack}): {len(result.resources)} resources, "
                f"{result.validated} Kubernetes objects validated against {result.k8s_version}",
                ["type", "name", "parent", "key inputs"],
                rows,
            )
            console.out.print(f"previewed offline in {result.seconds:.1f} s")
        for line in preview.notes:
            console.err.print(f"note: {line}", markup=False)
        return preview.failure
