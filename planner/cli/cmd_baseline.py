"""``hybridplan baseline``: what each workload costs today, from the cloud bill."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer

from planner import app as services
from planner.cli import console
from planner.cli.common import Ending, OutputFormat, guarded
from planner.fx import CODE, said
from planner.money import Money


def _amount(x: Money | None) -> str:
    """An amount of the bill (USD) without its unit, marked: the console shows it in the
    project currency (``planner.fx.render_text``)."""
    return "-" if x is None else said(x, unit=False)


def _pct(x: Decimal | None) -> str:
    return "-" if x is None else f"{x:+.2f} %"


def _render(view: dict[str, Any]) -> None:
    cur = CODE  # the bill is USD; the console shows the project currency
    months = view["months"]
    span = months[0] if len(months) == 1 else f"{months[0]} to {months[-1]}"
    partial = (
        f"; partial months left out: {', '.join(view['partial_months'])}"
        if view["partial_months"]
        else ""
    )
    console.out.print(
        f"Baseline from the bill: {len(view['exports'])} export file(s), {len(months)} full "
        f"month(s) averaged ({span}){partial}. Amounts are {cur}/month; EffectiveCost is "
        f"amortised (commitments included).",
        markup=False,
    )
    rows: list[list[object]] = []
    for w in view["workloads"]:
        rows.append(
            [
                w["workload"],
                _amount(w["effective_per_month"]),
                _amount(w["billed_per_month"]),
                _amount(w["list_per_month"]),
                _amount(w["committed_per_month"]),
                _amount(w["shared_per_month"]),
                _pct(w["trend_pct_per_month"]),
            ]
        )
    total = Money.total((w["effective_per_month"] for w in view["workloads"]), view["currency"])
    rows.append(["total", _amount(total), "", "", "", "", ""])
    console.table(
        f"Workloads ({cur}/month)",
        ["workload", "effective", "billed", "list", "committed", "shared", "trend/month"],
        rows,
    )
    cov = view["coverage"]
    pct = "-" if cov["pct_mapped"] is None else f"{cov['pct_mapped']:.2f} %"
    console.out.print(
        f"Coverage: {pct} of {_amount(cov['total_per_month'])} {cur}/month mapped to "
        f"workloads ({_amount(cov['shared_allocated_per_month'])} of it shared costs split by "
        f"rule); unmapped {_amount(cov['unmapped_per_month'])} {cur}/month.",
        markup=False,
    )
    unmapped = view["unmapped"]
    if unmapped["by_service"]:
        console.table(
            f"Top unmapped spend by service ({cur}/month)",
            ["service", "effective"],
            [[u["service"], _amount(u["effective_per_month"])] for u in unmapped["by_service"]],
        )
    if unmapped["by_tag"]:
        console.table(
            f"Top unmapped spend by tag ({cur}/month)",
            ["tag", "value", "effective"],
            [[u["key"], u["value"], _amount(u["effective_per_month"])] for u in unmapped["by_tag"]],
        )
    if view["commitments"]:
        console.table(
            f"Commitments ({cur}/month)",
            ["commitment", "in force", "expires", "used by", "unused", "billed"],
            [
                [
                    c["id"],
                    "yes" if c["in_force"] else "no",
                    c["expires"] or "unknown",
                    ", ".join(f"{k} {_amount(v)}" for k, v in c["used_per_month"].items()) or "-",
                    _amount(c["unused_per_month"]),
                    _amount(c["billed_per_month"]),
                ]
                for c in view["commitments"]
            ],
        )
    if view["without_bill"]:
        console.out.print(
            f"No bill rows for: {', '.join(view['without_bill'])} (the plan estimates them "
            f"from the catalogue).",
            markup=False,
        )
    for note in view["notes"]:
        console.out.print(f"note: {note}", markup=False)


def register(app: typer.Typer) -> None:
    @app.command("baseline")
    @guarded
    def baseline_cmd(
        project_dir: Annotated[
            Path, typer.Argument(help="Planning project folder with a billing: section.")
        ] = Path("."),
        fmt: Annotated[
            OutputFormat, typer.Option("--format", help="Output format: table or json.")
        ] = OutputFormat.TABLE,
        threads: Annotated[
            int | None,
            typer.Option("--threads", min=1, help="Threads DuckDB may use (default: all cores)."),
        ] = None,
        memory_limit: Annotated[
            str | None,
            typer.Option(
                "--memory-limit",
                help="Memory DuckDB may use before it spills to disk, e.g. 640MB (the default).",
            ),
        ] = None,
    ) -> Ending:
        """What each workload costs today, from the cloud bill: reads the FOCUS
        cost-and-usage exports named in project.yaml (billing.exports: CSV, gzipped CSV or
        Parquet from AWS Data Exports, Azure FocusCost or the GCP FOCUS export), maps their
        rows to workloads by billing.rules (first match wins; shared costs split by rule)
        and averages each workload's monthly EffectiveCost over the last full months, with
        BilledCost and ListCost alongside, the trend, the commitments in force, how much of
        the bill is mapped and the largest unmapped spend. Exits 2 on bad input.

        Example: hybridplan baseline my-project --format json
        """
        with console.progress("reading the bill", total=len(services.BASELINE_STEPS)) as step:
            outcome = services.baseline_project(
                project_dir, threads=threads, memory_limit=memory_limit, progress=step
            )
        view = outcome.view()
        console.show_in(outcome.currency)
        if fmt is OutputFormat.JSON:
            console.emit_json(view)
        else:
            _render(view)
        return None
