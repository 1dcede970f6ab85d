"""Duty cycle from telemetry (issue #12): a batch workload without a declared schedule is
priced in the cloud for the hours its telemetry says it runs; a commitment still bills
every hour. Figures by hand from catalogue 2025-h1 (us-east-1 m6i.large: 0.096 USD/h on
demand, 0.06912 on commit-1y)."""

from __future__ import annotations

from datetime import date

import pytest
import world

from planner.catalogue import load_default_catalogue
from planner.cost.duty import TELEMETRY, duty_hours, with_duty_hours
from planner.ingest import TelemetrySet
from planner.model import (
    Classification,
    PricingOption,
    Resources,
    WorkloadClass,
    WorkloadKind,
)
from planner.money import Money
from planner.pipeline import build_plan

RES = Resources(cpu=2, memory_gib=8)


def _cls(name: str, duty: float, cls: WorkloadClass = WorkloadClass.BATCH) -> Classification:
    features = {"cpu": {"duty_cycle": duty}, "memory": {"duty_cycle": duty / 2}}
    return Classification(name, cls, 0.9, (), features=features)


@pytest.mark.parametrize(
    ("kind", "cls", "declared", "duty", "expected"),
    [
        (WorkloadKind.BATCH, WorkloadClass.BATCH, None, 0.21, 154),
        (WorkloadKind.SERVICE, WorkloadClass.BATCH, None, 0.083, 61),
        (WorkloadKind.BATCH, WorkloadClass.BATCH, 100.0, 0.21, None),
        (WorkloadKind.SERVICE, WorkloadClass.STEADY, None, 0.21, None),
        (WorkloadKind.BATCH, WorkloadClass.BATCH, None, 1.0, None),
    ],
    ids=["batch-21pct", "classified-batch", "declared-wins", "not-batch", "always-busy"],
)
def test_duty_hours(
    kind: WorkloadKind,
    cls: WorkloadClass,
    declared: float | None,
    duty: float,
    expected: int | None,
) -> None:
    """ceil(duty x 730): 0.21 -> ceil(153.3) = 154 h; 0.083 -> ceil(60.59) = 61 h (the
    largest duty over the metrics); a declared schedule, a non-batch or a busy job: none."""
    w = world.workload("job", kind, hours_per_month=declared)
    assert duty_hours(w, _cls("job", duty, cls)) == expected


def test_batch_priced_by_hours_used_and_not_committed() -> None:
    """A nightly job (no spot) running 21 % of the time: 154 h on demand = 154 x 0.096 =
    14.78 a month, today and with the plan; a 1-year commitment would bill all 730 h
    (730 x 0.06912 = 50.46), so the plan keeps it on demand and proposes no commitment."""
    job = world.workload(
        "nightly", WorkloadKind.BATCH, allow_spot=False, current_site="aws-us-east-1", resources=RES
    )
    project = world.project([job], [world.aws_us_east_1()])
    cls = (_cls("nightly", 0.21),)
    assert with_duty_hours(project, cls).workload("nightly").hours_source == TELEMETRY
    plan = build_plan(
        project,
        catalogue=load_default_catalogue(),
        telemetry=TelemetrySet(series=()),
        today=date(2026, 12, 1),
        classifications=cls,
    ).plan
    p = plan.placement("nightly")
    assert p is not None
    assert p.assignments[0].option is PricingOption.ON_DEMAND
    assert p.per_month == Money.of("14.78", "USD")
    assert plan.workload_baseline_per_month["nightly"] == Money.of("14.78", "USD")
    assert plan.purchasing == ()
