"""Migration waves of examples/acme, through the real pipeline: dependencies, capacity in
every month, limits, the report, determinism."""

from __future__ import annotations

import itertools
import json
from datetime import date
from pathlib import Path

import pytest
from plan_fakes import check_gfm

from planner import report
from planner.catalogue import load_default_catalogue
from planner.ingest import load_telemetry
from planner.load import load_project
from planner.model import Plan, Project
from planner.pipeline import PlanBundle, build_plan
from planner.waves import changes_site
from planner.waves.capacity import overflow, site_rooms, use_in_wave, workload_uses
from planner.waves.groups import is_stateful
from planner.waves.schedule import tb_of

TODAY = date(2026, 11, 27)


@pytest.fixture(scope="module")
def acme(acme_dir: Path) -> tuple[Project, PlanBundle]:
    """examples/acme planned once for this module."""
    project = load_project(acme_dir)
    bundle = build_plan(
        project,
        catalogue=load_default_catalogue(),
        telemetry=load_telemetry(project),
        today=TODAY,
    )
    return project, bundle


def _plan(acme: tuple[Project, PlanBundle]) -> Plan:
    return acme[1].plan


def test_every_move_is_in_exactly_one_wave(acme: tuple[Project, PlanBundle]) -> None:
    """The waves hold each workload that changes site once, and nothing else."""
    plan = _plan(acme)
    assert plan.waves is not None
    in_waves = [n for w in plan.waves.waves for n in w.workloads]
    moved = sorted(p.workload for p in plan.placements if changes_site(p))
    assert sorted(in_waves) == moved
    assert len(in_waves) == len(set(in_waves))
    assert len(plan.waves.waves) >= 2  # acme's 18 moves do not fit one wave of 5


def test_latency_bound_dependencies_share_a_wave(acme: tuple[Project, PlanBundle]) -> None:
    """Two moved workloads joined by a latency-bound dependency cut over in the same wave;
    a moved stateful workload never moves before a moved workload that reads it."""
    project, bundle = acme
    waves = bundle.plan.waves
    assert waves is not None
    wave_of = {m.workload: m.wave for m in waves.moves}
    checked = 0
    for w in project.workloads:
        for dep in w.depends_on:
            if w.name not in wave_of or dep.name not in wave_of:
                continue
            checked += 1
            if dep.max_latency_ms is not None:
                assert wave_of[w.name] == wave_of[dep.name], (w.name, dep.name)
            if is_stateful(project.workload(dep.name)):
                assert wave_of[dep.name] >= wave_of[w.name], (w.name, dep.name)
    assert checked >= 3  # checkout-api, payments-api and fraud-scoring with payments-db


def test_no_owned_site_is_over_capacity_in_any_month(acme: tuple[Project, PlanBundle]) -> None:
    """Rebuilt independently of the scheduler's running totals: in every month of every
    wave, what each owned site holds (stayers, arrivals so far, old copies still running)
    fits its usable capacity in that month."""
    project, bundle = acme
    plan = bundle.plan
    assert plan.waves is not None
    uses = workload_uses(plan, project, bundle.candidates.all_offers())
    rooms = site_rooms(plan, project)
    wave_of = {m.workload: m.wave for m in plan.waves.moves}
    assert {r.site for r in rooms} == {"colo-eu", "colo-us", "gpu-pool-us"}
    for w in plan.waves.waves:
        for month in range(w.start_month, w.end_month + 1):
            for room in rooms:
                used = use_in_wave(room.site, wave_of, w.number, month, uses)
                assert overflow(room, used, month) is None, (w.number, month, room.site)


def test_waves_keep_their_limits_unless_a_group_is_larger(
    acme: tuple[Project, PlanBundle],
) -> None:
    """At most 5 moves and 20 TB a wave (acme's defaults); a wave over a limit holds one
    move group and says so."""
    plan = _plan(acme)
    assert plan.waves is not None
    assert (plan.waves.max_moves_per_wave, plan.waves.max_data_tb_per_wave) == (5, 20.0)
    for w in plan.waves.waves:
        if len(w.workloads) > 5 or tb_of(w.data_gib) > 20.0:
            assert len(w.groups) == 1
            assert any("a move group moves together" in n for n in w.notes)
    months = [(w.start_month, w.end_month) for w in plan.waves.waves]
    assert months[0][0] == 1
    assert all(b[0] == a[1] + 1 for a, b in itertools.pairwise(months))


def test_the_report_shows_waves_and_both_paybacks(acme: tuple[Project, PlanBundle]) -> None:
    """plan.json's migration section validates and carries the payback with waves and all
    at once; plan.md's headline names both and its gantt has one section per wave."""
    project, bundle = acme
    data = json.loads(report.render_plan_json(bundle.plan, project))
    m = data["migration"]
    assert m["start_month"] == "2027-01"  # examples/acme/project.yaml
    assert m["payback_months_all_at_once"] == data["totals"]["payback_months"]
    assert m["payback_months_with_waves"] == data["totals"]["payback_months_waves"]
    assert m["payback_months_with_waves"] >= m["payback_months_all_at_once"]
    assert [w["number"] for w in m["waves"]] == list(range(1, len(m["waves"]) + 1))
    assert m["waves"][0]["start"] == "2027-01"
    text = report.render_plan_md(bundle.plan, project)
    check_gfm(text)
    assert "moving in" in text.split("\n")[3]
    assert "| payback, all at once |" in text
    assert text.count("    section Wave ") == len(m["waves"])


def test_waves_are_deterministic(acme_dir: Path, acme: tuple[Project, PlanBundle]) -> None:
    """Planning acme again gives the same waves and the same plan.json text."""
    project, bundle = acme
    again = build_plan(
        load_project(acme_dir),
        catalogue=load_default_catalogue(),
        telemetry=load_telemetry(project),
        today=TODAY,
    )
    assert again.plan.waves == bundle.plan.waves
    assert report.render_plan_json(again.plan, project) == report.render_plan_json(
        bundle.plan, project
    )
