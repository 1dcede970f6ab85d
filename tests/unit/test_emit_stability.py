"""Stable re-plans: right-sized requests on a ladder with hysteresis against the stack's
current config, and database moves held until their migration is confirmed."""

from __future__ import annotations

from dataclasses import replace

import pytest
import world
import yaml

from planner.emit import default_environment, render_stacks
from planner.emit.stability import BAND_PCT, ladder, stable
from planner.model import Assignment, DeploySpec, Plan, PricingOption, Project, Resources
from stacks import config_io
from stacks.spec import StackConfig

COMMAND = "hybridplan plan tests/data/mini --out out"


def _render(
    plan: Plan, project: Project, previous: dict[str, StackConfig] | None = None
) -> dict[str, str]:
    return render_stacks(plan, project, default_environment(), command=COMMAND, previous=previous)


def _configs(files: dict[str, str]) -> dict[str, StackConfig]:
    """The stack configs of a rendered tree, as emit reads them back from OUT."""
    out: dict[str, StackConfig] = {}
    for path, text in files.items():
        parts = path.split("/")
        if len(parts) == 3 and parts[2] == "Pulumi.prod.yaml":
            site = parts[1]
            doc = yaml.safe_load(text)["config"]
            prefix = f"hybridplan-{site}:"
            out[site] = config_io.parse_stack_config(
                {k.removeprefix(prefix): v for k, v in doc.items()}
            )
    return out


def _drifted(plan: Plan, factor: float) -> Plan:
    """``plan`` with every right-sized request scaled by ``factor`` (telemetry drift)."""
    classes = tuple(
        replace(
            c,
            rightsized=Resources(
                cpu=c.rightsized.cpu * factor, memory_gib=c.rightsized.memory_gib * factor
            ),
        )
        if c.rightsized is not None
        else c
        for c in plan.classifications
    )
    return replace(plan, classifications=classes)


@pytest.mark.parametrize(("value", "size"), [(1.0, 1.0), (1.01, 1.125), (3.2, 3.25), (0.3, 0.3125)])
def test_ladder_rounds_up_to_eight_sizes_per_doubling(value: float, size: float) -> None:
    """Sizes 2^k x (1 + i/8): never below the sized value, at most 12.5 % above."""
    assert ladder(value) == size


def test_hysteresis_keeps_the_previous_request_within_the_band() -> None:
    """Within BAND_PCT of the held request: kept; beyond: the new ladder size."""
    assert stable(1.05, 1.0) == 1.0
    assert stable(0.95, 1.0) == 1.0
    assert stable(1.0 * (1 + (BAND_PCT + 1) / 100), 1.0) == ladder(1.11)
    assert stable(1.2, None) == 1.25


@pytest.mark.parametrize("factor", [1.05, 0.95])
def test_a_5pct_telemetry_drift_changes_no_pod_template(factor: float) -> None:
    """Re-planning with right-sized requests 5 % off, the previous stacks as input, renders
    the same workloads (requests, limits, quotas): no pod would roll."""
    plan, project = world.mini_plan(), world.mini_project()
    first = _render(plan, project)
    again = _render(_drifted(plan, factor), project, previous=_configs(first))
    for site, config in _configs(first).items():
        assert _configs(again)[site].kubernetes == config.kubernetes, site


def test_a_large_change_does_move_the_request() -> None:
    """A 40 % larger right-sized request moves past the band to a new ladder size."""
    plan, project = world.mini_plan(), world.mini_project()
    first = _render(plan, project)
    again = _render(_drifted(plan, 1.4), project, previous=_configs(first))
    before = {w.name: w for w in _configs(first)["colo-eu"].kubernetes.workloads}  # type: ignore[union-attr]
    after = {w.name: w for w in _configs(again)["colo-eu"].kubernetes.workloads}  # type: ignore[union-attr]
    assert after["checkout-api"].requests != before["checkout-api"].requests


def _moved(plan: Plan) -> Plan:
    """``plan`` with payments-db moved from colo-eu to aws-eu-west-1 (3 on-demand)."""
    placements = tuple(
        replace(
            p,
            assignments=(
                Assignment("aws-eu-west-1", PricingOption.ON_DEMAND, 3, world.usd("2000")),
            ),
        )
        if p.workload == "payments-db"
        else p
        for p in plan.placements
    )
    return replace(plan, placements=placements)


def test_a_moved_database_is_kept_at_its_source_until_confirmed() -> None:
    """The source stack keeps the database exactly as it ran, marked source; the target
    creates it marked target; both READMEs list the steps. Confirmed (migrated_from), the
    source drops it."""
    plan, project = world.mini_plan(), world.mini_project()
    first = _configs(_render(plan, project))
    moved = _render(_moved(plan), project, previous=first)
    configs = _configs(moved)
    source = {w.name: w for w in configs["colo-eu"].kubernetes.workloads}  # type: ignore[union-attr]
    held = source["payments-db"]
    was = {w.name: w for w in first["colo-eu"].kubernetes.workloads}["payments-db"]  # type: ignore[union-attr]
    assert held.database is not None
    assert held.database.migration is not None
    assert (held.database.migration.role, held.database.migration.peer_site) == (
        "source",
        "aws-eu-west-1",
    )
    assert replace(held, database=was.database) == was
    target = {w.name: w for w in configs["aws-eu-west-1"].kubernetes.workloads}["payments-db"]  # type: ignore[union-attr]
    assert target.database is not None
    assert target.database.migration is not None
    assert target.database.migration.role == "target"
    assert "Pending database migrations" in moved["stacks/colo-eu/README.md"]
    assert "moves here from site `colo-eu`" in moved["stacks/aws-eu-west-1/README.md"]
    quota = {t.name: t for t in configs["colo-eu"].kubernetes.teams}["payments"].quota  # type: ignore[union-attr]
    assert int(quota["pods"]) >= held.replicas + 1
    confirmed = replace(
        project,
        workloads=tuple(
            replace(w, deploy=DeploySpec(migrated_from="colo-eu")) if w.name == "payments-db" else w
            for w in project.workloads
        ),
    )
    done = _configs(_render(_moved(plan), confirmed, previous=first))
    assert "payments-db" not in {w.name for w in done["colo-eu"].kubernetes.workloads}  # type: ignore[union-attr]


def test_a_moved_database_keeps_a_site_the_plan_left() -> None:
    """A site whose last workload moves away still gets a stack holding the database."""
    plan, project = world.mini_plan(), world.mini_project()
    first = _configs(_render(plan, project))
    gone = _moved(
        replace(
            plan,
            placements=tuple(
                replace(
                    p,
                    assignments=(
                        Assignment("aws-eu-west-1", PricingOption.ON_DEMAND, 3, world.usd("400")),
                    ),
                )
                if p.workload == "checkout-api"
                else p
                for p in plan.placements
            ),
        )
    )
    files = _render(gone, project, previous=first)
    held = _configs(files)["colo-eu"]
    assert held.kubernetes is not None
    assert [w.name for w in held.kubernetes.workloads] == ["payments-db"]
    assert [t.name for t in held.kubernetes.teams] == ["payments"]
