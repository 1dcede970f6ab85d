"""Purchasing changes in ``plan.json`` and ``plan.md`` (issue #12): commitments to sign or
let lapse and spot adopted (``Plan.purchasing``), apart from the moves, each with its own
saving. Pure.

* the **moves' saving**: the sum over workloads that change site (in whole or in part) of
  today's monthly cost less the plan's;
* the **purchasing changes' saving**: the sum of the changes' own savings (workloads that
  stay on their site in one part and change option there). A commitment signed for a
  moved or new workload has no saving of its own: it is the move's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from planner.model import Plan, PurchasingChange
from planner.money import Money
from planner.report.figures import changes_site
from planner.report.markdown import code_span, md_cell, md_table

KIND_TEXT = {
    "sign": "sign a commitment",
    "lapse": "let a commitment lapse",
    "spot": "adopt spot",
    "other": "change option",
}


def moves_saving(plan: Plan) -> Money:
    """Today's monthly cost less the plan's, over the workloads that change site."""
    base = plan.workload_baseline_per_month
    cur = plan.per_month.currency
    return Money.total(
        (
            base[p.workload] - p.per_month
            for p in plan.placements
            if changes_site(p) and p.workload in base
        ),
        cur,
    )


def purchasing_saving(plan: Plan) -> Money:
    """The sum of the purchasing changes' own savings."""
    cur = plan.per_month.currency
    return Money.total(
        (c.saving_per_month for c in plan.purchasing if c.saving_per_month is not None), cur
    )


def _change_dict(c: PurchasingChange) -> dict[str, Any]:
    return {
        "workload": c.workload,
        "site": c.site,
        "kind": c.kind,
        "from_option": None if c.from_option is None else c.from_option.value,
        "to_option": c.to_option.value,
        "before_usd_per_month": c.before_per_month,
        "after_usd_per_month": c.after_per_month,
        "saving_usd_per_month": c.saving_per_month,
        "moved": c.moved,
        "term_months": c.term_months,
        "committed_usd_per_month": c.committed_per_month,
        "committed_total_usd": c.committed_total,
        "on_demand_usd_per_month": c.on_demand_per_month,
        "break_even_utilisation": c.break_even_utilisation,
    }


def purchasing_dict(plan: Plan) -> dict[str, Any]:
    """``plan.json``'s ``purchasing``: the changes and the two savings."""
    cur = plan.per_month.currency
    signed = [c.committed_total for c in plan.purchasing if c.committed_total is not None]
    return {
        "changes": [_change_dict(c) for c in plan.purchasing],
        "saving_usd_per_month": purchasing_saving(plan),
        "moves_saving_usd_per_month": moves_saving(plan),
        "commitments_total_usd": Money.total(signed, cur),
    }


def _fmt(m: Money | None, *, sign: bool = False) -> str:
    return "-" if m is None else m.format(unit=False, sign=sign)


def _commitment_rows(changes: list[Mapping[str, Any]], horizon: int) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for c in changes:
        util = c["break_even_utilisation"]
        beyond = c["term_months"] - horizon
        rows.append(
            (
                code_span(c["workload"]),
                md_cell(c["site"]),
                md_cell(c["from_option"] or "new here"),
                md_cell(c["to_option"]),
                f"{c['term_months']}" + (f" ({beyond} past the horizon)" if beyond > 0 else ""),
                _fmt(c["committed_usd_per_month"]),
                _fmt(c["committed_total_usd"]),
                _fmt(c["on_demand_usd_per_month"]),
                "-" if util is None else f"{util * 100:.1f} %",
                "in the move" if c["moved"] else _fmt(c["saving_usd_per_month"], sign=True),
            )
        )
    return rows


def purchasing_section(d: Mapping[str, Any], limit: int) -> list[str]:
    """ "Purchasing changes": commitments to sign, then commitments to let lapse, spot and
    other option changes, each table largest saving first (none when nothing changes)."""
    p = d["purchasing"]
    changes = p["changes"]
    if not changes:
        return []
    horizon = d["settings"]["horizon_months"]
    sign = [c for c in changes if c["kind"] == "sign"]
    rest = [c for c in changes if c["kind"] != "sign"]

    def by_saving(c: Mapping[str, Any]) -> tuple[int, str, str]:
        s = c["saving_usd_per_month"]
        return (-(s.cents if s is not None else 0), c["workload"], c["site"])

    lines = [
        "",
        "### Purchasing changes",
        "",
        f"How capacity is bought, apart from where it runs: these save "
        f"**{p['saving_usd_per_month'].format()}/month** on their own; the moves above save "
        f"{p['moves_saving_usd_per_month'].format()}/month (today's cost less the plan's of "
        "the workloads that change site).",
    ]
    if sign:
        shown = sorted(sign, key=by_saving)[:limit]
        lines += [
            "",
            f"Commitments to sign ({len(sign)}; {p['commitments_total_usd'].format()} "
            "committed over their terms). A commitment bills every hour of its term for "
            "the committed amount, whatever the workload uses; it beats on-demand only if "
            "the workload runs at least its break-even share of the hours.",
            "",
            *md_table(
                (
                    "workload",
                    "site",
                    "today",
                    "commitment",
                    "term months",
                    "committed ¤¤¤/month",
                    "over the term ¤¤¤",
                    "on-demand ¤¤¤/month (730 h)",
                    "break-even utilisation",
                    "saving ¤¤¤/month",
                ),
                _commitment_rows(shown, horizon),
                "llllrrrrrr",
            ),
        ]
        if len(sign) > len(shown):
            lines += ["", f"{len(sign) - len(shown)} more are listed in `plan.json`."]
    if rest:
        shown = sorted(rest, key=by_saving)[:limit]
        rows = [
            (
                code_span(c["workload"]),
                md_cell(c["site"]),
                KIND_TEXT[c["kind"]] + (" (moved away)" if c["moved"] else ""),
                f"{c['from_option'] or '-'} → {c['to_option']}",
                _fmt(c["before_usd_per_month"]),
                _fmt(c["after_usd_per_month"]),
                "in the move" if c["moved"] else _fmt(c["saving_usd_per_month"], sign=True),
            )
            for c in shown
        ]
        lines += [
            "",
            f"Commitments to let lapse, spot adopted and other option changes ({len(rest)}):",
            "",
            *md_table(
                (
                    "workload",
                    "site",
                    "change",
                    "option",
                    "before ¤¤¤/month",
                    "after ¤¤¤/month",
                    "saving ¤¤¤/month",
                ),
                rows,
                "llllrrr",
            ),
        ]
        if len(rest) > len(shown):
            lines += ["", f"{len(rest) - len(shown)} more are listed in `plan.json`."]
    return lines
