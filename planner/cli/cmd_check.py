"""``hybridplan check``: plan a project and report its policy findings (table, JSON, SARIF)."""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from planner.cli import console
from planner.cli.common import guarded
from planner.errors import InfeasibleError, InputError, PolicyFailure, UsageError
from planner.model import Finding, Project

if TYPE_CHECKING:
    from planner.policy import ResourceRecord


class CheckFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    SARIF = "sarif"


def check_project(project_dir: Path, today: date) -> tuple[Project, tuple[Finding, ...], str]:
    """Load, plan and check a project. Returns the project, its findings and a note.

    When mandatory budgets make the plan infeasible, the project is planned again with the
    budget rules relaxed and the cheapest plan is checked against the original budgets, so
    the report names each budget that cannot be met and by how much.
    """
    from planner.catalogue import load_default_catalogue
    from planner.ingest import load_telemetry
    from planner.load import load_project
    from planner.pipeline import build_plan
    from planner.policy import evaluate_plan, policy_problems, relax_cost_limits
    from policies.registry import RULES

    project = load_project(project_dir)
    problems = policy_problems(project.policies, rules=RULES)
    if problems:
        raise InputError(problems, message=f"{len(problems)} problem(s) in the policy config")
    telemetry = load_telemetry(project)
    catalogue = load_default_catalogue()
    try:
        bundle = build_plan(project, catalogue=catalogue, telemetry=telemetry, today=today)
    except InfeasibleError as infeasible:
        relaxed = relax_cost_limits(project, rules=RULES)
        if relaxed == project:
            raise
        try:
            bundle = build_plan(relaxed, catalogue=catalogue, telemetry=telemetry, today=today)
        except InfeasibleError:
            raise infeasible from None
        note = (
            "no plan fits the mandatory budgets; the findings below check the cheapest plan "
            "without them"
        )
        return project, evaluate_plan(project, bundle.plan, today=today, rules=RULES), note
    return project, bundle.plan.findings, ""


def check_stacks(
    stacks_dir: Path, project: Project, today: date
) -> tuple[tuple[Finding, ...], tuple[str, ...]]:
    """Preview every emitted stack under ``stacks_dir`` offline and check its resources.
    Returns the findings and the preview problems (reported as warnings)."""
    from planner.policy import evaluate_resources
    from planner.preview import policy_records, run_preview
    from policies.registry import RULES

    sites = sorted(p for p in stacks_dir.iterdir() if (p / "Pulumi.yaml").is_file())
    if not sites:
        raise UsageError(
            f"{stacks_dir} holds no emitted stacks",
            fix="pass OUT/stacks of a `hybridplan plan` run",
        )
    records: list[ResourceRecord] = []
    problems: list[str] = []
    for site_dir in sites:
        result = run_preview(site_dir)
        problems.extend(f"{site_dir.name}: {p}" for p in result.problems)
        records.extend(policy_records(result, site_dir.name))
    return evaluate_resources(records, project, today, rules=RULES), tuple(problems)


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
    ) -> None:
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
        from planner.policy import mandatory_failures

        try:
            when = date.fromisoformat(today) if today else date.today()
        except ValueError:
            raise UsageError(f"--today {today!r} is not a date", fix="use YYYY-MM-DD") from None
        if output is not None and fmt is CheckFormat.TABLE:
            raise UsageError("--output needs --format json or sarif", fix="add --format sarif")
        project, findings, note = check_project(project_dir, when)
        problems: tuple[str, ...] = ()
        if stacks is not None:
            from planner.policy.engine import sort_key

            resource_findings, problems = check_stacks(stacks, project, when)
            for problem in problems:
                console.err.print(f"warning: preview: {problem}", markup=False)
            findings = tuple(sorted(findings + resource_findings, key=sort_key))
        prefix = uri_prefix if uri_prefix is not None else project_dir.as_posix()
        if fmt is CheckFormat.TABLE:
            _print_table(findings, note)
        else:
            data = report_data(findings, project, fmt, "" if prefix == "." else prefix)
            if output is None:
                console.emit_json(data)
            else:
                from planner.fs import write_files

                text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
                write_files({output: text})
                console.err.print(f"wrote {output}", markup=False)
            if note:
                console.err.print(f"note: {note}", markup=False)
        failing = mandatory_failures(findings)
        if problems:
            from planner.preview import PreviewError

            # A stack that does not preview cleanly fails `pulumi preview` too: its
            # resources were not (all) checked, which is no pass.
            raise PreviewError(
                f"{len(problems)} problem(s) previewing the emitted stacks"
                + (f"; also {len(failing)} unwaived mandatory finding(s)" if failing else ""),
                problems=problems,
                fix="regenerate the stacks with `hybridplan plan`, or fix the stack named above",
            )
        if failing:
            ids = ", ".join(sorted({f.rule_id for f in failing}))
            raise PolicyFailure(
                f"{len(failing)} unwaived mandatory finding(s): {ids}",
                fix="fix the plan or its inputs, or add a waiver with a reason and an expiry "
                "to policies.yaml",
            )
