"""A plan diff as GitHub-flavoured Markdown: a headline, a totals table, then one table per
non-empty part (moves, cost changes, workloads added and removed, cost per site and team,
findings added and resolved). Pure: renders the data of :func:`planner.report.diff.diff_to_dict`,
so every figure in the Markdown is one in ``hybridplan diff --format json``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from planner.fx import USD, FxRate
from planner.report.diff import is_empty
from planner.report.markdown import md_cell, md_table, sites_text
from planner.report.shown import shown, with_unit


def render_diff_md(diff: Mapping[str, Any], *, title: str = "Plan diff", rate: FxRate = USD) -> str:
    """The diff as GitHub-flavoured Markdown (headline, then one table per non-empty part),
    amounts in ``rate``'s currency (the head plan's project currency; converted once,
    ``planner.report.shown``)."""
    return with_unit(_render(shown(diff, rate), title), rate)


def _render(diff: Mapping[str, Any], title: str) -> str:
    t, b, h = diff["totals"], diff["base"], diff["head"]
    pct = "" if t["delta_pct"] is None else f", {t['delta_pct']:+.1f} %"
    lines = [
        f"## {md_cell(title)}: {b['usd_per_month'].format(unit=False)} → "
        f"{h['usd_per_month'].format(unit=False)} ¤¤¤/month "
        f"({t['delta_usd_per_month'].format(unit=False, sign=True)} ¤¤¤/month{pct})",
        "",
    ]
    if is_empty(diff):
        return "\n".join([*lines, "No change.", ""])
    lines += md_table(
        ("", "base", "head", "delta"),
        [
            (
                "monthly cost (¤¤¤/month)",
                b["usd_per_month"].format(unit=False),
                h["usd_per_month"].format(unit=False),
                t["delta_usd_per_month"].format(unit=False, sign=True),
            ),
            (
                "one-off migration (¤¤¤)",
                b["migration_usd"].format(unit=False),
                h["migration_usd"].format(unit=False),
                t["delta_migration_usd"].format(unit=False, sign=True),
            ),
            (
                f"horizon TCO (¤¤¤, {h['horizon_months']} months)",
                b["horizon_tco_usd"].format(unit=False),
                h["horizon_tco_usd"].format(unit=False),
                t["delta_horizon_tco_usd"].format(unit=False, sign=True),
            ),
            (
                "break-even month",
                md_cell(b["break_even_month"]),
                md_cell(h["break_even_month"]),
                "-",
            ),
            (
                "break-even month moving in waves",
                md_cell(b["break_even_month_waves"]),
                md_cell(h["break_even_month_waves"]),
                "-",
            ),
            ("migration waves", str(b["waves"]), str(h["waves"]), "-"),
            ("workloads moved vs today", str(b["moved"]), str(h["moved"]), "-"),
        ],
        "lrrr",
    )
    if diff["moves"]:
        lines += ["", f"### Moves ({len(diff['moves'])})", ""]
        lines += md_table(
            (
                "workload",
                "team",
                "base",
                "head",
                "base ¤¤¤/month",
                "head ¤¤¤/month",
                "delta ¤¤¤/month",
                "reason",
            ),
            [
                (
                    f"`{m['name']}`",
                    md_cell(m["team"]),
                    md_cell(f"{sites_text(m['base_sites'])} ({m['base_option']})"),
                    md_cell(f"{sites_text(m['head_sites'])} ({m['head_option']})"),
                    m["base_usd_per_month"].format(unit=False),
                    m["head_usd_per_month"].format(unit=False),
                    m["delta_usd_per_month"].format(unit=False, sign=True),
                    md_cell(m["reason"]),
                )
                for m in diff["moves"]
            ],
            "llllrrrl",
        )
    if diff["cost_changes"]:
        lines += ["", f"### Cost changes in place ({len(diff['cost_changes'])})", ""]
        lines += md_table(
            (
                "workload",
                "team",
                "site",
                "option",
                "base ¤¤¤/month",
                "head ¤¤¤/month",
                "delta ¤¤¤/month",
            ),
            [
                (
                    f"`{m['name']}`",
                    md_cell(m["team"]),
                    md_cell(sites_text(m["head_sites"])),
                    md_cell(
                        m["head_option"]
                        if m["base_option"] == m["head_option"]
                        else f"{m['base_option']} → {m['head_option']}"
                    ),
                    m["base_usd_per_month"].format(unit=False),
                    m["head_usd_per_month"].format(unit=False),
                    m["delta_usd_per_month"].format(unit=False, sign=True),
                )
                for m in diff["cost_changes"]
            ],
            "llllrrr",
        )
    for key, heading in (("added", "Workloads added"), ("removed", "Workloads removed")):
        if diff[key]:
            lines += ["", f"### {heading} ({len(diff[key])})", ""]
            lines += md_table(
                ("workload", "team", "sites", "¤¤¤/month"),
                [
                    (
                        f"`{w['name']}`",
                        md_cell(w["team"]),
                        md_cell(sites_text(w["sites"])),
                        w["usd_per_month"].format(unit=False),
                    )
                    for w in diff[key]
                ],
                "lllr",
            )
    for key, heading in (("sites", "Cost per site"), ("teams", "Cost per team")):
        if diff[key]:
            lines += ["", f"### {heading} (changed only)", ""]
            lines += md_table(
                (key[:-1], "base ¤¤¤/month", "head ¤¤¤/month", "delta ¤¤¤/month"),
                [
                    (
                        md_cell(r["name"]),
                        r["base_usd_per_month"].format(unit=False),
                        r["head_usd_per_month"].format(unit=False),
                        r["delta_usd_per_month"].format(unit=False, sign=True),
                    )
                    for r in diff[key]
                ],
                "lrrr",
            )
    for key, heading in (
        ("findings_added", "Findings added"),
        ("findings_resolved", "Findings resolved"),
    ):
        if diff[key]:
            lines += ["", f"### {heading} ({len(diff[key])})", ""]
            lines += md_table(
                ("level", "rule", "scope", "message"),
                [
                    (
                        md_cell(f["level"]),
                        f"`{f['rule_id']}`",
                        md_cell(f"{f['scope_kind']} {f['scope']}"),
                        md_cell(f["message"]),
                    )
                    for f in diff[key]
                ],
                "llll",
            )
    lines += [
        "",
        f"Base inputs `{b['input_digest'] or '-'}` (catalogue `{b['catalogue_version'] or '-'}`); "
        f"head inputs `{h['input_digest'] or '-'}` (catalogue `{h['catalogue_version'] or '-'}`).",
    ]
    return "\n".join(lines) + "\n"
