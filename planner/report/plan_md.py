"""Plan -> ``plan.md``: the pull-request comment a reviewer reads (GitHub-flavoured
Markdown, Mermaid charts). Pure: returns text.

Rendered from :func:`planner.report.plan_json.plan_to_dict`, so every figure in the Markdown
is a figure in ``plan.json``. Sections, in order: headline and totals, moved workloads,
sites, teams, cost today (bill or estimate: :mod:`planner.report.plan_md_baseline`), policy
findings, classification changes, all workloads, provenance (the
middle ones in :mod:`planner.report.plan_md_sections`). Long lists are capped so the comment
stays under GitHub's size limit.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from typing import Any

from planner.model import Plan, Project
from planner.money import Money
from planner.report.markdown import code_span, md_cell, md_table
from planner.report.plan_json import plan_to_dict
from planner.report.plan_md_baseline import baseline_section
from planner.report.plan_md_buying import hardware_section
from planner.report.plan_md_cash import (
    cash_chart,
    hardware_after,
    idle_section,
    money_rows,
    payback_text,
)
from planner.report.plan_md_migration import migration_section
from planner.report.plan_md_sections import (
    classification_section,
    findings_section,
    moves_section,
    sites_section,
    teams_section,
    workloads_section,
)
from planner.report.plan_md_waves import waves_payback, waves_section
from planner.report.plan_purchasing import purchasing_section
from planner.report.shown import code_of, rate_of, shown, with_unit

MAX_COMMENT_CHARS = 60_000
"""GitHub rejects comments over 65,536 characters; keep a margin."""

_MD_BUDGETS: tuple[tuple[int, int, int], ...] = (
    (200, 100, 100),
    (50, 50, 50),
    (0, 25, 25),
    (0, 10, 10),
)
"""(all-workloads rows, moved rows, finding rows), tried in order until the text fits."""

COMMENT_MARKER = "<!-- hybridplan:plan -->"
"""First line of ``plan.md``: the CI workflow finds and updates its pull-request comment by it."""


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.1f} %"


def _headline(d: Mapping[str, Any]) -> list[str]:
    t = d["totals"]
    before, after, delta = (
        t["baseline_usd_per_month"],
        t["usd_per_month"],
        t["delta_usd_per_month"],
    )
    verb = "saves" if delta.sign < 0 else ("costs" if delta.sign > 0 else "changes")
    hardware = hardware_after(d)
    hardware_text = (
        f" and **{hardware.format(unit=False)} ¤¤¤** of hardware" if hardware.sign > 0 else ""
    )
    return [
        COMMENT_MARKER,
        f"## hybridplan: {before.format(unit=False)} → {after.format(unit=False)} ¤¤¤/month "
        f"({delta.format(unit=False, sign=True)} ¤¤¤/month, {_pct(t['delta_pct'])})",
        "",
        f"The plan {verb} **{abs(delta).format(unit=False)} ¤¤¤/month** for a one-off migration of "
        f"**{t['migration_usd'].format(unit=False)} ¤¤¤**{hardware_text}; it pays back "
        f"{_payback_phrase(d)}. "
        f"{t['moved']} of {t['workloads']} workloads move"
        + _partly_text(t.get("partly_moved", 0))
        + _new_text(d),
        *_rate_text(d),
        "",
        *md_table(("", "today", "with this plan", "delta"), money_rows(d), "lrrr"),
        *idle_section(d),
        *cash_chart(d),
    ]


def _rate_text(d: Mapping[str, Any]) -> list[str]:
    """The exchange rate the amounts are shown at (nothing for USD)."""
    rate = rate_of(d["currency"])
    if rate.identity:
        return []
    return [
        "",
        f"Amounts in {rate.code}: the catalogue's USD prices and the plan's USD figures "
        f"converted at {rate.usd_per_unit} USD per {rate.code} (rate of {rate.date}, source "
        f"`{rate.source}`), each figure rounded once to the cent; plan.json keeps USD.",
    ]


def _payback_phrase(d: Mapping[str, Any]) -> str:
    """``**after 1.2 months (month 2)** moving in 5 waves (after 1.0 months all at once)``."""
    t = d["totals"]
    in_waves = waves_payback(d)
    if in_waves is None:
        return f"**{payback_text(t)}**"
    n = len(d["migration"]["waves"])
    return (
        f"**{in_waves}** moving in {n} wave{'s' if n != 1 else ''} ({payback_text(t)} all at once)"
    )


def _new_text(d: Mapping[str, Any]) -> str:
    """New workloads (no current site) cost money with the plan and nothing today."""
    new = [w for w in d["workloads"] if w["migration"]["from"] is None]
    if not new:
        return ""
    usd_new = Money.total((w["usd_per_month"] for w in new), code_of(d))
    return (
        f" The cost with this plan includes {len(new)} new workload"
        f"{'s' if len(new) != 1 else ''} ({usd_new.format(unit=False)} ¤¤¤/month) that "
        f"{'do' if len(new) != 1 else 'does'} not run today."
    )


def _partly_text(n: int) -> str:
    if not n:
        return "."
    if n == 1:
        return "; 1 more moves in part (it keeps its current site and also runs elsewhere)."
    return f"; {n} more move in part (they keep their current site and also run elsewhere)."


def _provenance(d: Mapping[str, Any]) -> list[str]:
    s = d["solver"]
    gap = "n/a" if s["gap"] is None else f"{s['gap'] * 100:.2f} %"
    bound = "n/a" if s["lp_bound_usd"] is None else f"{s['lp_bound_usd'].format(unit=False)} ¤¤¤"
    rows = [
        ("solver", md_cell(f"{s['method']} ({s['status']})")),
        (
            "solver objective: horizon x monthly cost + migration, before rounding to cents",
            f"{s['objective_usd'].format(unit=False)} ¤¤¤",
        ),
        ("LP lower bound of the objective", bound),
        ("gap to bound", gap + (" (time limit reached)" if s["time_limited"] else "")),
        ("input digest", code_span(d["input_digest"] or "-")),
        ("catalogue version", code_span(d["catalogue_version"] or "-")),
        ("reproduce", code_span(d["generated_by"])),
    ]
    if s["note"]:
        rows.append(("note", md_cell(s["note"])))
    rows.extend(
        (md_cell(f"input {path}"), code_span(digest)) for path, digest in d["inputs"].items()
    )
    return [
        "",
        "<details>",
        "<summary>How these figures were computed: solver, inputs, digests</summary>",
        "",
        *md_table(("", "value"), rows, "ll"),
        "",
        "Monthly figures are ¤¤¤/month at catalogue prices, owned sites as whole estates (the "
        "share no workload is charged for is idle owned capacity). Horizon cash is undiscounted "
        "and counts hardware when it is bought (an estate owned today is sunk: only its run "
        "costs and refreshes); the accrual view amortises hardware while it depreciates. The "
        "payback is when the cumulative cash saving gets back to 0; the NPV discounts the "
        "monthly cash savings at the project's discount rate. Month by month: `cash_flow` in "
        "plan.json.",
        "",
        "</details>",
    ]


def render_plan_md(
    plan: Plan,
    project: Project,
    *,
    command: str | None = None,
    project_dir: str | None = None,
    data: Mapping[str, Any] | None = None,
) -> str:
    """``plan.md``: the pull-request comment (GitHub-flavoured Markdown, Mermaid charts).

    ``project_dir`` is how commands in the text refer to the planning project (default
    ``project.root``); ``command`` is the command that reproduces the plan. Long lists are
    capped so the comment stays under GitHub's 65,536-character limit; everything is in
    ``plan.json``. ``data``: this plan's ``plan_to_dict(plan, project, command=command)``
    when the caller has it (it is not built again; it is not changed).
    """
    doc = plan_to_dict(plan, project, command=command) if data is None else data
    d = shown(doc, plan.currency)
    trace = f"hybridplan cost {shlex.quote(str(project_dir or project.root))}"
    text = ""
    for rows, moved, finding_rows in _MD_BUDGETS:
        lines = [
            *_headline(d),
            *moves_section(d, trace, moved),
            *migration_section(d, moved),
            *waves_section(d),
            *purchasing_section(d, moved),
            *hardware_section(d),
            *sites_section(d),
            *teams_section(d),
            *baseline_section(d),
            *findings_section(d, finding_rows),
            *classification_section(d),
            *workloads_section(d, trace, rows),
            *_provenance(d),
        ]
        text = "\n".join(lines) + "\n"
        if len(text) <= MAX_COMMENT_CHARS:
            break
    return with_unit(text, plan.currency)
