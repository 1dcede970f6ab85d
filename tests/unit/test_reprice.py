"""planner.reprice: a what-if given the base's prices re-prices only what its changes touch,
and plans exactly as if it had priced everything."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from planner import app
from planner.catalogue import Catalogue, load_default_catalogue
from planner.classify import classify_project
from planner.ingest import TelemetrySet, load_telemetry
from planner.load import load_project
from planner.model import Classification, Project
from planner.pipeline import PlanBundle, build_plan
from planner.report import render_plan_json
from planner.whatif import apply_changes, grow_classifications, parse_change

TODAY = date(2026, 11, 27)


@pytest.fixture(scope="module")
def world(
    acme_dir: Path,
) -> tuple[Project, Catalogue, TelemetrySet, tuple[Classification, ...], PlanBundle]:
    """examples/acme loaded, classified and planned once with its prices recorded."""
    project = load_project(acme_dir)
    telemetry = load_telemetry(project)
    catalogue = load_default_catalogue()
    cls = tuple(classify_project(project, telemetry))
    base = build_plan(
        project,
        catalogue=catalogue,
        telemetry=telemetry,
        today=TODAY,
        classifications=cls,
        record_prices=True,
    )
    return project, catalogue, telemetry, cls, base


SCENARIOS = {
    "p5-cut": [("price", "aws.p5=-45%")],
    "site-power": [("price", "gpu-pool-us.power=+20%")],
    "capacity": [("capacity", "gpu-pool-us.gpus.h100=+64")],
    "move": [("move", "foundation-finetune=aws-us-east-1")],
    "horizon": [("horizon", "60")],
    "growth": [("growth", "20%")],
}


@pytest.mark.parametrize("name", list(SCENARIOS), ids=list(SCENARIOS))
def test_reuse_plans_as_pricing_everything(world, name: str) -> None:  # type: ignore[no-untyped-def]
    """Each scenario planned with the base's prices equals it planned from scratch: the same
    plan.json and the same offers for every workload x site."""
    project, catalogue, telemetry, cls, base = world
    applied = apply_changes(project, catalogue, [parse_change(k, t) for k, t in SCENARIOS[name]])
    grown = grow_classifications(cls, project, applied.growth_factor)

    def plan(**kw: object) -> PlanBundle:
        return build_plan(
            applied.project,
            catalogue=applied.catalogue,
            telemetry=telemetry,
            today=TODAY,
            classifications=grown,
            **kw,  # type: ignore[arg-type]
        )

    fresh, reused = plan(record_prices=True), plan(reuse=base.prices, record_prices=True)
    assert reused.reuse is not None
    assert fresh.reuse is None
    assert fresh.prices is not None
    assert reused.prices is not None
    assert reused.prices.offers == fresh.prices.offers
    text = render_plan_json(fresh.plan, applied.project, command="x")
    assert render_plan_json(reused.plan, applied.project, command="x") == text


def _reuse(world, spec: list[tuple[str, str]]):  # type: ignore[no-untyped-def]
    project, catalogue, telemetry, cls, base = world
    applied = apply_changes(project, catalogue, [parse_change(k, t) for k, t in spec])
    bundle = build_plan(
        applied.project,
        catalogue=applied.catalogue,
        telemetry=telemetry,
        today=TODAY,
        classifications=grow_classifications(cls, project, applied.growth_factor),
        reuse=base.prices,
    )
    assert bundle.reuse is not None
    return bundle.reuse


def test_reuse_says_what_was_priced_again(world) -> None:  # type: ignore[no-untyped-def]
    """A site parameter touches that site only, a move that workload only, a P5 price cut
    the AWS sites in the regions it names, a horizon change everything."""
    project = world[0]
    pairs = len(project.workloads) * len(project.sites)

    power = _reuse(world, [("price", "gpu-pool-us.power=+20%")])
    # the workloads running there today too: their migration cost is priced from there
    there = tuple(sorted(w.name for w in project.workloads if w.current_site == "gpu-pool-us"))
    assert there
    assert (power.everything, power.sites, power.workloads) == (None, ("gpu-pool-us",), there)
    assert power.pairs_total == pairs
    sites = len(project.sites)
    assert power.pairs_reused == pairs - len(project.workloads) - len(there) * (sites - 1)

    move = _reuse(world, [("move", "foundation-finetune=aws-us-east-1")])
    assert (move.sites, move.workloads) == ((), ("foundation-finetune",))
    assert move.pairs_reused == pairs - len(project.sites)

    p5 = _reuse(world, [("price", "aws.p5=-45%")])
    p5_regions = {k.split(".")[-2] for k in world[1].prices if k.startswith("aws.p5.")}
    aws = {s.name for s in project.sites if s.provider == "aws" and s.kind.value == "cloud"}
    priced_from = {s: project.site(s).cloud_cost for s in aws}
    assert set(p5.sites) == {
        s for s, c in priced_from.items() if c and c.price_region in p5_regions
    }
    assert p5.everything is None
    assert 0 < p5.pairs_reused < pairs

    horizon = _reuse(world, [("horizon", "60")])
    assert horizon.everything == "the settings changed"
    assert horizon.pairs_reused == 0
    assert "re-priced every workload x site (the settings changed)" in horizon.describe()


def test_what_if_notes_what_it_reused(acme_dir: Path) -> None:
    """``hybridplan what-if`` (the app service) notes which prices it re-priced and reused."""
    inputs = app.load_inputs(acme_dir)
    world = app.load_world(inputs, catalogue=load_default_catalogue(), today=TODAY)
    assert world.prices is not None
    outcome = app.what_if(world, [parse_change("price", "gpu-pool-us.power=+20%")])
    reused = [n for n in outcome.notes if n.startswith("re-priced ")]
    assert len(reused) == 1
    assert "1 site(s) touched (gpu-pool-us)" in reused[0]
    there = sorted(w.name for w in inputs.project.workloads if w.current_site == "gpu-pool-us")
    assert f"{len(there)} workload(s) touched ({', '.join(there)})" in reused[0]
