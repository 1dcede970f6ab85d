"""Two ``plan.json`` documents -> what changed. Pure: dictionaries in, dictionary/text out.

Used by ``hybridplan diff BASE HEAD`` (two files from two commits) and by ``hybridplan
what-if`` (the base plan against a scenario). The inputs are ``plan.json`` dictionaries as
:func:`planner.report.plan_to_dict` writes them (schema ``planner/schemas/plan.json``).

What the diff holds (every list sorted by name, money rounded to cents, ``delta = head -
base`` so a negative delta is a saving):

- ``totals``: monthly cost, migration, horizon TCO and break-even of both plans;
- ``moves``: workloads present in both whose sites differ;
- ``cost_changes``: workloads present in both, same sites, whose monthly cost changed;
- ``added`` / ``removed``: workloads only in HEAD / only in BASE;
- ``sites`` / ``teams``: monthly cost per site and team in both, changed ones only;
- ``findings_added`` / ``findings_resolved``: keyed by rule id and scope.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from planner.errors import UsageError
from planner.report import md_cell, md_table, money, round_cents, signed_money, sites_text

DIFF_SCHEMA_VERSION = 1

_SUPPORTED_PLAN_SCHEMAS = (1,)


def _check(plan: Mapping[str, Any], label: str) -> None:
    if plan.get("kind") != "Plan" or plan.get("schema_version") not in _SUPPORTED_PLAN_SCHEMAS:
        raise UsageError(
            f"{label} is not a hybridplan plan.json (kind {plan.get('kind')!r}, "
            f"schema_version {plan.get('schema_version')!r})",
            fix="pass two plan.json files written by `hybridplan plan DIR --out OUT`",
        )


def _by_name(items: Sequence[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    return {str(i["name"]): i for i in items}


def _finding_key(f: Mapping[str, Any]) -> tuple[str, str, str]:
    return (str(f["rule_id"]), str(f["scope_kind"]), str(f["scope"]))


def _side(totals: Mapping[str, Any]) -> dict[str, Any]:
    keys = (
        "usd_per_month",
        "baseline_usd_per_month",
        "migration_usd",
        "horizon_tco_usd",
        "horizon_months",
        "break_even_month",
        "workloads",
        "moved",
    )
    return {k: totals.get(k) for k in keys}


def _cost_rows(
    base: Sequence[Mapping[str, Any]], head: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    b, h = _by_name(base), _by_name(head)
    rows = []
    for name in sorted(set(b) | set(h)):
        before = float(b[name]["usd_per_month"]) if name in b else 0.0
        after = float(h[name]["usd_per_month"]) if name in h else 0.0
        if round_cents(after - before) != 0 or (name in b) != (name in h):
            rows.append(
                {
                    "name": name,
                    "base_usd_per_month": round_cents(before),
                    "head_usd_per_month": round_cents(after),
                    "delta_usd_per_month": round_cents(after - before),
                }
            )
    return rows


def _finding_dict(f: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "rule_id": f["rule_id"],
        "level": f["level"],
        "scope_kind": f["scope_kind"],
        "scope": f["scope"],
        "message": f["message"],
        "waived": f["waived"],
    }


def diff_plans(base: Mapping[str, Any], head: Mapping[str, Any]) -> dict[str, Any]:
    """What changed from ``base`` to ``head`` (two ``plan.json`` dictionaries)."""
    _check(base, "BASE")
    _check(head, "HEAD")
    bw, hw = _by_name(base["workloads"]), _by_name(head["workloads"])
    moves, cost_changes = [], []
    for name in sorted(set(bw) & set(hw)):
        b, h = bw[name], hw[name]
        delta = round_cents(float(h["usd_per_month"]) - float(b["usd_per_month"]))
        row = {
            "name": name,
            "team": h["team"],
            "base_sites": list(b["sites"]),
            "head_sites": list(h["sites"]),
            "base_option": (b.get("offer") or {}).get("option"),
            "head_option": (h.get("offer") or {}).get("option"),
            "base_usd_per_month": round_cents(b["usd_per_month"]),
            "head_usd_per_month": round_cents(h["usd_per_month"]),
            "delta_usd_per_month": delta,
            "reason": h.get("reason", ""),
        }
        if list(b["sites"]) != list(h["sites"]):
            moves.append(row)
        elif delta != 0 or row["base_option"] != row["head_option"]:
            cost_changes.append(row)
    added = [
        {
            "name": n,
            "team": hw[n]["team"],
            "sites": list(hw[n]["sites"]),
            "usd_per_month": round_cents(hw[n]["usd_per_month"]),
        }
        for n in sorted(set(hw) - set(bw))
    ]
    removed = [
        {
            "name": n,
            "team": bw[n]["team"],
            "sites": list(bw[n]["sites"]),
            "usd_per_month": round_cents(bw[n]["usd_per_month"]),
        }
        for n in sorted(set(bw) - set(hw))
    ]
    bf = {_finding_key(f): f for f in base["findings"] if not f["waived"]}
    hf = {_finding_key(f): f for f in head["findings"] if not f["waived"]}
    bt, ht = base["totals"], head["totals"]
    delta = round_cents(float(ht["usd_per_month"]) - float(bt["usd_per_month"]))
    return {
        "kind": "PlanDiff",
        "schema_version": DIFF_SCHEMA_VERSION,
        "base": {
            "input_digest": base["input_digest"],
            "catalogue_version": base["catalogue_version"],
            **_side(bt),
        },
        "head": {
            "input_digest": head["input_digest"],
            "catalogue_version": head["catalogue_version"],
            **_side(ht),
        },
        "totals": {
            "delta_usd_per_month": delta,
            "delta_pct": (
                None
                if float(bt["usd_per_month"]) == 0
                else round(delta / float(bt["usd_per_month"]) * 100.0, 2)
            ),
            "delta_migration_usd": round_cents(
                float(ht["migration_usd"]) - float(bt["migration_usd"])
            ),
            "delta_horizon_tco_usd": round_cents(
                float(ht["horizon_tco_usd"]) - float(bt["horizon_tco_usd"])
            ),
        },
        "moves": moves,
        "cost_changes": cost_changes,
        "added": added,
        "removed": removed,
        "sites": _cost_rows(base["sites"], head["sites"]),
        "teams": _cost_rows(base["teams"], head["teams"]),
        "findings_added": [_finding_dict(hf[k]) for k in sorted(set(hf) - set(bf))],
        "findings_resolved": [_finding_dict(bf[k]) for k in sorted(set(bf) - set(hf))],
    }


def is_empty(diff: Mapping[str, Any]) -> bool:
    """True when nothing a reviewer would care about changed."""
    return diff["totals"]["delta_usd_per_month"] == 0 and not any(
        diff[k]
        for k in (
            "moves",
            "cost_changes",
            "added",
            "removed",
            "sites",
            "teams",
            "findings_added",
            "findings_resolved",
        )
    )


def render_diff_md(diff: Mapping[str, Any], *, title: str = "Plan diff") -> str:
    """The diff as GitHub-flavoured Markdown (headline, then one table per non-empty part)."""
    t, b, h = diff["totals"], diff["base"], diff["head"]
    pct = "" if t["delta_pct"] is None else f", {t['delta_pct']:+.1f} %"
    lines = [
        f"## {md_cell(title)}: {money(b['usd_per_month'])} → {money(h['usd_per_month'])} "
        f"USD/month ({signed_money(t['delta_usd_per_month'])} USD/month{pct})",
        "",
    ]
    if is_empty(diff):
        return "\n".join([*lines, "No change.", ""])
    lines += md_table(
        ("", "base", "head", "delta"),
        [
            (
                "monthly cost (USD/month)",
                money(b["usd_per_month"]),
                money(h["usd_per_month"]),
                signed_money(t["delta_usd_per_month"]),
            ),
            (
                "one-off migration (USD)",
                money(b["migration_usd"]),
                money(h["migration_usd"]),
                signed_money(t["delta_migration_usd"]),
            ),
            (
                f"horizon TCO (USD, {h['horizon_months']} months)",
                money(b["horizon_tco_usd"]),
                money(h["horizon_tco_usd"]),
                signed_money(t["delta_horizon_tco_usd"]),
            ),
            (
                "break-even month",
                md_cell(b["break_even_month"]),
                md_cell(h["break_even_month"]),
                "-",
            ),
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
                "base USD/month",
                "head USD/month",
                "delta USD/month",
                "reason",
            ),
            [
                (
                    f"`{m['name']}`",
                    md_cell(m["team"]),
                    md_cell(f"{sites_text(m['base_sites'])} ({m['base_option']})"),
                    md_cell(f"{sites_text(m['head_sites'])} ({m['head_option']})"),
                    money(m["base_usd_per_month"]),
                    money(m["head_usd_per_month"]),
                    signed_money(m["delta_usd_per_month"]),
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
                "base USD/month",
                "head USD/month",
                "delta USD/month",
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
                    money(m["base_usd_per_month"]),
                    money(m["head_usd_per_month"]),
                    signed_money(m["delta_usd_per_month"]),
                )
                for m in diff["cost_changes"]
            ],
            "llllrrr",
        )
    for key, heading in (("added", "Workloads added"), ("removed", "Workloads removed")):
        if diff[key]:
            lines += ["", f"### {heading} ({len(diff[key])})", ""]
            lines += md_table(
                ("workload", "team", "sites", "USD/month"),
                [
                    (
                        f"`{w['name']}`",
                        md_cell(w["team"]),
                        md_cell(sites_text(w["sites"])),
                        money(w["usd_per_month"]),
                    )
                    for w in diff[key]
                ],
                "lllr",
            )
    for key, heading in (("sites", "Cost per site"), ("teams", "Cost per team")):
        if diff[key]:
            lines += ["", f"### {heading} (changed only)", ""]
            lines += md_table(
                (key[:-1], "base USD/month", "head USD/month", "delta USD/month"),
                [
                    (
                        md_cell(r["name"]),
                        money(r["base_usd_per_month"]),
                        money(r["head_usd_per_month"]),
                        signed_money(r["delta_usd_per_month"]),
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
