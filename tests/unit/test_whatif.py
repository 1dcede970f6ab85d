"""planner.whatif: parsing changes, applying them to new values, scenarios and sweeps."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from plan_fakes import sample_plan, sample_project

from planner import whatif
from planner.catalogue import Catalogue, load_default_catalogue
from planner.errors import InfeasibleError, UsageError
from planner.model import (
    Assignment,
    Capacity,
    Classification,
    Placement,
    Plan,
    PricingOption,
    Project,
    Resources,
)
from planner.money import Money

P5_OD = "aws.p5.48xlarge.us-east-1.on-demand"


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    """The packaged price catalogue."""
    return load_default_catalogue()


def _project() -> Project:
    """The sample project, colo-eu priced from the catalogue (no cost inputs of its own)."""
    p = sample_project()
    sites = tuple(replace(s, owned_cost=None) for s in p.sites)
    return replace(p, sites=sites)


# --------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        ("move", "llm-finetune=aws-us-east-1", ("llm-finetune", "set", 0.0, "aws-us-east-1")),
        ("price", "aws.p5=-45%", ("aws.p5", "pct", -45.0, "")),
        ("price", "colo-eu.power=+20%", ("colo-eu.power", "pct", 20.0, "")),
        ("price", f"{P5_OD}=55.04", (P5_OD, "set", 55.04, "")),
        ("capacity", "gpu-pool-us.gpus.h100=+64", ("gpu-pool-us.gpus.h100", "add", 64.0, "")),
        ("capacity", "colo-eu.cpu=1024", ("colo-eu.cpu", "set", 1024.0, "")),
        ("capacity", "colo-eu.memory_gib=-10%", ("colo-eu.memory_gib", "pct", -10.0, "")),
        ("horizon", "60", ("", "set", 60.0, "")),
        ("growth", "20%", ("", "pct", 20.0, "")),
        ("growth", "-5", ("", "pct", -5.0, "")),
    ],
    ids=[
        "move",
        "price-pct",
        "site-power",
        "price-abs",
        "capacity-add",
        "capacity-set",
        "capacity-pct",
        "horizon",
        "growth",
        "growth-no-sign",
    ],
)
def test_parse_change(kind: str, text: str, expected: tuple[str, str, float, str]) -> None:
    """Each change form parses into target, operation and value."""
    c = whatif.parse_change(kind, text)
    assert (c.target, c.op, c.value, c.site) == expected
    assert c.text == text


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("move", "llm-finetune"),
        ("price", "aws.p5"),
        ("price", "aws.p5=+3"),
        ("price", "aws.p5=cheap"),
        ("capacity", "gpus=+64"),
        ("horizon", "0"),
        ("horizon", "5.5"),
        ("growth", "-100%"),
        ("budget", "x=1"),
    ],
    ids=[
        "move-no-site",
        "price-no-amount",
        "price-signed-absolute",
        "price-word",
        "capacity-no-site",
        "horizon-zero",
        "horizon-fraction",
        "growth-all-gone",
        "unknown-kind",
    ],
)
def test_parse_change_rejects(kind: str, text: str) -> None:
    """Malformed changes are usage errors that show the expected form."""
    with pytest.raises(UsageError) as exc:
        whatif.parse_change(kind, text)
    assert exc.value.fix


@pytest.mark.parametrize(
    ("kind", "text", "message"),
    [
        ("price", "aws.p5=1e308", "1e+308 is out of range"),
        ("price", "aws.p5=1e999", "inf is out of range"),
        ("price", "aws.p5=+1e308%", "1e+308 % is out of range"),
        ("price", "aws.p5=-150%", "-150 % is out of range"),
        ("capacity", "colo-eu.cpu=+1e308", "1e+308 is out of range"),
        ("horizon", "1000000000", "from 1 to 360"),
        ("horizon", "361", "from 1 to 360"),
        ("growth", "1e308%", "at most 10000 %"),
    ],
    ids=[
        "price-huge",
        "price-inf",
        "price-huge-pct",
        "price-below-zero",
        "capacity-huge",
        "horizon-1e9",
        "horizon-361",
        "growth-huge",
    ],
)
def test_parse_change_rejects_numbers_out_of_range(kind: str, text: str, message: str) -> None:
    """Huge, infinite or negative-making amounts are usage errors naming the flag (they used
    to reach the cost model as inf, NaN or a Decimal InvalidOperation, or plan 1e9 months)."""
    with pytest.raises(UsageError) as exc:
        whatif.parse_change(kind, text)
    assert exc.value.message.startswith(f"--{kind} {text!r}: ")
    assert message in exc.value.message
    assert exc.value.fix


def test_horizon_ceiling_is_the_project_schemas() -> None:
    """--horizon allows what settings.horizon_months allows, no more."""
    from planner.load import schema_for

    settings = schema_for("project")["properties"]["settings"]["properties"]
    assert settings["horizon_months"]["maximum"] == whatif.parse.MAX_HORIZON_MONTHS
    whatif.parse_change("horizon", str(whatif.parse.MAX_HORIZON_MONTHS))


def test_changes_cannot_compound_past_the_ceiling(catalogue: Catalogue) -> None:
    """Repeated hundredfold increases stop with a usage error before any figure overflows."""
    changes = [whatif.parse_change("price", "aws.p5=+10000%")] * 20
    with pytest.raises(UsageError) as exc:
        whatif.apply_changes(_project(), catalogue, changes)
    assert "the changed value would be" in exc.value.message


def test_parse_scenario_list_and_mapping() -> None:
    """A scenario is a YAML list of one-key changes, optionally under `changes:`."""
    items = [{"price": "aws.p5=-45%"}, {"horizon": 60}, {"move": "a=b"}]
    a = whatif.parse_scenario(items, source="s.yaml")
    b = whatif.parse_scenario({"name": "cheap p5", "changes": items}, source="s.yaml")
    assert a == b
    assert [c.kind for c in a] == ["price", "horizon", "move"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "non-empty list"),
        ([{"prices": "aws.p5=-1%"}], "unknown change 'prices'"),
        ([{"price": "aws.p5=-1%", "horizon": 2}], "one-key mapping"),
        ([{"horizon": "soon"}], "item 1"),
    ],
    ids=["empty", "typo", "two-keys", "bad-value"],
)
def test_parse_scenario_rejects(data: object, message: str) -> None:
    """Scenario files name the bad item and suggest the fix."""
    with pytest.raises(UsageError, match=message) as exc:
        whatif.parse_scenario(data, source="s.yaml")
    assert "s.yaml" in exc.value.message


@pytest.mark.parametrize(
    ("text", "kind", "values", "unit"),
    [
        ("aws.p5=-60%..0%:20%", "price", (-60.0, -40.0, -20.0, 0.0), "%"),
        (f"{P5_OD}=20..40:10", "price", (20.0, 30.0, 40.0), ""),
        ("horizon=12..60:24", "horizon", (12.0, 36.0, 60.0), ""),
        ("growth=0%..30%:10%", "growth", (0.0, 10.0, 20.0, 30.0), "%"),
        ("aws.p5=0.1..0.3:0.1", "price", (0.1, 0.2, 0.3), ""),
    ],
    ids=["pct", "absolute", "horizon", "growth", "float-steps"],
)
def test_parse_sweep(text: str, kind: str, values: tuple[float, ...], unit: str) -> None:
    """Sweeps expand FROM..TO:STEP inclusively, without float drift."""
    s = whatif.parse_sweep(text)
    assert (s.kind, s.values, s.unit) == (kind, values, unit)


@pytest.mark.parametrize(
    "text",
    [
        "aws.p5=-60%",
        "aws.p5=0..10:0",
        "aws.p5=10..0:1",
        "aws.p5=-60%..0:10",
        "x=0..1e9:1",
        "horizon=0..12:6",
        "horizon=12..24:1.5",
        "growth=-100%..0%:50%",
        "aws.p5=0..1e308:1e307",
        "growth=0%..1e6%:1e5%",
        "horizon=12..1000:12",
    ],
    ids=[
        "no-range",
        "zero-step",
        "reversed",
        "mixed-units",
        "too-many",
        "horizon-zero",
        "horizon-fraction",
        "growth-minus-100",
        "price-huge",
        "growth-huge",
        "horizon-beyond-360",
    ],
)
def test_parse_sweep_rejects(text: str) -> None:
    """Bad sweeps are usage errors with an example."""
    with pytest.raises(UsageError):
        whatif.parse_sweep(text)


# --------------------------------------------------------------------------- applying


def test_apply_returns_new_values(catalogue: Catalogue) -> None:
    """Applying changes never mutates the project or catalogue given."""
    project = _project()
    before = (project, catalogue.prices[P5_OD].value)
    changes = [whatif.parse_change("price", "aws.p5=-45%"), whatif.parse_change("horizon", "60")]
    applied = whatif.apply_changes(project, catalogue, changes)
    assert (project, catalogue.prices[P5_OD].value) == before
    assert applied.project is not project
    assert applied.project.settings.horizon_months == 60


def test_wave_changes_set_the_wave_settings(catalogue: Catalogue) -> None:
    """--waves N and --max-moves-per-wave K (flags or scenario entries) change only the
    migration wave settings, and say so."""
    changes = whatif.parse_scenario(
        [{"waves": 4}, {"max-moves-per-wave": 2}], source="scenario.yaml"
    )
    applied = whatif.apply_changes(_project(), catalogue, changes)
    waves = applied.project.settings.waves
    assert (waves.target_waves, waves.max_moves_per_wave) == (4, 2)
    assert applied.notes == ("moves spread over about 4 waves", "at most 2 moves per wave")
    assert applied.project.workloads == _project().workloads


def test_move_pins_workload(catalogue: Catalogue) -> None:
    """--move pins the workload to the site."""
    applied = whatif.apply_changes(
        _project(), catalogue, [whatif.parse_change("move", "llm-finetune=aws-us-east-1")]
    )
    assert applied.project.workload("llm-finetune").pinned_site == "aws-us-east-1"
    assert applied.project.workload("checkout-api").pinned_site is None


@pytest.mark.parametrize(
    ("text", "message"),
    [("llm-finetun=aws-us-east-1", "llm-finetune"), ("llm-finetune=aws-us-east", "aws-us-east-1")],
    ids=["workload", "site"],
)
def test_move_unknown_names(catalogue: Catalogue, text: str, message: str) -> None:
    """Unknown workloads and sites suggest the nearest name."""
    with pytest.raises(UsageError) as exc:
        whatif.apply_changes(_project(), catalogue, [whatif.parse_change("move", text)])
    assert message in exc.value.render()


def test_price_prefix_scales_catalogue_and_site_overrides(catalogue: Catalogue) -> None:
    """aws.p5=-45% cuts every P5 price, including a site's negotiated override."""
    applied = whatif.apply_changes(
        _project(), catalogue, [whatif.parse_change("price", "aws.p5=-45%")]
    )
    new = applied.catalogue
    p5 = [k for k in catalogue.prices if k.startswith("aws.p5.")]
    assert len(p5) > 2
    for k in p5:  # exact decimals: 98.32 x 0.55 = 54.0760
        assert new.prices[k].value == catalogue.prices[k].value * Decimal("0.55")
    assert (
        new.prices["aws.p4d.24xlarge.us-east-1.on-demand"]
        == catalogue.prices["aws.p4d.24xlarge.us-east-1.on-demand"]
    )
    assert applied.project.site("aws-us-east-1").price_overrides[P5_OD] == Decimal("30.2720")
    assert new.digest != catalogue.digest


def test_price_glob_and_absolute(catalogue: Catalogue) -> None:
    """A glob selects keys; a bare number sets the price."""
    applied = whatif.apply_changes(
        _project(), catalogue, [whatif.parse_change("price", "aws.p5.*.spot=10")]
    )
    spots = [k for k in catalogue.prices if k.startswith("aws.p5.") and k.endswith(".spot")]
    assert spots
    assert all(applied.catalogue.prices[k].value == 10.0 for k in spots)
    assert applied.catalogue.prices[P5_OD].value == catalogue.prices[P5_OD].value


def test_price_unknown_key_suggests(catalogue: Catalogue) -> None:
    """An unknown price key is a usage error that suggests near keys."""
    with pytest.raises(UsageError, match="no catalogue key matches") as exc:
        whatif.apply_changes(_project(), catalogue, [whatif.parse_change("price", "aws.p6=-1%")])
    assert "did you mean" in exc.value.fix or "dotted prefix" in exc.value.fix


def test_site_power_scales_explicit_price(catalogue: Catalogue) -> None:
    """SITE.power scales the site's own colo price where given, else overrides the catalogue."""
    project = _project()
    applied = whatif.apply_changes(
        project,
        catalogue,
        [
            whatif.parse_change("price", "gpu-pool-us.power=+20%"),
            whatif.parse_change("price", "colo-eu.power=+10%"),
        ],
    )
    pool = applied.project.site("gpu-pool-us")
    assert pool.gpu_pool_cost is not None
    assert pool.gpu_pool_cost.owned is not None
    assert pool.gpu_pool_cost.owned.colo_usd_per_kw_month == pytest.approx(184.06 * 1.2)
    colo = applied.project.site("colo-eu")
    assert colo.price_overrides["owned.colo-usd-per-kw-month"] == (
        catalogue.value("owned.colo-usd-per-kw-month") * Decimal("1.1")
    )


def test_site_capex_and_catalogue_key_override(catalogue: Catalogue) -> None:
    """SITE.capex scales node classes; SITE.<catalogue key> becomes a site override."""
    applied = whatif.apply_changes(
        _project(),
        catalogue,
        [
            whatif.parse_change("price", "gpu-pool-us.capex=-10%"),
            whatif.parse_change("price", "aws-eu-west-1.aws.m6i=-20%"),
        ],
    )
    pool = applied.project.site("gpu-pool-us")
    assert pool.gpu_pool_cost is not None
    assert pool.gpu_pool_cost.owned is not None
    assert pool.gpu_pool_cost.owned.node_classes[0].capex_usd == pytest.approx(279_000)
    ovr = applied.project.site("aws-eu-west-1").price_overrides
    key = "aws.m6i.xlarge.eu-west-1.on-demand"
    assert ovr[key] == catalogue.prices[key].value * Decimal("0.8")
    assert applied.catalogue is catalogue


def test_site_gpu_hour_needs_contract(catalogue: Catalogue) -> None:
    """SITE.gpu-hour on an owned pool explains which parameters apply instead."""
    with pytest.raises(UsageError, match="no contract price per GPU-hour"):
        whatif.apply_changes(
            _project(), catalogue, [whatif.parse_change("price", "gpu-pool-us.gpu-hour=-10%")]
        )


def test_capacity_adds_whole_nodes(catalogue: Catalogue) -> None:
    """+64 H100s on a pool with 8-GPU node classes adds 8 nodes and their CPU and memory."""
    applied = whatif.apply_changes(
        _project(), catalogue, [whatif.parse_change("capacity", "gpu-pool-us.gpus.h100=+64")]
    )
    pool = applied.project.site("gpu-pool-us")
    assert pool.capacity == Capacity(cpu=768 + 768, memory_gib=16384 + 8 * 2048, gpus={"h100": 128})
    assert pool.gpu_pool_cost is not None
    assert pool.gpu_pool_cost.owned is not None
    assert pool.gpu_pool_cost.owned.node_classes[0].count == 16
    assert "+8 x hgx-h100" in applied.notes[0]


def test_capacity_without_node_classes(catalogue: Catalogue) -> None:
    """Without node classes the capacity figure itself changes (cost follows by default)."""
    applied = whatif.apply_changes(
        _project(), catalogue, [whatif.parse_change("capacity", "colo-eu.cpu=+25%")]
    )
    assert applied.project.site("colo-eu").capacity == Capacity(cpu=640, memory_gib=4096)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("aws-eu-west-1.cpu=+10", "cloud site"),
        ("colo-eu.disk=+10", "unknown resource"),
        ("colo-eux.cpu=+10", "unknown site"),
        ("colo-eu.cpu=-1000", "capacity would be"),
    ],
    ids=["cloud", "resource", "site", "negative"],
)
def test_capacity_rejects(catalogue: Catalogue, text: str, message: str) -> None:
    """Capacity changes on cloud sites, unknown resources or below zero are refused."""
    with pytest.raises(UsageError, match=message):
        whatif.apply_changes(_project(), catalogue, [whatif.parse_change("capacity", text)])


def test_growth(catalogue: Catalogue) -> None:
    """Growth scales CPU/memory per replica, GPU-hours, egress; right-sized requests too."""
    project = _project()
    applied = whatif.apply_changes(project, catalogue, [whatif.parse_change("growth", "20%")])
    api = applied.project.workload("checkout-api")
    assert (api.resources.cpu, api.replicas) == (pytest.approx(2.4), 3)
    assert api.data.egress_gib_per_month == pytest.approx(600)
    llm = applied.project.workload("llm-finetune")
    assert llm.training is not None
    assert llm.training.gpu_hours_per_month == pytest.approx(4800)
    assert applied.growth_factor == pytest.approx(1.2)
    cls = (
        Classification(
            "checkout-api",
            sample_plan().classifications[0].cls,
            0.9,
            (),
            rightsized=Resources(1, 2),
        ),
    )
    grown = whatif.grow_classifications(cls, project, 1.2)
    assert grown[0].rightsized == Resources(pytest.approx(1.2), pytest.approx(2.4))  # type: ignore[arg-type]


# --------------------------------------------------------------------------- running

OWNED_USD = Money.of(45_000, "USD")


def fake_plan(project: Project, catalogue: Catalogue, cls: tuple[Classification, ...]) -> Plan:
    """A stand-in planner: the training runs wherever is cheaper (or pinned), the rest as in
    the sample plan. Cloud cost = effective P5 on-demand price x 1,000 instance-hours."""
    del cls
    base = sample_plan()
    cloud = project.site("aws-us-east-1")
    p5 = catalogue.value(P5_OD, cloud.price_overrides)
    cloud_usd = Money.of(p5 * 1000, "USD")
    llm = project.workload("llm-finetune")
    if llm.pinned_site == "gpu-pool-us":
        raise InfeasibleError("pool is full", diagnosis=("capacity gpu-pool-us gpus:h100",))
    on_cloud = llm.pinned_site == "aws-us-east-1" or cloud_usd < OWNED_USD
    site, usd = ("aws-us-east-1", cloud_usd) if on_cloud else ("gpu-pool-us", OWNED_USD)
    option = PricingOption.ON_DEMAND if on_cloud else PricingOption.OWNED
    placements = tuple(
        Placement(
            "llm-finetune",
            (Assignment(site, option, 1, usd),),
            usd,
            Money.of(0 if on_cloud else 10_500, "USD"),
            "aws-us-east-1",
        )
        if p.workload == "llm-finetune"
        else p
        for p in base.placements
    )
    return replace(
        base,
        placements=placements,
        per_month=Money.total((p.per_month for p in placements), "USD"),
        horizon_months=project.settings.horizon_months,
    )


def _base(project: Project, catalogue: Catalogue) -> Plan:
    return fake_plan(project, catalogue, ())


def test_run_scenario_delta(catalogue: Catalogue) -> None:
    """A 45 % P5 cut moves the training to the cloud; the diff names the move and saving."""
    project = _project()
    out = whatif.run_scenario(
        project,
        catalogue,
        [whatif.parse_change("price", "aws.p5=-45%")],
        plan_fn=fake_plan,
        classifications=(),
        base=_base(project, catalogue),
    )
    assert out.comparison is not None
    assert out.infeasible is None
    assert [m.name for m in out.comparison.moves] == ["llm-finetune"]
    expected = Money.of(Decimal("55.04") * Decimal("0.55") * 1000, "USD") - OWNED_USD
    assert out.comparison.delta_per_month == expected
    assert out.diff is not None
    assert out.diff["totals"]["delta_usd_per_month"] == out.comparison.delta_per_month


def test_run_scenario_infeasible(catalogue: Catalogue) -> None:
    """An infeasible scenario is reported, not raised."""
    project = _project()
    out = whatif.run_scenario(
        project,
        catalogue,
        [whatif.parse_change("move", "llm-finetune=gpu-pool-us")],
        plan_fn=fake_plan,
        classifications=(),
        base=_base(project, catalogue),
    )
    assert out.plan is None
    assert out.comparison is None
    assert out.diff is None
    assert out.infeasible is not None
    assert "pool is full" in out.infeasible


def test_run_scenario_deterministic(catalogue: Catalogue) -> None:
    """The same scenario twice gives identical results."""
    project = _project()
    kw = {"plan_fn": fake_plan, "classifications": (), "base": _base(project, catalogue)}
    changes = [whatif.parse_change("price", "aws.p5=-45%"), whatif.parse_change("growth", "10%")]
    a = whatif.run_scenario(project, catalogue, changes, **kw)  # type: ignore[arg-type]
    b = whatif.run_scenario(project, catalogue, changes, **kw)  # type: ignore[arg-type]
    assert whatif.outcome_to_dict(a) == whatif.outcome_to_dict(b)


def test_sweep_break_even(catalogue: Catalogue) -> None:
    """The sweep finds the price at which the training moves back to the cloud."""
    project = _project()
    result = whatif.run_sweep(
        project,
        catalogue,
        whatif.parse_sweep("aws.p5=-30%..0%:10%"),
        plan_fn=fake_plan,
        classifications=(),
        base=_base(project, catalogue),
    )
    assert result.watched == ("llm-finetune",)
    assert [r.sites["llm-finetune"] for r in result.rows] == [
        "aws-us-east-1",
        "aws-us-east-1",
        "gpu-pool-us",
        "gpu-pool-us",
    ]
    assert result.transitions == (
        "llm-finetune moves from aws-us-east-1 to gpu-pool-us between -20 % and -10 %",
    )
    header, rows = whatif.sweep_table(result)
    assert header[0] == "aws.p5"
    assert header[-1] == "llm-finetune"
    assert len(rows) == 4
    data = whatif.sweep_to_dict(result)
    assert data["rows"][0]["sites"] == {"llm-finetune": "aws-us-east-1"}


@pytest.mark.parametrize(
    ("before", "after", "text"),
    [
        pytest.param("a", "a + b", "also runs on b (besides a)", id="burst"),
        pytest.param("a + b", "a", "stops running on b (keeps a)", id="burst-ends"),
        pytest.param("a", "b", "moves from a to b", id="move"),
        pytest.param("a + b", "b + c", "moves from a + b to b + c", id="reshuffle"),
    ],
)
def test_sweep_transition_text(before: str, after: str, text: str) -> None:
    """A split placement gaining or losing a site is not printed as a move onto itself."""
    assert whatif.transition_text(before, after) == text
