"""The middle sections of ``plan.md``: moved workloads, sites, teams, policy findings,
classification changes and the table of all workloads. Pure: each takes the ``plan.json``
dictionary (:func:`planner.report.plan_json.plan_to_dict`) and returns Markdown lines."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from planner.money import Money
from planner.report.markdown import (
    code_span,
    md_cell,
    md_table,
    mermaid_label,
    shorten,
    sites_text,
)

REASON_CHARS = 120
"""Reasons longer than this are shortened in tables (in full under "Why each move")."""


def _cents(amount: Money | None) -> int:
    return 0 if amount is None else amount.cents


def options_text(w: Mapping[str, Any]) -> str:
    """The pricing options of a ``plan.json`` workload, one per part in site order (``spot +
    owned`` for a training job bursting into a pool), not just its largest part's."""
    options = list(dict.fromkeys(a["option"] for a in w["assignments"]))
    if not options:
        return (w["offer"] or {}).get("option") or "-"
    return " + ".join(options)


def _util(resources: Mapping[str, Mapping[str, float | None]]) -> str:
    parts = []
    for res, v in resources.items():
        u = v.get("utilisation")
        if u is not None:
            parts.append(f"{res} {u * 100:.0f} %")
    return ", ".join(parts) if parts else "unbounded (cloud)"


def moves_section(d: Mapping[str, Any], trace: str, limit: int) -> list[str]:
    """Moved workloads (in whole or in part), largest saving first, and why each moved."""
    moved = [w for w in d["workloads"] if w["migration"]["moved"] or w["migration"].get("partial")]
    n_part = sum(1 for w in moved if w["migration"].get("partial"))
    count = f"{len(moved) - n_part}, and {n_part} in part" if n_part else f"{len(moved)}"
    lines = ["", f"### Moved workloads ({count})", ""]
    if not moved:
        return [*lines, "No workload moves."]
    moved.sort(key=lambda w: (_cents(w["delta_usd_per_month"]), w["name"]))
    shown = moved[:limit]
    rows = []
    for w in shown:
        saving = None if w["delta_usd_per_month"] is None else -w["delta_usd_per_month"]
        rows.append(
            (
                code_span(w["name"]),
                md_cell(w["team"]),
                md_cell(w["migration"]["from"]),
                md_cell(
                    sites_text(w["migration"]["to"])
                    + (" (in part)" if w["migration"].get("partial") else "")
                ),
                md_cell(options_text(w)),
                "-"
                if w["baseline_usd_per_month"] is None
                else w["baseline_usd_per_month"].format(unit=False),
                w["usd_per_month"].format(unit=False),
                "-" if saving is None else saving.format(unit=False, sign=True),
                w["migration"]["usd"].format(unit=False),
                md_cell(shorten(w["reason"], REASON_CHARS)),
            )
        )
    lines += md_table(
        (
            "workload",
            "team",
            "from",
            "to",
            "option",
            "before ¤¤¤/month",
            "after ¤¤¤/month",
            "saving ¤¤¤/month",
            "migration ¤¤¤",
            "reason",
        ),
        rows,
        "lllllrrrrl",
    )
    if len(moved) > len(shown):
        lines += ["", f"{len(moved) - len(shown)} smaller moves are listed in `plan.json`."]
    lines += [
        "",
        f"Largest saving first. Line items of any figure: `{trace} --workload <name>`.",
        "",
        "<details>",
        "<summary>Why each move: the solver's reason and the constraints that bound it</summary>",
        "",
    ]
    for w in shown:
        binding = "; ".join(w["binding"]) or "none"
        lines.append(
            f"- {code_span(w['name'])}: {md_cell(w['reason'])} (binding: {md_cell(binding)})"
        )
    return [*lines, "", "</details>"]


def sites_section(d: Mapping[str, Any]) -> list[str]:
    """Cost, moves and utilisation per site, and a pie of the spend with the plan."""
    rows = [
        (
            md_cell(s["name"]),
            md_cell(s["kind"]),
            str(len(s["workloads"])),
            str(s["moved_in"]),
            str(s["moved_out"]),
            s["baseline_usd_per_month"].format(unit=False),
            s["usd_per_month"].format(unit=False),
            s["delta_usd_per_month"].format(unit=False, sign=True),
            md_cell(_util(s["resources"])),
        )
        for s in d["sites"]
    ]
    lines = [
        "",
        "### Sites",
        "",
        *md_table(
            (
                "site",
                "kind",
                "workloads",
                "moved in",
                "moved out",
                "before ¤¤¤/month",
                "after ¤¤¤/month",
                "delta ¤¤¤/month",
                "utilisation after",
            ),
            rows,
            "llrrrrrrl",
        ),
    ]
    split = [w["name"] for w in d["workloads"] if len(w["sites"]) > 1]
    if split:
        lines += [
            "",
            "Split over sites, and counted at each (their cost is divided, not repeated): "
            + ", ".join(code_span(n) for n in split)
            + ".",
        ]
    spend = [(s["name"], s["usd_per_month"]) for s in d["sites"] if s["usd_per_month"].sign > 0]
    if spend:
        lines += [
            "",
            "```mermaid",
            "pie showData",
            "    title Spend by site with this plan (¤¤¤/month)",
            *(f'    "{mermaid_label(n)}" : {v.format(unit=False, group=False)}' for n, v in spend),
            "```",
        ]
    return lines


def teams_section(d: Mapping[str, Any]) -> list[str]:
    """Cost, moves and migration per team, and a bar chart of today vs the plan."""
    teams = d["teams"]
    rows = [
        (
            md_cell(t["name"]),
            str(t["workloads"]),
            str(t["moved"]) + (f" + {t['partly_moved']} in part" if t.get("partly_moved") else ""),
            t["baseline_usd_per_month"].format(unit=False),
            t["usd_per_month"].format(unit=False),
            t["delta_usd_per_month"].format(unit=False, sign=True),
            t["migration_usd"].format(unit=False),
        )
        for t in teams
    ]
    lines = [
        "",
        "### Teams",
        "",
        *md_table(
            (
                "team",
                "workloads",
                "moved",
                "before ¤¤¤/month",
                "after ¤¤¤/month",
                "delta ¤¤¤/month",
                "migration ¤¤¤",
            ),
            rows,
            "lrrrrrr",
        ),
    ]
    if len(teams) >= 2:
        top = max(max(t["baseline_usd_per_month"], t["usd_per_month"]) for t in teams)
        labels = ", ".join(f'"{mermaid_label(t["name"])}"' for t in teams)
        before = ", ".join(
            t["baseline_usd_per_month"].format(unit=False, group=False) for t in teams
        )
        after = ", ".join(t["usd_per_month"].format(unit=False, group=False) for t in teams)
        lines += [
            "",
            "Bars: with this plan; line: today (¤¤¤/month).",
            "",
            "```mermaid",
            "xychart-beta",
            '    title "Spend per team (¤¤¤/month)"',
            f"    x-axis [{labels}]",
            f'    y-axis "¤¤¤/month" 0 --> {math.ceil(top.to_decimal() * Decimal("1.1")) or 1}',
            f"    bar [{after}]",
            f"    line [{before}]",
            "```",
        ]
    return lines


def _finding_rows(findings: Sequence[Mapping[str, Any]]) -> list[tuple[str, ...]]:
    return [
        (
            f"**{f['level']}**" if f["level"] == "mandatory" and not f["waived"] else f["level"],
            code_span(f["rule_id"]),
            md_cell(f["name"]),
            md_cell(f"{f['scope_kind']} {f['scope']}"),
            md_cell(f["message"]),
            md_cell(f"waived: {f['waiver_reason']}" if f["waived"] else "open"),
        )
        for f in findings
    ]


_FINDING_HEADER = ("level", "rule", "name", "scope", "message", "status")


def findings_section(d: Mapping[str, Any], limit: int) -> list[str]:
    """Policy findings: unwaived mandatory ones first, the rest folded."""
    findings = d["findings"]
    active = [f for f in findings if not f["waived"]]
    blocking = [f for f in active if f["level"] == "mandatory"]
    rest = [f for f in findings if f not in blocking]
    lines = [
        "",
        f"### Policy findings ({len(active)} open: {len(blocking)} mandatory, "
        f"{len(active) - len(blocking)} advisory; {len(findings) - len(active)} waived)",
        "",
    ]
    if not findings:
        return [*lines, "No policy findings."]
    if blocking:
        lines += [
            "Unwaived mandatory findings block the merge (`hybridplan check` exits 1):",
            "",
            *md_table(_FINDING_HEADER, _finding_rows(blocking[:limit]), "llllll"),
        ]
    if rest:
        shown = rest[:limit]
        table = md_table(_FINDING_HEADER, _finding_rows(shown), "llllll")
        if len(rest) > 5 or blocking:
            lines += [
                "",
                "<details>",
                f"<summary>{len(rest)} advisory or waived "
                f"finding{'s' if len(rest) != 1 else ''}</summary>",
                "",
                *table,
                "",
                "</details>",
            ]
        else:
            lines += table
        if len(rest) > len(shown):
            lines += ["", f"{len(rest) - len(shown)} more findings are listed in `plan.json`."]
    return [
        *lines,
        "",
        "A finding is waived in `policies.yaml` with its rule id, a reason and an expiry.",
    ]


def classification_section(d: Mapping[str, Any]) -> list[str]:
    """Workloads whose declared profile disagrees with their telemetry."""
    rows = []
    for w in d["workloads"]:
        c = w["classification"]
        if c is None or c["declared"] is None:
            continue
        seen = c["telemetry_class"]
        if c["disagreement"] is None and (seen is None or seen == c["declared"]):
            continue
        rows.append(
            (
                code_span(w["name"]),
                md_cell(w["team"]),
                md_cell(c["declared"]),
                md_cell(seen),
                md_cell(c["class"]),
                f"{c['confidence']:.2f}",
                md_cell(c["disagreement"] or "; ".join(c["reasons"])),
            )
        )
    lines = ["", f"### Classification changes: declared vs telemetry ({len(rows)})", ""]
    if not rows:
        return [*lines, "Every declared profile agrees with its telemetry."]
    return [
        *lines,
        *md_table(
            ("workload", "team", "declared", "telemetry", "planned as", "confidence", "why"),
            rows,
            "lllllrl",
        ),
    ]


def _runner_up_text(w: Mapping[str, Any], horizon_months: int) -> str:
    """``site/option +12.00 (+432.00)``: what the runner-up costs more a month and over the
    horizon with migration (what the solver compares), so a runner-up cheaper a month but
    dearer over the horizon does not read as a missed saving."""
    if not w["alternatives"]:
        return "-"
    alt = w["alternatives"][0]
    horizon = horizon_months * alt["extra_usd_per_month"] + (
        alt["migration_usd"] - w["migration"]["usd"]
    )
    return (
        f"{alt['site']}/{alt['option']} {alt['extra_usd_per_month'].format(unit=False, sign=True)} "
        f"({horizon.format(unit=False, sign=True)})"
    )


def workloads_section(d: Mapping[str, Any], trace: str, limit: int) -> list[str]:
    """The costliest ``limit`` workloads: class, site, offer, cost, runner-up, trace."""
    if limit <= 0:
        return [
            "",
            f"The table of all {len(d['workloads'])} workloads is left out to keep this comment "
            "under GitHub's size limit: see `plan.json`.",
        ]
    ranked = sorted(d["workloads"], key=lambda w: (-w["usd_per_month"].cents, w["name"]))
    keep = {w["name"] for w in ranked[:limit]}
    workloads = [w for w in d["workloads"] if w["name"] in keep]
    rows = []
    for w in workloads:
        c = w["classification"]
        offer = w["offer"] or {}
        rows.append(
            (
                code_span(w["name"]),
                md_cell(w["team"]),
                "-" if c is None else md_cell(f"{c['class']} ({c['confidence']:.2f})"),
                md_cell(sites_text(w["sites"])),
                md_cell(options_text(w)),
                md_cell(offer.get("instance_type")),
                w["usd_per_month"].format(unit=False),
                "-"
                if w["delta_usd_per_month"] is None
                else w["delta_usd_per_month"].format(unit=False, sign=True),
                md_cell(_runner_up_text(w, d["totals"]["horizon_months"])),
                code_span(f"{trace} --workload {w['name']}"),
            )
        )
    return [
        "",
        "<details>",
        f"<summary>All workloads ({len(d['workloads'])}): class, site, offer, cost and "
        "runner-up</summary>",
        "",
        *md_table(
            (
                "workload",
                "team",
                "class (confidence)",
                "site",
                "option",
                "instance",
                "¤¤¤/month",
                "delta ¤¤¤/month",
                "runner-up: extra ¤¤¤/month (extra ¤¤¤ over the horizon)",
                "trace",
            ),
            rows,
            "llllllrrll",
        ),
        *(
            [
                "",
                f"The {len(workloads)} costliest are shown; all {len(d['workloads'])} are in "
                "`plan.json`.",
            ]
            if len(workloads) < len(d["workloads"])
            else []
        ),
        "",
        "</details>",
    ]
