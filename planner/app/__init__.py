"""Application services: what the ``hybridplan`` commands and the tests call.

A service takes its world in - folders, today's date, the price catalogue, an optional
``progress`` callback - and returns values: it prints nothing and exits nothing. Telemetry
warnings come back with the inputs (``Inputs.warnings``) for the caller to show. A run that
completes but fails (an unwaived mandatory finding, a scenario no plan fits, a stack that
does not preview, drift) describes its verdict as a ``failure`` (a ``PlannerError``) on
its outcome instead of raising, so the caller shows the report first;
``planner.errors.exit_code`` maps it to the exit code.

Importing ``planner.app`` stays cheap (every command, ``--help`` included, imports it):
the telemetry readers, the planning pipeline, report, what-if, scaffold, emit (jinja2) and
preview (kubernetes-validate) modules are imported inside the services that use them.

=====================================  ===============================================
service                                what it does
=====================================  ===============================================
``load_inputs`` / ``inputs_for``       project folder (or loaded project) -> ``Inputs``
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
``preview_stack``                      one emitted stack run under Pulumi mocks, and the
                                       preview rules on its objects
``diff_plan_files``                    what changed between two plan.json files
``init_files`` / ``write_init_files``  a new planning project and its CI workflow
=====================================  ===============================================
"""

from __future__ import annotations

from planner.app.check import (
    CHECK_STEPS,
    CheckOutcome,
    check_project,
    check_stacks,
)
from planner.app.cost import cost_view, cost_workload, priced_request
from planner.app.diff import diff_plan_files, read_plan_json
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

__all__ = [
    "CHECK_STEPS",
    "CLASSIFY_STEPS",
    "EXPLAIN_STEPS",
    "LOAD_STEPS",
    "PLAN_STEPS",
    "STACKS",
    "WORLD_STEPS",
    "CheckOutcome",
    "CiProvider",
    "Inputs",
    "PlanOutcome",
    "Progress",
    "StackPreview",
    "World",
    "check_project",
    "check_stacks",
    "classify_inputs",
    "collect_changes",
    "cost_view",
    "cost_workload",
    "diff_plan_files",
    "explain_project",
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
    "what_if",
    "what_if_sweep",
    "write_init_files",
    "write_outputs",
]
