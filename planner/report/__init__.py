"""Plan -> ``plan.json`` / ``plan.md`` / the CLI summary / plan diffs. Pure: returns values
and text, never prints.

``plan.json`` is the machine contract (schema: ``planner/schemas/plan.json``); ``plan.md`` is
the pull-request comment a reviewer reads. Both come from one dictionary,
:func:`plan_to_dict`, so every figure in the Markdown is a figure in the JSON.

Modules, in the order data flows:

- ``figures``: what a plan adds up to in total, per site and per team (exact ``Money``);
- ``amounts``: ratios and percentages as reported (money formats itself:
  ``planner.money``);
- ``plan_json``: the ``plan.json`` document;
- ``markdown``: GitHub-flavoured Markdown primitives (cells, code spans, tables, labels);
- ``plan_md`` and ``plan_md_sections``: the ``plan.md`` comment;
- ``summary``: the CLI's short summary table;
- ``diff`` and ``diff_md``: what changed between two plans (``hybridplan diff``, what-if).
"""

from __future__ import annotations

from planner.report.amounts import delta_pct, round_ratio
from planner.report.diff import (
    CostChange,
    PlanDiff,
    PlanFigures,
    WorkloadChange,
    WorkloadFigures,
    compare_plans,
    diff_plans,
    diff_to_dict,
    figures_of_json,
    figures_of_plan,
    is_empty,
)
from planner.report.diff_md import render_diff_md
from planner.report.figures import (
    PlanTotals,
    SiteFigures,
    TeamFigures,
    changes_site,
    partly_moved,
    plan_totals,
    primary_assignment,
    site_figures,
    team_figures,
)
from planner.report.markdown import code_span, md_cell, md_table, mermaid_label, sites_text
from planner.report.plan_json import (
    API_VERSION,
    SCHEMA_VERSION,
    plan_to_dict,
    render_plan_json,
    team_of,
)
from planner.report.plan_md import COMMENT_MARKER, MAX_COMMENT_CHARS, render_plan_md
from planner.report.plan_md_sections import REASON_CHARS, options_text
from planner.report.summary import SUMMARY_COLUMNS, summary_rows

__all__ = [
    "API_VERSION",
    "COMMENT_MARKER",
    "MAX_COMMENT_CHARS",
    "REASON_CHARS",
    "SCHEMA_VERSION",
    "SUMMARY_COLUMNS",
    "CostChange",
    "PlanDiff",
    "PlanFigures",
    "PlanTotals",
    "SiteFigures",
    "TeamFigures",
    "WorkloadChange",
    "WorkloadFigures",
    "changes_site",
    "code_span",
    "compare_plans",
    "delta_pct",
    "diff_plans",
    "diff_to_dict",
    "figures_of_json",
    "figures_of_plan",
    "is_empty",
    "md_cell",
    "md_table",
    "mermaid_label",
    "options_text",
    "partly_moved",
    "plan_to_dict",
    "plan_totals",
    "primary_assignment",
    "render_diff_md",
    "render_plan_json",
    "render_plan_md",
    "round_ratio",
    "site_figures",
    "sites_text",
    "summary_rows",
    "team_figures",
    "team_of",
]
