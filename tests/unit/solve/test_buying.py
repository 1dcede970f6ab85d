"""Buying servers is a decision the solver takes with the placement (issue #12): bought
units add capacity from their delivery month, cost their capex share and run cost over the
horizon, and appear in the plan with their capex and month."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
import world
from jsonschema import Draft202012Validator

from planner.catalogue import load_default_catalogue
from planner.cost.buy import buy_offers
from planner.errors import InputError
from planner.load import load_project
from planner.model import (
    BuyableClass,
    Capacity,
    Project,
    Resources,
    Settings,
)
from planner.money import Money
from planner.report import render_plan_md
from planner.report.figures import plan_totals
from planner.report.plan_json import plan_to_dict, render_plan_json

MINI = Path(__file__).resolve().parents[2] / "data" / "mini"
HGX_CAPEX = 310_000


def _project(*, capex: float = HGX_CAPEX, lead: int = 3, horizon: int = 36) -> Project:
    """Four 2-GPU inference services on AWS, each holding 4 GPUs on an owned site with its
    rolling-update surge pod (``planner.headroom``), and a pool with one 8-GPU server (6.8
    usable): one fits; three more need servers bought (two servers: 13.6 usable GPUs)."""
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
            resources=Resources(cpu=16, memory_gib=256, gpus=2, gpu_type="h100"),
        )
        for i in range(4)
    ]
    return world.project(
        services, [pool, world.aws_us_east_1()], settings=Settings(horizon_months=horizon)
    )


def test_lp_repair_buys_what_the_milp_buys() -> None:
    """LP + repair (the big-fleet path) reaches the MILP's purchase and cost."""
    milp, repaired = world.planned(_project(), "milp"), world.planned(_project(), "lp+repair")
    assert repaired.purchases == milp.purchases
    assert repaired.per_month == milp.per_month


def test_buys_gpu_servers_when_cheaper_than_cloud() -> None:
    """Buying beats renting: two servers are bought, with their capex, delivery month and
    the three services that run on them (the fourth fits the existing server)."""
    plan = world.planned(_project())
    (bought,) = plan.purchases
    assert (bought.site, bought.node_class, bought.units) == ("gpu-pool-us", "hgx-h100", 2)
    assert bought.capex == Money.of(2 * HGX_CAPEX, "USD")
    assert bought.month == 4  # 3 months of lead time: usable from month 4
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
    plan = world.planned(_project(capex=10 * HGX_CAPEX))
    assert plan.purchases == ()
    sites = sorted(p.sites[0] for p in plan.placements)
    assert sites == ["aws-us-east-1"] * 3 + ["gpu-pool-us"]


def test_lead_time_is_respected() -> None:
    """Workloads on bought servers wait for them on their current site and pay for it
    until the servers arrive: a longer lead time costs more over the horizon, and servers
    that would arrive at the end of the horizon are never bought."""
    quick = world.planned(_project(lead=3))
    # a 3-month lead time: ordered at the start of month 1, usable from month 4 (the MILP
    # charges 3 months of the current site, then 33 of the servers)
    assert quick.purchases[0].month == 4
    placed = next(p for p in quick.placements if p.workload == "infer-1")
    assert "usable from month 4; runs on aws-us-east-1 until then" in placed.reason
    slow = world.planned(_project(lead=30))
    assert slow.purchases[0].month == 31
    # 27 more months of cloud for three services, less 27 months of the servers' cost
    assert slow.solver.objective_usd > quick.solver.objective_usd + 27 * 3 * 10_000
    assert world.planned(_project(lead=36)).purchases == ()


def test_bought_servers_are_cash_in_their_delivery_month() -> None:
    """Two hgx-h100 bought with a 3-month lead time, by hand (catalogue 2025-h1):

    - delivered, paid and usable from month 4: cash 2 x 310,000 = 620,000 at its start,
      with the migration of the three services that move onto them (each 8,000
      engineering + one month of double running at today's on-demand 40,179.20 =
      48,179.20); infer-0 moves in month 1 (48,179.20 then);
    - months 1-3 the three wait on aws-us-east-1 (capacity-block 28,710.90 a month each,
      the MILP's c_now) and the servers cost nothing; from month 4 the servers' power and
      support run, 2 x 4,460.74 = 8,921.48: run(1) - run(4) = 3 x 28,710.90 - 8,921.48
      = 77,211.22;
    - accrual: 2 x 5,166.67 = 10,333.34 amortised a month from month 4 (and the
      migration expensed in its month): (accrual - run)(5) - (accrual - run)(2)
      = 10,333.34;
    - the monthly figure with the plan is the pool's whole estate (83,019.30) plus the
      bought servers' whole cost (2 x (5,166.67 + 4,460.74) = 19,254.82) = 102,274.12,
      and equals the accrual of month 5; the idle line is that less the 23,093.90 the four
      services are charged: 79,180.22."""
    plan = world.planned(_project(lead=3))
    (bought,) = plan.purchases
    assert (bought.month, bought.capex) == (4, Money.of(620_000, "USD"))
    totals = plan_totals(plan, 8.0)
    after = totals.horizon.after
    assert after is not None
    usd = [str(m) for m in after.upfront[:5]]
    assert usd == ["48,179.20 USD", "0.00 USD", "0.00 USD", "764,537.60 USD", "0.00 USD"]
    assert after.run[0] == after.run[1] == after.run[2]
    assert after.run[0] - after.run[3] == Money.of("77211.22", "USD")
    assert after.run[3] == after.run[35]
    amortised = [a - r for a, r in zip(after.accrual, after.run, strict=True)]
    assert amortised[4] - amortised[1] == Money.of("10333.34", "USD")
    assert amortised[3] - amortised[4] == Money.of("144537.60", "USD")  # 3 x 48,179.20
    labels = {(i.month, i.label) for i in after.items}
    assert (4, "hardware: gpu-pool-us") in labels
    assert totals.per_month == Money.of("102274.12", "USD")
    assert after.accrual[4] == totals.per_month
    assert totals.idle_after_per_month == Money.of("82232.40", "USD")
    # the delivery takes the cumulative saving below 0 again: payback is after it
    assert totals.horizon.breakeven_month is not None
    assert totals.horizon.breakeven_month >= 4


def test_plan_md_lists_hardware_to_buy() -> None:
    """plan.md has a "Hardware to buy" table with units, capex and the month; plan.json
    carries the purchase and marks the assignments on bought servers."""
    project = _project()
    plan = world.planned(project)
    text = render_plan_md(plan, project)
    assert "### Hardware to buy" in text
    assert "| gpu-pool-us | `hgx-h100` | 2 | 620,000.00 | month 4 |" in text
    d = plan_to_dict(plan, project)
    assert [b["units"] for b in d["purchases"]] == [2]
    bought = [a for w in d["workloads"] for a in w["assignments"] if a.get("bought")]
    assert len(bought) == 3
    assert {(a["arrival_month"], a["waits_on"]) for a in bought} == {(4, "aws-us-east-1")}
    schema = json.loads((MINI.parents[2] / "planner/schemas/plan.json").read_text())
    errors = Draft202012Validator(schema).iter_errors(json.loads(render_plan_json(plan, project)))
    assert [e.message for e in errors] == []


def test_plan_without_purchases_has_no_section() -> None:
    """A plan that buys nothing has neither the section nor the plan.json key."""
    project = _project(capex=10 * HGX_CAPEX)
    plan = world.planned(project)
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
