"""Run what-if scenarios and sweeps: apply the changes, re-plan, compare with the base plan.
Pure: the planner is passed in (``plan_fn``), and so are the base plan and the inputs.

Plans are compared as domain values: each plan's figures are read from the ``Plan`` and its
``Project`` (:func:`planner.report.figures_of_plan`) and compared with
:func:`planner.report.compare_plans`; dictionaries and tables are made only when rendering
(:mod:`planner.whatif.render`, ``Outcome.diff``).

A sweep re-plans once per value and reports, per value, the total and where the workloads
that move anywhere in the sweep land: the break-even table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from planner.catalogue import Catalogue
from planner.errors import InfeasibleError
from planner.fx import said
from planner.model import Classification, Plan, Project
from planner.money import Money
from planner.report import PlanDiff, PlanFigures, compare_plans, diff_to_dict, figures_of_plan
from planner.report.figures import plan_totals
from planner.whatif.apply import apply_changes, grow_classifications
from planner.whatif.parse import Change, Sweep


@dataclass(frozen=True, slots=True)
class Replanned:
    """A scenario's plan and what planning it says about itself (which prices it reused)."""

    plan: Plan
    notes: tuple[str, ...] = ()


PlanFn = Callable[[Project, Catalogue, tuple[Classification, ...]], Plan | Replanned]
"""Plans a project with a catalogue and given classifications (``pipeline.build_plan``)."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """A scenario: its changes, what they did, its plan and how it compares with the base."""

    changes: tuple[Change, ...]
    notes: tuple[str, ...]
    project: Project
    plan: Plan | None
    comparison: PlanDiff | None
    """The base plan against this scenario's (``None`` when it is infeasible)."""
    infeasible: str | None = None

    @property
    def diff(self) -> dict[str, Any] | None:
        """The comparison as data, in the shape ``hybridplan diff --format json`` writes."""
        return None if self.comparison is None else diff_to_dict(self.comparison)


def _outcome(
    project: Project,
    catalogue: Catalogue,
    changes: Sequence[Change],
    *,
    plan_fn: PlanFn,
    classifications: tuple[Classification, ...],
    base: PlanFigures,
) -> Outcome:
    applied = apply_changes(project, catalogue, changes)
    cls = grow_classifications(classifications, project, applied.growth_factor)
    try:
        got = plan_fn(applied.project, applied.catalogue, cls)
    except InfeasibleError as exc:
        return Outcome(tuple(changes), applied.notes, applied.project, None, None, exc.render())
    plan, said = (got.plan, got.notes) if isinstance(got, Replanned) else (got, ())
    head = figures_of_plan(plan, applied.project)
    notes = (*applied.notes, *said, *hardware_notes(plan))
    return Outcome(tuple(changes), notes, applied.project, plan, compare_plans(base, head))


def hardware_notes(plan: Plan) -> tuple[str, ...]:
    """What hardware the scenario buys (capacity added to an owned site): its capex, cash in
    its month, and its amortised cost while it depreciates."""
    return tuple(
        f"{e.site}: {e.label} bought: capex {said(e.capex)} cash in month {e.purchase_month}, "
        f"amortised {said(e.capex_per_month)}/month over {e.depreciation_months} months"
        for e in plan.estates
        if e.label and not e.owned_today
    )


def run_scenario(
    project: Project,
    catalogue: Catalogue,
    changes: Sequence[Change],
    *,
    plan_fn: PlanFn,
    classifications: tuple[Classification, ...],
    base: Plan,
) -> Outcome:
    """Apply ``changes``, re-plan with ``plan_fn`` (classifications reused: telemetry is
    unchanged) and compare with ``base``, the plan of ``project`` as given."""
    return _outcome(
        project,
        catalogue,
        changes,
        plan_fn=plan_fn,
        classifications=classifications,
        base=figures_of_plan(base, project),
    )


@dataclass(frozen=True, slots=True)
class SweepRow:
    value: float
    label: str
    per_month: Money | None
    delta_per_month: Money | None
    moves: int
    sites: Mapping[str, str] = field(default_factory=dict)
    """Watched workload -> its sites at this value (comma-joined)."""
    infeasible: str | None = None


@dataclass(frozen=True, slots=True)
class SweepResult:
    sweep: Sweep
    watched: tuple[str, ...]
    rows: tuple[SweepRow, ...]
    transitions: tuple[str, ...]
    """Human-readable break-even statements: where a watched workload changes site."""


def run_sweep(
    project: Project,
    catalogue: Catalogue,
    sweep: Sweep,
    *,
    changes: Sequence[Change] = (),
    plan_fn: PlanFn,
    classifications: tuple[Classification, ...],
    base: Plan,
    watch: Sequence[str] = (),
) -> SweepResult:
    """Re-plan once per sweep value (after ``changes``). Watched workloads are ``watch`` plus
    every workload whose sites differ between any two points of the sweep."""
    base_figures = figures_of_plan(base, project)
    outcomes = [
        (
            v,
            _outcome(
                project,
                catalogue,
                (*changes, sweep.change_at(v)),
                plan_fn=plan_fn,
                classifications=classifications,
                base=base_figures,
            ),
        )
        for v in sweep.values
    ]
    placed: list[dict[str, str]] = []
    for _, o in outcomes:
        placed.append(
            {} if o.plan is None else {p.workload: " + ".join(p.sites) for p in o.plan.placements}
        )
    names = sorted({n for m in placed for n in m})
    moving = {n for n in names if len({m.get(n) for m in placed if m}) > 1}
    watched = tuple(sorted(moving | set(watch)))
    rows = []
    for (v, o), where in zip(outcomes, placed, strict=True):
        # whole estates, as the base figures count them
        total = None if o.plan is None else plan_totals(o.plan, 0.0).per_month
        rows.append(
            SweepRow(
                value=v,
                label=sweep.label(v),
                per_month=total,
                delta_per_month=None if total is None else total - base_figures.per_month,
                moves=0 if o.comparison is None else len(o.comparison.moves),
                sites={n: where.get(n, "-") for n in watched},
                infeasible=o.infeasible,
            )
        )
    transitions = []
    for n in watched:
        prev: SweepRow | None = None
        for r in rows:
            if r.infeasible is None:
                if prev is not None and prev.sites[n] != r.sites[n]:
                    transitions.append(
                        f"{n} {transition_text(prev.sites[n], r.sites[n])} between "
                        f"{prev.label} and {r.label}"
                    )
                prev = r
    return SweepResult(
        sweep=sweep, watched=watched, rows=tuple(rows), transitions=tuple(transitions)
    )


def transition_text(before: str, after: str) -> str:
    """How a workload's sites change (``a + b`` is a placement split over two sites): a
    split that gains or loses a site is said so, not printed as a move onto itself."""
    old = set(before.split(" + ")) - {"-"}
    new = set(after.split(" + ")) - {"-"}
    if old and new and old < new:
        return f"also runs on {' + '.join(sorted(new - old))} (besides {' + '.join(sorted(old))})"
    if old and new and new < old:
        return f"stops running on {' + '.join(sorted(old - new))} (keeps {' + '.join(sorted(new))})"
    return f"moves from {before} to {after}"
