"""The ``plan.md`` sections about buying: "Hardware to buy" (servers the solver chose to
buy, ``Plan.purchases``). Pure: each takes the ``plan.json`` dictionary and returns
Markdown lines (none when there is nothing to say)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from planner.report.markdown import code_span, md_cell, md_table


def hardware_section(d: Mapping[str, Any]) -> list[str]:
    """Servers to buy: model, units, capex (cash in its month), monthly cost, idle share."""
    bought = d.get("purchases") or []
    if not bought:
        return []
    rows = [
        (
            md_cell(b["site"]),
            code_span(b["node_class"]),
            str(b["units"]),
            b["capex_usd"].format(unit=False),
            f"month {b['month']}",
            b["usd_per_month"].format(unit=False),
            b["idle_usd_per_month"].format(unit=False),
            md_cell(", ".join(b["workloads"]) or "-"),
        )
        for b in bought
    ]
    return [
        "",
        "### Hardware to buy",
        "",
        "The solver decided these purchases together with the placement. Capex is cash paid "
        "when the servers are delivered (the month shown: order now, lead time respected); the "
        "workloads on them move then and run where they are until that month. ¤¤¤/month is "
        "the servers' amortised capex, power and support; idle is the part no workload uses.",
        "",
        *md_table(
            (
                "site",
                "server model",
                "units",
                "capex ¤¤¤",
                "usable from",
                "¤¤¤/month",
                "idle ¤¤¤/month",
                "workloads on them",
            ),
            rows,
            "llrrlrrl",
        ),
    ]
