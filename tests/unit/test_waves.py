"""planner.waves: move groups, waves under limits, capacity and lead times, their cash."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
import world

from planner.errors import UsageError
from planner.model import (
    BuyableClass,
    Capacity,
    DataSpec,
    Dependency,
    Offer,
    Plan,
    PricingOption,
    Project,
    Purchase,
    SiteKind,
    SiteUsage,
    WaveSettings,
    Workload,
    WorkloadKind,
)
from planner.money import Money
from planner.report.figures import plan_totals
from planner.waves import plan_waves
from planner.waves.stage import plan_at_wave

usd = world.usd
OD = PricingOption.ON_DEMAND
OWNED = PricingOption.OWNED


def _cloud_project(*workloads: Workload, max_moves: int = 5) -> Project:
    """Workloads moving between two cloud regions (no capacity to fit)."""
    project = world.project(
        workloads,
        (world.site("old", SiteKind.CLOUD), world.site("new", SiteKind.CLOUD)),
    )
    waves = replace(WaveSettings(), max_moves_per_wave=max_moves)
    return replace(
        project,
        settings=replace(project.settings, waves=waves, horizon_months=12),
    )


def _move(name: str, before: str, after: str, migration: str) -> tuple[str, str, str, str]:
    return (name, before, after, migration)


def _cloud_plan(*moves: tuple[str, str, str, str]) -> Plan:
    """Each move: today ``before`` a month on ``old``, ``after`` on ``new``, ``migration``."""
    placements = [
        world.placement(
            n, [world.assignment("new", OD, 1, after)], migration=usd(m), previous_site="old"
        )
        for n, _, after, m in moves
    ]
    base = {n: usd(before) for n, before, _, _ in moves}
    return world.plan(
        placements,
        baseline_per_month=Money.total(base.values(), "USD"),
        workload_baseline_per_month=base,
        horizon_months=12,
    )


def _waves(
    plan: Plan, project: Project, offers: dict[str, tuple[Offer, ...]] | None = None
) -> Plan:
    return replace(plan, waves=plan_waves(plan, project, offers or {}, start_month="2027-01"))


# --------------------------------------------------------------------------- move groups


def test_latency_bound_dependencies_move_together() -> None:
    """a needs b within 2 ms: one group; c needs b with no latency bound: its own group."""
    project = _cloud_project(
        world.workload("a", depends_on=(Dependency("b", 2.0),)),
        world.workload("b"),
        world.workload("c", depends_on=(Dependency("b"),)),
        max_moves=2,
    )
    plan = _waves(
        _cloud_plan(
            _move("a", "100", "50", "10"),
            _move("b", "100", "50", "10"),
            _move("c", "500", "50", "10"),
        ),
        project,
    )
    assert plan.waves is not None
    groups = {m.workload: m.group for m in plan.waves.moves}
    assert groups == {"a": ("a", "b"), "b": ("a", "b"), "c": ("c",)}
    assert [w.workloads for w in plan.waves.waves] == [("c",), ("a", "b")]
    assert "a depends on b within 2 ms" in plan.waves.move("b").reasons[0]  # type: ignore[union-attr]


def test_stateful_workload_moves_after_its_readers() -> None:
    """A database read by a service waits for it, though the database saves more."""
    project = _cloud_project(
        world.workload("app", depends_on=(Dependency("db"),)),
        world.workload("db", WorkloadKind.DATABASE),
        max_moves=1,
    )
    plan = _waves(
        _cloud_plan(_move("app", "100", "90", "10"), _move("db", "900", "100", "10")), project
    )
    assert plan.waves is not None
    assert [w.workloads for w in plan.waves.waves] == [("app",), ("db",)]
    assert any("readers app" in r for r in plan.waves.move("db").reasons)  # type: ignore[union-attr]


def test_databases_reading_each_other_form_one_group() -> None:
    """Two stateful workloads each reading the other cannot both wait: they move together,
    in cutover order (readers first, then by name)."""
    project = _cloud_project(
        world.workload("db-a", WorkloadKind.DATABASE, depends_on=(Dependency("db-b"),)),
        world.workload("db-b", WorkloadKind.DATABASE, depends_on=(Dependency("db-a"),)),
        world.workload("web", depends_on=(Dependency("db-a"),)),
        max_moves=1,
    )
    plan = _waves(
        _cloud_plan(
            _move("db-a", "100", "50", "10"),
            _move("db-b", "100", "50", "10"),
            _move("web", "100", "90", "10"),
        ),
        project,
    )
    assert plan.waves is not None
    assert [w.workloads for w in plan.waves.waves] == [("web",), ("db-a", "db-b")]
    assert plan.waves.waves[1].notes == (
        "2 moves, over the limit of 1: a move group moves together",
    )


# --------------------------------------------------------------------------- limits, payback


def test_wave_limit_of_one_stretches_the_timeline_and_delays_payback() -> None:
    """Three moves from one cloud region to another, 12-month horizon, 1 month of double
    running (a wave lasts one month). Per month today / with the plan / saving, and the
    one-off migration each:

        a: 1,200 / 300 / 900, 1,500     b: 1,000 / 400 / 600, 1,500
        c:   600 / 300 / 300, 1,500     together: 2,800 / 1,000 / 1,800, 4,500

    All at once (one wave, the default limit of 5): 4,500 at the start of month 1, then
    1,800 saved a month: the cumulative saving is -4,500 + 1,800 t, back to 0 at
    t = 2.5 months (break-even month 3).

    At most 1 move per wave: largest saving first, a in month 1, b in month 2, c in month 3
    (3 months instead of 1). Cumulative cash saving, one-offs at the start of a month:

        month 1: -1,500 + 900          = -600   (cash position after wave 1)
        month 2:   -600 - 1,500 + 1,500 = -600   (after wave 2)
        month 3:   -600 - 1,500 + 1,800 = -300   (after wave 3)
        month 4:   -300 + 1,800: back to 0 after 300 / 1,800 = 1/6 of the month

    Payback 3 + 1/6 = 3.17 months (break-even month 4): 0.67 months, one break-even
    month, later than all at once."""
    moves = (
        _move("a", "1200", "300", "1500"),
        _move("b", "1000", "400", "1500"),
        _move("c", "600", "300", "1500"),
    )
    names = [world.workload(n) for n in "abc"]
    at_once = _waves(_cloud_plan(*moves), _cloud_project(*names, max_moves=5))
    one = _waves(_cloud_plan(*moves), _cloud_project(*names, max_moves=1))

    t5 = plan_totals(at_once, 8.0)
    t1 = plan_totals(one, 8.0)
    assert t5.waves is not None
    assert t1.waves is not None
    assert [(w.start_month, w.end_month) for w in one.waves.waves] == [(1, 1), (2, 2), (3, 3)]  # type: ignore[union-attr]
    assert [w.workloads for w in one.waves.waves] == [("a",), ("b",), ("c",)]  # type: ignore[union-attr]
    assert (t5.waves.months, t1.waves.months) == (1, 3)
    assert t5.horizon.payback_months == Decimal("2.50")
    assert t5.waves.horizon.payback_months == Decimal("2.50")
    assert t1.waves.horizon.payback_months == Decimal("3.17")
    assert (t5.waves.horizon.breakeven_month, t1.waves.horizon.breakeven_month) == (3, 4)
    assert [f.cash_position for f in t1.waves.waves] == [usd("-600"), usd("-600"), usd("-300")]
    assert [w.one_off for w in one.waves.waves] == [usd("1500")] * 3  # type: ignore[union-attr]
    # the same money in total, only later: 12 months x 1,800 - 4,500 all at once, and
    # 900 + 600 + 300 less saving in the months before b and c move
    assert t5.waves.horizon.savings == usd("17100")
    assert t1.waves.horizon.savings == usd("17100") - usd("600") - usd("300") * 2


def test_data_limit_splits_waves_and_a_large_group_goes_alone() -> None:
    """20 TB per wave: 12 + 12 TB do not share a wave; a 25 TB dataset moves alone, noted."""
    gib = 1e12 / 2**30  # one TB in GiB
    project = _cloud_project(
        world.workload("x", data=DataSpec(dataset_gib=12 * gib)),
        world.workload("y", data=DataSpec(dataset_gib=12 * gib)),
        world.workload("z", data=DataSpec(dataset_gib=25 * gib)),
    )
    plan = _waves(
        _cloud_plan(
            _move("x", "300", "100", "10"),
            _move("y", "200", "100", "10"),
            _move("z", "900", "100", "10"),
        ),
        project,
    )
    assert plan.waves is not None
    assert [w.workloads for w in plan.waves.waves] == [("z",), ("x",), ("y",)]
    assert plan.waves.waves[0].notes == (
        "25.000 TB, over the limit of 20 TB: a move group moves together",
    )


def test_target_waves_spreads_the_moves() -> None:
    """--waves 2 over 3 moves: at most ceil(3 / 2) = 2 moves per wave."""
    project = _cloud_project(*(world.workload(n) for n in "abc"))
    project = replace(
        project,
        settings=replace(project.settings, waves=replace(project.settings.waves, target_waves=2)),
    )
    plan = _waves(_cloud_plan(*(_move(n, "100", "50", "10") for n in "abc")), project)
    assert plan.waves is not None
    assert plan.waves.max_moves_per_wave == 2
    assert [len(w.workloads) for w in plan.waves.waves] == [2, 1]


# --------------------------------------------------------------------------- capacity, lead time


def _offer(workload: str, site: str, cpu: float, option: PricingOption = OWNED) -> Offer:
    return Offer(workload, site, option, usd("10"), (), usage={"cpu": cpu, "memory_gib": 1.0})


def test_a_wave_waits_for_room_freed_by_a_departure() -> None:
    """colo holds 8 cores: 'leaver' (6 cores there today) goes to the cloud, 'comer' (6
    cores, larger saving) comes in. The old copy runs until its wave ends, so comer waits
    a wave, and leaver goes first to free the room."""
    colo = world.site("colo", capacity=Capacity(cpu=10, memory_gib=100), target_utilisation=0.8)
    project = replace(
        _cloud_project(world.workload("leaver"), world.workload("comer")),
        sites=(colo, world.site("new", SiteKind.CLOUD), world.site("old", SiteKind.CLOUD)),
    )
    plan = world.plan(
        [
            world.placement(
                "leaver",
                [world.assignment("new", OD, 1, "50")],
                previous_site="colo",
                migration=usd("10"),
            ),
            world.placement(
                "comer",
                [world.assignment("colo", OWNED, 1, "10")],
                previous_site="old",
                migration=usd("10"),
            ),
        ],
        site_usage=(
            SiteUsage(
                "colo", {"cpu": 6.0, "memory_gib": 1.0}, {"cpu": 8.0, "memory_gib": 80.0}, usd("10")
            ),
        ),
        workload_baseline_per_month={"leaver": usd("60"), "comer": usd("5000")},
        horizon_months=12,
    )
    offers = {"leaver": (_offer("leaver", "colo", 6.0),), "comer": (_offer("comer", "colo", 6.0),)}
    waves = plan_waves(plan, project, offers, start_month="2027-01")
    assert [w.workloads for w in waves.waves] == [("leaver",), ("comer",)]
    assert any("frees room there for comer" in r for r in waves.move("leaver").reasons)  # type: ignore[union-attr]
    assert any("colo cpu 12.0 > 8.0 in month 1" in r for r in waves.move("comer").reasons)  # type: ignore[union-attr]


def test_moves_onto_bought_servers_wait_for_their_delivery() -> None:
    """Servers bought with a 3-month lead time: the workload on them moves in month 3."""
    server = BuyableClass(
        "r1", cpu=8, memory_gib=64, capex_usd=1000, power_kw=0.5, max_units=2, lead_time_months=3
    )
    colo = world.site("colo", capacity=Capacity(cpu=4, memory_gib=32), buy=(server,))
    project = replace(
        _cloud_project(world.workload("w"), world.workload("v")),
        sites=(colo, world.site("new", SiteKind.CLOUD), world.site("old", SiteKind.CLOUD)),
    )
    plan = world.plan(
        [
            world.placement(
                "w",
                [world.assignment("colo", OWNED, 1, "10", bought="r1")],
                previous_site="old",
                migration=usd("10"),
            ),
            world.placement(
                "v",
                [world.assignment("new", OD, 1, "10")],
                previous_site="old",
                migration=usd("10"),
            ),
        ],
        site_usage=(
            SiteUsage(
                "colo", {"cpu": 6.0}, {"cpu": 3.2 + 6.4, "memory_gib": 25.6 + 51.2}, usd("10")
            ),
        ),
        purchases=(Purchase("colo", "r1", 1, usd("1000"), 3, usd("30"), usd("0"), ("w",)),),
        workload_baseline_per_month={"w": usd("900"), "v": usd("20")},
        horizon_months=12,
    )
    offers = {"w": (_offer("w", "colo", 6.0),)}
    waves = plan_waves(plan, project, offers, start_month="2027-01")
    assert [(w.workloads, w.start_month) for w in waves.waves] == [(("v",), 1), (("w",), 3)]
    assert waves.waves[1].notes == ("starts in month 3: waits for hardware to arrive",)


# --------------------------------------------------------------------------- determinism, stages


def test_waves_do_not_depend_on_input_order() -> None:
    """Reversing the placements and the inventory gives the same waves."""
    moves = [_move(n, str(100 + 10 * i), "50", "10") for i, n in enumerate("abcdefg")]
    names = [world.workload(n) for n in "abcdefg"]
    plan = _cloud_plan(*moves)
    one = plan_waves(plan, _cloud_project(*names, max_moves=2), {}, start_month="2027-01")
    two = plan_waves(
        replace(plan, placements=tuple(reversed(plan.placements))),
        _cloud_project(*reversed(names), max_moves=2),
        {},
        start_month="2027-01",
    )
    assert one == two
    assert [w.workloads for w in one.waves] == [("g", "f"), ("e", "d"), ("c", "b"), ("a",)]


def test_plan_at_wave_keeps_later_moves_where_they_run_today() -> None:
    """After wave 1 of 2, the second wave's workload is back on its current site, priced
    by its offer there, with no migration; wave 2 is the whole plan; wave 3 is refused."""
    plan = _waves(
        _cloud_plan(_move("a", "900", "50", "10"), _move("b", "100", "50", "10")),
        _cloud_project(world.workload("a"), world.workload("b"), max_moves=1),
    )
    offers = {"b": (_offer("b", "old", 1.0, OD), _offer("b", "new", 1.0, OD))}
    staged = plan_at_wave(plan, offers, 1)
    b = staged.placement("b")
    assert b is not None
    assert (b.sites, b.migration, b.moved) == (("old",), usd("0"), False)
    assert staged.placement("a") == plan.placement("a")
    assert plan_at_wave(plan, offers, 2) == plan
    with pytest.raises(UsageError, match="the plan has 2 migration waves"):
        plan_at_wave(plan, offers, 3)


def test_plan_md_draws_thirty_waves_and_sums_up_the_rest() -> None:
    """200 waves of one move: the gantt draws 30 and one bar for waves 31-200, the table
    lists 30, and the Markdown stays valid and within GitHub's comment size."""
    from plan_fakes import check_gfm

    from planner.report import render_plan_md
    from planner.report.plan_md import MAX_COMMENT_CHARS

    names = [f"svc-{i:03d}" for i in range(200)]
    project = _cloud_project(*(world.workload(n) for n in names), max_moves=1)
    plan = _waves(_cloud_plan(*(_move(n, "100", "50", "10") for n in names)), project)
    text = render_plan_md(plan, project)
    check_gfm(text)
    assert len(text) <= MAX_COMMENT_CHARS
    assert text.count("    section Wave ") == 30
    assert "    section Waves 31-200\n    170 more moves :rest, 2029-07-01, 2043-09-01" in text
    assert "170 more waves: `migration.waves` in plan.json." in text
