"""Buying servers is a decision the solver takes with the placement (issue #12): bought
units add capacity from their delivery month, cost their capex share and run cost over the
horizon, and appear in the plan with their capex and month."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import world

from planner.catalogue import load_default_catalogue
from planner.cost.buy import buy_offers
from planner.errors import InputError
from planner.ingest import TelemetrySet
from planner.load import load_project
from planner.model import (
    BuyableClass,
    Capacity,
    Plan,
    Project,
    Resources,
    Settings,
)
from planner.money import Money
from planner.pipeline import build_plan
from planner.report import render_plan_md
from planner.report.plan_json import plan_to_dict

MINI = Path(__file__).resolve().parents[2] / "data" / "mini"
HGX_CAPEX = 310_000


def _project(*, capex: float = HGX_CAPEX, lead: int = 3, horizon: int = 36) -> Project:
    """Four 4-GPU inference services on AWS and a pool with one 8-GPU server (6.8 usable):
    one fits; three more need servers bought (two servers: 13.6 usable GPUs)."""
    pool = world.gpu_pool_us(
        availability_pct=99.95,
        capacity=Capacity(cpu=96, memory_gib=2048, gpus={"h100": 8}),
        buy=(
            BuyableClass(
                "hgx-h100",
                96,
                2048,
                capex,
                10.2,
                max_units=6,
                lead_time_months=lead,
                gpus=8,
                gpu_type="h100",
            ),
        ),
    )
    services = [
        world.workload(
            f"infer-{i}",
            team="ml",
            allow_spot=False,
            current_site="aws-us-east-1",
            resources=Resources(cpu=16, memory_gib=256, gpus=4, gpu_type="h100"),
        )
        for i in range(4)
    ]
    return world.project(
        services, [pool, world.aws_us_east_1()], settings=Settings(horizon_months=horizon)
    )


def _plan(project: Project, method: str = "auto") -> Plan:
    return build_plan(
        project,
        catalogue=load_default_catalogue(),
        telemetry=TelemetrySet(series=()),
        today=date(2026, 12, 1),
        method=method,
    ).plan


def test_lp_repair_buys_what_the_milp_buys() -> None:
    """LP + repair (the big-fleet path) reaches the MILP's purchase and cost."""
    milp, repaired = _plan(_project(), "milp"), _plan(_project(), "lp+repair")
    assert repaired.purchases == milp.purchases
    assert repaired.per_month == milp.per_month


def test_buys_gpu_servers_when_cheaper_than_cloud() -> None:
    """Buying beats renting: two servers are bought, with their capex, delivery month and
    the three services that run on them (the fourth fits the existing server)."""
    plan = _plan(_project())
    (bought,) = plan.purchases
    assert (bought.site, bought.node_class, bought.units) == ("gpu-pool-us", "hgx-h100", 2)
    assert bought.capex == Money.of(2 * HGX_CAPEX, "USD")
    assert bought.month == 3
    assert bought.workloads == ("infer-1", "infer-2", "infer-3")
    on_bought = [a for p in plan.placements for a in p.assignments if a.bought]
    assert len(on_bought) == 3
    assert all(a.site == "gpu-pool-us" for a in on_bought)
    # the servers' monthly cost is their users' shares plus the idle remainder, exactly
    used = Money.total((a.per_month for a in on_bought), "USD")
    assert used + bought.idle_per_month == bought.per_month
    assert Money.zero("USD") < bought.idle_per_month < bought.per_month
    assert plan.per_month == Money.total(
        (*(p.per_month for p in plan.placements), bought.idle_per_month), "USD"
    )
    # the idle share is the pool's, so the sites' spend adds up to the plan's total
    assert Money.total((u.per_month for u in plan.site_usage), "USD") == plan.per_month
    pool = next(u for u in plan.site_usage if u.site == "gpu-pool-us")
    assert pool.capacity["gpus:h100"] == pytest.approx(3 * 8 * 0.85)  # one owned, two bought
    assert pool.used["gpus:h100"] == pytest.approx(16)


def test_unit_price_is_the_sites_server_price() -> None:
    """One unit costs its capex over the site's 60 depreciation months, its power at the
    site's colo rate (10.2 kW x 184.06 USD/kW-month) and the catalogue's support (10 % of
    capex a year)."""
    (offer,) = buy_offers(_project().site("gpu-pool-us"), load_default_catalogue(), Settings())
    assert offer.capex_per_month == Money.of("5166.67", "USD")  # 310,000 / 60
    # 10.2 x 184.06 = 1,877.41 power + 310,000 x 10 % / 12 = 2,583.33 support
    assert offer.run_per_month == Money.of("4460.74", "USD")
    assert offer.capacity["gpus:h100"] == pytest.approx(8 * 0.85)


def test_does_not_buy_when_cloud_is_cheaper() -> None:
    """At ten times the price the servers lose to the cloud: nothing is bought and the
    three services that do not fit stay on AWS."""
    plan = _plan(_project(capex=10 * HGX_CAPEX))
    assert plan.purchases == ()
    sites = sorted(p.sites[0] for p in plan.placements)
    assert sites == ["aws-us-east-1"] * 3 + ["gpu-pool-us"]


def test_lead_time_is_respected() -> None:
    """Workloads on bought servers wait for them on their current site and pay for it
    until the servers arrive: a longer lead time costs more over the horizon, and servers
    that would arrive at the end of the horizon are never bought."""
    quick = _plan(_project(lead=3))
    assert quick.purchases[0].month == 3
    placed = next(p for p in quick.placements if p.workload == "infer-1")
    assert "usable from month 3; runs on aws-us-east-1 until then" in placed.reason
    slow = _plan(_project(lead=30))
    assert slow.purchases[0].month == 30
    # 27 more months of cloud for three services, less 27 months of the servers' cost
    assert slow.solver.objective_usd > quick.solver.objective_usd + 27 * 3 * 10_000
    assert _plan(_project(lead=36)).purchases == ()


def test_plan_md_lists_hardware_to_buy() -> None:
    """plan.md has a "Hardware to buy" table with units, capex and the month; plan.json
    carries the purchase and marks the assignments on bought servers."""
    project = _project()
    plan = _plan(project)
    text = render_plan_md(plan, project)
    assert "### Hardware to buy" in text
    assert "| gpu-pool-us | `hgx-h100` | 2 | 620,000.00 | month 3 |" in text
    d = plan_to_dict(plan, project)
    assert [b["units"] for b in d["purchases"]] == [2]
    bought = [a for w in d["workloads"] for a in w["assignments"] if a.get("bought")]
    assert len(bought) == 3


def test_plan_without_purchases_has_no_section() -> None:
    """A plan that buys nothing has neither the section nor the plan.json key."""
    project = _project(capex=10 * HGX_CAPEX)
    plan = _plan(project)
    assert "Hardware to buy" not in render_plan_md(plan, project)
    assert "purchases" not in plan_to_dict(plan, project)


def _mini_with_buy(tmp_path: Path, entry: str) -> Path:
    root = Path(shutil.copytree(MINI, tmp_path / "mini"))
    sites = root / "sites.yaml"
    text = sites.read_text()
    anchor = "    capacity: {cpu: 768, memory_gib: 16384, gpus: {h100: 64}}\n"
    assert anchor in text
    sites.write_text(text.replace(anchor, anchor + "    buy:\n" + entry, 1))
    return root


def test_loader_reads_buyable_servers(tmp_path: Path) -> None:
    """A site's buy entry loads with its lead time and bounds, located in sites.yaml."""
    root = _mini_with_buy(
        tmp_path,
        "      - {name: hgx-h100, cpu: 96, memory_gib: 2048, gpus: 8, gpu_type: h100,\n"
        "         capex_usd: 310000, power_kw: 10.2, lead_time_months: 4, max_units: 3}\n",
    )
    (bc,) = load_project(root).site("gpu-pool-us").buy
    assert replace(bc, source=None) == BuyableClass(
        "hgx-h100", 96, 2048, 310000, 10.2, 3, 4, 8, "h100"
    )
    assert bc.source is not None
    assert (bc.source.file, bc.source.line) == ("sites.yaml", 40)


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (
            "      - {name: a100-box, cpu: 64, memory_gib: 1024, gpus: 8, gpu_type: a100,\n"
            "         capex_usd: 200000, power_kw: 6, max_units: 2}\n",
            "sites.yaml:40:72: sites[1].buy[0].gpu_type: GPU type 'a100' to buy, but site "
            "'gpu-pool-us' has h100",
        ),
        (
            "      - {name: hgx, cpu: 96, memory_gib: 2048, gpus: 8, gpu_type: h100,\n"
            "         capex_usd: 310000, power_kw: 10.2, max_units: 1000000}\n",
            "sites.yaml:41:56: sites[1].buy[0].max_units:",
        ),
    ],
    ids=["gpu-type-absent", "unbounded-units"],
)
def test_loader_rejects_bad_buy_entries(tmp_path: Path, entry: str, expected: str) -> None:
    """A GPU type the site lacks, or a unit bound past the schema's, is a located error."""
    root = _mini_with_buy(tmp_path, entry)
    with pytest.raises(InputError) as caught:
        load_project(root)
    rendered = [p.render() for p in caught.value.problems]
    assert len(rendered) == 1
    assert rendered[0].startswith(expected), rendered
