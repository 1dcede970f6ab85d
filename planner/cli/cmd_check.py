"""``hybridplan check``: plan a project and report its policy findings (table, JSON, SARIF)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from planner import app as services
from planner.catalogue import load_default_catalogue
from planner.cli import console
from planner.cli.common import Ending, guarded
from planner.errors import UsageError
from planner.model import Finding, Project


class CheckFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    SARIF = "sarif"


def report_data(
    findings: tuple[Finding, ...], project: Project, fmt: CheckFormat, uri_prefix: str | None
) -> dict[str, object]:
    """The JSON or SARIF report (the table is printed directly)."""
    from planner.policy.output import findings_to_json
    from planner.policy.sarif import to_sarif
    from policies.registry import RULES

    if fmt is CheckFormat.SARIF:
        data = to_sarif(findings, RULES, project=project, uri_prefix=uri_prefix)
    else:
        data = findings_to_json(findings)
    return data


def _status(f: Finding) -> str:
    if f.waived:
        return "waived"
    if f.evidence.get("cannot_evaluate"):
        return "cannot evaluate"
    return f.level.value


def _print_table(findings: tuple[Finding, ...], note: str) -> None:
    from planner.policy.output import summary

    rows = [
        (
            f.rule_id,
            _status(f),
            f"{f.scope_kind} {f.scope}",
            f.message + (f" [waived: {f.waiver_reason}]" if f.waived else ""),
        )
        for f in findings
    ]
    if note:
        console.err.print(f"note: {note}", markup=False)
    if rows:
        console.table("Policy findings", ("rule", "status", "scope", "message"), rows)
    counts = summary(findings)
    console.out.print(
        f"{counts['mandatory']} mandatory, {counts['advisory']} advisory, "
        f"{counts['waived']} waived, {counts['cannot_evaluate']} cannot evaluate",
        markup=False,
    )


def register(app: typer.Typer) -> None:
    @app.command("check")
    @guarded
    def check_cmd(
        project_dir: Annotated[
            Path, typer.Argument(help="Planning project folder (inventory.yaml, sites.yaml...).")
        ] = Path("."),
        *,
        fmt: Annotated[
            CheckFormat, typer.Option("--format", help="Output format: table, json or sarif.")
        ] = CheckFormat.TABLE,
        output: Annotated[
            Path | None,
            typer.Option("--output", "-o", help="Write the JSON or SARIF report to this file."),
        ] = None,
        today: Annotated[
            str | None,
            typer.Option(
                help="Evaluate waiver expiry as of this date (YYYY-MM-DD; default today)."
            ),
        ] = None,
        stacks: Annotated[
            Path | None,
            typer.Option(
                "--stacks",
                help="Also preview the emitted stacks in this folder (OUT/stacks) offline and "
                "check their resources with the same rules the CrossGuard pack runs.",
            ),
        ] = None,
        uri_prefix: Annotated[
            str | None,
            typer.Option(
                "--uri-prefix",
                help="SARIF: path of the project folder from the repository root "
                "(default: DIR as given).",
            ),
        ] = None,
    ) -> Ending:
        """Plan a project and check every policy rule on the plan: budgets, cloud share,
        GPU prices, SLA tiers, residency, waivers. Exit 0 when nothing mandatory fails
        (advisory findings allowed), 1 on an unwaived mandatory finding (or, with --stacks,
        a stack that does not preview cleanly), 2 on bad input.

        With --stacks OUT/stacks, the emitted stacks are also previewed offline and their
        resources checked (requests and limits, privileged containers, S3 encryption and
        public access, cost tags, replicas, zone spread, PodDisruptionBudgets) - what the
        CrossGuard pack in policies/ reports at `pulumi preview`.

        SARIF output is for GitHub code scanning (upload with
        github/codeql-action/upload-sarif); results point at the project's YAML files.

        Example: hybridplan check examples/acme --format sarif --output policy.sarif
        """
        try:
            when = date.fromisoformat(today) if today else date.today()
        except ValueError:
            raise UsageError(f"--today {today!r} is not a date", fix="use YYYY-MM-DD") from None
        if output is not None and fmt is CheckFormat.TABLE:
            raise UsageError("--output needs --format json or sarif", fix="add --format sarif")
        steps = len(services.CHECK_STEPS)
        with console.progress("checking", total=steps) as step:
            outcome = services.check_project(
                project_dir, catalogue=load_default_catalogue(), today=when, progress=step
            )
        if stacks is not None:
            with console.progress("previewing the stacks") as step:
                outcome = services.check_stacks(outcome, stacks, today=when, progress=step)
            for problem in outcome.preview_problems:
                console.err.print(f"warning: preview: {problem}", markup=False)
        console.show_in(outcome.currency)
        findings, note = outcome.findings, outcome.note
        prefix = uri_prefix if uri_prefix is not None else project_dir.as_posix()
        if fmt is CheckFormat.TABLE:
            _print_table(findings, note)
        else:
            data = report_data(findings, outcome.project, fmt, "" if prefix == "." else prefix)
            if output is None:
                console.emit_json(data)
            else:
                from planner.fs import write_files

                write_files({output: console.json_text(data)})
                console.err.print(f"wrote {output}", markup=False)
            if note:
                console.err.print(f"note: {note}", markup=False)
        return outcome.failure
