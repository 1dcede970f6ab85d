"""planner.reprice: a what-if given the base's prices re-prices only what its changes touch,
and plans exactly as if it had priced everything."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from world.scenario import plan_scenario

from planner import app
from planner.catalogue import Catalogue, load_default_catalogue
from planner.classify import classify_project
from planner.cost import owned_rates_by_site
from planner.ingest import TelemetrySet, load_telemetry
from planner.load import load_project
from planner.model import Classification, Project
from planner.pipeline import PlanBundle, build_plan
from planner.report import render_plan_json
from planner.whatif import apply_changes, parse_change

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
    "horizon-short": [("horizon", "24")],
    "p5-set": [("price", "aws.p5.48xlarge.us-east-1.on-demand=40")],
    "egress": [("price", "aws.egress=+50%")],
    "split-reference": [("price", "aws.m6i.xlarge.us-east-1.on-demand=+50%")],
    "capacity-cut": [("capacity", "colo-us.cpu=-30%")],
    "growth": [("growth", "20%")],
}


@pytest.mark.parametrize("name", list(SCENARIOS), ids=list(SCENARIOS))
def test_reuse_plans_as_pricing_everything(world, name: str) -> None:  # type: ignore[no-untyped-def]
    """Each scenario planned with the base's prices equals it planned from scratch: the same
    plan.json and the same offers for every workload x site."""
    base = world[4]

    def plan(**kw: object) -> tuple[Project, PlanBundle]:
        return plan_scenario(*world[:4], SCENARIOS[name], today=TODAY, **kw)

    changed, fresh = plan(record_prices=True)
    _, reused = plan(reuse=base.prices, record_prices=True)
    assert reused.reuse is not None
    assert fresh.reuse is None
    assert fresh.prices is not None
    assert reused.prices is not None
    assert reused.prices.offers == fresh.prices.offers
    text = render_plan_json(fresh.plan, changed, command="x")
    assert render_plan_json(reused.plan, changed, command="x") == text


def _reuse(world, spec: list[tuple[str, str]]):  # type: ignore[no-untyped-def]
    _, bundle = plan_scenario(*world[:4], spec, today=TODAY, reuse=world[4].prices)
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
    # their offers elsewhere keep their prices; only their migration is priced again
    assert power.pairs_reused == pairs - len(project.workloads)
    assert power.movers == len(there)

    move = _reuse(world, [("move", "foundation-finetune=aws-us-east-1")])
    assert (move.sites, move.workloads) == ((), ("foundation-finetune",))
    assert move.pairs_reused == pairs - len(project.sites)

    # a P5 price cut: only the pairs whose workload fits a P5 (an H100 request) on the AWS
    # sites priced from a region with P5 prices, and those workloads' current-site pairs
    p5 = _reuse(world, [("price", "aws.p5=-45%")])
    p5_regions = {k.split(".")[-2] for k in world[1].prices if k.startswith("aws.p5.")}
    aws = {s.name for s in project.sites if s.provider == "aws" and s.kind.value == "cloud"}
    reach = {s for s in aws if project.site(s).cloud_cost.price_region in p5_regions}
    assert reach
    h100 = {w.name for w in project.workloads if w.resources.gpu_type == "h100"}
    assert h100
    assert (p5.everything, p5.sites, p5.instances) == (None, (), ("aws.p5.48xlarge",))
    moved_from = {w.name for w in project.workloads if w.name in h100 and w.current_site in reach}
    assert set(p5.workloads) == moved_from
    assert p5.movers == len(moved_from)
    assert p5.pairs_reused == pairs - len(h100) * len(reach)

    # the split rule's reference instance: the owned sites whose rates follow it
    spec = [("price", "aws.m6i.xlarge.us-east-1.on-demand=+50%")]
    ref = _reuse(world, spec)
    changed = apply_changes(project, world[1], [parse_change(k, t) for k, t in spec]).catalogue
    before = owned_rates_by_site(project.sites, world[1], project.settings)
    after = owned_rates_by_site(project.sites, changed, project.settings)
    moved = {s for s in before if before[s] != after[s]}
    assert moved >= {"colo-eu", "colo-us"}
    assert set(ref.sites) == moved
    assert ref.instances == ("aws.m6i.xlarge",)

    # a longer horizon than every commitment term: nothing is priced again
    horizon = _reuse(world, [("horizon", "60")])
    assert (horizon.everything, horizon.sites, horizon.workloads) == (None, (), ())
    assert horizon.pairs_reused == pairs
    # a shorter one: the sites selling a term longer than it
    short = _reuse(world, [("horizon", "24")])
    assert short.everything is None
    assert set(short.sites) == {
        s.name
        for s in project.sites
        if s.cloud_cost is not None and any(o.term_months > 24 for o in s.cloud_cost.options)
    }


def test_constraints_reused_only_for_the_same_project(world) -> None:  # type: ignore[no-untyped-def]
    """A price change leaves the project alone: the policy rules' constraints are the
    base's (the same object) and the notes say so; a move, a horizon or a capacity change
    changes the project: its constraints are derived again."""
    p5 = _reuse(world, [("price", "aws.p5=-45%")])
    assert p5.constraints_reused
    assert "solver constraints reused" in p5.describe()
    _, bundle = plan_scenario(
        *world[:4], [("price", "aws.p5=-45%")], today=TODAY, reuse=world[4].prices
    )
    assert bundle.constraints is world[4].prices.constraints
    for spec in (
        [("move", "foundation-finetune=aws-us-east-1")],
        [("horizon", "60")],
        [("capacity", "colo-us.cpu=-30%")],
    ):
        got = _reuse(world, spec)
        assert not got.constraints_reused
        assert "solver constraints reused" not in got.describe()
    # another date: the waivers active on it may differ
    _, later = plan_scenario(
        *world[:4], [("price", "aws.p5=-45%")], today=date(2027, 6, 1), reuse=world[4].prices
    )
    assert later.reuse is not None
    assert not later.reuse.constraints_reused


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


def test_unpriced_settings_are_never_read_by_the_cost_model() -> None:
    """Every ``Settings`` field reuse ignores (``UNPRICED_SETTINGS``) is read nowhere in
    ``planner.cost``: a change to it cannot change an offer."""
    import re

    import planner.cost
    from planner.reprice import UNPRICED_SETTINGS

    root = Path(planner.cost.__file__).parent
    read = {
        m.group(1)
        for path in root.glob("*.py")
        for m in re.finditer(r"settings\.([a-z_]+)", path.read_text(encoding="utf-8"))
    }
    assert read
    assert read.isdisjoint(UNPRICED_SETTINGS)
