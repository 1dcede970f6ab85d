"""Plan -> ``plan.json`` / ``plan.md`` / summary rows. Pure: returns text, never prints.

``plan.json`` is the machine contract (schema: ``planner/schemas/plan.json``); ``plan.md`` is
the pull-request comment a reviewer reads. Both come from one dictionary,
:func:`plan_to_dict`, so every figure in the Markdown is a figure in the JSON.

Stability rules (generated files never churn): keys sorted, lists sorted by name, money
rounded to cents, ratios to 4 decimals, no timestamps and no wall-clock solver time.

Derived totals (documented again in the schema):

- ``delta_usd_per_month = usd_per_month - baseline_usd_per_month`` (negative is a saving);
- ``horizon_tco_usd = usd_per_month x horizon_months + migration_usd`` (undiscounted);
- ``baseline_horizon_tco_usd = baseline_usd_per_month x horizon_months``;
- ``break_even_month``: the first whole month ``m >= 0`` with
  ``m x (baseline - after) >= migration_usd``; ``null`` when the plan never pays back;
- ``horizon_savings_npv_usd``: monthly savings discounted at ``settings.discount_rate_pct``
  (annual, compounded monthly as ``(1 + r) ** (m / 12)``) minus the one-off migration cost.
"""

from __future__ import annotations

import math
import shlex
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from planner.model import (
    Assignment,
    Classification,
    Finding,
    Level,
    Offer,
    Placement,
    Plan,
    Project,
    SiteUsage,
)

SCHEMA_VERSION = 1
"""Bumped on any incompatible change to the ``plan.json`` structure."""

API_VERSION = "hybridplan/v1"

_LEVEL_ORDER = {Level.MANDATORY: 0, Level.ADVISORY: 1, Level.DISABLED: 2}

SUMMARY_COLUMNS: tuple[str, ...] = (
    "site",
    "workloads",
    "in",
    "out",
    "before",
    "after",
    "delta",
)
"""Short headers so the table fits 80 columns; the CLI titles it "USD/month"."""


# --------------------------------------------------------------------------- numbers


def usd(value: float) -> float:
    """Round money to cents (and turn ``-0.0`` into ``0.0``)."""
    out = round(float(value), 2)
    return 0.0 if out == 0 else out


def _ratio(value: float) -> float:
    out = round(float(value), 4)
    return 0.0 if out == 0 else out


def delta_pct(before: float, after: float) -> float | None:
    """Change in percent from ``before`` to ``after`` (2 decimals); ``None`` if before is 0."""
    if before == 0:
        return None
    out = round((after - before) / before * 100.0, 2)
    return 0.0 if out == 0 else out


def break_even_month(
    baseline_usd_per_month: float, usd_per_month: float, migration_usd: float
) -> int | None:
    """First whole month ``m >= 0`` with ``m x saving >= migration_usd``; ``None`` if never."""
    saving = usd(baseline_usd_per_month) - usd(usd_per_month)
    migration = usd(migration_usd)
    if migration <= 0:
        return 0 if saving >= 0 else None
    if saving <= 0:
        return None
    return math.ceil(round(migration / saving, 9))


def savings_npv(
    baseline_usd_per_month: float,
    usd_per_month: float,
    migration_usd: float,
    horizon_months: int,
    discount_rate_pct: float,
) -> float:
    """Net present value of the plan's monthly savings over the horizon, less migration."""
    saving = baseline_usd_per_month - usd_per_month
    rate = discount_rate_pct / 100.0
    total = sum(saving / (1.0 + rate) ** (m / 12.0) for m in range(1, horizon_months + 1))
    return usd(total - migration_usd)


def _jsonable(value: object) -> Any:
    """Evidence values as JSON-safe data with a stable shape (mappings sorted, sets sorted)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return str(value)
        return round(value, 4)
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, set | frozenset):
        return [_jsonable(v) for v in sorted(value, key=str)]
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return str(value)


# --------------------------------------------------------------------------- dictionary


def _team_of(project: Project) -> dict[str, str]:
    return {w.name: w.team for w in project.workloads}


def primary_assignment(placement: Placement) -> Assignment | None:
    """The assignment carrying most of the workload: most replicas, then cost, then site."""
    if not placement.assignments:
        return None
    return max(
        placement.assignments,
        key=lambda a: (a.replicas, a.gpu_hours_per_month or 0.0, a.usd_per_month, a.site),
    )


def partly_moved(placement: Placement) -> bool:
    """The workload keeps running where it runs today and also runs elsewhere (a training
    workload bursting into, or spilling over to, another site). It pays migration for the
    new share, so the report lists it with the moves, marked "in part";
    ``Placement.moved`` (which policies read) stays false."""
    p = placement
    return p.previous_site is not None and p.previous_site in p.sites and len(p.sites) > 1


def changes_site(placement: Placement) -> bool:
    """Moves in whole or in part: the workload runs somewhere it does not run today."""
    return placement.moved or partly_moved(placement)


def options_text(w: Mapping[str, Any]) -> str:
    """The pricing options of a ``plan.json`` workload, one per part in site order (``spot +
    owned`` for a training job bursting into a pool), not just its largest part's."""
    options = list(dict.fromkeys(a["option"] for a in w["assignments"]))
    if not options:
        return (w["offer"] or {}).get("option") or "-"
    return " + ".join(options)


def sites_text(sites: Sequence[str]) -> str:
    """``a + b`` for a placement split over sites (``-`` when there are none)."""
    return " + ".join(sites) if sites else "-"


def _classification_dict(c: Classification | None) -> dict[str, Any] | None:
    if c is None:
        return None
    return {
        "class": c.cls.value,
        "confidence": _ratio(c.confidence),
        "reasons": list(c.reasons),
        "declared": c.declared.value if c.declared is not None else None,
        "telemetry_class": c.telemetry_class.value if c.telemetry_class is not None else None,
        "disagreement": c.disagreement,
    }


def _assignment_dict(a: Assignment) -> dict[str, Any]:
    return {
        "site": a.site,
        "option": a.option.value,
        "instance_type": a.instance_type,
        "replicas": a.replicas,
        "usd_per_month": usd(a.usd_per_month),
        "gpu_hours_per_month": (
            None if a.gpu_hours_per_month is None else round(a.gpu_hours_per_month, 2)
        ),
    }


def _alternative_dict(offer: Offer, chosen_usd_per_month: float) -> dict[str, Any]:
    return {
        "site": offer.site,
        "option": offer.option.value,
        "instance_type": offer.instance_type,
        "usd_per_month": usd(offer.usd_per_month),
        "migration_usd": usd(offer.migration_usd),
        "extra_usd_per_month": usd(offer.usd_per_month - chosen_usd_per_month),
        "eligible": offer.eligible,
        "reason": offer.reason,
    }


def _workload_dict(
    p: Placement, team: str, c: Classification | None, baseline: float | None, project: Project
) -> dict[str, Any]:
    main = primary_assignment(p)
    kind = tier = None
    try:
        w = project.workload(p.workload)
        kind, tier = w.kind.value, w.tier
    except KeyError:
        pass
    return {
        "name": p.workload,
        "team": team,
        "kind": kind,
        "tier": tier,
        "classification": _classification_dict(c),
        "sites": list(p.sites),
        "offer": (
            None
            if main is None
            else {
                "site": main.site,
                "option": main.option.value,
                "instance_type": main.instance_type,
            }
        ),
        "assignments": [
            _assignment_dict(a)
            for a in sorted(p.assignments, key=lambda a: (a.site, a.option.value))
        ],
        "usd_per_month": usd(p.usd_per_month),
        "baseline_usd_per_month": None if baseline is None else usd(baseline),
        "delta_usd_per_month": None if baseline is None else usd(p.usd_per_month - baseline),
        "migration": {
            "from": p.previous_site,
            "to": list(p.sites),
            "moved": p.moved,
            "partial": partly_moved(p),
            "usd": usd(p.migration_usd),
        },
        "reason": p.reason,
        "binding": sorted(p.binding),
        "alternatives": (
            [] if p.runner_up is None else [_alternative_dict(p.runner_up, p.usd_per_month)]
        ),
    }


def _site_dicts(plan: Plan, project: Project) -> list[dict[str, Any]]:
    usage: dict[str, SiteUsage] = {u.site: u for u in plan.site_usage}
    names = sorted({s.name for s in project.sites} | set(usage))
    placed: dict[str, list[str]] = {n: [] for n in names}
    assigned_usd: dict[str, float] = dict.fromkeys(names, 0.0)
    for p in plan.placements:
        for a in p.assignments:
            placed.setdefault(a.site, []).append(p.workload)
            assigned_usd[a.site] = assigned_usd.get(a.site, 0.0) + a.usd_per_month
    before: dict[str, float] = dict.fromkeys(names, 0.0)
    moved_in: dict[str, int] = dict.fromkeys(names, 0)
    moved_out: dict[str, int] = dict.fromkeys(names, 0)
    for p in plan.placements:
        if p.previous_site is not None:
            base = plan.workload_baseline_usd_per_month.get(p.workload, 0.0)
            before[p.previous_site] = before.get(p.previous_site, 0.0) + base
        if p.moved:
            assert p.previous_site is not None  # guaranteed by Placement.moved
            moved_out[p.previous_site] = moved_out.get(p.previous_site, 0) + 1
        if changes_site(p):
            for s in p.sites:
                if s != p.previous_site:
                    moved_in[s] = moved_in.get(s, 0) + 1
    out: list[dict[str, Any]] = []
    for name in sorted(set(names) | set(placed) | set(before)):
        u = usage.get(name)
        # the sum of the workloads' parts here, so the sites add up to the plan's total
        after = assigned_usd.get(name, 0.0)
        kind = provider = region = None
        try:
            site = project.site(name)
            kind, provider, region = site.kind.value, site.provider, site.region
        except KeyError:
            pass
        resources: dict[str, dict[str, float | None]] = {}
        if u is not None:
            for res in sorted(set(u.used) | set(u.capacity)):
                used = float(u.used.get(res, 0.0))
                cap = u.capacity.get(res)
                resources[res] = {
                    "used": round(used, 3),
                    "capacity": None if cap is None else round(float(cap), 3),
                    "utilisation": None if not cap else _ratio(used / float(cap)),
                }
        base = before.get(name, 0.0)
        out.append(
            {
                "name": name,
                "kind": kind,
                "provider": provider,
                "region": region,
                "usd_per_month": usd(after),
                "baseline_usd_per_month": usd(base),
                "delta_usd_per_month": usd(after - base),
                "workloads": sorted(set(placed.get(name, []))),
                "moved_in": moved_in.get(name, 0),
                "moved_out": moved_out.get(name, 0),
                "resources": resources,
            }
        )
    return out


def _team_dicts(plan: Plan, teams: Mapping[str, str]) -> list[dict[str, Any]]:
    acc: dict[str, dict[str, float]] = {}
    for p in plan.placements:
        t = acc.setdefault(
            teams.get(p.workload, "unknown"),
            {"after": 0.0, "before": 0.0, "n": 0, "moved": 0, "partly": 0, "migration": 0.0},
        )
        t["after"] += p.usd_per_month
        t["before"] += plan.workload_baseline_usd_per_month.get(p.workload, 0.0)
        t["n"] += 1
        t["moved"] += 1 if p.moved else 0
        t["partly"] += 1 if partly_moved(p) else 0
        t["migration"] += p.migration_usd
    return [
        {
            "name": name,
            "usd_per_month": usd(t["after"]),
            "baseline_usd_per_month": usd(t["before"]),
            "delta_usd_per_month": usd(t["after"] - t["before"]),
            "migration_usd": usd(t["migration"]),
            "workloads": int(t["n"]),
            "moved": int(t["moved"]),
            "partly_moved": int(t["partly"]),
        }
        for name, t in sorted(acc.items())
    ]


def finding_sort_key(f: Finding) -> tuple[int, str, str, str, str]:
    """Mandatory first, then rule id, scope and message."""
    return (_LEVEL_ORDER.get(f.level, 9), f.rule_id, f.scope_kind, f.scope, f.message)


def _finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "rule_id": f.rule_id,
        "name": f.name,
        "category": f.category.value,
        "level": f.level.value,
        "scope_kind": f.scope_kind,
        "scope": f.scope,
        "message": f.message,
        "evidence": _jsonable(f.evidence),
        "waived": f.waived,
        "waiver_reason": f.waiver_reason,
    }


def _totals(plan: Plan, project: Project) -> dict[str, Any]:
    before, after, migration = (
        plan.baseline_usd_per_month,
        plan.usd_per_month,
        plan.migration_usd,
    )
    h = plan.horizon_months
    return {
        "baseline_usd_per_month": usd(before),
        "usd_per_month": usd(after),
        "delta_usd_per_month": usd(after - before),
        "delta_pct": delta_pct(before, after),
        "migration_usd": usd(migration),
        "horizon_months": h,
        "horizon_tco_usd": usd(after * h + migration),
        "baseline_horizon_tco_usd": usd(before * h),
        "horizon_savings_usd": usd(before * h - (after * h + migration)),
        "horizon_savings_npv_usd": savings_npv(
            before, after, migration, h, project.settings.discount_rate_pct
        ),
        "break_even_month": break_even_month(before, after, migration),
        "workloads": len(plan.placements),
        "moved": sum(1 for p in plan.placements if p.moved),
        "partly_moved": sum(1 for p in plan.placements if partly_moved(p)),
    }


def _iter_sorted_placements(plan: Plan) -> Iterable[Placement]:
    return sorted(plan.placements, key=lambda p: p.workload)


def plan_to_dict(plan: Plan, project: Project, *, command: str | None = None) -> dict[str, Any]:
    """The ``plan.json`` document as plain data (validated by ``planner/schemas/plan.json``).

    ``command`` is the command line that reproduces the file; by default
    ``hybridplan plan <project.root>``.
    """
    teams = _team_of(project)
    classes = {c.workload: c for c in plan.classifications}
    s = project.settings
    return {
        "apiVersion": API_VERSION,
        "kind": "Plan",
        "schema_version": SCHEMA_VERSION,
        "generated_by": command or f"hybridplan plan {project.root}",
        "currency": s.currency,
        "input_digest": plan.input_digest,
        "catalogue_version": plan.catalogue_version,
        "inputs": {k: project.digests[k] for k in sorted(project.digests)},
        "settings": {
            "horizon_months": plan.horizon_months,
            "discount_rate_pct": s.discount_rate_pct,
            "headroom": s.headroom,
            "engineering_usd_per_move": usd(s.engineering_usd_per_move),
            "double_running_months": s.double_running_months,
        },
        "totals": _totals(plan, project),
        "solver": {
            "method": plan.solver.method,
            "status": plan.solver.status,
            "objective_usd": usd(plan.solver.objective_usd),
            "lp_bound_usd": (
                None if plan.solver.lp_bound_usd is None else usd(plan.solver.lp_bound_usd)
            ),
            "gap": None if plan.solver.gap is None else round(plan.solver.gap, 6),
            "time_limited": plan.solver.time_limited,
            "note": plan.solver.note,
        },
        "workloads": [
            _workload_dict(
                p,
                teams.get(p.workload, "unknown"),
                classes.get(p.workload),
                plan.workload_baseline_usd_per_month.get(p.workload),
                project,
            )
            for p in _iter_sorted_placements(plan)
        ],
        "sites": _site_dicts(plan, project),
        "teams": _team_dicts(plan, teams),
        "findings": [_finding_dict(f) for f in sorted(plan.findings, key=finding_sort_key)],
    }


def render_plan_json(plan: Plan, project: Project, *, command: str | None = None) -> str:
    """``plan.json`` text: indented, keys sorted, trailing newline."""
    import json

    return (
        json.dumps(
            plan_to_dict(plan, project, command=command),
            indent=2,
            sort_keys=True,
            ensure_ascii=False,
        )
        + "\n"
    )


# --------------------------------------------------------------------------- summary


def money(value: float) -> str:
    """``12,345.67`` (the unit is in the column header or follows the figure)."""
    return f"{usd(value):,.2f}"


def signed_money(value: float) -> str:
    """``+1,234.00`` / ``-1,234.00`` / ``0.00``."""
    v = usd(value)
    return f"{v:+,.2f}" if v != 0 else "0.00"


def summary_rows(plan: Plan) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """Header and rows of the CLI's short summary: one row per site, then ``TOTAL``.

    Money is USD/month; the TOTAL row uses the plan totals (which include every site).
    ``in`` counts workloads that start running on a site, in whole or in part (a training
    workload bursting into a pool counts as in, not out, since it stays where it was);
    ``out`` counts workloads that leave a site entirely.
    """
    per_site: dict[str, dict[str, float]] = {}

    def row(name: str) -> dict[str, float]:
        return per_site.setdefault(name, {"n": 0, "in": 0, "out": 0, "before": 0.0, "after": 0.0})

    for u in plan.site_usage:
        row(u.site)
    for p in plan.placements:
        for a in p.assignments:
            # the sum of the workloads' parts, so the sites add up to the TOTAL row
            row(a.site)["after"] += a.usd_per_month
        for s in p.sites:
            r = row(s)
            r["n"] += 1
            if changes_site(p) and s != p.previous_site:
                r["in"] += 1
        if p.previous_site is not None:
            r = row(p.previous_site)
            r["before"] += plan.workload_baseline_usd_per_month.get(p.workload, 0.0)
            if p.moved:
                r["out"] += 1
    rows: list[tuple[str, ...]] = [
        (
            name,
            str(int(r["n"])),
            str(int(r["in"])),
            str(int(r["out"])),
            money(r["before"]),
            money(r["after"]),
            signed_money(r["after"] - r["before"]),
        )
        for name, r in sorted(per_site.items())
    ]
    rows.append(
        (
            "TOTAL",
            str(len(plan.placements)),
            str(sum(1 for p in plan.placements if changes_site(p))),
            str(sum(1 for p in plan.placements if p.moved)),
            money(plan.baseline_usd_per_month),
            money(plan.usd_per_month),
            signed_money(plan.usd_per_month - plan.baseline_usd_per_month),
        )
    )
    return SUMMARY_COLUMNS, rows


# --------------------------------------------------------------------------- markdown

MAX_COMMENT_CHARS = 60_000
"""GitHub rejects comments over 65,536 characters; keep a margin."""

REASON_CHARS = 120
"""Reasons longer than this are shortened in tables (in full under "Why each move")."""

_MD_BUDGETS: tuple[tuple[int, int, int], ...] = (
    (200, 100, 100),
    (50, 50, 50),
    (0, 25, 25),
    (0, 10, 10),
)
"""(all-workloads rows, moved rows, finding rows), tried in order until the text fits."""

COMMENT_MARKER = "<!-- hybridplan:plan -->"
"""First line of ``plan.md``: the CI workflow finds and updates its pull-request comment by it."""

_MD_ESCAPES = str.maketrans({"|": "\\|", "\n": " ", "\r": " ", "<": "&lt;", ">": "&gt;"})


def md_cell(value: object) -> str:
    """Text safe inside a GFM table cell (pipes escaped, no newlines, no raw HTML)."""
    if value is None:
        return "-"
    text = str(value).translate(_MD_ESCAPES).strip()
    return text or "-"


def _code(text: str) -> str:
    """An inline code span (backticks in ``text`` are replaced: names never contain them).
    A ``|`` is escaped: in a GFM table it would end the cell even inside backticks (GitHub
    shows ``\\|`` in a table's code span as ``|``)."""
    cleaned = text.replace("`", "'").replace("|", "\\|")
    return f"`{cleaned}`"


def md_table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str) -> list[str]:
    """GFM table lines. ``align`` has one letter per column: ``l`` or ``r``."""
    sep = ["---:" if a == "r" else "---" for a in align]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(sep) + " |"]
    lines.extend("| " + " | ".join(r) + " |" for r in rows)
    return lines


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.1f} %"


def _util(resources: Mapping[str, Mapping[str, float | None]]) -> str:
    parts = []
    for res, v in resources.items():
        u = v.get("utilisation")
        if u is not None:
            parts.append(f"{res} {u * 100:.0f} %")
    return ", ".join(parts) if parts else "unbounded (cloud)"


def _mermaid_label(text: str) -> str:
    return text.replace('"', "'")


def _headline(d: Mapping[str, Any]) -> list[str]:
    t = d["totals"]
    before, after, delta = (
        t["baseline_usd_per_month"],
        t["usd_per_month"],
        t["delta_usd_per_month"],
    )
    verb = "saves" if delta < 0 else ("costs" if delta > 0 else "changes")
    be = t["break_even_month"]
    be_text = (
        "never (the plan costs more than today)"
        if be is None
        else ("immediately" if be == 0 else f"month {be}")
    )
    h = t["horizon_months"]
    return [
        COMMENT_MARKER,
        f"## hybridplan: {money(before)} → {money(after)} USD/month "
        f"({signed_money(delta)} USD/month, {_pct(t['delta_pct'])})",
        "",
        f"The plan {verb} **{money(abs(delta))} USD/month** for a one-off migration of "
        f"**{money(t['migration_usd'])} USD**; it breaks even **{be_text}**. "
        f"{t['moved']} of {t['workloads']} workloads move"
        + _partly_text(t.get("partly_moved", 0))
        + _new_text(d),
        "",
        *md_table(
            ("", "today", "with this plan", "delta"),
            [
                (
                    "monthly cost (USD/month)",
                    money(before),
                    money(after),
                    signed_money(delta),
                ),
                (
                    f"{h}-month TCO incl. migration (USD)",
                    money(t["baseline_horizon_tco_usd"]),
                    money(t["horizon_tco_usd"]),
                    signed_money(-t["horizon_savings_usd"]),
                ),
                ("one-off migration (USD)", "-", money(t["migration_usd"]), "-"),
                (
                    f"NPV of savings at {d['settings']['discount_rate_pct']:g} %/year (USD)",
                    "-",
                    money(t["horizon_savings_npv_usd"]),
                    "-",
                ),
                ("break-even", "-", be_text, "-"),
            ],
            "lrrr",
        ),
    ]


def _new_text(d: Mapping[str, Any]) -> str:
    """New workloads (no current site) cost money with the plan and nothing today."""
    new = [w for w in d["workloads"] if w["migration"]["from"] is None]
    if not new:
        return ""
    usd_new = sum(w["usd_per_month"] for w in new)
    return (
        f" The cost with this plan includes {len(new)} new workload"
        f"{'s' if len(new) != 1 else ''} ({money(usd_new)} USD/month) that "
        f"{'do' if len(new) != 1 else 'does'} not run today."
    )


def _partly_text(n: int) -> str:
    if not n:
        return "."
    if n == 1:
        return "; 1 more moves in part (it keeps its current site and also runs elsewhere)."
    return f"; {n} more move in part (they keep their current site and also run elsewhere)."


def _short(text: str, limit: int = REASON_CHARS) -> str:
    """``text`` cut at a word boundary to ``limit`` characters (with an ellipsis)."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def _moves(d: Mapping[str, Any], trace: str, limit: int) -> list[str]:
    moved = [w for w in d["workloads"] if w["migration"]["moved"] or w["migration"].get("partial")]
    n_part = sum(1 for w in moved if w["migration"].get("partial"))
    count = f"{len(moved) - n_part}, and {n_part} in part" if n_part else f"{len(moved)}"
    lines = ["", f"### Moved workloads ({count})", ""]
    if not moved:
        return [*lines, "No workload moves."]
    moved.sort(key=lambda w: (w["delta_usd_per_month"] or 0.0, w["name"]))
    shown = moved[:limit]
    rows = []
    for w in shown:
        saving = None if w["delta_usd_per_month"] is None else -w["delta_usd_per_month"]
        rows.append(
            (
                _code(w["name"]),
                md_cell(w["team"]),
                md_cell(w["migration"]["from"]),
                md_cell(
                    sites_text(w["migration"]["to"])
                    + (" (in part)" if w["migration"].get("partial") else "")
                ),
                md_cell(options_text(w)),
                "-" if w["baseline_usd_per_month"] is None else money(w["baseline_usd_per_month"]),
                money(w["usd_per_month"]),
                "-" if saving is None else signed_money(saving),
                money(w["migration"]["usd"]),
                md_cell(_short(w["reason"])),
            )
        )
    lines += md_table(
        (
            "workload",
            "team",
            "from",
            "to",
            "option",
            "before USD/month",
            "after USD/month",
            "saving USD/month",
            "migration USD",
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
        lines.append(f"- {_code(w['name'])}: {md_cell(w['reason'])} (binding: {md_cell(binding)})")
    return [*lines, "", "</details>"]


def _sites(d: Mapping[str, Any]) -> list[str]:
    rows = [
        (
            md_cell(s["name"]),
            md_cell(s["kind"]),
            str(len(s["workloads"])),
            str(s["moved_in"]),
            str(s["moved_out"]),
            money(s["baseline_usd_per_month"]),
            money(s["usd_per_month"]),
            signed_money(s["delta_usd_per_month"]),
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
                "before USD/month",
                "after USD/month",
                "delta USD/month",
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
            + ", ".join(_code(n) for n in split)
            + ".",
        ]
    spend = [(s["name"], s["usd_per_month"]) for s in d["sites"] if s["usd_per_month"] > 0]
    if spend:
        lines += [
            "",
            "```mermaid",
            "pie showData",
            "    title Spend by site with this plan (USD/month)",
            *(f'    "{_mermaid_label(n)}" : {v:.2f}' for n, v in spend),
            "```",
        ]
    return lines


def _teams(d: Mapping[str, Any]) -> list[str]:
    teams = d["teams"]
    rows = [
        (
            md_cell(t["name"]),
            str(t["workloads"]),
            str(t["moved"]) + (f" + {t['partly_moved']} in part" if t.get("partly_moved") else ""),
            money(t["baseline_usd_per_month"]),
            money(t["usd_per_month"]),
            signed_money(t["delta_usd_per_month"]),
            money(t["migration_usd"]),
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
                "before USD/month",
                "after USD/month",
                "delta USD/month",
                "migration USD",
            ),
            rows,
            "lrrrrrr",
        ),
    ]
    if len(teams) >= 2:
        top = max(max(t["baseline_usd_per_month"], t["usd_per_month"]) for t in teams)
        labels = ", ".join(f'"{_mermaid_label(t["name"])}"' for t in teams)
        before = ", ".join(f"{t['baseline_usd_per_month']:.2f}" for t in teams)
        after = ", ".join(f"{t['usd_per_month']:.2f}" for t in teams)
        lines += [
            "",
            "Bars: with this plan; line: today (USD/month).",
            "",
            "```mermaid",
            "xychart-beta",
            '    title "Spend per team (USD/month)"',
            f"    x-axis [{labels}]",
            f'    y-axis "USD/month" 0 --> {math.ceil(top * 1.1) or 1}',
            f"    bar [{after}]",
            f"    line [{before}]",
            "```",
        ]
    return lines


def _finding_rows(findings: Sequence[Mapping[str, Any]]) -> list[tuple[str, ...]]:
    return [
        (
            f"**{f['level']}**" if f["level"] == "mandatory" and not f["waived"] else f["level"],
            _code(f["rule_id"]),
            md_cell(f["name"]),
            md_cell(f"{f['scope_kind']} {f['scope']}"),
            md_cell(f["message"]),
            md_cell(f"waived: {f['waiver_reason']}" if f["waived"] else "open"),
        )
        for f in findings
    ]


_FINDING_HEADER = ("level", "rule", "name", "scope", "message", "status")


def _findings(d: Mapping[str, Any], limit: int) -> list[str]:
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


def _classification_changes(d: Mapping[str, Any]) -> list[str]:
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
                _code(w["name"]),
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
        f"{alt['site']}/{alt['option']} {signed_money(alt['extra_usd_per_month'])} "
        f"({signed_money(horizon)})"
    )


def _all_workloads(d: Mapping[str, Any], trace: str, limit: int) -> list[str]:
    if limit <= 0:
        return [
            "",
            f"The table of all {len(d['workloads'])} workloads is left out to keep this comment "
            "under GitHub's size limit: see `plan.json`.",
        ]
    ranked = sorted(d["workloads"], key=lambda w: (-w["usd_per_month"], w["name"]))
    keep = {w["name"] for w in ranked[:limit]}
    workloads = [w for w in d["workloads"] if w["name"] in keep]
    rows = []
    for w in workloads:
        c = w["classification"]
        offer = w["offer"] or {}
        rows.append(
            (
                _code(w["name"]),
                md_cell(w["team"]),
                "-" if c is None else md_cell(f"{c['class']} ({c['confidence']:.2f})"),
                md_cell(sites_text(w["sites"])),
                md_cell(options_text(w)),
                md_cell(offer.get("instance_type")),
                money(w["usd_per_month"]),
                "-" if w["delta_usd_per_month"] is None else signed_money(w["delta_usd_per_month"]),
                md_cell(_runner_up_text(w, d["totals"]["horizon_months"])),
                _code(f"{trace} --workload {w['name']}"),
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
                "USD/month",
                "delta USD/month",
                "runner-up: extra USD/month (extra USD over the horizon)",
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


def _provenance(d: Mapping[str, Any]) -> list[str]:
    s = d["solver"]
    gap = "n/a" if s["gap"] is None else f"{s['gap'] * 100:.2f} %"
    bound = "n/a" if s["lp_bound_usd"] is None else f"{money(s['lp_bound_usd'])} USD"
    rows = [
        ("solver", md_cell(f"{s['method']} ({s['status']})")),
        (
            "solver objective: horizon x monthly cost + migration, before rounding to cents",
            f"{money(s['objective_usd'])} USD",
        ),
        ("LP lower bound of the objective", bound),
        ("gap to bound", gap + (" (time limit reached)" if s["time_limited"] else "")),
        ("input digest", _code(d["input_digest"] or "-")),
        ("catalogue version", _code(d["catalogue_version"] or "-")),
        ("reproduce", _code(d["generated_by"])),
    ]
    if s["note"]:
        rows.append(("note", md_cell(s["note"])))
    rows.extend((md_cell(f"input {path}"), _code(digest)) for path, digest in d["inputs"].items())
    return [
        "",
        "<details>",
        "<summary>How these figures were computed: solver, inputs, digests</summary>",
        "",
        *md_table(("", "value"), rows, "ll"),
        "",
        "Monthly figures are USD/month at catalogue prices; the horizon TCO is undiscounted "
        "(monthly cost x horizon + one-off migration); the NPV discounts monthly savings at the "
        "project's discount rate.",
        "",
        "</details>",
    ]


def render_plan_md(
    plan: Plan, project: Project, *, command: str | None = None, project_dir: str | None = None
) -> str:
    """``plan.md``: the pull-request comment (GitHub-flavoured Markdown, Mermaid charts).

    ``project_dir`` is how commands in the text refer to the planning project (default
    ``project.root``); ``command`` is the command that reproduces the plan. Long lists are
    capped so the comment stays under GitHub's 65,536-character limit; everything is in
    ``plan.json``.
    """
    d = plan_to_dict(plan, project, command=command)
    trace = f"hybridplan cost {shlex.quote(str(project_dir or project.root))}"
    text = ""
    for rows, moves, findings in _MD_BUDGETS:
        lines = [
            *_headline(d),
            *_moves(d, trace, moves),
            *_sites(d),
            *_teams(d),
            *_findings(d, findings),
            *_classification_changes(d),
            *_all_workloads(d, trace, rows),
            *_provenance(d),
        ]
        text = "\n".join(lines) + "\n"
        if len(text) <= MAX_COMMENT_CHARS:
            break
    return text
