"""HP-SLA-006: Ensure right-sized CPU limits cover the observed peaks."""

from __future__ import annotations

from collections.abc import Iterator

from planner.model import Category, Level, WorkloadClass, WorkloadKind
from planner.policy import facts
from planner.policy import params as pm
from planner.policy.rule import Param, ParamKind, PlanContext, Rule, Violation

MAX_SHARE = "max_share_above_limit"
MAX_DAYS = "max_days_above_limit"
COARSE_STEP = "coarse_step_s"


def check(ctx: PlanContext) -> Iterator[Violation]:
    max_share = pm.number(ctx.params, MAX_SHARE)
    max_days = pm.number(ctx.params, MAX_DAYS)
    coarse_s = pm.number(ctx.params, COARSE_STEP)
    coarse: list[str] = []
    for c in sorted(ctx.plan.classifications, key=lambda c: c.workload):
        w = facts.workload_of(ctx.project, c.workload)
        pc = c.peak_check
        # the plan and the stacks use the right-sized request unless the class is unknown;
        # training keeps its declared shape (planner.pipeline.requests_from, planner.emit)
        if pc is None or w is None or c.cls is WorkloadClass.UNKNOWN:
            continue
        if w.kind is WorkloadKind.TRAINING:
            continue
        if coarse_s is not None and pc.metric == "cpu" and pc.step_s >= coarse_s:
            coarse.append(w.name)
        share_over = max_share is not None and pc.share_above_limit > max_share
        days_over = max_days is not None and pc.days_above_limit > max_days
        if not (share_over or days_over):
            continue
        yield Violation(
            "workload",
            w.name,
            f"{w.name}: CPU limit {pc.limit_cores:g} cores (request {pc.request_cores:g}) is "
            f"below {pc.metric} in {pc.share_above_limit:.1%} of the intervals, on "
            f"{pc.days_above_limit:.0%} of the days (p99 {pc.peak_p99_cores:g}, max "
            f"{pc.peak_max_cores:g} cores): it will be throttled at its peaks",
            {
                **facts.workload_evidence(w, w.name),
                "metric": pc.metric,
                "step_s": pc.step_s,
                "request_cores": pc.request_cores,
                "limit_cores": pc.limit_cores,
                "share_above_request": pc.share_above_request,
                "share_above_limit": pc.share_above_limit,
                "days_above_limit": pc.days_above_limit,
                "peak_p99_cores": pc.peak_p99_cores,
                "peak_max_cores": pc.peak_max_cores,
            },
        )
    if coarse and coarse_s is not None:
        shown = ", ".join(coarse[:5]) + (f" and {len(coarse) - 5} more" if len(coarse) > 5 else "")
        yield Violation(
            "plan",
            "telemetry",
            f"{len(coarse)} workload(s) are right-sized from CPU means over {coarse_s / 3600:g} h "
            f"or longer without a cpu_max series ({shown}): means hide the peaks inside each "
            "interval, so requests and limits come out smaller than the load needs",
            {"workloads": coarse, "coarse_step_s": coarse_s},
        )


RULE = Rule(
    id="HP-SLA-006",
    name="Ensure right-sized CPU limits cover the observed peaks",
    category=Category.SLA,
    level=Level.ADVISORY,
    description="A right-sized request is emitted with a CPU limit (2x the request for tiers "
    "2+, the request for tier 1); where the observed per-interval peaks (cpu_max, else the "
    "cpu series) exceed that limit often, the workload is throttled at its peaks. CPU means "
    "over an hour or longer hide the peaks altogether.",
    fix="Export per-interval maxima (a cpu_max series) or finer telemetry, raise "
    "settings.classify.rightsize_peak_quantile, or set a declared request for the workload.",
    params=(
        Param(
            MAX_SHARE,
            ParamKind.NUMBER,
            0.01,
            "Largest share of the observed intervals that may exceed the CPU limit.",
            nullable=True,
        ),
        Param(
            MAX_DAYS,
            ParamKind.NUMBER,
            0.5,
            "Largest share of the observed days with an interval above the CPU limit.",
            nullable=True,
        ),
        Param(
            COARSE_STEP,
            ParamKind.NUMBER,
            3600,
            "CPU sampled at this interval (seconds) or coarser without cpu_max is reported.",
            nullable=True,
        ),
    ),
    check_plan=check,
)
