"""Checking a project's plan, and optionally its emitted stacks, against the policy rules."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from planner.app.inputs import LOAD_STEPS, Progress, inputs_for, no_progress
from planner.app.plan import plan_project
from planner.catalogue import Catalogue
from planner.errors import CheckFailedError, InfeasibleError, InputError, PolicyFailure, UsageError
from planner.fx import USD, FxRate
from planner.load import load_project
from planner.model import Finding, Project
from planner.policy import (
    ResourceRecord,
    evaluate_plan,
    evaluate_resources,
    mandatory_failures,
    policy_problems,
    relax_cost_limits,
)
from planner.policy.output import finding_sort_key

CHECK_STEPS = (*LOAD_STEPS, "solving")
"""What ``check_project`` reports (plus ``"solving without the budgets"`` when the
mandatory budgets make the plan infeasible)."""


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    """The policy findings on a project's plan (and on its previewed stacks, if checked)."""

    project: Project
    findings: tuple[Finding, ...]
    note: str = ""
    """Why the findings are not those of the plan itself (say so before the report)."""
    preview_problems: tuple[str, ...] = ()
    """``"<site>: <problem>"`` for each stack that did not preview cleanly."""
    currency: FxRate = USD
    """The project currency the findings are shown in (``planner.fx``)."""

    @property
    def failing(self) -> tuple[Finding, ...]:
        """The unwaived mandatory findings."""
        return mandatory_failures(self.findings)

    @property
    def failure(self) -> CheckFailedError | None:
        """Why the check fails: a stack that does not preview cleanly fails `pulumi preview`
        too (its resources went unchecked, which is no pass), else an unwaived mandatory
        finding. ``None`` when it passes."""
        failing = self.failing
        if self.preview_problems:
            from planner.preview import PreviewError  # kubernetes-validate, only when needed

            also = f"; also {len(failing)} unwaived mandatory finding(s)" if failing else ""
            return PreviewError(
                f"{len(self.preview_problems)} problem(s) previewing the emitted stacks{also}",
                problems=self.preview_problems,
                fix="regenerate the stacks with `hybridplan plan`, or fix the stack named above",
            )
        if failing:
            ids = ", ".join(sorted({f.rule_id for f in failing}))
            return PolicyFailure(
                f"{len(failing)} unwaived mandatory finding(s): {ids}",
                fix="fix the plan or its inputs, or add a waiver with a reason and an expiry "
                "to policies.yaml",
            )
        return None


def check_project(
    project_dir: Path, *, catalogue: Catalogue, today: date, progress: Progress = no_progress
) -> CheckOutcome:
    """Load, plan and check a project as of ``today`` (waiver expiry).

    When mandatory budgets make the plan infeasible, the project is planned again with the
    budget rules relaxed and the cheapest plan is checked against the original budgets, so
    the report names each budget that cannot be met and by how much.
    """
    from policies.registry import RULES

    progress(LOAD_STEPS[0])
    project = load_project(project_dir)
    problems = policy_problems(project.policies, rules=RULES)
    if problems:
        raise InputError(problems, message=f"{len(problems)} problem(s) in the policy config")
    inputs = inputs_for(project, progress=progress)
    progress(CHECK_STEPS[-1])
    try:
        plan = plan_project(inputs, catalogue=catalogue, today=today).plan
    except InfeasibleError as infeasible:
        relaxed = relax_cost_limits(project, rules=RULES)
        if relaxed == project:
            raise
        progress("solving without the budgets")
        try:
            plan = plan_project(
                replace(inputs, project=relaxed), catalogue=catalogue, today=today
            ).plan
        except InfeasibleError:
            raise infeasible from None
        note = (
            "no plan fits the mandatory budgets; the findings below check the cheapest plan "
            "without them"
        )
        findings = evaluate_plan(project, plan, today=today, rules=RULES)
        return CheckOutcome(project, findings, note, currency=plan.currency)
    return CheckOutcome(project, plan.findings, currency=plan.currency)


def check_stacks(
    checked: CheckOutcome, stacks_dir: Path, *, today: date, progress: Progress = no_progress
) -> CheckOutcome:
    """``checked`` with the emitted stacks under ``stacks_dir`` previewed offline and their
    resources checked too (findings merged, preview problems kept). Reports
    ``"previewing <site>"`` per stack."""
    from planner.preview import policy_records, run_preview  # kubernetes-validate
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
        progress(f"previewing {site_dir.name}")
        result = run_preview(site_dir)
        problems.extend(f"{site_dir.name}: {p}" for p in result.problems)
        records.extend(policy_records(result, site_dir.name))
    found = evaluate_resources(records, checked.project, today, rules=RULES)
    findings = tuple(sorted(checked.findings + found, key=finding_sort_key))
    return replace(checked, findings=findings, preview_problems=tuple(problems))
