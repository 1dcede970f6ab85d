"""Application services: what the ``hybridplan`` commands and the tests call.

A service takes its world in - folders, today's date, the price catalogue, an optional
``progress`` callback - and returns values: it prints nothing and exits nothing. Telemetry
warnings come back with the inputs (``Inputs.warnings``) for the caller to show. A run that
completes but fails (an unwaived mandatory finding, a scenario no plan fits, a stack that
does not preview, drift) describes its verdict as a ``failure`` (a ``PlannerError``) on
its outcome instead of raising, so the caller shows the report first;
``planner.errors.exit_code`` maps it to the exit code.

Importing ``planner.app`` stays cheap (every command, ``--help`` included, imports it):
each service's module is imported when the service is first used, and inside them the
telemetry readers, the planning pipeline, report, what-if, scaffold, emit (jinja2) and
preview (kubernetes-validate) modules are imported inside the services that use them.

=====================================  ===============================================
service                                what it does
=====================================  ===============================================
``load_inputs`` / ``inputs_for``       project folder (or loaded project) -> ``Inputs``
``validate_inputs``                    every input check of ``plan``, all files, one pass
``plan_project``                       ``Inputs`` -> ``PlanBundle`` (plan + solver detail)
``render_plan_files``                  ``Inputs`` -> ``PlanOutcome``: plan.json, plan.md,
                                       stacks, rendered in memory
``write_outputs`` / ``stack_drift``    write an OUT tree / compare OUT/stacks with it
``check_project`` / ``check_stacks``   policy findings on the plan / on the previewed stacks
``load_world`` / ``collect_changes``   what-if: base plan once / changes from file + flags
``what_if`` / ``what_if_sweep``        one scenario / one plan per sweep value
``classify_inputs``                    workload classes from telemetry
``explain_project``                    why one workload runs where the plan puts it
``cost_workload``                      one workload priced on every site, line by line
``baseline_project``                   the bill's FOCUS exports mapped to workloads and
                                       averaged over full months (DuckDB)
``preview_stack``                      one emitted stack run under Pulumi mocks, and the
                                       preview rules on its objects
``diff_plan_files``                    what changed between two plan.json files
``init_files`` / ``write_init_files``  a new planning project and its CI workflow
=====================================  ===============================================
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from planner.lazy import lazy_exports

if TYPE_CHECKING:
    from planner.app.baseline import BASELINE_STEPS, BaselineOutcome, baseline_project
    from planner.app.check import (
        CHECK_STEPS,
        CheckOutcome,
        check_project,
        check_stacks,
    )
    from planner.app.cost import cost_view, cost_workload, priced_request
    from planner.app.diff import diff_plan_files, head_rate, read_plan_json
    from planner.app.explain import (
        CLASSIFY_STEPS,
        EXPLAIN_STEPS,
        classify_inputs,
        explain_project,
    )
    from planner.app.inputs import (
        LOAD_STEPS,
        Inputs,
        Progress,
        inputs_for,
        load_inputs,
        no_progress,
        require_workload,
    )
    from planner.app.new_project import CiProvider, init_files, write_init_files
    from planner.app.plan import (
        PLAN_STEPS,
        STACKS,
        PlanOutcome,
        plan_project,
        render_plan_files,
        reproduce_command,
        stack_drift,
        stack_files,
        stack_tree,
        write_outputs,
    )
    from planner.app.preview import StackPreview, preview_stack
    from planner.app.validate import VALIDATE_STEPS, Validated, validate_inputs
    from planner.app.whatif import (
        WORLD_STEPS,
        World,
        collect_changes,
        load_world,
        read_scenario,
        scenario_failure,
        what_if,
        what_if_sweep,
    )

__getattr__ = lazy_exports(
    __name__,
    {
        "BASELINE_STEPS": "baseline",
        "BaselineOutcome": "baseline",
        "CHECK_STEPS": "check",
        "CLASSIFY_STEPS": "explain",
        "CheckOutcome": "check",
        "CiProvider": "new_project",
        "EXPLAIN_STEPS": "explain",
        "Inputs": "inputs",
        "LOAD_STEPS": "inputs",
        "PLAN_STEPS": "plan",
        "PlanOutcome": "plan",
        "Progress": "inputs",
        "STACKS": "plan",
        "StackPreview": "preview",
        "VALIDATE_STEPS": "validate",
        "Validated": "validate",
        "WORLD_STEPS": "whatif",
        "World": "whatif",
        "baseline_project": "baseline",
        "check_project": "check",
        "check_stacks": "check",
        "classify_inputs": "explain",
        "collect_changes": "whatif",
        "cost_view": "cost",
        "cost_workload": "cost",
        "diff_plan_files": "diff",
        "head_rate": "diff",
        "explain_project": "explain",
        "init_files": "new_project",
        "inputs_for": "inputs",
        "load_inputs": "inputs",
        "load_world": "whatif",
        "no_progress": "inputs",
        "plan_project": "plan",
        "preview_stack": "preview",
        "priced_request": "cost",
        "read_plan_json": "diff",
        "read_scenario": "whatif",
        "render_plan_files": "plan",
        "reproduce_command": "plan",
        "require_workload": "inputs",
        "scenario_failure": "whatif",
        "stack_drift": "plan",
        "stack_files": "plan",
        "stack_tree": "plan",
        "validate_inputs": "validate",
        "what_if": "whatif",
        "what_if_sweep": "whatif",
        "write_init_files": "new_project",
        "write_outputs": "plan",
    },
)
"""Each service's module is imported on first use: a command loads the modules of the
services it calls (``hybridplan validate`` imports no solver, numpy or report)."""


__all__ = [
    "BASELINE_STEPS",
    "CHECK_STEPS",
    "CLASSIFY_STEPS",
    "EXPLAIN_STEPS",
    "LOAD_STEPS",
    "PLAN_STEPS",
    "STACKS",
    "VALIDATE_STEPS",
    "WORLD_STEPS",
    "BaselineOutcome",
    "CheckOutcome",
    "CiProvider",
    "Inputs",
    "PlanOutcome",
    "Progress",
    "StackPreview",
    "Validated",
    "World",
    "baseline_project",
    "check_project",
    "check_stacks",
    "classify_inputs",
    "collect_changes",
    "cost_view",
    "cost_workload",
    "diff_plan_files",
    "explain_project",
    "head_rate",
    "init_files",
    "inputs_for",
    "load_inputs",
    "load_world",
    "no_progress",
    "plan_project",
    "preview_stack",
    "priced_request",
    "read_plan_json",
    "read_scenario",
    "render_plan_files",
    "reproduce_command",
    "require_workload",
    "scenario_failure",
    "stack_drift",
    "stack_files",
    "stack_tree",
    "validate_inputs",
    "what_if",
    "what_if_sweep",
    "write_init_files",
    "write_outputs",
]
